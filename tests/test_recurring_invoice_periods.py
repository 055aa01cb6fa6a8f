"""Billing periods: in advance (an invoice bills its date up to the day before the next) or in arrears
(it bills the previous date up to the day before its own; the first date of the rule bills nothing).

Dates and texts are written out by hand, as a user reads them on the invoices.
"""

import base64

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, rrule
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError

from .test_recurring_invoice import RecurringInvoiceCase, d

DESCRIPTION = "Hosting {month}: {period_start} to {period_end} ({year}), invoiced {date}"


class TestBillingPeriods(RecurringInvoiceCase):
    def _periodic(self, **vals):
        return self._template(
            line_ids=[Command.create({"name": DESCRIPTION, "price_unit": 100.0})],
            **vals,
        )

    def _texts(self, template):
        """{occurrence date: description} of the template's invoices."""
        return {move.recurring_date: move.invoice_line_ids.name for move in template.invoice_ids}

    def test_monthly_in_arrears(self):
        with freeze_time("2026-01-01"):
            template = self._periodic(invoicing_type="in_arrears")
            self.assertEqual(template.next_invoice_date, d("2026-02-01"), "the first date bills nothing")
            self._cron()
            self.assertFalse(template.invoice_ids)
        with freeze_time("2026-02-01"):
            self._cron()
            self.assertEqual(
                self._texts(template),
                {d("2026-02-01"): "Hosting January 2026: 01/01/2026 to 01/31/2026 (2026), invoiced 02/01/2026"},
            )
            self.assertEqual(template.invoice_ids.invoice_date, d("2026-02-01"))
            self.assertEqual(template.next_invoice_date, d("2026-03-01"))

    def test_monthly_in_advance_is_unchanged(self):
        with freeze_time("2026-01-01"):
            template = self._periodic()
            self._cron()
            self.assertEqual(
                self._texts(template),
                {d("2026-01-01"): "Hosting January 2026: 01/01/2026 to 01/31/2026 (2026), invoiced 01/01/2026"},
            )

    def test_quarterly_in_arrears_and_in_advance(self):
        with freeze_time("2026-07-01"):
            arrears = self._periodic(name="Arrears", invoicing_type="in_arrears", interval=3)
            advance = self._periodic(name="Advance", interval=3)
            self._cron()
            self.assertEqual(
                self._texts(arrears),
                {
                    d("2026-04-01"): "Hosting January 2026: 01/01/2026 to 03/31/2026 (2026), invoiced 04/01/2026",
                    d("2026-07-01"): "Hosting April 2026: 04/01/2026 to 06/30/2026 (2026), invoiced 07/01/2026",
                },
            )
            self.assertEqual(
                self._texts(advance),
                {
                    d("2026-01-01"): "Hosting January 2026: 01/01/2026 to 03/31/2026 (2026), invoiced 01/01/2026",
                    d("2026-04-01"): "Hosting April 2026: 04/01/2026 to 06/30/2026 (2026), invoiced 04/01/2026",
                    d("2026-07-01"): "Hosting July 2026: 07/01/2026 to 09/30/2026 (2026), invoiced 07/01/2026",
                },
            )

    def test_a_year_billed_in_arrears_spans_the_new_year(self):
        with freeze_time("2027-01-15"):
            template = self._periodic(
                invoicing_type="in_arrears", rrule_type="yearly", month="1", day=15, date_start=d("2026-01-15")
            )
            self._cron()
            self.assertEqual(
                self._texts(template),
                {d("2027-01-15"): "Hosting January 2026: 01/15/2026 to 01/14/2027 (2026), invoiced 01/15/2027"},
            )

    def test_catch_up_over_three_missed_periods_in_arrears(self):
        with freeze_time("2026-01-01"):
            template = self._periodic(invoicing_type="in_arrears")
            self._cron()
        # The scheduled action did not run for three months and a half.
        with freeze_time("2026-04-15"):
            self._cron()
            self._cron()
            self.assertEqual(
                self._texts(template),
                {
                    d("2026-02-01"): "Hosting January 2026: 01/01/2026 to 01/31/2026 (2026), invoiced 02/01/2026",
                    d("2026-03-01"): "Hosting February 2026: 02/01/2026 to 02/28/2026 (2026), invoiced 03/01/2026",
                    d("2026-04-01"): "Hosting March 2026: 03/01/2026 to 03/31/2026 (2026), invoiced 04/01/2026",
                },
            )
            self.assertEqual(template.next_invoice_date, d("2026-05-01"))

    def test_in_arrears_the_first_date_gets_no_issue_activity(self):
        with freeze_time("2026-01-01"):
            template = self._periodic(invoicing_type="in_arrears", end_type="count", count=4)
            template.action_generate()
            self.assertEqual(
                self._activities(template).mapped("recurring_date"), [d("2026-02-01"), d("2026-03-01"), d("2026-04-01")]
            )
            # Issued ahead from its activity (confirmed), February's invoice still bills January; dated the day issued.
            self._activities(template)[0].with_context(recurring_invoice_issue_early=True).action_done()
            self.assertEqual(
                self._texts(template),
                {d("2026-02-01"): "Hosting January 2026: 01/01/2026 to 01/31/2026 (2026), invoiced 01/01/2026"},
            )
            self.assertEqual(template.invoice_ids.invoice_date, d("2026-01-01"), "issued today, never in the future")

    def test_the_rule_starts_off_its_first_date(self):
        """Weekly on Monday, started on a Wednesday: the first date is the following Monday."""
        with freeze_time("2026-01-19"):
            template = self._periodic(
                invoicing_type="in_arrears", rrule_type="weekly", mon=True, date_start=d("2026-01-07")
            )
            self.assertEqual(template.next_invoice_date, d("2026-01-19"))
            self._cron()
            self.assertEqual(
                self._texts(template),
                {d("2026-01-19"): "Hosting January 2026: 01/12/2026 to 01/18/2026 (2026), invoiced 01/19/2026"},
            )

    def test_forecast_and_preview_follow_the_period_billed(self):
        with freeze_time("2026-01-10"):
            template = self._periodic(invoicing_type="in_arrears", end_type="count", count=4)
            rows = self.env["recurring.invoice.forecast"].search([("recurring_invoice_id", "=", template.id)])
            self.assertEqual(
                [(row.date, row.period_start, row.period_end) for row in rows],
                [
                    (d("2026-02-01"), d("2026-01-01"), d("2026-01-31")),
                    (d("2026-03-01"), d("2026-02-01"), d("2026-02-28")),
                    (d("2026-04-01"), d("2026-03-01"), d("2026-03-31")),
                ],
            )
            template.action_preview()
            preview = self.env["recurring.invoice.preview"].search([("recurring_invoice_id", "=", template.id)])
            self.assertEqual(preview.invoice_date, d("2026-02-01"))
            # Under test Odoo's report renders its HTML.
            self.assertIn("Hosting January 2026: 01/01/2026 to 01/31/2026", base64.b64decode(preview.pdf).decode())

    def test_the_billing_period_stays_once_invoiced(self):
        """Switched after an invoice, a period would be billed twice (to arrears) or never (to advance)."""
        with freeze_time("2026-01-01"):
            template = self._periodic()
            self._cron()
            with self.assertRaisesRegex(ValidationError, "billing period stay"), self.env.cr.savepoint():
                template.invoicing_type = "in_arrears"
            with self.assertRaisesRegex(ValidationError, "billing period stay"), self.env.cr.savepoint():
                template.move_type = "in_invoice"
            self.assertEqual(template.invoicing_type, "in_advance")


class TestFirstPartialPeriod(RecurringInvoiceCase):
    """In arrears, a template starting mid-month says what its first invoice covers, and may bill those days
    prorated (issue 27, 9). Dates by dateutil, amounts by an invoice typed by hand."""

    def _mid_month(self, **vals):
        # Monthly on the 1st, 2 x 100 with the company's sale tax, started on 15 January 2026.
        vals = {"invoicing_type": "in_arrears", "date_start": d("2026-01-15"), **vals}
        return self._template(
            line_ids=[
                Command.create(
                    {
                        "name": "Hosting {period_start} to {period_end}",
                        "quantity": 2,
                        "price_unit": 100.0,
                        "tax_ids": [Command.set(self.tax_sale_a.ids)],
                    }
                )
            ],
            **vals,
        )

    def _typed_by_hand(self, price_unit, invoice_date):
        """The invoice an accountant would type for the same line: its totals are Odoo's, not ours."""
        return self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.partner_a.id,
                "invoice_date": invoice_date,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "By hand",
                            "quantity": 2,
                            "price_unit": price_unit,
                            "tax_ids": [Command.set(self.tax_sale_a.ids)],
                        }
                    )
                ],
            }
        )

    def test_without_the_option_the_form_says_the_partial_days_are_not_billed(self):
        with freeze_time("2026-01-15"):
            template = self._mid_month()
            dates = [day.date() for day in rrule(MONTHLY, bymonthday=1, dtstart=d("2026-01-15"), count=2)]
            self.assertEqual(dates, [d("2026-02-01"), d("2026-03-01")])
            self.assertEqual(template.next_invoice_date, dates[1], "the first date opens the first period")
            self.assertEqual(
                template.first_period_note,
                "It starts mid-period: 01/15/2026 to 01/31/2026 is not billed; its first invoice, on 03/01/2026, "
                "bills 02/01/2026 to 02/28/2026. Tick “Bill the first partial period” to bill those days too, "
                "prorated.",
            )
            # Started on a date of its rule, nothing to say.
            self.assertFalse(self._mid_month(date_start=d("2026-02-01")).first_period_note)
            self.assertFalse(self._mid_month(invoicing_type="in_advance").first_period_note)

    def test_the_first_partial_period_billed_prorated_by_days(self):
        with freeze_time("2026-01-15"):
            template = self._mid_month(bill_first_partial_period=True)
            first = rrule(MONTHLY, bymonthday=1, dtstart=d("2026-01-15"), count=1)[0].date()
            days = (first - d("2026-01-15")).days
            full = (first - (first - relativedelta(months=1))).days
            self.assertEqual((first, days, full), (d("2026-02-01"), 17, 31))
            self.assertEqual(template.next_invoice_date, first)
            self.assertEqual(
                template.first_period_note,
                "It starts mid-period: its first invoice, on 02/01/2026, bills 01/15/2026 to 01/31/2026, its prices "
                "prorated 17 of 31 days.",
            )
            # The confirmation and the form's summary show the period billed and the prorated total.
            by_hand = self._typed_by_hand(round(100.0 * days / full, 2), first)
            info = template._get_issue_info(first)
            self.assertEqual((info["period_start"], info["period_end"]), (d("2026-01-15"), d("2026-01-31")))
            self.assertAlmostEqual(info["amount_total"], by_hand.amount_total)
            # The forecast's first row too.
            row = self.env["recurring.invoice.forecast"].search([("recurring_invoice_id", "=", template.id)], limit=1)
            self.assertEqual((row.date, row.period_start, row.period_end), (first, d("2026-01-15"), d("2026-01-31")))
            self.assertAlmostEqual(row.amount_untaxed, by_hand.amount_untaxed)
            # The preview bills it with the line's explanation.
        with freeze_time("2026-01-20"):
            template.action_preview()
            preview = self.env["recurring.invoice.preview"].search([("recurring_invoice_id", "=", template.id)])
            self.assertIn("Prorated: 01/15/2026 to 01/31/2026, 17 of 31 days", base64.b64decode(preview.pdf).decode())
        with freeze_time("2026-03-01"):
            self._cron()
            february, march = template.invoice_ids.sorted("recurring_date")
            self.assertEqual(
                february.invoice_line_ids.name,
                "Hosting 01/15/2026 to 01/31/2026\nProrated: 01/15/2026 to 01/31/2026, 17 of 31 days",
            )
            self.assertEqual(february.invoice_line_ids.price_unit, 54.84)
            self.assertEqual(
                (february.amount_untaxed, february.amount_total), (by_hand.amount_untaxed, by_hand.amount_total)
            )
            # The next ones bill full periods at full price.
            full_price = self._typed_by_hand(100.0, d("2026-03-01"))
            self.assertEqual(march.invoice_line_ids.name, "Hosting 02/01/2026 to 02/28/2026")
            self.assertEqual(march.amount_total, full_price.amount_total)

    def test_the_option_stays_once_invoiced(self):
        with freeze_time("2026-02-01"):
            template = self._mid_month(bill_first_partial_period=True)
            self._cron()
            self.assertEqual(template.invoice_ids.recurring_date, d("2026-02-01"))
            with self.assertRaisesRegex(ValidationError, "billing period stay"), self.env.cr.savepoint():
                template.bill_first_partial_period = False

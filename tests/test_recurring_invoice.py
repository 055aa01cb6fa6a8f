"""Recurring invoices (recurring_invoices): templates, the scheduled action, issue, preview, access.

Each test states what a user sees; totals are checked against an invoice typed by hand, dates
against the calendar, and "exactly once" against the database's unique index.
"""

import base64
import calendar
from datetime import date

import psycopg2
from freezegun import freeze_time

from odoo import Command
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user
from odoo.tools import mute_logger


def d(text):
    return date.fromisoformat(text)


class RecurringInvoiceCase(AccountTestInvoicingCommon):
    # Outside an addon package Odoo's MetaCase cannot guess these; pytest-odoo needs them.
    test_module = "recurring_invoices"
    test_tags = {"standard", "at_install"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tz="UTC"))
        cls.env.company.partner_id.tz = "UTC"
        cls.Template = cls.env["recurring.invoice"]
        cls.issue_type = cls.env.ref("recurring_invoices.mail_activity_type_issue_invoice")
        cls.sale_journal = cls.company_data["default_journal_sale"]
        # The demo templates are dated from the day the database was made: keep them out of the runs.
        cls.Template.sudo().search([]).paused = True

    @classmethod
    def _template_vals(cls, **vals):
        base = {
            "name": "Maintenance",
            "partner_id": cls.partner_a.id,
            "journal_id": cls.sale_journal.id,
            "rrule_type": "monthly",
            "month_by": "date",
            "day": 1,
            "date_start": d("2026-01-01"),
            "end_type": "forever",
            "line_ids": [
                Command.create(
                    {"product_id": cls.product_a.id, "name": "Maintenance", "quantity": 2, "price_unit": 100.0}
                )
            ],
        }
        base.update(vals)
        return base

    @classmethod
    def _template(cls, **vals):
        return cls.Template.create(cls._template_vals(**vals))

    def _cron(self):
        return self.Template._cron_create_invoices()

    def _activities(self, template, active=None):
        domain = [("res_model", "=", "recurring.invoice"), ("res_id", "=", template.id)]
        if active is not None:
            domain.append(("active", "=", active))
        return self.env["mail.activity"].with_context(active_test=False).search(domain, order="recurring_date")


class TestRecurringInvoiceFlow(RecurringInvoiceCase):
    def test_seed_scenario_end_to_end(self):
        """Template, generate the activities, the cron creates the due invoices, issue one from its activity."""
        with freeze_time("2026-03-15"):
            template = self._template(date_start=d("2026-01-01"))
            self.assertEqual(template.next_invoice_date, d("2026-01-01"))
            template.action_generate()
            activities = self._activities(template)
            # From today to the horizon (365 days): 1 April 2026 .. 1 March 2027.
            expected = [d(f"{2026 + (m > 12)}-{(m - 1) % 12 + 1:02d}-01") for m in range(4, 16)]
            self.assertEqual(activities.mapped("recurring_date"), expected)
            self.assertEqual(activities.activity_type_id, self.issue_type)
            self.assertEqual(activities.user_id, template.user_id)
            self.assertEqual(activities.mapped("date_deadline"), expected)
            # Idempotent: a second generation creates nothing.
            template.action_generate()
            self.assertEqual(len(self._activities(template)), 12)

        with freeze_time("2026-04-01"):
            self._cron()
            invoices = template.invoice_ids.sorted("invoice_date")
            self.assertEqual(
                invoices.mapped("invoice_date"), [d("2026-01-01"), d("2026-02-01"), d("2026-03-01"), d("2026-04-01")]
            )
            self.assertEqual(invoices.mapped("recurring_date"), invoices.mapped("invoice_date"))
            self.assertEqual(set(invoices.mapped("state")), {"draft"})
            self.assertEqual(set(invoices.mapped("move_type")), {"out_invoice"})
            self.assertEqual(invoices.partner_id, self.partner_a)
            self.assertEqual(invoices.journal_id, self.sale_journal)
            self.assertEqual(template.invoice_count, 4)
            self.assertEqual(template.last_invoiced_date, d("2026-04-01"))
            self.assertEqual(template.next_invoice_date, d("2026-05-01"))
            # Linked to its activity.
            april = self._activities(template)[0]
            self.assertEqual(april.recurring_invoice_move_id, invoices[-1])

            # One click from the activity: post, mark done (kept), open the send wizard.
            action = april.action_issue_recurring_invoice()
            self.assertEqual(invoices[-1].state, "posted")
            self.assertIn(action["res_model"], ("account.move.send.wizard", "base.document.layout"))
            self.assertFalse(april.active, "the activity is done")
            self.assertTrue(april.exists(), "done activities are kept")
            self.assertEqual(len(template.invoice_ids), 4, "issuing created no second invoice")

            # A second run the same day creates nothing.
            self._cron()
            self.assertEqual(len(template.invoice_ids), 4)

    def test_issue_before_the_cron_creates_and_posts(self):
        with freeze_time("2026-03-15"):
            template = self._template(date_start=d("2026-04-01"))
            template.action_generate()
            april = self._activities(template)[0]
            self.assertFalse(april.recurring_invoice_move_id)
            # Ahead of its date it asks first: the window says how early, then "Issue early".
            confirmation = april.action_issue_recurring_invoice()
            self.assertFalse(template.invoice_ids)
            self.env[confirmation["res_model"]].browse(confirmation["res_id"]).action_issue()
            invoice = template.invoice_ids
            self.assertEqual(len(invoice), 1)
            self.assertEqual(invoice.state, "posted")
            # Issued ahead: dated the day it is issued, never in the future; it bills April's occurrence.
            self.assertEqual(invoice.invoice_date, d("2026-03-15"))
            self.assertEqual(invoice.recurring_date, d("2026-04-01"))
        with freeze_time("2026-04-02"):
            self._cron()
            self.assertEqual(template.invoice_ids, invoice, "the cron does not invoice the issued date again")
            self.assertEqual(template.next_invoice_date, d("2026-05-01"))

    def test_monthly_on_the_31st(self):
        """ "The 31st" is the last day in shorter months, as the calendar says."""
        with freeze_time("2026-07-01"):
            template = self._template(day=31, date_start=d("2026-01-31"))
            self._cron()
            expected = [date(2026, month, calendar.monthrange(2026, month)[1]) for month in range(1, 7)]
            self.assertEqual(template.invoice_ids.sorted("invoice_date").mapped("invoice_date"), expected)
            self.assertEqual(template.next_invoice_date, d("2026-07-31"))

    def test_catch_up_after_missed_days_and_second_run(self):
        with freeze_time("2026-02-03"):
            template = self._template(rrule_type="daily", date_start=d("2026-02-01"))
            self._cron()
            self.assertEqual(len(template.invoice_ids), 3)
        # The scheduled action did not run for a week.
        with freeze_time("2026-02-10"):
            self._cron()
            dates = template.invoice_ids.sorted("invoice_date").mapped("invoice_date")
            self.assertEqual(dates, [date(2026, 2, day) for day in range(1, 11)])
            self._cron()
            self.assertEqual(len(template.invoice_ids), 10, "a second run creates nothing")

    def test_a_long_catch_up_goes_on_in_later_batches(self):
        with freeze_time("2026-03-31"):
            template = self._template(rrule_type="daily", date_start=d("2026-01-01"))
            self.Template._cron_create_invoices(batch_size=1)
            self.assertEqual(len(template.invoice_ids), 90, "1 January to 31 March")
            self.assertEqual(len(set(template.invoice_ids.mapped("recurring_date"))), 90)
            self.assertEqual(template.next_invoice_date, d("2026-04-01"))

    def test_company_time_zone_decides_today(self):
        """At 23:30 UTC on 31 January it is already 1 February in Auckland: that invoice is due."""
        self.env.company.partner_id.tz = "Pacific/Auckland"
        with freeze_time("2026-01-31 23:30:00"):
            template = self._template(date_start=d("2026-02-01"))
            self._cron()
            self.assertEqual(template.invoice_ids.invoice_date, d("2026-02-01"))
        self.env.company.partner_id.tz = "America/New_York"
        with freeze_time("2026-02-28 23:30:00"):
            self._cron()
            self.assertEqual(len(template.invoice_ids), 1, "still 28 February in New York")

    def test_each_company_is_invoiced_in_its_own_books(self):
        other = self.setup_other_company(name="Recurring Other Co")
        other_company = other["company"]
        other_company.partner_id.tz = "UTC"
        with freeze_time("2026-01-01"):
            mine = self._template(name="Mine")
            theirs = self.Template.with_company(other_company).create(
                self._template_vals(
                    name="Theirs",
                    company_id=other_company.id,
                    journal_id=other["default_journal_sale"].id,
                    line_ids=[Command.create({"name": "Service", "price_unit": 40.0})],
                )
            )
            self._cron()
            self.assertEqual(mine.invoice_ids.company_id, self.env.company)
            self.assertEqual(theirs.invoice_ids.company_id, other_company)
            self.assertEqual(theirs.invoice_ids.journal_id, other["default_journal_sale"])
            self.assertEqual(theirs.invoice_ids.amount_untaxed, 40.0)

    def test_the_cron_keeps_open_ended_activities_planned_to_the_horizon(self):
        with freeze_time("2026-01-01"):
            template = self._template()
            template.action_generate()
            self.assertEqual(max(self._activities(template).mapped("recurring_date")), d("2027-01-01"))
        with freeze_time("2026-03-01"):
            self._cron()
            self.assertEqual(max(self._activities(template).mapped("recurring_date")), d("2027-03-01"))
            self.assertEqual(len(self._activities(template)), 15)

    def test_deleted_draft_is_not_recreated(self):
        with freeze_time("2026-02-01"):
            template = self._template(date_start=d("2026-01-01"))
            self._cron()
            january = template.invoice_ids.filtered(lambda m: m.invoice_date == d("2026-01-01"))
            january.unlink()
            self._cron()
            self.assertEqual(template.invoice_ids.mapped("invoice_date"), [d("2026-02-01")])

    def test_paused_and_archived_templates_are_not_invoiced(self):
        with freeze_time("2026-02-01"):
            paused = self._template(name="Paused")
            paused.action_pause()
            archived = self._template(name="Archived")
            archived.action_archive()
            self._cron()
            self.assertFalse(paused.invoice_ids)
            self.assertFalse(archived.invoice_ids)
            paused.action_resume()
            self._cron()
            self.assertEqual(len(paused.invoice_ids), 2)

    def test_post_and_send_options(self):
        with freeze_time("2026-03-01"):
            posted = self._template(name="Posted", invoice_action="post", date_start=d("2026-03-01"))
            sent = self._template(name="Sent", invoice_action="send", date_start=d("2026-03-01"))
            posted.action_generate()
            self._cron()
            self.assertEqual(posted.invoice_ids.state, "posted")
            self.assertEqual(sent.invoice_ids.state, "posted")
            self.assertTrue(sent.invoice_ids.sending_data, "queued for Odoo's sending scheduled action")
            self.assertEqual(sent.invoice_ids.sending_data["sending_methods"], ["email"])
            self.assertFalse(posted.invoice_ids.sending_data)
            # The activity of an invoice posted by the cron is done.
            march = self._activities(posted).filtered(lambda a: a.recurring_date == d("2026-03-01"))
            self.assertFalse(march.active)

    def test_placeholders_in_descriptions(self):
        with freeze_time("2026-02-01"):
            template = self._template(
                date_start=d("2026-01-01"),
                line_ids=[
                    Command.create(
                        {
                            "product_id": self.product_a.id,
                            "name": "Hosting {month}: {period_start} to {period_end} ({year})",
                            "price_unit": 10.0,
                        }
                    )
                ],
            )
            self._cron()
            january = template.invoice_ids.filtered(lambda m: m.invoice_date == d("2026-01-01"))
            self.assertEqual(january.invoice_line_ids.name, "Hosting January 2026: 01/01/2026 to 01/31/2026 (2026)")

    def test_pricelist_prices_at_invoicing(self):
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "Special",
                "currency_id": self.env.company.currency_id.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.product_a.id,
                            "compute_price": "fixed",
                            "fixed_price": 77.0,
                            "date_start": "2026-02-01 00:00:00",
                        }
                    )
                ],
            }
        )
        with freeze_time("2026-02-01"):
            template = self._template(price_mode="pricelist", pricelist_id=pricelist.id)
            fixed = self._template(name="Fixed")
            self._cron()
            by_date = {m.invoice_date: m.invoice_line_ids.price_unit for m in template.invoice_ids}
            # January is before the pricelist rule: the product's sales price; February: the rule.
            self.assertEqual(by_date[d("2026-01-01")], self.product_a.lst_price)
            self.assertEqual(by_date[d("2026-02-01")], 77.0)
            self.assertEqual(set(fixed.invoice_ids.invoice_line_ids.mapped("price_unit")), {100.0})


class TestRecurringInvoiceTotals(RecurringInvoiceCase):
    def _hand_typed_invoice(self, currency, lines):
        return self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.partner_a.id,
                "journal_id": self.sale_journal.id,
                "currency_id": currency.id,
                "invoice_date": d("2026-01-01"),
                "invoice_line_ids": [Command.create(dict(line)) for line in lines],
            }
        )

    def test_totals_equal_an_invoice_typed_by_hand(self):
        """Taxes (excluded and included in price), discount and a foreign currency."""
        other_currency = self.setup_other_currency("EUR", rates=[("2016-01-01", 1.7)])
        tax_21 = self.percent_tax(21.0)
        tax_6_included = self.percent_tax(6.0, price_include_override="tax_included")
        lines = [
            {
                "product_id": self.product_a.id,
                "name": "A",
                "quantity": 3,
                "price_unit": 123.45,
                "discount": 10,
                "tax_ids": [Command.set((tax_21 | self.tax_sale_a).ids)],
            },
            {
                "product_id": self.product_b.id,
                "name": "B",
                "quantity": 1.5,
                "price_unit": 99.99,
                "discount": 0,
                "tax_ids": [Command.set(tax_6_included.ids)],
            },
            {"name": "C", "quantity": 7, "price_unit": 0.33, "discount": 12.5, "tax_ids": [Command.set(tax_21.ids)]},
        ]
        with freeze_time("2026-01-01"):
            template = self._template(currency_id=other_currency.id, line_ids=[Command.create(dict(v)) for v in lines])
            hand = self._hand_typed_invoice(other_currency, lines)
            for field in ("amount_untaxed", "amount_tax", "amount_total"):
                self.assertAlmostEqual(template[field], hand[field], places=2, msg=field)
            self.assertEqual(template.tax_totals["subtotals"], hand.tax_totals["subtotals"])
            self.assertEqual(template.tax_totals["total_amount_currency"], hand.tax_totals["total_amount_currency"])
            # And the invoice the cron creates has those very totals.
            self._cron()
            generated = template.invoice_ids
            self.assertEqual(generated.currency_id, other_currency)
            for field in ("amount_untaxed", "amount_tax", "amount_total", "amount_total_signed"):
                self.assertAlmostEqual(generated[field], hand[field], places=2, msg=field)
            self.assertEqual(generated.invoice_line_ids.mapped("discount"), [10.0, 0.0, 12.5])


class TestRecurringInvoiceSafety(RecurringInvoiceCase):
    def test_unique_index_refuses_a_second_invoice_for_one_occurrence(self):
        with freeze_time("2026-01-01"):
            template = self._template()
            self._cron()
            invoice = template.invoice_ids
            self.assertEqual(len(invoice), 1)
            vals = template._prepare_invoice_vals(d("2026-01-01"))
            with (
                self.assertRaises(psycopg2.errors.UniqueViolation),
                mute_logger("odoo.sql_db"),
                self.env.cr.savepoint(),
            ):
                self.env["account.move"].create(vals)
            # Another date of the same template is fine.
            with self.env.cr.savepoint():
                self.env["account.move"].create(template._prepare_invoice_vals(d("2026-02-01")))

    def test_duplicates_and_credit_notes_do_not_carry_the_occurrence(self):
        with freeze_time("2026-01-01"):
            template = self._template()
            self._cron()
            invoice = template.invoice_ids
            copy = invoice.copy()
            self.assertFalse(copy.recurring_invoice_id)
            self.assertFalse(copy.recurring_date)
            invoice.action_post()
            reversal = (
                self.env["account.move.reversal"]
                .with_context(active_model="account.move", active_ids=invoice.ids)
                .create({"journal_id": invoice.journal_id.id, "date": d("2026-01-01")})
            )
            credit_note = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
            self.assertEqual(credit_note.move_type, "out_refund")
            self.assertFalse(credit_note.recurring_invoice_id)
            self.assertEqual(template.invoice_ids, invoice)

    def test_unique_violation_in_a_batch_counts_as_done(self):
        """An invoice created behind the cron's back (same occurrence) is not duplicated nor reported."""
        with freeze_time("2026-01-01"):
            template = self._template()
            other = self._template(name="Other")
            moves, failures, conflicts = template._create_invoices({template: [d("2026-01-01")]})
            self.assertFalse(failures)
            self.assertFalse(conflicts)
            # The same occurrence again, with another template in the batch: only the other one is created.
            moves, failures, conflicts = self.Template._create_invoices(
                {template: [d("2026-01-01")], other: [d("2026-01-01")]}
            )
            self.assertFalse(failures)
            self.assertEqual(conflicts, template)
            self.assertEqual(moves.recurring_invoice_id, other)
            self.assertEqual(len(template.invoice_ids), 1)

    def test_fault_isolation(self):
        """A template that cannot be invoiced does not stop the others; it is told and retried."""
        # Odoo itself refuses this one when the invoice is created: its "income" account is a payable one.
        closed_account = self.company_data["default_account_payable"]
        bare_product = self._create_product(name="Closed income account", property_account_income_id=closed_account.id)
        with freeze_time("2026-01-01"):
            good = self._template(name="Good")
            archived_customer = self.env["res.partner"].create({"name": "Gone Customer"})
            gone = self._template(name="Gone", partner_id=archived_customer.id)
            no_income = self._template(
                name="Closed income account",
                line_ids=[Command.create({"product_id": bare_product.id, "name": "X", "price_unit": 10.0})],
            )
            also_good = self._template(name="Also good")
            archived_customer.action_archive()

            self._cron()

            self.assertEqual(len(good.invoice_ids), 1)
            self.assertEqual(len(also_good.invoice_ids), 1)
            todo = self.env.ref("mail.mail_activity_data_todo")
            for failing in (gone, no_income):
                self.assertFalse(failing.invoice_ids, failing.name)
                self.assertFalse(failing.last_invoiced_date)
                self.assertEqual(failing.next_invoice_date, d("2026-01-01"), "retried on the next run")
                self.assertIn("retried on the next run", failing.message_ids[0].body)
                warning = failing.activity_ids.filtered(lambda a, t=todo: a.activity_type_id == t)
                self.assertEqual(len(warning), 1)
                self.assertEqual(warning.user_id, failing.user_id)
            self.assertIn("archived", gone.message_ids[0].body)

            # Fixed: the next run invoices it; a second failure adds no second to-do.
            archived_customer.action_unarchive()
            self._cron()
            self.assertEqual(len(gone.invoice_ids), 1)
            self.assertEqual(len(good.invoice_ids), 1)
            self.assertEqual(len(no_income.activity_ids.filtered(lambda a: a.activity_type_id == todo)), 1)

    def test_deleting_or_regenerating_never_deletes_invoices_or_done_activities(self):
        with freeze_time("2026-01-01"):
            template = self._template(date_start=d("2026-01-01"))
            template.action_generate()
            first = self._activities(template)[0]
            first.action_issue_recurring_invoice()
            invoice = template.invoice_ids
            self.assertEqual(invoice.state, "posted")
            template.write({"day": 15})
            template.action_generate()
            self.assertTrue(first.exists())
            self.assertEqual(template.invoice_ids, invoice)
        with freeze_time("2026-02-01"):
            self._cron()
            draft = template.invoice_ids - invoice
            self.assertEqual(draft.invoice_date, d("2026-01-15"))
            template.action_archive()
            self.assertTrue(first.exists())
            template.unlink()
            self.assertTrue(invoice.exists())
            self.assertTrue(draft.exists())
            self.assertFalse(invoice.recurring_invoice_id)

    def test_query_budget_of_the_scheduled_action(self):
        """At most 10 SQL queries per invoice (SPEC P3), batches included."""
        with freeze_time("2026-01-01"):
            templates = self.Template.create([self._template_vals(name=f"T{i}") for i in range(30)])
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self._cron()
            queries = self.env.cr.sql_log_count - before
            invoices = templates.invoice_ids
            self.assertEqual(len(invoices), 30)
            self.assertLessEqual(queries / len(invoices), 10, f"{queries} queries for {len(invoices)} invoices")


class TestRecurringInvoiceInput(RecurringInvoiceCase):
    def test_bad_input(self):
        with self.assertRaisesRegex(ValidationError, "needs a customer"):
            self._template(partner_id=False)
        with self.assertRaisesRegex(ValidationError, "at least one invoice line"):
            self._template(line_ids=[])
        with self.assertRaises(ValidationError):
            self._template(interval=0)
        with self.assertRaisesRegex(ValidationError, "discount"):
            self._template(line_ids=[Command.create({"name": "x", "price_unit": 1, "discount": 150})])
        template = self._template()
        with self.assertRaisesRegex(ValidationError, "at least one invoice line"), self.env.cr.savepoint():
            template.write({"line_ids": [Command.clear()]})
        self.assertEqual(len(template.line_ids), 1, "nothing written")
        with self.assertRaises(ValidationError):
            template.rrule = "FREQ=SECONDLY"

    def test_defaults_follow_the_customer(self):
        company = self.env.company
        self.partner_a.property_payment_term_id = self.pay_terms_b
        template = self._template(line_ids=[Command.create({"product_id": self.product_a.id})])
        self.assertEqual(template.payment_term_id, self.pay_terms_b)
        self.assertEqual(template.currency_id, self.env.company.currency_id)
        self.assertEqual(template.line_ids.tax_ids, self.product_a.taxes_id.filtered(lambda t: t.company_id == company))
        self.assertTrue(template.line_ids.tax_ids)

    def test_make_recurring_from_an_invoice(self):
        invoice = self.init_invoice(
            "out_invoice", invoice_date=d("2026-01-10"), products=self.product_a | self.product_b, post=True
        )
        templates_before = self.Template.search_count([])
        action = invoice.action_make_recurring()
        # A form to review, unsaved: nothing is planned or billed, and Discard leaves nothing.
        self.assertEqual(action["res_model"], "recurring.invoice")
        self.assertNotIn("res_id", action)
        self.assertEqual(self.Template.search_count([]), templates_before)
        self.assertFalse(invoice.recurring_invoice_id)
        form = Form(self.Template.with_context(action["context"]))
        self.assertEqual(form.source_move_id, invoice, "the form says which invoice it is made from")
        self.assertEqual(form.next_invoice_date, d("2026-02-10"), "that invoice is its first occurrence")
        template = form.save()
        self.assertEqual(invoice.recurring_invoice_id, template)
        self.assertEqual(invoice.action_make_recurring()["res_id"], template.id, "made recurring once")
        self.assertEqual(template.partner_id, invoice.partner_id)
        self.assertEqual(template.line_ids.product_id, self.product_a | self.product_b)
        self.assertEqual(template.amount_total, invoice.amount_total)
        self.assertEqual(template.next_invoice_date, d("2026-02-10"))
        self.assertEqual(template.invoice_ids, invoice)
        self.assertEqual(template.action_open_invoices()["res_id"], invoice.id)
        self.assertEqual(invoice.action_open_recurring_invoice()["res_id"], template.id)
        # Not a credit note.
        credit_note = self.init_invoice("out_refund", products=self.product_a)
        with self.assertRaises(UserError):
            credit_note.action_make_recurring()

    def test_add_a_recurring_invoice_from_the_invoice_list(self):
        action = self.env["account.move"].action_new_recurring_invoice()
        self.assertEqual(action["res_model"], "recurring.invoice")
        self.assertEqual(action["views"], [(False, "form")])
        arch = self.env["account.move"].get_view(self.env.ref("account.view_out_invoice_tree").id, "list")["arch"]
        self.assertIn("action_new_recurring_invoice", arch)


class TestRecurringInvoicePreview(RecurringInvoiceCase):
    def test_preview_leaves_no_record_and_consumes_no_number(self):
        with freeze_time("2026-01-20"):
            first = self.init_invoice("out_invoice", invoice_date=d("2026-01-05"), products=self.product_a, post=True)
            template = self._template(date_start=d("2026-01-25"), day=25)
            moves_before = self.env["account.move"].search_count([])
            lines_before = self.env["account.move.line"].search_count([])
            attachments_before = self.env["ir.attachment"].search_count([("res_model", "=", "account.move")])
            action = template.with_context(force_report_rendering=True).action_preview()
            self.assertEqual(self.env["account.move"].search_count([]), moves_before)
            self.assertEqual(self.env["account.move.line"].search_count([]), lines_before)
            self.assertEqual(
                self.env["ir.attachment"].search_count([("res_model", "=", "account.move")]), attachments_before
            )
            preview = self.env["recurring.invoice.preview"].search([("recurring_invoice_id", "=", template.id)])
            self.assertEqual(action["type"], "ir.actions.act_url")
            self.assertIn(f"/web/content/recurring.invoice.preview/{preview.id}/pdf/", action["url"])
            self.assertEqual(preview.invoice_date, d("2026-01-25"))
            self.assertTrue(base64.b64decode(preview.pdf).startswith(b"%PDF"))
            # The next posted invoice takes the number right after the first one.
            second = self.init_invoice("out_invoice", invoice_date=d("2026-01-06"), products=self.product_a, post=True)
            self.assertEqual(second.sequence_number, first.sequence_number + 1)
            self.assertEqual(second.sequence_prefix, first.sequence_prefix)

    def test_preview_of_an_invalid_template_says_why(self):
        template = self._template()
        template.partner_id.action_archive()
        with self.assertRaisesRegex(UserError, "archived"):
            template.action_preview()


class TestRecurringInvoiceForecast(RecurringInvoiceCase):
    def test_forecast_lists_the_upcoming_occurrences_with_amounts(self):
        with freeze_time("2026-03-15"):
            template = self._template(date_start=d("2026-04-01"), end_type="count", count=3)
            rows = self.env["recurring.invoice.forecast"].search([("recurring_invoice_id", "=", template.id)])
            self.assertEqual(rows.mapped("date"), [d("2026-04-01"), d("2026-05-01"), d("2026-06-01")])
            self.assertEqual(set(rows.mapped("amount_total")), {template.amount_total})
            self.assertEqual(set(rows.mapped("amount_untaxed")), {200.0})
            groups = self.env["recurring.invoice.forecast"]._read_group(
                [("recurring_invoice_id", "=", template.id)], ["partner_id"], ["amount_untaxed:sum"]
            )
            self.assertEqual(groups, [(self.partner_a, 600.0)])


class TestRecurringInvoiceAccess(RecurringInvoiceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.billing = new_test_user(
            cls.env, login="rinv_billing", groups="account.group_account_invoice", company_id=company.id
        )
        cls.internal = new_test_user(cls.env, login="rinv_internal", groups="base.group_user", company_id=company.id)
        cls.portal = new_test_user(cls.env, login="rinv_portal", groups="base.group_portal", company_id=company.id)
        cls.other_company = cls.setup_other_company(name="Other Company")["company"]
        cls.other_billing = new_test_user(
            cls.env,
            login="rinv_other",
            groups="account.group_account_invoice",
            company_id=cls.other_company.id,
            company_ids=[Command.set(cls.other_company.ids)],
        )
        cls.template = cls._template()

    def test_billing_user_manages_templates(self):
        Template = self.Template.with_user(self.billing)
        self.assertEqual(Template.search([("id", "=", self.template.id)]), self.template)
        template = Template.create(self._template_vals(name="By billing"))
        template.write({"interval": 2})
        template.action_generate()
        template.unlink()

    def test_internal_users_see_nothing_and_portal_users_nothing_of_another_customer(self):
        with self.assertRaises(AccessError):
            self.Template.with_user(self.internal).search([])
        # A portal user reads their own customer's templates only (tests/test_recurring_invoice_portal.py):
        # this one is another customer's.
        self.assertFalse(self.Template.with_user(self.portal).search([]))
        for user in (self.internal, self.portal):
            with self.assertRaises(AccessError, msg=user.login):
                self.template.with_user(user).read(["name"])
            with self.assertRaises(AccessError, msg=user.login):
                self.env["recurring.invoice.forecast"].with_user(user).search([])

    def test_other_company_sees_nothing(self):
        Template = self.Template.with_user(self.other_billing)
        self.assertFalse(Template.search([("id", "=", self.template.id)]))
        with self.assertRaises(AccessError):
            self.template.with_user(self.other_billing).read(["name"])
        forecast = self.env["recurring.invoice.forecast"].with_user(self.other_billing)
        self.assertFalse(forecast.search([("recurring_invoice_id", "=", self.template.id)]))

"""Recurring vendor bills: built like a bill typed by hand, created exactly once, posted from their activity.

The oracle is Odoo itself: a vendor bill typed in Odoo's own form for the same vendor, product and date.
"""

import ast
import base64

import psycopg2
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user
from odoo.tools import mute_logger

from .test_recurring_invoice import RecurringInvoiceCase, d


class RecurringBillCase(RecurringInvoiceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.purchase_journal = cls.company_data["default_journal_purchase"]
        # A vendor who is also a customer: the bill takes what it has as a vendor.
        cls.vendor = cls.env["res.partner"].create(
            {
                "name": "Office Landlord",
                "property_payment_term_id": cls.pay_terms_a.id,
                "property_supplier_payment_term_id": cls.pay_terms_b.id,
                "property_account_position_id": cls.fiscal_pos_a.id,
            }
        )

    @classmethod
    def _bill_vals(cls, **vals):
        base = {
            "name": "Office rent",
            "move_type": "in_invoice",
            "partner_id": cls.vendor.id,
            "journal_id": cls.purchase_journal.id,
            "ref": "Rent {month}",
            "line_ids": [
                Command.create(
                    {
                        "name": "Rent {month}",
                        "price_unit": 1500.0,
                        "tax_ids": [Command.set(cls.tax_purchase_a.ids)],
                    }
                )
            ],
        }
        base.update(vals)
        return cls._template_vals(**base)

    @classmethod
    def _bill(cls, **vals):
        return cls.Template.create(cls._bill_vals(**vals))


class TestRecurringBillIsABill(RecurringBillCase):
    def test_typed_like_a_bill_it_equals_the_bill_typed_by_hand(self):
        """Same vendor, product and date in Odoo's bill form and in the recurring bill form: same bill."""
        with freeze_time("2026-01-01"):
            with Form(self.Template.with_context(default_move_type="in_invoice")) as form:
                form.name = "Supplies"
                form.partner_id = self.vendor
                with form.line_ids.new() as line:
                    line.product_id = self.product_b
                    line.quantity = 3
            template = form.record
            with Form(self.env["account.move"].with_context(default_move_type="in_invoice")) as bill_form:
                bill_form.partner_id = self.vendor
                bill_form.invoice_date = d("2026-01-01")
                with bill_form.invoice_line_ids.new() as line:
                    line.product_id = self.product_b
                    line.quantity = 3
            hand = bill_form.record

            self.assertEqual(template.journal_id, self.purchase_journal)
            self.assertEqual(template.journal_id, hand.journal_id)
            self.assertEqual(template.payment_term_id, self.pay_terms_b, "the vendor's terms, not the customer's")
            self.assertEqual(template.fiscal_position_id, hand.fiscal_position_id)
            self.assertFalse(template.pricelist_id)
            hand_line = hand.invoice_line_ids
            self.assertEqual(template.line_ids.tax_ids, hand_line.tax_ids)
            self.assertEqual(template.line_ids.tax_ids, self.tax_purchase_b, "purchase taxes, mapped by the vendor's")
            self.assertEqual(template.line_ids.price_unit, hand_line.price_unit)
            self.assertEqual(template.line_ids.price_unit, 160.0, "the cost of the product")
            self.assertEqual(template.line_ids.name, hand_line.name)
            for field in ("amount_untaxed", "amount_tax", "amount_total"):
                self.assertAlmostEqual(template[field], hand[field], places=2, msg=field)

            self._cron()
            bill = template.invoice_ids
            self.assertEqual(bill.move_type, "in_invoice")
            for field in (
                "partner_id",
                "journal_id",
                "invoice_date",
                "invoice_date_due",
                "invoice_payment_term_id",
                "fiscal_position_id",
                "amount_untaxed",
                "amount_tax",
                "amount_total",
                "amount_total_signed",
            ):
                self.assertEqual(bill[field], hand[field], field)
            self.assertEqual(bill.invoice_line_ids.account_id, hand_line.account_id, "the expense account")

    def test_totals_with_purchase_taxes_equal_a_bill_typed_by_hand(self):
        """Purchase tax excluded and included in the price, a discount, and the vendor reference."""
        tax_21 = self.percent_tax(21.0, type_tax_use="purchase")
        tax_6_included = self.percent_tax(6.0, type_tax_use="purchase", price_include_override="tax_included")
        lines = [
            {"name": "Rent {month}", "quantity": 1, "price_unit": 1234.56, "tax_ids": [Command.set(tax_21.ids)]},
            {
                "name": "Service charge",
                "quantity": 2.5,
                "price_unit": 99.99,
                "discount": 10,
                "tax_ids": [Command.set(tax_6_included.ids)],
            },
        ]
        with freeze_time("2026-03-01"):
            template = self._bill(
                date_start=d("2026-03-01"), partner_id=self.partner_a.id, line_ids=[Command.create(v) for v in lines]
            )
            hand = self.env["account.move"].create(
                {
                    "move_type": "in_invoice",
                    "partner_id": self.partner_a.id,
                    "ref": "Rent March 2026",
                    "invoice_date": d("2026-03-01"),
                    "invoice_line_ids": [
                        Command.create(dict(lines[0], name="Rent March 2026")),
                        Command.create(lines[1]),
                    ],
                }
            )
            for field in ("amount_untaxed", "amount_tax", "amount_total"):
                self.assertAlmostEqual(template[field], hand[field], places=2, msg=field)
            self.assertEqual(template.tax_totals["subtotals"], hand.tax_totals["subtotals"])

            self._cron()
            bill = template.invoice_ids
            self.assertEqual(bill.ref, "Rent March 2026")
            self.assertEqual(bill.invoice_line_ids.mapped("name"), ["Rent March 2026", "Service charge"])
            for field in ("amount_untaxed", "amount_tax", "amount_total", "amount_total_signed", "amount_residual"):
                self.assertAlmostEqual(bill[field], hand[field], places=2, msg=field)
            self.assertLess(bill.amount_total_signed, 0, "a bill is money owed")
            bill.action_post()
            self.assertEqual(bill.state, "posted")

    def test_preview_prints_the_bill_and_leaves_nothing(self):
        with freeze_time("2026-01-20"):
            template = self._bill(date_start=d("2026-02-01"))
            moves_before = self.env["account.move"].search_count([])
            template.action_preview()
            self.assertEqual(self.env["account.move"].search_count([]), moves_before)
            preview = self.env["recurring.invoice.preview"].search([("recurring_invoice_id", "=", template.id)])
            self.assertEqual(preview.invoice_date, d("2026-02-01"))
            # Under test, Odoo's report renders its HTML: the bill's own title and the period's text.
            html = base64.b64decode(preview.pdf).decode()
            self.assertIn("Vendor Bill", html)
            self.assertIn("Rent February 2026", html)

    def test_bad_input(self):
        with self.assertRaisesRegex(ValidationError, "needs a vendor"):
            self._bill(partner_id=False)
        with self.assertRaisesRegex(ValidationError, "purchase journal"):
            self._bill(journal_id=self.sale_journal.id)
        with self.assertRaisesRegex(ValidationError, "not sent"):
            self._bill(invoice_action="send")
        with self.assertRaisesRegex(ValidationError, "fixed prices"):
            self._bill(price_mode="pricelist")

    def test_make_recurring_from_a_bill(self):
        bill = self.init_invoice(
            "in_invoice", partner=self.vendor, invoice_date=d("2026-01-10"), products=self.product_a, post=True
        )
        action = bill.action_make_recurring()
        self.assertFalse(bill.recurring_invoice_id, "nothing is saved before the person reviews it")
        form = Form(self.env["recurring.invoice"].with_context(action["context"]))
        self.assertEqual(form.move_type, "in_invoice")
        template = form.save()
        self.assertEqual(bill.recurring_invoice_id, template)
        self.assertEqual(template.move_type, "in_invoice")
        self.assertEqual(template.partner_id, self.vendor)
        self.assertEqual(template.journal_id, bill.journal_id)
        self.assertEqual(template.amount_total, bill.amount_total)
        self.assertEqual(template.next_invoice_date, d("2026-02-10"))
        self.assertEqual(template.action_open_invoices()["res_id"], bill.id)
        # A credit note cannot.
        refund = self.init_invoice("in_refund", partner=self.vendor, products=self.product_a)
        with self.assertRaisesRegex(Exception, "can be made recurring"):
            refund.action_make_recurring()

    def test_add_a_recurring_bill_from_the_bill_list(self):
        action = self.env["account.move"].action_new_recurring_bill()
        self.assertEqual(action["res_model"], "recurring.invoice")
        self.assertEqual(action["views"], [(False, "form")])
        self.assertEqual(action["context"], "{'default_move_type': 'in_invoice'}")
        arch = self.env["account.move"].get_view(self.env.ref("account.view_in_invoice_bill_tree").id, "list")["arch"]
        self.assertIn("action_new_recurring_bill", arch)
        menu = self.env.ref("recurring_invoices.menu_recurring_bill")
        self.assertEqual(menu.parent_id, self.env.ref("account.menu_finance_payables"))
        # The two lists hold one kind each.
        bill = self._bill()
        invoice = self._template()
        for xmlid, expected in (("action_recurring_bill", bill), ("action_recurring_invoice", invoice)):
            domain = self.env.ref(f"recurring_invoices.{xmlid}").domain
            self.assertEqual(
                self.Template.search([*ast.literal_eval(domain), ("id", "in", (bill | invoice).ids)]), expected
            )


class TestRecurringBillExactlyOnce(RecurringBillCase):
    def test_two_runs_and_a_catch_up_create_each_bill_once(self):
        with freeze_time("2026-01-01"):
            template = self._bill()
            # In the same batches as the customer invoices.
            invoice_template = self._template()
            self._cron()
            self._cron()
            self.assertEqual(template.invoice_ids.mapped("recurring_date"), [d("2026-01-01")])
            self.assertEqual(len(invoice_template.invoice_ids), 1)
        # The scheduled action did not run in February and March.
        with freeze_time("2026-04-01"):
            self._cron()
            self._cron()
            bills = template.invoice_ids.sorted("recurring_date")
            expected = [d("2026-01-01"), d("2026-02-01"), d("2026-03-01"), d("2026-04-01")]
            self.assertEqual(bills.mapped("recurring_date"), expected)
            self.assertEqual(bills.mapped("invoice_date"), expected)
            self.assertEqual(
                bills.mapped("ref"), ["Rent January 2026", "Rent February 2026", "Rent March 2026", "Rent April 2026"]
            )
            self.assertEqual(set(bills.mapped("move_type")), {"in_invoice"})
            self.assertEqual(set(invoice_template.invoice_ids.mapped("move_type")), {"out_invoice"})
            self.assertEqual(len(invoice_template.invoice_ids), 4)
            self.assertEqual(template.next_invoice_date, d("2026-05-01"))
            # The database refuses a second bill of one occurrence.
            with (
                self.assertRaises(psycopg2.errors.UniqueViolation),
                mute_logger("odoo.sql_db"),
                self.env.cr.savepoint(),
            ):
                self.env["account.move"].create(template._prepare_invoice_vals(d("2026-03-01")))

    def test_a_failing_bill_does_not_stop_the_others(self):
        with freeze_time("2026-01-01"):
            good = self._bill(name="Good")
            gone_vendor = self.env["res.partner"].create({"name": "Gone Vendor"})
            gone = self._bill(name="Gone", partner_id=gone_vendor.id)
            invoice_template = self._template()
            gone_vendor.action_archive()
            self._cron()
            self.assertEqual(len(good.invoice_ids), 1)
            self.assertEqual(len(invoice_template.invoice_ids), 1)
            self.assertFalse(gone.invoice_ids)
            self.assertIn("archived", gone.message_ids[0].body)
            self.assertEqual(gone.next_invoice_date, d("2026-01-01"), "retried on the next run")


class TestIssueABill(RecurringBillCase):
    def test_issue_from_the_activity_posts_the_bill_and_opens_no_send_window(self):
        with freeze_time("2026-01-01"):
            template = self._bill(date_start=d("2026-01-01"))
            template.action_generate()
            january = self._activities(template)[0]
            self.assertEqual(january.summary, "Issue bill: Office rent")
            self.assertTrue(january.is_recurring_invoice_issue)
            action = january.action_issue_recurring_invoice()
            bill = template.invoice_ids
            self.assertEqual(bill.state, "posted")
            self.assertEqual(bill.move_type, "in_invoice")
            self.assertFalse(january.active, "the activity is done")
            self.assertEqual(action["tag"], "display_notification")
            self.assertEqual(action["params"]["message"], f"{bill.name} is posted.")
            done = template.message_ids.filtered(lambda m: m.mail_activity_type_id == self.issue_type)[:1]
            self.assertIn(f"Vendor Bill {bill.name} issued.", done.body)
            # Every way of marking it done issues; the next one, ahead of its date, once confirmed, is dated today.
            february_activity = self._activities(template, active=True)[0]
            self.assertEqual(february_activity.recurring_invoice_move_type, "in_invoice")
            with self.assertRaisesRegex(UserError, "bill of “Office rent” for 02/01/2026"):
                february_activity.action_done()
            confirmation = february_activity.action_issue_recurring_invoice()
            self.assertEqual(confirmation["name"], "Issue bill")
            self.env[confirmation["res_model"]].browse(confirmation["res_id"]).action_issue()
            february = template.invoice_ids - bill
            self.assertEqual(february.state, "posted")
            self.assertEqual(february.recurring_date, d("2026-02-01"))
            self.assertEqual(february.invoice_date, d("2026-01-01"))
            self.assertEqual(february.ref, "Rent February 2026")
            # "Issue next bill" from the template: March is two periods ahead, refused (issue 27); the
            # scheduled action adds nothing.
            with self.assertRaisesRegex(UserError, "bill of “Office rent” for 03/01/2026 cannot be issued before"):
                template.action_issue_invoice()
            self.assertEqual(len(template.invoice_ids), 2)
            self._cron()
            self.assertEqual(len(template.invoice_ids), 2)

    def test_posted_by_the_scheduled_action(self):
        with freeze_time("2026-01-01"):
            template = self._bill(invoice_action="post")
            template.action_generate()
            self._cron()
            self.assertEqual(template.invoice_ids.state, "posted")
            self.assertFalse(template.invoice_ids.sending_data, "a bill is not queued for sending")
            self.assertFalse(self._activities(template)[0].active)


class TestRecurringBillAccess(RecurringBillCase):
    def test_billing_users_manage_bills_plain_internal_users_see_none(self):
        bill = self._bill()
        billing = new_test_user(self.env, login="rbill_billing", groups="account.group_account_invoice")
        internal = new_test_user(self.env, login="rbill_internal", groups="base.group_user")
        Template = self.Template.with_user(billing)
        self.assertEqual(Template.search([("id", "=", bill.id)]), bill)
        mine = Template.create(self._bill_vals(name="By billing"))
        mine.action_generate()
        with self.assertRaises(AccessError):
            self.Template.with_user(internal).search([("move_type", "=", "in_invoice")])
        with self.assertRaises(AccessError):
            bill.with_user(internal).read(["name"])
        with self.assertRaises(AccessError):
            self.env["recurring.invoice.forecast"].with_user(internal).search([])

"""Browser tests: a recurring invoice and a recurring bill made, previewed, generated and issued in the web client."""

from datetime import date

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.tests import HttpCase


class TestRecurringInvoiceUi(HttpCase):
    # Outside an addon package Odoo's MetaCase cannot guess these; pytest-odoo needs them.
    test_module = "recurring_invoices"
    test_tags = {"standard", "post_install", "is_tour", "-at_install"}

    def test_recurring_invoice_tour(self):
        customer = self.env["res.partner"].create({"name": "Tour Invoice Customer", "email": "tour@example.com"})
        self.start_tour("/odoo", "recurring_invoices_tour", login="admin")
        template = self.env["recurring.invoice"].search([("name", "=", "Tour hosting")])
        self.assertEqual(len(template), 1)
        self.assertEqual(template.partner_id, customer)
        self.assertEqual(template.amount_untaxed, 150.0)
        activities = template.issue_activity_ids
        self.assertTrue(activities, "the activities were generated")
        # The first activity was issued on its date, the next one a month early once confirmed: both posted,
        # their activities done (kept).
        first, second = template.invoice_ids.sorted("recurring_date")
        self.assertEqual((first.state, second.state), ("posted", "posted"))
        self.assertEqual(first.invoice_date, template.date_start)
        self.assertEqual(second.recurring_date, first.recurring_date + relativedelta(months=1))
        self.assertEqual(second.invoice_date, template.date_start, "issued early, dated the day it was issued")
        self.assertEqual(activities.sorted("recurring_date")[:2].mapped("active"), [False, False])
        # The preview left no invoice behind: the only ones are the issued ones.
        self.assertEqual(self.env["account.move"].search_count([("partner_id", "=", customer.id)]), 2)

    def test_my_activities_done_asks_before_issuing_tour(self):
        """Issue 27: My Activities' "Done" opens the confirmation window; Cancel posts nothing, Issue posts once."""
        customer = self.env["res.partner"].create({"name": "Tour Done Customer", "email": "done@example.com"})
        template = self.env["recurring.invoice"].create(
            {
                "name": "Tour Done Customer, monthly support",
                "partner_id": customer.id,
                "user_id": self.env.ref("base.user_admin").id,
                "rrule_type": "monthly",
                "month_by": "date",
                "day": date.today().day,
                "date_start": date.today(),
                "end_type": "count",
                "count": 2,
                "line_ids": [Command.create({"name": "Support", "price_unit": 120.0, "tax_ids": []})],
            }
        )
        template.action_generate()
        self.start_tour("/odoo", "recurring_invoices_my_activities_done_tour", login="admin")
        invoice = template.invoice_ids
        self.assertEqual(len(invoice), 1, "Cancel posted nothing, Issue posted once")
        self.assertEqual((invoice.state, invoice.recurring_date), ("posted", date.today()))
        first, second = template.issue_activity_ids.sorted("recurring_date")
        self.assertEqual((first.active, second.active), (False, True))

    def test_recurring_bill_tour(self):
        vendor = self.env["res.partner"].create({"name": "Tour Landlord"})
        self.start_tour("/odoo", "recurring_bills_tour", login="admin")
        template = self.env["recurring.invoice"].search([("name", "=", "Tour office rent")])
        self.assertEqual(template.move_type, "in_invoice")
        self.assertEqual(template.partner_id, vendor)
        self.assertEqual(template.journal_id.type, "purchase")
        self.assertEqual(template.amount_untaxed, 1200.0)
        # The bill of today was posted from its activity, with the vendor reference of its month.
        bill = template.invoice_ids
        self.assertEqual(len(bill), 1, "the preview left no bill behind")
        self.assertEqual(bill.move_type, "in_invoice")
        self.assertEqual(bill.state, "posted")
        self.assertEqual(bill.invoice_date, template.date_start)
        month = template.date_start.strftime("%B %Y")
        self.assertEqual(bill.ref, f"Rent {month}")
        self.assertEqual(bill.invoice_line_ids.name, f"Office rent {month}")
        self.assertFalse(template.issue_activity_ids.sorted("recurring_date")[0].active)

    def test_recurring_revenue_tour(self):
        """Invoicing > Reporting > Recurring Revenue opens the forecast graph of the next twelve months."""
        customer = self.env["res.partner"].create({"name": "Tour Revenue Customer"})
        # The demo's templates aside: the graph and its sums are this customer's.
        self.env["recurring.invoice"].search([]).action_pause()
        self.env["recurring.invoice"].create(
            {
                "name": "Tour revenue",
                "partner_id": customer.id,
                "rrule_type": "monthly",
                "month_by": "date",
                "day": 1,
                # Twelve dates in the next twelve months, whatever today is.
                "date_start": date.today().replace(day=1) + relativedelta(months=1),
                "end_type": "forever",
                "line_ids": [Command.create({"name": "Hosting", "price_unit": 100.0, "tax_ids": []})],
            }
        )
        self.start_tour("/odoo", "recurring_revenue_tour", login="admin")

    def test_typed_line_tour(self):
        """Issue 27 (5): a description with placeholders, a price, a discount and taxes typed after the product of a
        new line are kept through Tab and Save, in the web client."""
        self.env["res.partner"].create({"name": "Tour Typing Customer"})
        tax = self.env["account.tax"].create({"name": "Tour Typing Tax", "amount": 10.0, "type_tax_use": "sale"})
        product = self.env["product.product"].create(
            {"name": "Tour Typing Product", "list_price": 80.0, "taxes_id": [Command.set(tax.ids)]}
        )
        self.start_tour("/odoo", "recurring_invoices_typed_line_tour", login="admin")
        line = self.env["recurring.invoice"].search([("name", "=", "Tour typed line")]).line_ids
        self.assertEqual(len(line), 1)
        self.assertEqual(line.product_id, product)
        self.assertEqual(line.name, "Support {month}: {period_start} to {period_end}")
        self.assertEqual((line.price_unit, line.discount), (42.0, 10.0))
        self.assertFalse(line.tax_ids)

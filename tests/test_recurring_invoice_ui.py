"""Browser test: a recurring invoice made, previewed, generated and issued in the real web client."""

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
        # The first activity was issued: its invoice is posted and the activity is done (kept).
        invoice = template.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.invoice_date, template.date_start)
        self.assertFalse(activities.sorted("recurring_date")[0].active)
        # The preview left no invoice behind: the only one is the issued one.
        self.assertEqual(self.env["account.move"].search_count([("partner_id", "=", customer.id)]), 1)

"""Demo data reads true (issue 27, point 11): each demo template and recurrence on a customer is named for that
customer, whatever the series calls its demo contacts (res_partner_2 is Deco Addict on 18.0, Acme Corporation
on 19.0)."""

from odoo.tests import TransactionCase

from .common import RecurringTestMixin


class TestDemoData(RecurringTestMixin, TransactionCase):
    def _demo_records(self, model, module):
        data = self.env["ir.model.data"].search([("model", "=", model), ("module", "=", module)])
        return self.env[model].browse(data.mapped("res_id")).exists()

    def test_each_demo_template_is_named_for_its_customer(self):
        templates = self._demo_records("recurring.invoice", "recurring_invoices")
        self.assertGreaterEqual(len(templates), 5, "the suite runs on a database with demo data")
        for template in templates.with_context(active_test=False):
            with self.subTest(template.name):
                self.assertTrue(
                    template.name.startswith(f"{template.partner_id.name}, "),
                    f"“{template.name}” bills {template.partner_id.name}",
                )

    def test_each_demo_recurrence_on_a_customer_is_named_for_it(self):
        recurrences = self._demo_records("recurring.interaction", "recurring_interactions").filtered(
            lambda r: r.target_mode == "record" and r.res_model == "res.partner"
        )
        self.assertGreaterEqual(len(recurrences), 4, "the suite runs on a database with demo data")
        for recurrence in recurrences:
            customer = self.env["res.partner"].browse(recurrence.res_id)
            with self.subTest(recurrence.name):
                self.assertTrue(
                    recurrence.name.startswith(f"{customer.name}, "), f"“{recurrence.name}” is on {customer.name}"
                )

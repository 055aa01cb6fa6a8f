"""What a person types on the template form stays (issue 27, 5 and 6): a description, price, discount or taxes typed on
a new line after its product survive the web client's onchanges, on a new template and on one made from an invoice;
an unsaved template shows what its first invoice bills, never a temporary id.

``odoo.tests.Form`` speaks the web client's onchange protocol; the browser tour of test_recurring_invoice_ui proves
the same in Chromium. The oracle for totals is an invoice typed by hand.
"""

from freezegun import freeze_time

from odoo import Command
from odoo.tests import Form

from .test_recurring_invoice import RecurringInvoiceCase, d

TYPED = "Support {month}: {period_start} to {period_end}"


@freeze_time("2026-01-10")
class TestTypedLinesAreKept(RecurringInvoiceCase):
    def _type_after_product(self, form):
        """A new line: the product first, then what the person types over its values."""
        with form.line_ids.new() as line:
            line.product_id = self.product_a
            self.assertEqual(line.price_unit, self.product_a.lst_price, "the product fills the line first")
            self.assertTrue(line.tax_ids)
            line.name = TYPED
            line.price_unit = 42.0
            line.discount = 10.0
            line.tax_ids.clear()
            line.quantity = 3.0  # another field changed afterwards: the typed values still stay

    def assertTyped(self, line):
        self.assertEqual(line.product_id, self.product_a)
        self.assertEqual((line.name, line.price_unit, line.discount, line.quantity), (TYPED, 42.0, 10.0, 3.0))
        self.assertFalse(line.tax_ids)

    def test_a_new_template_keeps_what_is_typed_after_the_product(self):
        form = Form(self.Template)
        form.name = "Typed"
        form.partner_id = self.partner_a
        self._type_after_product(form)
        form.interval = 2  # a change of the template after the line: an onchange of the whole form
        template = form.save()
        self.assertTyped(template.line_ids)
        # Its totals are those of the same line typed by hand on an invoice.
        by_hand = self.init_invoice("out_invoice", partner=self.partner_a, amounts=[])
        by_hand.write(
            {
                "invoice_line_ids": [
                    Command.create({"name": "x", "quantity": 3, "price_unit": 42.0, "discount": 10.0, "tax_ids": []})
                ]
            }
        )
        self.assertEqual(template.amount_total, by_hand.amount_total)

    def test_an_invoice_made_recurring_keeps_a_new_line_typed(self):
        invoice = self.init_invoice("out_invoice", invoice_date=d("2026-01-10"), products=self.product_b, post=True)
        action = invoice.action_make_recurring()
        form = Form(self.Template.with_context(action["context"]))
        self._type_after_product(form)
        template = form.save()
        kept, added = template.line_ids.sorted("id")
        self.assertEqual((kept.product_id, kept.name), (self.product_b, invoice.invoice_line_ids.name))
        self.assertTyped(added)

    def test_a_line_edited_on_a_saved_template_keeps_what_is_typed(self):
        template = self._template()
        form = Form(template)
        self._type_after_product(form)
        form.save()
        self.assertTyped(template.line_ids.sorted("id")[-1])


@freeze_time("2026-01-10")
class TestNoTemporaryId(RecurringInvoiceCase):
    def test_an_unsaved_template_says_what_its_first_invoice_bills(self):
        form = Form(self.Template)
        self.assertFalse(form.next_issue_summary, "nothing to say before a customer and a line")
        form.name = "Unsaved"
        form.partner_id = self.partner_a
        form.date_start = d("2026-02-01")
        with form.line_ids.new() as line:
            line.name = "Hosting"
            line.price_unit = 100.0
            line.tax_ids.clear()
        self.assertNotIn("NewId", str(form.next_issue_summary))
        # The first date's period, its total, how early (its invoice date is the early-issue rule's).
        summary = form.next_issue_summary
        self.assertTrue(summary.startswith("Period 02/01/2026 to 02/28/2026, invoice date "), summary)
        self.assertIn("100.00", summary)
        self.assertTrue(summary.endswith(": 22 days early"), summary)
        self.assertEqual(form.next_issue_days_early, 22)
        template = form.save()
        self.assertEqual(template.next_issue_summary, form.next_issue_summary, "saved, the same words")

    def test_make_recurring_shows_no_temporary_id(self):
        invoice = self.init_invoice("out_invoice", invoice_date=d("2026-01-10"), products=self.product_a, post=True)
        form = Form(self.Template.with_context(invoice.action_make_recurring()["context"]))
        self.assertNotIn("NewId", str(form.next_issue_summary))
        self.assertTrue(str(form.next_issue_summary).startswith("Period 02/10/2026 to 03/09/2026, invoice date"))
        self.assertNotIn("NewId", str(form.next_issue_days_early))

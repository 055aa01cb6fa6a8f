# Part of recurring_invoices. License LGPL-3.
"""Preview: the PDF of the next invoice, by Odoo's own invoice report, leaving nothing behind.

The invoice is created inside a savepoint, rendered by ``account.account_invoices`` and rolled
back with the savepoint: no invoice, no sequence number, no attachment remain. The PDF bytes are
kept on a transient record (vacuumed by Odoo) that the browser opens through /web/content.
"""

import base64
from urllib.parse import quote

from odoo import fields, models

INVOICE_REPORT = "account.account_invoices"


class RecurringInvoicePreview(models.TransientModel):
    _name = "recurring.invoice.preview"
    _description = "Recurring Invoice Preview"

    recurring_invoice_id = fields.Many2one("recurring.invoice", required=True, ondelete="cascade")
    invoice_date = fields.Date(required=True)
    pdf = fields.Binary(string="PDF", attachment=False, readonly=True)
    pdf_name = fields.Char(string="File Name")


class RecurringInvoice(models.Model):
    _inherit = "recurring.invoice"  # pylint: disable=consider-merging-classes-inherited

    def _render_invoice_preview(self, occurrence_date, invoice_date=None):
        """(content, type) of the invoice of that occurrence, rendered then thrown away."""
        self.ensure_one()
        vals = self._prepare_invoice_vals(occurrence_date, invoice_date=invoice_date)
        # Not linked to the template: the preview must not collide with a real invoice of that date.
        vals.pop("recurring_invoice_id")
        vals.pop("recurring_date")
        # Always rolled back, whatever happens: the invoice, its number and what rendering wrote.
        savepoint = self.env.cr.savepoint()
        try:
            move = self.env["account.move"].with_context(mail_create_nolog=True, tracking_disable=True).create(vals)
            report = self.env["ir.actions.report"].with_context(lang=self.partner_id.lang or self.env.lang)
            content, report_type = report._render_qweb_pdf(INVOICE_REPORT, move.ids)
        finally:
            savepoint.close(rollback=True)
        return content, report_type

    def action_preview(self):
        """Open the PDF of the next invoice in the browser."""
        self.ensure_one()
        self.check_access("read")
        start = max(self.date_start, self._get_today())
        occurrence_date, invoice_date = self._get_next_invoice_occurrence() or (start, start)
        content, report_type = self._render_invoice_preview(occurrence_date, invoice_date)
        extension = "pdf" if report_type == "pdf" else "html"
        filename = f"{self.env._('Preview')} {self.name} {invoice_date}.{extension}".replace("/", "-")
        preview = self.env["recurring.invoice.preview"].create(
            {
                "recurring_invoice_id": self.id,
                "invoice_date": invoice_date,
                "pdf": base64.b64encode(content),
                "pdf_name": filename,
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/recurring.invoice.preview/{preview.id}/pdf/{quote(filename)}",
            "target": "new",
        }

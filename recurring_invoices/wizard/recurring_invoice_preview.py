# Part of recurring_invoices. License LGPL-3.
"""Preview: the PDF of the next invoice, by Odoo's own invoice report, leaving nothing behind.

The invoice is created inside a savepoint, rendered by ``account.account_invoices`` and rolled
back with the savepoint: no invoice, no sequence number, no attachment remain. The PDF bytes are
kept on a transient record (vacuumed by Odoo) that the browser opens through /web/content.
"""

import base64
from urllib.parse import quote

from odoo import fields, models
from odoo.tools import format_date

INVOICE_REPORT = "account.account_invoices"
# The report's value (see report/report_invoice_templates.xml): "as issued on <date>" above the invoice's dates.
PREVIEW_ISSUED_ON = "recurring_preview_issued_on"


class RecurringInvoicePreview(models.TransientModel):
    _name = "recurring.invoice.preview"
    _description = "Recurring Invoice Preview"

    recurring_invoice_id = fields.Many2one("recurring.invoice", required=True, ondelete="cascade")
    invoice_date = fields.Date(required=True)
    pdf = fields.Binary(string="PDF", attachment=False, readonly=True)
    pdf_name = fields.Char(string="File Name")


class RecurringInvoice(models.Model):
    _inherit = "recurring.invoice"  # pylint: disable=consider-merging-classes-inherited

    def _render_invoice_preview(self, occurrence_date, invoice_date=None, issued_on=None):
        """(content, type) of the invoice of that occurrence, rendered then thrown away.

        issued_on: the date it is shown as issued on, when not today (the PDF says so above its dates).
        """
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
            data = {}
            if issued_on:
                lang = report.env.lang
                data[PREVIEW_ISSUED_ON] = report.env._(
                    "Preview, as issued on %s", format_date(report.env, issued_on, lang_code=lang)
                )
            content, report_type = report._render_qweb_pdf(INVOICE_REPORT, move.ids, data=data)
        finally:
            savepoint.close(rollback=True)
        return content, report_type

    def _get_preview_dates(self):
        """(occurrence, invoice date, issued_on) of what Preview shows: the invoice "Issue next invoice" would
        post (the draft waiting, else the next occurrence), on its own date as the scheduled action dates it;
        issued_on is that date when it is still to come (issued now, it would be dated today: the
        confirmation window's Preview shows that one)."""
        self.ensure_one()
        today = self._get_today()
        occurrence = self._get_occurrence_to_issue()
        if not occurrence:
            start = max(self.date_start, today)
            return start, start, start > today and start
        draft = self.env["account.move"].search(
            [("recurring_invoice_id", "=", self.id), ("recurring_date", "=", occurrence)], limit=1
        )
        invoice_date = draft.invoice_date or self._get_working_date(occurrence)
        return occurrence, invoice_date, invoice_date > today and invoice_date

    def action_preview(self):
        """Open the PDF of the next invoice in the browser."""
        self.ensure_one()
        self.check_access("read")
        return self._action_open_preview(*self._get_preview_dates())

    def _action_open_preview(self, occurrence_date, invoice_date, issued_on=False):
        content, report_type = self._render_invoice_preview(occurrence_date, invoice_date, issued_on=issued_on)
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

# Part of recurring_invoices. License LGPL-3.
"""The window a person confirms before an invoice of a template is posted: what it bills, and how early."""

from odoo import api, fields, models

from ..models.recurring_invoice_issue import ISSUE_EARLY


class RecurringInvoiceIssue(models.TransientModel):
    _name = "recurring.invoice.issue"
    _description = "Issue a Recurring Invoice"

    recurring_invoice_id = fields.Many2one("recurring.invoice", required=True, readonly=True, ondelete="cascade")
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="cascade")
    move_type = fields.Selection(related="recurring_invoice_id.move_type")
    invoice_action = fields.Selection(related="recurring_invoice_id.invoice_action")
    partner_id = fields.Many2one(related="recurring_invoice_id.partner_id")
    occurrence_date = fields.Date(required=True, readonly=True)
    period_start = fields.Date(compute="_compute_issue_info")
    period_end = fields.Date(compute="_compute_issue_info")
    invoice_date = fields.Date(compute="_compute_issue_info")
    invoice_date_due = fields.Date(string="Due Date", compute="_compute_issue_info")
    amount_total = fields.Monetary(string="Total", compute="_compute_issue_info", currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", compute="_compute_issue_info")
    days_early = fields.Integer(compute="_compute_issue_info")
    invoice_name = fields.Char(string="Draft", compute="_compute_issue_info")

    @api.depends("recurring_invoice_id", "occurrence_date")
    def _compute_issue_info(self):
        for wizard in self:
            info = wizard.recurring_invoice_id._get_issue_info(wizard.occurrence_date)
            wizard.period_start = info["period_start"]
            wizard.period_end = info["period_end"]
            wizard.invoice_date = info["invoice_date_value"]
            wizard.invoice_date_due = info["due_date_value"]
            wizard.amount_total = info["amount_total"]
            wizard.currency_id = info["currency_id"]
            wizard.days_early = info["days_early"]
            wizard.invoice_name = info["invoice_name"]

    def action_preview(self):
        """The PDF of this invoice, dated as this window says (the invoice posted from it is dated the same)."""
        self.ensure_one()
        return self.recurring_invoice_id._action_open_preview(self.occurrence_date, self.invoice_date)

    def action_issue(self):
        """Issue it, ahead of its date when it is: the person saw how early in this window."""
        self.ensure_one()
        if self.activity_id:
            return self.activity_id.action_issue_recurring_invoice(confirm_early=True)
        return self.recurring_invoice_id.with_context(**{ISSUE_EARLY: True}).action_issue_invoice(self.occurrence_date)

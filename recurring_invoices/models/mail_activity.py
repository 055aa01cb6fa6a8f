# Part of recurring_invoices. License LGPL-3.
""" "Issue invoice" activities: from the activity, one click posts the invoice and opens the send wizard."""

from odoo import fields, models
from odoo.exceptions import UserError


class MailActivity(models.Model):
    _inherit = "mail.activity"

    is_recurring_invoice_issue = fields.Boolean(
        string="Issues a Recurring Invoice",
        compute="_compute_recurring_invoice_move_id",
    )
    recurring_invoice_move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        compute="_compute_recurring_invoice_move_id",
        help="The invoice of this occurrence, once the scheduled action or a user created it.",
    )

    def _compute_recurring_invoice_move_id(self):
        issuing = self.filtered(lambda a: a.res_model == "recurring.invoice" and a.recurring_date)
        moves = self.env["account.move"]
        if issuing:
            moves = moves.search_fetch(
                [
                    ("recurring_invoice_id", "in", list(set(issuing.mapped("res_id")))),
                    ("recurring_date", "in", list(set(issuing.mapped("recurring_date")))),
                ],
                ["recurring_invoice_id", "recurring_date"],
            )
        by_occurrence = {(m.recurring_invoice_id.id, m.recurring_date): m for m in moves}
        for activity in self:
            activity.is_recurring_invoice_issue = activity in issuing
            activity.recurring_invoice_move_id = by_occurrence.get((activity.res_id, activity.recurring_date), False)

    def action_issue_recurring_invoice(self):
        """Issue the invoice of this occurrence (posting it) and open the standard send wizard."""
        self.ensure_one()
        if self.res_model != "recurring.invoice" or not self.recurring_date:
            raise UserError(self.env._("This activity does not belong to a recurring invoice."))
        template = self.env["recurring.invoice"].browse(self.res_id)
        return template.action_issue_invoice(self.recurring_date)

    def action_open_recurring_invoice_move(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.recurring_invoice_move_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

# Part of recurring_invoices. License LGPL-3.
""" "Issue invoice" activities: from the activity, one click posts the invoice (or bill) and opens the send wizard."""

from collections import defaultdict

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

    def _filter_recurring_invoice_issue(self):
        issue_type = self.env.ref("recurring_invoices.mail_activity_type_issue_invoice")
        return self.filtered(
            lambda a: (
                a.active
                and a.activity_type_id == issue_type
                and a.res_model == "recurring.invoice"
                and a.recurring_date
            )
        )

    def _action_done(self, feedback=False, attachment_ids=None):
        """Marking an "Issue invoice" activity done issues its invoice, whichever way it is marked.

        The invoice is created if needed and posted before the activity is closed; when it cannot
        be, the UserError saying why rolls everything back and the activity stays open.
        """
        if self.env.context.get("recurring_invoice_closing_activities"):
            return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        issuing = self._filter_recurring_invoice_issue()
        if not issuing:
            return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        dates_by_template = defaultdict(list)
        for activity in issuing:
            dates_by_template[self.env["recurring.invoice"].browse(activity.res_id)].append(activity.recurring_date)
        invoices = (
            self.env["recurring.invoice"]
            .with_context(recurring_invoice_closing_activities=True)
            ._issue_occurrences(dates_by_template)
        )
        by_occurrence = {(m.recurring_invoice_id.id, m.recurring_date): m for m in invoices}
        Activity = self.with_context(recurring_invoice_closing_activities=True)
        messages, next_activities = self.env["mail.message"], self.env["mail.activity"]
        if self - issuing:
            messages, next_activities = super(MailActivity, Activity.browse((self - issuing).ids))._action_done(
                feedback=feedback, attachment_ids=attachment_ids
            )
        # One message each, naming its invoice (usually a single activity: the one clicked).
        for activity in Activity.browse(issuing.ids):
            invoice = by_occurrence[(activity.res_id, activity.recurring_date)]
            issued = invoice._get_recurring_issued_message()
            done_messages, done_next = super(MailActivity, activity)._action_done(
                feedback=f"{issued}\n{feedback}" if feedback else issued, attachment_ids=attachment_ids
            )
            messages |= done_messages
            next_activities |= done_next
        return messages, next_activities

    def action_issue_recurring_invoice(self, feedback=False):
        """Issue the invoice of this occurrence (marking the activity done) and open the send window."""
        self.ensure_one()
        if not self._filter_recurring_invoice_issue():
            raise UserError(self.env._("This activity is not an open “Issue invoice” of a recurring invoice."))
        template_id, occurrence_date = self.res_id, self.recurring_date
        self.action_feedback(feedback=feedback)
        invoice = self.env["account.move"].search(
            [("recurring_invoice_id", "=", template_id), ("recurring_date", "=", occurrence_date)]
        )
        return invoice._get_recurring_send_action()

    def action_open_recurring_invoice_move(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.recurring_invoice_move_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

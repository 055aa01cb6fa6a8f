# Part of recurring_invoices. License LGPL-3.
""" "Issue invoice" activities: from the activity, one click posts the invoice (or bill) and opens the send wizard."""

from collections import defaultdict

from odoo import fields, models
from odoo.exceptions import UserError

from .recurring_invoice import MOVE_TYPE_SELECTION
from .recurring_invoice_issue import ISSUE_EARLY

# Context key set by the web client's own "Done" buttons of activities (My Activities' list and kanban, the
# activity form): an "Issue invoice" among them opens the confirmation window instead of posting unseen.
# A script's action_done() / action_feedback() does not set it and issues as before.
REVIEW_BEFORE_ISSUE = "recurring_invoice_review"


class MailActivity(models.Model):
    _inherit = "mail.activity"

    is_recurring_invoice_issue = fields.Boolean(
        string="Issues a Recurring Invoice",
        compute="_compute_recurring_invoice_move_id",
    )
    recurring_invoice_move_type = fields.Selection(
        MOVE_TYPE_SELECTION,
        string="Invoice or Bill",
        compute="_compute_recurring_invoice_move_id",
        help="Whether this activity issues a customer invoice or a vendor bill (the client's labels follow it).",
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
        # Whether a bill or an invoice is no secret of the template: read as the system.
        templates = self.env["recurring.invoice"].sudo().browse(set(issuing.mapped("res_id"))).exists()
        move_types = dict(zip(templates.ids, templates.mapped("move_type"), strict=True))
        for activity in self:
            activity.is_recurring_invoice_issue = activity in issuing
            activity.recurring_invoice_move_type = (
                move_types.get(activity.res_id, False) if activity in issuing else False
            )
            activity.recurring_invoice_move_id = by_occurrence.get((activity.res_id, activity.recurring_date), False)

    def _to_store_defaults(self, target):
        # 19.0 sends the client a fixed list of activity fields (18.0 sends them all, and never calls this).
        return [*super()._to_store_defaults(target), "is_recurring_invoice_issue", "recurring_invoice_move_type"]

    def _filter_recurring_invoice_issue(self, done=False):
        """The "Issue invoice" activities of templates among these: open ones, with done=True the done ones,
        with done=None both."""
        issue_type = self.env.ref("recurring_invoices.mail_activity_type_issue_invoice")
        return self.filtered(
            lambda a: (
                (done is None or a.active != done)
                and a.activity_type_id == issue_type
                and a.res_model == "recurring.invoice"
                and a.recurring_date
            )
        )

    def _lock_recurring_invoice_issue(self):
        """Lock the "Issue invoice" activities among these (their templates first, in the scheduled action's
        order) and read them anew: a concurrent "done" of the same activity makes this transaction retry,
        then find it done."""
        issuing = self._filter_recurring_invoice_issue(done=None)
        if not issuing:
            return self
        self.env["recurring.invoice"].browse(set(issuing.mapped("res_id")))._lock_for_issue()
        self.env.cr.execute("SELECT id FROM mail_activity WHERE id = ANY(%s) FOR UPDATE", [issuing.ids])
        self.invalidate_recordset(["active"])
        return self.exists()

    def _action_done(self, feedback=False, attachment_ids=None):
        """Marking an "Issue invoice" activity done issues its invoice, whichever way it is marked.

        The invoice is created if needed and posted before the activity is closed; when it cannot
        be (ahead of its date without confirmation, among others), the UserError saying why rolls
        everything back and the activity stays open. An activity already done is left as it is:
        a second "done" of it, concurrent or late, issues nothing and says nothing.
        """
        if self.env.context.get("recurring_invoice_closing_activities"):
            return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        activities = self._lock_recurring_invoice_issue()
        activities -= activities._filter_recurring_invoice_issue(done=True)
        issuing = activities._filter_recurring_invoice_issue()
        if not issuing:
            if not activities:
                return self.env["mail.message"], self.env["mail.activity"]
            return super(MailActivity, activities)._action_done(feedback=feedback, attachment_ids=attachment_ids)
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
        if activities - issuing:
            messages, next_activities = super(MailActivity, Activity.browse((activities - issuing).ids))._action_done(
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

    def _get_recurring_invoice_review_action(self, from_button=False):
        """The confirmation window when a web client's "Done" button marks an "Issue invoice" activity whose
        invoice is not posted yet (None otherwise): the person sees what it bills before it is posted.

        from_button: the caller is a method only buttons call; else the button's context says so.
        """
        if not (from_button or self.env.context.get(REVIEW_BEFORE_ISSUE)):
            return None
        to_review = self._filter_recurring_invoice_issue().filtered(
            lambda a: a.recurring_invoice_move_id.state != "posted"
        )
        if not to_review:
            return None
        if len(self) > 1:
            raise UserError(
                self.env._(
                    "“Done” on several activities issues no invoice: mark each “Issue invoice” or “Issue bill” "
                    "activity done on its own, to see what it bills before it is posted. Nothing was changed."
                )
            )
        return self.with_context(**{REVIEW_BEFORE_ISSUE: False}).action_review_recurring_invoice()

    def action_done(self):
        """My Activities' "Done" of an "Issue invoice" opens the confirmation window, as its own button does.

        From a script (no review context), it issues at once and ends one click from sending (ahead of
        its date, it is refused: confirming early is for the windows that show how early).
        """
        review = self._get_recurring_invoice_review_action()
        if review:
            return review
        issuing = self._filter_recurring_invoice_issue()
        result = super().action_done()
        if len(self) == 1 and issuing:
            return self._get_recurring_invoice_send_action()
        return result

    def action_done_schedule_next(self):
        # A button's method (18.0's "Done & Schedule Next" of the activity form): the same window first.
        return self._get_recurring_invoice_review_action(from_button=True) or super().action_done_schedule_next()

    def action_done_redirect_to_other(self):
        # A button's method (the "Mark as Done" of an activity whose document the user cannot open).
        return self._get_recurring_invoice_review_action(from_button=True) or super().action_done_redirect_to_other()

    def _get_recurring_invoice_send_action(self):
        self.invalidate_recordset(["recurring_invoice_move_id"])
        return self.recurring_invoice_move_id._get_recurring_send_action()

    def action_issue_recurring_invoice(self, feedback=False, confirm_early=False):
        """Issue the invoice of this occurrence (marking the activity done) and open the send window.

        Ahead of the occurrence's date and not confirmed, it opens the confirmation window instead.
        Done already (a second click, a concurrent call), it issues nothing and opens the same window.
        """
        self.ensure_one()
        activity = self._lock_recurring_invoice_issue()
        if not activity:
            raise UserError(self.env._("This activity was deleted: reload the page."))
        if activity._filter_recurring_invoice_issue(done=True):
            return activity._get_recurring_invoice_send_action()
        if not activity._filter_recurring_invoice_issue():
            raise UserError(self.env._("This activity is not an open “Issue invoice” of a recurring invoice."))
        template = self.env["recurring.invoice"].browse(activity.res_id)
        early = template._is_issued_early(activity.recurring_date, template._get_today())
        if early and not confirm_early and not activity.recurring_invoice_move_id:
            return template._get_issue_confirmation_action(activity.recurring_date, activity)
        activity.with_context(**{ISSUE_EARLY: confirm_early}).action_feedback(feedback=feedback)
        return activity._get_recurring_invoice_send_action()

    def action_review_recurring_invoice(self):
        """The confirmation window of this activity's invoice: what it bills, then "Issue"."""
        self.ensure_one()
        if not self._filter_recurring_invoice_issue():
            raise UserError(self.env._("This activity is not an open “Issue invoice” of a recurring invoice."))
        template = self.env["recurring.invoice"].browse(self.res_id)
        return template._get_issue_confirmation_action(self.recurring_date, self)

    def get_recurring_invoice_issue_info(self):
        """For the "Issue invoice" popover: what issuing this activity's invoice now bills."""
        self.ensure_one()
        if not self._filter_recurring_invoice_issue():
            return False
        template = self.env["recurring.invoice"].browse(self.res_id)
        template.check_access("read")
        try:
            info = template._get_issue_info(self.recurring_date)
        except UserError as error:
            return {"error": error.args[0]}
        keys = ("occurrence", "period", "invoice_date", "due_date", "total", "days_early", "invoice_name")
        values = dict({key: info[key] for key in keys}, invoice_action=template.invoice_action)
        if info["not_before"]:
            # Too far ahead to be issued now, confirmed or not: the popover says until when.
            values["error"] = template._get_too_early_refusal(self.recurring_date, info["not_before"])
        return values

    def action_open_recurring_invoice_move(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.recurring_invoice_move_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

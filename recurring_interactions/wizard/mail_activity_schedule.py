# Part of recurring_interactions. License LGPL-3.
"""“Repeat” in the Schedule Activity dialog: the activity it schedules is the first occurrence of a new recurrence."""

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import clean_context

from ..models.recurring_rule_mixin import RULE_FIELDS, WORKING_DAY_FIELDS


class MailActivitySchedule(models.TransientModel):
    _name = "mail.activity.schedule"
    _inherit = ["mail.activity.schedule", "recurring.rule.mixin"]

    recurring_repeat = fields.Boolean(
        string="Repeat",
        help="Repeat this activity on a rule: it is the first occurrence of a recurrence on this record.",
    )
    recurring_can_repeat = fields.Boolean(compute="_compute_recurring_can_repeat")
    # The rule starts on the activity's due date; a wizard that does not repeat needs no start.
    date_start = fields.Date(compute="_compute_date_start", store=True, required=False, default=None)
    # "For 1 year" counts from the start, so from the due date, which Odoo does not precompute either.
    until = fields.Date(precompute=False)

    @api.depends("date_deadline")
    def _compute_date_start(self):
        for scheduler in self:
            scheduler.date_start = scheduler.date_deadline

    @api.depends("res_model", "res_ids")
    @api.depends_context("uid")
    def _compute_recurring_can_repeat(self):
        for scheduler in self:
            scheduler.recurring_can_repeat = not scheduler._get_repeat_error()

    @api.onchange("recurring_repeat")
    def _onchange_recurring_repeat(self):
        """Checked, the rule is pre-filled from the due date: weekly on its weekday."""
        self.filtered("recurring_repeat")._onchange_rrule_type()

    @api.onchange("date_deadline")
    def _onchange_date_deadline_recurring(self):
        # The start is computed, not typed: the rule's own "follow the start" runs when the due date moves.
        self._onchange_date_start()

    @api.constrains(*RULE_FIELDS, "recurring_repeat")
    def _check_rule(self):
        return super(MailActivitySchedule, self.filtered("recurring_repeat"))._check_rule()

    @api.constrains(*WORKING_DAY_FIELDS, "recurring_repeat")
    def _check_working_days(self):
        return super(MailActivitySchedule, self.filtered("recurring_repeat"))._check_working_days()

    def _get_repeat_error(self):
        """Why this activity cannot repeat, as a translated sentence, or None."""
        self.ensure_one()
        if not self.env.user.has_group("recurring_interactions.group_recurring_user"):
            return self.env._("You are not allowed to create recurrences.")
        if self.is_batch_mode:
            return self.env._(
                "An activity scheduled on several records at once cannot repeat: schedule it on one record."
            )
        target_models = self.env["recurring.interaction"]._get_target_models().mapped("model")
        if not self.res_model or self.res_model not in target_models or len(self._evaluate_res_ids()) != 1:
            return self.env._("Only an activity on a record with a chatter (a customer, an order, …) can repeat.")
        return None

    def _action_schedule_activities(self):
        if not self.recurring_repeat:
            return super()._action_schedule_activities()
        self.ensure_one()
        # Checked before anything is scheduled: a refused rule leaves no activity behind.
        if error := self._get_repeat_error():
            raise UserError(error)
        if not (self.activity_user_id or self.activity_type_id.default_user_id):
            raise ValidationError(
                self.env._("Assign the activity to someone to repeat it: each occurrence is planned for them.")
            )
        self._check_rule()
        self._check_working_days()
        activities = super()._action_schedule_activities()
        recurrence = (
            self.env["recurring.interaction"]
            .with_context(clean_context(self.env.context), recurring_first_activity_id=activities.id)
            .create(self._prepare_recurring_interaction_values(activities))
        )
        recurrence._reconcile_activities()
        return activities

    def _prepare_recurring_interaction_values(self, activity):
        """The recurrence of which `activity`, just scheduled, is the first occurrence; its rule is this one."""
        self.ensure_one()
        return {
            "name": activity.summary or activity.activity_type_id.name,
            "target_mode": "record",
            "res_model_id": activity.res_model_id.id,
            "res_id": activity.res_id,
            "activity_type_id": activity.activity_type_id.id,
            "summary": activity.summary,
            "note": activity.note,
            "user_id": activity.user_id.id,
            **self._convert_to_write(
                {fname: self[fname] for fname in (*RULE_FIELDS, *WORKING_DAY_FIELDS) if fname != "date_start"}
            ),
            "date_start": activity.date_deadline,
        }

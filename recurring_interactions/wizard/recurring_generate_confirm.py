# Part of recurring_interactions. License LGPL-3.
"""The confirmation of "Generate interactions": what a generation would do, said before it is done.

The recurrences are saved (so validated) before this opens; the counts come from a dry run of
the same reconciliation that the generation then applies. Past ``TICK_ABOVE_ACTIVITIES`` new
activities, the person ticks a box first: a filter or a daily rule can flood the activity menus.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

TICK_ABOVE_ACTIVITIES = 100


class RecurringGenerateConfirm(models.TransientModel):
    _name = "recurring.generate.confirm"
    _description = "Confirm the Generation of a Recurrence's Activities"

    res_model = fields.Char(required=True, readonly=True)
    res_ids = fields.Json(required=True, readonly=True)
    message = fields.Text(readonly=True)
    activity_count = fields.Integer(string="New Activities", readonly=True)
    needs_tick = fields.Boolean(compute="_compute_needs_tick")
    confirm_many = fields.Boolean(string="Plan them all")

    @api.depends("activity_count")
    def _compute_needs_tick(self):
        for wizard in self:
            wizard.needs_tick = wizard.activity_count > TICK_ABOVE_ACTIVITIES

    @api.constrains("res_model")
    def _check_res_model(self):
        """Made for the recurrences (the models generating activities from a rule): a caller writing any other
        model here would call its action_generate."""
        generators = self.env.registry.descendants(["recurring.activity.generator"], "_inherit")
        for wizard in self:
            if wizard.res_model not in generators or self.env[wizard.res_model]._abstract:
                raise AccessError(self.env._("Only recurrences generate activities here, not “%s”.", wizard.res_model))

    def _get_records(self):
        self.ensure_one()
        self._check_res_model()
        return self.env[self.res_model].browse(self.res_ids).exists()

    def _check_ticked(self):
        """Many activities need the tick, counted again now: not the count the window was opened with."""
        if self.confirm_many:
            return
        records = self._get_records()
        count = len(records._plan_reconciliation(records._get_today())["create"])
        if count > TICK_ABOVE_ACTIVITIES:
            raise UserError(
                self.env._(
                    "This plans %(count)s new activities: tick “Plan them all” to confirm (asked past %(max)s).",
                    count=count,
                    max=TICK_ABOVE_ACTIVITIES,
                )
            )

    def action_confirm(self):
        self.ensure_one()
        self._check_ticked()
        action = self._get_records().action_generate()
        # Say what was done, then close this window: the form behind it reloads.
        action["params"]["next"] = {"type": "ir.actions.act_window_close"}
        return action

# Part of recurring_interactions. License LGPL-3.
"""The confirmation of "Generate interactions": what a generation would do, said before it is done.

The recurrences are saved (so validated) before this opens; the counts come from a dry run of
the same reconciliation that the generation then applies.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError


class RecurringGenerateConfirm(models.TransientModel):
    _name = "recurring.generate.confirm"
    _description = "Confirm the Generation of a Recurrence's Activities"

    res_model = fields.Char(required=True, readonly=True)
    res_ids = fields.Json(required=True, readonly=True)
    message = fields.Text(readonly=True)

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

    def action_confirm(self):
        self.ensure_one()
        action = self._get_records().action_generate()
        # Say what was done, then close this window: the form behind it reloads.
        action["params"]["next"] = {"type": "ir.actions.act_window_close"}
        return action

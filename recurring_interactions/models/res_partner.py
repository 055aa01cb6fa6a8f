# Part of recurring_interactions. License LGPL-3.
from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    recurring_interaction_count = fields.Integer(
        string="Recurrences",
        compute="_compute_recurring_interaction_count",
        groups="recurring_interactions.group_recurring_user",
    )

    def _compute_recurring_interaction_count(self):
        counts = dict(
            self.env["recurring.interaction"]._read_group(
                [("partner_id", "in", self.ids)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.recurring_interaction_count = counts.get(partner, 0)

    def action_open_recurring_interactions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("recurring_interactions.action_recurring_interaction")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {
            "default_res_model_id": self.env["ir.model"]._get_id("res.partner"),
            "default_res_id": self.id,
        }
        return action

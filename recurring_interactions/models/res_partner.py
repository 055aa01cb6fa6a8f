# Part of recurring_interactions. License LGPL-3.
from collections import Counter

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    recurring_interaction_count = fields.Integer(
        string="Recurrences",
        compute="_compute_recurring_interaction_count",
        groups="recurring_interactions.group_recurring_user",
    )

    def _compute_recurring_interaction_count(self):
        # The customer of a recurrence is computed for its reader: counted here, not grouped in SQL.
        recurrences = self.env["recurring.interaction"].search([("partner_id", "in", self.ids)])
        counts = Counter(recurrence.partner_id for recurrence in recurrences)
        for partner in self:
            partner.recurring_interaction_count = counts.get(partner, 0)

    def action_open_recurring_interactions(self):
        self.ensure_one()
        self.env["recurring.interaction"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("recurring_interactions.action_recurring_interaction")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {
            "default_res_model_id": self.env["ir.model"]._get_id("res.partner"),
            "default_res_id": self.id,
        }
        return action

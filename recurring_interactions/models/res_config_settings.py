# Part of recurring_interactions. License LGPL-3.
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    recurring_horizon_days = fields.Integer(
        string="Generation Horizon (days)",
        config_parameter="recurring_interactions.horizon_days",
        default=365,
        help="Recurrences that never end are generated this many days ahead; "
        "the daily scheduled action keeps moving the horizon forward.",
    )

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
    recurring_use_queue_job = fields.Boolean(
        string="Spread Over Job Workers",
        config_parameter="recurring_interactions.use_queue_job",
        help="The daily scheduled actions split the due invoices and activities into jobs (OCA Job Queue), "
        "which every worker of every server runs in parallel.",
    )
    # A default, not a compute: the settings form reads it with the other defaults of a new record.
    recurring_queue_job_installed = fields.Boolean(default=lambda self: "queue.job" in self.env, readonly=True)

# Part of recurring_invoices. License LGPL-3.
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    recurring_invoice_periods_ahead = fields.Integer(
        related="company_id.recurring_invoice_periods_ahead", readonly=False
    )

# Part of recurring_invoices. License LGPL-3.
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    recurring_invoice_periods_ahead = fields.Integer(
        string="Bill at Most N Periods Ahead",
        default=1,
        help="How far ahead of its date a person may issue a recurring invoice or bill: the occurrences up to "
        "this many after the one today falls in (1: the next period; 0: none before its date). "
        "The scheduled action never bills ahead.",
    )

    @api.constrains("recurring_invoice_periods_ahead")
    def _check_recurring_invoice_periods_ahead(self):
        for company in self:
            if not 0 <= company.recurring_invoice_periods_ahead <= 120:
                raise ValidationError(
                    self.env._("Bill at most N periods ahead: N is a number of periods from 0 to 120.")
                )

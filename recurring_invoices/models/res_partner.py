# Part of recurring_invoices. License LGPL-3.
"""The customer's recurring revenue, on its form's smart button."""

from collections import defaultdict

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    recurring_invoice_count = fields.Integer(
        string="Recurring Invoices",
        compute="_compute_recurring_monthly",
        groups="account.group_account_invoice",
    )
    recurring_monthly = fields.Monetary(
        string="Monthly Recurring Revenue",
        currency_field="currency_id",
        compute="_compute_recurring_monthly",
        groups="account.group_account_invoice",
        help="What the recurring invoices of this customer and its contacts bring per month, untaxed, in the "
        "current company's currency; vendor bills are costs and do not count.",
    )

    def _compute_recurring_monthly(self):
        # One figure per currency: the current company's templates only. Contacts count for their company.
        groups = self.env["recurring.invoice"]._read_group(
            [
                ("partner_id", "child_of", self.ids),
                ("move_type", "=", "out_invoice"),
                ("company_id", "=", self.env.company.id),
            ],
            ["partner_id"],
            ["__count", "recurring_monthly:sum"],
        )
        # Each customer counts for itself and for the companies above it.
        totals = defaultdict(lambda: [0, 0.0])
        for customer, count, monthly in groups:
            while customer:
                totals[customer.id][0] += count
                totals[customer.id][1] += monthly
                customer = customer.parent_id
        for partner in self:
            partner.recurring_invoice_count, partner.recurring_monthly = totals[partner._origin.id]

    def action_open_recurring_invoices(self):
        self.ensure_one()
        self.env["recurring.invoice"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("recurring_invoices.action_recurring_invoice")
        action["domain"] = [("move_type", "=", "out_invoice"), ("partner_id", "child_of", self.id)]
        action["context"] = {"default_move_type": "out_invoice", "default_partner_id": self.id}
        return action

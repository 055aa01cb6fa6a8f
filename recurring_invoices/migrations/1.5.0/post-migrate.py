# Part of recurring_invoices. License LGPL-3.
"""1.5.0: a bill is a cost. Its revenue figures, stored as revenue before, are recomputed to zero and its cost
figures (new columns, which Odoo computes on their creation) are recomputed alongside, archived templates included."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    bills = env["recurring.invoice"].with_context(active_test=False).search([("move_type", "=", "in_invoice")])
    bills._recompute_recurring_figures()

# Part of recurring_invoices. License LGPL-3.
"""Forecast: the upcoming occurrences of the templates a user sees, with their amounts.

Dates come from the rule engine, not from SQL, so the model's table is a query built on the
fly from the expanded rules (``_table_query``): graph, pivot, list and calendar views read it
like any report. Each row is one occurrence not yet invoiced, within the forecast horizon and the
end of its rule, with the period it bills, and its amounts both in the template's currency and
in its company's at today's rate (what a graph over several currencies adds up). The untaxed
amount in the company's currency is also split into revenue (customer invoices) and cost (vendor
bills), so that a graph, pivot or total never adds one to the other.
"""

from dateutil.relativedelta import relativedelta

from odoo import fields, models
from odoo.addons.recurring_interactions.models.working_schedule import WorkingSchedules
from odoo.tools import SQL

from ..models.recurring_invoice import MOVE_TYPE_SELECTION

FORECAST_MONTHS = 12
# Row ids: template id * ROW_FACTOR + rank of the occurrence (a forecast has fewer rows per template).
ROW_FACTOR = 100000

COLUMNS = [
    ("id", "int4"),
    ("recurring_invoice_id", "int4"),
    ("partner_id", "int4"),
    ("user_id", "int4"),
    ("company_id", "int4"),
    ("currency_id", "int4"),
    ("company_currency_id", "int4"),
    ("move_type", "varchar"),
    ("date", "date"),
    ("period_start", "date"),
    ("period_end", "date"),
    ("amount_untaxed", "numeric"),
    ("amount_total", "numeric"),
    ("amount_untaxed_company", "numeric"),
    ("amount_total_company", "numeric"),
    ("revenue_untaxed", "numeric"),
    ("cost_untaxed", "numeric"),
]


class RecurringInvoiceForecast(models.Model):
    _name = "recurring.invoice.forecast"
    _description = "Recurring Invoice Forecast"
    _auto = False
    _order = "date, recurring_invoice_id"
    _rec_name = "recurring_invoice_id"

    recurring_invoice_id = fields.Many2one("recurring.invoice", readonly=True)
    partner_id = fields.Many2one("res.partner", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    company_currency_id = fields.Many2one("res.currency", readonly=True)
    move_type = fields.Selection(MOVE_TYPE_SELECTION, string="Type", readonly=True)
    date = fields.Date(string="Invoice Date", readonly=True)
    period_start = fields.Date(readonly=True)
    period_end = fields.Date(readonly=True)
    amount_untaxed = fields.Monetary(string="Untaxed Amount in Currency", readonly=True)
    amount_total = fields.Monetary(string="Total in Currency", readonly=True)
    # What the graph and the pivot add up: every template's amounts in its company's currency, at today's rate.
    amount_untaxed_company = fields.Monetary(
        string="Untaxed Amount", currency_field="company_currency_id", readonly=True
    )
    amount_total_company = fields.Monetary(string="Total", currency_field="company_currency_id", readonly=True)
    revenue_untaxed = fields.Monetary(
        string="Revenue",
        currency_field="company_currency_id",
        readonly=True,
        help="Untaxed amount of a customer invoice in the company's currency; zero on a bill.",
    )
    cost_untaxed = fields.Monetary(
        string="Cost",
        currency_field="company_currency_id",
        readonly=True,
        help="Untaxed amount of a vendor bill in the company's currency; zero on a customer invoice.",
    )

    def _get_forecast_rows(self):
        templates = self.env["recurring.invoice"].search([("paused", "=", False), ("next_invoice_date", "!=", False)])
        if not templates:
            return []
        today = templates._get_today()
        horizon = today + relativedelta(months=FORECAST_MONTHS)
        # From each template's next invoice date; the non-working days are read once for them all.
        occurrences, schedules = {}, WorkingSchedules()
        for next_date, group in sorted(templates.grouped("next_invoice_date").items()):
            occurrences.update(group._get_occurrence_pairs(next_date, horizon, schedules))
        # Occurrences already issued ahead of their date are no longer to come (by nominal date, their identity).
        nominal = [day for pairs in occurrences.values() for day, _invoice_date in pairs]
        issued = templates._get_existing_occurrences(min(nominal), max(nominal)) if nominal else set()
        rates = templates._get_company_currency_rates()
        rows = []
        for template in templates:
            pairs = [
                (day, invoice_date) for day, invoice_date in occurrences[template] if (template.id, day) not in issued
            ]
            pairs = pairs[: ROW_FACTOR - 1]
            # The period billed is the nominal occurrence's; the row is dated on its invoice date.
            periods = template._get_periods([day for day, _invoice_date in pairs])
            company_currency = template.company_id.currency_id
            is_bill = template.move_type == "in_invoice"
            # A first partial period is billed prorated: its own amounts (prorata is read only when it can be).
            partial = template._get_first_partial_period()
            for rank, (day, occurrence) in enumerate(pairs, start=1):
                untaxed, total = template.amount_untaxed, template.amount_total
                if partial and partial[1] == day:
                    totals = template._get_tax_totals(day)
                    untaxed, total = totals["base_amount_currency"], totals["total_amount_currency"]
                untaxed_company = company_currency.round(untaxed * rates[template])
                total_company = company_currency.round(total * rates[template])
                rows.append(
                    (
                        template.id * ROW_FACTOR + rank,
                        template.id,
                        template.partner_id.id or None,
                        template.user_id.id or None,
                        template.company_id.id,
                        template.currency_id.id,
                        company_currency.id,
                        template.move_type,
                        occurrence,
                        *periods[day],
                        untaxed,
                        total,
                        untaxed_company,
                        total_company,
                        0.0 if is_bill else untaxed_company,
                        untaxed_company if is_bill else 0.0,
                    )
                )
        return rows

    @property
    def _table_query(self):
        rows = self._get_forecast_rows()
        columns = SQL(", ").join(SQL("v.%s::%s", SQL.identifier(name), SQL(kind)) for name, kind in COLUMNS)
        names = SQL(", ").join(SQL.identifier(name) for name, _kind in COLUMNS)
        if not rows:
            empty = SQL(", ").join(SQL("NULL") for _column in COLUMNS)
            return SQL("SELECT %s FROM (VALUES (%s)) AS v(%s) WHERE FALSE", columns, empty, names)
        values = SQL(", ").join(SQL("(%s)", SQL(", ").join(SQL("%s", value) for value in row)) for row in rows)
        return SQL("SELECT %s FROM (VALUES %s) AS v(%s)", columns, values, names)

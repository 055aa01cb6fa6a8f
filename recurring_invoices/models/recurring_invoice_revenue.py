# Part of recurring_invoices. License LGPL-3.
"""Recurring revenue: what a template is worth per month and per year, in its company's currency.

The untaxed amount of one invoice, times the rule's average dates a year, over twelve months,
converted at today's rate. A customer invoice counts as revenue, a vendor bill as a cost: one
figure per template, which the views never add across the two (each list, the forecast and the
customer's button are of one type). Stored, so that lists sum them and group them by customer,
salesperson or product in SQL; what time alone changes (today's rate, a rule that ended) is
refreshed by the daily scheduled action.
"""

from odoo import api, fields, models
from odoo.addons.recurring_interactions.models.recurring_rule_mixin import DAY_FIELDS

# Dates a year of a rule repeating every 1 day, week, month or year, as one counts them by hand.
DATES_PER_YEAR = {"daily": 365, "weekly": 52, "monthly": 12, "yearly": 1}
REVENUE_DEPENDS = (
    "amount_untaxed",
    "currency_id",
    "company_id",
    "rrule_type",
    "interval",
    *DAY_FIELDS,
    "active",
    "paused",
    "state",
    "final_invoice_date",
)


class RecurringInvoice(models.Model):
    _inherit = "recurring.invoice"  # pylint: disable=consider-merging-classes-inherited

    recurring_monthly = fields.Monetary(
        string="Monthly Recurring",
        currency_field="company_currency_id",
        compute="_compute_recurring_revenue",
        store=True,
        help="The untaxed amount of one invoice brought to one month (a quarterly 300 is 100 a month), in the "
        "company's currency at today's rate: revenue for an invoice, a cost for a bill. Zero when paused, "
        "ended or archived.",
    )
    recurring_yearly = fields.Monetary(
        string="Yearly Recurring",
        currency_field="company_currency_id",
        compute="_compute_recurring_revenue",
        store=True,
        help="Twelve times the monthly recurring amount.",
    )
    recurring_revenue_note = fields.Char(
        compute="_compute_recurring_revenue_note",
        help="Why the recurring amounts may not be what one expects (a currency without exchange rate).",
    )
    product_ids = fields.Many2many(
        "product.product",
        string="Products",
        compute="_compute_product_ids",
        store=True,
        help="Products of the lines: grouped by product, a template counts in the group of each of its products.",
    )

    @api.depends("line_ids.product_id")
    def _compute_product_ids(self):
        for template in self:
            template.product_ids = template.line_ids.product_id

    def _get_dates_per_year(self):
        """Average number of dates a year of the rule: 52 / 2 every two weeks, 52 x 2 on Mondays and
        Thursdays, 12 for a monthly rule on a date or on the n-th weekday; 0 for a rule that cannot hold."""
        self.ensure_one()
        if self.rrule_type not in DATES_PER_YEAR or self.interval < 1:
            return 0
        per_year = DATES_PER_YEAR[self.rrule_type] / self.interval
        if self.rrule_type == "weekly":
            per_year *= len(self._get_week_day_codes())
        return per_year

    def _is_recurring_revenue_stopped(self, today):
        """Paused, archived, or no date left: a rule whose end has passed counts nothing, even before the
        scheduled action has invoiced its last dates."""
        self.ensure_one()
        return (
            not self.active
            or self.paused
            or self.state == "ended"
            or bool(self.final_invoice_date and self.final_invoice_date < today)
        )

    def _get_company_currency_rates(self):
        """{template: today's rate from its currency to its company's}, read once per currency and company."""
        todays, rates, result = {}, {}, {}
        for template in self:
            company = template.company_id or self.env.company
            currency = template.currency_id or company.currency_id
            if company not in todays:
                todays[company] = self._get_today(company)
            if (currency, company) not in rates:
                rates[currency, company] = self.env["res.currency"]._get_conversion_rate(
                    currency, company.currency_id, company, todays[company]
                )
            result[template] = rates[currency, company]
        return result

    @api.depends(*REVENUE_DEPENDS)
    def _compute_recurring_revenue(self):
        rates = self._get_company_currency_rates()
        todays = {}
        for template in self:
            company = template.company_id or self.env.company
            if company not in todays:
                todays[company] = self._get_today(company)
            monthly = 0.0
            if not template._is_recurring_revenue_stopped(todays[company]):
                monthly = template.amount_untaxed * template._get_dates_per_year() / 12 * rates[template]
            template.recurring_monthly = company.currency_id.round(monthly)
            template.recurring_yearly = company.currency_id.round(monthly * 12)

    @api.depends("currency_id", "company_id")
    def _compute_recurring_revenue_note(self):
        # Odoo converts a currency that has no rate at 1: said here rather than refused.
        foreign = self.filtered(lambda t: t.currency_id and t.currency_id != t.company_id.currency_id)
        with_rate = set()
        if foreign:
            with_rate = {
                (currency, company)
                for currency, company in self.env["res.currency.rate"]
                .sudo()
                ._read_group(
                    [
                        ("currency_id", "in", foreign.currency_id.ids),
                        ("company_id", "in", [False, *foreign.company_id.root_id.ids]),
                    ],
                    ["currency_id", "company_id"],
                )
            }
        for template in self:
            template.recurring_revenue_note = False
            if template not in foreign:
                continue
            root = template.company_id.root_id
            if {(template.currency_id, root), (template.currency_id, root.browse())} & with_rate:
                continue
            template.recurring_revenue_note = self.env._(
                "%(currency)s has no exchange rate: its amounts count at 1 %(currency)s = 1 %(company_currency)s "
                "until one is set (Accounting > Configuration > Currencies).",
                currency=template.currency_id.name,
                company_currency=template.company_id.currency_id.name,
            )

    @api.model
    def _cron_refresh_recurring_revenue(self):
        """Recompute what time alone changes, in one write: today's rate of the templates in another
        currency, and the templates whose rule ended since the figures were computed."""
        templates = self.search(["|", ("recurring_monthly", "!=", 0), ("recurring_yearly", "!=", 0)])
        todays = {company: self._get_today(company) for company in templates.company_id}
        stale = templates.filtered(
            lambda t: t.currency_id != t.company_id.currency_id or t._is_recurring_revenue_stopped(todays[t.company_id])
        )
        self.env.add_to_compute(self._fields["recurring_monthly"], stale)
        self.env.add_to_compute(self._fields["recurring_yearly"], stale)
        stale.flush_recordset(["recurring_monthly", "recurring_yearly"])
        return stale

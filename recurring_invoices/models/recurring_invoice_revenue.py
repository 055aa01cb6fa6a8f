# Part of recurring_invoices. License LGPL-3.
"""Recurring revenue and costs: what a template is worth per month and per year, in its company's currency.

The untaxed amount of one invoice, times the rule's average dates a year, over twelve months,
converted at today's rate. A customer invoice counts as revenue (``recurring_monthly``,
``recurring_yearly``), a vendor bill as a cost (``cost_monthly``, ``cost_yearly``): each template
fills one pair and leaves the other at zero, so that no list, pivot or total that mixes both types
(the activity menu opens them mixed) adds a cost to the revenue. Stored, so that lists sum them and
group them by customer, salesperson or product in SQL; what time alone changes (today's rate, a
rule that ended) is refreshed by the daily scheduled action.

A rule that ends within a year also says what is left to bill until its end: a yearly figure alone
reads as twelve more invoices when one is left.
"""

from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.addons.recurring_interactions.models.recurring_rule_mixin import DAY_FIELDS
from odoo.addons.recurring_interactions.models.working_schedule import WorkingSchedules
from odoo.tools import format_date

# Dates a year of a rule repeating every 1 day, week, month or year, as one counts them by hand.
DATES_PER_YEAR = {"daily": 365, "weekly": 52, "monthly": 12, "yearly": 1}
REVENUE_DEPENDS = (
    "move_type",
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
        string="Monthly Revenue",
        currency_field="company_currency_id",
        compute="_compute_recurring_revenue",
        store=True,
        help="The untaxed amount of one invoice brought to one month (a quarterly 300 is 100 a month), in the "
        "company's currency at today's rate. Customer invoices only: zero on a bill (see its monthly cost), "
        "and when paused, ended or archived.",
    )
    recurring_yearly = fields.Monetary(
        string="Yearly Revenue",
        currency_field="company_currency_id",
        compute="_compute_recurring_revenue",
        store=True,
        help="Twelve times the monthly revenue; zero on a bill.",
    )
    cost_monthly = fields.Monetary(
        string="Monthly Cost",
        currency_field="company_currency_id",
        compute="_compute_recurring_revenue",
        store=True,
        help="The untaxed amount of one bill brought to one month, in the company's currency at today's rate. "
        "Vendor bills only: zero on a customer invoice, and when paused, ended or archived.",
    )
    cost_yearly = fields.Monetary(
        string="Yearly Cost",
        currency_field="company_currency_id",
        compute="_compute_recurring_revenue",
        store=True,
        help="Twelve times the monthly cost; zero on a customer invoice.",
    )
    amount_left_to_bill = fields.Monetary(
        string="Left to Bill",
        currency_field="company_currency_id",
        compute="_compute_left_to_bill",
        help="A rule that ends within a year: the untaxed amount of the invoices (or bills) still to come until "
        "its end, in the company's currency at today's rate.",
    )
    left_to_bill_count = fields.Integer(
        string="Invoices Left",
        compute="_compute_left_to_bill",
        help="A rule that ends within a year: how many invoices (or bills) are still to come until its end.",
    )
    left_to_bill_note = fields.Char(
        string="Left to Bill Until",
        compute="_compute_left_to_bill",
        help="How many invoices (or bills) are left to bill, until which date.",
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
            monthly, yearly = company.currency_id.round(monthly), company.currency_id.round(monthly * 12)
            # One pair per type, the other at zero: a bill is a cost, never revenue.
            is_bill = template.move_type == "in_invoice"
            template.recurring_monthly, template.recurring_yearly = (0.0, 0.0) if is_bill else (monthly, yearly)
            template.cost_monthly, template.cost_yearly = (monthly, yearly) if is_bill else (0.0, 0.0)

    @api.depends(*REVENUE_DEPENDS, "last_invoiced_date", "invoice_ids.recurring_date")
    def _compute_left_to_bill(self):
        """The dates still to invoice until the end of a rule that ends within a year, times one invoice."""
        ending = self.filtered(lambda t: t.final_invoice_date and t.state == "running" and t.active)
        invoiced = defaultdict(set)
        if ending._origin.ids:
            for template, dates in self.env["account.move"]._read_group(
                [("recurring_invoice_id", "in", ending._origin.ids)],
                ["recurring_invoice_id"],
                ["recurring_date:array_agg"],
            ):
                invoiced[template.id].update(dates)
        rates = ending._get_company_currency_rates()
        schedules = WorkingSchedules()
        for template in self:
            template.amount_left_to_bill, template.left_to_bill_count, template.left_to_bill_note = 0.0, 0, False
            if template not in ending:
                continue
            company = template.company_id or self.env.company
            if template.final_invoice_date > self._get_today(company) + relativedelta(years=1):
                continue
            count = 0
            for nominal, invoice_date in template._iter_occurrences(template._get_first_uninvoiced_date(), schedules):
                if invoice_date > template.final_invoice_date:
                    break
                count += nominal not in invoiced[template._origin.id]
            template.left_to_bill_count = count
            template.amount_left_to_bill = company.currency_id.round(count * template.amount_untaxed * rates[template])
            template.left_to_bill_note = template._get_left_to_bill_note(count)

    def _get_left_to_bill_note(self, count):
        """ "in 1 bill, until 30 Apr 2027", "in 3 invoices, until ..." """
        self.ensure_one()
        until = format_date(self.env, self.final_invoice_date)
        if self.move_type == "in_invoice":
            if count == 1:
                return self.env._("in 1 bill, until %(date)s", date=until)
            return self.env._("in %(count)s bills, until %(date)s", count=count, date=until)
        if count == 1:
            return self.env._("in 1 invoice, until %(date)s", date=until)
        return self.env._("in %(count)s invoices, until %(date)s", count=count, date=until)

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
        templates = self.search(
            [
                "|",
                "|",
                ("recurring_monthly", "!=", 0),
                ("recurring_yearly", "!=", 0),
                "|",
                ("cost_monthly", "!=", 0),
                ("cost_yearly", "!=", 0),
            ]
        )
        todays = {company: self._get_today(company) for company in templates.company_id}
        stale = templates.filtered(
            lambda t: t.currency_id != t.company_id.currency_id or t._is_recurring_revenue_stopped(todays[t.company_id])
        )
        stale._recompute_recurring_figures()
        return stale

    def _recompute_recurring_figures(self):
        """Recompute and store the revenue and cost figures of these templates (the daily run, an upgrade)."""
        names = ["recurring_monthly", "recurring_yearly", "cost_monthly", "cost_yearly"]
        for name in names:
            self.env.add_to_compute(self._fields[name], self)
        self.flush_recordset(names)

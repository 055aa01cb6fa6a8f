# Part of recurring_invoices. License LGPL-3.
"""Billing periods: the period the invoice of each date bills, in advance or in arrears.

Occurrence dates D0 < D1 < D2 ... of the rule. In advance, the invoice of Dk bills Dk up to the
day before Dk+1. In arrears, it bills Dk-1 up to the day before Dk: D0 only opens the first
period and bills nothing.

A template that starts mid-period (its start before D0) leaves the days from its start to D0 out
of every period; in arrears it may bill them instead ("Bill the first partial period"): the
invoice of D0 then bills its start up to the day before D0, each line's unit price scaled by the
days covered over the days of the full period that ends there (D0 less one interval to D0), and
its description says so.

An invoice keeps the identity of the date it is issued on, whatever period it bills:
``recurring_date`` is Dk in both cases, so the unique index on (template, recurring_date), the
"Issue invoice" activities, the due dates and the forecast all speak of the same dates; in
arrears D0 is simply not one of them.
"""

from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import format_date

INVOICING_TYPE_SELECTION = [
    ("in_advance", "In advance"),
    ("in_arrears", "In arrears"),
]
PERIOD_UNITS = {"daily": "days", "weekly": "weeks", "monthly": "months", "yearly": "years"}


class RecurringInvoice(models.Model):
    _inherit = "recurring.invoice"  # pylint: disable=consider-merging-classes-inherited

    invoicing_type = fields.Selection(
        INVOICING_TYPE_SELECTION,
        string="Billing Period",
        required=True,
        default="in_advance",
        tracking=True,
        help="In advance: each invoice bills its date up to the day before the next date. In arrears: it bills "
        "the previous date up to the day before its own, so the first date of the rule bills nothing.",
    )

    bill_first_partial_period = fields.Boolean(
        string="Bill the first partial period",
        tracking=True,
        help="In arrears, for a template that starts between two dates of its rule: the first date bills the days "
        "from the start, its prices prorated by days. Otherwise those days are not billed.",
    )
    first_period_note = fields.Char(
        compute="_compute_first_period_note",
        help="What the first invoice of a template that starts mid-period bills.",
    )

    def _get_first_rule_date(self):
        """D0, the first date of the rule on or after its start, or None."""
        self.ensure_one()
        first = self._get_rrule().after(datetime.combine(self.date_start, time.min), inc=True)
        return first and first.date()

    def _get_first_partial_period(self):
        """(start, D0) when this template bills a first partial period in arrears (it starts before D0), else None."""
        self.ensure_one()
        if self.invoicing_type != "in_arrears" or not self.bill_first_partial_period or not self.date_start:
            return None
        first = self._get_first_rule_date()
        return (self.date_start, first) if first and first > self.date_start else None

    def _get_invoicing_start(self):
        """The day from which the dates of the rule are invoiced: its start, or in arrears the day after its
        first date, which only opens the first period (unless it bills the first partial period)."""
        self.ensure_one()
        if self.invoicing_type == "in_arrears":
            first = self._get_first_rule_date()
            if first and not self._get_first_partial_period():
                return first + timedelta(days=1)
        return self.date_start

    def _get_prorata(self, occurrence_date):
        """(days billed, days of the full period) of the invoice of that date when it bills the first partial
        period, else None."""
        self.ensure_one()
        partial = self._get_first_partial_period()
        if not partial or partial[1] != occurrence_date:
            return None
        start, first = partial
        length = relativedelta(**{PERIOD_UNITS[self.rrule_type]: self.interval})
        return (first - start).days, (first - (first - length)).days

    @api.depends("date_start", "rrule", "invoicing_type", "bill_first_partial_period", "partner_id")
    def _compute_first_period_note(self):
        for template in self:
            template.first_period_note = False
            if template.invoicing_type != "in_arrears" or not template.date_start or template._rule_error():
                continue
            first = template._get_first_rule_date()
            if not first or first <= template.date_start:
                continue
            lang = template.partner_id.lang or self.env.lang
            values = {
                "start": format_date(self.env, template.date_start, lang_code=lang),
                "end": format_date(self.env, first - timedelta(days=1), lang_code=lang),
                "first": format_date(self.env, first, lang_code=lang),
            }
            if prorata := template._get_prorata(first):
                template.first_period_note = self.env._(
                    "It starts mid-period: its first invoice, on %(first)s, bills %(start)s to %(end)s, its prices "
                    "prorated %(days)s of %(full)s days.",
                    days=prorata[0],
                    full=prorata[1],
                    **values,
                )
                continue
            following = template._get_rrule().after(datetime.combine(first, time.min))
            if not following:
                continue
            template.first_period_note = self.env._(
                "It starts mid-period: %(start)s to %(end)s is not billed; its first invoice, on %(following)s, "
                "bills %(first)s to %(following_end)s. Tick “Bill the first partial period” to bill those days "
                "too, prorated.",
                following=format_date(self.env, following.date(), lang_code=lang),
                following_end=format_date(self.env, following.date() - timedelta(days=1), lang_code=lang),
                **values,
            )

    def _get_periods(self, dates):
        """{date: (start, end)}: the period the invoice of each of these dates bills.

        Past either end of the rule (the last date in advance, the first in arrears) a period
        lasts one interval of the rule.
        """
        self.ensure_one()
        rule = self._get_rrule()
        length = relativedelta(**{PERIOD_UNITS[self.rrule_type]: self.interval})
        periods = {}
        for day in dates:
            moment = datetime.combine(day, time.min)
            if self.invoicing_type == "in_arrears":
                previous = rule.before(moment)
                if previous:
                    periods[day] = (previous.date(), day - timedelta(days=1))
                elif (partial := self._get_first_partial_period()) and partial[1] == day:
                    periods[day] = (partial[0], day - timedelta(days=1))
                else:
                    periods[day] = (day - length, day - timedelta(days=1))
            else:
                following = rule.after(moment)
                periods[day] = (day, (following.date() if following else day + length) - timedelta(days=1))
        return periods

    def _get_period(self, occurrence_date):
        """(start, end) of the period the invoice of that date bills."""
        return self._get_periods([occurrence_date])[occurrence_date]

    def _get_target_due_dates(self, today, schedules=None):
        # In arrears, the first date of the rule issues nothing: no "Issue invoice" activity.
        due_dates = super()._get_target_due_dates(today, schedules)
        for template, dues in due_dates.items():
            start = template._get_invoicing_start()
            due_dates[template] = {nominal: due for nominal, due in dues.items() if nominal >= start}
        return due_dates

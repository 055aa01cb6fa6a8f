# Part of recurring_invoices. License LGPL-3.
"""Billing periods: the period the invoice of each date bills, in advance or in arrears.

Occurrence dates D0 < D1 < D2 ... of the rule. In advance, the invoice of Dk bills Dk up to the
day before Dk+1. In arrears, it bills Dk-1 up to the day before Dk: D0 only opens the first
period and bills nothing.

An invoice keeps the identity of the date it is issued on, whatever period it bills:
``recurring_date`` is Dk in both cases, so the unique index on (template, recurring_date), the
"Issue invoice" activities, the due dates and the forecast all speak of the same dates; in
arrears D0 is simply not one of them.
"""

from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields, models

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

    def _get_invoicing_start(self):
        """The day from which the dates of the rule are invoiced: its start, or in arrears the day after its
        first date, which only opens the first period."""
        self.ensure_one()
        if self.invoicing_type == "in_arrears":
            first = self._get_rrule().after(datetime.combine(self.date_start, time.min), inc=True)
            if first:
                return first.date() + timedelta(days=1)
        return self.date_start

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
                periods[day] = (previous.date() if previous else day - length, day - timedelta(days=1))
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

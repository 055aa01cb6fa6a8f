# Part of recurring_interactions. License LGPL-3.
"""Non-working days of working schedules, as Odoo's ``resource`` computes them.

A day is non-working when its schedule has no working time on it: a weekly day off or a public
holiday (``resource.calendar.leaves`` without a resource, of that schedule or of all). Odoo says so
in ``resource.calendar._get_unusual_days()``, from its work intervals in the schedule's time zone;
nothing here re-implements it. The days are read once per schedule and window, never per date.
"""

from datetime import datetime, time, timedelta

import pytz

from odoo import fields

# An occurrence moves at most this far to find a working day; past it, it has none and is left
# out. Two months cover a summer closing with its weekends.
MAX_SHIFT_DAYS = 62
# What is read when a date outside the window read so far is asked about.
CHUNK_DAYS = 366
ONE_DAY = timedelta(days=1)


class WorkingSchedule:
    """A working schedule for one company, with the non-working days read so far.

    The company chooses which public holidays "of all schedules" apply: those of that company.
    """

    def __init__(self, calendar, company):
        self.calendar = calendar
        self.company = company
        self.days_off = set()
        self.window = None  # (first, last) date read

    def load(self, date_from, date_to):
        """Read that window: one lookup, or one on each side of the window read already."""
        if self.window is None:
            self._lookup(date_from, date_to)
            self.window = (date_from, date_to)
            return
        first, last = self.window
        if date_from < first:
            self._lookup(date_from, first - ONE_DAY)
        if date_to > last:
            self._lookup(last + ONE_DAY, date_to)
        self.window = (min(first, date_from), max(last, date_to))

    def is_off(self, day):
        if self.window is None:
            self.load(day - timedelta(days=MAX_SHIFT_DAYS), day + timedelta(days=CHUNK_DAYS))
        elif day < self.window[0]:
            self.load(day - timedelta(days=CHUNK_DAYS), self.window[1])
        elif day > self.window[1]:
            self.load(self.window[0], day + timedelta(days=CHUNK_DAYS))
        return day in self.days_off

    def move(self, day, mode):
        """The working day an occurrence on `day` falls on with `mode` (keep, previous, next, skip), or None."""
        if mode == "keep" or not self.is_off(day):
            return day
        if mode == "skip":
            return None
        step = -ONE_DAY if mode == "previous" else ONE_DAY
        for _shift in range(MAX_SHIFT_DAYS):
            day += step
            if not self.is_off(day):
                return day
        return None

    def _lookup(self, date_from, date_to):
        # Local days of the schedule: a holiday stored in UTC falls on its day in the schedule's time zone.
        tz = pytz.timezone(self.calendar.tz or "UTC")
        start = tz.localize(datetime.combine(date_from, time.min))
        end = tz.localize(datetime.combine(date_to, time.max))
        # Dates only, the same for whoever expands the rule: read whatever their access to leaves.
        unusual = self.calendar.sudo()._get_unusual_days(start, end, company_id=self.company)
        self.days_off.update(fields.Date.to_date(day) for day, off in unusual.items() if off)


class WorkingSchedules:
    """The working schedules a batch of rules follows, each read once for the whole batch."""

    def __init__(self):
        self._schedules = {}

    def get(self, calendar, company):
        key = (calendar.id, company.id)
        if key not in self._schedules:
            self._schedules[key] = WorkingSchedule(calendar, company)
        return self._schedules[key]

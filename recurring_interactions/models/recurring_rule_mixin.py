# Part of recurring_interactions. License LGPL-3.
"""The one rule engine: fields a user edits and the dates they yield (their RRULE string: recurring_rule_rrule.py)."""

from collections import defaultdict
from datetime import datetime, time, timedelta
from itertools import dropwhile, islice

import pytz
from dateutil import rrule as du_rrule
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from .working_schedule import MAX_SHIFT_DAYS, WorkingSchedules

# Hard limit of dates one expansion (and one "count") may yield: a rule past it is
# almost always a typo (daily for 30 years), and it bounds the work of a generation.
MAX_OCCURRENCES = 5000
DEFAULT_HORIZON_DAYS = 365
PREVIEW_SIZE = 10

RRULE_TYPE_SELECTION = [
    ("daily", "Days"),
    ("weekly", "Weeks"),
    ("monthly", "Months"),
    ("yearly", "Years"),
]
END_TYPE_SELECTION = [
    ("count", "Number of repetitions"),
    ("end_date", "End date"),
    ("forever", "Forever"),
]
MONTH_BY_SELECTION = [
    ("date", "A date"),
    ("day", "A weekday"),
]
WEEKDAY_SELECTION = [
    ("MON", "Monday"),
    ("TUE", "Tuesday"),
    ("WED", "Wednesday"),
    ("THU", "Thursday"),
    ("FRI", "Friday"),
    ("SAT", "Saturday"),
    ("SUN", "Sunday"),
]
BYDAY_SELECTION = [
    ("1", "First"),
    ("2", "Second"),
    ("3", "Third"),
    ("4", "Fourth"),
    ("-1", "Last"),
]
MONTH_SELECTION = [
    ("1", "January"),
    ("2", "February"),
    ("3", "March"),
    ("4", "April"),
    ("5", "May"),
    ("6", "June"),
    ("7", "July"),
    ("8", "August"),
    ("9", "September"),
    ("10", "October"),
    ("11", "November"),
    ("12", "December"),
]
NON_WORKING_DAYS_SELECTION = [
    ("keep", "Keep the date"),
    ("previous", "Previous working day"),
    ("next", "Next working day"),
    ("skip", "Skip the occurrence"),
]
DURATION_UNIT_SELECTION = [
    ("days", "Days"),
    ("weeks", "Weeks"),
    ("months", "Months"),
    ("years", "Years"),
]

# Field names of the weekday booleans, in RFC 5545 order (MO..SU) and code.
DAY_FIELDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# WEEKDAY_SELECTION key -> RFC 5545 code, and back.
WEEKDAY_TO_CODE = {key: code for (key, _label), code in zip(WEEKDAY_SELECTION, DAY_CODES, strict=True)}
CODE_TO_WEEKDAY = {code: key for key, code in WEEKDAY_TO_CODE.items()}

# The fields the rule is made of: what `rrule` depends on and what validation watches.
RULE_FIELDS = (
    "date_start",
    "rrule_type",
    "interval",
    *DAY_FIELDS,
    "month_by",
    "day",
    "weekday",
    "byday",
    "month",
    "end_type",
    "count",
    "until",
)
# What moves the rule's dates to working days: not part of the RRULE (RFC 5545 has no working days).
WORKING_DAY_FIELDS = ("non_working_days", "resource_calendar_id")


class RecurringRuleMixin(models.AbstractModel):
    _name = "recurring.rule.mixin"
    _description = "Recurrence Rule"

    date_start = fields.Date(
        string="Start Date",
        required=True,
        default=lambda self: self._get_today(),
        help="First day the rule may fall on.",
    )
    rrule_type = fields.Selection(
        RRULE_TYPE_SELECTION,
        string="Frequency",
        required=True,
        default="weekly",
        help="Repeat every N days, weeks, months or years.",
    )
    interval = fields.Integer(string="Repeat Every", required=True, default=1)
    mon = fields.Boolean()
    tue = fields.Boolean()
    wed = fields.Boolean()
    thu = fields.Boolean()
    fri = fields.Boolean()
    sat = fields.Boolean()
    sun = fields.Boolean()
    month_by = fields.Selection(
        MONTH_BY_SELECTION,
        string="Option",
        default="date",
        help="A date: the same day of each month (the 31st falls on the last day of shorter months). "
        "A weekday: the first to fourth or the last of a weekday (the first Tuesday, the last Friday).",
    )
    day = fields.Integer(
        string="Day of Month",
        default=lambda self: self._get_today().day,
        help="1 to 31; a month without that day uses its last day (the 31st is the last day of April).",
    )
    weekday = fields.Selection(WEEKDAY_SELECTION)
    byday = fields.Selection(BYDAY_SELECTION, string="By Day")
    month = fields.Selection(
        MONTH_SELECTION,
        default=lambda self: str(self._get_today().month),
        help="Month of a yearly rule.",
    )
    end_type = fields.Selection(END_TYPE_SELECTION, string="Recurrence Termination", default="forever")
    count = fields.Integer(string="Repetitions", default=1)
    until = fields.Date(
        string="Repeat Until",
        compute="_compute_until",
        store=True,
        readonly=False,
        precompute=True,
    )
    duration = fields.Integer(
        string="For",
        help="Ends the rule after this duration from the start date (for example 1 year).",
    )
    duration_unit = fields.Selection(DURATION_UNIT_SELECTION, default="years")
    non_working_days = fields.Selection(
        NON_WORKING_DAYS_SELECTION,
        string="On Non-Working Days",
        required=True,
        default="keep",
        help="What an occurrence does on a day without working time in the working schedule (a day off or a "
        "public holiday): keep its date, move to the previous or the next working day, or not take place.",
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Schedule",
        compute="_compute_resource_calendar_id",
        store=True,
        readonly=False,
        precompute=True,
        help="Its days off and public holidays (Settings > Working Schedules) are the non-working days; "
        "by default the company's.",
    )
    rrule_summary = fields.Char(string="Recurrence", compute="_compute_rrule_summary")
    preview_html = fields.Html(string="Next Dates", compute="_compute_preview_html", sanitize=False)

    # ------------------------------------------------------------------
    # Today, horizon
    # ------------------------------------------------------------------
    @api.model
    def _get_today(self, company=None):
        """Today in the user's time zone, or the company's when given (scheduled actions)."""
        if company is not None:
            tz_name = company.partner_id.tz or self.env.context.get("tz") or self.env.user.tz
        else:
            tz_name = self.env.context.get("tz") or self.env.user.tz or self.env.company.partner_id.tz
        now = pytz.utc.localize(fields.Datetime.now())
        try:
            return now.astimezone(pytz.timezone(tz_name or "UTC")).date()
        except pytz.UnknownTimeZoneError:
            return now.date()

    @api.model
    def _get_horizon_days(self):
        param = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("recurring_interactions.horizon_days", DEFAULT_HORIZON_DAYS)
        )
        try:
            return max(int(param), 1)
        except (TypeError, ValueError):
            return DEFAULT_HORIZON_DAYS

    def _get_horizon_date(self, today=None):
        """Last date an open-ended rule is expanded to."""
        self.ensure_one()
        today = today or self._get_today()
        return max(today, self.date_start) + timedelta(days=self._get_horizon_days())

    def _get_week_day_codes(self):
        self.ensure_one()
        return [code for fname, code in zip(DAY_FIELDS, DAY_CODES, strict=True) if self[fname]]

    # ------------------------------------------------------------------
    # Validation
    # ------------------------------------------------------------------
    def _rule_error(self):
        """The first thing wrong with the rule, as a translated sentence, or None."""
        self.ensure_one()
        if not self.rrule_type or not self.date_start:
            return self.env._("The rule needs a frequency and a start date.")
        if self.interval < 1:
            return self.env._("“Repeat Every” must be at least 1 (it is %s).", self.interval)
        if self.rrule_type == "weekly" and not self._get_week_day_codes():
            return self.env._("A weekly rule needs at least one weekday.")
        if self.rrule_type in ("monthly", "yearly"):
            if self.month_by == "day" and not (self.weekday and self.byday):
                return self.env._("Choose which weekday of the month (for example the first Tuesday).")
            if self.month_by != "day" and not 1 <= self.day <= 31:
                return self.env._("“Day of Month” must be between 1 and 31 (it is %s).", self.day)
            if self.rrule_type == "yearly" and not self.month:
                return self.env._("A yearly rule needs a month.")
        if self.end_type == "count" and not 1 <= self.count <= MAX_OCCURRENCES:
            return self.env._(
                "“Repetitions” must be between 1 and %(max)s (it is %(count)s).",
                max=MAX_OCCURRENCES,
                count=self.count,
            )
        if self.end_type == "end_date":
            if not self.until:
                return self.env._("Choose the date the recurrence ends (“Repeat Until”).")
            if self.until < self.date_start:
                return self.env._(
                    "“Repeat Until” (%(until)s) is before the start date (%(start)s).",
                    until=format_date(self.env, self.until),
                    start=format_date(self.env, self.date_start),
                )
        return None

    def _get_shown_rule_error(self):
        """What is wrong with the rule on the form: its fields, or an RRULE typed that they cannot hold (the
        fields then still hold the previous rule, whose dates must not be shown as the typed one's)."""
        self.ensure_one()
        return self._rule_error() or self.rrule_error or None

    @api.constrains(*RULE_FIELDS)
    def _check_rule(self):
        for rule in self:
            error = rule._rule_error()
            if error:
                raise ValidationError(error)
            if rule.end_type == "end_date":
                # Finite by date: refuse a rule whose whole expansion is past the limit.
                rule._get_nominal_dates()

    @api.constrains(*WORKING_DAY_FIELDS)
    def _check_working_days(self):
        for rule in self:
            calendar, company = rule.resource_calendar_id, rule._get_rule_company()
            if calendar.company_id and calendar.company_id != company:
                raise ValidationError(
                    self.env._(
                        "The working schedule “%(calendar)s” belongs to %(other)s: choose one of %(company)s.",
                        calendar=calendar.name,
                        other=calendar.company_id.name,
                        company=company.name,
                    )
                )
            if rule.non_working_days == "keep":
                continue
            if not calendar:
                raise ValidationError(
                    self.env._("Choose the working schedule whose days off and public holidays the rule avoids.")
                )
            if not calendar.flexible_hours and not calendar.attendance_ids:
                raise ValidationError(
                    self.env._("The working schedule “%s” has no working hours: every day is a day off.", calendar.name)
                )

    # ------------------------------------------------------------------
    # Expansion
    # ------------------------------------------------------------------
    def _get_rrule(self):
        self.ensure_one()
        return du_rrule.rrulestr(self._rrule_serialize(), dtstart=datetime.combine(self.date_start, time.min))

    def _iter_nominal_dates(self, date_from=None):
        """The dates of the RRULE itself from date_from (or the start), lazily."""
        rule = self._get_rrule()
        occurrences = rule.xafter(datetime.combine(date_from, time.min), inc=True) if date_from else iter(rule)
        return (occurrence.date() for occurrence in occurrences)

    def _get_nominal_dates(self, date_from=None, date_to=None):
        """Sorted dates of the RRULE between date_from and date_to (both included), working days aside.

        Equal to ``dateutil.rrule.rrulestr(rrule, dtstart=date_start)`` in that window; an
        open-ended rule stops at its horizon when no date_to is given.
        """
        self.ensure_one()
        error = self._rule_error()
        if error:
            raise ValidationError(error)
        if date_to is None and self.end_type == "forever":
            date_to = self._get_horizon_date()
        dates = []
        for day in self._iter_nominal_dates(date_from):
            if date_to and day > date_to:
                break
            if len(dates) == MAX_OCCURRENCES:
                raise ValidationError(
                    self.env._(
                        "This rule yields more than %(max)s dates (%(rule)s): shorten it or end it sooner.",
                        max=MAX_OCCURRENCES,
                        rule=self.rrule_summary or self.rrule,
                    )
                )
            dates.append(day)
        return dates

    def _get_rule_company(self):
        """The company whose working schedule and public holidays apply."""
        company = self["company_id"] if "company_id" in self._fields else None
        return company or self.env.company

    def _moves_to_working_days(self):
        return self.non_working_days != "keep" and bool(self.resource_calendar_id)

    def _get_working_schedule(self, schedules):
        """The working schedule (of `schedules`) whose non-working days move the dates, or None when they stay."""
        self.ensure_one()
        if not self._moves_to_working_days():
            return None
        return schedules.get(self.resource_calendar_id, self._get_rule_company())

    def _get_max_shift(self):
        """How far an occurrence may move: a date this far out of a window may land in it."""
        return timedelta(days=MAX_SHIFT_DAYS if self._moves_to_working_days() else 0)

    def _get_working_date(self, nominal, schedules=None):
        """The working day one occurrence falls on (its own date when the rule keeps or skips it)."""
        schedule = self._get_working_schedule(schedules or WorkingSchedules())
        return (schedule and schedule.move(nominal, self.non_working_days)) or nominal

    def _adjust_dates(self, nominal_dates, schedules):
        """(nominal, adjusted) of each nominal date, in order; an occurrence that does not take place is left out.

        Moving keeps the order (a later date never lands before an earlier one), so occurrences landing
        on one working day follow each other: the first stands for them all. Its nominal date is the
        occurrence's identity (the ``recurring_date`` of its activity and its invoice): it stays
        whatever holidays are added later, so the unique indexes still mean "once per occurrence".
        """
        schedule = self._get_working_schedule(schedules)
        if schedule is None:
            yield from ((day, day) for day in nominal_dates)
            return
        mode, last = self.non_working_days, None
        for nominal in nominal_dates:
            adjusted = schedule.move(nominal, mode)
            if adjusted is not None and adjusted != last:
                last = adjusted
                yield nominal, adjusted

    def _iter_occurrences(self, nominal_from=None, schedules=None):
        """Lazily, the (nominal, adjusted) occurrences whose nominal date is nominal_from or later."""
        self.ensure_one()
        start = nominal_from and nominal_from - self._get_max_shift()
        # Bounded: a rule whose occurrences all fall on days off (skipped) would never end.
        nominal_dates = islice(self._iter_nominal_dates(start), MAX_OCCURRENCES)
        occurrences = self._adjust_dates(nominal_dates, schedules or WorkingSchedules())
        # Started earlier, so that an occurrence merged into an earlier one stays merged.
        return dropwhile(lambda pair: pair[0] < nominal_from, occurrences) if nominal_from else occurrences

    def _get_occurrence_pairs(self, date_from=None, date_to=None, schedules=None):
        """{rule: [(nominal, adjusted)]} of the occurrences whose adjusted date is in the window.

        For a whole batch, the non-working days are read once per working schedule, over the
        window that all its rules need, not once per rule or per date.
        """
        schedules = schedules or WorkingSchedules()
        nominal, ends, windows = {}, {}, defaultdict(list)
        for rule in self:
            shift = rule._get_max_shift()
            ends[rule] = date_to or (rule._get_horizon_date() if rule.end_type == "forever" else None)
            nominal[rule] = rule._get_nominal_dates(date_from and date_from - shift, ends[rule] and ends[rule] + shift)
            schedule = rule._get_working_schedule(schedules)
            if schedule and nominal[rule]:
                windows[schedule] += [nominal[rule][0] - shift, nominal[rule][-1] + shift]
        for schedule, bounds in windows.items():
            schedule.load(min(bounds), max(bounds))
        return {
            rule: [
                (day, adjusted)
                for day, adjusted in rule._adjust_dates(nominal[rule], schedules)
                if (not date_from or adjusted >= date_from) and (not ends[rule] or adjusted <= ends[rule])
            ]
            for rule in self
        }

    def _get_occurrence_dates(self, date_from=None, date_to=None):
        """Sorted dates of the rule between date_from and date_to (both included), on working days if asked.

        With "keep", equal to ``dateutil.rrule.rrulestr(rrule, dtstart=date_start)`` in that window:
        the RRULE stays the nominal rule. Otherwise each date moves to a working day or is left out
        (the adjustment is not RFC 5545), and dates landing on one day give one.
        """
        self.ensure_one()
        return [adjusted for _nominal, adjusted in self._get_occurrence_pairs(date_from, date_to)[self]]

    # ------------------------------------------------------------------
    # What the form shows
    # ------------------------------------------------------------------
    @api.depends("duration", "duration_unit", "date_start")
    def _compute_until(self):
        """ "For 1 year" is an end date: the day before the same date a year later."""
        for rule in self:
            if rule.duration > 0 and rule.date_start:
                delta = relativedelta(**{rule.duration_unit or "years": rule.duration})
                rule.until = rule.date_start + delta - timedelta(days=1)
            elif not rule.until:
                rule.until = False

    @api.onchange("duration", "duration_unit")
    def _onchange_duration(self):
        """ "For 1 year" ends the rule on a date, whatever ending was chosen before."""
        for rule in self.filtered(lambda r: r.duration > 0):
            rule.end_type = "end_date"

    @api.onchange("end_type")
    def _onchange_end_type(self):
        """The duration is one way to say the end date: another ending has none."""
        for rule in self.filtered(lambda r: r.end_type != "end_date"):
            rule.duration = 0

    @api.onchange("rrule_type")
    def _onchange_rrule_type(self):
        """Pre-fill what a user would pick for the new frequency from the start date, where nothing is
        chosen yet: a pasted RRULE sets the frequency with its own days, which stay."""
        for rule in self:
            start = rule.date_start or rule._get_today()
            if rule.rrule_type == "weekly" and not rule._get_week_day_codes():
                rule[DAY_FIELDS[start.weekday()]] = True
            if rule.rrule_type in ("monthly", "yearly"):
                rule.day = rule.day or start.day
                rule.weekday = rule.weekday or WEEKDAY_SELECTION[start.weekday()][0]
                rule.byday = rule.byday or ("-1" if start.day > 28 else str((start.day - 1) // 7 + 1))
                rule.month = rule.month or str(start.month)

    @api.onchange("date_start")
    def _onchange_date_start(self):
        """A rule on one weekday, or on the start's day, follows the start date when it moves."""
        for rule in self:
            start = rule.date_start
            if not start:
                continue
            if rule.rrule_type == "weekly" and len(rule._get_week_day_codes()) <= 1:
                for index, fname in enumerate(DAY_FIELDS):
                    rule[fname] = index == start.weekday()
            if rule.month_by == "date":
                # Also before the rule is monthly: the day it falls on when a user then makes it monthly.
                rule.day = start.day
                rule.month = str(start.month)

    @api.depends(lambda self: ["company_id"] if "company_id" in self._fields else [])
    def _compute_resource_calendar_id(self):
        """The company's working schedule, until a user picks another one of that company."""
        for rule in self:
            calendar, company = rule.resource_calendar_id, rule._get_rule_company()
            if not calendar or (calendar.company_id and calendar.company_id != company):
                rule.resource_calendar_id = company.resource_calendar_id

    @api.depends(*RULE_FIELDS, *WORKING_DAY_FIELDS)
    def _compute_rrule_summary(self):
        for rule in self:
            rule.rrule_summary = rule._get_summary() if rule._rule_error() is None else False

    def _get_summary(self):
        """The rule in words, in the user's language ("Every 2 weeks on Tuesday, Thursday")."""
        self.ensure_one()
        if self.interval == 1:
            text = {
                "daily": self.env._("Every day"),
                "weekly": self.env._("Every week"),
                "monthly": self.env._("Every month"),
                "yearly": self.env._("Every year"),
            }[self.rrule_type]
        else:
            text = {
                "daily": self.env._("Every %s days"),
                "weekly": self.env._("Every %s weeks"),
                "monthly": self.env._("Every %s months"),
                "yearly": self.env._("Every %s years"),
            }[self.rrule_type] % self.interval
        if self.rrule_type == "weekly":
            names = dict(self._fields["weekday"]._description_selection(self.env))
            days = ", ".join(names[CODE_TO_WEEKDAY[code]] for code in self._get_week_day_codes())
            text = self.env._("%(text)s on %(days)s", text=text, days=days)
        elif self.rrule_type in ("monthly", "yearly"):
            if self.month_by == "day":
                nth = dict(self._fields["byday"]._description_selection(self.env))[self.byday]
                weekday = dict(self._fields["weekday"]._description_selection(self.env))[self.weekday]
                on = self.env._("the %(nth)s %(weekday)s", nth=nth.lower(), weekday=weekday)
            else:
                on = self.env._("day %s", self.day)
            if self.rrule_type == "yearly":
                on = self.env._(
                    "%(on)s of %(month)s",
                    on=on,
                    month=dict(self._fields["month"]._description_selection(self.env))[self.month],
                )
            text = self.env._("%(text)s, on %(on)s", text=text, on=on)
        if self.end_type == "count" and self.count == 1:
            text = self.env._("%(text)s, once", text=text)
        elif self.end_type == "count":
            text = self.env._("%(text)s, %(count)s times", text=text, count=self.count)
        elif self.end_type == "end_date":
            text = self.env._("%(text)s, until %(until)s", text=text, until=format_date(self.env, self.until))
        if self.non_working_days != "keep":
            mode = {
                "previous": self.env._("previous"),
                "next": self.env._("next"),
                "skip": self.env._("skip"),
            }[self.non_working_days]
            text = self.env._("%(text)s, on working days: %(mode)s", text=text, mode=mode)
        return text

    @api.depends(*RULE_FIELDS, *WORKING_DAY_FIELDS, "rrule")
    def _compute_preview_html(self):
        for rule in self:
            error = rule._get_shown_rule_error()
            if error:
                rule.preview_html = Markup('<div class="text-danger">%s</div>') % error
                continue
            occurrences = rule._get_next_occurrences(PREVIEW_SIZE)
            if not occurrences:
                rule.preview_html = Markup("<p class='text-muted'>%s</p>") % self.env._("No date to come.")
                continue
            items = Markup("").join(Markup("<li>%s</li>") % rule._format_occurrence(*pair) for pair in occurrences)
            rule.preview_html = Markup("<ol class='mb-0'>%s</ol>") % items

    def _format_occurrence(self, nominal, adjusted):
        """ "Monday 3 May 2027", or "Monday 3 May 2027, moved from Saturday 1 May" when it moved to a working day."""
        text = format_date(self.env, adjusted, date_format="EEEE d MMMM y")
        if adjusted == nominal:
            return text
        return self.env._(
            "%(date)s, moved from %(nominal)s",
            date=text,
            nominal=format_date(self.env, nominal, date_format="EEEE d MMMM"),
        )

    def _get_next_occurrences(self, limit):
        """The next `limit` (nominal, adjusted) occurrences from today (or the start), whatever the end of the rule."""
        self.ensure_one()
        start = max(self._get_today(), self.date_start)
        # From a nominal date earlier: Saturday's occurrence is still to come on Monday.
        upcoming = dropwhile(lambda pair: pair[1] < start, self._iter_occurrences(start - self._get_max_shift()))
        return list(islice(upcoming, limit))

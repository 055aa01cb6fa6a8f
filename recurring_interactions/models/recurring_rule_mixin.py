# Part of recurring_interactions. License LGPL-3.
"""The one rule engine: fields a user edits, their RFC 5545 RRULE string, and the dates it yields."""

import calendar
import re
from datetime import date, datetime, time, timedelta

import pytz
from dateutil import rrule as du_rrule
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

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
    ("date", "Date of month"),
    ("day", "Day of month"),
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

SUPPORTED_PARTS = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "COUNT", "UNTIL", "WKST"}
NTH_WEEKDAY_RE = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
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


def _min_month_length(month):
    """Shortest length a month can have (February: 28), or of any month when None."""
    if month is None:
        return 28
    return min(calendar.monthrange(year, month)[1] for year in (2023, 2024))


def _bymonthday(day, month=None):
    """RRULE parts for "day N of the month", falling on the month's last day when it is shorter.

    RFC 5545 says "the 31st, or the last day" as BYMONTHDAY=28,29,30,31;BYSETPOS=-1:
    the last of those days that the month has.
    """
    shortest = _min_month_length(month)
    if day <= shortest:
        return [f"BYMONTHDAY={day}"]
    return ["BYMONTHDAY=" + ",".join(str(d) for d in range(shortest, day + 1)), "BYSETPOS=-1"]


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
    month_by = fields.Selection(MONTH_BY_SELECTION, string="Option", default="date")
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
    rrule = fields.Char(
        string="RRULE",
        compute="_compute_rrule",
        inverse="_inverse_rrule",
        help="The rule as an RFC 5545 RRULE string; writing one sets the fields above.",
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

    # ------------------------------------------------------------------
    # Fields <-> RRULE string
    # ------------------------------------------------------------------
    @api.depends(*RULE_FIELDS)
    def _compute_rrule(self):
        for rule in self:
            rule.rrule = rule._rrule_serialize() if rule._rule_error() is None else False

    def _inverse_rrule(self):
        for rule in self:
            if rule.rrule:
                rule.write(rule._rrule_parse(rule.rrule, rule.date_start))

    @api.model_create_multi
    def create(self, vals_list):
        # Parse a given RRULE before the record exists, so validation sees the rule it says.
        for vals in vals_list:
            if vals.get("rrule"):
                start = fields.Date.to_date(vals.get("date_start")) or self._get_today()
                vals.update(self._rrule_parse(vals.pop("rrule"), start))
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("rrule"):
            vals = dict(vals)
            start = fields.Date.to_date(vals.get("date_start")) or (self[:1].date_start or self._get_today())
            vals.update(self._rrule_parse(vals.pop("rrule"), start))
        return super().write(vals)

    def _get_week_day_codes(self):
        self.ensure_one()
        return [code for fname, code in zip(DAY_FIELDS, DAY_CODES, strict=True) if self[fname]]

    def _rrule_serialize(self):
        """The rule as an RFC 5545 RRULE value (without the "RRULE:" prefix)."""
        self.ensure_one()
        parts = [f"FREQ={self.rrule_type.upper()}", f"INTERVAL={self.interval}"]
        if self.rrule_type == "weekly":
            parts.append("BYDAY=" + ",".join(self._get_week_day_codes()))
        elif self.rrule_type in ("monthly", "yearly"):
            month = int(self.month) if self.rrule_type == "yearly" else None
            if month:
                parts.append(f"BYMONTH={month}")
            if self.month_by == "day":
                parts.append(f"BYDAY={int(self.byday)}{WEEKDAY_TO_CODE[self.weekday]}")
            else:
                parts.extend(_bymonthday(self.day, month))
        if self.end_type == "count":
            parts.append(f"COUNT={self.count}")
        elif self.end_type == "end_date":
            parts.append(f"UNTIL={self.until.strftime('%Y%m%d')}")
        return ";".join(parts)

    @api.model
    def _rrule_parse(self, rule_str, date_start=None):
        """Field values for an RRULE string; a ValidationError when it cannot be represented."""

        def invalid(reason):
            return ValidationError(
                self.env._("The recurrence rule “%(rule)s” is not valid: %(reason)s", rule=rule_str, reason=reason)
            )

        value = (rule_str or "").strip()
        dtstart = re.search(r"DTSTART(?:;[^:]*)?:(\d{8})", value)
        if dtstart:
            date_start = datetime.strptime(dtstart.group(1), "%Y%m%d").date()
        value = re.sub(r"(?s).*?RRULE:", "", value, count=1) if "RRULE:" in value else value
        value = re.sub(r";?X-[-\w]+=[^;:]*", "", value).strip().strip(";").upper()
        try:
            parts = dict(item.split("=", 1) for item in value.split(";") if item)
            du_rrule.rrulestr(value, dtstart=datetime.combine(date_start or date.today(), time.min))
        except ValueError as error:
            raise invalid(error) from error
        unknown = set(parts) - SUPPORTED_PARTS
        if unknown:
            raise invalid(self.env._("%s is not supported", ", ".join(sorted(unknown))))
        freq = parts.get("FREQ", "").lower()
        if freq not in dict(RRULE_TYPE_SELECTION):
            raise invalid(self.env._("the frequency must be daily, weekly, monthly or yearly"))
        vals = {"rrule_type": freq, "interval": int(parts.get("INTERVAL", 1))}
        if date_start and dtstart:
            vals["date_start"] = date_start
        if parts.get("WKST", "MO") != "MO" and freq == "weekly" and vals["interval"] > 1:
            raise invalid(self.env._("only weeks starting on Monday are supported"))
        byday = [d for d in parts.get("BYDAY", "").split(",") if d]
        if freq == "weekly":
            codes = {d[-2:] for d in byday} if byday else {DAY_CODES[(date_start or date.today()).weekday()]}
            vals.update({fname: code in codes for fname, code in zip(DAY_FIELDS, DAY_CODES, strict=True)})
        elif freq in ("monthly", "yearly"):
            vals.update(self._rrule_parse_month_part(parts, byday, date_start, invalid))
        if "COUNT" in parts:
            vals.update(end_type="count", count=int(parts["COUNT"]))
        elif "UNTIL" in parts:
            until = datetime.strptime(parts["UNTIL"][:8], "%Y%m%d").date()
            vals.update(end_type="end_date", until=until, duration=0)
        else:
            vals["end_type"] = "forever"
        return vals

    @api.model
    def _rrule_parse_month_part(self, parts, byday, date_start, invalid):
        """The day-of-month part of a monthly or yearly RRULE (BYMONTH, BYMONTHDAY, BYDAY, BYSETPOS)."""
        start = date_start or date.today()
        vals = {}
        if "BYMONTH" in parts:
            if "," in parts["BYMONTH"]:
                raise invalid(self.env._("only one month per yearly rule is supported"))
            vals["month"] = str(int(parts["BYMONTH"]))
        elif parts["FREQ"] == "YEARLY":
            vals["month"] = str(start.month)
        setpos = parts.get("BYSETPOS")
        if byday:
            match = NTH_WEEKDAY_RE.match(byday[0])
            nth = (match and match.group(1)) or setpos
            if len(byday) > 1 or not nth or str(int(nth)) not in dict(BYDAY_SELECTION):
                raise invalid(self.env._("only one n-th weekday (1st to 4th, or last) is supported"))
            vals.update(month_by="day", byday=str(int(nth)), weekday=CODE_TO_WEEKDAY[match.group(2)])
            return vals
        days = [int(d) for d in parts.get("BYMONTHDAY", str(start.day)).split(",")]
        if days == [-1]:
            day = 31
        elif len(days) == 1 and 1 <= days[0] <= 31 and not setpos:
            day = days[0]
        elif setpos == "-1" and days == list(range(days[0], days[-1] + 1)) and 1 <= days[0] <= 28:
            day = days[-1]
        else:
            raise invalid(self.env._("only one day of the month is supported"))
        vals.update(month_by="date", day=min(day, 31))
        return vals

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

    @api.constrains(*RULE_FIELDS)
    def _check_rule(self):
        for rule in self:
            error = rule._rule_error()
            if error:
                raise ValidationError(error)
            if rule.end_type == "end_date":
                # Finite by date: refuse a rule whose whole expansion is past the limit.
                rule._get_occurrence_dates()

    # ------------------------------------------------------------------
    # Expansion
    # ------------------------------------------------------------------
    def _get_rrule(self):
        self.ensure_one()
        return du_rrule.rrulestr(self._rrule_serialize(), dtstart=datetime.combine(self.date_start, time.min))

    def _get_occurrence_dates(self, date_from=None, date_to=None):
        """Sorted dates of the rule between date_from and date_to (both included).

        Equal to ``dateutil.rrule.rrulestr(rrule, dtstart=date_start)`` in that window; an
        open-ended rule stops at its horizon when no date_to is given.
        """
        self.ensure_one()
        error = self._rule_error()
        if error:
            raise ValidationError(error)
        if date_to is None and self.end_type == "forever":
            date_to = self._get_horizon_date()
        rule = self._get_rrule()
        occurrences = rule.xafter(datetime.combine(date_from, time.min), inc=True) if date_from else iter(rule)
        end = datetime.combine(date_to, time.max) if date_to else None
        dates = []
        for occurrence in occurrences:
            if end and occurrence > end:
                break
            if len(dates) == MAX_OCCURRENCES:
                raise ValidationError(
                    self.env._(
                        "This rule yields more than %(max)s dates (%(rule)s): shorten it or end it sooner.",
                        max=MAX_OCCURRENCES,
                        rule=self.rrule_summary or self.rrule,
                    )
                )
            dates.append(occurrence.date())
        return dates

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

    @api.onchange("rrule_type")
    def _onchange_rrule_type(self):
        """Pre-fill what a user would pick for the new frequency from the start date."""
        for rule in self:
            start = rule.date_start or rule._get_today()
            if rule.rrule_type == "weekly" and not rule._get_week_day_codes():
                rule[DAY_FIELDS[start.weekday()]] = True
            if rule.rrule_type in ("monthly", "yearly"):
                rule.day = start.day
                rule.weekday = WEEKDAY_SELECTION[start.weekday()][0]
                rule.byday = "-1" if start.day > 28 else str((start.day - 1) // 7 + 1)
                rule.month = str(start.month)

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
            elif rule.rrule_type in ("monthly", "yearly") and rule.month_by == "date":
                rule.day = start.day
                rule.month = str(start.month)

    @api.depends(*RULE_FIELDS)
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
        return text

    @api.depends(*RULE_FIELDS)
    def _compute_preview_html(self):
        for rule in self:
            error = rule._rule_error()
            if error:
                rule.preview_html = Markup('<div class="text-danger">%s</div>') % error
                continue
            dates = rule._get_next_dates(PREVIEW_SIZE)
            if not dates:
                rule.preview_html = Markup("<p class='text-muted'>%s</p>") % self.env._("No date to come.")
                continue
            items = Markup("").join(
                Markup("<li>%s</li>") % format_date(self.env, d, date_format="EEEE d MMMM y") for d in dates
            )
            rule.preview_html = Markup("<ol class='mb-0'>%s</ol>") % items

    def _get_next_dates(self, limit):
        """The next `limit` dates from today (or the start), whatever the end of the rule."""
        self.ensure_one()
        start = datetime.combine(max(self._get_today(), self.date_start), time.min)
        dates = []
        for occurrence in self._get_rrule().xafter(start, count=limit, inc=True):
            dates.append(occurrence.date())
        return dates

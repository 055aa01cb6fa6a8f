# Part of recurring_interactions. License LGPL-3.
"""The one rule engine: fields a user edits, their RFC 5545 RRULE string, and the dates it yields."""

import calendar
import re
from collections import defaultdict
from datetime import datetime, time, timedelta
from itertools import dropwhile, islice, takewhile

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
# An imported RRULE and the fields that hold it must yield the same dates this far (whichever comes first).
MATCH_YEARS = 10
MATCH_OCCURRENCES = 500
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

SUPPORTED_PARTS = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "COUNT", "UNTIL", "WKST"}
NTH_WEEKDAY_RE = re.compile(r"^([+-]?\d+)?(MO|TU|WE|TH|FR|SA|SU)$")
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


def _month_lengths(month):
    """Shortest and longest length of a month (February: 28, 29), or of any month when None."""
    if month is None:
        return 28, 31
    lengths = [calendar.monthrange(year, month)[1] for year in (2023, 2024)]
    return min(lengths), max(lengths)


def _bymonthday(day, month=None):
    """RRULE parts for "day N of the month", falling on the month's last day when it is shorter.

    RFC 5545 says "the 31st, or the last day" as BYMONTHDAY=28,29,30,31;BYSETPOS=-1:
    the last of those days that the month has.
    """
    shortest = _month_lengths(month)[0]
    if day <= shortest:
        return [f"BYMONTHDAY={day}"]
    return ["BYMONTHDAY=" + ",".join(str(d) for d in range(shortest, day + 1)), "BYSETPOS=-1"]


def _rrule_parts(parts, *keys):
    """Some parts of an RRULE as they read in it ("BYDAY=FR;BYMONTHDAY=13"), to name them to the user."""
    return ";".join(f"{key}={parts[key]}" for key in keys if key in parts)


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
    rrule = fields.Char(
        string="RRULE",
        compute="_compute_rrule",
        inverse="_inverse_rrule",
        help="The rule as an RFC 5545 RRULE string; writing one sets the fields above.",
    )
    rrule_error = fields.Char(
        string="RRULE Error",
        compute="_compute_rrule_error",
        help="Why the RRULE typed cannot be held, said as it is typed.",
    )
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

    # ------------------------------------------------------------------
    # Fields <-> RRULE string
    # ------------------------------------------------------------------
    @api.depends(*RULE_FIELDS)
    def _compute_rrule(self):
        for rule in self:
            rule.rrule = rule._rrule_serialize() if rule._rule_error() is None else False

    @api.depends("rrule", "date_start")
    def _compute_rrule_error(self):
        for rule in self:
            rule.rrule_error = False
            if rule.rrule and rule._rule_error() is None and rule.rrule != rule._rrule_serialize():
                try:
                    rule._rrule_parse(rule.rrule, rule.date_start)
                except ValidationError as error:
                    rule.rrule_error = error.args[0]

    @api.onchange("rrule")
    def _onchange_rrule(self):
        """A typed or pasted RRULE sets the fields at once, so the summary and the next dates follow it;
        one that cannot be held leaves them, and the text typed, as they are (``rrule_error`` says why)."""
        # Not when the fields themselves wrote the rule again (it would reset "For 1 year" to its end date).
        for rule in self.filtered(lambda r: r.rrule and (r._rule_error() or r.rrule != r._rrule_serialize())):
            try:
                vals = rule._rrule_parse(rule.rrule, rule.date_start)
            except ValidationError:
                continue
            rule.update(vals)

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
            if not vals.get("date_start") and len(set(self.mapped("date_start"))) > 1:
                # One string is another rule from another start (its weekday, its day of the month).
                for records in self.grouped("date_start").values():
                    records.write(vals)
                return True
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
        """Field values that hold an RRULE string exactly; a ValidationError naming a part they cannot hold.

        A part held in another form is rewritten to it (a daily rule on some weekdays is the weekly
        rule on those days); a part the fields cannot hold is refused, never dropped. Last, the fields'
        own rule must yield the dates of the string, so that no rule is ever read as another.
        """

        def invalid(reason):
            return ValidationError(
                self.env._("The recurrence rule “%(rule)s” is not valid: %(reason)s", rule=rule_str, reason=reason)
            )

        def refuse(reason):
            return ValidationError(
                self.env._("The recurrence rule “%(rule)s” cannot be used: %(reason)s.", rule=rule_str, reason=reason)
            )

        value = (rule_str or "").strip().upper()
        dtstart = re.search(r"DTSTART(?:;[^:]*)?:(\d{8})", value)
        if dtstart:
            date_start = datetime.strptime(dtstart.group(1), "%Y%m%d").date()
        start = date_start or self._get_today()
        rules = []
        for line in filter(None, map(str.strip, value.splitlines())):
            name, sep, content = line.partition(":")
            if sep and name != "RRULE":
                if not name.startswith("DTSTART"):
                    raise refuse(self.env._("the form cannot hold %(parts)s", parts=name.split(";")[0]))
            elif rules:
                raise refuse(self.env._("the form holds one RRULE, not several"))
            else:
                rules.append(content or line)
        value = re.sub(r";?X-[-\w]+=[^;]*", "", "".join(rules)).strip(";")
        try:
            parts = dict(item.split("=", 1) for item in value.split(";") if item)
            until = "UNTIL" in parts and datetime.strptime(parts["UNTIL"][:8], "%Y%m%d").date()
            if until:
                parts["UNTIL"] = f"{until:%Y%m%d}"  # our rules are dates: 19971224T000000Z ends on 24 December
            if "COUNT" in parts and "UNTIL" in parts:
                raise refuse(self.env._("it cannot end both after a number of times (COUNT) and on a date (UNTIL)"))
            value = ";".join(f"{key}={part}" for key, part in parts.items())
            du_rrule.rrulestr(value, dtstart=datetime.combine(start, time.min))
        except ValueError as error:
            raise invalid(error) from error
        unknown = set(parts) - SUPPORTED_PARTS
        if unknown:
            raise refuse(self.env._("the form cannot hold %(parts)s", parts=", ".join(sorted(unknown))))
        if parts.get("FREQ", "").lower() not in dict(RRULE_TYPE_SELECTION):
            raise invalid(self.env._("the frequency must be daily, weekly, monthly or yearly"))
        held = self._rrule_held_form(parts)
        if "BYMONTH" in held and held["FREQ"] != "YEARLY":
            raise refuse(
                self.env._(
                    "only a yearly rule can be limited to a month (%(part)s)", part=_rrule_parts(held, "BYMONTH")
                )
            )
        vals = {"rrule_type": held["FREQ"].lower(), "interval": int(held.get("INTERVAL", 1))}
        if held["FREQ"] in ("DAILY", "WEEKLY"):
            vals.update(self._rrule_parse_week_part(held, start, refuse))
        else:
            vals.update(self._rrule_parse_month_part(held, start, refuse))
        if "COUNT" in parts:
            vals.update(end_type="count", count=int(parts["COUNT"]))
        elif "UNTIL" in parts:
            vals.update(end_type="end_date", until=until, duration=0)
        else:
            vals["end_type"] = "forever"
        self._rrule_check_held(value, vals, start, refuse)
        if dtstart:
            vals["date_start"] = date_start
        return vals

    @api.model
    def _rrule_held_form(self, parts):
        """The parts of an RRULE rewritten to the equivalent form the fields hold, where there is one."""
        parts = dict(parts)
        freq, interval = parts["FREQ"], int(parts.get("INTERVAL", 1))
        weekdays = {code for code in parts.get("BYDAY", "").split(",") if code}
        if freq == "DAILY" and weekdays == set(DAY_CODES):
            del parts["BYDAY"]  # every day of the week keeps every day
        elif freq == "DAILY" and weekdays and interval == 1:
            parts["FREQ"] = "WEEKLY"  # every day, on some weekdays: every week on them
        elif freq == "MONTHLY" and interval == 1 and parts.get("BYMONTH", "").isdigit():
            parts["FREQ"] = "YEARLY"  # every month, in one month: every year in it
        elif (
            freq == "YEARLY"
            and interval == 1
            and "BYMONTHDAY" in parts
            and not parts.keys() & {"BYMONTH", "BYDAY", "BYSETPOS"}
        ):
            parts["FREQ"] = "MONTHLY"  # a day of the month, every year without a month: of every month
        return parts

    @api.model
    def _rrule_parse_week_part(self, parts, start, refuse):
        """The weekdays of a daily or weekly RRULE; what only a month can hold is refused."""
        if "BYMONTHDAY" in parts:
            raise refuse(
                self.env._(
                    "only a monthly or yearly rule can fall on a day of the month (%(part)s)",
                    part=_rrule_parts(parts, "BYMONTHDAY"),
                )
            )
        if "BYSETPOS" in parts:
            raise refuse(
                self.env._(
                    "only a monthly or yearly rule can pick the n-th of its days (%(part)s)",
                    part=_rrule_parts(parts, "BYSETPOS"),
                )
            )
        byday = [NTH_WEEKDAY_RE.match(code) for code in parts.get("BYDAY", "").split(",") if code]
        if any(match.group(1) for match in byday):
            raise refuse(
                self.env._(
                    "a numbered weekday (%(part)s) needs a monthly or yearly rule", part=_rrule_parts(parts, "BYDAY")
                )
            )
        if parts["FREQ"] == "DAILY":
            if byday:
                raise refuse(
                    self.env._(
                        "a rule repeating every %(interval)s days cannot be limited to some weekdays (%(part)s)",
                        interval=parts["INTERVAL"],
                        part=_rrule_parts(parts, "BYDAY"),
                    )
                )
            return {}
        codes = {match.group(2) for match in byday} or {DAY_CODES[start.weekday()]}
        return {fname: code in codes for fname, code in zip(DAY_FIELDS, DAY_CODES, strict=True)}

    @api.model
    def _rrule_parse_month_part(self, parts, start, refuse):
        """The day of a monthly or yearly RRULE (BYMONTH, BYMONTHDAY, BYDAY, BYSETPOS) as field values."""
        yearly = parts["FREQ"] == "YEARLY"
        bymonth = parts.get("BYMONTH")
        if bymonth and "," in bymonth:
            raise refuse(
                self.env._(
                    "a rule can be limited to one month only, not to several (%(part)s)",
                    part=_rrule_parts(parts, "BYMONTH"),
                )
            )
        setpos = parts.get("BYSETPOS")
        byday = [code for code in parts.get("BYDAY", "").split(",") if code]
        if byday and "BYMONTHDAY" in parts:
            raise refuse(
                self.env._(
                    "a weekday and a day of the month cannot be combined (%(part)s)",
                    part=_rrule_parts(parts, "BYDAY", "BYMONTHDAY"),
                )
            )
        if yearly and not bymonth and "BYMONTHDAY" in parts:
            raise refuse(
                self.env._(
                    "a yearly rule on a day of the month needs its month (BYMONTH),"
                    " or it falls in every month (%(part)s)",
                    part=_rrule_parts(parts, "BYMONTHDAY", "BYSETPOS"),
                )
            )
        if byday:
            match = NTH_WEEKDAY_RE.match(byday[0])
            nth = [number.lstrip("+") for number in (match.group(1), setpos) if number]
            if len(byday) > 1 or len(nth) != 1 or nth[0] not in dict(BYDAY_SELECTION):
                raise refuse(
                    self.env._(
                        "the form holds one weekday of the month, the first to the fourth or the last"
                        " (for example BYDAY=1TU or BYDAY=-1FR), not %(part)s",
                        part=_rrule_parts(parts, "BYDAY", "BYSETPOS"),
                    )
                )
            vals = {"month_by": "day", "byday": nth[0], "weekday": CODE_TO_WEEKDAY[match.group(2)]}
            if yearly:
                # The n-th weekday of a year is in its January, the last one in its December.
                vals["month"] = bymonth or ("12" if nth[0] == "-1" else "1")
            return vals
        month = int(bymonth or start.month) if yearly else None
        shortest, longest = _month_lengths(month)
        days = sorted({int(day) for day in parts.get("BYMONTHDAY", str(start.day)).split(",")})
        if days == [-1] and setpos in (None, "-1"):
            day = longest
        elif days[0] >= 1 and setpos == "-1" and set(range(min(days[-1], shortest), days[-1] + 1)) <= set(days):
            # The last of the days 28..31 that a month has: the form's "day 31".
            day = min(days[-1], longest)
        elif len(days) == 1 and days[0] >= 1 and not setpos:
            day = days[0]
            if day > shortest:
                raise refuse(
                    self.env._(
                        "it skips the months without a day %(day)s (%(part)s), whereas the form's day %(day)s"
                        " falls on the last day of shorter months",
                        day=day,
                        part=_rrule_parts(parts, "BYMONTHDAY"),
                    )
                    if "BYMONTHDAY" in parts
                    else self.env._(
                        "without BYMONTHDAY it repeats on the start date's day of the month, %(day)s, and skips"
                        " the months without it, whereas the form's day %(day)s falls on the last day of shorter"
                        " months",
                        day=day,
                    )
                )
        else:
            raise refuse(
                self.env._(
                    "the form holds one day of the month, from 1 to 31 (or BYMONTHDAY=-1 for the last day),"
                    " not %(part)s",
                    part=_rrule_parts(parts, "BYMONTHDAY", "BYSETPOS"),
                )
            )
        return {"month_by": "date", "day": day, **({"month": str(month)} if yearly else {})}

    @api.model
    def _rrule_check_held(self, value, vals, start, refuse):
        """Refuse field values that do not yield the dates of the RRULE `value` they were read from.

        The parsing refuses what it knows the fields cannot hold; this checks the rest on the dates
        themselves, for whatever a reading misses (a WKST that moves the weeks of the rule, ...).
        """
        rule = self.new({**vals, "date_start": start})
        rule._check_rule()
        held = rule._rrule_serialize()
        dates = self._rrule_sample(held, start)
        if self._rrule_sample(value, start) != dates:
            # Name the part without which the string gives the fields' dates, else those the fields lack.
            items = value.split(";")
            unheld = [
                item
                for item in items
                if not item.startswith("FREQ=")
                and self._rrule_sample(";".join(other for other in items if other != item), start) == dates
            ] or [item for item in items if item not in held.split(";")]
            raise refuse(
                self.env._(
                    "the form cannot hold %(parts)s exactly, it would give other dates",
                    parts=";".join(unheld or items),
                )
            )

    @api.model
    def _rrule_sample(self, value, start):
        """The first dates of an RRULE value from `start`: enough to tell two rules apart."""
        end = datetime.combine(start + relativedelta(years=MATCH_YEARS), time.max)
        occurrences = du_rrule.rrulestr(value, dtstart=datetime.combine(start, time.min))
        return [dt.date() for dt in islice(takewhile(lambda dt: dt <= end, occurrences), MATCH_OCCURRENCES)]

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

    @api.depends(*RULE_FIELDS, *WORKING_DAY_FIELDS)
    def _compute_preview_html(self):
        for rule in self:
            error = rule._rule_error()
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

# Part of recurring_interactions. License LGPL-3.
"""The rule as an RFC 5545 RRULE string: written from the fields, and read back into them.

Reading refuses, with a sentence naming the part, any rule the fields cannot hold exactly: a rule is
never read as another (it is checked on its dates). The fields, the dates and what the form shows
are in recurring_rule_mixin.py.
"""

import calendar
import re
from datetime import datetime, time
from itertools import islice, takewhile

from dateutil import rrule as du_rrule
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .recurring_rule_mixin import (
    BYDAY_SELECTION,
    CODE_TO_WEEKDAY,
    DAY_CODES,
    DAY_FIELDS,
    RRULE_TYPE_SELECTION,
    RULE_FIELDS,
    WEEKDAY_TO_CODE,
)

SUPPORTED_PARTS = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "COUNT", "UNTIL", "WKST"}
NTH_WEEKDAY_RE = re.compile(r"^([+-]?\d+)?(MO|TU|WE|TH|FR|SA|SU)$")
# An imported RRULE and the fields that hold it must yield the same dates this far (whichever comes first).
MATCH_YEARS = 10
MATCH_OCCURRENCES = 500


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


class RecurringRuleRrule(models.AbstractModel):
    _inherit = "recurring.rule.mixin"

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

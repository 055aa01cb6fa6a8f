"""The rule engine (recurring.rule.mixin): fields -> RRULE -> dates, checked against dateutil."""

import calendar
from datetime import date, datetime

import pytest
from dateutil import rrule as du
from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo.addons.recurring_interactions.models.series_compat import USER_GROUPS
from odoo.exceptions import ValidationError
from odoo.tests import Form

from .common import RecurringCase

# About interactions: run again where recurring_interactions is installed alone (scripts/run-tests.sh).
pytestmark = pytest.mark.interactions


def d(text):
    return date.fromisoformat(text)


def dateutil_dates(freq, start, **kwargs):
    """The oracle: dateutil's own rrule built from keyword arguments, not from our string."""
    return [dt.date() for dt in du.rrule(freq, dtstart=datetime.combine(start, datetime.min.time()), **kwargs)]


def month_ends(start, count, day):
    """Day `day` of each month from `start`'s month, or the month's last day when it is shorter."""
    dates, current = [], start.replace(day=1)
    while len(dates) < count:
        last = calendar.monthrange(current.year, current.month)[1]
        candidate = current.replace(day=min(day, last))
        if candidate >= start:
            dates.append(candidate)
        current += relativedelta(months=1)
    return dates


# (label, field values, oracle dates); each oracle is computed without our code.
RULES = [
    (
        "daily x10",
        dict(date_start=d("2026-01-01"), rrule_type="daily", end_type="count", count=10),
        dateutil_dates(du.DAILY, d("2026-01-01"), count=10),
    ),
    (
        "every 3 days until",
        dict(date_start=d("2026-01-01"), rrule_type="daily", interval=3, end_type="end_date", until=d("2026-02-01")),
        dateutil_dates(du.DAILY, d("2026-01-01"), interval=3, until=datetime(2026, 2, 1)),
    ),
    (
        "daily over the year end",
        dict(date_start=d("2026-12-30"), rrule_type="daily", end_type="count", count=5),
        [d("2026-12-30"), d("2026-12-31"), d("2027-01-01"), d("2027-01-02"), d("2027-01-03")],
    ),
    (
        "every Monday x5",
        dict(date_start=d("2026-11-28"), mon=True, end_type="count", count=5),
        dateutil_dates(du.WEEKLY, d("2026-11-28"), byweekday=du.MO, count=5),
    ),
    (
        "Tuesday and Thursday every 2 weeks",
        dict(date_start=d("2026-11-30"), tue=True, thu=True, interval=2, end_type="count", count=10),
        dateutil_dates(du.WEEKLY, d("2026-11-30"), interval=2, byweekday=(du.TU, du.TH), count=10),
    ),
    (
        "every day of the week x14",
        dict(
            date_start=d("2026-11-30"),
            mon=True,
            tue=True,
            wed=True,
            thu=True,
            fri=True,
            sat=True,
            sun=True,
            end_type="count",
            count=14,
        ),
        dateutil_dates(du.DAILY, d("2026-11-30"), count=14),
    ),
    (
        "Wednesday for a year (seed)",
        dict(date_start=d("2026-11-30"), wed=True, end_type="end_date", until=d("2027-11-29")),
        dateutil_dates(du.WEEKLY, d("2026-11-30"), byweekday=du.WE, until=datetime(2027, 11, 29)),
    ),
    (
        "Friday, starting on a Saturday",
        dict(date_start=d("2026-11-28"), fri=True, end_type="count", count=3),
        [d("2026-12-04"), d("2026-12-11"), d("2026-12-18")],
    ),
    (
        "Mon/Wed/Fri until an occurrence",
        dict(date_start=d("2026-12-01"), mon=True, wed=True, fri=True, end_type="end_date", until=d("2026-12-11")),
        [d("2026-12-02"), d("2026-12-04"), d("2026-12-07"), d("2026-12-09"), d("2026-12-11")],
    ),
    (
        "monthly on the 15th x12",
        dict(date_start=d("2026-01-01"), rrule_type="monthly", day=15, end_type="count", count=12),
        dateutil_dates(du.MONTHLY, d("2026-01-01"), bymonthday=15, count=12),
    ),
    (
        "monthly on the 31st",
        dict(date_start=d("2026-01-01"), rrule_type="monthly", day=31, end_type="count", count=12),
        month_ends(d("2026-01-01"), 12, 31),
    ),
    (
        "monthly on the 30th over a leap February",
        dict(date_start=d("2027-11-01"), rrule_type="monthly", day=30, end_type="count", count=14),
        month_ends(d("2027-11-01"), 14, 30),
    ),
    (
        "monthly on the 29th, common year",
        dict(date_start=d("2027-01-01"), rrule_type="monthly", day=29, end_type="count", count=13),
        month_ends(d("2027-01-01"), 13, 29),
    ),
    (
        "the 31st from mid-February",
        dict(date_start=d("2026-02-15"), rrule_type="monthly", day=31, end_type="count", count=3),
        [d("2026-02-28"), d("2026-03-31"), d("2026-04-30")],
    ),
    (
        "the 5th, starting after it",
        dict(date_start=d("2026-01-10"), rrule_type="monthly", day=5, end_type="count", count=2),
        [d("2026-02-05"), d("2026-03-05")],
    ),
    (
        "every 2 months on the 1st until",
        dict(
            date_start=d("2026-01-01"),
            rrule_type="monthly",
            day=1,
            interval=2,
            end_type="end_date",
            until=d("2027-01-01"),
        ),
        dateutil_dates(du.MONTHLY, d("2026-01-01"), interval=2, bymonthday=1, until=datetime(2027, 1, 1)),
    ),
    (
        "first Tuesday of the month (seed)",
        dict(
            date_start=d("2026-01-01"),
            rrule_type="monthly",
            month_by="day",
            byday="1",
            weekday="TUE",
            end_type="count",
            count=12,
        ),
        dateutil_dates(du.MONTHLY, d("2026-01-01"), byweekday=du.TU(1), count=12),
    ),
    (
        "last Friday of the month",
        dict(
            date_start=d("2026-01-01"),
            rrule_type="monthly",
            month_by="day",
            byday="-1",
            weekday="FRI",
            end_type="count",
            count=12,
        ),
        dateutil_dates(du.MONTHLY, d("2026-01-01"), byweekday=du.FR(-1), count=12),
    ),
    (
        "second Monday every 3 months",
        dict(
            date_start=d("2026-01-01"),
            rrule_type="monthly",
            month_by="day",
            byday="2",
            weekday="MON",
            interval=3,
            end_type="count",
            count=8,
        ),
        dateutil_dates(du.MONTHLY, d("2026-01-01"), interval=3, byweekday=du.MO(2), count=8),
    ),
    (
        "last Monday until",
        dict(
            date_start=d("2026-01-01"),
            rrule_type="monthly",
            month_by="day",
            byday="-1",
            weekday="MON",
            end_type="end_date",
            until=d("2026-12-31"),
        ),
        dateutil_dates(du.MONTHLY, d("2026-01-01"), byweekday=du.MO(-1), until=datetime(2026, 12, 31)),
    ),
    (
        "yearly on 29 February",
        dict(date_start=d("2024-02-29"), rrule_type="yearly", month="2", day=29, end_type="count", count=6),
        [d("2024-02-29"), d("2025-02-28"), d("2026-02-28"), d("2027-02-28"), d("2028-02-29"), d("2029-02-28")],
    ),
    (
        "yearly on 31 December",
        dict(date_start=d("2026-01-01"), rrule_type="yearly", month="12", day=31, end_type="count", count=4),
        dateutil_dates(du.YEARLY, d("2026-01-01"), bymonth=12, bymonthday=31, count=4),
    ),
    (
        "every 2 years on 15 March",
        dict(date_start=d("2026-03-15"), rrule_type="yearly", month="3", day=15, interval=2, end_type="count", count=5),
        dateutil_dates(du.YEARLY, d("2026-03-15"), interval=2, count=5),
    ),
    (
        "last Friday of November",
        dict(
            date_start=d("2026-01-01"),
            rrule_type="yearly",
            month="11",
            month_by="day",
            byday="-1",
            weekday="FRI",
            end_type="count",
            count=5,
        ),
        dateutil_dates(du.YEARLY, d("2026-01-01"), bymonth=11, byweekday=du.FR(-1), count=5),
    ),
    (
        "yearly on 31 April is 30 April",
        dict(date_start=d("2026-01-01"), rrule_type="yearly", month="4", day=31, end_type="count", count=2),
        [d("2026-04-30"), d("2027-04-30")],
    ),
    (
        "daily for 1 month (duration)",
        dict(date_start=d("2026-02-01"), rrule_type="daily", end_type="end_date", duration=1, duration_unit="months"),
        dateutil_dates(du.DAILY, d("2026-02-01"), until=datetime(2026, 2, 28)),
    ),
    (
        "weekly for 2 weeks (duration)",
        dict(date_start=d("2026-12-01"), tue=True, end_type="end_date", duration=2, duration_unit="weeks"),
        [d("2026-12-01"), d("2026-12-08")],
    ),
]


class TestRuleEngine(RecurringCase):
    def test_expansion_matches_dateutil(self):
        """Every rule of the table gives the oracle's dates, and the dates dateutil reads from our RRULE."""
        for label, vals, expected in RULES:
            with self.subTest(rule=label):
                rec = self._recurrence(**vals)
                dates = rec._get_occurrence_dates()
                self.assertEqual(dates, expected, f"{label}: {rec.rrule}")
                from_string = [
                    dt.date()
                    for dt in du.rrulestr(rec.rrule, dtstart=datetime.combine(rec.date_start, datetime.min.time()))
                ]
                self.assertEqual(dates, from_string, label)
                self.assertTrue(all(isinstance(day, date) for day in dates))

    @freeze_time("2026-11-28 10:00:00")
    def test_open_ended_rule_stops_at_horizon(self):
        rec = self._recurrence(date_start=d("2026-11-28"), rrule_type="daily", end_type="forever")
        dates = rec._get_occurrence_dates()
        self.assertEqual(dates[0], d("2026-11-28"))
        self.assertEqual(dates[-1], d("2026-11-28") + relativedelta(days=365))
        self.env["ir.config_parameter"].set_param("recurring_interactions.horizon_days", "30")
        self.assertEqual(rec._get_occurrence_dates()[-1], d("2026-12-28"))

    def test_window(self):
        rec = self._recurrence(date_start=d("2026-01-01"), rrule_type="monthly", day=31, end_type="forever")
        self.assertEqual(
            rec._get_occurrence_dates(date_from=d("2026-02-01"), date_to=d("2026-04-30")),
            [d("2026-02-28"), d("2026-03-31"), d("2026-04-30")],
        )
        # Window bounds are inclusive, and the rule's own end still applies inside a window.
        rec.write({"end_type": "count", "count": 2})
        self.assertEqual(rec._get_occurrence_dates(date_to=d("2027-01-01")), [d("2026-01-31"), d("2026-02-28")])

    def test_limit_of_occurrences(self):
        with self.assertRaises(ValidationError) as error:
            self._recurrence(date_start=d("2026-01-01"), rrule_type="daily", end_type="end_date", until=d("2046-01-01"))
        self.assertIn("5000", str(error.exception))


class TestRuleStrings(RecurringCase):
    """What a user picks on the form, and the RRULE it reads as (and back)."""

    def _form(self):
        form = Form(self.Recurrence.with_context(tz="UTC"))
        form.name = "Form rule"
        form.resource_ref = self.partner
        form.date_start = d("2026-12-01")
        return form

    def test_form_the_31st(self):
        form = self._form()
        form.rrule_type = "monthly"
        form.month_by = "date"
        form.day = 31
        form.end_type = "forever"
        rec = form.save()
        self.assertEqual(rec.rrule, "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=28,29,30,31;BYSETPOS=-1")
        self.assertEqual(rec._get_occurrence_dates(date_to=d("2027-02-28"))[-1], d("2027-02-28"))

    def test_form_first_tuesday(self):
        form = self._form()
        form.rrule_type = "monthly"
        form.month_by = "day"
        form.byday = "1"
        form.weekday = "TUE"
        form.end_type = "count"
        form.count = 3
        rec = form.save()
        self.assertEqual(rec.rrule, "FREQ=MONTHLY;INTERVAL=1;BYDAY=1TU;COUNT=3")
        self.assertEqual(rec._get_occurrence_dates(), [d("2026-12-01"), d("2027-01-05"), d("2027-02-02")])

    def test_form_tuesday_and_thursday_every_two_weeks(self):
        form = self._form()
        form.rrule_type = "weekly"
        form.tue = False  # pre-filled from the start date (a Tuesday): the user keeps it
        form.tue = True
        form.thu = True
        form.interval = 2
        form.end_type = "end_date"
        form.duration = 1
        form.duration_unit = "years"
        rec = form.save()
        self.assertEqual(rec.until, d("2027-11-30"))
        self.assertEqual(rec.rrule, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20271130")
        self.assertEqual(rec._get_occurrence_dates()[:3], [d("2026-12-01"), d("2026-12-03"), d("2026-12-15")])

    def test_form_prefills_from_start_date(self):
        form = self._form()
        form.rrule_type = "weekly"
        self.assertTrue(form.tue, "1 December 2026 is a Tuesday")
        form.rrule_type = "yearly"
        self.assertEqual((form.month, form.day), ("12", 1))

    def test_form_preview_lists_next_dates(self):
        form = self._form()
        with freeze_time("2026-11-28"):
            form.date_start = d("2026-11-28")
            form.rrule_type = "monthly"
            form.day = 31
            form.end_type = "count"
            form.count = 3
            html = str(form.preview_html)
        self.assertEqual(html.count("<li>"), 3)
        self.assertIn("30 November 2026", html)
        self.assertIn("31 December 2026", html)
        self.assertIn("31 January 2027", html)

    def test_write_rrule_sets_fields(self):
        rec = self._recurrence(date_start=d("2026-01-01"), tue=True)
        # (what is written, the same rule for dateutil, the fields it sets)
        cases = [
            (
                "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3",
                "FREQ=MONTHLY;BYDAY=-1FR;COUNT=3",
                dict(rrule_type="monthly", month_by="day", byday="-1", weekday="FRI", end_type="count", count=3),
            ),
            (
                "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE",
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE",
                dict(rrule_type="weekly", interval=2, mon=True, wed=True, tue=False, end_type="forever"),
            ),
            ("FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=MONTHLY;BYMONTHDAY=-1", dict(month_by="date", day=31)),
            (
                "FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1;UNTIL=20261231",
                "FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1;UNTIL=20261231",
                dict(month_by="date", day=30, end_type="end_date", until=d("2026-12-31")),
            ),
            (
                "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=1",
                "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=1",
                dict(month_by="day", byday="1", weekday="TUE"),
            ),
            (
                "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1",
                "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1",
                dict(rrule_type="yearly", month="2", day=29),
            ),
            (
                "FREQ=DAILY;INTERVAL=3;X-EVOLUTION-ENDDATE=20200120;COUNT=4",
                "FREQ=DAILY;INTERVAL=3;COUNT=4",
                dict(rrule_type="daily", interval=3, count=4),
            ),
        ]
        horizon = d("2027-12-31")
        for written, plain, expected in cases:
            with self.subTest(rule=written):
                rec.rrule = written
                for fname, value in expected.items():
                    self.assertEqual(rec[fname], value, f"{written}: {fname}")
                oracle = [
                    dt.date()
                    for dt in du.rrulestr(plain, dtstart=datetime(2026, 1, 1)).between(
                        datetime(2026, 1, 1), datetime(2027, 12, 31), inc=True
                    )
                ]
                self.assertEqual(rec._get_occurrence_dates(date_to=horizon), oracle, written)

    def test_summary_in_words(self):
        rec = self._recurrence(date_start=d("2026-12-01"), tue=True, thu=True, interval=2, end_type="count", count=4)
        self.assertEqual(rec.rrule_summary, "Every 2 weeks on Tuesday, Thursday, 4 times")
        rec.write(
            {
                "rrule_type": "monthly",
                "interval": 1,
                "month_by": "day",
                "byday": "1",
                "weekday": "TUE",
                "end_type": "forever",
            }
        )
        self.assertEqual(rec.rrule_summary, "Every month, on the first Tuesday")


class TestRuleValidation(RecurringCase):
    """Bad input: a ValidationError naming the problem, and nothing written."""

    BAD = [
        ("interval below 1", dict(interval=0, tue=True), "Repeat Every"),
        ("negative interval", dict(interval=-2, tue=True), "Repeat Every"),
        ("day 0", dict(rrule_type="monthly", month_by="date", day=0), "Day of Month"),
        ("day 32", dict(rrule_type="monthly", month_by="date", day=32), "Day of Month"),
        ("weekly without weekday", dict(rrule_type="weekly"), "weekday"),
        ("n-th weekday without weekday", dict(rrule_type="monthly", month_by="day", byday="1"), "weekday"),
        (
            "end before start",
            dict(tue=True, date_start=d("2026-12-01"), end_type="end_date", until=d("2026-11-01")),
            "before the start date",
        ),
        ("end date missing", dict(tue=True, end_type="end_date"), "Repeat Until"),
        ("count below 1", dict(tue=True, end_type="count", count=0), "Repetitions"),
        ("count above the limit", dict(tue=True, end_type="count", count=5001), "Repetitions"),
        ("rrule that does not parse", dict(rrule="FREQ=SOMETIMES;BYDAY=XX"), "not valid"),
        ("rrule garbage", dict(rrule="every tuesday please"), "not valid"),
        ("rrule hourly", dict(rrule="FREQ=HOURLY;INTERVAL=1"), "not valid"),
        ("rrule with unsupported part", dict(rrule="FREQ=DAILY;BYHOUR=3"), "BYHOUR"),
    ]

    def test_bad_input_on_create_writes_nothing(self):
        before = self.Recurrence.search_count([])
        for label, vals, message in self.BAD:
            with self.subTest(case=label), self.assertRaises(ValidationError) as error:
                self._recurrence(**vals)
            self.assertIn(message, str(error.exception), label)
        self.assertEqual(self.Recurrence.search_count([]), before)

    def test_bad_input_on_write_changes_nothing(self):
        rec = self._recurrence(date_start=d("2026-12-01"), tue=True, end_type="count", count=4)
        rule = rec.rrule
        for label, vals, message in self.BAD:
            vals = dict(vals, **({"tue": False} if label == "weekly without weekday" else {}))
            vals.pop("date_start", None)
            with self.subTest(case=label), self.assertRaises(ValidationError) as error:
                rec.write(vals)
            self.assertIn(message, str(error.exception), label)
            rec.invalidate_recordset()
            self.assertEqual(rec.rrule, rule, label)
            self.assertEqual(
                rec._get_occurrence_dates(), [d("2026-12-01"), d("2026-12-08"), d("2026-12-15"), d("2026-12-22")]
            )

    def test_message_in_user_language(self):
        for lang, expected in (("fr_FR", "Répéter"), ("ro_RO", "Repetă")):
            self.env["res.lang"]._activate_lang(lang)
            self.env["ir.module.module"]._load_module_terms(["recurring_interactions"], [lang], overwrite=True)
            with self.subTest(lang=lang), self.assertRaises(ValidationError) as error:
                self.Recurrence.with_context(lang=lang).create(self._recurrence_vals(interval=0, tue=True))
            self.assertIn(expected, str(error.exception))


class TestToday(RecurringCase):
    """ "Today" is the user's date (or the company's for scheduled actions), never the server's UTC date."""

    @freeze_time("2026-03-10 23:00:00")
    def test_user_in_utc_plus_13(self):
        user = self.env["res.users"].create(
            {
                "name": "Tonga User",
                "login": "tonga",
                "tz": "Pacific/Tongatapu",
                USER_GROUPS: [(6, 0, [self.env.ref("base.group_user").id])],
            }
        )
        Recurrence = self.Recurrence.with_user(user).with_context(tz=False)
        self.assertEqual(Recurrence._get_today(), d("2026-03-11"))
        self.assertEqual(Recurrence.default_get(["date_start"])["date_start"], d("2026-03-11"))
        self.assertEqual(self.Recurrence.with_context(tz="UTC")._get_today(), d("2026-03-10"))

    @freeze_time("2026-03-10 23:00:00")
    def test_company_time_zone_for_scheduled_actions(self):
        company = self.env["res.company"].create({"name": "Auckland Ltd"})
        company.partner_id.tz = "Pacific/Auckland"
        self.assertEqual(self.Recurrence._get_today(company), d("2026-03-11"))
        company.partner_id.tz = "America/New_York"
        self.assertEqual(self.Recurrence._get_today(company), d("2026-03-10"))

"""RRULE import (R6): a pasted rule is held exactly or refused with the part named, never read as another."""

import re
from contextlib import closing
from datetime import date, datetime, time
from itertools import product

import pytest
from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

from odoo.addons.recurring_interactions.models.recurring_rule_mixin import RULE_FIELDS
from odoo.exceptions import ValidationError

from .common import RecurringCase

# About interactions: run again where recurring_interactions is installed alone (scripts/run-tests.sh).
pytestmark = pytest.mark.interactions

# Every rule of RFC 5545, section 3.8.5.3 (Examples), with its DTSTART (a date: our rules are dates).
RFC_EXAMPLES = [
    ("19970902", "FREQ=DAILY;COUNT=10"),
    ("19970902", "FREQ=DAILY;UNTIL=19971224T000000Z"),
    ("19970902", "FREQ=DAILY;INTERVAL=2"),
    ("19970902", "FREQ=DAILY;INTERVAL=10;COUNT=5"),
    ("19980101", "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA"),
    ("19980101", "FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1"),
    ("19970902", "FREQ=WEEKLY;COUNT=10"),
    ("19970902", "FREQ=WEEKLY;UNTIL=19971224T000000Z"),
    ("19970902", "FREQ=WEEKLY;INTERVAL=2;WKST=SU"),
    ("19970902", "FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH"),
    ("19970902", "FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH"),
    ("19970901", "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR"),
    ("19970902", "FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH"),
    ("19970905", "FREQ=MONTHLY;COUNT=10;BYDAY=1FR"),
    ("19970905", "FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR"),
    ("19970907", "FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU"),
    ("19970922", "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO"),
    ("19970928", "FREQ=MONTHLY;BYMONTHDAY=-3"),
    ("19970902", "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15"),
    ("19970930", "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1"),
    ("19970910", "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15"),
    ("19970902", "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU"),
    ("19970610", "FREQ=YEARLY;COUNT=10;BYMONTH=6,7"),
    ("19970310", "FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3"),
    ("19970101", "FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200"),
    ("19970519", "FREQ=YEARLY;BYDAY=20MO"),
    ("19970512", "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO"),
    ("19970313", "FREQ=YEARLY;BYMONTH=3;BYDAY=TH"),
    ("19970605", "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8"),
    ("19970902", "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13"),
    ("19970913", "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13"),
    ("19961105", "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8"),
    ("19970904", "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3"),
    ("19970929", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2"),
    ("19970902", "FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z"),
    ("19970902", "FREQ=MINUTELY;INTERVAL=15;COUNT=6"),
    ("19970902", "FREQ=MINUTELY;INTERVAL=90;COUNT=4"),
    ("19970902", "FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40"),
    ("19970902", "FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16"),
    ("19970805", "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO"),
    ("19970805", "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU"),
    ("20070115", "FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5"),
]
# Of those, what the form holds: these must be accepted.
RFC_HELD = {
    "FREQ=DAILY;COUNT=10",
    "FREQ=DAILY;UNTIL=19971224T000000Z",
    "FREQ=DAILY;INTERVAL=2",
    "FREQ=DAILY;INTERVAL=10;COUNT=5",
    "FREQ=WEEKLY;COUNT=10",
    "FREQ=WEEKLY;UNTIL=19971224T000000Z",
    "FREQ=WEEKLY;INTERVAL=2;WKST=SU",
    "FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH",
    "FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH",
    "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
    "FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH",
    "FREQ=MONTHLY;COUNT=10;BYDAY=1FR",
    "FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR",
    "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
}

# The grid: each frequency x each BY-part (alone and in the combinations calendars write) x intervals x ends.
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
BY_PARTS = (
    "",
    "BYDAY=TU,TH",
    "BYDAY=MO,TU,WE,TH,FR",
    "BYDAY=MO,TU,WE,TH,FR,SA,SU",
    "BYDAY=SU",
    "BYDAY=1FR",
    "BYDAY=+2MO",
    "BYDAY=4WE",
    "BYDAY=-1SU",
    "BYDAY=5MO",
    "BYDAY=-2FR",
    "BYDAY=1MO,-1FR",
    "BYDAY=TU;BYSETPOS=3",
    "BYDAY=FR;BYSETPOS=-1",
    "BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    "BYDAY=SU,TU;WKST=SU",
    "BYMONTHDAY=1",
    "BYMONTHDAY=15",
    "BYMONTHDAY=28",
    "BYMONTHDAY=29",
    "BYMONTHDAY=30",
    "BYMONTHDAY=31",
    "BYMONTHDAY=-1",
    "BYMONTHDAY=-2",
    "BYMONTHDAY=1,15",
    "BYMONTHDAY=28,29,30,31;BYSETPOS=-1",
    "BYMONTHDAY=29,30;BYSETPOS=-1",
    "BYMONTHDAY=30,31;BYSETPOS=-1",
    "BYMONTHDAY=1,15;BYSETPOS=-1",
    "BYMONTHDAY=1,15;BYSETPOS=1",
    "BYMONTH=1",
    "BYMONTH=2",
    "BYMONTH=9",
    "BYMONTH=1,3",
    "BYMONTH=2;BYMONTHDAY=29",
    "BYMONTH=2;BYMONTHDAY=-1",
    "BYMONTH=2;BYMONTHDAY=28,29;BYSETPOS=-1",
    "BYMONTH=4;BYMONTHDAY=31",
    "BYMONTH=1;BYMONTHDAY=31",
    "BYMONTH=11;BYDAY=-1FR",
    "BYMONTH=3;BYDAY=TH",
    "BYMONTH=6;BYDAY=MO;BYSETPOS=2",
    "BYDAY=FR;BYMONTHDAY=13",
    "BYSETPOS=1",
    "WKST=SU",
    "BYYEARDAY=100",
    "BYWEEKNO=20",
    "BYHOUR=9",
)
INTERVALS = (1, 2)
ENDS = ("", "COUNT=5", "UNTIL={until:%Y%m%d}", "UNTIL={until:%Y%m%d}T000000Z")
# A Tuesday in a common year, the 31st of a month, and 29 February.
STARTS = (date(1997, 9, 2), date(2024, 1, 31), date(2024, 2, 29))
WINDOW = relativedelta(years=6)


def grid():
    """(RRULE, start) for each frequency, BY-part, interval and end; the start turns with them."""
    for index, (freq, by_part, interval, end) in enumerate(product(FREQUENCIES, BY_PARTS, INTERVALS, ENDS)):
        start = STARTS[index % len(STARTS)]
        parts = [f"FREQ={freq}", f"INTERVAL={interval}", by_part, end.format(until=start + relativedelta(years=2))]
        yield ";".join(filter(None, parts)), start


def dateutil_dates(rule, start):
    """The oracle: dateutil's own reading of the string from `start`, a date-time UNTIL ending on its day."""
    rule = re.sub(r"(UNTIL=\d{8})T\d{6}Z?", r"\1", rule.split("RRULE:")[-1])
    dtstart = datetime.combine(start, time.min)
    occurrences = rrulestr(rule, dtstart=dtstart).between(dtstart, datetime.combine(start + WINDOW, time.max), inc=True)
    return [occurrence.date() for occurrence in occurrences]


class TestRruleImport(RecurringCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.recurrence = cls._recurrence(date_start=date(2026, 1, 6), tue=True, end_type="count", count=4)

    def _created(self, rule, start):
        """The dates of a recurrence created with the rule, or None when it is refused."""
        with closing(self.env.cr.savepoint()):
            try:
                recurrence = self.Recurrence.create(self._recurrence_vals(date_start=start, rrule=rule))
            except ValidationError:
                return None
            return recurrence._get_occurrence_dates(date_to=start + WINDOW)

    def _written(self, rule, start):
        """The dates of a recurrence once the rule is written on it, or None when it is refused (nothing written)."""
        recurrence = self.recurrence
        with closing(self.env.cr.savepoint()):
            recurrence.date_start = start
            before = recurrence.read(RULE_FIELDS)
            try:
                recurrence.write({"rrule": rule})
            except ValidationError:
                recurrence.invalidate_recordset()
                self.assertEqual(recurrence.read(RULE_FIELDS), before, f"{rule}: refused, yet written")
                return None
            return recurrence._get_occurrence_dates(date_to=start + WINDOW)

    def test_corpus_is_held_exactly_or_refused(self):
        """Each rule, created with or written on a recurrence, is refused or yields dateutil's dates.

        The RFC's examples (pasted with their DTSTART) take both paths and must agree; the grid
        takes them in turn, to stay fast.
        """
        both = (self._created, self._written)
        corpus = [
            (f"DTSTART;TZID=America/New_York:{dtstart}T090000\nRRULE:{rule}", date.fromisoformat(dtstart), both)
            for dtstart, rule in RFC_EXAMPLES
        ]
        corpus += [(rule, start, (both[index % 2],)) for index, (rule, start) in enumerate(grid())]
        accepted, refused, wrong = [], [], []
        for rule, start, paths in corpus:
            results = [path(rule, start) for path in paths]
            if all(dates is None for dates in results):
                refused.append(rule)
            elif all(dates == dateutil_dates(rule, start) for dates in results):
                accepted.append(rule)
            else:
                wrong.append(rule)
        print(f"RRULE corpus: {len(accepted)} accepted, {len(refused)} refused, {len(wrong)} read wrongly")
        self.assertEqual(wrong, [], "read as other rules")
        accepted_rfc = {rule.split("RRULE:")[-1] for rule in accepted if "RRULE:" in rule}
        self.assertEqual(accepted_rfc, RFC_HELD, "the RFC's examples that the form holds, and only those")
        held = {
            "FREQ=DAILY;INTERVAL=1;BYDAY=MO,TU,WE,TH,FR",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=5",
            "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=-1",
            "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1SU",
            "FREQ=YEARLY;INTERVAL=1;BYMONTH=11;BYDAY=-1FR",
            "FREQ=YEARLY;INTERVAL=2;BYMONTH=2;BYMONTHDAY=-1",
        }
        self.assertEqual(held - set(accepted), set(), "rules the form holds")
        self.assertGreater(len(accepted), len(corpus) // 5)

    def test_issue_examples(self):
        """The rules of the report: the weekdays of a daily rule are held, its months and days of the month refused."""
        start = date(1997, 9, 2)
        self.assertEqual(
            self._created("FREQ=DAILY;COUNT=3;BYDAY=TU,TH", start), [start, date(1997, 9, 4), date(1997, 9, 9)]
        )
        for rule, part in (
            ("FREQ=DAILY;COUNT=3;BYMONTH=1,3", "BYMONTH=1,3"),
            ("FREQ=WEEKLY;COUNT=3;BYMONTHDAY=1,3", "BYMONTHDAY=1,3"),
        ):
            with self.subTest(rule=rule), self.assertRaisesRegex(ValidationError, re.escape(part)):
                self.recurrence.write({"rrule": rule})

    def test_equivalent_forms(self):
        """A rule the form holds in another form is read as that form."""
        for rule, expected in (
            ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", dict(rrule_type="weekly", mon=True, fri=True, sat=False, sun=False)),
            ("FREQ=DAILY;INTERVAL=2;BYDAY=MO,TU,WE,TH,FR,SA,SU", dict(rrule_type="daily", interval=2)),
            ("FREQ=MONTHLY;BYMONTH=3;BYDAY=1MO", dict(rrule_type="yearly", month="3", byday="1", weekday="MON")),
            ("FREQ=YEARLY;BYDAY=MO;BYSETPOS=2", dict(rrule_type="yearly", month="1", byday="2", weekday="MON")),
            ("FREQ=YEARLY;BYDAY=-1FR", dict(rrule_type="yearly", month="12", byday="-1", weekday="FRI")),
            ("FREQ=YEARLY;BYMONTHDAY=15", dict(rrule_type="monthly", month_by="date", day=15)),
            ("FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=28,29,30,31;BYSETPOS=-1", dict(month="4", day=30)),
            ("FREQ=MONTHLY;BYMONTHDAY=1,15;BYSETPOS=-1", dict(month_by="date", day=15)),
        ):
            with self.subTest(rule=rule):
                self.recurrence.write({"rrule": rule})
                for fname, value in expected.items():
                    self.assertEqual(self.recurrence[fname], value, f"{rule}: {fname}")

    def test_refusal_names_the_part(self):
        """A refusal is a sentence that names the part the form cannot hold."""
        for rule, part in (
            ("FREQ=DAILY;BYMONTH=1,3", "BYMONTH=1,3"),
            ("FREQ=DAILY;INTERVAL=2;BYDAY=TU,TH", "BYDAY=TU,TH"),
            ("FREQ=WEEKLY;BYDAY=1MO", "BYDAY=1MO"),
            ("FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=1", "BYSETPOS=1"),
            ("FREQ=MONTHLY;INTERVAL=2;BYMONTH=3", "BYMONTH=3"),
            ("FREQ=YEARLY;BYMONTH=6,7", "BYMONTH=6,7"),
            ("FREQ=MONTHLY;BYMONTHDAY=31", "BYMONTHDAY=31"),
            ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "BYMONTHDAY=29"),
            ("FREQ=MONTHLY;BYDAY=-2MO", "BYDAY=-2MO"),
            ("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", "BYDAY=FR;BYMONTHDAY=13"),
            ("FREQ=MONTHLY;BYMONTHDAY=2,15", "BYMONTHDAY=2,15"),
            ("FREQ=YEARLY;INTERVAL=2;BYMONTHDAY=15", "BYMONTHDAY=15"),
            ("FREQ=DAILY;COUNT=3;UNTIL=19971224", "UNTIL"),
            ("FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", "BYWEEKNO"),
            ("DTSTART:19970805T090000\nRRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", "WKST=SU"),
            ("DTSTART:19970902T090000\nEXDATE:19970902T090000\nRRULE:FREQ=DAILY", "EXDATE"),
            ("DTSTART:19970131\nRRULE:FREQ=MONTHLY", "31"),
        ):
            with self.subTest(rule=rule), self.assertRaises(ValidationError) as error:
                self.recurrence.write({"rrule": rule})
            message = str(error.exception)
            self.assertTrue(message.startswith(f"The recurrence rule “{rule}” cannot be used: "), message)
            self.assertIn(part, message.split("cannot be used: ", 1)[1])

    def test_write_on_recurrences_of_different_starts(self):
        """One string is read from each recurrence's own start: a weekly rule falls on each start's weekday."""
        thursday = self._recurrence(date_start=date(2026, 1, 8), thu=True)
        (self.recurrence | thursday).write({"rrule": "FREQ=WEEKLY;COUNT=2"})
        self.assertEqual(self.recurrence._get_occurrence_dates(), [date(2026, 1, 6), date(2026, 1, 13)])
        self.assertEqual(thursday._get_occurrence_dates(), [date(2026, 1, 8), date(2026, 1, 15)])

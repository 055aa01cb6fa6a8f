"""Working days (R9): an occurrence on a day off or a public holiday is kept, moved or skipped.

The oracle is typed by hand: a Monday-to-Friday schedule whose only public holiday is New Year's
Day 2027, a Friday. Weekdays used below: 1 Dec 2026 Tue, 25 Dec Fri, 31 Dec Thu, 1 Jan 2027 Fri,
4 Jan Mon, 1 Feb Mon, 1 Mar Mon, 1 Apr Thu, 30 Apr Fri, 1 May Sat, 3 May Mon, 1 Jun Tue, 1 Jul Thu,
30 Jul Fri, 1 Aug Sun, 2 Aug Mon, 1 Sep Wed, 1 Oct Fri, 1 Nov Mon.
"""

from datetime import date, datetime

from dateutil import rrule as du
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError

from .common import RecurringCase
from .test_recurring_invoice import RecurringInvoiceCase


def d(text):
    return date.fromisoformat(text)


def days(*texts):
    return [d(text) for text in texts]


def monday_to_friday(env, holidays=(), tz="UTC", company=None):
    """A Monday-to-Friday schedule (8-12, 13-17) with these public holidays, each a (from, to) in UTC."""
    return env["resource.calendar"].create(
        {
            "name": "Monday to Friday",
            "tz": tz,
            "company_id": (company or env.company).id,
            "attendance_ids": [
                Command.create(
                    {"name": f"Day {day} {period}", "dayofweek": str(day), "hour_from": start, "hour_to": end}
                    | {"day_period": period}
                )
                for day in range(5)
                for start, end, period in ((8, 12, "morning"), (13, 17, "afternoon"))
            ],
            "global_leave_ids": [
                Command.create({"name": "Public holiday", "date_from": start, "date_to": end})
                for start, end in holidays
            ],
        }
    )


def whole_day(text):
    """A public holiday on that day, as the Working Schedules form stores it for a schedule in UTC."""
    return datetime.fromisoformat(f"{text} 00:00:00"), datetime.fromisoformat(f"{text} 23:59:59")


def add_holiday(calendar, text):
    calendar.env["resource.calendar.leaves"].create(
        {
            "name": "Added holiday",
            "calendar_id": calendar.id,
            "date_from": whole_day(text)[0],
            "date_to": whole_day(text)[1],
        }
    )


MONTHLY_ON_THE_FIRST = {
    "rrule_type": "monthly",
    "month_by": "date",
    "day": 1,
    "date_start": d("2026-12-01"),
    "end_type": "count",
    "count": 12,
}
NOMINAL_FIRSTS = days(
    "2026-12-01",
    "2027-01-01",
    "2027-02-01",
    "2027-03-01",
    "2027-04-01",
    "2027-05-01",
    "2027-06-01",
    "2027-07-01",
    "2027-08-01",
    "2027-09-01",
    "2027-10-01",
    "2027-11-01",
)


class NewYearScheduleMixin:
    """The oracle's schedule: Monday to Friday, New Year's Day 2027 off."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.schedule = monday_to_friday(cls.env, holidays=[whole_day("2027-01-01")])

    def _on_working_days(self, mode):
        return {"non_working_days": mode, "resource_calendar_id": self.schedule.id}


class TestWorkingDayDates(NewYearScheduleMixin, RecurringCase):
    def _rule(self, mode, **vals):
        return self._recurrence(**{**MONTHLY_ON_THE_FIRST, **self._on_working_days(mode), **vals})

    def test_keep_is_the_plain_rule(self):
        rule = self._rule("keep")
        self.assertEqual(rule._get_occurrence_dates(), NOMINAL_FIRSTS)
        oracle = [dt.date() for dt in du.rrulestr(rule.rrule, dtstart=datetime(2026, 12, 1))]
        self.assertEqual(rule._get_occurrence_dates(), oracle)
        self.assertNotIn("working days", rule.rrule_summary)

    def test_monthly_on_the_first_next_working_day(self):
        rule = self._rule("next")
        expected = days(
            "2026-12-01",
            "2027-01-04",  # New Year's Day, then the weekend
            "2027-02-01",
            "2027-03-01",
            "2027-04-01",
            "2027-05-03",  # Saturday
            "2027-06-01",
            "2027-07-01",
            "2027-08-02",  # Sunday
            "2027-09-01",
            "2027-10-01",
            "2027-11-01",
        )
        self.assertEqual(rule._get_occurrence_dates(), expected)
        # The RRULE stays the nominal rule; each occurrence keeps its nominal date.
        self.assertEqual(rule.rrule, "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=1;COUNT=12")
        self.assertEqual(rule._get_occurrence_pairs()[rule], list(zip(NOMINAL_FIRSTS, expected, strict=True)))
        self.assertEqual(rule.rrule_summary, "Every month, on day 1, 12 times, on working days: next")

    def test_monthly_on_the_first_previous_working_day(self):
        expected = days(
            "2026-12-01",
            "2026-12-31",  # the Thursday before New Year's Day
            "2027-02-01",
            "2027-03-01",
            "2027-04-01",
            "2027-04-30",  # the Friday before Saturday 1 May
            "2027-06-01",
            "2027-07-01",
            "2027-07-30",  # the Friday before Sunday 1 August
            "2027-09-01",
            "2027-10-01",
            "2027-11-01",
        )
        self.assertEqual(self._rule("previous")._get_occurrence_dates(), expected)

    def test_monthly_on_the_first_skip(self):
        expected = days(
            "2026-12-01",
            "2027-02-01",
            "2027-03-01",
            "2027-04-01",
            "2027-06-01",
            "2027-07-01",
            "2027-09-01",
            "2027-10-01",
            "2027-11-01",
        )
        rule = self._rule("skip")
        self.assertEqual(rule._get_occurrence_dates(), expected)
        self.assertEqual(rule.last_date, d("2027-11-01"))

    def test_window_is_on_working_days(self):
        """A window holds the occurrences that fall in it once moved: Saturday 1 May moved to 3 May is in May."""
        rule = self._rule("next")
        self.assertEqual(rule._get_occurrence_dates(d("2027-05-02"), d("2027-05-31")), days("2027-05-03"))
        self.assertEqual(rule._get_occurrence_dates(d("2027-04-02"), d("2027-05-01")), [])
        self.assertEqual(
            self._rule("previous")._get_occurrence_dates(d("2027-04-02"), d("2027-04-30")), days("2027-04-30")
        )

    def test_weekend_moving_to_monday_gives_monday_once(self):
        daily = {"rrule_type": "daily", "date_start": d("2027-01-08"), "end_type": "count", "count": 4}
        rule = self._rule("next", **daily)  # Fri 8, Sat 9, Sun 10, Mon 11 January
        self.assertEqual(rule._get_occurrence_dates(), days("2027-01-08", "2027-01-11"))
        # Monday stands for Saturday, Sunday and itself: Saturday, the first, is its identity.
        self.assertEqual(
            rule._get_occurrence_pairs()[rule], [(d("2027-01-08"),) * 2, (d("2027-01-09"), d("2027-01-11"))]
        )
        previous = self._rule("previous", **daily)
        self.assertEqual(previous._get_occurrence_dates(), days("2027-01-08", "2027-01-11"))
        # From the middle of the weekend, the merged Sunday stays merged into Friday.
        self.assertEqual(list(previous._iter_occurrences(d("2027-01-10"))), [(d("2027-01-11"),) * 2])

    def test_holiday_stored_in_utc_falls_on_the_local_day(self):
        """A company in UTC+2: New Year's Day is 31 Dec 22:00 to 1 Jan 21:59:59 in UTC, and Thursday 31 Dec works."""
        self.env.company.partner_id.tz = "Europe/Bucharest"
        bucharest = monday_to_friday(
            self.env,
            holidays=[(datetime(2026, 12, 31, 22, 0), datetime(2027, 1, 1, 21, 59, 59))],
            tz="Europe/Bucharest",
        )
        daily = {"rrule_type": "daily", "date_start": d("2026-12-30"), "end_type": "count", "count": 6}
        rule = self._rule("previous", resource_calendar_id=bucharest.id, **daily)
        self.assertEqual(rule._get_occurrence_dates(), days("2026-12-30", "2026-12-31", "2027-01-04"))
        rule.non_working_days = "next"
        self.assertEqual(rule._get_occurrence_dates(), days("2026-12-30", "2026-12-31", "2027-01-04"))
        self.assertEqual(rule._get_occurrence_pairs()[rule][-1], (d("2027-01-01"), d("2027-01-04")))

    def test_holidays_of_all_schedules_count(self):
        """A public holiday without a schedule is off in every schedule of its company."""
        rule = self._rule("skip", resource_calendar_id=monday_to_friday(self.env).id)
        self.assertIn(d("2027-06-01"), rule._get_occurrence_dates())
        start, end = whole_day("2027-06-01")
        self.env["resource.calendar.leaves"].create({"name": "All schedules", "date_from": start, "date_to": end})
        self.assertNotIn(d("2027-06-01"), rule._get_occurrence_dates())

    @freeze_time("2027-04-15 09:00:00")
    def test_next_dates_show_the_moved_date_with_its_nominal_one(self):
        rule = self._rule("next")
        self.assertIn("Monday 3 May 2027, moved from Saturday 1 May", rule.preview_html)
        self.assertIn("Tuesday 1 June 2027</li>", rule.preview_html)

    def test_default_schedule_is_the_company_one(self):
        rule = self._recurrence(tue=True)
        self.assertEqual(rule.non_working_days, "keep")
        self.assertEqual(rule.resource_calendar_id, self.env.company.resource_calendar_id)

    def test_schedule_of_another_company_is_refused(self):
        other = self.env["res.company"].create({"name": "Other Company"})
        foreign = monday_to_friday(self.env, company=other)
        count = self.Recurrence.search_count([])
        with self.assertRaises(ValidationError):
            self._rule("next", resource_calendar_id=foreign.id)
        self.assertEqual(self.Recurrence.search_count([]), count)
        rule = self._rule("next")
        with self.assertRaises(ValidationError):
            rule.write({"resource_calendar_id": foreign.id, "name": "Renamed"})
        rule.invalidate_recordset()
        self.assertEqual(rule.resource_calendar_id, self.schedule)
        self.assertEqual(rule.name, "Follow-up")

    def test_moving_needs_a_schedule(self):
        with self.assertRaises(ValidationError):
            self._rule("next", resource_calendar_id=False)


@freeze_time("2026-11-30 09:00:00")
class TestWorkingDayInteractions(NewYearScheduleMixin, RecurringCase):
    """Interactions are due on working days; holidays added later move or remove the open future ones."""

    def _fridays(self, mode):
        """Every Friday from 4 December 2026, 6 times: 4, 11, 18, 25 Dec, 1 Jan (New Year's Day), 8 Jan."""
        return self._recurrence(
            date_start=d("2026-12-04"),
            fri=True,
            end_type="count",
            count=6,
            **self._on_working_days(mode),
        )

    def _due(self, rec):
        return {a.recurring_date: a.date_deadline for a in rec.interaction_ids.filtered("active")}

    def test_generated_on_working_days_and_moved_by_a_holiday_added_later(self):
        rec = self._fridays("next")
        rec.action_generate()
        self.assertEqual(
            self._due(rec),
            dict(
                zip(
                    days("2026-12-04", "2026-12-11", "2026-12-18", "2026-12-25", "2027-01-01", "2027-01-08"),
                    days("2026-12-04", "2026-12-11", "2026-12-18", "2026-12-25", "2027-01-04", "2027-01-08"),
                    strict=True,
                )
            ),
        )
        done = rec.interaction_ids.filtered(lambda a: a.recurring_date == d("2026-12-04"))
        done._action_done()
        by_hand = rec.interaction_ids.filtered(lambda a: a.recurring_date == d("2026-12-11"))
        by_hand.date_deadline = d("2026-12-10")  # a user moved it: it stays

        # Christmas becomes a holiday; the daily run moves its interaction to Monday 28 December.
        add_holiday(self.schedule, "2026-12-25")
        add_holiday(self.schedule, "2026-12-04")
        self.env["recurring.interaction"]._cron_generate()
        self.assertEqual(self._due(rec)[d("2026-12-25")], d("2026-12-28"))
        self.assertEqual(self._due(rec)[d("2026-12-11")], d("2026-12-10"), "moved by hand: stays")
        self.assertFalse(done.active)
        self.assertEqual(done.date_deadline, d("2026-12-04"), "done: never touched")
        self.assertEqual(len(rec.interaction_ids), 6, "moved, not duplicated")

        # From the next working day to the previous one: the rule moves what it placed.
        rec.non_working_days = "previous"
        self.assertEqual(
            rec.action_generate()["params"]["message"], "0 planned, 2 moved to a working day, 1 done kept."
        )
        self.assertEqual(self._due(rec)[d("2026-12-25")], d("2026-12-24"))
        self.assertEqual(self._due(rec)[d("2027-01-01")], d("2026-12-31"))
        self.assertEqual(rec._reconcile_activities(), (0, 0, 0))

    def test_skip_removes_the_open_interaction_of_a_new_holiday(self):
        rec = self._fridays("skip")
        rec.action_generate()
        self.assertEqual(len(rec.interaction_ids), 5, "New Year's Day is skipped")
        add_holiday(self.schedule, "2026-12-18")
        self.env["recurring.interaction"]._cron_generate()
        self.assertEqual(sorted(self._due(rec).values()), days("2026-12-04", "2026-12-11", "2026-12-25", "2027-01-08"))

    def test_keep_leaves_due_dates_as_they_are(self):
        """Keeping the dates: a Saturday interaction a user moved to Monday stays on Monday."""
        rec = self._recurrence(date_start=d("2026-12-05"), sat=True, end_type="count", count=3)
        rec.action_generate()
        first = rec.interaction_ids.filtered(lambda a: a.recurring_date == d("2026-12-05"))
        first.date_deadline = d("2026-12-07")
        self.assertEqual(rec._reconcile_activities(), (0, 0, 0))
        self.assertEqual(first.date_deadline, d("2026-12-07"))

    def test_saturday_moved_to_monday_is_planned_on_monday(self):
        """Today is Monday 30 November: Saturday 28's occurrence, moved to today, is still to plan."""
        rec = self._recurrence(
            rrule_type="daily",
            date_start=d("2026-11-27"),
            end_type="count",
            count=5,
            **self._on_working_days("next"),
        )
        rec.action_generate()
        self.assertEqual(self._due(rec), {d("2026-11-28"): d("2026-11-30"), d("2026-12-01"): d("2026-12-01")})
        self.assertEqual(rec._reconcile_activities(), (0, 0, 0))


class TestWorkingDayInvoices(NewYearScheduleMixin, RecurringInvoiceCase):
    """Invoices are dated on working days and created exactly once, whatever holidays do afterwards."""

    def _invoices(self, template):
        return {m.recurring_date: m.invoice_date for m in template.invoice_ids}

    def test_invoices_on_working_days_exactly_once_also_after_a_holiday_is_added(self):
        template = self._template(
            date_start=d("2026-12-01"),
            **self._on_working_days("next"),
        )
        with freeze_time("2027-01-01"):  # New Year's Day: January's invoice waits for Monday 4
            self._cron()
            self.assertEqual(self._invoices(template), {d("2026-12-01"): d("2026-12-01")})
            self.assertEqual(template.next_invoice_date, d("2027-01-04"))
        with freeze_time("2027-01-04"):
            self._cron()
            self.assertEqual(self._invoices(template)[d("2027-01-01")], d("2027-01-04"))
        # A holiday added on Monday 1 February, before its invoice: it is dated Tuesday 2.
        add_holiday(self.schedule, "2027-02-01")
        with freeze_time("2027-02-01"):
            self._cron()
            self.assertEqual(len(template.invoice_ids), 2)
        with freeze_time("2027-02-02"):
            self._cron()
        # Holidays added on days already invoiced: nothing is invoiced twice.
        add_holiday(self.schedule, "2027-01-04")
        add_holiday(self.schedule, "2027-02-02")
        with freeze_time("2027-02-03"):
            self._cron()
            template.action_generate()
        self.assertEqual(
            self._invoices(template),
            {d("2026-12-01"): d("2026-12-01"), d("2027-01-01"): d("2027-01-04"), d("2027-02-01"): d("2027-02-02")},
        )
        self.assertEqual(template.next_invoice_date, d("2027-03-01"))

    def test_previous_working_day_is_invoiced_that_day_and_once(self):
        template = self._template(
            date_start=d("2027-05-01"),
            **self._on_working_days("previous"),
        )
        self.assertEqual(template.next_invoice_date, d("2027-04-30"))
        with freeze_time("2027-04-30"):  # Friday, for Saturday 1 May
            self._cron()
        self.assertEqual(self._invoices(template), {d("2027-05-01"): d("2027-04-30")})
        add_holiday(self.schedule, "2027-04-30")  # now due on Thursday 29: already invoiced
        with freeze_time("2027-05-03"):
            self._cron()
        self.assertEqual(self._invoices(template), {d("2027-05-01"): d("2027-04-30")})

    @freeze_time("2026-11-15")
    def test_issue_activities_and_forecast_on_working_days(self):
        # January is two periods ahead of today (15 November): a company that bills two periods ahead.
        self.env.company.recurring_invoice_periods_ahead = 2
        template = self._template(
            date_start=d("2026-12-01"),
            end_type="count",
            count=6,
            **self._on_working_days("next"),
        )
        template.action_generate()
        activities = self._activities(template)
        nominal = days("2026-12-01", "2027-01-01", "2027-02-01", "2027-03-01", "2027-04-01", "2027-05-01")
        working = days("2026-12-01", "2027-01-04", "2027-02-01", "2027-03-01", "2027-04-01", "2027-05-03")
        self.assertEqual(activities.mapped("recurring_date"), nominal)
        self.assertEqual(activities.mapped("date_deadline"), working)
        forecast = self.env["recurring.invoice.forecast"].search([("recurring_invoice_id", "=", template.id)])
        self.assertEqual(forecast.mapped("date"), working)
        # Issued from its activity ahead of time, January's invoice is dated today, never later.
        january = activities.filtered(lambda a: a.recurring_date == d("2027-01-01"))
        confirmation = january.action_issue_recurring_invoice()
        self.env[confirmation["res_model"]].browse(confirmation["res_id"]).action_issue()
        self.assertEqual(self._invoices(template), {d("2027-01-01"): d("2026-11-15")})

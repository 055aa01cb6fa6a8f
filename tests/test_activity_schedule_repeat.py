"""“Repeat” in the Schedule Activity dialog: the scheduled activity is the first occurrence of a new recurrence."""

import unittest
from datetime import date, datetime

import pytest
from dateutil import rrule as du
from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, new_test_user

from .common import RecurringCase

# About interactions: run again where recurring_interactions is installed alone (scripts/run-tests.sh).
pytestmark = pytest.mark.interactions

TODAY = "2026-11-30"  # a Monday
INTERNAL = "base.group_user,base.group_partner_manager"


def d(text):
    return date.fromisoformat(text)


@freeze_time(TODAY + " 09:00:00")
class TestActivityScheduleRepeat(RecurringCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.follow_up = cls.env.ref("recurring_interactions.mail_activity_type_follow_up")
        # A plain internal user who may edit contacts: every internal user may make their activities repeat.
        cls.user = new_test_user(cls.env, "scheduler", groups=INTERNAL, name="Scheduler")

    def _dialog(self, records, user=None):
        """The Schedule Activity dialog as the chatter (or a list's action) opens it on `records`."""
        Schedule = self.env["mail.activity.schedule"].with_user(user or self.user)
        context = {"active_model": records._name, "active_ids": records.ids, "active_id": records[:1].id}
        form = Form(Schedule.with_context(**context))
        form.activity_type_id = self.follow_up
        form.summary = "Weekly call"
        form.date_deadline = d(TODAY)
        return form

    def _recurrences(self):
        return self.Recurrence.search([("res_model", "=", "res.partner"), ("res_id", "=", self.partner.id)])

    def _assert_refused_before_writing(self, exception, action, message):
        # unittest's own assertRaises: Odoo's rolls back to a savepoint, and would hide what was written.
        with unittest.TestCase.assertRaises(self, exception) as caught:
            action()
        self.assertIn(message, str(caught.exception))
        self.assertFalse(self.partner.activity_ids, "no activity scheduled")
        self.assertFalse(self._recurrences(), "no recurrence created")

    def test_repeat_makes_the_scheduled_activity_the_first_occurrence(self):
        form = self._dialog(self.partner)
        form.recurring_repeat = True
        self.assertTrue(form.mon, "the due date's weekday is pre-selected")
        form.thu = True
        self.assertEqual(form.rrule_summary, "Every week on Monday, Thursday")
        form.save().action_schedule_activities()

        recurrence = self._recurrences()
        self.assertEqual(len(recurrence), 1)
        self.assertEqual(recurrence.rrule, "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH")
        self.assertEqual(
            (recurrence.name, recurrence.date_start, recurrence.user_id), ("Weekly call", d(TODAY), self.user)
        )
        first = self.partner.activity_ids.filtered(lambda a: a.date_deadline == d(TODAY))
        self.assertEqual(len(first), 1, "one activity on the due date: the scheduled one, not a duplicate")
        self.assertEqual((first.recurring_interaction_id, first.recurring_date), (recurrence, d(TODAY)))
        self.assertFalse(first.automated, "the one the user scheduled")
        # The next dates are planned, on the rule's dates (dateutil's) up to where it is planned.
        self.assertGreaterEqual(recurrence.generated_until, d("2026-12-07"))
        expected = [
            dt.date()
            for dt in du.rrule(
                du.WEEKLY,
                byweekday=(du.MO, du.TH),
                dtstart=datetime(2026, 11, 30),
                until=datetime.combine(recurrence.generated_until, datetime.min.time()),
            )
        ]
        self.assertEqual(sorted(self.partner.activity_ids.mapped("date_deadline")), expected)
        self.assertEqual(self.partner.activity_ids, recurrence.interaction_ids)

    def test_repeat_and_mark_done(self):
        """ "Mark Done" with Repeat: the first occurrence is done at once, the next ones are planned."""
        form = self._dialog(self.partner)
        form.recurring_repeat = True
        form.save().with_context(mail_activity_quick_update=True).action_schedule_activities_done()
        recurrence = self._recurrences()
        self.assertEqual(len(recurrence), 1)
        self.assertIn(d("2026-12-07"), recurrence.interaction_ids.mapped("date_deadline"))
        self.assertNotIn(d(TODAY), self.partner.activity_ids.mapped("date_deadline"), "today's is done")

    def test_without_repeat_nothing_repeats(self):
        self._dialog(self.partner).save().action_schedule_activities()
        self.assertEqual(len(self.partner.activity_ids), 1)
        self.assertFalse(self.partner.activity_ids.recurring_interaction_id)
        self.assertFalse(self._recurrences())

    def test_bad_rule_is_refused_and_nothing_written(self):
        form = self._dialog(self.partner)
        form.recurring_repeat = True
        form.end_type = "end_date"
        form.until = d("2026-11-20")
        # The dialog saves itself before it schedules: its check says what is wrong.
        self._assert_refused_before_writing(ValidationError, form.save, "is before the start date")

        # The same rules reaching the scheduling itself (a dialog saved without its checks) are refused before it.
        Schedule = self.env["mail.activity.schedule"].with_user(self.user)
        base = {
            **Schedule.default_get(list(Schedule._fields)),
            "res_model": "res.partner",
            "res_ids": str([self.partner.id]),
            "activity_type_id": self.follow_up.id,
            "date_deadline": d(TODAY),
            "recurring_repeat": True,
        }
        for values, message in (
            ({"mon": True, "end_type": "end_date", "until": d("2026-11-20")}, "is before the start date"),
            ({"rrule_type": "weekly"}, "A weekly rule needs at least one weekday."),
        ):
            with self.subTest(message=message):
                scheduler = Schedule.new({**base, **values})
                self._assert_refused_before_writing(ValidationError, scheduler._action_schedule_activities, message)

    def test_due_date_off_the_rule_stays_a_one_off_activity(self):
        """Due on a Wednesday, repeating on Mondays: the Wednesday activity stays as it is, the Mondays follow."""
        form = self._dialog(self.partner)
        form.date_deadline = d("2026-12-02")
        form.recurring_repeat = True
        self.assertTrue(form.wed)
        form.wed = False
        form.mon = True
        form.save().action_schedule_activities()
        recurrence = self._recurrences()
        one_off = self.partner.activity_ids.filtered(lambda a: a.date_deadline == d("2026-12-02"))
        self.assertEqual(len(one_off), 1)
        self.assertFalse(one_off.recurring_interaction_id, "not an occurrence of the rule")
        self.assertEqual(recurrence.interaction_ids[:1].date_deadline, d("2026-12-07"))
        # Regenerating never removes it.
        recurrence.write({"tue": True})
        recurrence._reconcile_activities()
        self.assertTrue(one_off.exists())
        self.assertNotIn(one_off, recurrence.interaction_ids)

    def test_make_recurring_on_other_weekdays_keeps_the_activity(self):
        """The same from an existing activity ("Make Recurring"), its weekday unticked in the recurrence."""
        activity = self.partner.activity_schedule(
            activity_type_id=self.follow_up.id, date_deadline=d("2026-12-02"), user_id=self.user.id
        )
        action = activity.action_make_recurring()
        recurrence = self.Recurrence.with_context(**action["context"]).create({"wed": False, "fri": True})
        recurrence.action_generate()
        self.assertTrue(activity.exists())
        self.assertFalse(activity.recurring_interaction_id)
        self.assertEqual(recurrence.interaction_ids[:1].date_deadline, d("2026-12-04"))

    def test_only_one_record_and_recurrence_users_can_repeat(self):
        other = self.env["res.partner"].create({"name": "Other Customer"})
        batch = self._dialog(self.partner | other)
        self.assertFalse(batch.recurring_can_repeat, "no Repeat on several records at once")
        scheduler = batch.save()
        scheduler.write({"recurring_repeat": True, "mon": True})
        self._assert_refused_before_writing(UserError, scheduler.action_schedule_activities, "several records")
        self.assertFalse(other.activity_ids)

        # A user who may not create recurrences (internal users may, unless the administrator says otherwise).
        recurring_user = self.env.ref("recurring_interactions.group_recurring_user")
        self.env.ref("base.group_user").write({"implied_ids": [(3, recurring_user.id)]})
        outsider = new_test_user(self.env, "outsider", groups=INTERNAL)
        self.assertFalse(outsider.has_group("recurring_interactions.group_recurring_user"))
        dialog = self._dialog(self.partner, user=outsider)
        self.assertFalse(dialog.recurring_can_repeat)
        scheduler = dialog.save()
        scheduler.write({"recurring_repeat": True, "mon": True})
        self._assert_refused_before_writing(UserError, scheduler.action_schedule_activities, "not allowed")

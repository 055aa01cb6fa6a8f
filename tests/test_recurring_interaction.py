"""Recurring interactions: the seed's workflow, regeneration, lifecycle and scheduled action."""

from datetime import date, datetime, timedelta

import pytest
from dateutil import rrule as du
from freezegun import freeze_time

from odoo.addons.recurring_interactions.models.series_compat import SERIES, USER_GROUPS
from odoo.exceptions import UserError, ValidationError

from .common import RecurringCase, run_scheduled_action

# About interactions: run again where recurring_interactions is installed alone (scripts/run-tests.sh).
pytestmark = pytest.mark.interactions

TODAY = "2026-11-30"  # a Monday


def d(text):
    return date.fromisoformat(text)


def weekly(start, until, weekday):
    """Oracle: dateutil's weekly dates from start to until on one weekday."""
    return [
        x.date()
        for x in du.rrule(
            du.WEEKLY,
            dtstart=datetime.combine(start, datetime.min.time()),
            byweekday=weekday,
            until=datetime.combine(until, datetime.min.time()),
        )
    ]


@freeze_time(TODAY + " 09:00:00")
class TestRecurringInteraction(RecurringCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.follow_up = cls.env.ref("recurring_interactions.mail_activity_type_follow_up")
        cls.assignee = cls.env["res.users"].create(
            {
                "name": "Operator",
                "login": "operator",
                "email": "operator@example.com",
                USER_GROUPS: [(6, 0, [cls.env.ref("base.group_user").id])],
            }
        )

    def _seed_recurrence(self, **vals):
        """The seed's example: weekly follow-up on Wednesday, for 1 year."""
        values = dict(
            name="Is the problem solved?",
            date_start=d(TODAY),
            wed=True,
            end_type="end_date",
            duration=1,
            duration_unit="years",
            user_id=self.assignee.id,
            summary="Call the customer",
        )
        values.update(vals)
        return self._recurrence(**values)

    def _open(self, rec):
        return rec.interaction_ids.filtered("active")

    def test_seed_generate_fifty_two_interactions(self):
        rec = self._seed_recurrence()
        self.assertEqual(rec.until, d("2027-11-29"))
        action = rec.action_generate()
        self.assertEqual(action["params"]["type"], "success")
        expected = weekly(d(TODAY), d("2027-11-29"), du.WE)
        self.assertEqual(len(expected), 52)
        activities = rec.interaction_ids
        self.assertEqual(sorted(activities.mapped("date_deadline")), expected)
        self.assertEqual(activities.user_id, self.assignee)
        self.assertEqual(activities.activity_type_id, self.follow_up)
        self.assertEqual(rec.activity_type_id, self.follow_up)
        self.assertEqual(set(activities.mapped("res_model")), {"res.partner"})
        self.assertEqual(set(activities.mapped("res_id")), {self.partner.id})
        # They are ordinary activities: on the customer, and in the assignee's activity menu.
        self.assertEqual(len(self.partner.activity_ids), 52)
        groups = self.env["res.users"].with_user(self.assignee).sudo(False)._get_activity_groups()
        partner_group = next(g for g in groups if g["model"] == "res.partner")
        # 18.0 counts the planned activities, 19.0 the records that have some.
        self.assertEqual(partner_group["planned_count"], 52 if SERIES < 19 else 1)
        self.assertEqual(rec.interaction_count, 52)
        self.assertEqual(rec.next_date, d("2026-12-02"))

    def test_generate_is_idempotent(self):
        rec = self._seed_recurrence()
        rec.action_generate()
        ids = set(rec.interaction_ids.ids)
        self.assertEqual(rec._reconcile_activities(), (0, 0, 0))
        rec.invalidate_recordset()
        self.assertEqual(set(rec.interaction_ids.ids), ids)

    def test_move_wednesday_to_thursday_keeps_done_and_past(self):
        rec = self._seed_recurrence(date_start=d("2026-11-02"))
        with freeze_time("2026-11-02 09:00:00"):
            rec.action_generate()
        first = rec.interaction_ids.sorted("date_deadline")[:4]  # 4, 11, 18, 25 November: past now
        self.assertEqual(
            first.mapped("date_deadline"), [d("2026-11-04"), d("2026-11-11"), d("2026-11-18"), d("2026-11-25")]
        )
        first[:2]._action_done()  # done (kept: Follow-up keeps done activities)
        early = rec.interaction_ids.filtered(lambda a: a.date_deadline == d("2026-12-09"))
        early._action_done()  # done ahead of time: its date must not come back
        done = rec.interaction_ids.filtered(lambda a: not a.active)
        self.assertEqual(len(done), 3)
        overdue = first[2:]
        open_future_wednesdays = len(self._open(rec).filtered(lambda a: a.date_deadline >= d(TODAY)))
        self.assertEqual(open_future_wednesdays, 52 - 4 - 1)

        rec.write({"wed": False, "thu": True})
        # Before regenerating, the form warns and the confirmation says what will happen.
        self.assertEqual(rec.pending_removal_count, open_future_wednesdays)
        wizard = self.env["recurring.generate.confirm"].browse(rec.action_generate_confirm()["res_id"])
        self.assertIn(f"{open_future_wednesdays} open future activities will move", wizard.message)
        self.assertIn("(3 done)", wizard.message)
        self.assertEqual(len(rec.interaction_ids), 52, "the confirmation itself changes nothing")
        created, removed, _moved = rec._reconcile_activities()
        rec.invalidate_recordset(["pending_removal_count"])
        self.assertEqual(rec.pending_removal_count, 0)

        all_activities = rec.interaction_ids
        self.assertEqual(done, all_activities.filtered(lambda a: not a.active), "done interactions are kept")
        self.assertTrue(overdue.exists(), "past open interactions are not touched")
        self.assertEqual(overdue.mapped("date_deadline"), [d("2026-11-18"), d("2026-11-25")])
        future = self._open(rec).filtered(lambda a: a.date_deadline >= d(TODAY))
        expected = weekly(d(TODAY), rec.until, du.TH)
        self.assertEqual(sorted(future.mapped("date_deadline")), expected)
        self.assertEqual(removed, open_future_wednesdays)
        self.assertEqual(created, len(expected))
        # Nothing duplicated, and a second regeneration changes nothing.
        self.assertEqual(len(set(future.mapped("recurring_date"))), len(future))
        self.assertEqual(rec._reconcile_activities(), (0, 0, 0))

    def test_changed_assignee_follows_on_open_future_interactions(self):
        rec = self._seed_recurrence(end_type="count", count=3)
        rec.action_generate()
        rec.interaction_ids[:1]._action_done()
        rec.user_id = self.env.user
        rec.action_generate()
        self.assertEqual(self._open(rec).user_id, self.env.user)
        self.assertEqual(rec.interaction_ids.filtered(lambda a: not a.active).user_id, self.assignee)

    def test_changed_target_moves_open_future_interactions(self):
        rec = self._seed_recurrence(end_type="count", count=3)
        rec.action_generate()
        done = rec.interaction_ids.sorted("date_deadline")[:1]
        done._action_done()
        other = self.env["res.partner"].create({"name": "New Customer"})
        rec.resource_ref = other
        self.assertEqual(rec.res_id, other.id)
        rec.action_generate()
        self.env.invalidate_all()
        self.assertEqual(len(other.activity_ids), 2)
        self.assertEqual(done.res_id, self.partner.id, "a done interaction stays where it was done")
        self.assertFalse(self.partner.activity_ids)

    def test_archive_and_delete_keep_done_interactions(self):
        rec = self._seed_recurrence(end_type="count", count=5)
        rec.action_generate()
        done = rec.interaction_ids.sorted("date_deadline")[:2]
        done._action_done()
        action = rec.action_archive()
        self.assertFalse(rec.active)
        self.assertEqual(rec.interaction_ids, done, "open future interactions removed, done ones kept")
        self.assertEqual(action["params"]["message"], "Open future activities removed: 3. Done ones kept: 2.")
        with self.assertRaises(UserError):
            rec.action_generate()
        rec.action_unarchive()
        rec.action_generate()
        self.assertEqual(len(rec.interaction_ids), 5)
        rec.unlink()
        self.assertEqual(len(done.exists()), 2, "deleting the recurrence keeps its done interactions")
        self.assertFalse(done.recurring_interaction_id)

    def test_pause_generates_and_deletes_nothing(self):
        rec = self._seed_recurrence(end_type="count", count=4)
        rec.action_generate()
        rec.action_pause()
        self.assertEqual(rec.state, "paused")
        rec.write({"wed": False, "fri": True})
        with self.assertRaises(UserError):
            rec.action_generate()
        rec._reconcile_activities()
        self.assertEqual(len(rec.interaction_ids), 4)
        self.assertEqual(
            set(rec.interaction_ids.mapped("date_deadline")), set(weekly(d(TODAY), d("2027-01-01"), du.WE)[:4])
        )
        rec.action_resume()
        self.assertEqual(rec.state, "ending", "last of 4 Fridays is within 30 days")
        self.assertEqual(
            sorted(rec.interaction_ids.mapped("date_deadline")), weekly(d(TODAY), d("2027-01-01"), du.FR)[:4]
        )

    def test_duplicate_has_no_interactions(self):
        rec = self._seed_recurrence(end_type="count", count=2)
        rec.action_generate()
        copy = rec.copy()
        self.assertEqual(copy.name, "Is the problem solved? (copy)")
        self.assertFalse(copy.interaction_ids)
        self.assertFalse(copy.generated_until)
        self.assertEqual(copy.rrule, rec.rrule)

    def test_open_ended_horizon_is_extended_by_the_scheduled_action(self):
        self.env["ir.config_parameter"].set_param("recurring_interactions.horizon_days", "28")
        rec = self._recurrence(date_start=d(TODAY), mon=True, end_type="forever", user_id=self.assignee.id)
        rec.action_generate()
        self.assertEqual(
            sorted(rec.interaction_ids.mapped("date_deadline")),
            [d("2026-11-30"), d("2026-12-07"), d("2026-12-14"), d("2026-12-21"), d("2026-12-28")],
        )
        with freeze_time("2026-12-15 09:00:00"):
            run_scheduled_action(self, "recurring_interactions.ir_cron_generate")
        self.assertEqual(max(rec.interaction_ids.mapped("date_deadline")), d("2027-01-11"))
        self.assertEqual(len(rec.interaction_ids), 7)
        self.assertEqual(rec.generated_until, d("2027-01-11"))

    def test_state_ending_soon_and_ended(self):
        rec = self._seed_recurrence(end_type="end_date", duration=0, until=d("2026-12-20"))
        long = self._seed_recurrence()
        self.assertEqual((rec.state, long.state), ("draft", "draft"), "not planned yet")
        (rec | long).action_generate()
        self.assertEqual(rec.state, "ending")
        self.assertEqual(long.state, "in_progress")
        with freeze_time("2026-12-21 09:00:00"):
            self.env["recurring.interaction"]._cron_generate()
        self.assertEqual(rec.state, "done")
        self.assertEqual(long.state, "in_progress")
        default_filter = [("state", "in", ("draft", "in_progress", "ending"))]
        self.assertNotIn(rec, self.Recurrence.search(default_filter))

    def test_activity_opens_its_recurrence(self):
        rec = self._seed_recurrence(end_type="count", count=1)
        rec.action_generate()
        action = rec.interaction_ids.action_open_recurrence()
        self.assertEqual((action["res_model"], action["res_id"]), ("recurring.interaction", rec.id))

    def test_make_an_activity_recurring(self):
        """From the "Schedule activity" dialog: the activity becomes the first of a recurrence on its record."""
        activity = self.env["mail.activity"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": self.partner.id,
                "activity_type_id": self.follow_up.id,
                "summary": "Weekly check",
                "date_deadline": d("2026-12-03"),
                "user_id": self.assignee.id,
            }
        )
        action = activity.action_make_recurring()
        self.assertFalse(self.Recurrence.search([("name", "=", "Weekly check")]), "nothing saved before the review")
        # The user reviews the new recurrence, then saves it.
        rec = self.Recurrence.with_context(**action["context"]).create({"plan_ahead": "all"})
        self.assertEqual((rec.res_model, rec.res_id, rec.user_id), ("res.partner", self.partner.id, self.assignee))
        self.assertEqual((rec.name, rec.summary, rec.date_start), ("Weekly check", "Weekly check", d("2026-12-03")))
        self.assertEqual(rec.rrule, "FREQ=WEEKLY;INTERVAL=1;BYDAY=TH")
        self.assertEqual(rec.interaction_ids, activity)
        rec.write({"end_type": "count", "count": 3})
        rec.action_generate()
        self.assertEqual(len(rec.interaction_ids), 3, "the scheduled activity is the first occurrence, not a duplicate")
        self.assertIn(activity, rec.interaction_ids)

    def test_partner_smart_button(self):
        self._seed_recurrence()
        self._seed_recurrence(name="Other")
        self.assertEqual(self.partner.recurring_interaction_count, 2)
        action = self.partner.action_open_recurring_interactions()
        self.assertEqual(self.Recurrence.search(action["domain"]).mapped("partner_id"), self.partner)

    @pytest.mark.needs_invoicing  # its example: an accounting journal
    def test_any_model_with_activities_as_target(self):
        # Any model with a chatter and activities: here an accounting journal.
        journal = self.env["account.journal"].create({"name": "Cash review", "code": "CRV", "type": "general"})
        rec = self._recurrence(
            name="Review the cash journal",
            res_model_id=self.env["ir.model"]._get_id("account.journal"),
            res_id=journal.id,
            tue=True,
            end_type="count",
            count=2,
            date_start=d(TODAY),
        )
        rec.action_generate()
        self.assertEqual(set(rec.interaction_ids.mapped("res_model")), {"account.journal"})
        self.assertEqual(journal.activity_ids, rec.interaction_ids)
        self.assertEqual(rec.res_name, "Cash review")
        self.assertEqual(rec.activity_type_id, self.follow_up)

    def test_bad_target_refused(self):
        before = self.Recurrence.search_count([])
        with self.assertRaises(ValidationError):
            self._recurrence(res_id=False, tue=True)
        with self.assertRaises(ValidationError):
            self._recurrence(res_id=10**9, tue=True)
        for model, record in (("res.lang", "base.lang_en"), ("res.users", "base.user_admin")):
            with self.subTest(model=model), self.assertRaises(ValidationError):
                self._recurrence(
                    res_model_id=self.env["ir.model"]._get_id(model), res_id=self.env.ref(record).id, tue=True
                )
        self.assertEqual(self.Recurrence.search_count([]), before)

    def test_unique_index_refuses_a_second_activity_for_one_occurrence(self):
        rec = self._seed_recurrence(end_type="count", count=1)
        rec.action_generate()
        vals = rec._prepare_activity_values(rec.interaction_ids.recurring_date)
        with self.assertRaises(Exception) as error, self.env.cr.savepoint():
            self.env["mail.activity"].create(vals)
        self.assertIn("mail_activity_recurring_interaction_occurrence_uniq", str(error.exception))
        self.assertEqual(len(rec.interaction_ids), 1)

    def test_next_dates_never_past_today(self):
        rec = self._seed_recurrence(date_start=d(TODAY) - timedelta(days=30))
        rec.action_generate()
        self.assertEqual(min(rec.interaction_ids.mapped("date_deadline")), d("2026-12-02"))

"""A recurrence at first use: the next days planned (the rest shown, not created), a filter that says what it
will plan, counts that agree before and after, a rule that previews as it is typed.

Dates are frozen on the seed's days: Wednesday 2 and Thursday 3 December 2026.
"""

from datetime import date
from unittest.mock import patch

import pytest
from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command
from odoo.addons.recurring_interactions.models import recurring_interaction_filter as filter_module
from odoo.exceptions import UserError
from odoo.tests import Form

from .common import RecurringCase

# About interactions: run again where recurring_interactions is installed alone (scripts/run-tests.sh).
pytestmark = pytest.mark.interactions


def d(text):
    return date.fromisoformat(text)


class TestFirstUse(RecurringCase):
    @freeze_time("2026-12-03")
    def test_a_weekly_year_plans_two_weeks_and_shows_the_rest(self):
        """Weekly for a year on a customer: three activities in its chatter, not 53; the others are listed."""
        rec = self.Recurrence.create(
            {
                "name": "Weekly call",
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": self.partner.id,
                "thu": True,
                "date_start": d("2026-12-03"),
                "end_type": "end_date",
                "duration": 1,
            }
        )
        self.assertEqual((rec.plan_ahead, rec.plan_ahead_days), ("window", 14))
        self.assertEqual(rec.until, d("2027-12-02"))
        message = rec.action_generate()["params"]["message"]
        self.assertEqual(message, "3 planned, 0 done kept.")
        self.assertEqual(
            sorted(self.partner.activity_ids.mapped("date_deadline")),
            [d("2026-12-03"), d("2026-12-10"), d("2026-12-17")],
        )
        self.assertEqual(rec.next_plan_summary, "Thursday 3 December 2026")
        # The whole schedule stays visible under the recurrence: the dates still to come, none of them created.
        self.assertIn("planned 14 days ahead by the daily scheduled action", rec.upcoming_html)
        self.assertIn("<li>Thursday 24 December 2026</li>", rec.upcoming_html)
        self.assertNotIn("17 December", rec.upcoming_html)
        self.assertIn("and more, until 12/02/2027", rec.upcoming_html)

        self._run_days("2026-12-04", "2026-12-10")
        self.assertEqual(self._activities(rec)[-1].date_deadline, d("2026-12-24"), "the daily run plans ahead")
        self.assertEqual(len(self._activities(rec)), 4)

    @freeze_time("2026-12-03")
    def test_an_internal_recurrence_plans_the_next_days_too(self):
        rec = self.Recurrence.create(
            {"name": "Check the stock level", "target_mode": "none", "rrule_type": "daily", "end_type": "forever"}
        )
        rec.action_generate()
        self.assertEqual(len(rec.activity_ids), 15, "today and the next 14 days")

    @freeze_time("2026-12-02")
    def test_the_confirmation_and_the_notification_give_the_same_counts(self):
        rec = self._recurrence(wed=True, date_start=d("2026-12-02"), end_type="count", count=10)
        rec.action_generate()
        self._activities(rec)[0].action_done()
        rec.write({"wed": False, "thu": True})
        summary = rec._get_generation_summary()
        self.assertIn("1 new activity will be planned.", summary)
        self.assertIn("9 open future activities will move to the dates of the rule.", summary)
        self.assertIn("(1 done)", summary)
        self.assertNotIn("removed", summary)
        self.assertEqual(
            rec.action_generate()["params"]["message"], "1 planned, 9 moved to the dates of the rule, 1 done kept."
        )

    @freeze_time("2026-12-03")
    def test_the_rule_previews_as_it_is_typed(self):
        form = Form(self.Recurrence)
        form.rrule = "FREQ=MONTHLY;BYDAY=-1FR"
        self.assertEqual((form.rrule_type, form.month_by, form.byday, form.weekday), ("monthly", "day", "-1", "FRI"))
        self.assertEqual(form.rrule_summary, "Every month, on the last Friday")
        self.assertIn("Friday 25 December 2026", form.preview_html)
        self.assertFalse(form.rrule_error)

        # A rule the form cannot hold: said at once, what was typed and the rule before it kept.
        form.rrule = "FREQ=MONTHLY;BYDAY=MO,TU"
        self.assertIn("cannot be used", form.rrule_error)
        self.assertEqual(form.rrule, "FREQ=MONTHLY;BYDAY=MO,TU")
        self.assertEqual(form.rrule_summary, "Every month, on the last Friday")

        # Changing a field writes the rule again.
        form.byday = "1"
        self.assertEqual(form.rrule, "FREQ=MONTHLY;INTERVAL=1;BYDAY=1FR")
        self.assertFalse(form.rrule_error)

    def test_the_end_shown_matches_the_duration(self):
        form = Form(self.Recurrence)
        form.end_type = "end_date"
        form.duration = 1
        self.assertEqual(form.duration, 1, "the rule written again from the fields leaves them as they are")
        self.assertEqual(form.until, form.date_start + relativedelta(years=1, days=-1))
        form.end_type = "forever"
        self.assertEqual(form.duration, 0, "no “For 1 year” beside “Forever”")


class TestFilterSaysWhatItDoes(RecurringCase):
    """The seed's quote example as a filter on contacts' tags, created on a Wednesday."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_id.tz = "UTC"
        cls.tag = cls.env["res.partner.category"].create({"name": "Quote sent"})
        cls.customers = cls.env["res.partner"].create(
            [{"name": name, "category_id": [Command.link(cls.tag.id)]} for name in ("Ready Mat", "Azure Interior")]
        )

    def _follow_up(self, **vals):
        return self.Recurrence.create(
            {
                "name": "Re-contact the customers who received a quote",
                "target_mode": "filter",
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "filter_domain": f"[('category_id', 'in', [{self.tag.id}])]",
                "tue": True,
                "thu": True,
                "date_start": d("2026-12-02"),
                **vals,
            }
        )

    @freeze_time("2026-12-02")
    def test_generated_on_a_wednesday_it_plans_thursday_and_says_so(self):
        rec = self._follow_up()
        next_plan = "Thursday 3 December 2026: 2 activities, for Azure Interior, Ready Mat (matching today)"
        self.assertEqual(rec.next_plan_summary, next_plan)
        summary = rec._get_generation_summary()
        self.assertIn(f"Next: {next_plan}.", summary)
        self.assertIn(
            "8 new activities will be planned for 2 records, from 12/03/2026 to 12/15/2026.",
            summary,
            "Tuesday and Thursday for two weeks, two records",
        )
        self.assertEqual(rec.action_generate()["params"]["message"], "8 planned, 0 done kept.")
        activities = self._activities(rec)
        self.assertEqual(
            sorted(set(activities.mapped("date_deadline"))),
            [d("2026-12-03"), d("2026-12-08"), d("2026-12-10"), d("2026-12-15")],
        )
        self.assertEqual(set(activities.mapped("res_name")), {"Ready Mat", "Azure Interior"})
        # Its interactions open grouped by record, or by assignee.
        action = rec.with_context(recurring_group_by="res_name").action_open_interactions()
        self.assertEqual(action["context"]["group_by"], ["res_name"])
        self.assertEqual(action["views"][0][1], "list")

    @freeze_time("2026-12-02")
    def test_a_window_of_the_day_itself_says_when_it_plans_never_nothing_to_change(self):
        rec = self._follow_up(plan_ahead_days=0)
        summary = rec._get_generation_summary()
        self.assertIn("Next: Thursday 3 December 2026, planned on the day: 2 activities", summary)
        self.assertIn("Nothing to plan yet", summary)
        self.assertNotIn("Nothing to change", summary)
        message = rec.action_generate()["params"]["message"]
        self.assertIn("Nothing to plan yet", message)
        self.assertIn("Thursday 3 December 2026", message)
        self.assertFalse(self._activities(rec))

    @freeze_time("2026-12-02")
    def test_a_filter_past_the_limit_is_refused_and_nothing_written(self):
        rec = self._follow_up()
        with (
            patch.object(filter_module, "MAX_FILTER_ACTIVITIES", 7),
            self.assertRaisesRegex(
                UserError, r"would plan 8 activities now \(2 matching records on 4 dates\), more than 7"
            ),
        ):
            rec.action_generate_confirm()
        with patch.object(filter_module, "MAX_FILTER_ACTIVITIES", 7), self.assertRaises(UserError):
            rec.action_generate()
        self.assertFalse(self._activities(rec))
        self.assertFalse(rec.generated_until)

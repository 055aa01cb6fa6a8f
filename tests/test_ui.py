"""Browser test: the main flows in the real web client, in headless Chromium."""

from datetime import datetime, timedelta

import pytest
from dateutil import rrule as du

from odoo.addons.recurring_interactions.models.recurring_rule_mixin import DAY_FIELDS
from odoo.tests import HttpCase

from .common import RecurringTestMixin

# About interactions: run again where recurring_interactions is installed alone (scripts/run-tests.sh).
pytestmark = pytest.mark.interactions


class TestRecurringUi(RecurringTestMixin, HttpCase):
    test_tags = {"standard", "post_install", "is_tour", "-at_install"}

    def test_recurring_interaction_tour(self):
        customer = self.env["res.partner"].create({"name": "Tour Customer"})
        self.start_tour("/odoo", "recurring_interactions_tour", login="admin")
        recurrence = self.env["recurring.interaction"].search([("name", "=", "Tour follow-up")])
        self.assertEqual(len(recurrence), 1)
        self.assertEqual((recurrence.res_model, recurrence.res_id), ("res.partner", customer.id))
        start = recurrence.date_start
        expected = [
            dt.date() for dt in du.rrule(du.WEEKLY, dtstart=datetime(start.year, start.month, start.day), count=4)
        ]
        # The next 14 days are planned; the fourth date is still to come.
        self.assertEqual((recurrence.plan_ahead, recurrence.plan_ahead_days), ("window", 14))
        self.assertEqual(sorted(recurrence.interaction_ids.mapped("date_deadline")), expected[:3])
        self.assertEqual(customer.activity_ids, recurrence.interaction_ids)

    def test_recurring_interaction_filter_tour(self):
        """Built from scratch: a new filter selects nothing and cannot be generated; once its condition is typed,
        every company gets its activities for its salesperson or the assignee, past 100 of them after a tick."""
        self.env["res.partner"].create([{"name": f"Tour Company {n}", "is_company": True} for n in range(30)])
        self.start_tour(
            "/odoo/action-recurring_interactions.action_recurring_interaction?debug=1",
            "recurring_interactions_filter_tour",
            login="admin",
        )
        recurrence = self.env["recurring.interaction"].search([("name", "=", "Tour quote follow-up")])
        self.assertEqual(recurrence.target_mode, "filter")
        self.assertEqual(recurrence.plan_ahead, "window")
        self.assertEqual(recurrence.rrule, "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU,TH", "typed as an RRULE in the form")
        partners = self.env["res.partner"].with_user(recurrence.user_id).search([("is_company", "=", True)])
        self.assertGreater(len(recurrence.interaction_ids), 100, "past 100: planned after the tick")
        activities = recurrence.interaction_ids
        self.assertEqual(set(activities.mapped("res_id")), set(partners.ids))
        start = recurrence.date_start
        tuesdays_thursdays = du.rrule(
            du.WEEKLY,
            byweekday=(du.TU, du.TH),
            dtstart=datetime(start.year, start.month, start.day),
            until=datetime(start.year, start.month, start.day) + timedelta(days=14),
        )
        self.assertEqual(set(activities.mapped("date_deadline")), {dt.date() for dt in tuesdays_thursdays})
        for activity in activities:
            partner = partners.browse(activity.res_id)
            self.assertEqual(activity.user_id, partner.user_id or recurrence.user_id)

    def test_recurring_interaction_internal_tour(self):
        """Every week check the stock level: marked done in the recurrence's chatter, its list follows."""
        Recurrence = self.env["recurring.interaction"]
        today = Recurrence._get_today()
        recurrence = Recurrence.create(
            {
                "name": "Check the stock level",
                "target_mode": "none",
                "rrule_type": "weekly",
                DAY_FIELDS[today.weekday()]: True,
                "date_start": today,
                "end_type": "forever",
            }
        )
        recurrence.action_generate()
        first = recurrence.interaction_ids.sorted("date_deadline")[0]
        self.start_tour(
            f"/odoo/action-recurring_interactions.action_recurring_interaction/{recurrence.id}",
            "recurring_interactions_internal_tour",
            login="admin",
        )
        self.assertFalse(first.active, "done")
        self.assertEqual(len(recurrence.interaction_ids.filtered("active")), 2, "the next two weeks, still open")

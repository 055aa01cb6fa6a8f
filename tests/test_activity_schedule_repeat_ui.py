"""Browser test: "Repeat" in a customer's Schedule Activity dialog, in headless Chromium."""

import pytest

from odoo.tests import HttpCase

from .common import RecurringTestMixin

# About interactions: run again where recurring_interactions is installed alone (scripts/run-tests.sh).
pytestmark = pytest.mark.interactions

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class TestActivityScheduleRepeatUi(RecurringTestMixin, HttpCase):
    test_tags = {"standard", "post_install", "is_tour", "-at_install"}

    def test_activity_schedule_repeat_tour(self):
        customer = self.env["res.partner"].create({"name": "Repeat Tour Customer"})
        self.start_tour(
            f"/odoo/res.partner/{customer.id}", "recurring_interactions_activity_schedule_repeat_tour", login="admin"
        )
        recurrence = self.env["recurring.interaction"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", customer.id)]
        )
        self.assertEqual(len(recurrence), 1)
        # The first occurrence is the activity scheduled in the dialog, on its due date: the rule's start.
        first = customer.activity_ids.sorted("date_deadline")[:1]
        self.assertEqual(first.date_deadline, recurrence.date_start)
        self.assertEqual((first.recurring_interaction_id, first.recurring_date), (recurrence, first.date_deadline))
        self.assertEqual(len(customer.activity_ids.filtered(lambda a: a.date_deadline == first.date_deadline)), 1)
        # Weekly on the due date's weekday (pre-selected), Monday and Thursday (ticked), four times.
        days = ",".join(sorted({"MO", "TH", DAY_CODES[first.date_deadline.weekday()]}, key=DAY_CODES.index))
        self.assertEqual(recurrence.rrule, f"FREQ=WEEKLY;INTERVAL=1;BYDAY={days};COUNT=4")
        self.assertEqual(customer.activity_ids, recurrence.interaction_ids)

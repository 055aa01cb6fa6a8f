"""A filter recurrence built from scratch (issue 27, point 8): it selects nothing until a condition is set, a filter
that cannot be read is refused and never saved as "every record", and Generate says how many activities for how
many records over which dates, asking for a tick past 100.

The oracle of which records match is Odoo's own search on the domain typed. Frozen on Wednesday 2 December 2026.
"""

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.addons.recurring_interactions.wizard.recurring_generate_confirm import TICK_ABOVE_ACTIVITIES
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form

from .common import RecurringCase


def d(text):
    return date.fromisoformat(text)


@freeze_time("2026-12-02")
class TestFilterCondition(RecurringCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_id.tz = "UTC"
        cls.tag = cls.env["res.partner.category"].create({"name": "Quote sent"})
        cls.customers = cls.env["res.partner"].create(
            [{"name": f"Filter Customer {n}", "category_id": [Command.link(cls.tag.id)]} for n in range(3)]
        )
        cls.condition = f"[('category_id', 'in', [{cls.tag.id}])]"

    def _new_filter(self):
        form = Form(self.Recurrence)
        form.name = "Re-contact the customers who received a quote"
        form.target_mode = "filter"
        form.res_model_id = self.env["ir.model"]._get("res.partner")
        form.date_start = d("2026-12-02")
        form.rrule_type = "daily"
        form.plan_ahead_days = 2
        return form

    def test_a_new_filter_selects_nothing_and_generate_refuses(self):
        self.assertGreater(self.env["res.partner"].search_count([]), 3, "contacts there are, to select")
        form = self._new_filter()
        self.assertTrue(form.filter_is_empty)
        self.assertEqual(form.filter_count, 0)
        rec = form.save()
        self.assertEqual(rec.filter_count, 0)
        for action in (rec.action_generate_confirm, rec.action_generate):
            with self.assertRaisesRegex(UserError, "has no condition yet: add one to its filter"):
                action()
        self.assertFalse(self._activities(rec))
        self.assertFalse(rec.generated_until)
        # An emptied filter is no condition either, never "every contact".
        rec.filter_domain = "[]"
        self.assertTrue(rec.filter_is_empty)
        self.assertEqual(rec.filter_count, 0)
        self.assertFalse(rec._get_filter_targets())
        with self.assertRaisesRegex(UserError, "has no condition yet"):
            rec.action_generate()

        rec.filter_domain = self.condition
        self.assertFalse(rec.filter_is_empty)
        self.assertEqual(rec.filter_count, self.env["res.partner"].search_count([("category_id", "in", self.tag.ids)]))
        self.assertEqual(rec.filter_count, 3)

    def test_an_unreadable_filter_is_refused_and_the_last_one_kept(self):
        rec = self._new_filter().save()
        rec.filter_domain = self.condition
        for unreadable in (
            "[('user_id', '=', uid)]",  # a name to evaluate: code, not data
            "[('create_date', '>', context_today())]",
            "[('name', 'ilike', 'a')",  # cut short
            "'name'",  # not a list of conditions
            "[('no_such_field', '=', 1)]",
        ):
            with (
                self.subTest(unreadable),
                self.assertRaisesRegex(ValidationError, "is not a list of conditions"),
                self.env.cr.savepoint(),
            ):
                rec.filter_domain = unreadable
            self.assertEqual(rec.filter_domain, self.condition, "never saved, nor as every record")
            self.assertEqual(rec.filter_count, 3)

    def test_generate_says_activities_records_and_dates(self):
        rec = self._new_filter().save()
        rec.filter_domain = self.condition
        action = rec.action_generate_confirm()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        self.assertIn("9 new activities will be planned for 3 records, from 12/02/2026 to 12/04/2026.", wizard.message)
        self.assertFalse(wizard.needs_tick)
        wizard.action_confirm()
        activities = self._activities(rec)
        # What it said is what it did.
        self.assertEqual(len(activities), 9)
        self.assertEqual(set(activities.mapped("res_id")), set(self.customers.ids))
        self.assertEqual(
            (min(activities.mapped("date_deadline")), max(activities.mapped("date_deadline"))),
            (d("2026-12-02"), d("2026-12-04")),
        )

    def test_one_activity_reads_in_the_singular(self):
        rec = self._new_filter().save()
        rec.write({"filter_domain": f"[('id', '=', {self.customers[0].id})]", "plan_ahead_days": 0})
        self.assertIn("1 new activity will be planned, on 12/02/2026.", rec._get_generation_summary())
        self.assertIn(": 1 activity, for Filter Customer 0 (matching today)", rec.next_plan_summary)
        rec.action_generate()
        self.assertEqual(len(self._activities(rec)), 1)

    def test_past_100_activities_the_tick_is_needed(self):
        many = self.env["res.partner"].create(
            [{"name": f"Many {n}", "category_id": [Command.link(self.tag.id)]} for n in range(31)]
        )
        rec = self._new_filter().save()
        rec.filter_domain = self.condition
        expected = len(self.customers | many) * 3  # 34 records on 3 dates
        self.assertGreater(expected, TICK_ABOVE_ACTIVITIES)
        action = rec.action_generate_confirm()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(wizard.activity_count, expected)
        self.assertTrue(wizard.needs_tick)
        self.assertIn(f"{expected} new activities will be planned for 34 records", wizard.message)
        with self.assertRaisesRegex(UserError, f"This plans {expected} new activities: tick “Plan them all”"):
            wizard.action_confirm()
        # Counted again on the server: a count written by the client does not pass.
        wizard.activity_count = 1
        with self.assertRaisesRegex(UserError, "tick “Plan them all”"):
            wizard.action_confirm()
        self.assertFalse(self._activities(rec), "nothing planned before the tick")
        wizard.confirm_many = True
        wizard.action_confirm()
        self.assertEqual(len(self._activities(rec)), expected)

    def test_100_activities_need_no_tick(self):
        rec = self._recurrence(target_mode="none", rrule_type="daily", end_type="count", count=TICK_ABOVE_ACTIVITIES)
        action = rec.action_generate_confirm()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(wizard.activity_count, TICK_ABOVE_ACTIVITIES)
        self.assertFalse(wizard.needs_tick)
        wizard.action_confirm()
        self.assertEqual(len(self._activities(rec)), TICK_ABOVE_ACTIVITIES)

    def test_a_new_filter_without_its_model_still_shows_its_form(self):
        """The walk cleared “Records of” to see the models offered: the form kept working (it crashed before)."""
        form = self._new_filter()
        form.res_model_id = self.env["ir.model"]
        self.assertEqual(form.filter_count, 0)
        self.assertNotIn("matching today", form.next_plan_summary or "")

"""The seed's own examples: a recurrence over a live filter, an internal recurrence, a plan-ahead window.

"Every Tuesday and Thursday re-contact the customers who received a quote" runs on real quotations
(Sales is installed in the test database; the addon itself depends on mail only), day after day
with freezegun while quotations are sent, confirmed and cancelled. Expectations are written out by
hand: which quotation has an activity on which date, for whom.
"""

from datetime import date
from unittest.mock import patch

import pytest
from freezegun import freeze_time

from odoo import Command
from odoo.addons.recurring_interactions.models import recurring_interaction_filter as filter_module
from odoo.addons.recurring_interactions.models.series_compat import USER_GROUPS
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user

from .common import RecurringCase

# About interactions: run again where recurring_interactions is installed alone (scripts/run-tests.sh).
pytestmark = pytest.mark.interactions


def d(text):
    return date.fromisoformat(text)


class FilterCase(RecurringCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_id.tz = "UTC"
        cls.manager = new_test_user(
            cls.env, "filter_manager", groups="base.group_user,recurring_interactions.group_recurring_manager"
        )

    def _plan(self, recurrence):
        """{occurrence: {(record id, assignee)}} of the recurrence's activities, open and done."""
        plan = {}
        for activity in self._activities(recurrence):
            plan.setdefault(activity.recurring_date, set()).add((activity.res_id, activity.user_id))
        return plan


@pytest.mark.needs_invoicing  # Sales, which brings Invoicing
class TestQuotationFollowUp(FilterCase):
    """The seed's second example with Sales' quotations."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Never skipped: scripts/run-tests.sh installs Sales beside both addons.
        assert "sale.order" in cls.env, "Sales is not installed in this database: scripts/run-tests.sh installs it"
        salesman = "base.group_user,sales_team.group_sale_salesman"
        cls.anna = new_test_user(cls.env, "filter_anna", groups=salesman)
        cls.bruno = new_test_user(cls.env, "filter_bruno", groups=salesman)
        cls.manager[USER_GROUPS] += cls.env.ref("sales_team.group_sale_manager")
        cls.product = cls.env["product.product"].create({"name": "Consulting day", "list_price": 800.0})
        cls.customer = cls.env["res.partner"].create({"name": "Quote Customer"})

    def _quotation(self, salesperson):
        return self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "user_id": salesperson.id,
                "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 1})],
            }
        )

    def _follow_up(self, **vals):
        with freeze_time("2026-11-30"):
            return self.Recurrence.create(
                {
                    "name": "Re-contact the customers who received a quote",
                    "target_mode": "filter",
                    "res_model_id": self.env["ir.model"]._get_id("sale.order"),
                    "filter_domain": f"[('state', '=', 'sent'), ('partner_id', '=', {self.customer.id})]",
                    "user_field_id": self.env["ir.model.fields"]._get("sale.order", "user_id").id,
                    "user_id": self.manager.id,
                    "rrule_type": "weekly",
                    "tue": True,
                    "thu": True,
                    "date_start": d("2026-11-30"),
                    "end_type": "forever",
                    "plan_ahead": "window",
                    "plan_ahead_days": 0,
                    **vals,
                }
            )

    def test_tuesday_and_thursday_each_quotation_sent_by_then(self):
        q1, q2, q3 = self._quotation(self.anna), self._quotation(self.bruno), self._quotation(self.anna)
        with freeze_time("2026-11-30"):  # Monday
            (q1 | q2).action_quotation_sent()
            follow_up = self._follow_up()
            follow_up.action_generate()
            self.assertFalse(self._activities(follow_up), "no Tuesday or Thursday today")
        self._run_days("2026-12-01", "2026-12-01")
        tuesday = self._activities(follow_up)
        self.assertEqual(self._plan(follow_up), {d("2026-12-01"): {(q1.id, self.anna), (q2.id, self.bruno)}})
        with freeze_time("2026-12-02"):
            q2.action_confirm()
            q3.action_quotation_sent()
            tuesday.filtered(lambda a: a.res_id == q1.id).action_done()
        self._run_days("2026-12-02", "2026-12-03")
        with freeze_time("2026-12-04"):
            q1._action_cancel()
        self._run_days("2026-12-04", "2026-12-10")
        expected = {
            d("2026-12-01"): {(q1.id, self.anna), (q2.id, self.bruno)},
            d("2026-12-03"): {(q1.id, self.anna), (q3.id, self.anna)},
            d("2026-12-08"): {(q3.id, self.anna)},
            d("2026-12-10"): {(q3.id, self.anna)},
        }
        self.assertEqual(self._plan(follow_up), expected)
        done = self._activities(follow_up).filtered(lambda a: not a.active)
        self.assertEqual(done.mapped("res_id"), [q1.id], "the done one is kept")
        self.assertEqual(done.res_model, "sale.order")
        # A second run the same day changes nothing.
        with freeze_time("2026-12-10"):
            before = self._activities(follow_up)
            self.assertEqual(follow_up._reconcile_activities(), (0, 0, 0))
            self.assertEqual(self._activities(follow_up), before)

    def test_a_quotation_that_stops_matching_loses_its_open_future_activities(self):
        q1, q2 = self._quotation(self.anna), self._quotation(self.bruno)
        with freeze_time("2026-12-01"):  # Tuesday: plans Tuesday and Thursday
            (q1 | q2).action_quotation_sent()
            follow_up = self._follow_up(plan_ahead_days=3)
            follow_up.action_generate()
            self.assertEqual(len(self._activities(follow_up)), 4)
            self._activities(follow_up).filtered(lambda a: a.res_id == q2.id)[0].action_done()
            q2.action_confirm()
        self._run_days("2026-12-02", "2026-12-02")
        self.assertEqual(
            self._plan(follow_up),
            {d("2026-12-01"): {(q1.id, self.anna), (q2.id, self.bruno)}, d("2026-12-03"): {(q1.id, self.anna)}},
        )

    def test_without_user_field_everything_goes_to_the_assignee(self):
        quotation = self._quotation(self.anna)
        with freeze_time("2026-12-01"):
            quotation.action_quotation_sent()
            follow_up = self._follow_up(user_field_id=False)
            follow_up.action_generate()
            self.assertEqual(self._plan(follow_up), {d("2026-12-01"): {(quotation.id, self.manager)}})


class TestFilterAccessAndInput(FilterCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Second company of the filter test"})
        Partner = cls.env["res.partner"]
        cls.shared = Partner.create({"name": "Filter shared customer"})
        cls.own = Partner.create({"name": "Filter own customer", "company_id": cls.env.company.id})
        cls.other = Partner.create({"name": "Filter other company customer", "company_id": cls.company_b.id})
        cls.manager.company_ids = cls.env.company | cls.company_b

    def _filter_vals(self, **vals):
        base = {
            "name": "Filter",
            "target_mode": "filter",
            "filter_domain": "[('name', 'like', 'Filter ')]",
            "user_id": self.manager.id,
            "plan_ahead": "window",
            "tue": True,
        }
        return self._recurrence_vals(**{**base, **vals})

    def test_the_filter_runs_with_the_assignee_rights_in_its_company(self):
        with freeze_time("2026-12-01"):
            rec = self.Recurrence.create(self._filter_vals())
            rec.action_generate()
            reached = set(self._activities(rec).mapped("res_id"))
            self.assertEqual(reached, {self.shared.id, self.own.id}, "another company's customer is never reached")
            self.assertEqual(rec.filter_count, 2)
            # A plain user assigned to it reaches only what a record rule lets them read.
            rule_user = new_test_user(self.env, "filter_rule_user", groups="base.group_user")
            self.env["ir.rule"].create(
                {
                    "name": "Filter test: not the shared customer",
                    "model_id": self.env["ir.model"]._get_id("res.partner"),
                    "domain_force": f"[('id', '!=', {self.shared.id})]",
                    "groups": [Command.link(self.env.ref("base.group_user").id)],
                }
            )
            rec.user_id = rule_user
            self.assertEqual(set(rec._get_filter_targets()), {self.own.id})

    def test_bad_input_is_refused_and_nothing_is_written(self):
        user_field = self.env["ir.model.fields"]._get("res.partner", "parent_id")  # a contact, not a user
        bad = {
            "a domain that does not parse": {"filter_domain": "[('name', '=',"},
            "a field the model lacks": {"filter_domain": "[('no_such_field', '=', 1)]"},
            "code instead of data": {"filter_domain": "__import__('os').getcwd()"},
            "attribute access": {"filter_domain": "[('name', '=', user.name)]"},
            "a user field that is not a user": {"user_field_id": user_field.id},
            "a filter planning every date": {"plan_ahead": "all"},
            "a negative window": {"plan_ahead_days": -1},
        }
        count = self.Recurrence.search_count([])
        for case, vals in bad.items():
            with self.subTest(case=case), self.assertRaises(ValidationError):
                self.Recurrence.create(self._filter_vals(**vals))
        self.assertEqual(self.Recurrence.search_count([]), count)
        rec = self.Recurrence.create(self._filter_vals())
        for case, vals in bad.items():
            with self.subTest(case=f"write: {case}"), self.assertRaises(ValidationError):
                rec.write(vals)
            self.assertEqual(rec.filter_domain, "[('name', 'like', 'Filter ')]")
            self.assertEqual(rec.plan_ahead, "window")


class TestInternalRecurrence(FilterCase):
    def test_internal_activities_are_on_the_recurrence_in_my_activities(self):
        with freeze_time("2026-11-30"):  # Monday
            rec = self.Recurrence.create(
                {
                    "name": "Check the stock level",
                    "target_mode": "none",
                    "user_id": self.manager.id,
                    "rrule_type": "weekly",
                    "mon": True,
                    "date_start": d("2026-11-30"),
                    "end_type": "count",
                    "count": 3,
                }
            )
            rec.action_generate()
            activities = self._activities(rec)
            self.assertEqual(activities.mapped("recurring_date"), [d("2026-11-30"), d("2026-12-07"), d("2026-12-14")])
            self.assertEqual(set(activities.mapped("res_model")), {"recurring.interaction"})
            self.assertEqual(set(activities.mapped("res_id")), {rec.id})
            self.assertEqual(rec.activity_ids, activities, "shown in the recurrence's own chatter")
            self.assertEqual(rec.activity_type_id, self.env.ref("recurring_interactions.mail_activity_type_follow_up"))
            # The assignee's activity menu counts it like any other activity.
            groups = self.env["res.users"].with_user(self.manager)._get_activity_groups()
            group = next(g for g in groups if g["model"] == "recurring.interaction")
            self.assertEqual(group["today_count"], 1)
            activities[0].action_done()
            with self.assertRaises(UserError):
                rec.unlink()
            rec.action_archive()
            self.assertEqual(self._activities(rec).filtered("active"), self.env["mail.activity"])
            self.assertTrue(activities[0].exists(), "the done one stays")


class TestPlanAheadWindow(FilterCase):
    def test_the_daily_run_plans_one_more_occurrence_per_day(self):
        with freeze_time("2026-12-01"):
            rec = self._recurrence(
                rrule_type="daily", date_start=d("2026-12-01"), plan_ahead="window", plan_ahead_days=2
            )
            rec.action_generate()
            self.assertEqual(
                self._activities(rec).mapped("recurring_date"), [d("2026-12-01"), d("2026-12-02"), d("2026-12-03")]
            )
            first = self._activities(rec)[0]
            first.action_done()
        self._run_days("2026-12-02", "2026-12-03")
        self.assertEqual(
            self._activities(rec).mapped("recurring_date"),
            [d(f"2026-12-0{day}") for day in range(1, 6)],
        )
        self.assertFalse(first.active, "done ones are not touched")

    def test_every_date_stays_available(self):
        rec = self._recurrence(tue=True, end_type="count", count=5, plan_ahead="all")
        rec.action_generate()
        self.assertEqual(len(self._activities(rec)), 5)


class TestFilterPlannedInJobs(FilterCase):
    """With OCA queue_job, a filter over many records is planned by one job per range of their ids:
    together the jobs do what one daily run does, and running them again changes nothing."""

    def test_the_ranges_of_records_together_plan_every_record_once(self):
        partners = self.env["res.partner"].create([{"name": f"Range customer {i}"} for i in range(7)])
        with freeze_time("2026-12-01"):
            follow_up = self.Recurrence.create(
                {
                    "name": "Call every range customer",
                    "target_mode": "filter",
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "filter_domain": "[('name', '=like', 'Range customer %')]",
                    "user_id": self.manager.id,
                    "rrule_type": "daily",
                    "date_start": d("2026-12-01"),
                    "end_type": "forever",
                    "plan_ahead": "window",
                    "plan_ahead_days": 1,
                }
            )
        with patch.object(filter_module, "RECORDS_PER_JOB", 3):
            ranges = follow_up._get_job_record_ranges()
        self.assertEqual(len(ranges), 3, "7 records, 3 per job")
        self.assertEqual((ranges[0][0], ranges[-1][1]), (0, None), "from the first id to no end: every record")
        self.assertEqual(self._recurrence(tue=True)._get_job_record_ranges(), [None], "one record: one job")

        def run_jobs(day):
            for id_range in ranges:
                follow_up._job_extend_horizon(day, id_range)

        follow_up._job_extend_horizon("2026-12-01", ranges[0])
        self.assertEqual(len(self._activities(follow_up)), 3 * 2, "the first job: its 3 records, today and tomorrow")
        run_jobs("2026-12-01")
        everyone = {(partner.id, self.manager) for partner in partners}
        self.assertEqual(self._plan(follow_up), {d("2026-12-01"): everyone, d("2026-12-02"): everyone})
        run_jobs("2026-12-01")
        self.assertEqual(len(self._activities(follow_up)), 14, "a job run twice creates nothing twice")
        # A record in the middle range stops matching, one after the last range's start starts.
        partners[3].name = "Former customer"
        newcomer = self.env["res.partner"].create({"name": "Range customer 8"})
        run_jobs("2026-12-02")
        now = everyone - {(partners[3].id, self.manager)} | {(newcomer.id, self.manager)}
        self.assertEqual(
            self._plan(follow_up),
            {d("2026-12-01"): everyone, d("2026-12-02"): now, d("2026-12-03"): now},
            "its open activities are removed by the job of its range; the past day's stay",
        )

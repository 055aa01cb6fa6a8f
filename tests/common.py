"""Shared set-up of the suite: pytest-odoo runs these Odoo test cases against a real database."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo.addons.recurring_interactions.models.series_compat import SERIES
from odoo.tests import TransactionCase


def run_scheduled_action(case, xmlid):
    """Run a scheduled action as "Run Manually" does. 19.0 runs it in a cursor of its own, which in a test
    must wrap the test's (the registry's test mode); 18.0 runs it in the caller's."""
    if SERIES >= 19 and not type(case)._registry_patched:
        case.registry_enter_test_mode()
    result = case.env.ref(xmlid).method_direct_trigger()
    case.env.invalidate_all()
    return result


class RecurringTestMixin:
    # Outside an addon package Odoo's MetaCase cannot guess these; pytest-odoo needs them.
    test_module = "recurring_interactions"
    test_tags = {"standard", "at_install"}


class RecurringCase(RecurringTestMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, tz="UTC"))
        cls.Recurrence = cls.env["recurring.interaction"]
        cls.partner = cls.env["res.partner"].create({"name": "Rule Engine Customer"})

    @classmethod
    def _recurrence_vals(cls, **vals):
        base = {
            "name": "Follow-up",
            "res_model_id": cls.env["ir.model"]._get_id("res.partner"),
            "res_id": cls.partner.id,
            "rrule_type": "weekly",
            "end_type": "forever",
            # The engine's tests see every date at once; the default (the next days) has tests of its own.
            "plan_ahead": "all",
        }
        base.update(vals)
        return base

    @classmethod
    def _recurrence(cls, **vals):
        return cls.Recurrence.create(cls._recurrence_vals(**vals))

    def _run_days(self, first, last):
        """The daily scheduled action, once a day from `first` to `last` (ISO dates, both included)."""
        day = date.fromisoformat(first)
        while day <= date.fromisoformat(last):
            with freeze_time(day.isoformat()):
                self.Recurrence._cron_generate()
            day += timedelta(days=1)

    def _activities(self, recurrence):
        """The recurrence's activities, open and done, by occurrence and record."""
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search([("recurring_interaction_id", "=", recurrence.id)], order="recurring_date, res_id")
        )

"""What a newcomer met on the rule and its targets (issue 27, point 10): business models only as targets, counts in
the singular, a change of rule logged in the chatter, a refused RRULE that shows no date of the previous rule.

Frozen on Wednesday 2 December 2026.
"""

from datetime import date

from freezegun import freeze_time

from odoo.addons.recurring_interactions.models.series_compat import SERIES
from odoo.tests import Form

from .common import RecurringCase


def d(text):
    return date.fromisoformat(text)


@freeze_time("2026-12-02")
class TestRuleChanges(RecurringCase):
    def test_targets_are_business_models_never_technical_ones(self):
        IrModel = self.env["ir.model"]
        with_activities = IrModel.search(
            [("is_mail_activity", "=", True), ("is_mail_thread", "=", True), ("transient", "=", False)]
        )
        technical = with_activities.filtered(lambda m: m.model.startswith("ir."))
        if SERIES >= 19:
            # 19.0's mail gives Scheduled and Server Actions activities: they would be offered.
            self.assertLessEqual({"ir.cron", "ir.actions.server"}, set(technical.mapped("model")))
        offered_domain = self.Recurrence.fields_get(["res_model_id"])["res_model_id"]["domain"]
        offered = IrModel.search(offered_domain)
        self.assertIn("res.partner", offered.mapped("model"))
        self.assertIn("account.move", offered.mapped("model"))
        self.assertFalse(offered & technical)
        selection = dict(self.Recurrence._selection_target_model())
        self.assertEqual(set(selection), set(offered.mapped("model")))

    def test_one_activity_reads_in_the_singular(self):
        rec = self._recurrence(wed=True, date_start=d("2026-12-02"), end_type="count", count=1)
        self.assertIn("1 new activity will be planned, on 12/02/2026.", rec._get_generation_summary())
        self.assertEqual(rec.action_generate()["params"]["message"], "1 planned, 0 done kept.")
        rec.write({"wed": False, "thu": True})
        self.assertIn("1 open future activity will move to the dates of the rule.", rec._get_generation_summary())
        self.assertEqual(
            rec.action_archive()["params"]["message"], "Open future activities removed: 1. Done ones kept: 0."
        )

    def _commit_tracking(self):
        """What a commit does first: write the tracking (mail's own tests call it flush_tracking)."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def test_a_change_of_rule_is_logged_in_the_chatter_in_words(self):
        rec = self._recurrence(wed=True, date_start=d("2026-12-02")).with_context(tracking_disable=False)
        self._commit_tracking()  # saved, then edited later: a record is not tracked in the transaction creating it
        rec.write({"wed": False, "thu": True, "end_type": "count", "count": 4})
        rec.write({"date_start": d("2026-12-10")})
        self._commit_tracking()
        trackings = rec.message_ids.sudo().tracking_value_ids
        changes = {
            (t.field_id.name, t.old_value_char, t.new_value_char) for t in trackings if t.field_id.ttype == "char"
        }
        self.assertIn(("rrule_summary", "Every week on Wednesday", "Every week on Thursday, 4 times"), changes)
        start = trackings.filtered(lambda t: t.field_id.name == "date_start")
        self.assertEqual(
            (start.old_value_datetime.date(), start.new_value_datetime.date()), (d("2026-12-02"), d("2026-12-10"))
        )

    def test_a_refused_rule_shows_its_error_not_the_previous_dates(self):
        form = Form(self.Recurrence)
        form.name = "Weekly call"
        form.rrule = "FREQ=WEEKLY;BYDAY=TH"
        self.assertIn("Thursday 3 December 2026", form.preview_html)
        self.assertTrue(form.next_plan_summary)
        form.rrule = "FREQ=HOURLY"
        self.assertTrue(form.rrule_error)
        self.assertIn(form.rrule_error.split(":")[0], form.preview_html, "the error where the dates were")
        self.assertNotIn("December", form.preview_html)
        self.assertFalse(form.next_plan_summary)
        self.assertFalse(form.upcoming_html)
        # A rule the form holds shows its dates again.
        form.rrule = "FREQ=WEEKLY;BYDAY=FR"
        self.assertFalse(form.rrule_error)
        self.assertIn("Friday 4 December 2026", form.preview_html)

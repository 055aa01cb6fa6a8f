"""A recurrence saved but never generated reads "Not planned yet", never "In progress" (issue 27, point 7).

The list's filters are read from the search view itself, so that the test sees what a user's click sends.
Dates are frozen on Thursday 3 December 2026.
"""

import importlib.util
from datetime import date
from pathlib import Path

from freezegun import freeze_time
from lxml import etree

import odoo.addons.recurring_interactions as addon
from odoo.tools.safe_eval import safe_eval

from .common import RecurringCase, run_scheduled_action


def d(text):
    return date.fromisoformat(text)


@freeze_time("2026-12-03")
class TestNotPlannedYet(RecurringCase):
    def _search_filter(self, name):
        """The domain of a filter of the Recurrences search view, as the web client sends it."""
        view = self.env.ref("recurring_interactions.recurring_interaction_view_search")
        node = etree.fromstring(view.arch).xpath(f"//filter[@name='{name}']")[0]
        return safe_eval(node.get("domain"), {"uid": self.env.uid})

    def _listed(self, filter_name):
        return self.Recurrence.search(self._search_filter(filter_name))

    def test_saved_never_generated_reads_not_planned_yet_until_generate(self):
        rec = self._recurrence(thu=True, date_start=d("2026-12-03"))
        labels = dict(self.Recurrence._fields["state"]._description_selection(self.env))
        self.assertEqual((rec.state, labels[rec.state]), ("draft", "Not Planned Yet"))
        # The default list shows it, and a filter of its own finds it.
        self.assertIn(rec, self._listed("filter_active"))
        self.assertIn(rec, self._listed("filter_draft"))
        self.assertNotIn(rec, self._listed("filter_in_progress"))
        # The daily action plans only recurrences already planned: this one stays as it is.
        run_scheduled_action(self, "recurring_interactions.ir_cron_generate")
        self.assertEqual(rec.state, "draft")
        self.assertFalse(rec.interaction_ids)

        rec.action_generate()
        self.assertEqual(rec.state, "in_progress")
        self.assertIn(rec, self._listed("filter_in_progress"))
        self.assertNotIn(rec, self._listed("filter_draft"))
        # Listed first: what waits for a person comes before what runs by itself.
        other = self._recurrence(name="Another", thu=True, date_start=d("2026-12-03"))
        self.assertEqual(self.Recurrence.search([("id", "in", (rec | other).ids)]).ids, [other.id, rec.id])

    def test_a_paused_or_ended_one_reads_so_even_if_never_planned(self):
        paused = self._recurrence(thu=True, date_start=d("2026-12-03"))
        paused.action_pause()
        self.assertEqual(paused.state, "paused")
        paused.action_resume()
        self.assertEqual(paused.state, "draft", "resumed, still never planned")
        ended = self._recurrence(
            thu=True, date_start=d("2026-11-05"), end_type="end_date", duration=0, until=d("2026-11-26")
        )
        self.assertEqual(ended.state, "done")

    def test_a_second_copy_left_by_pressing_new_twice_reads_not_planned_yet(self):
        """A newcomer saves one (autosave on New), presses New again: the first copy is listed as not planned."""
        first = self._recurrence(name="Weekly call", thu=True, date_start=d("2026-12-03"))
        first.action_generate()
        second = self._recurrence(name="Weekly call", thu=True, date_start=d("2026-12-03"))
        listed = self.Recurrence.search([("name", "=", "Weekly call"), *self._search_filter("filter_active")])
        self.assertEqual(listed.ids, [second.id, first.id], "both listed, the one never planned first")
        self.assertEqual(listed.mapped("state"), ["draft", "in_progress"])

    def test_upgrade_reads_never_planned_ones_as_not_planned_yet(self):
        """The 1.5.0 migration: a stored "In progress" of a never planned recurrence becomes "Not planned yet"."""
        planned = self._recurrence(thu=True, date_start=d("2026-12-03"))
        planned.action_generate()
        never = self._recurrence(thu=True, date_start=d("2026-12-03"))
        ended = self._recurrence(
            thu=True, date_start=d("2026-11-05"), end_type="end_date", duration=0, until=d("2026-11-26")
        )
        flt = self._recurrence(target_mode="filter", plan_ahead="window", thu=True, date_start=d("2026-12-03"))
        flt.filter_domain = f"[('id', '=', {self.partner.id})]"
        flt.action_generate()
        ids = (planned | never | ended | flt).ids
        self.env.flush_all()
        # As 1.4 stored them: no "draft", the sequence of its four states, an empty filter meaning every record.
        self.env.cr.execute(
            """UPDATE recurring_interaction SET state = CASE WHEN state = 'draft' THEN 'in_progress' ELSE state END,
                      state_sequence = CASE state WHEN 'done' THEN 3 WHEN 'paused' THEN 2
                                                  WHEN 'ending' THEN 1 ELSE 0 END
                WHERE id IN %s""",
            [tuple(ids)],
        )
        self.env.cr.execute("UPDATE recurring_interaction SET filter_domain = ' [ ] ' WHERE id = %s", [flt.id])
        path = Path(addon.__file__).parent / "migrations" / "1.5.0" / "post-migration.py"
        spec = importlib.util.spec_from_file_location("recurring_interactions_migration_1_5_0", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "1.4.0")
        self.env.invalidate_all()
        self.assertEqual(
            [(planned.state, never.state, ended.state, flt.state)], [("in_progress", "draft", "done", "in_progress")]
        )
        # The stored order is the one the compute gives.
        stored = {rec: rec.state_sequence for rec in planned | never | ended | flt}
        self.env.add_to_compute(self.Recurrence._fields["state_sequence"], planned | never | ended | flt)
        self.env.add_to_compute(self.Recurrence._fields["state"], planned | never | ended | flt)
        self.assertEqual({rec: rec.state_sequence for rec in planned | never | ended | flt}, stored)
        # A filter planned on "every record" keeps every record, now as a condition the editor reads.
        self.assertEqual(flt.filter_domain, '[("id", "!=", False)]')
        assignee_sees = (
            self.env["res.partner"].with_user(flt.user_id).with_context(allowed_company_ids=flt.company_id.ids)
        )
        self.assertEqual(flt.filter_count, assignee_sees.search_count([]))
        self.assertGreater(flt.filter_count, 1)

    def _form_button_shown(self, rec, name):
        """Whether the form shows a header button to `rec`: its `invisible` evaluated on the record's values,
        as the web client evaluates it."""
        view = self.env.ref("recurring_interactions.recurring_interaction_view_form")
        (button,) = etree.fromstring(view.arch).xpath(f"//header/button[@name='{name}']")
        names = {"paused", "active", "id", "state", "generated_until"}
        values = {fname: rec[fname] if fname != "id" else rec.id for fname in names}
        return not safe_eval(button.get("invisible", "False"), values)

    def test_pause_is_not_offered_once_ended(self):
        running = self._recurrence(thu=True, date_start=d("2026-12-03"))
        ended = self._recurrence(
            thu=True, date_start=d("2026-11-05"), end_type="end_date", duration=0, until=d("2026-11-26")
        )
        self.assertEqual((running.state, ended.state), ("draft", "done"))
        self.assertTrue(self._form_button_shown(running, "action_pause"))
        self.assertFalse(self._form_button_shown(ended, "action_pause"))

# Part of recurring_interactions. License LGPL-3.
"""Generation of activities from a rule, as a reconciliation done in batches.

For every recurrence: the target dates (from today to the end of the rule or its horizon)
are diffed against the activities it already generated, read in one query for the whole
batch; what is missing is created with one ``create(vals_list)``, what no longer matches
is removed at once. Done activities and those of past dates are never touched.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from .working_schedule import WorkingSchedules


class RecurringActivityGenerator(models.AbstractModel):
    _name = "recurring.activity.generator"
    _inherit = "recurring.rule.mixin"
    _description = "Recurrence Generating Activities"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    paused = fields.Boolean(
        copy=False,
        tracking=True,
        help="A paused recurrence generates nothing and deletes nothing until it is resumed.",
    )
    generated_until = fields.Date(
        copy=False,
        readonly=True,
        help="Last date up to which activities were generated; the daily scheduled action moves it forward.",
    )

    # ------------------------------------------------------------------
    # Hooks of the concrete models
    # ------------------------------------------------------------------
    def _get_generated_activity_domain(self):
        """Domain of the activities these recurrences generated (done ones included)."""
        raise NotImplementedError

    def _get_activity_recurrence(self, activity):
        """The recurrence (of self) that generated `activity`."""
        raise NotImplementedError

    def _prepare_activity_values(self, occurrence_date):
        """Values of the activity of one occurrence."""
        raise NotImplementedError

    def _get_activity_sync_values(self):
        """Values that open future activities must keep in line with the recurrence."""
        return {}

    # ------------------------------------------------------------------
    # Reconciliation
    # ------------------------------------------------------------------
    def _get_target_due_dates(self, today, schedules=None):
        """{recurrence: {nominal date: due date}} of the occurrences that must have an activity.

        Those due from today to the end of the rule (or its horizon), on working days if the rule
        says so; an activity's ``recurring_date`` is the nominal date, its due date the working day.
        """
        return {
            recurrence: dict(pairs)
            for recurrence, pairs in self._get_occurrence_pairs(date_from=today, schedules=schedules).items()
        }

    def _follows_rule(self, activity, nominal, schedules):
        """Whether the rule may move this open activity: its due date is where the rule puts or put it.

        That is its occurrence's date or, on working days, the working day before or after it (the
        rule moved it there before a holiday or a change of option) or a day that is now off. A due
        date a user moved anywhere else stays, and so does every due date of a rule that keeps its dates.
        """
        deadline = activity.date_deadline
        if deadline == nominal:
            return True
        schedule = self._get_working_schedule(schedules)
        if schedule is None:
            return False
        return schedule.is_off(deadline) or deadline in (
            schedule.move(nominal, "previous"),
            schedule.move(nominal, "next"),
        )

    def _reconcile_activities(self, today=None, extend_only=False):
        """Make the open future activities match the rule; returns (created, removed, moved) counts.

        Keeps every activity whose occurrence is still in the rule, creates those missing,
        moves those whose working day changed (a holiday added) and unlinks the open future
        ones that no longer match. Past (due before today) and done activities are never
        touched, and an occurrence that already has an activity (done or not) gets no
        second one. With extend_only (the daily scheduled action), only dates after those
        already generated are planned: an activity a user cancelled does not come back.
        """
        recurrences = self.filtered(lambda r: r.active and not r.paused)
        if not recurrences:
            return 0, 0, 0
        today = today or self._get_today()
        schedules = WorkingSchedules()
        targets_by_recurrence = recurrences._get_target_due_dates(today, schedules)
        # An occurrence moved to a working day may have its nominal date before today (Saturday to Monday).
        earliest = min([today, *(min(targets) for targets in targets_by_recurrence.values() if targets)])
        Activity = self.env["mail.activity"].sudo().with_context(active_test=False)
        existing = Activity.search_fetch(
            [*recurrences._get_generated_activity_domain(), ("recurring_date", ">=", earliest)],
            [
                "recurring_date",
                "date_deadline",
                "active",
                "res_model",
                "res_id",
                *recurrences[:1]._get_activity_sync_values(),
            ],
            order="recurring_date, id",
        )
        # Ids in lists, recordsets built once: growing a recordset with ``|=`` one record at a
        # time copies it each time, quadratic on the tens of thousands of a regeneration.
        by_recurrence = defaultdict(list)
        for activity in existing:
            by_recurrence[self._get_activity_recurrence(activity)].append(activity)

        vals_list, obsolete_ids = [], []
        to_sync, moves = {}, defaultdict(list)
        for recurrence in recurrences:
            targets = targets_by_recurrence[recurrence]
            seen = set()
            sync_ids = []
            for activity in by_recurrence.get(recurrence, ()):
                occurrence = activity.recurring_date
                open_future = activity.active and activity.date_deadline >= today
                if open_future and (occurrence not in targets or occurrence in seen):
                    obsolete_ids.append(activity.id)
                    continue
                seen.add(occurrence)
                if open_future:
                    sync_ids.append(activity.id)
                    due = targets[occurrence]
                    if activity.date_deadline != due and recurrence._follows_rule(activity, occurrence, schedules):
                        moves[due].append(activity.id)
            if sync_ids:
                to_sync[recurrence] = Activity.browse(sync_ids)
            missing = targets.keys() - seen
            if extend_only and recurrence.generated_until:
                missing = {d for d in missing if d > recurrence.generated_until}
            vals_list += [
                dict(recurrence._prepare_activity_values(d), date_deadline=targets[d]) for d in sorted(missing)
            ]
            recurrence.generated_until = max(targets, default=recurrence.generated_until or False)
        obsolete = Activity.browse(obsolete_ids)

        for recurrence, activities in to_sync.items():
            sync_vals = recurrence._get_activity_sync_values()
            stale = activities.filtered(
                lambda a, v=sync_vals: any(
                    (a[f].id if isinstance(a[f], models.BaseModel) else a[f]) != value for f, value in v.items()
                )
            )
            if stale:
                stale.with_context(mail_activity_quick_update=True).write(sync_vals)
        # One write per new due date: the few working days that holidays moved activities to.
        for due, ids in moves.items():
            Activity.browse(ids).with_context(mail_activity_quick_update=True).write({"date_deadline": due})
        if obsolete:
            obsolete.unlink()
        if vals_list:
            # One batch; assignees are not sent one notification per future date.
            self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(vals_list)
        return len(vals_list), len(obsolete), sum(len(ids) for ids in moves.values())

    def _remove_open_future_activities(self, today=None):
        """Unlink the open activities of today and later; done and past ones stay."""
        today = today or self._get_today()
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search([*self._get_generated_activity_domain(), ("recurring_date", ">=", today)])
        )
        activities.unlink()
        self.generated_until = False
        return len(activities)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_generate(self):
        """Generate (or regenerate) the activities of these recurrences: idempotent."""
        self.check_access("write")
        if any(rec.paused for rec in self):
            raise UserError(self.env._("Resume the recurrence before generating its activities."))
        if not all(self.mapped("active")):
            raise UserError(self.env._("An archived recurrence generates nothing: restore it first."))
        created, removed, moved = self._reconcile_activities()
        if moved:
            message = self.env._(
                "%(created)s planned, %(moved)s moved to a working day, %(removed)s removed.",
                created=created,
                moved=moved,
                removed=removed,
            )
        elif removed:
            message = self.env._("%(created)s planned, %(removed)s removed.", created=created, removed=removed)
        elif created:
            message = self.env._("%s planned.", created)
        else:
            message = self.env._("Nothing to change: the activities already follow the rule.")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Generate interactions"),
                "message": message,
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_pause(self):
        self.write({"paused": True})

    def action_resume(self):
        self.write({"paused": False})
        self.filtered("generated_until")._reconcile_activities()

    def action_archive(self):
        self._remove_open_future_activities()
        return super().action_archive()

    def unlink(self):
        self._remove_open_future_activities()
        return super().unlink()

    @api.model
    def _cron_extend_horizon(self, batch_size=200):
        """Extend open-ended recurrences to their horizon, a batch at a time."""
        # Rules on working days too: a holiday added since moves (or removes) their open future activities.
        recurrences = self.search(
            [
                ("paused", "=", False),
                ("generated_until", "!=", False),
                "|",
                ("end_type", "=", "forever"),
                ("non_working_days", "!=", "keep"),
            ],
        )
        for start in range(0, len(recurrences), batch_size):
            batch = recurrences[start : start + batch_size]
            for company, records in batch.grouped("company_id").items():
                records._reconcile_activities(today=self._get_today(company), extend_only=True)

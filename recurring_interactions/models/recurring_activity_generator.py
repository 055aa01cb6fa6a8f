# Part of recurring_interactions. License LGPL-3.
"""Generation of activities from a rule, as a reconciliation done in batches.

For every recurrence: the target dates (from today to the end of the rule or its horizon)
are diffed against the activities it already generated, read in one query for the whole
batch; what is missing is created with one ``create(vals_list)``, what no longer matches
is removed at once. Done activities and those of past dates are never touched.
"""

import threading
from collections import defaultdict
from datetime import timedelta
from itertools import dropwhile, islice

import psycopg2
from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.modules import module as odoo_module
from odoo.tools import SQL, format_date

from .recurring_rule_mixin import PREVIEW_SIZE, RULE_FIELDS, WORKING_DAY_FIELDS
from .series_compat import registry_in_test_mode
from .working_schedule import WorkingSchedules

MAX_LOCK_ATTEMPTS = 5

PLAN_AHEAD_SELECTION = [
    ("all", "Every date"),
    ("window", "Only the next days"),
]


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
    plan_ahead = fields.Selection(
        PLAN_AHEAD_SELECTION,
        required=True,
        default="all",
        help="Every date: all the activities of the rule at once (up to the horizon for a rule without end). "
        "Only the next days: the activities of the coming days, the daily scheduled action planning the next ones, "
        "so that chatters and the activity menu are not filled with a year of future activities.",
    )
    plan_ahead_days = fields.Integer(
        string="Days Ahead",
        default=0,
        help="How many days ahead the activities are planned; 0: on the day itself.",
    )
    pending_removal_count = fields.Integer(
        string="Activities on Old Dates",
        compute="_compute_pending_removal_count",
        help="Open future activities that the rule no longer gives: a regeneration moves or removes them.",
    )
    generated_until = fields.Date(
        copy=False,
        readonly=True,
        help="Last date up to which activities were generated; the daily scheduled action moves it forward.",
    )
    next_plan_summary = fields.Char(
        string="Next",
        compute="_compute_next_plan_summary",
        help="The next date of the rule, and when it is planned when that is later than now.",
    )
    upcoming_html = fields.Html(
        string="Still to Come",
        compute="_compute_upcoming_html",
        sanitize=False,
        help="The next dates of the rule after those already planned: the daily scheduled action plans them.",
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

    def _get_target_occurrences(self, due_dates):
        """{(occurrence date, record id): extra activity values} that must have an activity.

        ``due_dates`` is {nominal occurrence date: due date} (``_get_target_due_dates``). One target
        per date by default (record id None); a recurrence over several records returns one key per
        record and date, with that record's values.
        """
        self.ensure_one()
        return {(occurrence, None): {"date_deadline": due} for occurrence, due in due_dates.items()}

    def _get_activity_key(self, activity):
        """The key of `activity` among those of ``_get_target_occurrences``."""
        return activity.recurring_date, None

    def _check_can_generate(self):
        """Raise unless the current user may generate the activities of these recurrences."""
        self.check_access("write")

    # ------------------------------------------------------------------
    # Reconciliation
    # ------------------------------------------------------------------
    def _get_plan_end(self, today):
        """Last date planned now: the end of the window, or None for every date of the rule."""
        self.ensure_one()
        return today + timedelta(days=max(self.plan_ahead_days, 0)) if self.plan_ahead == "window" else None

    @api.constrains("plan_ahead", "plan_ahead_days")
    def _check_plan_ahead(self):
        for rec in self:
            if rec.plan_ahead == "window" and rec.plan_ahead_days < 0:
                raise ValidationError(self.env._("“Days Ahead” cannot be negative (it is %s).", rec.plan_ahead_days))

    @api.depends(*RULE_FIELDS, *WORKING_DAY_FIELDS, "rrule", "plan_ahead", "plan_ahead_days")
    def _compute_next_plan_summary(self):
        today = self._get_today()
        for rec in self:
            pairs = [] if rec._get_shown_rule_error() else rec._get_next_occurrences(1)
            if not pairs:
                rec.next_plan_summary = False
                continue
            text = rec._format_occurrence(*pairs[0])
            plan_end = rec._get_plan_end(today)
            if plan_end and pairs[0][1] > plan_end and not rec.plan_ahead_days:
                text = self.env._("%s, planned on the day", text)
            elif plan_end and pairs[0][1] > plan_end:
                text = self.env._(
                    "%(date)s, planned on %(planned)s (%(days)s days ahead)",
                    date=text,
                    planned=format_date(self.env, pairs[0][1] - timedelta(days=rec.plan_ahead_days)),
                    days=rec.plan_ahead_days,
                )
            rec.next_plan_summary = text

    @api.depends(*RULE_FIELDS, *WORKING_DAY_FIELDS, "rrule", "plan_ahead", "plan_ahead_days", "generated_until")
    def _compute_upcoming_html(self):
        """Below the planned activities, the whole schedule: the dates still to come, from the rule alone."""
        today = self._get_today()
        for rec in self:
            rec.upcoming_html = False
            if rec._get_shown_rule_error() or (rec.plan_ahead != "window" and rec.end_type != "forever"):
                continue
            planned_until = max(filter(None, [rec.generated_until, rec._get_plan_end(today)]), default=today)
            upcoming = dropwhile(lambda pair, end=planned_until: pair[1] <= end, rec._iter_occurrences(today))
            pairs = list(islice(upcoming, PREVIEW_SIZE + 1))
            if not pairs:
                continue
            items = Markup("").join(
                Markup("<li>%s</li>") % rec._format_occurrence(*pair) for pair in pairs[:PREVIEW_SIZE]
            )
            if len(pairs) > PREVIEW_SIZE:
                items += Markup("<li>%s</li>") % (
                    self.env._("and more, until %s", format_date(self.env, rec.last_date))
                    if rec.end_type != "forever" and "last_date" in rec._fields and rec.last_date
                    else self.env._("and more, without end")
                )
            title = (
                self.env._("Still to come: planned %s days ahead by the daily scheduled action", rec.plan_ahead_days)
                if rec.plan_ahead == "window"
                else self.env._("Still to come: planned by the daily scheduled action as the horizon moves")
            )
            rec.upcoming_html = Markup("<p class='text-muted mb-1'>%s</p><ul class='mb-0'>%s</ul>") % (title, items)

    def _get_target_due_dates(self, today, schedules=None):
        """{recurrence: {nominal date: due date}} of the occurrences that must have an activity.

        Those due from today to the end of the rule (or its horizon, or the plan-ahead window), on
        working days if the rule says so; an activity's ``recurring_date`` is the nominal date, its
        due date the working day. The working schedules are read once for the whole batch.
        """
        result = {}
        for recurrence, pairs in self._get_occurrence_pairs(date_from=today, schedules=schedules).items():
            plan_end = recurrence._get_plan_end(today)
            result[recurrence] = {nominal: due for nominal, due in pairs if not plan_end or due <= plan_end}
        return result

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

    def _plan_reconciliation(self, today, extend_only=False):
        """What reconciling would do, written nowhere: a dict of

        - ``create``: the values of the missing activities,
        - ``obsolete``: the open future activities that no longer match,
        - ``moves``: {due date: ids of open activities a holiday moves there},
        - ``sync``: {recurrence: its open future activities to keep in line with it},
        - ``generated_until``: {recurrence: the last date it will then be planned up to},
        - ``counts``: {recurrence: (created, removed, moved)}.
        """
        recurrences = self.filtered(lambda r: r.active and not r.paused)
        plan = {"create": [], "obsolete": [], "moves": defaultdict(list), "sync": {}, "generated_until": {}}
        plan["counts"] = {}
        if not recurrences:
            return plan
        schedules = WorkingSchedules()
        due_by_recurrence = recurrences._get_target_due_dates(today, schedules)
        # An occurrence moved to a working day may have its nominal date before today (Saturday to Monday).
        earliest = min([today, *(min(dues) for dues in due_by_recurrence.values() if dues)])
        Activity = self.env["mail.activity"].sudo().with_context(active_test=False)
        sync_fields = set().union(*(rec._get_activity_sync_values() for rec in recurrences))
        existing = Activity.search_fetch(
            [
                *recurrences._get_generated_activity_domain(),
                *self._get_res_id_range_domain("res_id"),
                ("recurring_date", ">=", earliest),
            ],
            ["recurring_date", "date_deadline", "active", "res_model", "res_id", *sync_fields],
            order="recurring_date, id",
        )
        # Ids in lists, recordsets built once: growing a recordset with ``|=`` one record at a
        # time copies it each time, quadratic on the tens of thousands of a regeneration.
        by_recurrence = defaultdict(list)
        for activity in existing:
            by_recurrence[self._get_activity_recurrence(activity)].append(activity)

        for recurrence in recurrences:
            due_dates = due_by_recurrence[recurrence]
            targets = recurrence._get_target_occurrences(due_dates)
            seen, sync_ids, obsolete_ids, moved = set(), [], [], 0
            for activity in by_recurrence.get(recurrence, ()):
                key = recurrence._get_activity_key(activity)
                open_future = activity.active and activity.date_deadline >= today
                if open_future and (key not in targets or key in seen):
                    obsolete_ids.append(activity.id)
                    continue
                seen.add(key)
                if open_future:
                    sync_ids.append(activity.id)
                    due = due_dates[key[0]]
                    if activity.date_deadline != due and recurrence._follows_rule(activity, key[0], schedules):
                        plan["moves"][due].append(activity.id)
                        moved += 1
            if sync_ids:
                plan["sync"][recurrence] = Activity.browse(sync_ids)
            missing = targets.keys() - seen
            if extend_only and recurrence.generated_until:
                # Records that start matching a filter get theirs; one target's dates only when new.
                missing = {key for key in missing if key[1] is not None or key[0] > recurrence.generated_until}
            plan["create"] += [
                {**recurrence._prepare_activity_values(occurrence), **targets[occurrence, record]}
                for occurrence, record in sorted(missing, key=lambda key: (key[0], key[1] or 0))
            ]
            plan["obsolete"] += obsolete_ids
            plan["counts"][recurrence] = (len(missing), len(obsolete_ids), moved)
            # Planned up to here, even when no date falls in the window yet.
            plan["generated_until"][recurrence] = max(set(due_dates) | {recurrence._get_plan_end(today) or today})
        plan["obsolete"] = Activity.browse(plan["obsolete"])
        return plan

    def _reconcile_activities(self, today=None, extend_only=False):
        """Make the open future activities match the rule; returns (created, removed, moved) counts.

        Keeps every activity whose occurrence is still in the rule, creates those missing,
        moves those whose working day changed (a holiday added) and unlinks the open future
        ones that no longer match. Past (due before today) and done activities are never
        touched, and an occurrence that already has an activity (done or not) gets no
        second one. With extend_only (the daily scheduled action), only dates after those
        already generated are planned: an activity a user cancelled does not come back.
        """
        plan = self._plan_reconciliation(today or self._get_today(), extend_only=extend_only)
        self._apply_reconciliation(plan)
        return len(plan["create"]), len(plan["obsolete"]), sum(len(ids) for ids in plan["moves"].values())

    def _apply_reconciliation(self, plan):
        """Write what ``_plan_reconciliation`` planned."""
        # A job planning part of a recurrence's records leaves the recurrence to the run that split it.
        if not self.env.context.get("recurring_res_id_range"):
            for recurrence, generated_until in plan["generated_until"].items():
                recurrence.generated_until = generated_until
        for recurrence, activities in plan["sync"].items():
            sync_vals = recurrence._get_activity_sync_values()
            stale = activities.filtered(
                lambda a, v=sync_vals: any(
                    (a[f].id if isinstance(a[f], models.BaseModel) else a[f]) != value for f, value in v.items()
                )
            )
            if stale:
                stale.with_context(mail_activity_quick_update=True).write(sync_vals)
        Activity = self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True)
        # One write per new due date: the few working days that holidays moved activities to.
        for due, ids in plan["moves"].items():
            Activity.browse(ids).write({"date_deadline": due})
        if plan["obsolete"]:
            plan["obsolete"].unlink()
        if plan["create"]:
            self._prefetch_activity_records(plan["create"])
            # One batch; assignees are not sent one notification per future date.
            self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(plan["create"])

    @api.model
    def _get_res_id_range_domain(self, field_name):
        """The records a job plans, when it plans a range of them (context ``recurring_res_id_range``)."""
        id_range = self.env.context.get("recurring_res_id_range")
        if not id_range:
            return []
        after, up_to = id_range
        return [(field_name, ">", after)] + ([(field_name, "<=", up_to)] if up_to else [])

    def _prefetch_activity_records(self, vals_list):
        """Read the names of the activities' records at once: each activity stores its record's name,
        which would otherwise be read record by record (a filter's thousands of records)."""
        res_ids = defaultdict(set)
        for vals in vals_list:
            res_ids[vals["res_model_id"]].add(vals["res_id"])
        for model_id, ids in res_ids.items():
            model = self.env["ir.model"].browse(model_id).sudo().model
            self.env[model].sudo().browse(ids).mapped("display_name")

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
        self._check_can_generate()
        self._check_generation_allowed()
        plan = self._plan_reconciliation(self._get_today())
        self._apply_reconciliation(plan)
        counts = self._get_plan_counts(plan)
        if any(counts.values()):
            parts = [
                self.env._("%s planned", counts["new"]),
                counts["moved"] and self.env._("%s moved to the dates of the rule", counts["moved"]),
                counts["to_working_day"] and self.env._("%s moved to a working day", counts["to_working_day"]),
                counts["removed"] and self.env._("%s removed", counts["removed"]),
                self.env._("%s done kept", counts["done"]),
            ]
            message = self.env._("%s.", ", ".join(filter(None, parts)))
        else:
            message = self._get_nothing_to_change_text()
            if len(self) == 1 and self.next_plan_summary:
                message = self.env._("%(message)s Next: %(next)s.", message=message, next=self.next_plan_summary)
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

    def _check_generation_allowed(self):
        if any(rec.paused for rec in self):
            raise UserError(self.env._("Resume the recurrence before generating its activities."))
        if not all(self.mapped("active")):
            raise UserError(self.env._("An archived recurrence generates nothing: restore it first."))
        self._check_generation_size()

    def _check_generation_size(self):
        """Raise when generating now would plan more activities than one request can (a filter's)."""

    def _get_plan_counts(self, plan):
        """What a reconciliation plan does, as the confirmation and the notification after it both say it.

        A changed rule removes the activities of the old dates and plans the new ones: each such pair
        is one activity moved, not one planned and one removed.
        """
        counts = plan["counts"].values()
        moved = sum(min(created, removed) for created, removed, _to_working_day in counts)
        return {
            "new": sum(created for created, _removed, _to_working_day in counts) - moved,
            "moved": moved,
            "to_working_day": sum(to_working_day for _created, _removed, to_working_day in counts),
            "removed": sum(removed for _created, removed, _to_working_day in counts) - moved,
            "done": self.env["mail.activity"]
            .sudo()
            .with_context(active_test=False)
            .search_count([*self._get_generated_activity_domain(), ("active", "=", False)]),
        }

    def _get_nothing_to_change_text(self):
        """Why a generation plans nothing: the activities follow the rule, or none is due in the window yet."""
        has_open = (
            self.env["mail.activity"]
            .sudo()
            .search_count([*self._get_generated_activity_domain(), ("date_deadline", ">=", self._get_today())], limit=1)
        )
        if has_open:
            return self.env._("Nothing to change: the activities already follow the rule.")
        return self.env._("Nothing to plan yet: no date is due in the next days; the daily scheduled action plans it.")

    def _get_new_activities_text(self, plan, count):
        """How many new activities a plan creates, for how many records, over which dates: one whole sentence.

        When the plan also moves activities (it recreates them on the new dates), their dates are not the
        new ones': only the count is said.
        """
        new = plan["create"]
        if count != len(new):
            if count == 1:
                return self.env._("1 new activity will be planned.")
            return self.env._("%s new activities will be planned.", count)
        dates = sorted({vals["date_deadline"] for vals in new})
        records = len({(vals["res_model_id"], vals["res_id"]) for vals in new})
        if len(new) == 1:
            return self.env._("1 new activity will be planned, on %s.", format_date(self.env, dates[0]))
        first, last = format_date(self.env, dates[0]), format_date(self.env, dates[-1])
        if records > 1 and len(dates) == 1:
            return self.env._(
                "%(count)s new activities will be planned for %(records)s records, on %(date)s.",
                count=len(new),
                records=records,
                date=first,
            )
        if records > 1:
            return self.env._(
                "%(count)s new activities will be planned for %(records)s records, from %(first)s to %(last)s.",
                count=len(new),
                records=records,
                first=first,
                last=last,
            )
        return self.env._(
            "%(count)s new activities will be planned, from %(first)s to %(last)s.",
            count=len(new),
            first=first,
            last=last,
        )

    def _get_generation_summary(self, plan=None):
        """What generating would do now, in sentences: planned, moved, removed, and done ones kept."""
        plan = plan or self._plan_reconciliation(self._get_today())
        counts = self._get_plan_counts(plan)
        lines = []
        if len(self) == 1 and self.next_plan_summary:
            lines.append(self.env._("Next: %s.", self.next_plan_summary))
        if counts["new"]:
            lines.append(self._get_new_activities_text(plan, counts["new"]))
        if counts["moved"] == 1:
            lines.append(self.env._("1 open future activity will move to the dates of the rule."))
        elif counts["moved"]:
            lines.append(self.env._("%s open future activities will move to the dates of the rule.", counts["moved"]))
        if counts["to_working_day"] == 1:
            lines.append(self.env._("1 open future activity will move to a working day."))
        elif counts["to_working_day"]:
            lines.append(self.env._("%s open future activities will move to a working day.", counts["to_working_day"]))
        if counts["removed"] == 1:
            lines.append(self.env._("1 open future activity no longer matches and will be removed."))
        elif counts["removed"]:
            lines.append(
                self.env._("%s open future activities no longer match and will be removed.", counts["removed"])
            )
        if not any(counts[key] for key in ("new", "moved", "to_working_day", "removed")):
            lines.append(self._get_nothing_to_change_text())
        lines.append(self.env._("Done and past activities are never touched (%s done).", counts["done"]))
        return "\n".join(lines)

    @api.depends_context("uid")
    def _compute_pending_removal_count(self):
        self.pending_removal_count = 0
        generated = self.filtered(
            lambda r: r.id and r.generated_until and r.active and not r.paused and not r._rule_error()
        )
        if generated:
            # One dry run for them all: one read of their activities, not one per recurrence.
            counts = generated._origin._plan_reconciliation(self._get_today())["counts"]
            for rec in generated:
                rec.pending_removal_count = counts.get(rec._origin, (0, 0, 0))[1]

    def action_generate_confirm(self):
        """The "Generate" button: say what a generation would do, then do it on OK."""
        self._check_can_generate()
        self._check_generation_allowed()
        plan = self._plan_reconciliation(self._get_today())
        wizard = self.env["recurring.generate.confirm"].create(
            {
                "res_model": self._name,
                "res_ids": self.ids,
                "message": self._get_generation_summary(plan),
                "activity_count": len(plan["create"]),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Generate interactions"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_pause(self):
        self.write({"paused": True})

    def action_resume(self):
        self.write({"paused": False})
        generated = self.filtered("generated_until")
        generated._check_can_generate()
        generated._reconcile_activities()

    def action_archive(self):
        """Archive, saying what became of the activities: the open future ones go, the done ones stay."""
        done = (
            self.env["mail.activity"]
            .sudo()
            .with_context(active_test=False)
            .search_count([*self._get_generated_activity_domain(), ("active", "=", False)])
        )
        removed = self._remove_open_future_activities()
        super().action_archive()
        # Counts after a colon: one sentence whatever the numbers ("1 activities" never reads).
        message = self.env._(
            "Open future activities removed: %(removed)s. Done ones kept: %(done)s.", removed=removed, done=done
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Archived"),
                "message": message,
                "type": "info",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def unlink(self):
        self._remove_open_future_activities()
        return super().unlink()

    @api.model
    def _can_commit(self):
        """False while tests run (as Odoo's own scheduled actions check): they must not commit."""
        return not (
            # A job commits through queue_job, which holds its lock until then.
            self.env.context.get("job_uuid")
            or odoo_module.current_test
            or tools.config["test_enable"]
            or getattr(threading.current_thread(), "testing", False)
            or registry_in_test_mode(self.env.registry)
        )

    def _lock_for_planning(self):
        """These recurrences but those another run is planning now, locked until this transaction ends."""
        query = SQL(
            "SELECT id FROM %s WHERE id = ANY(%s) FOR UPDATE SKIP LOCKED", SQL.identifier(self._table), self.ids
        )
        for attempt in range(MAX_LOCK_ATTEMPTS):
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(query)
                    return self.browse(row[0] for row in self.env.cr.fetchall())
            except psycopg2.errors.SerializationFailure:
                # Another run planned one of them after this transaction's snapshot: its previous batch is
                # committed, so start afresh and see what that run planned.
                if attempt == MAX_LOCK_ATTEMPTS - 1 or not self._can_commit():
                    raise
                self.env.cr.rollback()
        return self.browse()

    @api.model
    def _cron_extend_horizon(self, batch_size=200, as_jobs=None):
        """Extend open-ended recurrences to their horizon and plan-ahead windows to their next days, in batches
        (queued as jobs when queue_job is used, or ``as_jobs`` says so)."""
        # Rules on working days too: a holiday added since moves (or removes) their open future activities.
        recurrences = self.search(
            [
                ("paused", "=", False),
                ("generated_until", "!=", False),
                "|",
                "|",
                ("end_type", "=", "forever"),
                ("plan_ahead", "=", "window"),
                ("non_working_days", "!=", "keep"),
            ],
        )
        if self._use_queue_jobs() if as_jobs is None else as_jobs:
            return recurrences._enqueue_horizon_jobs(batch_size)
        # Batch by batch, each locked until it commits: two runs at once (two cron workers, two servers)
        # share the recurrences instead of both planning the same dates (the unique index would fail one).
        for start in range(0, len(recurrences), batch_size):
            batch = recurrences[start : start + batch_size]._lock_for_planning()
            for company, records in batch.grouped("company_id").items():
                records._reconcile_activities(today=self._get_today(company), extend_only=True)
            if self._can_commit():
                self.env.cr.commit()  # pylint: disable=invalid-commit

# Part of recurring_interactions. License LGPL-3.
"""Recurrences over a live filter: every record matching a domain on each date, one activity each.

The domain is data, never code: read as a literal, checked against the model's fields, and run
with the rights of the recurrence's assignee in the recurrence's company, so that a recurrence never
reaches a record its assignee could not open. It is evaluated each time activities are planned,
which for a filter is the plan-ahead window only: the set of records is never frozen for a year.

A new filter recurrence selects nothing until a condition is set, and cannot be generated before: it
starts as "ID is not set" (which the domain editor shows as a rule to change, and counts as 0 records),
and an empty filter is "no condition yet" too, never "every record" (Odoo's meaning of an empty domain).
"""

import ast

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .recurring_activity_generator_jobs import RECORDS_PER_JOB
from .series_compat import normalize_domain

# A new filter's condition: it selects no record. Without condition, a filter selects none either.
NO_CONDITION = [("id", "=", False)]

# Most activities one generation of a filter plans at once (records matching x dates in the window): past
# it, a request would run for minutes. The daily scheduled action plans such a filter in jobs (queue_job).
MAX_FILTER_ACTIVITIES = 20000
# Records named in "Thursday 3 December: 2 activities, for Ready Mat and Azure Interior".
NAMED_RECORDS = 3


class RecurringInteraction(models.Model):
    _inherit = "recurring.interaction"  # pylint: disable=consider-merging-classes-inherited

    filter_domain = fields.Char(
        string="Filter",
        default=repr(NO_CONDITION),
        help="The records to schedule on: those matching this filter on each date, as the assignee may see them.",
    )
    user_field_id = fields.Many2one(
        "ir.model.fields",
        string="Assign To The Record's",
        ondelete="set null",
        domain="[('model_id', '=', res_model_id), ('ttype', '=', 'many2one'), ('relation', '=', 'res.users')]",
        help="Each record's own user gets its activity (for example its salesperson); "
        "“Assigned to” when the record has none.",
    )
    filter_is_empty = fields.Boolean(
        string="No Condition Yet",
        compute="_compute_filter_is_empty",
        help="The filter has no condition: it selects no record until one is set.",
    )
    filter_count = fields.Integer(
        string="Matching Records",
        compute="_compute_filter_count",
        help="Records matching the filter today, as the assignee sees them.",
    )

    # ------------------------------------------------------------------
    # The domain: data, checked
    # ------------------------------------------------------------------
    @api.depends("filter_domain")
    def _compute_filter_is_empty(self):
        for rec in self:
            try:
                rec.filter_is_empty = rec._parse_filter_domain() in ([], NO_CONDITION)
            except ValidationError:
                rec.filter_is_empty = False  # unreadable: refused on save, with its reason

    def _filter_error(self, error):
        return ValidationError(
            self.env._(
                "The filter of “%(name)s” is not a list of conditions on %(model)s: %(error)s",
                name=self.name,
                model=self.res_model_id.sudo().name,
                error=error,
            )
        )

    def _parse_filter_domain(self):
        """The conditions of the filter as written (an empty list when it has none); a ValidationError
        saying why when it is not a plain list of them."""
        self.ensure_one()
        try:
            domain = ast.literal_eval((self.filter_domain or "[]").strip())
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as error:
            raise self._filter_error(error) from error
        if not isinstance(domain, list | tuple):
            raise self._filter_error(self.env._("a filter is a list of conditions"))
        # As the domain editor writes it (tuples) or as typed (lists): one form to compare.
        return [tuple(item) if isinstance(item, list) else item for item in domain]

    def _get_filter_domain(self):
        """The domain of the records the filter selects, none while it has no condition; a ValidationError
        saying why when it is not a plain one."""
        self.ensure_one()
        domain = self._parse_filter_domain() or list(NO_CONDITION)
        try:
            domain = normalize_domain(domain)
            # Builds the query without running it: unknown fields and operators are refused here.
            self.env[self.res_model].sudo()._search(domain)
        except (ValueError, SyntaxError, TypeError, KeyError, AssertionError) as error:
            raise self._filter_error(error) from error
        return domain

    @api.constrains("target_mode", "filter_domain", "res_model_id", "user_field_id", "plan_ahead")
    def _check_filter(self):
        filters = self.filtered(lambda r: r.target_mode == "filter")
        allowed_model_ids = set(self._get_target_models().ids) if filters else set()
        for rec in filters:
            if rec.res_model_id.id not in allowed_model_ids:
                raise ValidationError(self.env._("Choose the model whose records the filter selects."))
            rec._get_filter_domain()
            field = rec.user_field_id.sudo()
            if field and (field.model != rec.res_model or field.ttype != "many2one" or field.relation != "res.users"):
                raise ValidationError(
                    self.env._(
                        "“%(field)s” is not a user of %(model)s: choose a field that links each record to a user.",
                        field=field.field_description,
                        model=rec.res_model_id.sudo().name,
                    )
                )
            if rec.plan_ahead != "window":
                raise ValidationError(
                    self.env._(
                        "A recurrence over a filter plans only the next days (its records change every day): "
                        "choose “Only the next days” for “%s”.",
                        rec.name,
                    )
                )

    @api.onchange("target_mode")
    def _onchange_target_mode(self):
        if self.target_mode == "filter":
            self.plan_ahead = "window"

    # ------------------------------------------------------------------
    # The records, as the assignee sees them
    # ------------------------------------------------------------------
    def _get_filter_model(self):
        """The target model with the assignee's rights, in the recurrence's company only."""
        self.ensure_one()
        user = self.user_id
        if self.company_id not in user.company_ids:
            raise AccessError(
                self.env._("%(user)s does not work for %(company)s.", user=user.name, company=self.company_id.name)
            )
        return self.env[self.res_model].with_user(user).with_context(allowed_company_ids=self.company_id.ids)

    def _get_filter_targets(self):
        """{record id: user id} of the records matching the filter now, one query."""
        self.ensure_one()
        Model = self._get_filter_model()
        user_field = self.user_field_id.sudo().name
        domain = [*self._get_filter_domain(), *self._get_res_id_range_domain("id")]
        records = Model.search_fetch(domain, [user_field] if user_field else [])
        if not user_field:
            return dict.fromkeys(records.ids, self.user_id.id)
        return {record.id: record[user_field].id or self.user_id.id for record in records}

    @api.depends("target_mode", "filter_domain", "res_model_id", "user_id", "company_id")
    def _compute_filter_count(self):
        for rec in self:
            rec.filter_count = 0
            if rec.target_mode == "filter" and rec.res_model_id and rec.user_id:
                try:
                    rec.filter_count = rec._get_filter_model().search_count(rec._get_filter_domain())
                except (ValidationError, AccessError):
                    continue

    @api.depends("target_mode", "filter_domain", "res_model_id", "user_id")
    def _compute_preview_html(self):
        res = super()._compute_preview_html()
        for rec in self.filtered(lambda r: r.target_mode == "filter"):
            note = self.env._(
                "Each date: one activity for each matching record; %(count)s match today for %(user)s.",
                count=rec.filter_count,
                user=rec.user_id.name or "",
            )
            rec.preview_html = Markup('<p class="text-muted">%s</p>') % note + (rec.preview_html or "")
        return res

    @api.depends("target_mode", "filter_domain", "res_model_id", "user_id", "company_id")
    def _compute_next_plan_summary(self):
        res = super()._compute_next_plan_summary()
        for rec in self.filtered(lambda r: r.target_mode == "filter" and r.res_model and r.next_plan_summary):
            try:
                Model = rec._get_filter_model()
                domain = rec._get_filter_domain()
            except (ValidationError, AccessError):
                continue
            names = Model.search(domain, limit=NAMED_RECORDS + 1).mapped("display_name")
            if len(names) > NAMED_RECORDS:
                names[NAMED_RECORDS:] = [self.env._("%s more", rec.filter_count - NAMED_RECORDS)]
            if rec.filter_count == 1:
                rec.next_plan_summary = self.env._(
                    "%(date)s: 1 activity, for %(name)s (matching today)", date=rec.next_plan_summary, name=names[0]
                )
                continue
            rec.next_plan_summary = self.env._(
                "%(date)s: %(count)s activities, for %(names)s (matching today)",
                date=rec.next_plan_summary,
                count=rec.filter_count,
                names=", ".join(names) or self.env._("no record"),
            )
        return res

    def _check_generation_allowed(self):
        """A filter without condition selects nothing: say so rather than plan nothing in silence."""
        if empty := self.filtered(lambda r: r.target_mode == "filter" and r.filter_is_empty):
            raise UserError(
                self.env._(
                    "“%(name)s” has no condition yet: add one to its filter to choose the %(model)s records it "
                    "plans activities on (an empty filter selects none).",
                    name=empty[0].name,
                    model=empty[0].res_model_id.sudo().name,
                )
            )
        return super()._check_generation_allowed()

    def _check_generation_size(self):
        """Refuse a generation of more activities than one request plans (see MAX_FILTER_ACTIVITIES)."""
        res = super()._check_generation_size()
        filters = self.filtered(lambda r: r.target_mode == "filter" and r.active and not r.paused)
        due_by_recurrence = filters._get_target_due_dates(self._get_today()) if filters else {}
        for rec in filters:
            if not (dates := len(due_by_recurrence[rec])):
                continue
            if rec.filter_count * dates > MAX_FILTER_ACTIVITIES:
                raise UserError(
                    self.env._(
                        "“%(name)s” would plan %(total)s activities now (%(count)s matching records on %(dates)s "
                        "dates), more than %(max)s at once: narrow the filter or plan fewer days ahead.",
                        name=rec.name,
                        total=rec.filter_count * dates,
                        count=rec.filter_count,
                        dates=dates,
                        max=MAX_FILTER_ACTIVITIES,
                    )
                )
        return res

    def action_open_filter_records(self):
        """The records the filter matches today, as the assignee sees them."""
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Matching records"),
            "res_model": self.res_model,
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", list(self._get_filter_targets()))],
        }

    # ------------------------------------------------------------------
    # Generation: one activity per (occurrence, record)
    # ------------------------------------------------------------------
    def _get_target_occurrences(self, due_dates):
        if self.target_mode != "filter":
            return super()._get_target_occurrences(due_dates)
        targets = self._get_filter_targets() if due_dates else {}
        return {
            (occurrence, res_id): {"res_id": res_id, "user_id": user_id, "date_deadline": due}
            for occurrence, due in due_dates.items()
            for res_id, user_id in targets.items()
        }

    def _get_job_record_ranges(self):
        """A filter over many records is planned by several jobs, each a range of its matching records'
        ids; the first starts at 0 and the last has no end, so that records that stopped matching are
        in one of them (their activities are removed there)."""
        if self.target_mode != "filter":
            return super()._get_job_record_ranges()
        ids = sorted(self._get_filter_targets())
        if len(ids) <= RECORDS_PER_JOB:
            return [None]
        bounds = [0, *ids[RECORDS_PER_JOB - 1 : -1 : RECORDS_PER_JOB]]
        return [(after, up_to) for after, up_to in zip(bounds, [*bounds[1:], None], strict=True)]

    def _get_activity_key(self, activity):
        if self.target_mode != "filter":
            return super()._get_activity_key(activity)
        return activity.recurring_date, activity.res_id

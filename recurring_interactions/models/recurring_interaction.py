# Part of recurring_interactions. License LGPL-3.
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .series_compat import domain_or

# Models with activities that are settings of the database, not business records: never offered as targets.
TECHNICAL_MODEL_PREFIXES = ("ir.", "base.", "bus.", "mail.", "res.config", "res.users", "iap.", "web.", "digest.")

# Writing any of these sets the target or its assignee: whoever writes it, and the assignee, must open it.
TARGET_FIELDS = {"target_mode", "res_model_id", "res_id", "resource_ref", "user_id"}

ENDING_SOON_DAYS = 30
# A new recurrence plans two weeks ahead: its next occurrence is always in the assignee's activities
# (and the one after a weekly one), without a year of future activities in a customer's chatter.
DEFAULT_PLAN_AHEAD_DAYS = 14

TARGET_MODE_SELECTION = [
    ("record", "One record"),
    ("filter", "Every record of a filter"),
    ("none", "Internal (no record)"),
]
STATE_SELECTION = [
    ("draft", "Not Planned Yet"),
    ("in_progress", "In Progress"),
    ("ending", "Ending Soon"),
    ("paused", "Paused"),
    ("done", "Ended"),
]


class RecurringInteraction(models.Model):
    _name = "recurring.interaction"
    # The activities of an internal recurrence are on the recurrence itself (mail.activity.mixin).
    _inherit = ["recurring.activity.generator", "mail.thread", "mail.activity.mixin"]
    _description = "Recurring Interaction"
    _order = "state_sequence, date_start desc, id desc"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    target_mode = fields.Selection(
        TARGET_MODE_SELECTION,
        string="Scheduled On",
        required=True,
        default="record",
        tracking=True,
        help="One record: a customer or any record with activities. Every record of a filter: each record "
        "matching the filter on each date. Internal: a task of no record, on the recurrence itself.",
    )
    res_model_id = fields.Many2one(
        "ir.model",
        string="Target Model",
        ondelete="cascade",
        domain=lambda self: [("id", "in", self._get_target_models().ids)],
        default=lambda self: self.env["ir.model"]._get_id("res.partner"),
    )
    res_model = fields.Char(
        related="res_model_id.model",
        string="Target Model Name",
        store=True,
        index=True,
        precompute=True,
    )
    res_id = fields.Many2oneReference(string="Target ID", model_field="res_model", index=True)
    resource_ref = fields.Reference(
        selection="_selection_target_model",
        string="Target",
        compute="_compute_resource_ref",
        inverse="_inverse_resource_ref",
        help="The customer (or any record with activities) the interactions are scheduled on.",
    )
    # Name and customer of the target are computed for each reader, never stored: nobody learns
    # through a recurrence what they could not read on the target itself.
    res_name = fields.Char(string="Target Name", compute="_compute_target_fields", search="_search_res_name")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        compute="_compute_target_fields",
        search="_search_partner_id",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Assigned to",
        required=True,
        tracking=True,
        index=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    # Not mail.activity.mixin's "next activity type": the type of the activities this recurrence plans.
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity Type",
        related=None,
        search=None,
        store=True,
        readonly=False,
        required=True,
        ondelete="restrict",
        default=lambda self: self.env.ref("recurring_interactions.mail_activity_type_follow_up", False),
        domain="['|', ('res_model', '=', False), ('res_model', '=', res_model)]",
    )
    summary = fields.Char()
    note = fields.Html(sanitize_style=True)
    # A change of rule is logged in the chatter, in words: "Every week on Wednesday → Every week on Thursday".
    date_start = fields.Date(tracking=True)
    rrule_summary = fields.Char(tracking=True)
    plan_ahead = fields.Selection(default="window")
    plan_ahead_days = fields.Integer(default=DEFAULT_PLAN_AHEAD_DAYS)
    interaction_ids = fields.One2many(
        "mail.activity",
        "recurring_interaction_id",
        context={"active_test": False},
        readonly=True,
    )
    interaction_count = fields.Integer(compute="_compute_interaction_stats", string="Interactions Count")
    done_count = fields.Integer(compute="_compute_interaction_stats", string="Done")
    next_date = fields.Date(compute="_compute_interaction_stats", string="Next Interaction")
    last_date = fields.Date(
        compute="_compute_last_date",
        store=True,
        help="Date of the last occurrence; empty for a recurrence that never ends.",
    )
    state = fields.Selection(
        STATE_SELECTION,
        string="Status",
        compute="_compute_state",
        store=True,
        index=True,
        help="Not planned yet: saved, never generated (press “Generate interactions”). Ending soon: the last "
        "occurrence is within 30 days. The daily scheduled action keeps it current.",
    )
    state_sequence = fields.Integer(compute="_compute_state", store=True)

    # ------------------------------------------------------------------
    # Target
    # ------------------------------------------------------------------
    @api.model
    def _get_target_models(self):
        """Business models whose records can have activities: real ones, not the abstract mixins, nor
        technical ones (Scheduled Actions, Server Actions) that only the settings manage."""
        models_ = (
            self.env["ir.model"]
            .sudo()
            .search(
                [("is_mail_activity", "=", True), ("is_mail_thread", "=", True), ("transient", "=", False)],
                order="name",
            )
        )
        return models_.filtered(
            lambda m: (
                m.model in self.env
                and not self.env[m.model]._abstract
                and not m.model.startswith(TECHNICAL_MODEL_PREFIXES)
            )
        )

    @api.model
    def _selection_target_model(self):
        return [(m.model, m.name) for m in self._get_target_models()]

    @api.depends("res_model", "res_id")
    def _compute_resource_ref(self):
        for rec in self:
            if rec.res_model and rec.res_model in self.env and rec.res_id:
                rec.resource_ref = self.env[rec.res_model].browse(rec.res_id)
            else:
                rec.resource_ref = False

    def _inverse_resource_ref(self):
        for rec in self:
            target = rec.resource_ref
            if target:
                rec.write({"res_model_id": self.env["ir.model"]._get_id(target._name), "res_id": target.id})
            else:
                rec.res_id = False

    @api.model
    def _prepare_target_values(self, vals):
        """The target as written: a reference ("res.partner,7" or a record) as model and id, no single
        record for a filter or an internal recurrence.

        Done before the record is written, so that the checks see it.
        """
        if vals.get("target_mode") in ("filter", "none"):
            vals["res_id"] = False  # no single target
        if vals.get("resource_ref"):
            target = vals.pop("resource_ref")
            if isinstance(target, str):
                model, res_id = target.split(",")
            else:
                model, res_id = target._name, target.id
            vals.update(res_model_id=self.env["ir.model"]._get_id(model), res_id=int(res_id))
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        recurrences = super().create([self._prepare_target_values(dict(vals)) for vals in vals_list])
        recurrences._check_target_access()
        if (activity_id := self.env.context.get("recurring_first_activity_id")) and len(recurrences) == 1:
            # Opened by "Make Recurring" on an activity: that activity is the first occurrence.
            self.env["mail.activity"].browse(activity_id).exists()._link_first_occurrence(recurrences)
        return recurrences

    def write(self, vals):
        result = super().write(self._prepare_target_values(dict(vals)))
        if TARGET_FIELDS.intersection(vals):
            self._check_target_access()
        return result

    @api.model
    def _get_partner_field(self, model):
        """The field of `model` that holds its customer: "id" for a contact (its own customer), else None."""
        if model == "res.partner":
            return "id"
        field = self.env[model]._fields.get("partner_id")
        return "partner_id" if field and field.comodel_name == "res.partner" else None

    @api.depends("target_mode", "res_model", "res_id")
    @api.depends_context("uid")
    def _compute_target_fields(self):
        # As the web client shows a reference the reader may not open (see web_read).
        hidden = self.env._("You don't have access to this record")
        values = {}
        for model, recurrences in self.filtered("res_id").grouped("res_model").items():
            if model not in self.env:
                continue
            targets = self.env[model].browse(recurrences.mapped("res_id")).exists()
            readable = targets._filtered_access("read")
            partner_field = self._get_partner_field(model)
            values.update(((model, target.id), (hidden, False)) for target in targets - readable)
            for target in readable:
                partner = target if partner_field == "id" else (target[partner_field] if partner_field else False)
                values[model, target.id] = (target.display_name, partner)
        for rec in self:
            rec.res_name, rec.partner_id = values.get((rec.res_model, rec.res_id), (False, False))
            if rec.target_mode == "filter" and rec.res_model_id:
                rec.res_name = self.env._("%s (filter)", rec.res_model_id.sudo().name)
            elif rec.target_mode == "none":
                rec.res_name = self.env._("Internal")

    def _search_by_target(self, get_target_domain):
        """Recurrences whose target matches ``get_target_domain(model)`` (None: none of that model can),
        among the targets the user may read."""
        # Every model any recurrence targets: it only shapes the domain, the user's own rights filter.
        groups = self.sudo().with_context(active_test=False)._read_group([], ["res_model"])
        domains = []
        for (model,) in groups:
            target_domain = get_target_domain(model) if model in self.env else None
            if target_domain is not None and self.env[model].has_access("read"):
                targets = self.env[model].with_context(active_test=False)._search(target_domain)
                domains.append([("res_model", "=", model), ("res_id", "in", targets)])
        return domain_or(domains)

    def _search_res_name(self, operator, value):
        return self._search_by_target(lambda model: [("display_name", operator, value)])

    def _search_partner_id(self, operator, value):
        def get_target_domain(model):
            partner_field = self._get_partner_field(model)
            if partner_field == "id" and isinstance(value, str):
                # A contact is its own customer: matched by name like a many2one.
                return [("display_name", operator, value)]
            return partner_field and [(partner_field, operator, value)]

        return self._search_by_target(get_target_domain)

    def _filtered_target_access(self, operation, user=None):
        """The recurrences whose target ``user`` (by default the current user) may ``operation``.

        The current user is checked in the companies they work in (under sudo, like Odoo's own checks,
        anything goes), another user in all of theirs. "activity" is what scheduling an activity on the
        target needs, as mail.activity checks it.
        """
        env = self.env
        if user and user != env.user:
            env = env(user=user, su=False, context=dict(env.context, allowed_company_ids=user.sudo().company_ids.ids))
        allowed_ids = []
        for model, recurrences in self.grouped("res_model").items():
            targets = env[model].browse(recurrences.mapped("res_id"))
            if operation == "activity":
                permitted = targets._filtered_access(getattr(targets, "_mail_post_access", "write"))
            else:
                permitted = targets._filtered_access(operation)
            allowed_ids += recurrences.filtered(lambda r, ids=set(permitted.ids): r.res_id in ids).ids
        return self.browse(allowed_ids)

    @api.constrains("target_mode", "res_model_id", "res_id", "user_id")
    def _check_target(self):
        """The target exists and has activities (who may open it: _check_target_access)."""
        if not (targeted := self.filtered(lambda r: r.target_mode == "record")):
            return
        targeted._check_one_target()

    def _check_one_target(self):
        # Model metadata that users may not read themselves.
        for model, recurrences in self.grouped(lambda r: r.res_model_id.sudo()).items():
            if not model:
                raise ValidationError(self.env._("Choose the model of the record the interactions are scheduled on."))
            if not all(recurrences.mapped("res_id")):
                raise ValidationError(self.env._("Choose the record the interactions are scheduled on (the target)."))
            if not (model.is_mail_thread and model.is_mail_activity):
                raise ValidationError(self.env._("Records of “%s” cannot have activities.", model.name))
            Target = self.env.get(model.model)
            existing = set(Target.browse(recurrences.mapped("res_id")).exists().ids) if Target is not None else set()
            if missing := recurrences.filtered(lambda r, ids=existing: r.res_id not in ids):
                raise ValidationError(self.env._("The target record of “%s” does not exist.", missing[0].name))

    def _check_target_access(self):
        """Whoever sets a target may open it (otherwise anyone could read any record's name by its id), and so
        may its assignee.

        Checked in create and write, with the caller's rights: 19.0 runs constraints as superuser.
        """
        targeted = self.filtered(lambda r: r.target_mode == "record" and r.res_model and r.res_id)
        if forbidden := targeted - targeted._filtered_target_access("read"):
            raise AccessError(
                self.env._(
                    "You cannot plan interactions on %s: you are not allowed to open that record.",
                    forbidden[0]._get_target_label(),
                )
            )
        for user, recurrences in targeted.grouped("user_id").items():
            if user != self.env.user and (forbidden := recurrences - recurrences._filtered_target_access("read", user)):
                raise ValidationError(
                    self.env._(
                        "%(user)s cannot open %(target)s: assign “%(name)s” to someone who can, "
                        "or choose another target.",
                        user=user.name,
                        target=forbidden[0]._get_target_label(),
                        name=forbidden[0].name,
                    )
                )

    def _get_target_label(self):
        """The target named without reading it, as its model and id ("Contact #42")."""
        self.ensure_one()
        return f"{self.res_model_id.sudo().name} #{self.res_id}"

    # ------------------------------------------------------------------
    # Interactions and state
    # ------------------------------------------------------------------
    @api.depends("interaction_ids.active", "interaction_ids.date_deadline")
    def _compute_interaction_stats(self):
        today = self._get_today()
        groups = (
            self.env["mail.activity"]
            .with_context(active_test=False)
            ._read_group(
                [("recurring_interaction_id", "in", self.ids)],
                ["recurring_interaction_id", "active"],
                ["__count", "date_deadline:min"],
            )
        )
        stats = {}
        for recurrence, active, count, _first in groups:
            total, done, next_date = stats.get(recurrence.id, (0, 0, False))
            stats[recurrence.id] = (total + count, done + (0 if active else count), next_date)
        upcoming = self.env["mail.activity"]._read_group(
            [("recurring_interaction_id", "in", self.ids), ("date_deadline", ">=", today)],
            ["recurring_interaction_id"],
            ["date_deadline:min"],
        )
        next_dates = {recurrence.id: first for recurrence, first in upcoming}
        for rec in self:
            total, done, _next = stats.get(rec.id, (0, 0, False))
            rec.interaction_count, rec.done_count = total, done
            rec.next_date = next_dates.get(rec.id, False)

    @api.depends("rrule", "date_start", "end_type", "non_working_days", "resource_calendar_id")
    def _compute_last_date(self):
        ending = self.filtered(lambda rec: rec.end_type != "forever" and not rec._rule_error())
        occurrences = ending._get_occurrence_pairs()
        for rec in self:
            if rec in ending:
                rec.last_date = occurrences[rec][-1][1] if occurrences[rec] else rec.date_start
            else:
                rec.last_date = False

    @api.depends("active", "paused", "last_date", "generated_until")
    def _compute_state(self):
        today = self._get_today()
        sequence = {key: index for index, (key, _label) in enumerate(STATE_SELECTION)}
        for rec in self:
            if rec.last_date and rec.last_date < today:
                rec.state = "done"
            elif rec.paused:
                rec.state = "paused"
            elif not rec.generated_until:
                # The daily scheduled action extends planned recurrences only: this one waits for "Generate".
                rec.state = "draft"
            elif rec.last_date and rec.last_date <= today + timedelta(days=ENDING_SOON_DAYS):
                rec.state = "ending"
            else:
                rec.state = "in_progress"
            rec.state_sequence = sequence[rec.state]

    # ------------------------------------------------------------------
    # Generation hooks
    # ------------------------------------------------------------------
    def _get_generated_activity_domain(self):
        return [("recurring_interaction_id", "in", self.ids)]

    def _get_activity_recurrence(self, activity):
        return activity.recurring_interaction_id

    def _check_can_generate(self):
        res = super()._check_can_generate()
        targeted = self.filtered(lambda r: r.target_mode == "record")
        if forbidden := targeted - targeted._filtered_target_access("activity"):
            raise AccessError(
                self.env._(
                    "You cannot generate the interactions of “%(name)s”: you are not allowed to schedule "
                    "activities on %(target)s.",
                    name=forbidden[0].name,
                    target=forbidden[0]._get_target_label(),
                )
            )
        return res

    def _get_activity_document(self):
        """(model id, record id) the activities are scheduled on: the target, or the recurrence itself."""
        self.ensure_one()
        if self.target_mode == "none":
            return self.env["ir.model"]._get_id(self._name), self.id
        return self.res_model_id.id, self.res_id

    def _get_activity_sync_values(self):
        values = {"activity_type_id": self.activity_type_id.id, "summary": self.summary or self.name}
        if self.target_mode != "filter":
            # A filter's activities are each on its record, for its user: only one target moves.
            model_id, res_id = self._get_activity_document()
            values.update(res_model_id=model_id, res_id=res_id, user_id=self.user_id.id)
        return values

    def _prepare_activity_values(self, occurrence_date):
        model_id, res_id = self._get_activity_document()
        return {
            "res_model_id": model_id,
            "res_id": res_id,
            "activity_type_id": self.activity_type_id.id,
            "summary": self.summary or self.name,
            "note": self.note,
            "user_id": self.user_id.id,
            "date_deadline": occurrence_date,
            "recurring_date": occurrence_date,
            "recurring_interaction_id": self.id,
            "automated": True,
        }

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done_internal(self):
        """The done interactions of an internal recurrence are on it: deleting it would lose them."""
        internal = self.filtered(lambda r: r.target_mode == "none" and r.done_count)
        if internal:
            raise UserError(
                self.env._(
                    "“%s” has done interactions, which are kept on it: archive it instead of deleting it.",
                    internal[0].name,
                )
            )

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        return [dict(vals, name=self.env._("%s (copy)", rec.name)) for rec, vals in zip(self, vals_list, strict=True)]

    # ------------------------------------------------------------------
    # Scheduled action and navigation
    # ------------------------------------------------------------------
    @api.model
    def _cron_generate(self):
        """Daily: extend open-ended recurrences to their horizon and close the ended ones."""
        self._cron_extend_horizon()
        current = self.search([("state", "!=", "done")])
        self.env.add_to_compute(self._fields["state"], current)
        self.env.add_to_compute(self._fields["state_sequence"], current)
        current.flush_recordset(["state", "state_sequence"])

    def action_add_recurring_interaction(self):
        """List header button: a new recurrence (whatever rows are selected)."""
        self.browse().check_access("create")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Add recurring interaction"),
            "res_model": self._name,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {k: v for k, v in self.env.context.items() if k.startswith("default_")},
        }

    def action_open_interactions(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "recurring_interactions.action_recurring_interaction_activities"
        )
        action["domain"] = [("recurring_interaction_id", "=", self.id)]
        action["context"] = {"active_test": False}
        if group_by := self.env.context.get("recurring_group_by"):
            # A filter's activities, by record or by assignee: the list, grouped.
            action["context"]["group_by"] = [group_by]
            action["views"] = [(view_id, mode) for view_id, mode in action["views"] if mode == "list"] + [
                (view_id, mode) for view_id, mode in action["views"] if mode != "list"
            ]
        return action

    def action_open_target(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }

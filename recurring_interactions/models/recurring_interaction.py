# Part of recurring_interactions. License LGPL-3.
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

ENDING_SOON_DAYS = 30

STATE_SELECTION = [
    ("in_progress", "In Progress"),
    ("ending", "Ending Soon"),
    ("paused", "Paused"),
    ("done", "Ended"),
]


class RecurringInteraction(models.Model):
    _name = "recurring.interaction"
    # No mail.activity.mixin: its activity_type_id ("next activity") would clash with ours.
    _inherit = ["recurring.activity.generator", "mail.thread"]
    _description = "Recurring Interaction"
    _order = "state_sequence, date_start desc, id desc"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    res_model_id = fields.Many2one(
        "ir.model",
        string="Target Model",
        required=True,
        ondelete="cascade",
        domain=[("is_mail_activity", "=", True), ("is_mail_thread", "=", True), ("transient", "=", False)],
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
    res_name = fields.Char(string="Target Name", compute="_compute_res_name", store=True, compute_sudo=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        compute="_compute_partner_id",
        store=True,
        index=True,
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
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        required=True,
        ondelete="restrict",
        default=lambda self: self.env.ref("recurring_interactions.mail_activity_type_follow_up", False),
        domain="['|', ('res_model', '=', False), ('res_model', '=', res_model)]",
    )
    summary = fields.Char()
    note = fields.Html(sanitize_style=True)
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
        help="Ending soon: the last occurrence is within 30 days. The daily scheduled action keeps it current.",
    )
    state_sequence = fields.Integer(compute="_compute_state", store=True)

    # ------------------------------------------------------------------
    # Target
    # ------------------------------------------------------------------
    @api.model
    def _selection_target_model(self):
        models_ = (
            self.env["ir.model"]
            .sudo()
            .search([("is_mail_activity", "=", True), ("transient", "=", False)], order="name")
        )
        return [(m.model, m.name) for m in models_]

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
    def _convert_resource_ref(self, vals):
        """Target given as a reference ("res.partner,7" or a record): store it as model and id.

        Done before the record is written, so that the target check sees it.
        """
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
        return super().create([self._convert_resource_ref(dict(vals)) for vals in vals_list])

    def write(self, vals):
        return super().write(self._convert_resource_ref(dict(vals)))

    @api.depends("res_model", "res_id")
    def _compute_res_name(self):
        for rec in self:
            target = rec.res_model in self.env and rec.res_id and self.env[rec.res_model].browse(rec.res_id).exists()
            rec.res_name = target.display_name if target else False

    @api.depends("res_model", "res_id")
    def _compute_partner_id(self):
        for rec in self:
            if rec.res_model == "res.partner":
                rec.partner_id = rec.res_id
            elif rec.res_model in self.env and rec.res_id and "partner_id" in self.env[rec.res_model]._fields:
                partner = self.env[rec.res_model].sudo().browse(rec.res_id).exists().partner_id
                rec.partner_id = partner if partner._name == "res.partner" else False
            else:
                rec.partner_id = False

    @api.constrains("res_model", "res_id")
    def _check_target(self):
        for rec in self:
            if not rec.res_id:
                raise ValidationError(self.env._("Choose the record the interactions are scheduled on (the target)."))
            model = self.env.get(rec.res_model)
            if model is None or not model.browse(rec.res_id).exists():
                raise ValidationError(self.env._("The target record of “%s” does not exist.", rec.name))
            if not (rec.res_model_id.is_mail_thread and rec.res_model_id.is_mail_activity):
                raise ValidationError(self.env._("Records of “%s” cannot have activities.", rec.res_model_id.name))

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

    @api.depends("active", "paused", "last_date")
    def _compute_state(self):
        today = self._get_today()
        sequence = {key: index for index, (key, _label) in enumerate(STATE_SELECTION)}
        for rec in self:
            if rec.last_date and rec.last_date < today:
                rec.state = "done"
            elif rec.paused:
                rec.state = "paused"
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

    def _get_activity_sync_values(self):
        return {
            "res_model_id": self.res_model_id.id,
            "res_id": self.res_id,
            "user_id": self.user_id.id,
            "activity_type_id": self.activity_type_id.id,
            "summary": self.summary or self.name,
        }

    def _prepare_activity_values(self, occurrence_date):
        return {
            "res_model_id": self.res_model_id.id,
            "res_id": self.res_id,
            "activity_type_id": self.activity_type_id.id,
            "summary": self.summary or self.name,
            "note": self.note,
            "user_id": self.user_id.id,
            "date_deadline": occurrence_date,
            "recurring_date": occurrence_date,
            "recurring_interaction_id": self.id,
            "automated": True,
        }

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
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "recurring_interactions.action_recurring_interaction_activities"
        )
        action["domain"] = [("recurring_interaction_id", "=", self.id)]
        action["context"] = {"active_test": False}
        return action

    def action_open_target(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }

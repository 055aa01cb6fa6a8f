# Part of recurring_interactions. License LGPL-3.
from odoo import fields, models
from odoo.exceptions import UserError

from .recurring_rule_mixin import DAY_FIELDS


class MailActivity(models.Model):
    _inherit = "mail.activity"

    recurring_interaction_id = fields.Many2one(
        "recurring.interaction",
        string="Recurrence",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        readonly=True,
    )
    recurring_date = fields.Date(
        string="Occurrence Date",
        index="btree_not_null",
        copy=False,
        readonly=True,
        help="Date of the occurrence this activity was generated for; it stays when the due date is moved.",
    )

    def init(self):
        res = super().init()
        # The database, not a search before create, guarantees one activity per occurrence and record
        # (a filter recurrence has one per matching record); it replaces the (recurrence, occurrence) one.
        self.env.cr.execute("""
            DROP INDEX IF EXISTS mail_activity_recurring_interaction_date_uniq;
            CREATE UNIQUE INDEX IF NOT EXISTS mail_activity_recurring_interaction_occurrence_uniq
                ON mail_activity (recurring_interaction_id, recurring_date, res_model_id, res_id)
             WHERE recurring_interaction_id IS NOT NULL
        """)
        return res

    def _to_store_defaults(self, target):
        # 19.0 sends the client a fixed list of activity fields (18.0 sends them all, and never calls this).
        return [*super()._to_store_defaults(target), "recurring_interaction_id", "recurring_date"]

    def action_make_recurring(self):
        """Open a new weekly recurrence on this activity's record, to review before anything is generated.

        Saved, the recurrence takes this activity as its first occurrence (see its ``create``).
        """
        self.ensure_one()
        if self.recurring_date:
            raise UserError(self.env._("This activity already repeats: it was planned by a recurrence."))
        self.env["recurring.interaction"].check_access("create")
        start = self.date_deadline
        defaults = {
            "name": self.summary or self.activity_type_id.name,
            "target_mode": "record",
            "res_model_id": self.res_model_id.id,
            "res_id": self.res_id,
            "activity_type_id": self.activity_type_id.id,
            "summary": self.summary,
            "note": self.note,
            "user_id": self.user_id.id,
            "date_start": start,
            "rrule_type": "weekly",
            DAY_FIELDS[start.weekday()]: True,
            "end_type": "forever",
        }
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Make Recurring"),
            "res_model": "recurring.interaction",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {
                **{f"default_{key}": value for key, value in defaults.items()},
                "recurring_first_activity_id": self.id,
            },
        }

    def _link_first_occurrence(self, recurrence):
        """This activity, made recurring, is the first occurrence of `recurrence` (not a duplicate of it).

        Only when the rule falls on its due date: linked on another date, it would be an occurrence the
        rule does not have, which the reconciliation removes. It then stays a one-off activity.
        """
        self.ensure_one()
        if (
            self.recurring_interaction_id
            or (self.res_model, self.res_id) != (recurrence.res_model, recurrence.res_id)
            or self.date_deadline != recurrence.date_start
        ):
            return
        occurrences = recurrence._get_occurrence_pairs(self.date_deadline, self.date_deadline)[recurrence]
        if occurrences:
            # Its occurrence is the nominal date, which a working-day rule may have moved to this due date.
            nominal = occurrences[0][0]
            self.write({"recurring_interaction_id": recurrence.id, "recurring_date": nominal})

    def action_open_recurrence(self):
        self.ensure_one()
        recurrence = self.recurring_interaction_id
        recurrence.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "res_model": recurrence._name,
            "res_id": recurrence.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

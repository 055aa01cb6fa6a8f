# Part of recurring_interactions. License LGPL-3.
from odoo import fields, models


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
        super().init()
        # The database, not a search before create, guarantees one activity per occurrence.
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS mail_activity_recurring_interaction_date_uniq
                ON mail_activity (recurring_interaction_id, recurring_date)
             WHERE recurring_interaction_id IS NOT NULL
        """)

    def action_open_recurrence(self):
        self.ensure_one()
        recurrence = self.recurring_interaction_id
        return {
            "type": "ir.actions.act_window",
            "res_model": recurrence._name,
            "res_id": recurrence.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

# Part of recurring_invoices. License LGPL-3.
"""The end of a template: its last invoice, its state, and the to-do to renew it or let it end.

A template whose rule ends gives its responsible one to-do, ``renewal_reminder_days`` before
its last invoice. It is given once per end: the end it was given for is kept, so a to-do marked
done or deleted does not come back, while a renewed rule (a later end) gets a new one.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

STATE_SELECTION = [
    ("running", "Running"),
    ("paused", "Paused"),
    ("ended", "Ended"),
]


class RecurringInvoice(models.Model):
    _inherit = "recurring.invoice"  # pylint: disable=consider-merging-classes-inherited

    state = fields.Selection(
        STATE_SELECTION,
        string="Status",
        compute="_compute_state",
        store=True,
        index=True,
        help="Ended: the rule has no date left to invoice.",
    )
    final_invoice_date = fields.Date(
        string="Final Invoice",
        compute="_compute_final_invoice_date",
        store=True,
        help="Date of the last invoice of a rule that ends; empty for a rule that never ends.",
    )
    renewal_reminder_days = fields.Integer(
        string="Renewal Reminder",
        default=30,
        help="Days before the last invoice when the responsible gets a to-do to renew or let it end.",
    )
    renewal_date = fields.Date(
        compute="_compute_renewal_date",
        store=True,
        help="Day of the to-do to renew this template or let it end.",
    )
    renewal_reminded_date = fields.Date(
        string="Renewal Reminded For",
        copy=False,
        readonly=True,
        help="The last invoice date the renewal to-do was given for: a renewed rule gets a new one.",
    )

    @api.depends("paused", "next_invoice_date")
    def _compute_state(self):
        for template in self:
            if not template.next_invoice_date:
                template.state = "ended"
            elif template.paused:
                template.state = "paused"
            else:
                template.state = "running"

    @api.depends("rrule", "date_start", "end_type", "invoicing_type", "bill_first_partial_period")
    def _compute_final_invoice_date(self):
        for template in self:
            template.final_invoice_date = False
            if template.end_type == "forever" or not template.date_start or template._rule_error():
                continue
            dates = template._get_occurrence_dates()
            # In arrears, a rule of a single date invoices nothing.
            if dates and dates[-1] >= template._get_invoicing_start():
                template.final_invoice_date = dates[-1]

    @api.depends("final_invoice_date", "renewal_reminder_days")
    def _compute_renewal_date(self):
        for template in self:
            template.renewal_date = template.final_invoice_date and template.final_invoice_date - timedelta(
                days=template.renewal_reminder_days
            )

    @api.constrains("renewal_reminder_days")
    def _check_renewal_reminder_days(self):
        if any(template.renewal_reminder_days < 0 for template in self):
            raise ValidationError(
                self.env._("The renewal reminder is a number of days before the last invoice, 0 or more.")
            )

    @api.model
    def _cron_remind_renewals(self):
        """Give the renewal to-do of every running template whose renewal date has come (each company's today)."""
        todo_type = self.env.ref("mail.mail_activity_data_todo")
        vals_list, reminded = [], self.browse()
        for company in self.env["res.company"].sudo().search([]):
            today = self._get_today(company)
            templates = self.search(
                [("company_id", "=", company.id), ("state", "=", "running"), ("renewal_date", "<=", today)]
            ).filtered(lambda t: t.renewal_reminded_date != t.final_invoice_date)
            vals_list += [template._prepare_renewal_activity_values(todo_type, today) for template in templates]
            reminded |= templates
        if vals_list:
            self.env["mail.activity"].create(vals_list)
        for template in reminded:
            template.renewal_reminded_date = template.final_invoice_date
        return reminded

    def _prepare_renewal_activity_values(self, activity_type, today):
        self.ensure_one()
        return {
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "activity_type_id": activity_type.id,
            "summary": self.env._("Renew or let it end"),
            "note": self.env._(
                "The last invoice of “%(name)s” is dated %(date)s. Renew it by extending its rule (a later end, "
                "more times), or let it end.",
                name=self.name,
                date=format_date(self.env, self.final_invoice_date, lang_code=self.user_id.lang),
            ),
            "user_id": self.user_id.id,
            "date_deadline": max(self.renewal_date, today),
        }

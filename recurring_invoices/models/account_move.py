# Part of recurring_invoices. License LGPL-3.
"""The invoice side: its template and occurrence, the "Make recurring" button, posting and sending."""

from odoo import Command, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .recurring_invoice_invoicing import OCCURRENCE_INDEX


class AccountMove(models.Model):
    _inherit = "account.move"

    recurring_invoice_id = fields.Many2one(
        "recurring.invoice",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="set null",
        check_company=True,
        help="The template this invoice was created from.",
    )
    recurring_date = fields.Date(
        string="Occurrence Date",
        copy=False,
        readonly=True,
        help="Date of the occurrence of the template this invoice bills.",
    )

    def init(self):
        res = super().init()
        # The database, not a search before create, guarantees one invoice per occurrence.
        self.env.cr.execute(
            SQL(
                """
                CREATE UNIQUE INDEX IF NOT EXISTS %s
                    ON account_move (recurring_invoice_id, recurring_date)
                 WHERE recurring_invoice_id IS NOT NULL
                """,
                SQL.identifier(OCCURRENCE_INDEX),
            )
        )
        return res

    def _recurring_finalize(self):
        """Post, or post and queue for sending, the invoices whose template asks for it."""
        to_post = self.filtered(lambda m: m.recurring_invoice_id.invoice_action in ("post", "send"))
        if not to_post:
            return
        to_post.action_post()
        to_send = to_post.filtered(lambda m: m.recurring_invoice_id.invoice_action == "send")
        if to_send:
            to_send._recurring_queue_sending()

    def _recurring_queue_sending(self):
        """Odoo's own queue (the batch "Send" of the invoice list): its scheduled action e-mails them."""
        for user, moves in self.grouped(lambda m: m.recurring_invoice_id.user_id).items():
            moves.sending_data = {
                "author_user_id": user.id,
                "author_partner_id": user.partner_id.id,
                "sending_methods": ["email"],
            }
        self.env.ref("account.ir_cron_account_move_send")._trigger()

    def _recurring_send_if_set(self):
        """Issued by a person: templates set to post and send have their invoices sent as the scheduled action
        does, and the invoice's chatter says so."""
        to_send = self.filtered(lambda m: m.recurring_invoice_id.invoice_action == "send" and m.is_sale_document())
        if not to_send:
            return
        to_send._recurring_queue_sending()
        for move in to_send:
            move.message_post(
                body=self.env._(
                    "Being sent by e-mail to %(partner)s: its recurring invoice “%(template)s” posts and sends.",
                    partner=move.partner_id.display_name,
                    template=move.recurring_invoice_id.name,
                ),
                message_type="notification",
            )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # However an invoice of a template is posted (its activity, the invoice's own Confirm,
        # a batch, the scheduled action), the "Issue invoice" activity of its date is done.
        issued = posted.filtered("recurring_invoice_id")
        if issued and not self.env.context.get("recurring_invoice_closing_activities"):
            issued._recurring_close_issue_activities()
        return posted

    def _recurring_close_issue_activities(self):
        issued = {(m.recurring_invoice_id.id, m.recurring_date) for m in self}
        activities = (
            self.env["mail.activity"]
            .search(
                [
                    ("res_model", "=", "recurring.invoice"),
                    ("res_id", "in", self.recurring_invoice_id.ids),
                    ("recurring_date", "in", list({date for _template, date in issued})),
                ]
            )
            .filtered(lambda a: (a.res_id, a.recurring_date) in issued)
        )
        if activities:
            feedback = self._get_recurring_issued_message() if len(self) == 1 else self.env._("Invoices issued.")
            activities.with_context(recurring_invoice_closing_activities=True).action_feedback(feedback=feedback)

    def _get_recurring_issued_message(self):
        """ "Invoice INV/2026/00001 issued.", "Vendor Bill BILL/2026/01/0001 issued." """
        self.ensure_one()
        return self.env._("%(type)s %(name)s issued.", type=self.type_name, name=self.name)

    def _get_recurring_send_action(self):
        """Odoo's send window for issued invoices not sent yet; never an invitation to send one twice.

        A vendor bill has nobody to be sent to, and an invoice being sent by e-mail already (its template
        posts and sends) needs no window: a notification names them.
        """
        being_sent = self.filtered("sending_data")
        to_send = self.filtered(
            lambda m: m.is_sale_document() and m.state == "posted" and not m.is_move_sent and not m.sending_data
        )
        if to_send:
            action = to_send.action_invoice_sent() if len(to_send) == 1 else to_send.action_send_and_print()
            # Also opened by the web client from an RPC result, which no button call has cleaned.
            action.setdefault("views", [(False, mode) for mode in action["view_mode"].split(",")])
            return action
        names = ", ".join(self.mapped("name"))
        if being_sent:
            message, kind = self.env._("%s is issued and being sent by e-mail.", names), "success"
        elif any(move.is_sale_document() for move in self):
            message, kind = self.env._("%s is issued and was already sent.", names), "info"
        else:
            message, kind = self.env._("%s is posted.", names), "success"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": kind,
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_issue_recurring_drafts(self):
        """List action: post the selected drafts of recurring invoices and send them in one window."""
        drafts = self.filtered(lambda m: m.state == "draft")
        if not drafts:
            raise UserError(self.env._("Select the draft invoices to issue."))
        drafts.action_post()
        drafts._recurring_send_if_set()
        return drafts._get_recurring_send_action()

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    def action_make_recurring(self):
        """Open a new monthly recurring invoice (or bill) made from this invoice (or bill), unsaved.

        Nothing is planned or billed until the person reviews it and saves it; Discard leaves nothing.
        The form's defaults come from this invoice (see ``recurring.invoice.default_get``) and, saved,
        the template takes it as its first occurrence (see ``recurring.invoice.create``).
        """
        self.ensure_one()
        if self.move_type not in ("out_invoice", "in_invoice"):
            raise UserError(self.env._("Only customer invoices and vendor bills can be made recurring."))
        if self.recurring_invoice_id:
            return self.action_open_recurring_invoice()
        self.env["recurring.invoice"].check_access("create")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Make Recurring"),
            "res_model": "recurring.invoice",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {"recurring_source_move_id": self.id},
        }

    def _prepare_recurring_template_values(self):
        """The values of a monthly template that repeats this invoice, from its date on."""
        self.ensure_one()
        start = self.invoice_date or fields.Date.context_today(self)
        Template = self.env["recurring.invoice"]
        # The template's responsible issues its invoices: the salesperson only when they may.
        responsible = self.invoice_user_id
        if not Template._can_issue_invoices(responsible, self.company_id):
            responsible = self.env.user
        return {
            "name": self.env._("%(partner)s, monthly", partner=self.partner_id.display_name),
            "move_type": self.move_type,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "journal_id": self.journal_id.id,
            "currency_id": self.currency_id.id,
            "user_id": responsible.id,
            "payment_term_id": self.invoice_payment_term_id.id,
            "fiscal_position_id": self.fiscal_position_id.id,
            "narration": self.narration,
            "rrule_type": "monthly",
            "interval": 1,
            "month_by": "date",
            "day": start.day,
            "date_start": start,
            "end_type": "forever",
            # This invoice is the first occurrence: the form shows the next one a month later.
            "last_invoiced_date": start,
            "line_ids": [
                Command.create(
                    {
                        "sequence": line.sequence,
                        "product_id": line.product_id.id,
                        "name": line.name,
                        "product_uom_id": line.product_uom_id.id,
                        "quantity": line.quantity,
                        "price_unit": line.price_unit,
                        "discount": line.discount,
                        "tax_ids": [Command.set(line.tax_ids.ids)],
                        "analytic_distribution": line.analytic_distribution,
                    }
                )
                for line in self.invoice_line_ids.filtered(lambda line: line.display_type == "product")
            ],
        }

    def _link_first_occurrence(self, template):
        """This invoice, made recurring, is the first occurrence of `template`: the next one is a period later."""
        self.ensure_one()
        if self.recurring_invoice_id or self.move_type != template.move_type or self.partner_id != template.partner_id:
            return
        occurrence = self.invoice_date or template.date_start
        self.write({"recurring_invoice_id": template.id, "recurring_date": occurrence})
        template.last_invoiced_date = occurrence

    def action_open_recurring_invoice(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "recurring.invoice",
            "res_id": self.recurring_invoice_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_new_recurring_invoice(self):
        """The "Add a recurring invoice" button of the customer invoice list."""
        return self.env["recurring.invoice"].action_new_template()

    def action_new_recurring_bill(self):
        """The "Add a recurring bill" button of the vendor bill list."""
        return self.env["recurring.invoice"].action_new_template("in_invoice")

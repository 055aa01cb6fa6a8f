# Part of recurring_invoices. License LGPL-3.
"""Automatic payment: a template charges its customer's saved payment method for each invoice it posts.

Every posting path (the daily scheduled action, a person's Issue, a batch from the list, the
invoice's own Confirm) ends in ``account.move._post``, which charges the invoices of templates that
carry a payment method: one transaction per invoice for its amount due, post-processed at once so
that the invoice is paid (Odoo's own payment and reconciliation) before it is sent. The daily
scheduled action charges again what is still open: an invoice posted but never charged (a crash
between posting and charging), and a refused charge of a previous day, up to the company's number
of attempts. Exactly once: an invoice that has a transaction in flight or done is never charged
again, and the invoice row is locked while it is charged (a concurrent run skips it).
"""

import logging

import psycopg2
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.addons.recurring_interactions.models.series_compat import charge_with_token
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

_logger = logging.getLogger(__name__)

LAST_PAYMENT_STATE_SELECTION = [
    ("paid", "Paid"),
    ("pending", "Pending at the provider"),
    ("failed", "Refused: retried on the next days"),
    ("given_up", "Refused: left to the responsible"),
]
# A transaction in one of these states pays, or may still pay, its invoice: no new charge.
LIVE_TX_STATES = ("pending", "authorized", "done")
DEFAULT_CHARGE_ATTEMPTS = 3


class ResCompany(models.Model):
    _inherit = "res.company"

    recurring_payment_attempts = fields.Integer(
        string="Automatic Payment Attempts",
        default=DEFAULT_CHARGE_ATTEMPTS,
        help="How many times, on as many days, an invoice of a recurring invoice paid automatically is "
        "charged before it is left to its responsible.",
    )

    @api.constrains("recurring_payment_attempts")
    def _check_recurring_payment_attempts(self):
        if any(company.recurring_payment_attempts < 1 for company in self):
            raise ValidationError(self.env._("An invoice is charged at least once: set 1 attempt or more."))


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    recurring_payment_attempts = fields.Integer(related="company_id.recurring_payment_attempts", readonly=False)


class RecurringInvoice(models.Model):
    _name = "recurring.invoice"
    _inherit = ["recurring.invoice", "portal.mixin"]  # pylint: disable=consider-merging-classes-inherited

    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id", string="Commercial Entity")
    payment_token_id = fields.Many2one(
        "payment.token",
        string="Automatic Payment",
        tracking=True,
        copy=False,
        domain="[('partner_id', 'child_of', commercial_partner_id), ('provider_id.allow_tokenization', '=', True), "
        "('provider_id.state', '!=', 'disabled'), ('company_id', '=', company_id)]",
        help="A saved payment method of the customer: each invoice posted is charged on it for its amount due.",
    )
    last_payment_state = fields.Selection(
        LAST_PAYMENT_STATE_SELECTION,
        string="Last Automatic Payment",
        copy=False,
        readonly=True,
        help="How the last charge of an invoice of this template went.",
    )
    customer_can_stop = fields.Boolean(
        string="Customer Can Stop",
        help="The customer may stop it from their portal page at the end of the period already billed; "
        "the responsible gets a to-do.",
    )

    def _compute_access_url(self):
        super()._compute_access_url()
        for template in self:
            template.access_url = f"/my/recurring_invoices/{template.id}"

    @api.constrains("payment_token_id", "partner_id", "move_type", "company_id")
    def _check_payment_token(self):
        for template in self.filtered("payment_token_id"):
            error = template._get_payment_token_error(template.payment_token_id)
            if error:
                raise ValidationError(error)

    def _get_payment_token_error(self, token):
        """The sentence saying why ``token`` cannot pay this template's invoices, or None."""
        self.ensure_one()
        token = token.sudo()
        provider = token.provider_id
        if self.move_type != "out_invoice":
            return self.env._("A recurring bill is paid to the vendor: it has no automatic payment.")
        if token.partner_id.commercial_partner_id != self.partner_id.commercial_partner_id:
            return self.env._(
                "This payment method is not one of %(customer)s's: choose one of the customer's saved methods.",
                customer=self.partner_id.commercial_partner_id.display_name,
            )
        if provider.state == "disabled":
            return self.env._(
                "The payment provider %(provider)s is disabled: choose a payment method of an active provider.",
                provider=provider.name,
            )
        if not token.active:
            return self.env._("This payment method was deleted: choose another one.")
        if not provider.allow_tokenization:
            return self.env._(
                "The payment provider %(provider)s does not charge saved payment methods: choose another one.",
                provider=provider.name,
            )
        if provider.company_id != self.company_id:
            return self.env._(
                "This payment method is of another company's provider: choose one of %(company)s.",
                company=self.company_id.name,
            )
        return None

    def _get_usable_payment_tokens(self):
        """The saved payment methods of the customer that may pay this template's invoices."""
        self.ensure_one()
        tokens = (
            self.env["payment.token"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", self.partner_id.commercial_partner_id.id),
                    ("provider_id.allow_tokenization", "=", True),
                    ("provider_id.state", "!=", "disabled"),
                    ("company_id", "=", self.company_id.id),
                ]
            )
        )
        return tokens.filtered(lambda token: not self._get_payment_token_error(token))

    def _notify_payment_refused(self, move, tx, given_up):
        """The provider's reason on the template, and one to-do for its responsible naming the invoice."""
        self.ensure_one()
        reason = tx.state_message or self.env._("The provider gave no reason.")
        if given_up:
            next_step = self.env._("It was the last attempt: the invoice is left open for you to collect.")
        else:
            next_step = self.env._("It will be charged again on the next run.")
        self.message_post(
            body=Markup("<p>%s</p><p>%s</p><p>%s</p>")
            % (
                self.env._(
                    "The automatic payment of %(invoice)s (%(amount)s) was refused:",
                    invoice=move.name,
                    amount=format_amount(self.env, tx.amount, tx.currency_id),
                ),
                reason,
                next_step,
            ),
            message_type="notification",
        )
        summary = self.env._("Payment failed: %s", move.name)
        todo_type = self.env.ref("mail.mail_activity_data_todo")
        already = self.env["mail.activity"].search_count(
            [
                ("res_model", "=", self._name),
                ("res_id", "=", self.id),
                ("activity_type_id", "=", todo_type.id),
                ("summary", "=", summary),
            ],
            limit=1,
        )
        if not already:
            self.activity_schedule(
                activity_type_id=todo_type.id,
                summary=summary,
                note=self.env._(
                    "The automatic payment of %(invoice)s failed: %(reason)s %(next)s",
                    invoice=move.name,
                    reason=reason,
                    next=next_step,
                ),
                user_id=self.user_id.id or self.env.uid,
            )

    # ------------------------------------------------------------------
    # The customer's side
    # ------------------------------------------------------------------
    def _get_billed_until(self):
        """(last occurrence billed, end of the period it bills), or (None, None) when nothing is billed yet."""
        self.ensure_one()
        billed = self.invoice_ids.filtered(lambda m: m.state == "posted").mapped("recurring_date")
        if not billed:
            return None, None
        last = max(billed)
        return last, self._get_period(last)[1]

    def _stop_at_billed_period_end(self):
        """The customer stops this template at the end of the period already billed: the rule ends on the last
        occurrence billed (in arrears, on the next one, which bills the period under way), nothing billed
        changes, the responsible gets a to-do."""
        self.ensure_one()
        if not self.customer_can_stop or self.move_type != "out_invoice":
            raise UserError(self.env._("This subscription cannot be stopped from here: please contact us."))
        last_billed, period_end = self._get_billed_until()
        if not last_billed:
            raise UserError(
                self.env._("Nothing has been billed yet, so there is no period to end with: please contact us.")
            )
        end = last_billed
        if self.invoicing_type == "in_arrears":
            following = self._get_next_invoice_occurrence()
            if following:
                end, period_end = following[0], self._get_period(following[0])[1]
        if self.state == "ended" or (self.final_invoice_date and self.final_invoice_date <= end):
            raise UserError(self.env._("This subscription already ends: nothing more is billed."))
        self.write({"end_type": "end_date", "duration": 0, "until": end})
        if self.generated_until:
            self.action_generate()  # the "Issue invoice" activities after the end are removed
        self.message_post(
            body=self.env._(
                "The customer stopped this subscription from the portal: it ends on %(end)s, after the period "
                "already billed.",
                end=format_date(self.env, period_end),
            ),
            message_type="notification",
        )
        self.activity_schedule(
            activity_type_id=self.env.ref("mail.mail_activity_data_todo").id,
            summary=self.env._("Stopped by the customer"),
            note=self.env._(
                "%(customer)s stopped “%(name)s” from the portal: no invoice after %(date)s.",
                customer=self.partner_id.display_name,
                name=self.name,
                date=format_date(self.env, end),
            ),
            user_id=self.user_id.id,
        )
        return period_end

    @api.model
    def _demo_pay_automatically(self, template_ids):
        """Demo data: Odoo's demo provider in test mode, and a saved demo card of the customer paying these
        templates. Only with Odoo's demo provider (payment_demo) installed: `make demo` installs it."""
        Token = self.env["payment.token"]
        if "demo_simulated_state" not in Token._fields:
            _logger.info("payment_demo is not installed: the demo templates are paid by hand.")
            return
        provider = self.env.ref("payment.payment_provider_demo")
        provider.write({"state": "test", "is_published": True, "allow_tokenization": True})
        for template in self.browse(template_ids):
            template.payment_token_id = Token.create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": self.env.ref("payment_demo.payment_method_demo").id,
                    "partner_id": template.partner_id.id,
                    "payment_details": "4242",
                    "provider_ref": f"demo-card-{template.partner_id.id}",
                    "demo_simulated_state": "done",
                }
            )

    @api.model
    def _cron_charge_invoices(self):
        """Charge the posted invoices still open whose charge is due: never charged (a run stopped between
        posting and charging), or refused on a previous day and not out of attempts."""
        moves = self.env["account.move"].search(
            [
                ("recurring_invoice_id.payment_token_id", "!=", False),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )
        return moves._recurring_charge()


class AccountMove(models.Model):
    _inherit = "account.move"

    recurring_charge_count = fields.Integer(
        string="Automatic Payment Attempts",
        copy=False,
        readonly=True,
        help="How many times the saved payment method of its recurring invoice was charged for this invoice.",
    )
    recurring_charge_date = fields.Date(
        string="Last Automatic Payment Attempt",
        copy=False,
        readonly=True,
    )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # The one place every posting path goes through: the invoice is paid before it is sent.
        if posted.filtered("recurring_invoice_id.payment_token_id"):
            posted._recurring_charge()
        return posted

    def _recurring_charge_due(self, today_by_company):
        """The invoices whose charge is due today: open, of a template with a payment method, not charged
        today, attempts left, no transaction in flight or done."""

        def due(move):
            template = move.recurring_invoice_id
            if not (
                template.payment_token_id
                and move.move_type == "out_invoice"
                and move.state == "posted"
                and move.payment_state in ("not_paid", "partial")
                and not move.currency_id.is_zero(move.amount_residual)
            ):
                return False
            if move.recurring_charge_count >= move.company_id.recurring_payment_attempts:
                return False
            if move.recurring_charge_date and move.recurring_charge_date >= today_by_company[move.company_id]:
                return False
            return not move.sudo().transaction_ids.filtered(
                lambda tx: tx.state in LIVE_TX_STATES or (tx.state == "draft" and tx.operation == "offline")
            )

        return self.filtered(due)

    def _recurring_lock_for_charge(self):
        """These invoices' rows, locked until the end of the transaction; those another run holds (or changed
        since this one started) are left to it."""
        self.env.flush_all()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT id FROM account_move WHERE id = ANY(%s) FOR NO KEY UPDATE SKIP LOCKED", [self.ids]
                )
                ids = {row[0] for row in self.env.cr.fetchall()}
        except psycopg2.errors.SerializationFailure:
            return self.browse()
        # What another run committed before the lock was taken is read afresh.
        self.invalidate_recordset(["recurring_charge_count", "recurring_charge_date", "transaction_ids"])
        return self.filtered(lambda move: move.id in ids)

    def _recurring_charge(self):
        """Charge, once, the saved payment method of their templates for these invoices' amounts due; the
        transactions are post-processed at once. Returns the transactions made."""
        Template = self.env["recurring.invoice"]
        today_by_company = {company: Template._get_today(company) for company in self.company_id}
        moves = self._recurring_charge_due(today_by_company)
        if not moves:
            return self.env["payment.transaction"]
        moves = moves._recurring_lock_for_charge()._recurring_charge_due(today_by_company)
        Transaction = self.env["payment.transaction"].sudo()
        transactions = Transaction
        for move in moves:
            token = move.recurring_invoice_id.payment_token_id.sudo()
            tx = Transaction.create(
                {
                    "provider_id": token.provider_id.id,
                    "payment_method_id": token.payment_method_id.id,
                    "reference": Transaction._compute_reference(
                        token.provider_id.code, invoice_ids=[Command.set(move.ids)]
                    ),
                    "amount": move.amount_residual,
                    "currency_id": move.currency_id.id,
                    "partner_id": move.partner_id.id,
                    "token_id": token.id,
                    "operation": "offline",
                    "invoice_ids": [Command.set(move.ids)],
                }
            )
            move.write(
                {
                    "recurring_charge_count": move.recurring_charge_count + 1,
                    "recurring_charge_date": today_by_company[move.company_id],
                }
            )
            try:
                charge_with_token(tx)
            except (UserError, ValidationError) as error:
                tx._set_error(str(error.args[0] if error.args else error))
            transactions |= tx
        # Odoo's own post-processing: the payment is created and reconciled with the invoice.
        transactions.filtered(lambda tx: tx.state == "done")._post_process()
        for tx in transactions:
            move = tx.invoice_ids[:1]
            template = move.recurring_invoice_id
            if tx.state == "done":
                template.last_payment_state = "paid"
            elif tx.state in ("pending", "authorized"):
                template.last_payment_state = "pending"
            else:
                given_up = move.recurring_charge_count >= move.company_id.recurring_payment_attempts
                template.last_payment_state = "given_up" if given_up else "failed"
                _logger.info("Automatic payment of %s refused: %s", move.name, tx.state_message)
                template._notify_payment_refused(move, tx, given_up)
        return transactions


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _post_process(self):
        super()._post_process()
        # A pending charge that the provider confirms later pays its invoice: the template says so.
        done = self.filtered(lambda tx: tx.state == "done" and tx.operation == "offline")
        templates = done.invoice_ids.recurring_invoice_id.filtered(lambda t: t.last_payment_state == "pending")
        if templates:
            templates.sudo().last_payment_state = "paid"

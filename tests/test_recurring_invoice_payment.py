"""Automatic payment (issue 26, C2): a template charges its customer's saved payment method for each invoice it posts.

Each test states what the company and the customer see: the invoice paid by Odoo's own payment and
reconciliation (its payment state and amount due, not our fields), one transaction per invoice for its amount
due, the provider's reason on the template, a to-do naming the invoice. Odoo's test provider (payment_demo)
charges its tokens with the state each token carries.
"""

from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tools.safe_eval import safe_eval

from .test_recurring_invoice import RecurringInvoiceCase, d

PAID = ("paid", "in_payment")


class _Refusal:
    def __init__(self, case, pattern, template):
        self.case, self.pattern, self.template = case, pattern, template

    def __enter__(self):
        self.raises = self.case.assertRaises(ValidationError)
        self.caught = self.raises.__enter__()
        return self.caught

    def __exit__(self, *exc):
        handled = self.raises.__exit__(*exc)
        self.case.assertRegex(str(self.caught.exception), self.pattern)
        if self.template:
            self.template.invalidate_recordset()
            self.case.assertFalse(self.template.payment_token_id, "nothing saved")
        return handled


class AutoPaymentCase(RecurringInvoiceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls._demo_provider(cls.env.company)
        cls.token = cls._token(cls.partner_a, "done")

    @classmethod
    def _demo_provider(cls, company):
        """Odoo's demo provider of that company, in test mode (a copy of the main company's when it has none)."""
        Provider = cls.env["payment.provider"].sudo()
        provider = Provider.search([("code", "=", "demo"), ("company_id", "=", company.id)], limit=1)
        if not provider:
            provider = cls.env.ref("payment.payment_provider_demo").sudo().copy({"company_id": company.id})
        provider.write({"state": "test", "allow_tokenization": True})
        return provider

    @classmethod
    def _token(cls, partner, simulated_state, provider=None):
        provider = provider or cls.provider
        return (
            cls.env["payment.token"]
            .sudo()
            .create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": cls.env.ref("payment_demo.payment_method_demo").id,
                    "partner_id": partner.id,
                    "payment_details": f"{simulated_state} 4242",
                    "provider_ref": f"demo-{partner.id}-{simulated_state}",
                    "demo_simulated_state": simulated_state,
                }
            )
        )

    def _auto_template(self, token=None, **vals):
        return self._template(payment_token_id=(token or self.token).id, **vals)

    def _transactions(self, invoice):
        return self.env["payment.transaction"].sudo().search([("invoice_ids", "in", invoice.ids)], order="id")

    def _refusal_todos(self, template):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "recurring.invoice"),
                ("res_id", "=", template.id),
                ("summary", "like", "Payment failed"),
            ]
        )


class TestChargedOnEveryPostingPath(AutoPaymentCase):
    def assertPaidOnce(self, invoice):
        self.assertEqual(invoice.state, "posted")
        self.assertIn(invoice.payment_state, PAID, "Odoo's own reconciliation paid the invoice")
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))
        transactions = self._transactions(invoice)
        self.assertEqual(len(transactions), 1)
        self.assertEqual(transactions.state, "done")
        self.assertEqual(transactions.token_id, invoice.recurring_invoice_id.payment_token_id)
        self.assertAlmostEqual(transactions.amount, invoice.amount_total)
        self.assertEqual(transactions.payment_id.state in ("paid", "in_process", "posted"), True)

    def test_scheduled_action_set_to_post(self):
        template = self._auto_template(invoice_action="post", date_start=d("2026-03-01"))
        with freeze_time("2026-03-01"):
            self._cron()
        invoice = template.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertPaidOnce(invoice)
        self.assertAlmostEqual(invoice.amount_total, 230.0)  # 2 x 100, 15% tax of partner_a's product_a
        self.assertEqual(template.last_payment_state, "paid")
        # A second run that day and the next days' runs charge nothing more.
        with freeze_time("2026-03-01"):
            self._cron()
        with freeze_time("2026-03-02"):
            self._cron()
        self.assertPaidOnce(invoice)

    def test_scheduled_action_set_to_post_and_send_sends_it_paid(self):
        self.partner_a.email = "accounts@partner-a.example.com"
        template = self._auto_template(invoice_action="send", date_start=d("2026-03-01"))
        with freeze_time("2026-03-01"):
            self._cron()
            invoice = template.invoice_ids
            self.assertPaidOnce(invoice)
            self.assertTrue(invoice.sending_data, "queued for Odoo's sending, after the charge")
        # The e-mail Odoo's sending composes for it (its invoice template) says it is paid.
        body = self.env.ref("account.email_template_edi_invoice")._render_field("body_html", invoice.ids)[invoice.id]
        self.assertIn("already paid", str(body))

    def test_a_persons_issue(self):
        template = self._auto_template(date_start=d("2026-03-01"))
        with freeze_time("2026-03-01"):
            template.action_issue_invoice()
        self.assertPaidOnce(template.invoice_ids)

    def test_a_batch_from_the_invoice_list(self):
        first = self._auto_template(date_start=d("2026-03-01"))
        second = self._auto_template(date_start=d("2026-03-01"), name="Hosting")
        with freeze_time("2026-03-01"):
            self._cron()
            drafts = (first | second).invoice_ids
            self.assertEqual(set(drafts.mapped("state")), {"draft"}, "a draft is not charged")
            self.assertFalse(self._transactions(drafts))
            drafts.action_issue_recurring_drafts()
        for invoice in drafts:
            self.assertPaidOnce(invoice)

    def test_without_payment_method_nothing_is_charged(self):
        template = self._template(invoice_action="post", date_start=d("2026-03-01"))
        with freeze_time("2026-03-01"):
            self._cron()
        self.assertEqual(template.invoice_ids.payment_state, "not_paid")
        self.assertFalse(self._transactions(template.invoice_ids))

    def test_posted_but_not_charged_is_charged_by_the_next_run(self):
        """A run stopped between posting and charging: the next run charges the invoice, once."""
        template = self._auto_template(invoice_action="post", date_start=d("2026-03-01"))
        Move = type(self.env["account.move"])
        with freeze_time("2026-03-01"), patch.object(Move, "_recurring_charge", lambda self: None):
            self._cron()
        invoice = template.invoice_ids
        self.assertEqual((invoice.state, invoice.payment_state), ("posted", "not_paid"))
        with freeze_time("2026-03-01"):
            self._cron()
        self.assertPaidOnce(invoice)


class TestRefusedAndPending(AutoPaymentCase):
    def test_refused_stays_open_tells_the_responsible_and_retries_a_bounded_number_of_times(self):
        self.env.company.recurring_payment_attempts = 3
        template = self._auto_template(
            token=self._token(self.partner_a, "error"), invoice_action="post", date_start=d("2026-03-01")
        )
        with freeze_time("2026-03-01"):
            self._cron()
        invoice = template.invoice_ids
        self.assertEqual((invoice.state, invoice.payment_state), ("posted", "not_paid"), "open, its pay link works")
        self.assertEqual(self._transactions(invoice).mapped("state"), ["error"])
        self.assertEqual(template.last_payment_state, "failed")
        message = template.message_ids[:1]
        self.assertIn(invoice.name, str(message.body))
        # The provider's reason, as payment_demo words it.
        self.assertIn("You selected the following demo payment status: error", str(message.body))
        todo = self._refusal_todos(template)
        self.assertEqual(len(todo), 1)
        self.assertIn(invoice.name, todo.summary)
        self.assertEqual(todo.user_id, template.user_id)

        # The same day: no second charge. The next days: one each, up to 3 attempts, then left to a person.
        with freeze_time("2026-03-01"):
            self._cron()
        self.assertEqual(len(self._transactions(invoice)), 1)
        for day in ("2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"):
            with freeze_time(day):
                self._cron()
        self.assertEqual(self._transactions(invoice).mapped("state"), ["error"] * 3)
        self.assertEqual(template.last_payment_state, "given_up")
        self.assertIn("last attempt", str(template.message_ids[:1].body))
        self.assertEqual(len(self._refusal_todos(template)), 1, "one to-do per invoice, not one per attempt")
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_a_retry_that_succeeds_pays_the_invoice(self):
        template = self._auto_template(
            token=self._token(self.partner_a, "error"), invoice_action="post", date_start=d("2026-03-01")
        )
        with freeze_time("2026-03-01"):
            self._cron()
        # The customer saves a card that works; the next run pays.
        template.payment_token_id = self.token
        with freeze_time("2026-03-02"):
            self._cron()
        invoice = template.invoice_ids[:1]
        self.assertIn(invoice.payment_state, PAID)
        self.assertEqual(self._transactions(invoice).mapped("state"), ["error", "done"])
        self.assertEqual(template.last_payment_state, "paid")

    def test_pending_waits_for_the_provider(self):
        template = self._auto_template(
            token=self._token(self.partner_a, "pending"), invoice_action="post", date_start=d("2026-03-01")
        )
        with freeze_time("2026-03-01"):
            self._cron()
        invoice = template.invoice_ids
        self.assertEqual(self._transactions(invoice).mapped("state"), ["pending"])
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(template.last_payment_state, "pending")
        self.assertFalse(self._refusal_todos(template))
        with freeze_time("2026-03-02"):
            self._cron()
        self.assertEqual(len(self._transactions(invoice)), 1, "a pending charge is not charged again")
        # The provider confirms: Odoo's post-processing pays the invoice and the template says so.
        tx = self._transactions(invoice)
        tx._set_done()
        tx._post_process()
        self.assertIn(invoice.payment_state, PAID)
        self.assertEqual(template.last_payment_state, "paid")


class TestPaymentMethodChecks(AutoPaymentCase):
    def assertRefused(self, pattern, template=None):
        """A ValidationError saying `pattern`; what it refused is not saved (read back from the database)."""
        return _Refusal(self, pattern, template)

    def test_foreign_token_refused_by_rpc_and_form(self):
        foreign = self._token(self.partner_b, "done")
        template = self._template()
        with self.assertRefused("not one of .*partner_b|not one of", template):
            template.write({"payment_token_id": foreign.id})
        with self.assertRefused("not one of"):
            self._template(name="Foreign", payment_token_id=foreign.id)
        self.assertFalse(self.Template.search([("name", "=", "Foreign")]))
        with self.assertRefused("not one of", template), Form(template) as form:
            form.payment_token_id = foreign

    def test_a_contacts_token_is_the_customers(self):
        contact = self.env["res.partner"].create({"name": "Accounts dept", "parent_id": self.partner_a.id})
        token = self._token(contact, "done")
        template = self._template(payment_token_id=token.id)
        self.assertEqual(template.payment_token_id, token)
        self.assertIn(token, template._get_usable_payment_tokens())

    def test_disabled_provider_or_no_tokenization_refused(self):
        template = self._template()
        self.provider.allow_tokenization = False
        with self.assertRefused("does not charge saved payment methods", template):
            template.payment_token_id = self.token
        self.provider.allow_tokenization = True
        self.provider.state = "disabled"
        with self.assertRefused("is disabled", template):
            template.payment_token_id = self.token
        self.assertFalse(template._get_usable_payment_tokens())

    def test_a_bill_has_no_automatic_payment(self):
        bill = self._template(move_type="in_invoice", journal_id=self.company_data["default_journal_purchase"].id)
        with self.assertRefused("bill", bill):
            bill.payment_token_id = self.token

    def test_setting_needs_at_least_one_attempt(self):
        with self.assertRaises(ValidationError):
            self.env.company.recurring_payment_attempts = 0

    def test_form_offers_only_the_customers_usable_methods(self):
        foreign = self._token(self.partner_b, "done")
        template = self._template()
        field = template._fields["payment_token_id"]
        domain = field.domain
        # The form's domain, evaluated as the web client does with the record's values.
        evaluated = safe_eval(
            domain, {"commercial_partner_id": template.commercial_partner_id.id, "company_id": template.company_id.id}
        )
        offered = self.env["payment.token"].sudo().search(evaluated)
        self.assertIn(self.token, offered)
        self.assertNotIn(foreign, offered)

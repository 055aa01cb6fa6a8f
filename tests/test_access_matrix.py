"""Who may do what: every public method of both addons' models, called as four kinds of user.

One table, the access matrix of the README: each row calls one method (``action_*``, ``create``,
``write``, ``unlink``, ``copy``, a read of the computed fields, a search) as a portal user, a plain
internal user, an internal billing user of another company and a billing user, and states what each
one gets: done, the number of records found, or the error that refused it. The internal users have
what Odoo gives every new user (Contact Creation), the billing users also Invoicing: Billing. A test
checks that the table calls every public method the addons define, so a new one cannot slip past;
another that the scheduled actions cannot be called over RPC at all.
"""

import inspect
import json
from datetime import timedelta

from odoo import Command, fields
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import get_public_method
from odoo.tests import Form, HttpCase, new_test_user

ADDONS = ("recurring_interactions", "recurring_invoices")
USERS = ("portal", "internal", "other_company", "billing")
OK, ACCESS, INVALID = "ok", "AccessError", "ValidationError"
BILLING = "base.group_user,base.group_partner_manager,account.group_account_invoice"


def _interaction(t, env, **vals):
    return env["recurring.interaction"].create(
        {
            "name": "Matrix follow-up",
            "res_model_id": t.env["ir.model"]._get_id("res.partner"),
            "res_id": t.customer.id,
            "rrule_type": "weekly",
            "tue": True,
            "end_type": "count",
            "count": 2,
            **vals,
        }
    )


def _template(t, env, **vals):
    return env["recurring.invoice"].create(
        {
            "name": "Matrix hosting",
            "partner_id": t.partner_a.id,
            "date_start": fields.Date.today(),
            "end_type": "count",
            "count": 3,
            "line_ids": [Command.create({"name": "Hosting", "quantity": 1, "price_unit": 100.0})],
            **vals,
        }
    )


def _computed_fields(model):
    return [
        name
        for name, field in model._fields.items()
        if field.compute
        and field._module in ADDONS
        and not getattr(field, "automatic", False)  # display_name is Odoo's
    ]


def _read_computed(record):
    record.read(_computed_fields(record))


def _on(env, record):
    return env[record._name].browse(record.ids)


def _confirm_generation(env, record):
    """Generate as the button does: the confirmation window, then its OK."""
    action = _on(env, record).action_generate_confirm()
    return env[action["res_model"]].browse(action["res_id"]).action_confirm()


def _repeat_dialog(t, env):
    """The Schedule Activity dialog of the customer's chatter, Repeat every week, saved."""
    context = {"active_model": "res.partner", "active_ids": t.customer.ids, "active_id": t.customer.id}
    form = Form(env["mail.activity.schedule"].with_context(**context))
    form.activity_type_id = t.env.ref("mail.mail_activity_data_todo")
    form.summary = "Weekly call"
    form.date_deadline = fields.Date.today()
    form.recurring_repeat = True
    return form.save()


# (model, method, what the row does, call, expected for USERS). The call is call(test, env of the user), or the
# name of a fixture record whose method is called without arguments (None: the model's); a call that returns a
# number (of records found) shows that number instead of "ok".
MATRIX = [
    # Recurring interactions
    ("recurring.interaction", "create", "create on a customer of their company", _interaction,
     (ACCESS, OK, ACCESS, OK)),
    ("recurring.interaction", "create", "create on a shared customer",
     lambda t, env: _interaction(t, env, res_id=t.partner_a.id),
     (ACCESS, OK, OK, OK)),
    ("recurring.interaction", "create", "create on a customer of another company (by its id)",
     lambda t, env: _interaction(t, env, res_id=t.secret_customer.id),
     (ACCESS, ACCESS, OK, ACCESS)),
    ("recurring.interaction", "create", "create assigned to a portal user of company A (who cannot open it)",
     lambda t, env: _interaction(t, env, res_id=t.partner_a.id, user_id=t.users["portal"].id),
     (ACCESS, INVALID, INVALID, INVALID)),
    ("recurring.interaction", "search", "find the internal user's recurrence",
     lambda t, env: env["recurring.interaction"].search_count([("id", "=", t.recurrence.id)]),
     (ACCESS, 1, 0, 0)),
    ("recurring.interaction", "search", "find it by its target's name",
     lambda t, env: env["recurring.interaction"].search_count([("res_name", "ilike", "Matrix Customer A")]),
     (ACCESS, 1, 0, 0)),
    ("recurring.interaction", "read", "read its computed fields",
     lambda t, env: _read_computed(_on(env, t.recurrence)),
     (ACCESS, OK, ACCESS, ACCESS)),
    ("recurring.interaction", "write", "rename it",
     lambda t, env: _on(env, t.recurrence).write({"name": "Renamed"}),
     (ACCESS, OK, ACCESS, ACCESS)),
    ("recurring.interaction", "write", "move its target to a customer of another company",
     lambda t, env: _on(env, t.recurrence).write({"res_id": t.secret_customer.id}),
     (ACCESS, ACCESS, ACCESS, ACCESS)),
    ("recurring.interaction", "copy_data", "duplicate it",
     lambda t, env: _on(env, t.recurrence).copy(),
     (ACCESS, OK, ACCESS, ACCESS)),
    ("recurring.interaction", "action_generate", "generate its interactions",
     "recurrence", (ACCESS, OK, ACCESS, ACCESS)),
    ("recurring.interaction", "action_generate_confirm", "see what generating would do",
     "recurrence", (ACCESS, OK, ACCESS, ACCESS)),
    ("recurring.interaction", "action_pause", "pause it",
     "recurrence", (ACCESS, OK, ACCESS, ACCESS)),
    ("recurring.interaction", "action_resume", "resume it",
     "recurrence", (ACCESS, OK, ACCESS, ACCESS)),
    ("recurring.interaction", "action_archive", "archive it",
     "recurrence", (ACCESS, OK, ACCESS, ACCESS)),
    ("recurring.interaction", "unlink", "delete it",
     "recurrence", (ACCESS, OK, ACCESS, ACCESS)),
    ("recurring.interaction", "action_open_interactions", "open its interactions",
     "recurrence", (ACCESS, OK, ACCESS, ACCESS)),
    ("recurring.interaction", "action_open_target", "open its target",
     "recurrence", (ACCESS, OK, ACCESS, ACCESS)),
    ("recurring.interaction", "action_open_filter_records", "open the records its filter matches",
     "recurrence", (ACCESS, OK, ACCESS, ACCESS)),
    ("recurring.interaction", "action_add_recurring_interaction", "open a new recurrence form",
     None, (ACCESS, OK, OK, OK)),
    ("recurring.generate.confirm", "action_confirm", "confirm generating the interactions",
     lambda t, env: _confirm_generation(env, t.recurrence),
     (ACCESS, OK, ACCESS, ACCESS)),
    ("recurring.generate.confirm", "create", "make a confirmation generate on a customer (not a recurrence)",
     lambda t, env: env["recurring.generate.confirm"].create(
         {"res_model": "res.partner", "res_ids": t.customer.ids}
     ).action_confirm(),
     (ACCESS, ACCESS, ACCESS, ACCESS)),
    ("recurring.generate.confirm", "read", "read what the confirmation says (the tick past 100 activities)",
     lambda t, env: _read_computed(_on(env, t.recurrence).action_generate_confirm() and env[
         "recurring.generate.confirm"].search([], order="id desc", limit=1)),
     (ACCESS, OK, ACCESS, ACCESS)),
    ("recurring.generate.confirm", "write", "point a confirmation at a customer (not a recurrence)",
     lambda t, env: env["recurring.generate.confirm"].create(
         {"res_model": "recurring.interaction", "res_ids": t.recurrence.ids}
     ).write({"res_model": "res.partner"}),
     (ACCESS, ACCESS, ACCESS, ACCESS)),
    ("mail.activity.schedule", "create", "open Schedule Activity with Repeat on the customer",
     _repeat_dialog, (ACCESS, OK, ACCESS, OK)),
    ("mail.activity.schedule", "read", "read its rule's computed fields (summary, next dates)",
     lambda t, env: _read_computed(_repeat_dialog(t, env)),
     (ACCESS, OK, ACCESS, OK)),
    ("mail.activity.schedule", "write", "change its rule",
     lambda t, env: _repeat_dialog(t, env).write({"thu": True}),
     (ACCESS, OK, ACCESS, OK)),
    ("mail.activity.schedule", "action_schedule_activities", "schedule the repeating activity on the customer",
     lambda t, env: _repeat_dialog(t, env).action_schedule_activities(),
     (ACCESS, OK, ACCESS, OK)),
    ("res.config.settings", "execute", "set how far ahead open-ended recurrences are planned",
     lambda t, env: env["res.config.settings"].create({"recurring_horizon_days": 30}).execute(),
     (ACCESS, ACCESS, ACCESS, ACCESS)),
    ("res.company", "read", "read how far ahead and how often the company bills and charges",
     lambda t, env: env.company.read(["recurring_invoice_periods_ahead", "recurring_payment_attempts"]) and OK,
     (OK, OK, OK, OK)),
    ("res.config.settings", "execute", "let billing three periods ahead (Invoicing settings)",
     lambda t, env: env["res.config.settings"].create({"recurring_invoice_periods_ahead": 3}).execute(),
     (ACCESS, ACCESS, ACCESS, ACCESS)),
    ("payment.transaction", "search", "find the automatic payments of the template's invoices",
     lambda t, env: env["payment.transaction"].search_count([("invoice_ids", "in", t.template_invoice.ids)]),
     (ACCESS, ACCESS, 0, 0)),
    ("res.config.settings", "read", "open the settings (their computed fields)",
     lambda t, env: _read_computed(env["res.config.settings"].create({})),
     (ACCESS, ACCESS, ACCESS, ACCESS)),
    ("res.partner", "read", "count the recurrences of the customer",
     lambda t, env: _on(env, t.customer).read(["recurring_interaction_count"])[0]["recurring_interaction_count"],
     (ACCESS, 1, ACCESS, 0)),
    ("res.partner", "action_open_recurring_interactions", "open the recurrences of the customer",
     "customer", (ACCESS, OK, OK, OK)),
    # A portal user may read templates (their own customer's, by record rule): the action opens, empty.
    ("res.partner", "action_open_recurring_invoices", "open the recurring invoices of the customer",
     "customer", (OK, ACCESS, OK, OK)),
    ("mail.activity", "action_make_recurring", "make the internal user's activity recurring",
     "activity", (ACCESS, OK, ACCESS, OK)),
    ("mail.activity", "action_open_recurrence", "open the recurrence of a generated activity",
     "generated_activity", (ACCESS, OK, ACCESS, ACCESS)),
    # Recurring invoices
    ("recurring.invoice", "create", "create a template in their company", _template,
     (ACCESS, ACCESS, OK, OK)),
    ("recurring.invoice", "create", "create one for a customer of another company",
     lambda t, env: _template(t, env, partner_id=t.secret_customer.id),
     (ACCESS, ACCESS, OK, INVALID)),
    ("recurring.invoice", "search", "find the template (a portal user finds only their own customer's)",
     lambda t, env: env["recurring.invoice"].search_count([("id", "=", t.template.id)]),
     (0, ACCESS, 0, 1)),
    ("recurring.invoice", "read", "read its computed fields",
     lambda t, env: _read_computed(_on(env, t.template)),
     (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice", "write", "change its rule",
     lambda t, env: _on(env, t.template).write({"interval": 2}),
     (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice", "write", "make a user without invoicing rights its responsible",
     lambda t, env: _on(env, t.template).write({"user_id": t.users["internal"].id}),
     (ACCESS, ACCESS, ACCESS, INVALID)),
    ("recurring.invoice", "write", "make a billing user of another company its responsible",
     lambda t, env: _on(env, t.template).write({"user_id": t.users["other_company"].id}),
     (ACCESS, ACCESS, ACCESS, INVALID)),
    ("recurring.invoice", "copy_data", "duplicate it",
     lambda t, env: _on(env, t.template).copy(),
     (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice", "action_generate", "plan its “Issue invoice” activities",
     "template", (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice", "action_generate_confirm", "see what planning its activities would do",
     "template", (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice", "action_pause", "pause it",
     "template", (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice", "action_resume", "resume it",
     "template", (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice", "action_archive", "archive it",
     "template", (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice", "unlink", "delete it",
     "template", (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.generate.confirm", "action_confirm", "confirm planning its “Issue invoice” activities",
     lambda t, env: _confirm_generation(env, t.template),
     (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice", "action_preview", "preview its next invoice",
     "template", (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice", "action_issue_invoice", "issue its next invoice",
     "template", (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice", "action_open_invoices", "open its invoices",
     "template", (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice", "action_open_invoicing_job", "open the job that invoiced it (no Job Queue here)",
     "template", (ACCESS, ACCESS, ACCESS, "UserError")),
    ("recurring.invoice", "action_new_template", "open a new template form",
     None, (ACCESS, ACCESS, OK, OK)),
    ("recurring.invoice.line", "create", "add a line to the template",
     lambda t, env: env["recurring.invoice.line"].create(
         {"recurring_invoice_id": t.template.id, "name": "Extra", "price_unit": 5.0}
     ),
     (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice.line", "read", "read a line's computed fields",
     lambda t, env: _read_computed(_on(env, t.template.line_ids)),
     (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice.line", "write", "change a line",
     lambda t, env: _on(env, t.template.line_ids).write({"quantity": 3}),
     (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice.line", "unlink", "delete a line",
     lambda t, env: _on(env, t.template.line_ids).unlink(),
     (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice.forecast", "search", "find the template's forecast",
     lambda t, env: min(1, env["recurring.invoice.forecast"].search_count(
         [("recurring_invoice_id", "=", t.template.id)]
     )),
     (ACCESS, ACCESS, 0, 1)),
    ("recurring.invoice.preview", "read", "read a preview someone else made",
     lambda t, env: _on(env, t.preview).read(["pdf_name"]),
     (ACCESS, ACCESS, ACCESS, ACCESS)),
    ("account.move", "action_make_recurring", "make an invoice recurring",
     "invoice", (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice", "default_get", "open the form of a template made from an invoice",
     lambda t, env: env["recurring.invoice"].with_context(recurring_source_move_id=t.invoice.id).default_get(
         ["partner_id", "line_ids"]
     ),
     (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice", "create", "save the template made from an invoice",
     lambda t, env: Form(env["recurring.invoice"].with_context(recurring_source_move_id=t.invoice.id)).save(),
     (ACCESS, ACCESS, ACCESS, OK)),
    ("account.move", "action_open_recurring_invoice", "open the template of an invoice",
     "template_invoice", (ACCESS, ACCESS, ACCESS, OK)),
    ("account.move", "action_issue_recurring_drafts", "issue a template's draft invoice",
     "template_invoice", (ACCESS, ACCESS, ACCESS, OK)),
    ("account.move", "action_new_recurring_invoice", "open a new template from the invoice list",
     None, (ACCESS, ACCESS, OK, OK)),
    ("account.move", "action_new_recurring_bill", "open a new recurring bill from the bill list",
     None, (ACCESS, ACCESS, OK, OK)),
    ("mail.activity", "read", "read an “Issue invoice” activity's computed fields",
     lambda t, env: _read_computed(_on(env, t.issue_activity)),
     (ACCESS, ACCESS, ACCESS, OK)),
    ("mail.activity", "action_issue_recurring_invoice", "issue the invoice from its activity",
     "issue_activity", (ACCESS, ACCESS, ACCESS, OK)),
    ("mail.activity", "action_open_recurring_invoice_move", "open the invoice of its activity",
     "issue_activity", (ACCESS, ACCESS, ACCESS, OK)),
    ("mail.activity", "action_done", "mark an “Issue invoice” activity done (My Activities)",
     "issue_activity", (ACCESS, ACCESS, ACCESS, OK)),
    ("mail.activity", "action_review_recurring_invoice", "see what issuing its invoice bills",
     "issue_activity", (ACCESS, ACCESS, ACCESS, OK)),
    ("mail.activity", "action_done_schedule_next", "“Done & Schedule Next” of an “Issue invoice” (asks first)",
     "issue_activity", (ACCESS, ACCESS, ACCESS, OK)),
    ("mail.activity", "action_done_redirect_to_other", "“Mark as Done” of an activity without document access",
     "issue_activity", (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice.issue", "action_preview", "preview the invoice the confirmation window shows",
     lambda t, env: env["recurring.invoice.issue"].create(
         {"recurring_invoice_id": t.template.id, "occurrence_date": t.issue_activity.recurring_date}
     ).action_preview(),
     (ACCESS, ACCESS, ACCESS, OK)),
    ("mail.activity", "get_recurring_invoice_issue_info", "read what its invoice bills (the popover)",
     lambda t, env: _on(env, t.issue_activity).get_recurring_invoice_issue_info() and 1,
     (ACCESS, ACCESS, ACCESS, 1)),
    ("recurring.invoice.issue", "action_issue", "confirm issuing the next invoice",
     lambda t, env: env["recurring.invoice.issue"].create(
         {"recurring_invoice_id": t.template.id, "occurrence_date": t.issue_activity.recurring_date}
     ).action_issue(),
     (ACCESS, ACCESS, ACCESS, OK)),
    ("recurring.invoice.issue", "read", "read what the confirmation window shows",
     lambda t, env: _read_computed(env["recurring.invoice.issue"].create(
         {"recurring_invoice_id": t.template.id, "occurrence_date": t.issue_activity.recurring_date}
     )),
     (ACCESS, ACCESS, ACCESS, OK)),
]  # fmt: skip


class TestAccessMatrix(AccountTestInvoicingCommon):
    # Outside an addon package Odoo's MetaCase cannot guess these; pytest-odoo needs them.
    test_module = "recurring_invoices"
    test_tags = {"standard", "at_install"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tz="UTC", tracking_disable=True))
        company = cls.env.company
        other_company = cls.setup_other_company(name="Matrix Other Company")["company"]
        cls.users = {
            "portal": new_test_user(cls.env, "matrix_portal", groups="base.group_portal", company_id=company.id),
            "internal": new_test_user(
                cls.env,
                "matrix_internal",
                groups="base.group_user,base.group_partner_manager",
                name="Ivy Internal",
                company_id=company.id,
            ),
            "other_company": new_test_user(
                cls.env,
                "matrix_other",
                groups=BILLING,
                name="Otto Other",
                company_id=other_company.id,
                company_ids=[Command.set(other_company.ids)],
            ),
            "billing": new_test_user(
                cls.env, "matrix_billing", groups=BILLING, name="Bea Billing", company_id=company.id
            ),
        }
        Partner = cls.env["res.partner"]
        cls.customer = Partner.create({"name": "Matrix Customer A", "company_id": company.id})
        cls.secret_customer = Partner.create({"name": "Secret Customer B", "company_id": other_company.id})
        internal, billing = cls.users["internal"], cls.users["billing"]
        cls.recurrence = _interaction(cls, cls.env, user_id=internal.id, date_start=fields.Date.today())
        cls.recurrence.action_generate()
        cls.generated_activity = cls.recurrence.interaction_ids[:1]
        cls.activity = cls.customer.activity_schedule(
            "mail.mail_activity_data_todo", date_deadline=fields.Date.today() + timedelta(days=3), user_id=internal.id
        )
        cls.template = _template(cls, cls.env, user_id=billing.id)
        cls.template.action_generate()
        cls.issue_activity = cls.template.issue_activity_ids.sorted("recurring_date")[:1]
        cls.preview = cls.env["recurring.invoice.preview"].create(
            {"recurring_invoice_id": cls.template.id, "invoice_date": fields.Date.today()}
        )
        cls.invoice = cls.init_invoice("out_invoice", partner=cls.partner_a, products=cls.product_a)
        cls.template_invoice = cls.init_invoice("out_invoice", partner=cls.partner_a, products=cls.product_a)
        cls.template_invoice.recurring_invoice_id = cls.template

    def _call(self, model, method, call, user):
        """What ``user`` gets from the call of a row, and the message of a refusal; nothing the call did is kept."""
        env = self.env(user=user, su=False, context=dict(self.env.context, allowed_company_ids=user.company_id.ids))
        savepoint = self.env.cr.savepoint()
        try:
            if callable(call):
                result = call(self, env)
            else:
                result = getattr(_on(env, getattr(self, call)) if call else env[model], method)()
            env.flush_all()
            return (result if type(result) is int else OK), None
        except UserError as error:  # AccessError and ValidationError are UserErrors
            return type(error).__name__, str(error)
        finally:
            savepoint.close(rollback=True)

    def test_who_may_do_what(self):
        for model, method, label, call, expected in MATRIX:
            for login, outcome in zip(USERS, expected, strict=True):
                with self.subTest(model=model, method=method, row=label, user=login):
                    got, message = self._call(model, method, call, self.users[login])
                    self.assertEqual(got, outcome)
                    # A refusal never names what the user may not read; those of the addons' actions are
                    # sentences, never mail's raw "security restrictions" (reading an activity one may not
                    # read stays Odoo's own refusal).
                    self.assertNotIn("Secret Customer B", message or "")
                    if method not in ("read", "search"):
                        self.assertNotIn("cannot be completed due to security restrictions", message or "")

    def test_every_model_of_the_addons_has_a_row(self):
        """Every model that the addons define or extend, transient ones included, as the registry lists them
        (abstract ones have no records, so no access of their own)."""
        ours = self._models_of_the_addons()
        self.assertIn("recurring.generate.confirm", ours)
        self.assertIn("mail.activity.schedule", ours)
        covered = {model for model, *_row in MATRIX}
        for model_name in sorted(ours):
            with self.subTest(model=model_name):
                self.assertIn(model_name, covered, f"{model_name} has no row in the access matrix")

    def _models_of_the_addons(self):
        return {
            name
            for name, model in self.env.registry.items()
            if not model._abstract
            and any(getattr(cls, "_module", None) in ADDONS for cls in type(self.env[name]).mro())
        }

    def test_the_matrix_calls_every_public_method(self):
        covered = {(model, method) for model, method, *_row in MATRIX}
        for model_name in {model for model, *_row in MATRIX} | self._models_of_the_addons():
            model = self.env[model_name]
            names = {
                name
                for cls in type(model).mro()
                if getattr(cls, "_module", None) in ADDONS
                for name, attr in vars(cls).items()
                if inspect.isfunction(attr) and not name.startswith("_")
            }
            for name in names:
                try:
                    get_public_method(model, name)
                except AccessError:
                    continue  # private (@api.private), as init()
                with self.subTest(model=model_name, method=name):
                    self.assertIn((model_name, name), covered)
            if _computed_fields(model):
                self.assertIn((model_name, "read"), covered, f"{model_name}: its computed fields are read")

    def test_responsible_and_customer_refusals_say_why(self):
        template = self.template.with_user(self.users["billing"])
        company = self.env.company.name
        with self.assertRaises(ValidationError) as refused:
            template.user_id = self.users["internal"]
        self.assertEqual(
            str(refused.exception),
            f"Ivy Internal cannot issue the invoices of “Matrix hosting”: choose a responsible who invoices "
            f"for {company} (Invoicing: Billing or above).",
        )
        with self.assertRaises(ValidationError) as refused:
            template.partner_id = self.secret_customer
        self.assertEqual(
            str(refused.exception),
            f"The customer of “Matrix hosting” belongs to another company: choose a customer of {company}.",
        )
        self.assertEqual((self.template.user_id, self.template.partner_id), (self.users["billing"], self.partner_a))

    def test_make_recurring_keeps_the_responsible_able_to_issue(self):
        # A salesperson who may not issue invoices: the user making the invoice recurring becomes responsible.
        self.invoice.invoice_user_id = self.users["internal"]
        Template = self.env["recurring.invoice"]
        action = self.invoice.with_user(self.users["billing"]).action_make_recurring()
        form = Form(Template.with_user(self.users["billing"]).with_context(action["context"]))
        self.assertEqual(form.user_id, self.users["billing"])
        # One who may stays responsible, whoever makes it recurring.
        invoice = self.init_invoice("out_invoice", partner=self.partner_a, products=self.product_a)
        invoice.invoice_user_id = self.users["billing"]
        action = invoice.action_make_recurring()
        self.assertEqual(Form(Template.with_context(action["context"])).user_id, self.users["billing"])


class TestScheduledActionsOverRpc(HttpCase):
    """The scheduled actions run as their cron user only: over JSON-RPC they are private methods."""

    test_module = "recurring_invoices"
    test_tags = {"standard", "post_install", "-at_install"}

    def _call_kw(self, model, method, *args):
        payload = {"model": model, "method": method, "args": list(args), "kwargs": {}}
        response = self.url_open(
            "/web/dataset/call_kw",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 0, "params": payload}),
            headers={"Content-Type": "application/json"},
        )
        return response.json()

    def test_scheduled_actions_are_not_reachable_over_rpc(self):
        for login, groups in (("rpc_internal", "base.group_user"), ("rpc_billing", BILLING)):
            new_test_user(self.env, login, groups=groups)
            self.authenticate(login, login)
            # The session works: a public method answers.
            self.assertIn("result", self._call_kw("recurring.interaction", "search_count", []))
            for model, method in (
                ("recurring.interaction", "_cron_generate"),
                ("recurring.invoice", "_cron_create_invoices"),
            ):
                with self.subTest(groups=groups, method=method):
                    error = self._call_kw(model, method)["error"]["data"]
                    self.assertEqual(error["name"], "odoo.exceptions.AccessError")
                    self.assertEqual(
                        error["message"], f"Private methods (such as '{model}.{method}') cannot be called remotely."
                    )

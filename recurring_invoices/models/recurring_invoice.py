# Part of recurring_invoices. License LGPL-3.
"""The recurring invoice template: an invoice or a vendor bill to repeat, its rule, its totals and its activities."""

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.recurring_interactions.models.series_compat import USER_ALL_GROUPS
from odoo.addons.recurring_interactions.models.working_schedule import WorkingSchedules
from odoo.exceptions import ValidationError

INVOICE_ACTION_SELECTION = [
    ("draft", "Create a draft to review"),
    ("post", "Create and post it"),
    ("send", "Create, post and send it by e-mail"),
]
MOVE_TYPE_SELECTION = [
    ("out_invoice", "Customer Invoice"),
    ("in_invoice", "Vendor Bill"),
]
# What a move type draws on: journals of that type, taxes of that use, the product's prices of that side.
DOCUMENT_TYPES = {"out_invoice": "sale", "in_invoice": "purchase"}
MOVE_ACTIONS = {
    "out_invoice": "account.action_move_out_invoice_type",
    "in_invoice": "account.action_move_in_invoice_type",
}
TEMPLATE_ACTIONS = {
    "out_invoice": "recurring_invoices.action_recurring_invoice",
    "in_invoice": "recurring_invoices.action_recurring_bill",
}
TOTALS_DEPENDS = (
    "line_ids.price_unit",
    "line_ids.quantity",
    "line_ids.discount",
    "line_ids.tax_ids",
    "currency_id",
    "company_id",
)
PRICE_MODE_SELECTION = [
    ("fixed", "Fixed prices"),
    ("pricelist", "Customer's pricelist at invoicing"),
]
# Who may issue invoices: the responsible of a template must be one of them.
BILLING_GROUP = "account.group_account_invoice"


class RecurringInvoice(models.Model):
    _name = "recurring.invoice"
    _inherit = ["recurring.activity.generator", "mail.thread", "mail.activity.mixin"]
    _description = "Recurring Invoice"
    _order = "next_invoice_date, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    # Invoices usually repeat monthly.
    rrule_type = fields.Selection(default="monthly")
    move_type = fields.Selection(
        MOVE_TYPE_SELECTION,
        string="Type",
        required=True,
        default="out_invoice",
        tracking=True,
        help="Customer invoices or vendor bills (rent, licences, utilities): each is built like one typed by hand.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        tracking=True,
        index=True,
        check_company=True,
        help="Required; the customer invoiced, or the vendor who bills.",
    )
    ref = fields.Char(
        string="Bill Reference",
        help="Reference of each bill; it accepts the placeholders of the line descriptions (“Rent {month}”).",
    )
    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        check_company=True,
        domain="[('type', '=', 'purchase' if move_type == 'in_invoice' else 'sale')]",
        compute="_compute_journal_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        tracking=True,
        index=True,
        default=lambda self: self.env.user,
        domain=lambda self: (
            f"[('{USER_ALL_GROUPS}', 'in', {self.env.ref(BILLING_GROUP).id}), ('share', '=', False), "
            "('company_ids', 'in', company_id)]"
        ),
        help="Responsible of the template: gets the “Issue invoice” activities and is the invoices' salesperson.",
    )
    payment_term_id = fields.Many2one(
        "account.payment.term",
        string="Payment Terms",
        check_company=True,
        compute="_compute_partner_defaults",
        store=True,
        readonly=False,
        precompute=True,
    )
    fiscal_position_id = fields.Many2one(
        "account.fiscal.position",
        check_company=True,
        compute="_compute_partner_defaults",
        store=True,
        readonly=False,
        precompute=True,
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        check_company=True,
        compute="_compute_partner_defaults",
        store=True,
        readonly=False,
        precompute=True,
        help="Used when the prices come from the pricelist: the prices of the invoicing date are taken.",
    )
    narration = fields.Html(string="Terms and Conditions")
    line_ids = fields.One2many(
        "recurring.invoice.line",
        "recurring_invoice_id",
        string="Invoice Lines",
        copy=True,
        help="Line descriptions may use placeholders replaced on each invoice: {period_start}, {period_end} "
        "(the period an invoice bills, in advance or in arrears), {month} (month and year of the "
        "period, e.g. “January 2027”), {year} and {date} (the invoice date).",
    )
    invoice_action = fields.Selection(
        INVOICE_ACTION_SELECTION,
        string="Daily Scheduled Action",
        required=True,
        default="draft",
        tracking=True,
        help="What the daily scheduled action does on each date: create the invoice as a draft to review, "
        "post it, or post it and send it by e-mail to the customer. A person's “Issue” always posts it; "
        "set to post and send, it sends it by e-mail too.",
    )
    price_mode = fields.Selection(
        PRICE_MODE_SELECTION,
        string="Prices",
        required=True,
        default="fixed",
        tracking=True,
        help="Fixed: the prices of the lines. Pricelist: each invoice takes the price of the customer's "
        "pricelist on its date (lines without product keep their price).",
    )
    invoice_ids = fields.One2many("account.move", "recurring_invoice_id", string="Invoices", readonly=True)
    source_move_id = fields.Many2one(
        "account.move",
        string="Made From",
        compute="_compute_source_move_id",
        help="The invoice “Make recurring” fills this new template from; saved, it is its first occurrence.",
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    issue_activity_ids = fields.One2many(
        "mail.activity",
        "res_id",
        string="Planned Invoices",
        domain=lambda self: [("res_model", "=", self._name), ("recurring_date", "!=", False)],
        context={"active_test": False},
        readonly=True,
    )
    last_invoiced_date = fields.Date(
        string="Last Invoiced Occurrence",
        copy=False,
        readonly=True,
        tracking=True,
        help="The scheduled action has invoiced every occurrence up to this date. An invoice deleted "
        "afterwards is not created again: its occurrence counts as skipped.",
    )
    next_invoice_date = fields.Date(
        compute="_compute_next_invoice_date",
        store=True,
        index=True,
        help="Next occurrence of the rule that has no invoice yet; empty when the rule has ended.",
    )
    tax_totals = fields.Binary(string="Invoice Totals", compute="_compute_tax_totals", exportable=False)
    amount_untaxed = fields.Monetary(string="Untaxed Amount", compute="_compute_amounts", store=True)
    amount_tax = fields.Monetary(string="Taxes", compute="_compute_amounts", store=True)
    amount_total = fields.Monetary(string="Total", compute="_compute_amounts", store=True)

    # ------------------------------------------------------------------
    # Defaults that follow the partner and the company, like an invoice or a bill
    # ------------------------------------------------------------------
    def _get_document_type(self):
        """'sale' or 'purchase': the journal type, the tax use and the product prices of this template."""
        self.ensure_one()
        return DOCUMENT_TYPES[self.move_type]

    @api.depends("company_id", "move_type")
    def _compute_journal_id(self):
        for template in self:
            journal_type = template._get_document_type()
            if template.journal_id.company_id == template.company_id and template.journal_id.type == journal_type:
                continue
            template.journal_id = self.env["account.journal"].search(
                [*self.env["account.journal"]._check_company_domain(template.company_id), ("type", "=", journal_type)],
                limit=1,
            )

    @api.depends("journal_id", "company_id")
    def _compute_currency_id(self):
        for template in self:
            if not template.currency_id:
                template.currency_id = template.journal_id.currency_id or template.company_id.currency_id

    @api.depends("partner_id", "company_id", "move_type")
    def _compute_partner_defaults(self):
        for template in self:
            partner = template.partner_id.with_company(template.company_id)
            if not partner:
                continue
            is_bill = template.move_type == "in_invoice"
            template.payment_term_id = (
                partner.property_supplier_payment_term_id if is_bill else partner.property_payment_term_id
            )
            template.fiscal_position_id = (
                self.env["account.fiscal.position"].with_company(template.company_id)._get_fiscal_position(partner)
            )
            # Vendors' prices are those of the bill: no pricelist.
            template.pricelist_id = not is_bill and partner.property_product_pricelist

    @api.depends("invoice_ids")
    def _compute_invoice_count(self):
        counts = dict(
            self.env["account.move"]._read_group(
                [("recurring_invoice_id", "in", self.ids)], ["recurring_invoice_id"], ["__count"]
            )
        )
        for template in self:
            template.invoice_count = counts.get(template, 0)

    def _get_tax_totals(self, occurrence_date=None):
        """Totals the way account.move computes those of an invoice with the same lines; with an
        occurrence date, at the prices its invoice takes (the pricelist's of that date)."""
        self.ensure_one()
        AccountTax = self.env["account.tax"]
        company = self.company_id or self.env.company
        currency = self.currency_id or company.currency_id
        base_lines = []
        for line in self.line_ids:
            base_line = line._prepare_base_line_for_taxes_computation()
            if occurrence_date:
                base_line["price_unit"] = line._get_invoice_price_unit(occurrence_date)
            base_lines.append(base_line)
        AccountTax._add_tax_details_in_base_lines(base_lines, company)
        AccountTax._round_base_lines_tax_details(base_lines, company)
        return AccountTax._get_tax_totals_summary(base_lines=base_lines, currency=currency, company=company)

    @api.depends_context("lang")
    @api.depends(*TOTALS_DEPENDS)
    def _compute_tax_totals(self):
        for template in self:
            template.tax_totals = template._get_tax_totals()

    @api.depends(*TOTALS_DEPENDS)
    def _compute_amounts(self):
        for template in self:
            totals = template._get_tax_totals()
            template.amount_untaxed = totals["base_amount_currency"]
            template.amount_tax = totals["tax_amount_currency"]
            template.amount_total = totals["total_amount_currency"]

    def _get_currency_rate(self, on_date=None):
        """Rate from the company currency to the template's, as the invoice would take it."""
        self.ensure_one()
        return self.env["res.currency"]._get_conversion_rate(
            from_currency=self.company_id.currency_id,
            to_currency=self.currency_id,
            company=self.company_id,
            date=on_date or self._get_today(),
        )

    # ------------------------------------------------------------------
    # Occurrences
    # ------------------------------------------------------------------
    @api.depends(
        "rrule",
        "date_start",
        "invoicing_type",
        "bill_first_partial_period",
        "last_invoiced_date",
        "invoice_ids.recurring_date",
        "non_working_days",
        "resource_calendar_id",
    )
    def _compute_next_invoice_date(self):
        """The invoice date of the first occurrence after the last one the scheduled action invoiced
        that has no invoice: on a working day when the rule says so.

        An occurrence issued ahead of its date (from its activity) is passed over, so the next
        invoice date moves on as soon as an invoice is issued.
        """
        invoiced = defaultdict(set)
        if self._origin.ids:
            for template, dates in self.env["account.move"]._read_group(
                [("recurring_invoice_id", "in", self._origin.ids)],
                ["recurring_invoice_id"],
                ["recurring_date:array_agg"],
            ):
                invoiced[template.id].update(dates)
        schedules = WorkingSchedules()
        for template in self:
            template.next_invoice_date = False
            if not template.date_start or template._rule_error():
                continue
            occurrence = template._get_next_invoice_occurrence(invoiced[template._origin.id], schedules)
            template.next_invoice_date = occurrence[1] if occurrence else False

    def _get_next_invoice_occurrence(self, invoiced=None, schedules=None):
        """(nominal, invoice date) of the first occurrence after the last one invoiced that has no
        invoice (none of the nominal dates `invoiced`, by default its invoices'), or None when the rule has ended."""
        self.ensure_one()
        if invoiced is None:
            invoiced = set(self.invoice_ids.mapped("recurring_date"))
        occurrences = self._iter_occurrences(self._get_first_uninvoiced_date(), schedules)
        return next((pair for pair in occurrences if pair[0] not in invoiced), None)

    def _get_first_uninvoiced_date(self):
        """The nominal date from which occurrences are still to invoice: the day after the last one the
        scheduled action invoiced, or the start of invoicing (in arrears, after the first date)."""
        self.ensure_one()
        if self.last_invoiced_date:
            return self.last_invoiced_date + timedelta(days=1)
        return self._get_invoicing_start()

    # ------------------------------------------------------------------
    # Validation
    # ------------------------------------------------------------------
    @api.constrains("partner_id", "line_ids", "active")
    def _check_invoiceable(self):
        for template in self.filtered("active"):
            if not template.partner_id:
                if template.move_type == "in_invoice":
                    raise ValidationError(self.env._("The recurring bill “%s” needs a vendor.", template.name))
                raise ValidationError(self.env._("The recurring invoice “%s” needs a customer.", template.name))
            if not template.line_ids:
                raise ValidationError(
                    self.env._("The recurring invoice “%s” needs at least one invoice line.", template.name)
                )

    @api.model
    def _can_issue_invoices(self, user, company):
        """Whether ``user`` may act on the activities of ``company``'s templates: a billing user of that company."""
        return bool(user) and user.has_group(BILLING_GROUP) and company in user.sudo().company_ids

    @api.constrains("user_id", "company_id")
    def _check_responsible(self):
        # The responsible gets the "Issue invoice" activities and the failure to-dos: never one they cannot act on.
        for template in self:
            if not self._can_issue_invoices(template.user_id, template.company_id):
                raise ValidationError(
                    self.env._(
                        "%(user)s cannot issue the invoices of “%(name)s”: choose a responsible who invoices "
                        "for %(company)s (Invoicing: Billing or above).",
                        user=template.user_id.name,
                        name=template.name,
                        company=template.company_id.name,
                    )
                )

    @api.constrains("partner_id", "company_id")
    def _check_partner_company(self):
        # As on invoices, but said before Odoo's company check, which would name a customer the user may not read.
        for template in self:
            partner = template.partner_id.sudo()
            if partner and not partner.filtered_domain(partner._check_company_domain(template.company_id)):
                raise ValidationError(
                    self.env._(
                        "The customer of “%(name)s” belongs to another company: choose a customer of %(company)s.",
                        name=template.name,
                        company=template.company_id.name,
                    )
                )

    @api.constrains("journal_id", "move_type")
    def _check_journal(self):
        for template in self:
            if template.journal_id.type != template._get_document_type():
                if template.move_type == "in_invoice":
                    raise ValidationError(self.env._("Recurring bills are created in a purchase journal."))
                raise ValidationError(self.env._("Recurring invoices are created in a sales journal."))

    @api.constrains("move_type", "invoicing_type", "bill_first_partial_period")
    def _check_kept_once_invoiced(self):
        """The invoices made are of that type and period: changing them would bill a period twice, or never."""
        for template in self.filtered("invoice_ids"):
            raise ValidationError(
                self.env._(
                    "“%s” has invoices already: its type and billing period stay as they are. Duplicate it to "
                    "start anew.",
                    template.name,
                )
            )

    @api.constrains("move_type", "invoice_action", "price_mode")
    def _check_bill_options(self):
        """A bill has nobody to be sent to, and its prices are the vendor's, not a pricelist's."""
        for template in self.filtered(lambda t: t.move_type == "in_invoice"):
            if template.invoice_action == "send":
                raise ValidationError(self.env._("A recurring bill is not sent: create a draft or post it."))
            if template.price_mode == "pricelist":
                raise ValidationError(self.env._("A recurring bill has fixed prices."))

    # ------------------------------------------------------------------
    # Issue-invoice activities (recurring.activity.generator hooks)
    # ------------------------------------------------------------------
    def _get_issue_activity_type(self):
        return self.env.ref("recurring_invoices.mail_activity_type_issue_invoice")

    def _get_generated_activity_domain(self):
        return [
            ("res_model", "=", self._name),
            ("res_id", "in", self.ids),
            ("recurring_date", "!=", False),
        ]

    def _get_activity_recurrence(self, activity):
        return self.browse(activity.res_id)

    def _get_activity_sync_values(self):
        return {"user_id": self.user_id.id}

    def _prepare_activity_values(self, occurrence_date):
        activity_type = self._get_issue_activity_type()
        return {
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "activity_type_id": activity_type.id,
            "summary": (
                self.env._("Issue bill: %s", self.name)
                if self.move_type == "in_invoice"
                else self.env._("Issue invoice: %s", self.name)
            ),
            "user_id": self.user_id.id,
            "date_deadline": occurrence_date,
            "recurring_date": occurrence_date,
            "automated": True,
        }

    # ------------------------------------------------------------------
    # "Make recurring" from an invoice, copy
    # ------------------------------------------------------------------
    @api.depends_context("recurring_source_move_id")
    def _compute_source_move_id(self):
        source = self.env["account.move"].browse(self.env.context.get("recurring_source_move_id")).exists()
        for template in self:
            template.source_move_id = not template._origin.id and source

    @api.model
    def default_get(self, fields_list):
        defaults = super().default_get(fields_list)
        if source_id := self.env.context.get("recurring_source_move_id"):
            source = self.env["account.move"].browse(source_id)
            values = dict(source._prepare_recurring_template_values(), source_move_id=source.id)
            defaults.update({name: value for name, value in values.items() if name in fields_list})
        return defaults

    @api.model_create_multi
    def create(self, vals_list):
        templates = super().create(vals_list)
        if (source_id := self.env.context.get("recurring_source_move_id")) and len(templates) == 1:
            self.env["account.move"].browse(source_id).exists()._link_first_occurrence(templates)
        return templates

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        return [
            dict(vals, name=self.env._("%s (copy)", template.name))
            for template, vals in zip(self, vals_list, strict=True)
        ]

    # ------------------------------------------------------------------
    # Navigation
    # ------------------------------------------------------------------
    def action_open_invoices(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(MOVE_ACTIONS[self.move_type])
        action.update(
            domain=[("recurring_invoice_id", "=", self.id)],
            context={"default_move_type": self.move_type, "create": False},
        )
        if self.invoice_count == 1:
            action.update(views=[(False, "form")], view_mode="form", res_id=self.invoice_ids.id)
        return action

    @api.model
    def action_new_template(self, move_type="out_invoice"):
        """Form of a new template (the "Add a recurring invoice/bill" buttons of the invoice and bill lists)."""
        self.check_access("create")
        action = self.env["ir.actions.act_window"]._for_xml_id(TEMPLATE_ACTIONS[move_type])
        action.update(views=[(False, "form")], view_mode="form", target="current")
        return action

# Part of recurring_invoices. License LGPL-3.
"""A line of a recurring invoice template, filled in like an invoice line."""

from odoo import api, fields, models
from odoo.addons.recurring_interactions.models.series_compat import QUANTITY_DIGITS
from odoo.exceptions import ValidationError

# The product's taxes an invoice line, or a bill line, takes.
PRODUCT_TAXES = {"out_invoice": "taxes_id", "in_invoice": "supplier_taxes_id"}


class RecurringInvoiceLine(models.Model):
    _name = "recurring.invoice.line"
    _inherit = ["analytic.mixin"]
    _description = "Recurring Invoice Line"
    _order = "recurring_invoice_id, sequence, id"
    _check_company_auto = True

    recurring_invoice_id = fields.Many2one(
        "recurring.invoice",
        required=True,
        index=True,
        ondelete="cascade",
    )
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="recurring_invoice_id.company_id", store=True, string="Company")
    currency_id = fields.Many2one(related="recurring_invoice_id.currency_id", string="Currency")
    move_type = fields.Selection(related="recurring_invoice_id.move_type")
    product_id = fields.Many2one(
        "product.product",
        check_company=True,
        domain="[('purchase_ok' if move_type == 'in_invoice' else 'sale_ok', '=', True)]",
        ondelete="restrict",
    )
    product_uom_id = fields.Many2one(
        "uom.uom",
        string="Unit of Measure",
        compute="_compute_product_uom_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    name = fields.Text(
        string="Description",
        required=True,
        compute="_compute_name",
        store=True,
        readonly=False,
        precompute=True,
        help="Placeholders replaced on each invoice: {period_start}, {period_end}, {month}, {year}, {date}.",
    )
    quantity = fields.Float(default=1.0, digits=QUANTITY_DIGITS, required=True)
    price_unit = fields.Float(
        string="Unit Price",
        digits="Product Price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        precompute=True,
    )
    discount = fields.Float(string="Discount (%)", digits="Discount", default=0.0)
    tax_ids = fields.Many2many(
        "account.tax",
        string="Taxes",
        check_company=True,
        domain="[('type_tax_use', '=', 'purchase' if move_type == 'in_invoice' else 'sale')]",
        compute="_compute_tax_ids",
        store=True,
        readonly=False,
        precompute=True,
    )
    price_subtotal = fields.Monetary(string="Subtotal", compute="_compute_amounts")
    price_total = fields.Monetary(string="Total", compute="_compute_amounts")

    # One compute per field, as account.move.line has: a field the form does not show (the unit without the
    # units group) is computed when first read, and a compute shared with the description and the price would
    # then overwrite what the person typed after choosing the product.
    @api.depends("product_id")
    def _compute_name(self):
        for line in self:
            product = line.product_id
            if not product:
                line.name = line.name or False
                continue
            template = line.recurring_invoice_id
            product = product.with_context(lang=template.partner_id.lang)
            if template.move_type == "in_invoice":
                # As a bill line describes it.
                line.name = "\n".join(filter(None, [product.display_name, product.description_purchase]))
            else:
                line.name = product.get_product_multiline_description_sale()

    @api.depends("product_id")
    def _compute_product_uom_id(self):
        for line in self:
            if line.product_id:
                line.product_uom_id = line.product_id.uom_id

    @api.depends("product_id")
    def _compute_price_unit(self):
        for line in self:
            if not line.product_id:
                continue
            template = line.recurring_invoice_id
            company = template.company_id or self.env.company
            # The sales price or the cost, in the template's currency, as an invoice or a bill takes it.
            line.price_unit = line.product_id._get_tax_included_unit_price(
                company,
                template.currency_id or company.currency_id,
                fields.Date.context_today(line),
                template._get_document_type(),
                fiscal_position=template.fiscal_position_id,
            )

    @api.depends("product_id", "recurring_invoice_id.fiscal_position_id", "recurring_invoice_id.move_type")
    def _compute_tax_ids(self):
        for line in self:
            if not line.product_id:
                continue
            template = line.recurring_invoice_id
            company = template.company_id or self.env.company
            product_taxes = line.product_id[PRODUCT_TAXES[template.move_type]]
            line.tax_ids = template.fiscal_position_id.map_tax(product_taxes._filter_taxes_by_company(company))

    @api.depends("quantity", "discount", "price_unit", "tax_ids", "currency_id")
    def _compute_amounts(self):
        AccountTax = self.env["account.tax"]
        for line in self:
            company = line.recurring_invoice_id.company_id or self.env.company
            base_line = line._prepare_base_line_for_taxes_computation()
            AccountTax._add_tax_details_in_base_lines([base_line], company)
            AccountTax._round_base_lines_tax_details([base_line], company)
            line.price_subtotal = base_line["tax_details"]["total_excluded_currency"]
            line.price_total = base_line["tax_details"]["total_included_currency"]

    def _prepare_base_line_for_taxes_computation(self):
        """The line as account.tax sees an invoice line (see account.move)."""
        self.ensure_one()
        template = self.recurring_invoice_id
        return self.env["account.tax"]._prepare_base_line_for_taxes_computation(
            self,
            tax_ids=self.tax_ids,
            quantity=self.quantity,
            partner_id=template.partner_id,
            currency_id=template.currency_id or template.company_id.currency_id,
            rate=template._get_currency_rate() if template.currency_id else 1.0,
        )

    @api.constrains("quantity", "discount")
    def _check_amounts(self):
        for line in self:
            if not 0 <= line.discount <= 100:
                raise ValidationError(self.env._("A discount is between 0 and 100%% (it is %s).", line.discount))

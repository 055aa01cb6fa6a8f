# Part of recurring_invoices. License LGPL-3.
"""The customer's pages: their recurring invoices, what each bills, how it is paid.

Built like Odoo's own invoice and quotation pages: the list reads through the portal user's record
rules (their commercial partner's customer templates), a template page opens for its owner or for
whoever holds its access token (a shared link), and the changes go through POST routes that Odoo
checks for CSRF and that check the logged-in user owns the template.
"""

from odoo import http
from odoo.addons.payment import utils as payment_utils
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.addons.recurring_invoices.models.recurring_invoice_invoicing import fill_placeholders
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import format_date

URL = "/my/recurring_invoices"
FLASH_KEY = "recurring_invoice_portal_flash"


class RecurringInvoicePortal(CustomerPortal):
    def _get_recurring_invoices_domain(self):
        # The record rules keep the portal user to their commercial partner's templates; bills are never theirs.
        return [("move_type", "=", "out_invoice")]

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "recurring_invoice_count" in counters:
            Template = request.env["recurring.invoice"]
            values["recurring_invoice_count"] = (
                Template.search_count(self._get_recurring_invoices_domain()) if Template.has_access("read") else 0
            )
        return values

    @http.route([URL, f"{URL}/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_recurring_invoices(self, page=1, **kw):
        Template = request.env["recurring.invoice"]
        values = self._prepare_portal_layout_values()
        if not Template.has_access("read"):
            return request.redirect("/my")
        domain = self._get_recurring_invoices_domain()
        pager = portal_pager(url=URL, total=Template.search_count(domain), page=page, step=self._items_per_page)
        templates = Template.search(
            domain, order="next_invoice_date, id desc", limit=self._items_per_page, offset=pager["offset"]
        )
        request.session["my_recurring_invoices_history"] = templates.ids[:100]
        values.update(
            {
                # Read as the portal user's company-free sudo: the rules have chosen the records.
                "recurring_invoices": templates.sudo(),
                "page_name": "recurring_invoice",
                "pager": pager,
                "default_url": URL,
            }
        )
        return request.render("recurring_invoices.portal_my_recurring_invoices", values)

    @http.route([f"{URL}/<int:template_id>"], type="http", auth="public", website=True)
    def portal_my_recurring_invoice(self, template_id, access_token=None, **kw):
        try:
            template_sudo = self._document_check_access("recurring.invoice", template_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        if template_sudo.move_type != "out_invoice":
            return request.redirect("/my")
        flash = request.session.pop(FLASH_KEY, None) or {}
        values = self._recurring_invoice_page_values(template_sudo, access_token, **flash)
        return request.render("recurring_invoices.portal_recurring_invoice_page", values)

    def _is_recurring_invoice_owner(self, template_sudo):
        user = request.env.user
        return not user._is_public() and (
            template_sudo.partner_id.commercial_partner_id == user.partner_id.commercial_partner_id
        )

    def _recurring_invoice_page_values(self, template_sudo, access_token, message=None, error=None):
        is_owner = self._is_recurring_invoice_owner(template_sudo)
        _last_billed, billed_until = template_sudo._get_billed_until()
        next_period = (
            template_sudo._get_period(template_sudo.next_invoice_date) if template_sudo.next_invoice_date else None
        )
        invoices = template_sudo.invoice_ids.filtered(lambda m: m.state == "posted").sorted(
            "recurring_date", reverse=True
        )
        # The descriptions as the next invoice reads them (its month, its period), not their placeholders.
        line_names = {}
        if template_sudo.next_invoice_date:
            placeholders = template_sudo._get_placeholder_values(template_sudo.next_invoice_date)
            line_names = {line.id: fill_placeholders(line.name, placeholders) for line in template_sudo.line_ids}
        values = {
            "page_name": "recurring_invoice",
            "line_names": line_names,
            "recurring_invoice": template_sudo,
            "issued_invoices": invoices,
            "next_period": next_period,
            "billed_until": billed_until,
            "is_owner": is_owner,
            "usable_tokens": template_sudo._get_usable_payment_tokens() if is_owner else [],
            "message": message,
            "error": error,
        }
        if is_owner:
            values.update(self._recurring_payment_form_values(template_sudo))
        return self._get_page_view_values(template_sudo, access_token, values, "my_recurring_invoices_history", False)

    def _recurring_payment_form_values(self, template_sudo):
        """Odoo's payment form in validation mode (as /my/payment_method draws it): saves a new method of the
        customer, then comes back to this page."""
        partner_sudo = request.env.user.partner_id
        company = template_sudo.company_id
        availability_report = {}
        providers_sudo = (
            request.env["payment.provider"]
            .sudo()
            ._get_compatible_providers(
                company.id,
                partner_sudo.id,
                0.0,
                force_tokenization=True,
                is_validation=True,
                report=availability_report,
            )
        )
        payment_methods_sudo = (
            request.env["payment.method"]
            .sudo()
            ._get_compatible_payment_methods(
                providers_sudo.ids, partner_sudo.id, force_tokenization=True, report=availability_report
            )
        )
        return {
            "mode": "validation",
            "allow_token_selection": False,
            "allow_token_deletion": False,
            "reference_prefix": payment_utils.singularize_reference_prefix(prefix="V"),
            "partner_id": partner_sudo.id,
            "providers_sudo": providers_sudo,
            "payment_methods_sudo": payment_methods_sudo,
            "tokens_sudo": request.env["payment.token"].sudo().browse(),
            "availability_report": availability_report,
            "transaction_route": "/payment/transaction",
            "landing_route": template_sudo.access_url,
            # Not `access_token`: the page's own is the template's (a shared link's).
            "payment_access_token": payment_utils.generate_access_token(partner_sudo.id, None, None),
        }

    def _get_owned_recurring_invoice(self, template_id):
        """The template of that id when the logged-in user's commercial partner owns it, else None."""
        template_sudo = request.env["recurring.invoice"].sudo().browse(template_id).exists()
        if not template_sudo or template_sudo.move_type != "out_invoice":
            return None
        if not self._is_recurring_invoice_owner(template_sudo):
            return None
        try:
            template_sudo.with_user(request.env.user).check_access("read")
        except AccessError:
            return None
        return template_sudo

    def _redirect_to_template(self, template_sudo, message=None, error=None):
        # Said once on the next page (kept in the session, never in a URL that anyone could forge).
        request.session[FLASH_KEY] = {"message": message, "error": error}
        return request.redirect(f"{template_sudo.access_url}#payment")

    @http.route([f"{URL}/<int:template_id>/payment_method"], type="http", auth="user", methods=["POST"], website=True)
    def portal_recurring_invoice_payment_method(self, template_id, token_id=None, **kw):
        template_sudo = self._get_owned_recurring_invoice(template_id)
        if not template_sudo:
            return request.redirect("/my")
        env = request.env
        token = env["payment.token"].sudo().browse(int(token_id)).exists() if token_id else None
        if token_id and not token:
            return self._redirect_to_template(template_sudo, error=env._("This payment method no longer exists."))
        if token:
            error = template_sudo._get_payment_token_error(token)
            if error:
                return self._redirect_to_template(template_sudo, error=error)
        try:
            template_sudo.payment_token_id = token or False
        except ValidationError as error:
            return self._redirect_to_template(template_sudo, error=error.args[0])
        if token:
            message = env._("Each invoice is now paid automatically with %s.", token.display_name)
        else:
            message = env._("Automatic payment stopped: each invoice is to be paid from its own page.")
        return self._redirect_to_template(template_sudo, message=message)

    @http.route([f"{URL}/<int:template_id>/stop"], type="http", auth="user", methods=["POST"], website=True)
    def portal_recurring_invoice_stop(self, template_id, **kw):
        template_sudo = self._get_owned_recurring_invoice(template_id)
        if not template_sudo:
            return request.redirect("/my")
        try:
            period_end = template_sudo._stop_at_billed_period_end()
        except UserError as error:
            return self._redirect_to_template(template_sudo, error=error.args[0])
        message = request.env._(
            "Stopped: nothing is billed after the period ending %s.",
            format_date(request.env, period_end),
        )
        return self._redirect_to_template(template_sudo, message=message)

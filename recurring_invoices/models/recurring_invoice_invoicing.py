# Part of recurring_invoices. License LGPL-3.
"""From a template and an occurrence date to an invoice: its values, its creation, posting and sending.

Used by the scheduled action (many templates at once), by "Issue invoice" on an activity and by the
preview. Invoices of many templates are created with one ``account.move.create(vals_list)``; when
that batch fails, each template is retried alone in its own savepoint so that the failure stays
with the template that caused it.
"""

import logging

import psycopg2
from markupsafe import Markup

from odoo import Command, models
from odoo.addons.recurring_interactions.models.working_schedule import WorkingSchedules
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import float_round, format_date

_logger = logging.getLogger(__name__)

# Name of the unique index on account_move (recurring_invoice_id, recurring_date).
OCCURRENCE_INDEX = "account_move_recurring_occurrence_uniq"


def fill_placeholders(text, placeholders):
    """The text with its placeholders ({month}, ...) replaced by their values."""
    for placeholder, value in placeholders.items():
        text = text and text.replace(placeholder, value)
    return text


class RecurringInvoice(models.Model):
    _inherit = "recurring.invoice"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Values of one invoice
    # ------------------------------------------------------------------
    def _check_can_invoice(self):
        """Raise a UserError saying why this template cannot be invoiced now."""
        self.ensure_one()
        if not self.partner_id:
            raise UserError(self.env._("“%s” has no customer or vendor.", self.name))
        if not self.partner_id.active:
            raise UserError(
                self.env._(
                    "The partner %(partner)s of “%(name)s” is archived.", partner=self.partner_id.name, name=self.name
                )
            )
        if not self.line_ids:
            raise UserError(self.env._("“%s” has no invoice line.", self.name))
        if not self.journal_id.active:
            raise UserError(self.env._("The journal %s is archived.", self.journal_id.name))
        if not self.currency_id.active:
            raise UserError(self.env._("The currency %s is not active.", self.currency_id.name))

    def _get_placeholder_values(self, occurrence_date, invoice_date=None):
        """What the placeholders of the line descriptions stand for on the invoice of that occurrence."""
        self.ensure_one()
        lang = self.partner_id.lang or self.env.lang
        period_start, period_end = self._get_period(occurrence_date)
        return {
            "{date}": format_date(self.env, invoice_date or occurrence_date, lang_code=lang),
            "{period_start}": format_date(self.env, period_start, lang_code=lang),
            "{period_end}": format_date(self.env, period_end, lang_code=lang),
            "{month}": format_date(self.env, period_start, lang_code=lang, date_format="MMMM y"),
            "{year}": str(period_start.year),
        }

    def _get_invoice_date(self, occurrence_date, schedules, issue_date=None):
        """The date of an occurrence's invoice: its working day, never after the day it is issued."""
        working_date = self._get_working_date(occurrence_date, schedules)
        return min(working_date, issue_date) if issue_date else working_date

    def _prepare_invoice_vals(self, occurrence_date, invoice_date=None):
        """Values of the invoice or bill of one occurrence, dated `invoice_date` (by default that occurrence)."""
        self.ensure_one()
        self._check_can_invoice()
        invoice_date = invoice_date or occurrence_date
        placeholders = self._get_placeholder_values(occurrence_date, invoice_date)
        prorata = self._get_prorata(occurrence_date)
        vals = {
            "move_type": self.move_type,
            "company_id": self.company_id.id,
            "partner_id": self.partner_id.id,
            "ref": fill_placeholders(self.ref, placeholders),
            "journal_id": self.journal_id.id,
            "currency_id": self.currency_id.id,
            "invoice_date": invoice_date,
            "invoice_user_id": self.user_id.id,
            "invoice_payment_term_id": self.payment_term_id.id,
            "fiscal_position_id": self.fiscal_position_id.id,
            "narration": self.narration,
            "invoice_origin": self.name,
            "recurring_invoice_id": self.id,
            "recurring_date": occurrence_date,
            "invoice_line_ids": [
                Command.create(line._prepare_invoice_line_vals(occurrence_date, placeholders, prorata))
                for line in self.line_ids
            ],
        }
        if not self.payment_term_id:
            # Without payment terms Odoo falls back on the day the invoice is created, which is
            # before its date for an invoice made ahead: it is due on its own date instead.
            vals["invoice_date_due"] = invoice_date
        return vals

    # ------------------------------------------------------------------
    # Creation
    # ------------------------------------------------------------------
    def _create_invoices(self, dates_by_template, finalize=True, issue_date=None):
        """Create the invoices of {template: [dates]}; returns (moves, failures, conflicts).

        Each date is an occurrence's nominal date (the invoice's ``recurring_date``); the invoice
        is dated on its working day. issue_date: the day they are issued; an occurrence after it is
        invoiced on that day, never in the future.
        failures: {template: error} of the templates whose invoices could not be created;
        conflicts: templates whose invoice of some date already exists (the unique index said so).
        Nothing is created for a template that fails or conflicts.
        """
        failures, vals_by_template = {}, {}
        schedules = WorkingSchedules()
        for template, dates in dates_by_template.items():
            try:
                vals_by_template[template] = [
                    template._prepare_invoice_vals(d, invoice_date=template._get_invoice_date(d, schedules, issue_date))
                    for d in dates
                ]
            except (UserError, ValueError) as error:
                failures[template] = error
        vals_by_template = {t: v for t, v in vals_by_template.items() if v}
        Move = self.env["account.move"].with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
        if not vals_by_template:
            return Move, failures, self.browse()
        if len(vals_by_template) > 1:
            try:
                with self.env.cr.savepoint():
                    moves = Move.create([vals for vals_list in vals_by_template.values() for vals in vals_list])
                    if finalize:
                        moves._recurring_finalize()
                return moves, failures, self.browse()
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise  # the transaction is doomed, not a template: its caller runs it again
            except Exception:
                _logger.info("A batch of %s recurring invoices failed: retrying each alone", len(vals_by_template))
        moves, conflicts = Move, self.browse()
        for template, vals_list in vals_by_template.items():
            try:
                with self.env.cr.savepoint():
                    created = Move.create(vals_list)
                    if finalize:
                        created._recurring_finalize()
                moves |= created
            except psycopg2.errors.UniqueViolation as error:
                if error.diag.constraint_name != OCCURRENCE_INDEX:
                    failures[template] = error
                else:
                    conflicts |= template
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except Exception as error:
                failures[template] = error
        return moves, failures, conflicts

    def _get_existing_occurrences(self, date_from, date_to):
        """{(template id, date)} of the occurrences that have an invoice, in one query."""
        moves = (
            self.env["account.move"]
            .with_context(active_test=False)
            .search_fetch(
                [
                    ("recurring_invoice_id", "in", self.ids),
                    ("recurring_date", ">=", date_from),
                    ("recurring_date", "<=", date_to),
                ],
                ["recurring_invoice_id", "recurring_date"],
            )
        )
        return {(move.recurring_invoice_id.id, move.recurring_date) for move in moves}

    def _report_failures(self, failures):
        """Tell each failing template's responsible: a chatter message and one open to-do."""
        todo_type = self.env.ref("mail.mail_activity_data_todo")
        summary = self.env._("Recurring invoice not created")
        open_todos = (
            self.env["mail.activity"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", [t.id for t in failures]),
                    ("activity_type_id", "=", todo_type.id),
                    ("summary", "=", summary),
                ],
                ["res_id"],
            )
        )
        warned = set(open_todos.mapped("res_id"))
        for template, error in failures.items():
            reason = getattr(error, "args", [str(error)])[0] if isinstance(error, UserError) else str(error)
            _logger.warning("Recurring invoice %s (id %s) not created: %s", template.name, template.id, reason)
            template.message_post(
                body=Markup("<p>%s</p><p>%s</p>")
                % (self.env._("The invoice could not be created; it will be retried on the next run:"), reason),
                message_type="notification",
            )
            if template.id not in warned:
                template.activity_schedule(
                    activity_type_id=todo_type.id,
                    summary=summary,
                    note=reason,
                    user_id=template.user_id.id or self.env.uid,
                )


class RecurringInvoiceLine(models.Model):
    _inherit = "recurring.invoice.line"  # pylint: disable=consider-merging-classes-inherited

    def _get_invoice_price_unit(self, occurrence_date, prorata=None):
        """The unit price of this line on the invoice of that occurrence: the pricelist's of its date when the
        prices follow it; prorated by days (days billed, days of the full period) on a first partial period."""
        self.ensure_one()
        template = self.recurring_invoice_id
        if template.price_mode != "pricelist" or not self.product_id or not template.pricelist_id:
            price = self.price_unit
        else:
            price = template.pricelist_id._get_product_price(
                self.product_id,
                self.quantity or 1.0,
                currency=template.currency_id,
                uom=self.product_uom_id,
                date=occurrence_date,
            )
        prorata = prorata if prorata is not None else template._get_prorata(occurrence_date)
        if prorata:
            days, full = prorata
            price = float_round(
                price * days / full, precision_digits=self.env["decimal.precision"].precision_get("Product Price")
            )
        return price

    def _prepare_invoice_line_vals(self, occurrence_date, placeholders, prorata=None):
        self.ensure_one()
        name = fill_placeholders(self.name or "", placeholders)
        if prorata:
            # Said on the line, so that the customer reads why its price is not the usual one.
            name = "\n".join(
                [
                    name,
                    self.env._(
                        "Prorated: %(start)s to %(end)s, %(days)s of %(full)s days",
                        start=placeholders["{period_start}"],
                        end=placeholders["{period_end}"],
                        days=prorata[0],
                        full=prorata[1],
                    ),
                ]
            )
        vals = {
            "sequence": self.sequence,
            "name": name,
            "quantity": self.quantity,
            "price_unit": self._get_invoice_price_unit(occurrence_date, prorata=prorata or False),
            "discount": self.discount,
            "tax_ids": [Command.set(self.tax_ids.ids)],
        }
        if self.product_id:
            vals["product_id"] = self.product_id.id
        if self.product_uom_id:
            vals["product_uom_id"] = self.product_uom_id.id
        if self.analytic_distribution:
            vals["analytic_distribution"] = self.analytic_distribution
        return vals

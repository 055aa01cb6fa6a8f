# Part of recurring_invoices. License LGPL-3.
"""Issuing by a person: what an invoice bills is shown before it is posted, and issuing ahead is confirmed.

Every manual path (the template's "Issue next invoice", an "Issue invoice" activity marked done from the
chatter, the Activity view, My Activities or over RPC) ends in ``_issue_occurrences``, which refuses an
occurrence whose date has not come unless the caller confirmed it (the context key ``ISSUE_EARLY``, set
only by the confirmation window and the popover's "Issue N days early"), and refuses, confirmed or not,
one beyond the company's "Bill at most N periods ahead" (the next period by default).
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.addons.recurring_interactions.models.working_schedule import WorkingSchedules
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

# Context key: the person confirmed issuing ahead of the occurrence's date.
ISSUE_EARLY = "recurring_invoice_issue_early"


class RecurringInvoice(models.Model):
    _inherit = "recurring.invoice"  # pylint: disable=consider-merging-classes-inherited

    next_issue_occurrence = fields.Date(
        string="Next Occurrence to Issue",
        compute="_compute_next_issue",
        help="The occurrence “Issue next invoice” issues: the oldest draft still to issue, else the next date.",
    )
    next_issue_summary = fields.Char(
        string="Next Invoice",
        compute="_compute_next_issue",
        help="What “Issue next invoice” bills: period, invoice date, due date and total.",
    )
    next_issue_days_early = fields.Integer(
        string="Days Early",
        compute="_compute_next_issue",
        help="How many days before its date the next invoice would be issued now.",
    )
    next_issue_not_before = fields.Date(
        string="Next Invoice Not Before",
        compute="_compute_next_issue",
        help="The first day the next invoice may be issued, when it is too far ahead to be issued today "
        "(Invoicing settings: Bill at most N periods ahead).",
    )

    @api.depends(
        "active", "paused", "partner_id", "line_ids", "amount_total", "payment_term_id", "next_invoice_date", "rrule"
    )
    def _compute_next_issue(self):
        # Unsaved (a new template, "Make recurring", an edit), what its next invoice bills is read from the form's
        # values: never the temporary id of the record.
        for template in self:
            occurrence = info = False
            if template.active and not template.paused and template.date_start and not template._rule_error():
                occurrence = template._get_occurrence_to_issue()
                try:
                    info = occurrence and template._get_issue_info(occurrence)
                except UserError:
                    info = False  # issuing would say why; the form shows nothing to issue
            template.next_issue_occurrence = occurrence or False
            template.next_issue_summary = info["summary"] if info else False
            template.next_issue_days_early = info["days_early"] if info else 0
            template.next_issue_not_before = info["not_before"] if info else False

    # ------------------------------------------------------------------
    # What a person sees before issuing
    # ------------------------------------------------------------------
    def _get_issue_info(self, occurrence_date):
        """What issuing the invoice of that occurrence today bills: its dates, its total, how early.

        Those of its invoice when it exists (a draft of the scheduled action); else computed as Odoo
        will on the invoice (taxes by account.tax, the due date by the payment terms), without
        writing anything: the template's form reads them.
        """
        self.ensure_one()
        self._check_can_invoice()
        today = self._get_today()
        schedules = WorkingSchedules()
        # An unsaved template (its id is a temporary one) has no invoice yet.
        invoice = self.env["account.move"]
        if self._origin.id:
            invoice = invoice.search(
                [("recurring_invoice_id", "=", self._origin.id), ("recurring_date", "=", occurrence_date)], limit=1
            )
        if invoice:
            invoice_date, currency = invoice.invoice_date, invoice.currency_id
            due_date, total = invoice.invoice_date_due, invoice.amount_total
        else:
            invoice_date, currency = self._get_invoice_date(occurrence_date, schedules, today), self.currency_id
            totals = self._get_tax_totals(occurrence_date)
            total = totals["total_amount_currency"]
            due_date = self._get_due_date(invoice_date, totals)
        period_start, period_end = self._get_period(occurrence_date)
        days_early = max((self._get_working_date(occurrence_date, schedules) - today).days, 0)
        values = {
            "occurrence": format_date(self.env, occurrence_date),
            "period": self.env._(
                "%(start)s to %(end)s",
                start=format_date(self.env, period_start),
                end=format_date(self.env, period_end),
            ),
            "invoice_date": format_date(self.env, invoice_date),
            "due_date": format_date(self.env, due_date or invoice_date),
            "total": format_amount(self.env, total, currency),
        }
        if self.move_type == "in_invoice":
            summary = self.env._(
                "Period %(period)s, bill date %(invoice_date)s, due %(due_date)s, total %(total)s", **values
            )
        else:
            summary = self.env._(
                "Period %(period)s, invoice date %(invoice_date)s, due %(due_date)s, total %(total)s", **values
            )
        if days_early:
            summary = self.env._("%(summary)s: %(days)s days early", summary=summary, days=days_early)
        return dict(
            values,
            occurrence_date=occurrence_date,
            period_start=period_start,
            period_end=period_end,
            invoice_date_value=invoice_date,
            due_date_value=due_date or invoice_date,
            amount_total=total,
            currency_id=currency.id,
            days_early=days_early,
            invoice_name=invoice.name if invoice else False,
            not_before=invoice.state != "posted" and self._get_issue_not_before(occurrence_date, today, schedules),
            summary=summary,
        )

    def _get_due_date(self, invoice_date, totals):
        """The due date Odoo gives an invoice of these totals dated invoice_date (see _prepare_invoice_vals)."""
        if not self.payment_term_id:
            return invoice_date
        terms = self.payment_term_id._compute_terms(
            date_ref=invoice_date,
            currency=self.currency_id,
            company=self.company_id,
            tax_amount=totals["tax_amount"],
            tax_amount_currency=totals["tax_amount_currency"],
            sign=1,
            untaxed_amount=totals["base_amount"],
            untaxed_amount_currency=totals["base_amount_currency"],
        )
        return max(line["date"] for line in terms["line_ids"])

    def _is_issued_early(self, occurrence_date, today, schedules=None):
        """Whether the invoice of that occurrence would be issued before its (working) date."""
        return self._get_working_date(occurrence_date, schedules) > today

    def _get_issue_not_before(self, occurrence_date, today, schedules=None):
        """The first day a person may issue the invoice of that occurrence when it is after today, else False.

        Billing ahead is bounded by the company's "Bill at most N periods ahead": at most the N-th
        occurrence after the one today falls in, so an occurrence may be issued from the day of the N-th
        occurrence before it (its own working day when N is 0).
        """
        self.ensure_one()
        if not self._is_issued_early(occurrence_date, today, schedules):
            return False
        ahead = self.company_id.recurring_invoice_periods_ahead
        if ahead <= 0:
            return self._get_working_date(occurrence_date, schedules)
        # The occurrences still to come before it: at most N-1 of them, and it is within N periods.
        between = self._get_nominal_dates(today + timedelta(days=1), occurrence_date - timedelta(days=1))
        return between[-ahead] if len(between) >= ahead else False

    def _get_too_early_refusal(self, occurrence_date, not_before):
        """Why the invoice of that occurrence cannot be issued yet, even confirmed: the first day it may be."""
        values = {
            "name": self.name,
            "occurrence": format_date(self.env, occurrence_date),
            "not_before": format_date(self.env, not_before),
            "periods": self.company_id.recurring_invoice_periods_ahead,
        }
        if self.move_type == "in_invoice":
            return self.env._(
                "The bill of “%(name)s” for %(occurrence)s cannot be issued before %(not_before)s: the Invoicing "
                "setting “Bill at most N periods ahead” is %(periods)s. "
                "Nothing was issued.",
                **values,
            )
        return self.env._(
            "The invoice of “%(name)s” for %(occurrence)s cannot be issued before %(not_before)s: the Invoicing "
            "setting “Bill at most N periods ahead” is %(periods)s. "
            "Nothing was issued.",
            **values,
        )

    def _get_early_refusal(self, occurrence_date):
        info = self._get_issue_info(occurrence_date)
        values = {
            "name": self.name,
            "occurrence": info["occurrence"],
            "period": info["period"],
            "total": info["total"],
            "days": info["days_early"],
        }
        if self.move_type == "in_invoice":
            return self.env._(
                "The bill of “%(name)s” for %(occurrence)s (period %(period)s, %(total)s) is not due until "
                "%(occurrence)s, %(days)s days from now: nothing was issued. To issue it early, press “Issue bill” "
                "on its activity or “Issue next bill” on the recurring bill and confirm.",
                **values,
            )
        return self.env._(
            "The invoice of “%(name)s” for %(occurrence)s (period %(period)s, %(total)s) is not due until "
            "%(occurrence)s, %(days)s days from now: nothing was issued. To issue it early, press “Issue invoice” "
            "on its activity or “Issue next invoice” on the recurring invoice and confirm.",
            **values,
        )

    def _check_can_issue(self, dates_by_template, existing):
        """Raise a UserError naming the template or invoice that a person cannot issue now.

        existing: {(template id, date): invoice} of the occurrences that have an invoice.
        """
        today = self._get_today()
        schedules = WorkingSchedules()
        early_confirmed = self.env.context.get(ISSUE_EARLY)
        for template, dates in dates_by_template.items():
            if not template.active:
                raise UserError(self.env._("“%s” is archived: nothing is issued from it.", template.name))
            if template.paused:
                raise UserError(self.env._("“%s” is paused: resume it to issue its invoices.", template.name))
            for occurrence_date in dates:
                invoice = existing.get((template.id, occurrence_date))
                if invoice and invoice.state == "cancel":
                    raise UserError(
                        self.env._(
                            "The invoice %s of this date is cancelled: reset it to draft to issue it.",
                            invoice.display_name,
                        )
                    )
                if invoice and invoice.state == "posted":
                    continue
                if not invoice and not template._get_nominal_dates(occurrence_date, occurrence_date):
                    raise UserError(
                        self.env._(
                            "“%(name)s” has no occurrence on %(date)s%(ended)s: nothing was issued.",
                            name=template.name,
                            date=format_date(self.env, occurrence_date),
                            ended=self.env._(" (it has ended)") if template.state == "ended" else "",
                        )
                    )
                # However confirmed: billing ahead is bounded (the scheduled action never bills ahead).
                not_before = template._get_issue_not_before(occurrence_date, today, schedules)
                if not_before:
                    raise UserError(template._get_too_early_refusal(occurrence_date, not_before))
                if invoice:
                    continue
                if not early_confirmed and template._is_issued_early(occurrence_date, today, schedules):
                    raise UserError(template._get_early_refusal(occurrence_date))

    # ------------------------------------------------------------------
    # Issue: post the invoice of an occurrence, creating it if needed
    # ------------------------------------------------------------------
    def _issue_occurrences(self, dates_by_template):
        """Post the invoices of {template: [dates]}, creating the missing ones; returns them.

        The templates are locked first, so that a scheduled action working on them finishes
        (or waits) and both never create the same invoice; the unique index has the last word.
        Raises a UserError saying why when one of them cannot be issued: nothing is posted then.
        Templates set to post and send have their invoices sent by e-mail, whoever issues them.
        """
        templates = self.browse([t.id for t in dates_by_template])
        templates.check_access("write")
        templates._lock_for_issue()
        all_dates = {d for dates in dates_by_template.values() for d in dates}
        existing = self.env["account.move"].search(
            [("recurring_invoice_id", "in", templates.ids), ("recurring_date", "in", list(all_dates))]
        )
        by_occurrence = {(m.recurring_invoice_id.id, m.recurring_date): m for m in existing}
        self._check_can_issue(dates_by_template, by_occurrence)
        missing = {
            template: [d for d in dates if (template.id, d) not in by_occurrence]
            for template, dates in dates_by_template.items()
        }
        created, failures, conflicts = self._create_invoices(
            {t: dates for t, dates in missing.items() if dates}, finalize=False, issue_date=self._get_today()
        )
        if failures:
            template, error = next(iter(failures.items()))
            reason = error.args[0] if isinstance(error, UserError) else str(error)
            raise UserError(
                self.env._("The invoice of “%(name)s” cannot be issued: %(reason)s", name=template.name, reason=reason)
            ) from error
        if conflicts:
            raise UserError(self.env._("This invoice was just created by someone else: reload the page and retry."))
        invoices = existing | created
        to_post = invoices.filtered(lambda m: m.state == "draft")
        to_post.action_post()
        to_post._recurring_send_if_set()
        return invoices

    def _lock_for_issue(self):
        """Lock these templates until the end of the transaction (a scheduled action locks them too)."""
        self.env.flush_all()
        self.env.cr.execute("SELECT id FROM recurring_invoice WHERE id = ANY(%s) FOR UPDATE", [self.ids])

    def _get_occurrence_to_issue(self):
        """The occurrence "Issue next invoice" issues: the oldest draft still to issue, else the next one."""
        self.ensure_one()
        draft = self._origin.id and self.env["account.move"].search(
            [("recurring_invoice_id", "=", self._origin.id), ("recurring_date", "!=", False), ("state", "=", "draft")],
            order="recurring_date",
            limit=1,
        )
        if draft:
            return draft.recurring_date
        occurrence = self._get_next_invoice_occurrence()
        return occurrence and occurrence[0]

    def action_issue_invoice(self, occurrence_date=None):
        """Issue the invoice of an occurrence (by default the next one to issue) and open the send window.

        Ahead of its date, it opens the confirmation window instead, which says how early it is.
        Its open "Issue invoice" activity is marked done, which is what issues it.
        """
        self.ensure_one()
        occurrence_date = fields.Date.to_date(occurrence_date) or self._get_occurrence_to_issue()
        if not occurrence_date:
            raise UserError(self.env._("“%s” has no date left to invoice.", self.name))
        invoice = self.env["account.move"].search(
            [("recurring_invoice_id", "=", self.id), ("recurring_date", "=", occurrence_date)]
        )
        if invoice.state == "posted":
            raise UserError(self.env._("%s is issued already.", invoice.display_name))
        if (
            not invoice
            and not self.env.context.get(ISSUE_EARLY)
            and self._is_issued_early(occurrence_date, self._get_today())
        ):
            return self._get_issue_confirmation_action(occurrence_date)
        activities = self.env["mail.activity"].search(
            [*self._get_generated_activity_domain(), ("recurring_date", "=", occurrence_date)]
        )
        if activities:
            activities.action_feedback()
            invoice = self.env["account.move"].search(
                [("recurring_invoice_id", "=", self.id), ("recurring_date", "=", occurrence_date)]
            )
        else:
            invoice = self._issue_occurrences({self: [occurrence_date]})
        return invoice._get_recurring_send_action()

    def _get_issue_confirmation_action(self, occurrence_date, activity=None):
        """The window that shows what the invoice of that occurrence bills, to confirm before it is posted."""
        self.ensure_one()
        invoice = self.env["account.move"].search(
            [("recurring_invoice_id", "=", self.id), ("recurring_date", "=", occurrence_date)]
        )
        # What would be refused once confirmed is refused now (how early is what the window is for).
        self.with_context(**{ISSUE_EARLY: True})._check_can_issue(
            {self: [occurrence_date]}, {(self.id, occurrence_date): invoice} if invoice else {}
        )
        wizard = self.env["recurring.invoice.issue"].create(
            {
                "recurring_invoice_id": self.id,
                "occurrence_date": occurrence_date,
                "activity_id": activity and activity.id,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Issue bill") if self.move_type == "in_invoice" else self.env._("Issue invoice"),
            "res_model": wizard._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

# Part of recurring_invoices. License LGPL-3.
"""The scheduled action that creates the due invoices, exactly once, safely on several workers.

Per company (today is the company's date), in batches that commit: the due templates of a
batch are taken with ``FOR UPDATE SKIP LOCKED`` so that parallel workers share the work,
their invoices are created with one ``account.move.create`` (each template alone in its own
savepoint when the batch fails), and the unique index on (template, occurrence) has the last
word. A failing template is reported and retried on the next run; the others go on.
"""

import logging
from itertools import islice, takewhile

import psycopg2

from odoo import api, models
from odoo.addons.recurring_interactions.models.series_compat import report_cron_progress
from odoo.addons.recurring_interactions.models.working_schedule import WorkingSchedules
from odoo.exceptions import UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

_logger = logging.getLogger(__name__)

BATCH_SIZE = 100
MAX_LOCK_ATTEMPTS = 5
# Occurrences of one template invoiced per batch: a long catch-up goes on in the next batches.
MAX_CATCH_UP = 31


class RecurringInvoice(models.Model):
    _inherit = "recurring.invoice"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _cron_create_invoices(self, batch_size=BATCH_SIZE):
        """Create the invoices of every occurrence due up to today (in each company's time zone)."""
        done = 0
        # Holidays added since the next invoice dates were computed move them: recompute those on working days.
        self.env.add_to_compute(self._fields["next_invoice_date"], self.search([("non_working_days", "!=", "keep")]))
        if self._use_queue_jobs():
            # Planned here, before the jobs exist: the invoicing jobs write the same templates.
            self._cron_extend_horizon(as_jobs=False)
            self._cron_remind_renewals()
            self._cron_refresh_recurring_revenue()
            self._cron_charge_invoices()
            done = self._enqueue_invoicing_jobs(batch_size)
            report_cron_progress(self.env, done, done, 0, commit=False)
            return done
        # Templates left for the next run (failed, or raced by another worker): never twice in a run.
        left = set()
        companies = self.env["res.company"].sudo().search([])
        for company in companies:
            today = self._get_today(company)
            retries = 0
            while True:
                templates = self._lock_due_templates(company, today, batch_size, left)
                if not templates:
                    break
                try:
                    invoiced = templates.with_company(company)._invoice_due_occurrences(today)
                except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                    # Another transaction doomed this batch (a serialization failure, a lock timeout), not its
                    # templates: roll it back, the batches committed stay, and run it again on a fresh snapshot.
                    retries += 1
                    if retries >= MAX_LOCK_ATTEMPTS or not self._can_commit():
                        raise
                    _logger.info(
                        "A batch of %s recurring invoices met a concurrent update: retrying it", len(templates)
                    )
                    self.env.cr.rollback()
                    continue
                retries = 0
                left.update((templates - invoiced).ids)
                done += len(templates)
                # Committed batch by batch, so that a later failure or a kill keeps it (and frees its locks).
                remaining = self._count_due_templates(company, today, left)
                report_cron_progress(self.env, len(templates), done, remaining, commit=self._can_commit())
        # Invoices posted but not charged yet (a run stopped in between) or refused on a previous day.
        self._cron_charge_invoices()
        # Open-ended templates keep their "Issue invoice" activities planned up to the horizon.
        self._cron_extend_horizon()
        self._cron_remind_renewals()
        # Today's rates and the rules ended since yesterday change the recurring revenue.
        self._cron_refresh_recurring_revenue()
        report_cron_progress(self.env, 0, done, 0, commit=False)
        return done

    def _due_templates_where(self, company, today, excluded, among=None):
        query = """
            FROM recurring_invoice
           WHERE company_id = %s
             AND active
             AND paused IS NOT TRUE
             AND next_invoice_date <= %s
             AND NOT (id = ANY(%s))
        """
        params = [company.id, today, list(excluded)]
        if among is not None:
            query += " AND id = ANY(%s)"
            params.append(list(among))
        return query, params

    def _lock_due_templates(self, company, today, limit, excluded, among=None):
        """The next due templates (of ``among`` when given) that no other worker holds, locked until
        the batch commits."""
        self.flush_model(["active", "paused", "next_invoice_date", "company_id"])
        where, params = self._due_templates_where(company, today, excluded, among)
        query = f"SELECT id {where} ORDER BY next_invoice_date, id LIMIT %s FOR UPDATE SKIP LOCKED"
        for attempt in range(MAX_LOCK_ATTEMPTS):
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(query, [*params, limit])
                    ids = [row[0] for row in self.env.cr.fetchall()]
                return self.browse(ids)
            except psycopg2.errors.SerializationFailure:
                # Another worker committed a template of ours after this transaction's snapshot was
                # taken. Nothing is pending here (the previous batch is committed): start afresh.
                if attempt == MAX_LOCK_ATTEMPTS - 1 or not self._can_commit():
                    raise
                self.env.cr.rollback()
        return self.browse()

    def _count_due_templates(self, company, today, excluded):
        self.flush_model(["active", "paused", "next_invoice_date", "company_id"])
        where, params = self._due_templates_where(company, today, excluded)
        self.env.cr.execute(f"SELECT COUNT(*) {where}", params)
        return self.env.cr.fetchone()[0]

    def _get_due_dates(self, today, schedules=None):
        """The occurrences not invoiced yet whose invoice date is today or before, at most MAX_CATCH_UP of
        them (the rest in the next batch): their nominal dates, which a working day may put after today."""
        self.ensure_one()
        if not self.next_invoice_date or self.next_invoice_date > today:
            return []
        occurrences = self._iter_occurrences(self._get_first_uninvoiced_date(), schedules)
        due = takewhile(lambda occurrence: occurrence[1] <= today, occurrences)
        return [nominal for nominal, _invoice_date in islice(due, MAX_CATCH_UP)]

    def _invoice_due_occurrences(self, today):
        """Create the invoices of the due occurrences of these templates; returns the templates done."""
        dates_by_template, failures = {}, {}
        # One reading of each working schedule's days off for the batch, not one per template.
        schedules = WorkingSchedules()
        for template in self:
            try:
                dates = template._get_due_dates(today, schedules)
            except (UserError, ValidationError) as error:
                failures[template] = error
                continue
            if dates:
                dates_by_template[template] = dates
        if dates_by_template:
            first = min(dates[0] for dates in dates_by_template.values())
            last = max(dates[-1] for dates in dates_by_template.values())
            existing = self._get_existing_occurrences(first, last)
        else:
            existing = set()
        todo = {
            template: [d for d in dates if (template.id, d) not in existing]
            for template, dates in dates_by_template.items()
        }
        _moves, create_failures, conflicts = self._create_invoices(todo)
        failures.update(create_failures)
        invoiced = self.browse([t.id for t in dates_by_template if t not in failures and t not in conflicts])
        for template in invoiced:
            template.last_invoiced_date = dates_by_template[template][-1]
        if failures:
            self.browse([t.id for t in failures])._report_failures(failures)
        return invoiced

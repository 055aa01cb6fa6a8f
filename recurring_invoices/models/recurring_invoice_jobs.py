# Part of recurring_invoices. License LGPL-3.
"""The daily invoicing as OCA queue_job jobs, when queue_job is installed and the setting is on.

The scheduled action only reads the due templates and queues a job per company and batch of them
(see ``recurring.activity.generator._use_queue_jobs``); the job runner hands the jobs to every
worker of every server. Each job takes its templates that are still due with ``FOR UPDATE SKIP
LOCKED`` (those another worker holds are that worker's), creates their invoices in one transaction
and is retried by queue_job when it fails; the unique index on (template, occurrence) has the last word.
"""

from odoo import fields, models
from odoo.exceptions import UserError


class RecurringInvoice(models.Model):
    _inherit = "recurring.invoice"  # pylint: disable=consider-merging-classes-inherited

    invoicing_job_uuid = fields.Char(
        string="Invoicing Job",
        copy=False,
        readonly=True,
        help="The job (OCA Job Queue) that created this template's last invoices, when a job did.",
    )

    def _enqueue_invoicing_jobs(self, batch_size):
        """Queue a job per company and batch of due templates; returns the templates queued."""
        queued = 0
        self.flush_model(["active", "paused", "next_invoice_date", "company_id"])
        for company in self.env["res.company"].sudo().search([]):
            today = self._get_today(company)
            day = fields.Date.to_string(today)
            where, params = self._due_templates_where(company, today, ())
            self.env.cr.execute(f"SELECT id {where} ORDER BY next_invoice_date, id", params)
            ids = [row[0] for row in self.env.cr.fetchall()]
            for start in range(0, len(ids), batch_size):
                batch = self.browse(ids[start : start + batch_size])
                description = self.env._(
                    "Recurring invoices: %(company)s, %(count)s templates due %(date)s",
                    company=company.name,
                    count=len(batch),
                    date=day,
                )
                batch._delay(description)._job_create_invoices(day)
            queued += len(ids)
        return queued

    def _job_create_invoices(self, day):
        """Job: the invoices of these templates' occurrences due up to ``day``; returns a summary."""
        today = fields.Date.to_date(day)
        batch = self.exists()  # a template deleted since it was queued is not invoiced
        company = batch.company_id[:1]
        templates = batch._lock_due_templates(company, today, len(batch), (), among=batch.ids) if batch else batch
        todo, invoiced = templates, self.browse()
        # Every due occurrence, a long catch-up included (the scheduled action takes a few per batch).
        while todo:
            done = todo.with_company(company)._invoice_due_occurrences(today)
            invoiced |= done
            todo = done.filtered(lambda t: t.next_invoice_date and t.next_invoice_date <= today)
        invoiced.invoicing_job_uuid = self.env.context.get("job_uuid")
        return self.env._(
            "%(invoiced)s templates invoiced, %(failed)s failed (reported on them), %(other)s not due "
            "or taken by another worker.",
            invoiced=len(invoiced),
            failed=len(templates - invoiced),
            other=len(self) - len(templates),
        )

    def action_open_invoicing_job(self):
        """The job that created this template's last invoices."""
        self.ensure_one()
        self.check_access("read")
        if "queue.job" not in self.env or not self.invoicing_job_uuid:
            raise UserError(
                self.env._("No job has invoiced “%s”: its invoices were made without Job Queue.", self.name)
            )
        # Job Queue's own access rules decide who may read its jobs.
        job = self.env["queue.job"].search([("uuid", "=", self.invoicing_job_uuid)], limit=1)
        if not job:
            raise UserError(
                self.env._("The job that invoiced “%s” is no longer kept: Job Queue removes done jobs.", self.name)
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "queue.job",
            "res_id": job.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

# Part of recurring_interactions. License LGPL-3.
"""The daily run spread over the workers of several servers with OCA queue_job, when installed.

Odoo runs one scheduled action on one worker at a time. With ``queue_job`` installed (it is no
dependency) and the setting on, the scheduled actions only split their work into jobs, which the
job runner hands to every worker of every server; each job is one transaction that queue_job
retries when it fails. ``identity_key`` keeps a second trigger from queuing a batch that still
waits; a batch already running is guarded by the row locks and unique indexes the work takes.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import str2bool

# Records of one filter recurrence planned per job: its records, not its recurrences, are many.
RECORDS_PER_JOB = 1000


class RecurringActivityGenerator(models.AbstractModel):
    _inherit = "recurring.activity.generator"

    @api.model
    def _use_queue_jobs(self):
        """Whether the daily run goes through queue_job: installed here, the setting on, not in a job."""
        if "queue.job" not in self.env or self.env.context.get("job_uuid"):
            return False
        param = self.env["ir.config_parameter"].sudo().get_param("recurring_interactions.use_queue_job")
        return str2bool(param or "False", default=False)

    def _delay(self, description):
        """These records' next method call as a job, queued once while an identical one waits."""
        from odoo.addons.queue_job.job import identity_exact  # pylint: disable=import-outside-toplevel

        return self.with_delay(description=description, identity_key=identity_exact)

    def _get_job_record_ranges(self):
        """Ranges (after id, up to id or None) of target records planned by separate jobs, or [None]."""
        self.ensure_one()
        return [None]

    def _enqueue_horizon_jobs(self, batch_size):
        """Queue the daily planning of these recurrences: a job per batch of them, per company, and a
        job per range of records for a recurrence over many. Returns the jobs queued."""
        jobs = 0
        for company, recurrences in self.grouped("company_id").items():
            today = self._get_today(company)
            day = fields.Date.to_string(today)
            batches, whole = [], []
            for recurrence in recurrences:
                try:
                    ranges = recurrence._get_job_record_ranges()
                except (AccessError, ValidationError):
                    # A job of its own, which fails alone and says why: the batches run.
                    batches.append(recurrence.ids)
                    continue
                if ranges == [None]:
                    whole.append(recurrence.id)
                    continue
                # The ranges' jobs leave the recurrence itself alone (no two of them write it).
                recurrence.generated_until = recurrence._get_plan_end(today) or today
                for index, id_range in enumerate(ranges, start=1):
                    description = self.env._(
                        "Recurring activities: “%(name)s”, records part %(part)s of %(parts)s, from %(date)s",
                        name=recurrence.display_name,
                        part=index,
                        parts=len(ranges),
                        date=day,
                    )
                    recurrence._delay(description)._job_extend_horizon(day, id_range)
                    jobs += 1
            batches += [whole[start : start + batch_size] for start in range(0, len(whole), batch_size)]
            for ids in batches:
                description = self.env._(
                    "Recurring activities: %(company)s, %(count)s recurrences planned from %(date)s",
                    company=company.name,
                    count=len(ids),
                    date=day,
                )
                self.browse(ids)._delay(description)._job_extend_horizon(day)
                jobs += 1
        return jobs

    def _job_extend_horizon(self, day, id_range=None):
        """Job: plan these recurrences from ``day`` as the daily run does (only their records in
        ``id_range``, when given)."""
        records = self.exists().with_context(recurring_res_id_range=tuple(id_range) if id_range else None)
        created, removed, moved = records._reconcile_activities(today=fields.Date.to_date(day), extend_only=True)
        return self.env._(
            "%(created)s activities created, %(removed)s removed, %(moved)s moved.",
            created=created,
            removed=removed,
            moved=moved,
        )

"""What one queue_job job of the daily invoicing does, called as queue_job calls it (the job method on
its batch of templates), in the main test database, which has no queue_job: both addons run without it,
and the job method itself needs none of it. The real job runner, workers and kill are in
test_recurring_queue_job.py."""

from datetime import date

from dateutil.rrule import DAILY, rrule
from freezegun import freeze_time

from odoo.exceptions import UserError

from .test_recurring_invoice import RecurringInvoiceCase


class TestInvoicingJob(RecurringInvoiceCase):
    def _occurrences(self, template):
        moves = self.env["account.move"].search([("recurring_invoice_id", "=", template.id)])
        return sorted(moves.mapped("recurring_date"))

    def test_a_job_invoices_every_due_date_of_its_batch_once(self):
        with freeze_time("2026-03-10"):
            # 40 days behind: more than the scheduled action takes per batch (31), all in the job.
            late = self._template(name="Late daily", rrule_type="daily", date_start=date(2026, 1, 30))
            monthly = self._template(name="Monthly")
            ahead = self._template(name="Not due yet", date_start=date(2026, 4, 1))
            gone = self._template(name="Deleted since queued")
            batch = late | monthly | ahead | gone
            gone_id = gone.id
            gone.unlink()
            self.assertFalse(self.Template._use_queue_jobs(), "no queue_job in this database: the plain run")

            summary = self.Template.browse(batch.ids)._job_create_invoices("2026-03-10")

            expected = [dt.date() for dt in rrule(DAILY, dtstart=date(2026, 1, 30), until=date(2026, 3, 10))]
            self.assertEqual(len(expected), 40)
            self.assertEqual(self._occurrences(late), expected)
            self.assertEqual(self._occurrences(monthly), [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)])
            self.assertEqual(self._occurrences(ahead), [])
            self.assertFalse(self.env["account.move"].search_count([("recurring_invoice_id", "=", gone_id)]))
            self.assertEqual(
                summary, "2 templates invoiced, 0 failed (reported on them), 2 not due or taken by another worker."
            )
            # The same job run again (queue_job retries a job whose worker died): nothing twice.
            again = self.Template.browse(batch.ids)._job_create_invoices("2026-03-10")
            self.assertEqual(len(self._occurrences(late)), 40)
            self.assertEqual(len(self._occurrences(monthly)), 3)
            self.assertTrue(again.startswith("0 templates invoiced"), again)

    def test_the_template_names_its_job_only_when_a_job_invoiced_it(self):
        with freeze_time("2026-03-10"):
            template = self._template()
            with self.assertRaisesRegex(UserError, "made without Job Queue"):
                template.action_open_invoicing_job()
            template.with_context(job_uuid="5f0c-job")._job_create_invoices("2026-03-10")
            self.assertEqual(template.invoicing_job_uuid, "5f0c-job")

"""Renewal: a template whose rule ends gives its responsible one to-do before its last invoice, and shows
as ended once it has none left; the forecast stops at its end."""

import ast

from freezegun import freeze_time
from lxml import etree

from .test_recurring_invoice import RecurringInvoiceCase, d


class TestRenewal(RecurringInvoiceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.todo_type = cls.env.ref("mail.mail_activity_data_todo")

    def _renewal_todos(self, template):
        return template.activity_ids.filtered(lambda a: a.activity_type_id == self.todo_type)

    def test_one_renewal_todo_before_the_last_invoice(self):
        with freeze_time("2026-01-01"):
            # Six months: the last invoice on 1 June, the to-do 30 days before, on 2 May.
            template = self._template(end_type="count", count=6)
            self.assertEqual(template.final_invoice_date, d("2026-06-01"))
            self.assertEqual(template.renewal_date, d("2026-05-02"))
        with freeze_time("2026-05-01"):
            self._cron()
            self.assertFalse(self._renewal_todos(template))
        with freeze_time("2026-05-02"):
            self._cron()
            todo = self._renewal_todos(template)
            self.assertEqual(len(todo), 1)
            self.assertEqual(todo.user_id, template.user_id)
            self.assertEqual(todo.date_deadline, d("2026-05-02"))
            self.assertEqual(todo.summary, "Renew or let it end")
            self.assertIn("06/01/2026", str(todo.note))
            self._cron()
            self.assertEqual(self._renewal_todos(template), todo, "once")
            todo.action_done()
        with freeze_time("2026-05-20"):
            self._cron()
            self.assertFalse(self._renewal_todos(template), "a to-do marked done does not come back")
            # Renewed for six more months: a new end, a new to-do when its day comes.
            template.count = 12
            self.assertEqual(template.final_invoice_date, d("2026-12-01"))
            self._cron()
            self.assertFalse(self._renewal_todos(template))
        with freeze_time("2026-11-01"):
            self._cron()
            self.assertEqual(self._renewal_todos(template).date_deadline, d("2026-11-01"))

    def test_reminder_days_and_templates_without_end(self):
        with freeze_time("2026-03-01"):
            notice = self._template(name="Two months' notice", end_type="end_date", until=d("2026-06-30"))
            notice.renewal_reminder_days = 60
            forever = self._template(name="Forever")
            paused = self._template(name="Paused", end_type="count", count=3)
            paused.action_pause()
            self._cron()
            # Last invoice 1 June, 60 days before is 2 April: not yet.
            self.assertEqual(notice.renewal_date, d("2026-04-02"))
            self.assertFalse(self._renewal_todos(notice))
            self.assertFalse(forever.final_invoice_date)
            self.assertFalse(self._renewal_todos(forever))
            self.assertFalse(self._renewal_todos(paused), "a paused template is not reminded")
        with freeze_time("2026-04-02"):
            self._cron()
            self.assertEqual(len(self._renewal_todos(notice)), 1)
            self.assertFalse(self._renewal_todos(forever))

    def test_ended_templates_show_as_such(self):
        with freeze_time("2026-02-01"):
            ended = self._template(name="Ended", end_type="count", count=2)
            running = self._template(name="Running", end_type="count", count=3)
            paused = self._template(name="Paused")
            paused.action_pause()
            self.assertEqual(ended.state, "running")
            self._cron()
            self.assertEqual(ended.invoice_ids.mapped("recurring_date"), [d("2026-01-01"), d("2026-02-01")])
            self.assertEqual(ended.state, "ended")
            self.assertFalse(ended.next_invoice_date)
            self.assertEqual(running.state, "running")
            self.assertEqual(paused.state, "paused")
            ours = ended | running | paused
            for name, expected in (("filter_ended", ended), ("filter_running", running), ("filter_paused", paused)):
                self.assertEqual(self._search_with_filter(name, ours), expected, name)
            forecast = self.env["recurring.invoice.forecast"].search([("recurring_invoice_id", "in", ours.ids)])
            self.assertFalse(forecast.filtered(lambda row: row.recurring_invoice_id == ended))

    def test_forecast_stops_at_the_end(self):
        with freeze_time("2026-01-10"):
            template = self._template(date_start=d("2026-02-01"), end_type="end_date", until=d("2026-06-15"))
            rows = self.env["recurring.invoice.forecast"].search([("recurring_invoice_id", "=", template.id)])
            self.assertEqual(
                rows.mapped("date"),
                [d("2026-02-01"), d("2026-03-01"), d("2026-04-01"), d("2026-05-01"), d("2026-06-01")],
            )
            self.assertEqual(template.final_invoice_date, d("2026-06-01"))

    def test_in_arrears_the_last_invoice_is_the_last_date(self):
        template = self._template(invoicing_type="in_arrears", end_type="count", count=3)
        self.assertEqual(template.final_invoice_date, d("2026-03-01"))
        single = self._template(invoicing_type="in_arrears", end_type="count", count=1)
        self.assertFalse(single.final_invoice_date, "one date opens a period and bills nothing")
        self.assertEqual(single.state, "ended")

    def _search_with_filter(self, name, among):
        """The templates among `among` that a filter of the search view keeps."""
        view = self.Template.get_view(self.env.ref("recurring_invoices.recurring_invoice_view_search").id, "search")
        domain = etree.fromstring(view["arch"]).xpath(f"//filter[@name='{name}']")[0].get("domain")
        return self.Template.search([*ast.literal_eval(domain), ("id", "in", among.ids)])

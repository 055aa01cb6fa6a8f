"""Working days (R9) of recurring invoices: dated on working days and created exactly once, whatever holidays
do afterwards. The oracle's schedule and its weekdays: test_working_days.py."""

from freezegun import freeze_time

from .test_recurring_invoice import RecurringInvoiceCase
from .test_working_days import NewYearScheduleMixin, add_holiday, d, days


class TestWorkingDayInvoices(NewYearScheduleMixin, RecurringInvoiceCase):
    """Invoices are dated on working days and created exactly once, whatever holidays do afterwards."""

    def _invoices(self, template):
        return {m.recurring_date: m.invoice_date for m in template.invoice_ids}

    def test_invoices_on_working_days_exactly_once_also_after_a_holiday_is_added(self):
        template = self._template(
            date_start=d("2026-12-01"),
            **self._on_working_days("next"),
        )
        with freeze_time("2027-01-01"):  # New Year's Day: January's invoice waits for Monday 4
            self._cron()
            self.assertEqual(self._invoices(template), {d("2026-12-01"): d("2026-12-01")})
            self.assertEqual(template.next_invoice_date, d("2027-01-04"))
        with freeze_time("2027-01-04"):
            self._cron()
            self.assertEqual(self._invoices(template)[d("2027-01-01")], d("2027-01-04"))
        # A holiday added on Monday 1 February, before its invoice: it is dated Tuesday 2.
        add_holiday(self.schedule, "2027-02-01")
        with freeze_time("2027-02-01"):
            self._cron()
            self.assertEqual(len(template.invoice_ids), 2)
        with freeze_time("2027-02-02"):
            self._cron()
        # Holidays added on days already invoiced: nothing is invoiced twice.
        add_holiday(self.schedule, "2027-01-04")
        add_holiday(self.schedule, "2027-02-02")
        with freeze_time("2027-02-03"):
            self._cron()
            template.action_generate()
        self.assertEqual(
            self._invoices(template),
            {d("2026-12-01"): d("2026-12-01"), d("2027-01-01"): d("2027-01-04"), d("2027-02-01"): d("2027-02-02")},
        )
        self.assertEqual(template.next_invoice_date, d("2027-03-01"))

    def test_previous_working_day_is_invoiced_that_day_and_once(self):
        template = self._template(
            date_start=d("2027-05-01"),
            **self._on_working_days("previous"),
        )
        self.assertEqual(template.next_invoice_date, d("2027-04-30"))
        with freeze_time("2027-04-30"):  # Friday, for Saturday 1 May
            self._cron()
        self.assertEqual(self._invoices(template), {d("2027-05-01"): d("2027-04-30")})
        add_holiday(self.schedule, "2027-04-30")  # now due on Thursday 29: already invoiced
        with freeze_time("2027-05-03"):
            self._cron()
        self.assertEqual(self._invoices(template), {d("2027-05-01"): d("2027-04-30")})

    @freeze_time("2026-11-15")
    def test_issue_activities_and_forecast_on_working_days(self):
        # January is two periods ahead of today (15 November): a company that bills two periods ahead.
        self.env.company.recurring_invoice_periods_ahead = 2
        template = self._template(
            date_start=d("2026-12-01"),
            end_type="count",
            count=6,
            **self._on_working_days("next"),
        )
        template.action_generate()
        activities = self._activities(template)
        nominal = days("2026-12-01", "2027-01-01", "2027-02-01", "2027-03-01", "2027-04-01", "2027-05-01")
        working = days("2026-12-01", "2027-01-04", "2027-02-01", "2027-03-01", "2027-04-01", "2027-05-03")
        self.assertEqual(activities.mapped("recurring_date"), nominal)
        self.assertEqual(activities.mapped("date_deadline"), working)
        forecast = self.env["recurring.invoice.forecast"].search([("recurring_invoice_id", "=", template.id)])
        self.assertEqual(forecast.mapped("date"), working)
        # Issued from its activity ahead of time, January's invoice is dated today, never later.
        january = activities.filtered(lambda a: a.recurring_date == d("2027-01-01"))
        confirmation = january.action_issue_recurring_invoice()
        self.env[confirmation["res_model"]].browse(confirmation["res_id"]).action_issue()
        self.assertEqual(self._invoices(template), {d("2027-01-01"): d("2026-11-15")})

"""Issue 27, money: billing ahead is bounded, one date everywhere, and every Done button of the web client asks.

The user's view: "Issue next invoice" pressed again and again bills at most the next period (a company
setting allows more), the scheduled action never bills ahead, the confirmation window, the Preview and the
posted invoice carry one invoice date, and My Activities' "Done" shows what it bills before posting.
"""

import base64

from dateutil.rrule import MONTHLY, rrule
from freezegun import freeze_time

from odoo.addons.recurring_invoices.models.mail_activity import REVIEW_BEFORE_ISSUE
from odoo.addons.recurring_invoices.models.recurring_invoice_issue import ISSUE_EARLY
from odoo.exceptions import UserError, ValidationError

from .test_recurring_bill import RecurringBillCase
from .test_recurring_invoice import d
from .test_recurring_invoice_issue import IssueCase

# What the web client's "Done" buttons of My Activities and of the activity form send (see mail_activity_views.xml).
BUTTON_CONTEXT = {REVIEW_BEFORE_ISSUE: True}


def monthly_first_days(start, count):
    """The oracle of the periods: dateutil's own expansion of "monthly on the 1st"."""
    return [dt.date() for dt in rrule(MONTHLY, dtstart=d(start), bymonthday=1, count=count)]


class TestBillingAheadIsBounded(IssueCase):
    def _issue_next(self, template):
        """Press "Issue next invoice" and, when the confirmation window opens, "Issue early" in it."""
        action = template.action_issue_invoice()
        if action.get("res_model") == "recurring.invoice.issue":
            action = self._confirm(action)
        return action

    def test_issue_next_invoice_three_times_the_third_is_refused(self):
        december, january, february = monthly_first_days("2026-12-01", 3)
        with freeze_time("2026-12-10"):
            template = self._planned(start="2026-12-01")
            self._issue_next(template)  # December: its date has come
            self._issue_next(template)  # January: the next period, confirmed early
            self.assertEqual(sorted(template.invoice_ids.mapped("recurring_date")), [december, january])
            template.invalidate_recordset()
            self.assertEqual(template.next_issue_occurrence, february)
            self.assertEqual(template.next_issue_not_before, january, "the form says when it may be issued")
            with self.assertRaises(UserError) as refusal:
                template.action_issue_invoice()
            message = refusal.exception.args[0]
            self.assertIn("cannot be issued before 01/01/2027", message)
            self.assertIn("“Bill at most N periods ahead” is 1.", message)
            self.assertIn("Nothing was issued", message)
            # Confirmed or not, from the template or its activity, the window or the popover: refused alike.
            activity = self._activity(template, "2027-02-01")
            refusals = {
                "confirmed template": lambda: template.with_context(**{ISSUE_EARLY: True}).action_issue_invoice(),
                "activity button": activity.action_issue_recurring_invoice,
                "activity confirmed": lambda: activity.action_issue_recurring_invoice(confirm_early=True),
                "activity review": activity.action_review_recurring_invoice,
                "script feedback confirmed": lambda: activity.with_context(**{ISSUE_EARLY: True}).action_feedback(),
                "My Activities Done": activity.with_context(**BUTTON_CONTEXT).action_done,
            }
            for path, press in refusals.items():
                with self.subTest(path=path), self.assertRaisesRegex(UserError, "cannot be issued before 01/01/2027"):
                    press()
            popover = activity.get_recurring_invoice_issue_info()
            self.assertIn("cannot be issued before 01/01/2027", popover["error"])
            self.assertEqual(len(template.invoice_ids), 2, "nothing posted by the refusals")
            self.assertTrue(activity.active)
        # Once January has come, February is the next period again.
        with freeze_time("2027-01-01"):
            self._issue_next(template)
            self.assertEqual(template.invoice_ids.sorted("recurring_date")[-1].recurring_date, february)

    def test_the_setting_at_three_allows_it(self):
        dates = monthly_first_days("2026-12-01", 5)
        with freeze_time("2026-12-10"):
            settings = self.env["res.config.settings"].create({"recurring_invoice_periods_ahead": 3})
            settings.execute()
            self.assertEqual(self.env.company.recurring_invoice_periods_ahead, 3)
            template = self._planned(start="2026-12-01")
            for _ in range(4):
                self._issue_next(template)
            self.assertEqual(sorted(template.invoice_ids.mapped("recurring_date")), dates[:4])
            invoices = template.invoice_ids.sorted("recurring_date")
            # December on its own date; the three early ones on the day they were issued.
            self.assertEqual(invoices.mapped("invoice_date"), [d("2026-12-01")] + [d("2026-12-10")] * 3)
            with self.assertRaisesRegex(
                UserError, "for 04/01/2027 cannot be issued before 01/01/2027.*Bill at most N periods ahead” is 3\\."
            ):
                template.action_issue_invoice()

    def test_the_setting_at_zero_bills_nothing_ahead(self):
        with freeze_time("2026-11-25"):
            self.env.company.recurring_invoice_periods_ahead = 0
            template = self._planned(start="2026-12-01")
            with self.assertRaisesRegex(UserError, "cannot be issued before 12/01/2026.*Bill at most N periods ahead” is 0\\."):
                template.action_issue_invoice()
            self.assertFalse(template.invoice_ids)
        with self.assertRaisesRegex(ValidationError, "from 0 to 120"):
            self.env.company.recurring_invoice_periods_ahead = -1

    def test_the_scheduled_action_never_bills_early(self):
        with freeze_time("2026-12-10"):
            self.env.company.recurring_invoice_periods_ahead = 3
            planned = self._planned(start="2026-12-01", invoice_action="post")
            future = self._planned(name="Starts next week", start="2026-12-17", day=17)
            self._cron()
            self._cron()
            self.assertEqual(planned.invoice_ids.mapped("recurring_date"), [d("2026-12-01")])
            self.assertFalse(future.invoice_ids, "its first date has not come")


class TestBillingAheadIsBoundedForBills(RecurringBillCase):
    def test_issue_next_bill_three_times_the_third_is_refused(self):
        with freeze_time("2026-12-10"):
            bill = self._bill(date_start=d("2026-12-01"))
            bill.action_generate()
            self.assertIn("bill date 12/01/2026", bill.next_issue_summary, "a bill's form says bill date")
            bill.action_issue_invoice()
            confirmation = bill.action_issue_invoice()
            self.assertEqual(confirmation["name"], "Issue bill")
            self.env[confirmation["res_model"]].browse(confirmation["res_id"]).action_issue()
            self.assertEqual(len(bill.invoice_ids), 2)
            with self.assertRaises(UserError) as refusal:
                bill.action_issue_invoice()
            message = refusal.exception.args[0]
            self.assertIn("The bill of “Office rent” for 02/01/2027 cannot be issued before 01/01/2027", message)
            self.assertEqual(len(bill.invoice_ids), 2)
            self._cron()
            self.assertEqual(len(bill.invoice_ids), 2, "the scheduled action bills nothing ahead either")


class TestOneDateEverywhere(IssueCase):
    def test_window_preview_and_posted_invoice_carry_one_date(self):
        with freeze_time("2026-12-10"):
            template = self._planned(start="2026-12-01", payment_term_id=self.thirty_days.id)
            template.action_issue_invoice()
            confirmation = template.action_issue_invoice()
            wizard = self._wizard(confirmation)
            self.assertEqual(wizard.occurrence_date, d("2027-01-01"))
            self.assertEqual(wizard.invoice_date, d("2026-12-10"), "issued early, it is dated the day it is issued")
            # The window's Preview is that invoice, dated as the window says, with no "as issued on" note.
            wizard.action_preview()
            preview = self.env["recurring.invoice.preview"].search(
                [("recurring_invoice_id", "=", template.id)], order="id desc", limit=1
            )
            self.assertEqual(preview.invoice_date, d("2026-12-10"))
            # Under tests Odoo renders its reports as HTML (no wkhtmltopdf): the text can be read.
            self.assertTrue(preview.pdf_name.endswith(".html"))
            self.assertIn(b"12/10/2026", base64.b64decode(preview.pdf))
            self.assertNotIn(b"as issued on", base64.b64decode(preview.pdf))
            # The template's own Preview shows January on its own date, and says so.
            template.action_preview()
            own = self.env["recurring.invoice.preview"].search(
                [("recurring_invoice_id", "=", template.id)], order="id desc", limit=1
            )
            self.assertEqual(own.invoice_date, d("2027-01-01"))
            self.assertIn(b"Preview, as issued on 01/01/2027", base64.b64decode(own.pdf))
            self._confirm(confirmation)
            january = template.invoice_ids.filtered(lambda m: m.recurring_date == d("2027-01-01"))
            self.assertEqual(
                (january.state, january.invoice_date, january.invoice_date_due),
                ("posted", wizard.invoice_date, wizard.invoice_date_due),
                "the posted invoice is what the window and its Preview showed",
            )


class TestEveryDoneButtonAsks(IssueCase):
    def test_my_activities_done_opens_the_confirmation_even_on_time(self):
        with freeze_time("2026-12-01"):
            template = self._planned(start="2026-12-01", payment_term_id=self.thirty_days.id)
            december = self._activity(template, "2026-12-01")
            for button in ("action_done", "action_done_schedule_next", "action_done_redirect_to_other"):
                with self.subTest(button=button):
                    action = getattr(december.with_context(**BUTTON_CONTEXT), button)()
                    wizard = self._wizard(action)
                    self.assertEqual(action["name"], "Issue invoice")
                    self.assertEqual(wizard.activity_id, december)
                    self.assertEqual((wizard.period_start, wizard.period_end), (d("2026-12-01"), d("2026-12-31")))
                    self.assertEqual((wizard.invoice_date, wizard.invoice_date_due), (d("2026-12-01"), d("2026-12-31")))
                    self.assertEqual(wizard.amount_total, template.amount_total)
                    self.assertEqual(wizard.days_early, 0)
                    self.assertFalse(template.invoice_ids, "nothing created, nothing posted")
                    self.assertTrue(december.active)
            sent = self._confirm(december.with_context(**BUTTON_CONTEXT).action_done())
            self.assertEqual(self._sent_moves(sent), template.invoice_ids)
            self.assertEqual(template.invoice_ids.state, "posted")
            self.assertFalse(december.active)

    def test_a_draft_of_the_scheduled_action_is_shown_before_it_is_posted(self):
        with freeze_time("2026-12-01"):
            template = self._planned(start="2026-12-01")
            self._cron()
            draft = template.invoice_ids
            december = self._activity(template, "2026-12-01")
            wizard = self._wizard(december.with_context(**BUTTON_CONTEXT).action_done())
            self.assertEqual(wizard.invoice_name, draft.name)
            self.assertEqual(draft.state, "draft")
            self._confirm(december.with_context(**BUTTON_CONTEXT).action_done())
            self.assertEqual((template.invoice_ids, draft.state), (draft, "posted"))

    def test_several_at_once_are_refused_and_nothing_changes(self):
        with freeze_time("2026-12-01"):
            template = self._planned(start="2026-12-01")
            december = self._activity(template, "2026-12-01")
            todo = template.activity_schedule("mail.mail_activity_data_todo", summary="Call")
            with self.assertRaisesRegex(UserError, "mark each"):
                (december | todo).with_context(**BUTTON_CONTEXT).action_done()
            self.assertTrue(december.active)
            self.assertTrue(todo.exists())
            self.assertFalse(template.invoice_ids)

    def test_other_activities_and_scripts_are_done_as_before(self):
        with freeze_time("2026-12-01"):
            template = self._planned(start="2026-12-01")
            todo = template.activity_schedule("mail.mail_activity_data_todo", summary="Call")
            todo.with_context(**BUTTON_CONTEXT).action_done()
            self.assertFalse(todo.exists() and todo.active, "a to-do is done at once")
            # A script (no button context) still issues at once, on its date.
            self._activity(template, "2026-12-01").action_done()
            self.assertEqual(template.invoice_ids.state, "posted")

    def test_the_web_clients_done_buttons_carry_the_context(self):
        """The views of My Activities (list, kanban) and of the activity form send it from their Done buttons."""
        views = {
            "mail.mail_activity_view_tree_open_target": "list",
            "mail.mail_activity_view_kanban_open_target": "kanban",
            "mail.mail_activity_view_form_popup": "form",
        }
        for xmlid, view_type in views.items():
            with self.subTest(view=xmlid):
                arch = self.env["mail.activity"].get_view(self.env.ref(xmlid).id, view_type)["arch"]
                self.assertRegex(
                    arch,
                    r'name="action_done"[^>]*recurring_invoice_review|'
                    r'recurring_invoice_review[^>]*name="action_done"',
                )

"""Issuing from the daily schedule: however an "Issue invoice" activity is marked done, its invoice is issued once.

The user's view: the activity is done and names its invoice, the invoice is posted, the next invoice date
moves on, dates stay consistent (never due before its date), and nothing invites sending an invoice twice.
"""

from freezegun import freeze_time

from odoo import Command
from odoo.addons.recurring_invoices.models.recurring_invoice_issue import ISSUE_EARLY
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from .test_recurring_invoice import RecurringInvoiceCase, d

# Every server-side way of marking an activity done (the web client's paths end in one of them).
MARK_DONE_PATHS = {
    "action_done": lambda activity: activity.action_done(),
    "action_feedback": lambda activity: activity.action_feedback(feedback="Called the customer"),
    "action_feedback_schedule_next": lambda activity: activity.action_feedback_schedule_next(),
}


class IssueCase(RecurringInvoiceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.immediate = cls.env.ref("account.account_payment_term_immediate")
        cls.thirty_days = cls.env.ref("account.account_payment_term_30days")

    def _planned(self, start="2026-12-01", **vals):
        """A monthly template from `start` with its "Issue invoice" activities generated."""
        template = self._template(date_start=d(start), **vals)
        template.action_generate()
        return template

    def _activity(self, template, occurrence):
        return self._activities(template).filtered(lambda a: a.recurring_date == d(occurrence))

    def _sent_moves(self, action):
        """The invoices a send window was opened for (behind Odoo's layout step on a fresh company)."""
        context = action["context"]
        return self.env["account.move"].browse(
            context.get("active_ids") or context["report_action"]["context"]["active_ids"]
        )

    def _wizard(self, action):
        return self.env[action["res_model"]].browse(action["res_id"])

    def _confirm(self, action):
        """Press "Issue" in the confirmation window that `action` opened."""
        self.assertEqual(action["res_model"], "recurring.invoice.issue")
        return self._wizard(action).action_issue()

    def _done_message(self, template):
        return template.message_ids.filtered(lambda m: m.mail_activity_type_id == self.issue_type)[:1]


class TestIssueFromTheActivity(IssueCase):
    def test_every_mark_done_path_issues_exactly_once(self):
        for path, mark_done in MARK_DONE_PATHS.items():
            with self.subTest(path=path), freeze_time("2026-12-01"):
                template = self._planned(name=path)
                december = self._activity(template, "2026-12-01")
                mark_done(december)
                invoice = template.invoice_ids
                self.assertEqual(len(invoice), 1)
                self.assertEqual(invoice.state, "posted")
                self.assertEqual(invoice.recurring_date, d("2026-12-01"))
                self.assertFalse(december.active, "the activity is done, and kept")
                self.assertIn(invoice.name, self._done_message(template).body, "the done message names the invoice")
                # The scheduled action of that day adds nothing for that date.
                self._cron()
                self.assertEqual(template.invoice_ids, invoice)
                self.assertEqual(template.next_invoice_date, d("2027-01-01"))

    def test_feedback_is_kept_beside_the_invoice_name(self):
        with freeze_time("2026-12-01"):
            template = self._planned()
            self._activity(template, "2026-12-01").action_feedback(feedback="Customer asked for a PO number")
            body = self._done_message(template).body
            self.assertIn(template.invoice_ids.name, body)
            self.assertIn("Customer asked for a PO number", body)

    def test_mark_done_posts_the_draft_the_scheduled_action_made(self):
        with freeze_time("2026-12-01"):
            template = self._planned()
            self._cron()
            draft = template.invoice_ids
            self.assertEqual(draft.state, "draft")
            december = self._activity(template, "2026-12-01")
            self.assertEqual(december.recurring_invoice_move_id, draft)
            self.assertTrue(december.active, "a draft is not issued yet")
            action = december.action_issue_recurring_invoice()
            self.assertEqual(template.invoice_ids, draft, "no second invoice")
            self.assertEqual(draft.state, "posted")
            self.assertEqual(draft.invoice_date, d("2026-12-01"))
            self.assertIn(action["res_model"], ("account.move.send.wizard", "base.document.layout"))

    def test_a_failure_keeps_the_activity_open_and_posts_nothing(self):
        with freeze_time("2026-12-01"):
            template = self._planned()
            december = self._activity(template, "2026-12-01")
            self.partner_a.action_archive()
            with self.assertRaisesRegex(UserError, "cannot be issued.*archived"):
                december.action_done()
            self.assertTrue(december.active)
            self.assertFalse(template.invoice_ids)
            # With a draft made by the scheduled action, a refused posting leaves it a draft.
            self.partner_a.action_unarchive()
            self._cron()
            draft = template.invoice_ids
            draft.invoice_line_ids.price_unit = -500.0  # a negative total cannot be posted
            with self.assertRaises(UserError):
                december.action_feedback()
            self.assertTrue(december.active)
            self.assertEqual(draft.state, "draft")

    def test_due_date_never_before_the_invoice_date(self):
        """Early, on time and late, with and without payment terms; early issues are dated the day issued."""
        cases = [
            # (today, payment terms, expected invoice date, expected due date)
            ("2026-11-29", False, "2026-11-29", "2026-11-29"),
            ("2026-12-01", False, "2026-12-01", "2026-12-01"),
            ("2026-12-05", False, "2026-12-01", "2026-12-01"),
            ("2026-11-29", "immediate", "2026-11-29", "2026-11-29"),
            ("2026-11-29", "thirty_days", "2026-11-29", "2026-12-29"),
            ("2026-12-05", "thirty_days", "2026-12-01", "2026-12-31"),
        ]
        for today, terms, invoice_date, due_date in cases:
            with self.subTest(today=today, terms=terms):
                with freeze_time("2026-11-20"):
                    template = self._planned(name=f"{today} {terms}")
                    template.payment_term_id = terms and getattr(self, terms)
                with freeze_time(today):
                    # Ahead of its date only once confirmed (the confirmation window's context).
                    self._activity(template, "2026-12-01").with_context(**{ISSUE_EARLY: True}).action_done()
                invoice = template.invoice_ids
                self.assertEqual(invoice.invoice_date, d(invoice_date))
                self.assertEqual(invoice.invoice_date_due, d(due_date))
                self.assertGreaterEqual(invoice.invoice_date_due, invoice.invoice_date)

    def test_due_date_of_a_catch_up_draft(self):
        with freeze_time("2027-02-15"):
            template = self._template(date_start=d("2026-12-01"))
            self._cron()
            for invoice in template.invoice_ids:
                self.assertEqual(invoice.invoice_date_due, invoice.invoice_date)

    def test_next_invoice_date_moves_after_an_early_issue(self):
        with freeze_time("2026-11-29"):
            template = self._planned()
            self.assertEqual(template.next_invoice_date, d("2026-12-01"))
            self._confirm(self._activity(template, "2026-12-01").action_issue_recurring_invoice())
            self.assertEqual(template.next_invoice_date, d("2027-01-01"))
            self.assertEqual(template.invoice_count, 1)
        with freeze_time("2026-12-01"):
            self._cron()
            self.assertEqual(len(template.invoice_ids), 1, "the scheduled action does not invoice December again")

    def test_issue_next_invoice_never_reopens_a_sent_invoice(self):
        with freeze_time("2026-12-01"):
            template = self._planned()
            first = template.action_issue_invoice()
            december = template.invoice_ids
            self.assertEqual(december.recurring_date, d("2026-12-01"))
            self.assertEqual(self._sent_moves(first), december)
            december.is_move_sent = True
            # The next click shows January (ahead) to confirm, never December again; confirmed, it is dated today.
            confirmation = template.action_issue_invoice()
            self.assertEqual(confirmation["res_model"], "recurring.invoice.issue")
            self.assertEqual(self._wizard(confirmation).occurrence_date, d("2027-01-01"))
            self.assertEqual(len(template.invoice_ids), 1, "nothing issued before it is confirmed")
            second = self._confirm(confirmation)
            january = template.invoice_ids - december
            self.assertEqual(january.recurring_date, d("2027-01-01"))
            self.assertEqual(january.state, "posted")
            self.assertEqual(self._sent_moves(second), january)
            self.assertEqual(template.next_invoice_date, d("2027-02-01"))
            # An invoice already sent gets no send window again.
            january.is_move_sent = True
            self.assertEqual(january._get_recurring_send_action()["tag"], "display_notification")

    def test_issue_next_invoice_posts_a_waiting_draft_first(self):
        with freeze_time("2026-12-02"):
            template = self._planned(start="2026-12-01")
            self._cron()
            draft = template.invoice_ids
            self.assertEqual(template.next_invoice_date, d("2027-01-01"))
            template.action_issue_invoice()
            self.assertEqual(template.invoice_ids, draft)
            self.assertEqual(draft.state, "posted")
            self.assertFalse(self._activity(template, "2026-12-01").active)

    def test_confirming_the_draft_itself_closes_its_activity(self):
        with freeze_time("2026-12-01"):
            template = self._planned()
            self._cron()
            template.invoice_ids.action_post()
            self.assertFalse(self._activity(template, "2026-12-01").active)
            self.assertTrue(self._activity(template, "2027-01-01").active)

    def test_drafts_to_issue_posted_and_sent_in_batch(self):
        with freeze_time("2026-12-01"):
            first = self._planned(name="First")
            second = self._planned(name="Second", partner_id=self.partner_b.id)
            self._cron()
            Move = self.env["account.move"]
            to_issue = Move.search(
                [("recurring_invoice_id", "in", (first | second).ids), ("state", "=", "draft")], order="id"
            )
            self.assertEqual(len(to_issue), 2)
            action = to_issue.action_issue_recurring_drafts()
            self.assertEqual(set(to_issue.mapped("state")), {"posted"})
            self.assertEqual(action["res_model"], "account.move.send.batch.wizard")
            self.assertEqual(action["context"]["active_ids"], to_issue.ids)
            issued = self._activity(first, "2026-12-01") | self._activity(second, "2026-12-01")
            self.assertEqual(issued.mapped("active"), [False, False])
            with self.assertRaises(UserError):
                to_issue.action_issue_recurring_drafts()

    def test_make_recurring_is_not_offered_on_issue_activities(self):
        with freeze_time("2026-12-01"):
            template = self._planned()
            december = self._activity(template, "2026-12-01")
            self.assertTrue(december.is_recurring_invoice_issue)
            with self.assertRaises(UserError):
                december.action_make_recurring()

    def test_cancelling_the_activity_issues_nothing_and_it_stays_cancelled(self):
        with freeze_time("2026-11-25"):
            template = self._planned(line_ids=[Command.create({"name": "Support", "price_unit": 80.0})])
            self._activity(template, "2026-12-01").unlink()
            self.assertFalse(template.invoice_ids)
        with freeze_time("2026-12-01"):
            # The scheduled action makes that date's draft, as the confirmation says, and plans
            # new dates only: the cancelled reminder does not come back.
            self._cron()
            self.assertEqual(template.invoice_ids.state, "draft")
            self.assertFalse(self._activity(template, "2026-12-01"))
            self.assertTrue(self._activity(template, "2027-12-01"), "the horizon moved on")


class TestIssueShowsWhatItBills(IssueCase):
    """Issue 18: before a person posts an invoice they see what it bills; ahead of its date only once confirmed."""

    def _done_messages(self, template):
        return template.message_ids.filtered(lambda m: m.mail_activity_type_id == self.issue_type)

    def test_early_issue_is_refused_on_every_path_that_did_not_confirm(self):
        for path, mark_done in MARK_DONE_PATHS.items():
            with self.subTest(path=path), freeze_time("2026-11-25"):
                template = self._planned(name=path, payment_term_id=self.thirty_days.id)
                december = self._activity(template, "2026-12-01")
                with self.assertRaises(UserError) as refusal:
                    mark_done(december)
                message = refusal.exception.args[0]
                # It names the date, the period and the total, and how to issue it early.
                self.assertIn("12/01/2026", message)
                self.assertIn("12/01/2026 to 12/31/2026", message)
                self.assertIn("6 days from now", message)
                self.assertIn("confirm", message)
                self.assertFalse(template.invoice_ids, "nothing posted, nothing created")
                self.assertTrue(december.active, "the activity stays open")

    def test_the_confirmation_window_shows_what_it_bills(self):
        with freeze_time("2026-11-25"):
            template = self._planned(payment_term_id=self.thirty_days.id)
            december = self._activity(template, "2026-12-01")
            # The activity's own button and the template's button open the window instead of issuing.
            from_activity = december.action_issue_recurring_invoice()
            from_template = template.action_issue_invoice()
            self.assertFalse(template.invoice_ids)
            for action in (from_activity, from_template):
                wizard = self._wizard(action)
                self.assertEqual(action["name"], "Issue invoice")
                self.assertEqual(wizard.occurrence_date, d("2026-12-01"))
                self.assertEqual((wizard.period_start, wizard.period_end), (d("2026-12-01"), d("2026-12-31")))
                self.assertEqual(wizard.invoice_date, d("2026-11-25"), "issued early, it is dated today")
                self.assertEqual(wizard.invoice_date_due, d("2026-12-25"))
                # 2 x 100 and the product's 15% tax, as the invoice typed by hand would say.
                self.assertEqual(wizard.amount_total, template.amount_total)
                self.assertEqual(wizard.currency_id, template.currency_id)
                self.assertEqual(wizard.days_early, 6)
            self.assertIn("6 days early", template.next_issue_summary)
            self.assertIn("12/01/2026 to 12/31/2026", template.next_issue_summary)
            sent = self._confirm(from_activity)
            invoice = template.invoice_ids
            self.assertEqual(invoice.state, "posted")
            self.assertEqual(
                (invoice.invoice_date, invoice.invoice_date_due, invoice.amount_total),
                (d("2026-11-25"), d("2026-12-25"), template.amount_total),
                "the invoice is what the window showed",
            )
            self.assertEqual(self._sent_moves(sent), invoice)
            self.assertFalse(december.active)
            # The template's form moved on: January now, a month and a week ahead.
            template.invalidate_recordset()
            self.assertEqual(template.next_issue_occurrence, d("2027-01-01"))
            self.assertEqual(template.next_issue_days_early, 37)

    def test_on_time_it_stays_one_click_and_the_form_says_what_it_bills(self):
        with freeze_time("2026-12-01"):
            template = self._planned()
            self.assertEqual(template.next_issue_days_early, 0)
            self.assertIn("12/01/2026 to 12/31/2026", template.next_issue_summary)
            self.assertNotIn("early", template.next_issue_summary)
            sent = template.action_issue_invoice()
            self.assertEqual(self._sent_moves(sent), template.invoice_ids)
            # Pressed again: January is shown to confirm, with its dates and how early.
            again = template.action_issue_invoice()
            self.assertEqual(self._wizard(again).occurrence_date, d("2027-01-01"))
            self.assertEqual(self._wizard(again).days_early, 31)
            self.assertEqual(len(template.invoice_ids), 1)

    def test_my_activities_done_ends_one_click_from_sending(self):
        with freeze_time("2026-12-01"):
            template = self._planned()
            action = self._activity(template, "2026-12-01").action_done()
            self.assertEqual(self._sent_moves(action), template.invoice_ids)

    def test_a_second_done_issues_nothing_and_says_nothing(self):
        with freeze_time("2026-12-01"):
            template = self._planned()
            december = self._activity(template, "2026-12-01")
            first = december.action_issue_recurring_invoice()
            invoice = template.invoice_ids
            messages = self._done_messages(template)
            self.assertEqual(len(messages), 1)
            # A late second click, a list "Done", an RPC action_feedback: no error, no second message.
            again = december.action_issue_recurring_invoice()
            self.assertEqual(self._sent_moves(again), self._sent_moves(first))
            december.action_done()
            december.action_feedback(feedback="again")
            self.assertEqual(template.invoice_ids, invoice)
            self.assertEqual(self._done_messages(template), messages)

    def test_a_template_that_posts_and_sends_sends_from_every_manual_path(self):
        with freeze_time("2026-12-01"):
            template = self._planned(invoice_action="send")
            action = self._activity(template, "2026-12-01").action_issue_recurring_invoice()
            invoice = template.invoice_ids
            self.assertEqual(invoice.state, "posted")
            self.assertTrue(invoice.sending_data, "queued for Odoo's e-mail sending")
            self.assertEqual(action["tag"], "display_notification")
            self.assertIn("being sent by e-mail", action["params"]["message"])
            self.assertTrue(invoice.message_ids.filtered(lambda m: "Being sent by e-mail" in (m.body or "")))
            # The template's button too, once January is confirmed.
            self._confirm(template.action_issue_invoice())
            self.assertTrue((template.invoice_ids - invoice).sending_data)

    def test_what_cannot_be_issued_is_refused_and_nothing_changes(self):
        with freeze_time("2026-12-01"):
            template = self._planned()
            december = self._activity(template, "2026-12-01")
            template.action_pause()
            with self.assertRaisesRegex(UserError, "is paused"):
                december.action_feedback()
            self.assertTrue(december.active)
            template.action_resume()
            with self.assertRaisesRegex(UserError, "no occurrence on 12/15/2026"):
                template.action_issue_invoice("2026-12-15")
            template.action_issue_invoice()
            with self.assertRaisesRegex(UserError, "issued already"):
                template.action_issue_invoice("2026-12-01")
            # Someone without billing rights.
            clerk = new_test_user(self.env, "issue_clerk", groups="base.group_user")
            january = self._activity(template, "2027-01-01")
            with self.assertRaises(AccessError):
                january.with_user(clerk).with_context(**{ISSUE_EARLY: True}).action_feedback()
            self.assertEqual(len(template.invoice_ids), 1)
        # An ended template: its last date invoiced, nothing after it.
        with freeze_time("2026-12-01"):
            ended = self._planned(name="Ended", end_type="count", count=1)
            self._activity(ended, "2026-12-01").action_feedback()
            self.assertEqual(ended.state, "ended")
            with self.assertRaisesRegex(UserError, "no date left"):
                ended.action_issue_invoice()
            with self.assertRaisesRegex(UserError, "has ended"):
                ended.action_issue_invoice("2027-01-01")

"""Issuing from the daily schedule: however an "Issue invoice" activity is marked done, its invoice is issued once.

The user's view: the activity is done and names its invoice, the invoice is posted, the next invoice date
moves on, dates stay consistent (never due before its date), and nothing invites sending an invoice twice.
"""

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError

from .test_recurring_invoice import RecurringInvoiceCase, d


class TestIssueFromTheActivity(RecurringInvoiceCase):
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

    def _done_message(self, template):
        return template.message_ids.filtered(lambda m: m.mail_activity_type_id == self.issue_type)[:1]

    def test_every_mark_done_path_issues_exactly_once(self):
        paths = {
            "action_done": lambda activity: activity.action_done(),
            "action_feedback": lambda activity: activity.action_feedback(feedback="Called the customer"),
            "action_feedback_schedule_next": lambda activity: activity.action_feedback_schedule_next(),
        }
        for path, mark_done in paths.items():
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
                    self._activity(template, "2026-12-01").action_done()
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
            self._activity(template, "2026-12-01").action_done()
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
            # The next click issues January (ahead, dated today), never December again.
            second = template.action_issue_invoice()
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

"""Exactly once for real: parallel scheduled runs, a run killed half way, then upgrade and uninstall,
on a database of its own (SPEC S1, S2, S7).

The scheduled action commits its batches, so this cannot run in a test transaction: the test
builds a throwaway database, runs the action in separate processes (as Odoo's cron workers do)
and counts the invoices in PostgreSQL. RECURRING_SKIP_SLOW=1 skips it on purpose.
"""

import os
import subprocess
import sys
import threading
import time
import xmlrpc.client

import psycopg2
import pytest

from .own_database import DUE_TEMPLATES, OdooServer, drop, query, rows, run_together, skip_unless_allowed

# Runs in a child process: an Odoo environment on the database given, one task.
WORKER = (
    DUE_TEMPLATES
    + r"""
import json, os, signal, sys, time
import odoo.modules.registry, odoo.tools  # 19.0: a submodule loads the framework, `import odoo` does not
from odoo import SUPERUSER_ID, api

db, task, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
odoo.tools.config.parse_config(["-d", db, "--log-level=warn", "--no-http"])
registry = odoo.modules.registry.Registry(db)
with registry.cursor() as cr:
    env = api.Environment(cr, SUPERUSER_ID, {"tz": "UTC"})
    Template = env["recurring.invoice"]
    if task == "setup":
        create_due_templates(env, prefix, int(sys.argv[4]))
    elif task == "planned":
        # One template due today, its "Issue invoice" activities planned: print its id and today's activity's.
        create_due_templates(env, prefix, 1)
        template = Template.search([("name", "=", f"{prefix} 0")])
        template.action_generate()
        activity = template.issue_activity_ids.filtered(lambda a: a.recurring_date == template.date_start)
        print(template.id, activity.id)
    elif task == "cron":
        Template._cron_create_invoices(batch_size=int(sys.argv[4]))
    elif task == "cron_together":
        # Loaded, then run when told, at the same time as another run: says when it ran and how many
        # templates it invoiced.
        print("ready", flush=True)
        sys.stdin.readline()
        cr.rollback()  # its snapshot is taken now, not at load
        started = time.time()
        done = Template._cron_create_invoices(batch_size=int(sys.argv[4]))
        cr.commit()
        print(json.dumps({"started": started, "ended": time.time(), "done": done}))
    elif task == "crash":
        # SIGKILL in the middle of the 3rd batch: its invoices are created but not committed.
        calls = []
        create_invoices = type(Template)._create_invoices

        def dying_create_invoices(self, *args, **kwargs):
            result = create_invoices(self, *args, **kwargs)
            calls.append(1)
            if len(calls) == 3:
                self.env.flush_all()
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        type(Template)._create_invoices = dying_create_invoices
        Template._cron_create_invoices(batch_size=int(sys.argv[4]))
    elif task == "cron_paused":
        # The scheduled action, paused once its batch has written its invoices (not committed) until told.
        invoice_due_occurrences = type(Template)._invoice_due_occurrences

        def paused(self, today):
            result = invoice_due_occurrences(self, today)
            self.env.flush_all()
            print("created", flush=True)
            sys.stdin.readline()
            return result

        type(Template)._invoice_due_occurrences = paused
        Template._cron_create_invoices()
    elif task == "setup_send":
        # Templates that post their invoices and send them by e-mail.
        create_due_templates(env, prefix, int(sys.argv[4]))
        templates = Template.search([("name", "like", f"{prefix} %")])
        templates.write({"invoice_action": "send"})
        templates.partner_id.email = "customer@example.com"
    elif task == "crash_after_commit":
        # SIGKILL once the first batch is committed: its invoices posted and queued for sending, none sent.
        from odoo.addons.recurring_invoices.models import recurring_invoice_cron as cron_module

        report = cron_module.report_cron_progress

        def dying_report(env, processed, done, remaining, commit):
            report(env, processed, done, remaining, commit)
            if commit and processed:
                os.kill(os.getpid(), signal.SIGKILL)

        cron_module.report_cron_progress = dying_report
        Template._cron_create_invoices(batch_size=int(sys.argv[4]))
    elif task == "send":
        # Odoo's own scheduled action that sends the invoices queued for sending, one invoice a call (an
        # unpatched wkhtmltopdf renders one document at a time), at most 20 calls.
        Move = env["account.move"]
        for _call in range(20):
            if not Move.search_count([("sending_data", "!=", False), ("state", "=", "posted")]):
                break
            Move._cron_account_move_send(job_count=1)
            cr.commit()
    elif task == "uninstall":
        modules = env["ir.module.module"].search([("name", "in", ("recurring_invoices", "recurring_interactions"))])
        modules.button_immediate_uninstall()
    cr.commit()
"""
)


def _odoo(*args):
    subprocess.run([sys.executable, "-m", "odoo", *args], check=True, capture_output=True, timeout=900)


def _worker(db, task, prefix, *extra, **kwargs):
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, db, task, prefix, *map(str, extra)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def _counts(db, prefix):
    """(invoices, distinct occurrences) of the templates named prefix%."""
    return query(
        db,
        """
        SELECT COUNT(m.id), COUNT(DISTINCT (m.recurring_invoice_id, m.recurring_date))
          FROM account_move m
          JOIN recurring_invoice t ON t.id = m.recurring_invoice_id
         WHERE t.name LIKE %s
        """,
        (prefix + " %",),
    )


@pytest.fixture(scope="module")
def own_database():
    skip_unless_allowed()
    db = f"recurring_concurrency_{os.getpid()}"
    drop(db)
    try:
        _odoo("-d", db, "-i", "recurring_invoices", "--without-demo=all", "--stop-after-init", "--no-http")
        yield db
    finally:
        drop(db)


def _run(workers):
    outputs = []
    for process in workers:
        out, err = process.communicate(timeout=900)
        assert process.returncode == 0, err.decode()[-3000:]
        outputs.append(out.decode())
    return outputs


def test_two_parallel_runs_create_each_invoice_once(own_database):
    db = own_database
    _run([_worker(db, "setup", "Parallel", 200)])
    first, second = run_together([_worker(db, "cron_together", "Parallel", 20, stdin=subprocess.PIPE) for _ in "ab"])
    # Each run invoiced part of the templates, none twice, and the runs overlapped in time.
    assert first["done"] and second["done"], (first, second)
    assert first["done"] + second["done"] == 200, (first, second)
    assert first["started"] < second["ended"] and second["started"] < first["ended"], (first, second)
    assert _counts(db, "Parallel") == (200, 200)
    # A third run finds nothing to do.
    _run([_worker(db, "cron", "Parallel", 20)])
    assert _counts(db, "Parallel") == (200, 200)


def test_a_run_killed_half_way_then_run_again_creates_each_invoice_once(own_database):
    db = own_database
    _run([_worker(db, "setup", "Killed", 200)])
    crash = _worker(db, "crash", "Killed", 20)
    crash.communicate(timeout=900)
    assert crash.returncode == -9, "the run was killed"
    invoices, occurrences = _counts(db, "Killed")
    # The first two batches were committed; the third one died with its transaction.
    assert (invoices, occurrences) == (40, 40)
    _run([_worker(db, "cron", "Killed", 20)])
    assert _counts(db, "Killed") == (200, 200)


@pytest.fixture
def server(own_database, tmp_path):
    """Odoo's threaded server: each request in a thread of its own, with its own cursor, as in production."""
    running = OdooServer(own_database, tmp_path, ["--max-cron-threads", "0"])
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def test_concurrent_dones_of_one_activity_issue_one_invoice_and_say_it_once(server):
    """Issue 18: eight "done" of one "Issue invoice" activity at once, as double clicks and integrations send
    them (action_done and action_feedback over XML-RPC): one invoice, one "done" message, no error."""
    db = server.db
    [out] = _run([_worker(db, "planned", "Clicked")])
    template_id, activity_id = map(int, out.split()[-2:])
    methods = ["action_done", "action_feedback"] * 4
    start = threading.Barrier(len(methods))
    results, errors = [], []

    def mark_done(method):
        start.wait(timeout=60)
        try:
            results.append(server.call("mail.activity", method, [activity_id]))
        except xmlrpc.client.Fault as fault:
            errors.append(fault.faultString[-500:])

    threads = [threading.Thread(target=mark_done, args=(method,)) for method in methods]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    assert len(results) == len(methods)
    invoices = query(
        db,
        "SELECT COUNT(*), MIN(state) FROM account_move WHERE recurring_invoice_id = %s",
        (template_id,),
    )
    assert invoices == (1, "posted")
    done_messages = query(
        db,
        """SELECT COUNT(*) FROM mail_message m JOIN mail_activity_type t ON t.id = m.mail_activity_type_id
            JOIN ir_model_data x ON x.model = 'mail.activity.type' AND x.res_id = t.id
           WHERE m.model = 'recurring.invoice' AND m.res_id = %s AND x.name = 'mail_activity_type_issue_invoice'""",
        (template_id,),
    )
    assert done_messages == (1,), "the activity was marked done once"
    assert query(db, "SELECT active FROM mail_activity WHERE id = %s", (activity_id,)) == (False,)


# A serialization failure as PostgreSQL raises it when another transaction committed a row this one then writes:
# raised at the `fail_at`-th invoice of the templates from `first_id` on, and again on every later insert of that
# same transaction (its snapshot is doomed), never in a new one. Sequences keep what the failed transaction saw
# (setval is never rolled back): its id and when it failed (epoch ms).
SERIALIZATION_FAILURE = """
CREATE SEQUENCE recurring_test_inserts;
CREATE SEQUENCE recurring_test_doomed_tx MINVALUE 0 START 0;
CREATE SEQUENCE recurring_test_failed_at MINVALUE 0 START 0;
CREATE FUNCTION recurring_test_serialization_failure() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.recurring_invoice_id >= %(first_id)s THEN
        IF (SELECT last_value FROM recurring_test_doomed_tx) = txid_current()
           OR nextval('recurring_test_inserts') = %(fail_at)s THEN
            PERFORM setval('recurring_test_doomed_tx', txid_current());
            PERFORM setval('recurring_test_failed_at', (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint);
            RAISE EXCEPTION 'could not serialize access due to concurrent update'
                USING ERRCODE = 'serialization_failure';
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER recurring_test_serialization_failure AFTER INSERT ON account_move
    FOR EACH ROW EXECUTE FUNCTION recurring_test_serialization_failure();
"""


# Per invoice of the templates named prefix%: (its state, whether it is marked sent, whether it still waits for
# sending, how many of its messages carry its PDF).
SENDING = """
    SELECT m.id, m.state, COALESCE(m.is_move_sent, FALSE), m.sending_data IS NOT NULL,
           (SELECT COUNT(*) FROM mail_message mm
             WHERE mm.model = 'account.move' AND mm.res_id = m.id
               AND EXISTS (SELECT 1 FROM message_attachment_rel r WHERE r.message_id = mm.id))
      FROM account_move m JOIN recurring_invoice t ON t.id = m.recurring_invoice_id
     WHERE t.name LIKE %s ORDER BY m.id
"""


def test_a_run_killed_after_posting_before_sending_sends_each_invoice_once(own_database):
    """S11: the process dies once a batch is posted (committed) and before anything is sent. The next runs
    (the invoicing, then Odoo's sending) send each invoice once and post no second invoice for a period."""
    db = own_database
    _run([_worker(db, "setup_send", "Sent", 4)])
    crash = _worker(db, "crash_after_commit", "Sent", 2)
    crash.communicate(timeout=900)
    assert crash.returncode == -9, "the run was killed"
    posted = rows(db, SENDING, ("Sent %",))
    assert [row[1:] for row in posted] == [("posted", False, True, 0)] * 2, "posted, queued for sending, not sent"

    _run([_worker(db, "cron", "Sent", 2)])
    assert _counts(db, "Sent") == (4, 4), "no second invoice for a period"
    _run([_worker(db, "send", "Sent")])
    _run([_worker(db, "send", "Sent")])  # a second sending run finds nothing left to send
    sent = rows(db, SENDING, ("Sent %",))
    assert [row[0] for row in sent[:2]] == [row[0] for row in posted], "the invoices posted before the kill"
    assert [row[1:] for row in sent] == [("posted", True, False, 1)] * 4, "each sent once"


# When it last ended well, and how many times it failed since.
CRON_STATE = """SELECT lastcall, failure_count FROM ir_cron WHERE id = (SELECT res_id FROM ir_model_data
                    WHERE module = 'recurring_invoices' AND name = 'ir_cron_create_invoices')"""


def test_the_cron_runner_retries_a_batch_doomed_by_a_serialization_failure(own_database, tmp_path):
    """The scheduled action as Odoo runs it (the cron thread of a real server, with its commits and progress):
    a serialization failure in the middle of its second batch rolls that batch back, the batch is run again,
    the first batch's commit stays, and each invoice exists once, with no failure reported on a template."""
    db = own_database
    _run([_worker(db, "setup", "Doomed", 300)])  # three batches of 100 (BATCH_SIZE)
    first_id, last_id = query(db, "SELECT MIN(id), MAX(id) FROM recurring_invoice WHERE name LIKE 'Doomed %%'")
    # Its first batch: the first 100 due templates in the order the scheduled action takes them (another test's
    # may be due too).
    [(in_first_batch,)] = rows(
        db,
        """SELECT COUNT(*) FILTER (WHERE id >= %s) FROM (
               SELECT id FROM recurring_invoice WHERE active AND paused IS NOT TRUE
                  AND next_invoice_date <= (SELECT MAX(date_start) FROM recurring_invoice WHERE id >= %s)
                ORDER BY next_invoice_date, id LIMIT 100) first_batch""",
        (first_id, first_id),
    )
    conn = psycopg2.connect(dbname=db)
    try:
        with conn, conn.cursor() as cr:
            cr.execute(SERIALIZATION_FAILURE % {"first_id": first_id, "fail_at": 150})
            # Due now: the cron thread runs it as soon as the server starts.
            cr.execute(
                """UPDATE ir_cron SET nextcall = (now() AT TIME ZONE 'UTC') - interval '1 minute', active = true
                    WHERE id = (SELECT res_id FROM ir_model_data
                                 WHERE module = 'recurring_invoices' AND name = 'ir_cron_create_invoices')
                RETURNING lastcall""",
            )
            [(lastcall_before,)] = cr.fetchall()
    finally:
        conn.close()
    running = OdooServer(db, tmp_path, ["--max-cron-threads", "1"])
    try:
        running.wait_ready()
        deadline = time.monotonic() + 900
        while (state := query(db, CRON_STATE)) == (lastcall_before, 0):
            assert running.process.poll() is None, running.log_text()[-3000:]
            assert time.monotonic() < deadline, f"the scheduled action did not end:\n{running.log_text()[-3000:]}"
            time.sleep(1)
        log = running.log_text()
        assert state[1] == 0, f"the scheduled action failed:\n{log[-3000:]}"
    finally:
        running.stop()
        conn = psycopg2.connect(dbname=db)
        with conn, conn.cursor() as cr:
            cr.execute("DROP TRIGGER recurring_test_serialization_failure ON account_move")
        conn.close()

    failed_at = query(db, "SELECT last_value FROM recurring_test_failed_at")[0]
    assert failed_at, f"the second batch met the serialization failure:\n{log[-3000:]}"
    assert "met a concurrent update: retrying it" in log
    assert _counts(db, "Doomed") == (300, 300), "each invoice once"
    # The first batch was committed before the failure and kept; the second was created again after it.
    batches = rows(
        db,
        """SELECT m.create_date < to_timestamp(%s / 1000.0) AT TIME ZONE 'UTC', COUNT(*)
             FROM account_move m WHERE m.recurring_invoice_id BETWEEN %s AND %s GROUP BY 1 ORDER BY 1""",
        (failed_at, first_id, last_id),
    )
    assert batches == [(False, 300 - in_first_batch), (True, in_first_batch)], batches
    reported = query(
        db,
        """SELECT COUNT(*) FROM mail_activity WHERE res_model = 'recurring.invoice' AND res_id BETWEEN %s AND %s
              AND summary = 'Recurring invoice not created'""",
        (first_id, last_id),
    )
    assert reported == (0,), "a failure of the transaction is no failure of a template: nobody is told"


def test_a_person_issuing_while_the_scheduled_action_invoices_it_gets_one_invoice(server):
    """S11: a person confirms "Issue invoice" for today's occurrence while the scheduled action has just
    written that occurrence's draft (not committed yet). The person's request waits for it, then posts that
    draft: one invoice, one "done" message; had the person lost, they would read a sentence, never a traceback."""
    db = server.db
    [out] = _run([_worker(db, "planned", "Raced")])
    template_id, activity_id = map(int, out.split()[-2:])
    [today] = query(db, "SELECT date_start FROM recurring_invoice WHERE id = %s", (template_id,))
    cron = _worker(db, "cron_paused", "Raced", stdin=subprocess.PIPE)
    outcome = {}

    def issue():
        try:
            wizard = server.call(
                "recurring.invoice.issue",
                "create",
                {"recurring_invoice_id": template_id, "occurrence_date": today.isoformat()},
            )
            outcome["result"] = server.call("recurring.invoice.issue", "action_issue", [wizard])
        except xmlrpc.client.Fault as fault:
            outcome["fault"] = fault.faultString

    person = threading.Thread(target=issue)
    try:
        assert cron.stdout.readline().strip() == b"created", cron.stderr.read().decode()[-3000:]
        person.start()
        # The person's request waits for the template, which the scheduled action's batch holds.
        deadline = time.monotonic() + 300
        waiting = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'"
        while not query(db, waiting, (db,))[0]:
            assert person.is_alive(), outcome
            assert time.monotonic() < deadline, "the person's request never waited for the scheduled action"
            time.sleep(0.1)
        cron.stdin.write(b"go\n")
        cron.stdin.flush()
        _out, err = cron.communicate(timeout=600)
        assert cron.returncode == 0, err.decode()[-3000:]
        person.join(timeout=300)
    finally:
        if cron.poll() is None:
            cron.kill()
            cron.wait()
    assert not person.is_alive()
    invoices = query(
        db, "SELECT COUNT(*), MIN(state), MAX(state) FROM account_move WHERE recurring_invoice_id = %s", (template_id,)
    )
    if "fault" in outcome:
        assert "Traceback" not in outcome["fault"], outcome["fault"]
        assert invoices == (1, "draft", "draft"), invoices
    else:
        assert invoices == (1, "posted", "posted"), "the person posted the scheduled action's draft"
        done_messages = query(
            db,
            """SELECT COUNT(*) FROM mail_message m JOIN mail_activity_type t ON t.id = m.mail_activity_type_id
                JOIN ir_model_data x ON x.model = 'mail.activity.type' AND x.res_id = t.id
               WHERE m.model = 'recurring.invoice' AND m.res_id = %s AND x.name = 'mail_activity_type_issue_invoice'""",
            (template_id,),
        )
        assert done_messages == (1,), "its activity was marked done once"
        assert query(db, "SELECT active FROM mail_activity WHERE id = %s", (activity_id,)) == (False,)


def test_upgrade_keeps_every_record_and_uninstall_leaves_no_orphan(own_database):
    db = own_database
    _run([_worker(db, "setup", "Upgrade", 5)])
    _run([_worker(db, "cron", "Upgrade", 20)])
    counts = """SELECT (SELECT COUNT(*) FROM recurring_invoice), (SELECT COUNT(*) FROM recurring_invoice_line),
                       (SELECT COUNT(*) FROM account_move WHERE recurring_invoice_id IS NOT NULL),
                       (SELECT COUNT(*) FROM mail_activity), (SELECT COUNT(*) FROM account_move)"""
    before = query(db, counts)
    assert before[0] >= 5 and before[2] >= 5
    _odoo("-d", db, "-u", "recurring_interactions,recurring_invoices", "--stop-after-init", "--no-http")
    assert query(db, counts) == before, "an upgrade keeps every record"

    _run([_worker(db, "uninstall", "Upgrade")])
    assert query(db, "SELECT COUNT(*) FROM account_move") == (before[4],), "uninstalling never deletes an invoice"
    assert query(db, "SELECT COUNT(*) FROM ir_model WHERE model LIKE 'recurring.%%'") == (0,)
    assert query(db, "SELECT COUNT(*) FROM mail_activity WHERE res_model LIKE 'recurring.%%'") == (0,)
    assert query(db, "SELECT to_regclass('recurring_invoice'), to_regclass('recurring_interaction')") == (None, None)
    leftover_columns = """SELECT COUNT(*) FROM information_schema.columns
                           WHERE table_name IN ('account_move', 'mail_activity') AND column_name LIKE 'recurring%%'"""
    assert query(db, leftover_columns) == (0,)

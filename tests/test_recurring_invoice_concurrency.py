"""Exactly once for real: parallel scheduled runs, a run killed half way, then upgrade and uninstall,
on a database of its own (SPEC S1, S2, S7).

The scheduled action commits its batches, so this cannot run in a test transaction: the test
builds a throwaway database, runs the action in separate processes (as Odoo's cron workers do)
and counts the invoices in PostgreSQL. Set RECURRING_SKIP_CONCURRENCY=1 to skip it.
"""

import os
import subprocess
import sys
import threading
import xmlrpc.client

import pytest

from .own_database import DUE_TEMPLATES, OdooServer, drop, query, skip_unless_allowed

# Runs in a child process: an Odoo environment on the database given, one task.
WORKER = (
    DUE_TEMPLATES
    + r"""
import os, signal, sys
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
    elif task == "uninstall":
        modules = env["ir.module.module"].search([("name", "in", ("recurring_invoices", "recurring_interactions"))])
        modules.button_immediate_uninstall()
    cr.commit()
"""
)


def _odoo(*args):
    subprocess.run([sys.executable, "-m", "odoo", *args], check=True, capture_output=True, timeout=900)


def _worker(db, task, prefix, *extra):
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, db, task, prefix, *map(str, extra)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
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
    _run([_worker(db, "cron", "Parallel", 20), _worker(db, "cron", "Parallel", 20)])
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

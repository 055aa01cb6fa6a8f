"""The daily invoicing as OCA queue_job jobs, for real (issue 14, point 4): a database of its own with
``recurring_invoices`` and ``queue_job``, an Odoo server with two HTTP workers and the job runner, the
scheduled action triggered twice, and a worker running a job killed with SIGKILL.

Each invoice must exist once per (template, occurrence), every job must end done, a second trigger must
queue no batch identical to one that still waits, and a job whose worker died must be found dead by the
runner, requeued and run again. Everything is counted in PostgreSQL. It is skipped when queue_job is not
importable (which fails the run, saying how to install it), and on purpose with the other tests that build
their own database (RECURRING_SKIP_SLOW=1).
"""

import json
import os
import re
import signal
import subprocess
import sys
import time

import psutil
import pytest

from odoo.addons.recurring_interactions.models.series_compat import SERIES

from .own_database import DUE_TEMPLATES, OdooServer, drop, query, rows, skip_unless_allowed

TEMPLATES = 500
BATCH = 100  # recurring_invoice_cron.BATCH_SIZE: templates per job
CRON = "recurring_invoices.ir_cron_create_invoices"
SERVER_WIDE_MODULES = "base,rpc,web,queue_job" if SERIES >= 19 else "web,queue_job"
UNFINISHED = ("wait_dependencies", "pending", "enqueued", "started")
# A loaded machine (CI) runs a job of 100 invoices in about 15 s; a job found dead is requeued by the
# runner up to a minute later (its loop waits for a notification or 60 s).
JOBS_DEADLINE = 600

WORKER = (
    DUE_TEMPLATES
    + r"""
import sys
import odoo.modules.registry, odoo.tools  # 19.0: a submodule loads the framework, `import odoo` does not
from odoo import SUPERUSER_ID, api
from odoo.service.model import retrying

db, task = sys.argv[1], sys.argv[2]
odoo.tools.config.parse_config(["-d", db, "--log-level=warn", "--no-http"])
registry = odoo.modules.registry.Registry(db)
with registry.cursor() as cr:
    env = api.Environment(cr, SUPERUSER_ID, {"tz": "UTC"})
    Template = env["recurring.invoice"]
    if task == "setup":
        create_due_templates(env, sys.argv[3], int(sys.argv[4]))
    elif task == "trigger":
        # The daily run started on another server: loaded first, then triggered when told, as an RPC
        # call would be (retried on a serialization failure).
        cron_id = env.ref(sys.argv[3]).id
        print("ready", flush=True)
        sys.stdin.readline()
        cr.rollback()  # a fresh snapshot: the first trigger's jobs are committed now
        retrying(env["ir.cron"].browse(cron_id).method_direct_trigger, env)
    cr.commit()
"""
)


def _worker(db, task, *args, **kwargs):
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, db, task, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _run(process):
    try:
        out, err = process.communicate(timeout=600)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err[-3000:]
    return out


def _odoo(*args):
    return subprocess.run(
        [sys.executable, "-m", "odoo", *args, "--stop-after-init", "--no-http", "--log-level=warn"],
        capture_output=True,
        text=True,
        timeout=900,
    )


def _queue_job_available():
    check = subprocess.run(
        # Found, not imported: outside Odoo the addons it imports are not on the path.
        [sys.executable, "-c", "import importlib.util as u, sys; sys.exit(not u.find_spec('odoo.addons.queue_job'))"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return check.returncode == 0


class Server(OdooServer):
    """An Odoo server with 2 HTTP workers and queue_job's runner (a worker of its own), no cron worker."""

    def __init__(self, db, directory):
        env = {key: value for key, value in os.environ.items() if not key.startswith("ODOO_QUEUE_JOB")}
        # Two jobs at a time, one per HTTP worker (the runner's default channel runs one).
        env["ODOO_QUEUE_JOB_CHANNELS"] = "root:2"
        args = [
            # 19.0 serves XML-RPC from its rpc module, a server-wide module like web.
            *("--workers", "2", "--max-cron-threads", "0", "--load", SERVER_WIDE_MODULES),
            # Generous limits: a worker killed for slowness on a loaded machine would look like our kill.
            *("--limit-time-real", "900", "--limit-time-cpu", "900"),
        ]
        super().__init__(db, directory, args, env=env)

    def wait_ready(self, timeout=180):
        """The HTTP workers answer and the job runner is ready for the database (it says so in the log)."""
        super().wait_ready(timeout, ready=f"queue job runner ready for db {self.db}")

    def trigger(self):
        """Run the daily scheduled action now, as "Run manually" does, in an HTTP worker."""
        module, name = CRON.split(".")
        _model, cron_id = self.call("ir.model.data", "check_object_reference", module, name)
        return self.call("ir.cron", "method_direct_trigger", [cron_id])

    def children(self):
        return {child.pid for child in psutil.Process(self.process.pid).children()}


@pytest.fixture(scope="module")
def own_database():
    skip_unless_allowed()
    if not _queue_job_available():
        pytest.skip(
            f'OCA queue_job is not importable: pip install --no-deps "odoo-addon-queue_job>={SERIES}.0,<{SERIES}.1" '
            "(scripts/setup-env.sh does)"
        )
    db = f"qjtest_{os.getpid()}"
    drop(db)
    try:
        installed = _odoo("-d", db, "-i", "queue_job", "--without-demo=all")
        if installed.returncode:
            pytest.skip(f"OCA queue_job cannot be installed in a new database:\n{installed.stderr[-2000:]}")
        installed = _odoo("-d", db, "-i", "recurring_invoices")
        assert installed.returncode == 0, installed.stderr[-3000:]
        yield db
    finally:
        drop(db)


@pytest.fixture(scope="module")
def server(own_database, tmp_path_factory):
    running = Server(own_database, tmp_path_factory.mktemp("odoo_queue_job"))
    try:
        running.wait_ready()
        assert "Worker WorkerJobRunner" in running.log_text(), "the runner is a worker of the prefork server"
        yield running
    finally:
        running.stop()


def _jobs(db, after_id=0):
    """Invoicing jobs queued after job `after_id`, as dicts, in the order they were queued."""
    columns = [
        "id",
        "uuid",
        "name",
        "state",
        "retry",
        "identity_key",
        "records",
        "result",
        "exc_info",
        "date_created",
        "date_started",
        "date_done",
        "worker_pid",
    ]
    found = rows(
        db,
        f"""SELECT {", ".join(columns)} FROM queue_job
             WHERE model_name = 'recurring.invoice' AND method_name = '_job_create_invoices' AND id > %s
             ORDER BY id""",
        (after_id,),
    )
    jobs = []
    for row in found:
        job = dict(zip(columns, row, strict=True))
        records = job["records"]
        while isinstance(records, str):  # queue_job stores its JSON as a JSON string
            records = json.loads(records)
        job["template_ids"] = set(records["ids"])
        invoiced = re.match(r"(\d+) templates invoiced", job["result"] or "")
        job["invoiced"] = int(invoiced.group(1)) if invoiced else None
        jobs.append(job)
    return jobs


def _last_job_id(db):
    return query(db, "SELECT COALESCE(MAX(id), 0) FROM queue_job")[0]


def _wait_for_jobs(db, timeout=JOBS_DEADLINE):
    """Poll until no job waits or runs; fail at once on a failed job."""
    deadline = time.monotonic() + timeout
    while True:
        states = dict(rows(db, "SELECT state, COUNT(*) FROM queue_job GROUP BY state"))
        failed = rows(db, "SELECT name, exc_info FROM queue_job WHERE state = 'failed'")
        assert not failed, f"a job failed: {failed[0][0]}\n{failed[0][1]}"
        if not any(states.get(state) for state in UNFINISHED):
            return states
        assert time.monotonic() < deadline, f"jobs still not done after {timeout} s: {states}"
        time.sleep(0.5)


def _invoice_counts(db, prefix):
    """(invoices, distinct occurrences, templates invoiced) of the templates named prefix%."""
    return query(
        db,
        """
        SELECT COUNT(m.id), COUNT(DISTINCT (m.recurring_invoice_id, m.recurring_date)),
               COUNT(DISTINCT m.recurring_invoice_id)
          FROM account_move m
          JOIN recurring_invoice t ON t.id = m.recurring_invoice_id
         WHERE t.name LIKE %s
        """,
        (prefix + " %",),
    )


def _assert_invoiced_by_done_jobs(db, prefix, jobs):
    """Every template names, as the job that invoiced it, a done job of `jobs` that had it to do."""
    by_uuid = {job["uuid"]: job for job in jobs}
    templates = rows(db, "SELECT id, invoicing_job_uuid FROM recurring_invoice WHERE name LIKE %s", (prefix + " %",))
    assert len(templates) == TEMPLATES
    for template_id, job_uuid in templates:
        job = by_uuid.get(job_uuid)
        assert job, f"template {template_id} names no job of this run: {job_uuid!r}"
        assert job["state"] == "done" and template_id in job["template_ids"] and job["invoiced"]


def _company_and_today(db, prefix):
    return query(
        db,
        """SELECT c.name, MIN(t.date_start) FROM recurring_invoice t JOIN res_company c ON c.id = t.company_id
            WHERE t.name LIKE %s GROUP BY c.name""",
        (prefix + " %",),
    )


# The invoicing jobs running now: started, and their lock row held by a live PostgreSQL session (queue_job's
# own proof that a job runs), the one whose transaction locked it (xmax); queue_job records the Odoo process
# that started a job (worker_pid). (Odoo's application_name, odoo-<pid>, names the master that created the
# registry's connection settings before forking, not the worker.) `invoicing`: that transaction has written
# invoices, not committed yet.
RUNNING_JOBS = """
    SELECT j.id, j.uuid, j.retry, j.records, j.worker_pid, a.pid,
           EXISTS (SELECT 1 FROM pg_locks k
                    WHERE k.pid = a.pid AND k.relation = 'account_move'::regclass
                      AND k.mode = 'RowExclusiveLock' AND k.granted) AS invoicing
      FROM queue_job j
      JOIN queue_job_lock l ON l.queue_job_id = j.id
      JOIN pg_stat_activity a ON a.backend_xid = l.xmax
     WHERE j.state = 'started' AND j.method_name = '_job_create_invoices' AND j.id > %s
     ORDER BY j.id
"""


def _wait_until_invoicing(db, after_id, count, timeout=300):
    """Wait until `count` jobs run and write their invoices."""
    deadline = time.monotonic() + timeout
    while sum(row[-1] for row in rows(db, RUNNING_JOBS, (after_id,))) < count:
        assert time.monotonic() < deadline, f"{count} jobs were not running together after {timeout} s"
        time.sleep(0.05)


def _waiting_jobs(db, after_id):
    return {
        job_id
        for (job_id,) in rows(
            db, "SELECT id FROM queue_job WHERE state IN ('pending', 'enqueued') AND id > %s", (after_id,)
        )
    }


def test_two_triggers_queue_each_batch_once_and_invoice_each_template_once(server):
    db = server.db
    _run(_worker(db, "setup", "Daily", TEMPLATES))
    company, today = _company_and_today(db, "Daily")
    before = _last_job_id(db)

    # The same daily run on another server, loaded and waiting: it fires once the first run's jobs are
    # writing their invoices, two at a time, the other three waiting for a worker.
    other = _worker(db, "trigger", CRON, stdin=subprocess.PIPE)
    try:
        assert other.stdout.readline().strip() == "ready", other.stderr.read()[-3000:]
        assert server.trigger() is True
        first = _jobs(db, before)
        _wait_until_invoicing(db, before, 2)
        waiting = _waiting_jobs(db, before)
        other.stdin.write("go\n")
        other.stdin.flush()
        _run(other)
        # The jobs that waited from before the second trigger started until it had committed.
        waiting &= _waiting_jobs(db, before)
    finally:
        if other.poll() is None:
            other.kill()
            other.wait()

    # The first trigger queued one job per batch of 100 due templates, described for a human.
    assert len(first) == TEMPLATES // BATCH
    assert sorted(len(job["template_ids"]) for job in first) == [BATCH] * len(first)
    assert set().union(*(job["template_ids"] for job in first)) == {
        row[0] for row in rows(db, "SELECT id FROM recurring_invoice WHERE name LIKE 'Daily %%'")
    }
    for job in first:
        assert job["name"] == f"Recurring invoices: {company}, {BATCH} templates due {today}"

    _wait_for_jobs(db)
    jobs = _jobs(db, before)
    first_ids = {job["id"] for job in first}
    first = [job for job in jobs if job["id"] in first_ids]
    second = [job for job in jobs if job["id"] not in first_ids]

    # The second trigger queued no batch identical to one still waiting: each job it queued has a twin of
    # the first trigger that had started already; the batches that waited were not queued again.
    assert all(job["identity_key"] for job in first), "each job is queued with an identity key"
    first_by_key = {job["identity_key"]: job for job in first}
    assert len(first_by_key) == len(first)
    for job in second:
        twin = first_by_key.get(job["identity_key"])
        assert twin, f"the second trigger queued a batch the first did not: {job['template_ids']}"
        if twin["retry"] == 1:  # it ran once: its start is the only one
            assert twin["date_started"] <= job["date_created"], "queued again while its twin waited"
    waited = [job for job in first if job["id"] in waiting]
    assert waited, "a job of the first trigger waited while the second trigger queued its jobs"
    assert not {job["identity_key"] for job in waited} & {job["identity_key"] for job in second}

    # Two workers ran jobs at the same time.
    assert any(
        a["worker_pid"] != b["worker_pid"] and a["date_started"] < b["date_done"] and b["date_started"] < a["date_done"]
        for a in first
        for b in first
    ), "two jobs ran at the same time in two workers"
    print(
        f"\n{len(first)} jobs queued; the second trigger queued {len(second)} again (their twins had started; "
        f"they invoiced {sum(job['invoiced'] for job in second)}), {len(waited)} waited and were not queued again"
    )

    # Exactly once: 500 invoices, one per template and occurrence, by done jobs.
    assert {job["state"] for job in jobs} == {"done"}
    assert _invoice_counts(db, "Daily") == (TEMPLATES, TEMPLATES, TEMPLATES)
    assert sum(job["invoiced"] for job in jobs) == TEMPLATES, [job["result"] for job in jobs]
    _assert_invoiced_by_done_jobs(db, "Daily", jobs)

    # Nothing is due any more: a third trigger queues no job.
    last = _last_job_id(db)
    assert server.trigger() is True
    assert _jobs(db, last) == []


def _kill_a_running_job(server, after_id, timeout=300):
    """SIGKILL the worker running an invoicing job half way (its invoices written, not committed); returns
    that job once its transaction is known to have died with it. When the job had committed just before the
    kill, kills the worker of the next one."""
    db = server.db
    deadline = time.monotonic() + timeout
    missed = 0
    while time.monotonic() < deadline:
        running = [row for row in rows(db, RUNNING_JOBS, (after_id,)) if row[-1]]
        if not running:
            unfinished = query(
                db, "SELECT COUNT(*) FROM queue_job WHERE state IN %s AND id > %s", (UNFINISHED, after_id)
            )
            assert unfinished[0], f"every job ended before one could be killed half way ({missed} kills too late)"
            time.sleep(0.05)
            continue
        job_id, uuid, retry, records, pid, backend_pid, _invoicing = running[0]
        workers = server.children()
        assert pid in workers, f"the job runs in a worker of the server {server.process.pid}: {pid} in {workers}"
        os.kill(pid, signal.SIGKILL)
        # Its PostgreSQL session ends with it, rolling back the job's transaction.
        while query(db, "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = %s", (backend_pid,))[0]:
            assert time.monotonic() < deadline, "the killed worker's database session is still there"
            time.sleep(0.05)
        while isinstance(records, str):
            records = json.loads(records)
        state, retry_now, invoices = query(
            db,
            """SELECT state, retry, (SELECT COUNT(*) FROM account_move WHERE recurring_invoice_id = ANY(%s))
                 FROM queue_job WHERE id = %s""",
            (records["ids"], job_id),
        )
        if state == "done" and retry_now == retry + 1:
            missed += 1  # it had committed just before the kill: not a job killed while running
            continue
        if state != "done":
            assert invoices == 0, "the killed job's invoices died with its transaction"
        return {
            "uuid": uuid,
            "retry": retry,
            "pid": pid,
            "template_ids": set(records["ids"]),
            "state_after_kill": state,
            "missed": missed,
        }
    pytest.fail(f"no running job could be killed in {timeout} s ({missed} kills too late)")


def test_a_worker_killed_while_running_a_job_leaves_it_to_the_runner_to_run_again(server):
    db = server.db
    _run(_worker(db, "setup", "Killed", TEMPLATES))
    before = _last_job_id(db)
    assert server.trigger() is True

    killed = _kill_a_running_job(server, before)
    _wait_for_jobs(db)
    jobs = _jobs(db, before)
    job = next(job for job in jobs if job["uuid"] == killed["uuid"])

    # The runner found the job dead (started, its lock free), requeued it, and it ran again to the end.
    assert f"Re-queued dead job with uuid: {killed['uuid']}" in server.log_text()
    assert job["state"] == "done"
    # Once for the requeue, once for the second run (a job run once ends with one more).
    assert job["retry"] >= killed["retry"] + 2
    # The master replaced the worker (2 HTTP workers and the runner again).
    deadline = time.monotonic() + 60
    while len(children := server.children()) != 3 or killed["pid"] in children:
        assert time.monotonic() < deadline, f"the server's workers: {children}"
        time.sleep(0.5)

    # Exactly once: every template invoiced once, the killed job's by its second run.
    assert len(jobs) == TEMPLATES // BATCH
    assert {job["state"] for job in jobs} == {"done"}
    assert _invoice_counts(db, "Killed") == (TEMPLATES, TEMPLATES, TEMPLATES)
    assert sum(job["invoiced"] for job in jobs) == TEMPLATES, [job["result"] for job in jobs]
    _assert_invoiced_by_done_jobs(db, "Killed", jobs)
    assert {
        uuid
        for (uuid,) in rows(
            db, "SELECT invoicing_job_uuid FROM recurring_invoice WHERE id = ANY(%s)", (list(killed["template_ids"]),)
        )
    } == {killed["uuid"]}
    print(
        f"\nkilled worker {killed['pid']} while it wrote the invoices of job {job['name']!r} (then "
        f"{killed['state_after_kill']!r}, {killed['missed']} kills too late before): requeued, "
        f"retry {job['retry']}, done"
    )

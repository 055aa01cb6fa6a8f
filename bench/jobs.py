"""P8: the daily invoicing run through OCA queue_job's runner with 2 workers vs the plain scheduled action.

One database of its own (account, our addons, queue_job; N templates due today, P1's shapes) is built
once; each side of each round runs on a fresh copy of it (``CREATE DATABASE ... TEMPLATE``), so both
start from identical states. Plain: the scheduled action in one process, queue_job off. Jobs: Odoo
with 2 HTTP workers and the job runner (``root:2``) on its own port; a process triggers the scheduled
action, which queues a job per batch of 100 templates, and the database is polled until every job is
done. Both sides must have created exactly one invoice per template, or the figure is an error.
"""

import contextlib
import heapq
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from . import cpu, database, odoo_cli
from .database import log

CAPACITY = 2  # HTTP workers and the root channel's capacity
MODULES = "account,recurring_interactions,recurring_invoices,queue_job"
POLL_SECONDS = 1.0


class JobsFailed(Exception):
    """The jobs side produced no figure (a failed job, a timeout, a server that did not start)."""


def _bench_env(**extra):
    root = str(Path(__file__).parent.parent)
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])), **extra)


def _port_in_use(port):
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Server:
    """``odoo --workers=2 --load=web,queue_job`` on one database, in its own process group."""

    def __init__(self, db, port, logfile):
        self.db, self.port, self.logfile = db, port, logfile
        self.proc = None

    def start(self, timeout=180):
        if _port_in_use(self.port):
            raise JobsFailed(f"port {self.port} is in use (choose another with --p8-port)")
        cmd = [
            sys.executable,
            "-m",
            "bench.odoo_cli",
            "-d",
            self.db,
            f"--db-filter=^{self.db}$",
            f"--workers={CAPACITY}",
            "--load=web,queue_job",
            "--max-cron-threads=0",
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            "--without-demo=all",
            # A job of 100 templates takes seconds; the defaults (60 s CPU, 120 s real) must not kill one
            # on a loaded machine.
            "--limit-time-cpu=600",
            "--limit-time-real=1200",
            "--log-level=warn",
            "--log-handler=odoo.addons.queue_job.jobrunner.runner:INFO",
            f"--logfile={self.logfile}",
        ]
        # No websocket (gevent) process: it serves the bus, not jobs, and where gevent cannot load its
        # plugins (setuptools 65 here) it fails and is restarted every second, taking a core from the workers.
        env = _bench_env(ODOO_QUEUE_JOB_CHANNELS=f"root:{CAPACITY}", **{odoo_cli.NO_WEBSOCKET_ENV: "1"})
        # What does not go through Odoo's logging (a child process that cannot start) lands in the log too.
        with open(self.logfile, "ab") as output:
            self.proc = subprocess.Popen(cmd, env=env, stdout=output, stderr=output, start_new_session=True)
        deadline = time.monotonic() + timeout
        ready = f"queue job runner ready for db {self.db}"
        answered = False
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise JobsFailed(f"the server exited {self.proc.returncode}: {self.tail()}")
            if not answered:
                answered = self._answers()
            # The runner starts 5 s after the workers: the jobs must not wait for it.
            if answered and ready in self._log():
                return
            time.sleep(0.5)
        raise JobsFailed(f"the server did not get ready in {timeout}s: {self.tail()}")

    def _answers(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/web/health", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def _log(self):
        try:
            return Path(self.logfile).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def tail(self, lines=8):
        return " / ".join(self._log().strip().splitlines()[-lines:])

    def cpu_snapshot(self):
        """CPU seconds of the server's processes, and of the PostgreSQL backends of its database."""
        result = database.psql(
            f"SELECT pid FROM pg_stat_activity WHERE datname = '{self.db}' AND backend_type = 'client backend'"
        )
        backends = [int(pid) for pid in result.stdout.split()]
        return cpu.snapshot(cpu.group_pids(self.proc.pid)), cpu.snapshot(backends)

    def errors(self):
        return [line for line in self._log().splitlines() if " ERROR " in line or " CRITICAL " in line]

    def stop(self):
        """Stop the whole process group (the main process, its workers, the runner)."""
        if not self.proc or self.proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # Forked workers may outlive the main process by a moment: the group must be empty.
        for _ in range(20):
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.5)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)


def _jobs(db):
    """The jobs of ``db``: (state, created, enqueued, started, done as epoch seconds, exec_time, retry)."""
    result = database.psql(
        "SELECT state, EXTRACT(EPOCH FROM date_created), EXTRACT(EPOCH FROM date_enqueued), "
        "EXTRACT(EPOCH FROM date_started), EXTRACT(EPOCH FROM date_done), exec_time, retry "
        "FROM queue_job ORDER BY id",
        db,
    )
    if result.returncode != 0:
        raise JobsFailed(f"reading queue_job failed: {result.stderr.strip()}")
    rows = []
    for line in result.stdout.splitlines():
        state, *numbers = line.split("|")
        rows.append((state, *[float(n) if n else None for n in numbers]))
    return rows


def _failed_jobs(db):
    result = database.psql(
        "SELECT COALESCE(exc_name, '') || ': ' || LEFT(REPLACE(COALESCE(exc_message, ''), E'\\n', ' '), 200) "
        "FROM queue_job WHERE state = 'failed' LIMIT 3",
        db,
    )
    return "; ".join(result.stdout.split("\n")).strip("; ")


def _invoices(db):
    result = database.psql(
        "SELECT COUNT(*), COUNT(DISTINCT recurring_invoice_id) FROM account_move "
        "WHERE recurring_invoice_id IS NOT NULL",
        db,
    )
    if result.returncode != 0:
        raise JobsFailed(f"counting the invoices failed: {result.stderr.strip()}")
    count, templates = result.stdout.strip().split("|")
    return int(count), int(templates)


def runner_overhead(jobs, started_at, committed_at):
    """What the runner adds per job, two ways.

    - dispatch: from the moment a job could start (the trigger's commit published it and one of the
      ``CAPACITY`` slots was free, i.e. the previous job on that slot was done) to its ``date_started``:
      the runner's notification, its HTTP call and the worker taking the job. Slots are replayed in the
      order the jobs started.
    - idle: ``(wall x CAPACITY - sum of exec_time) / jobs``, every second of worker capacity not spent
      performing a job, the trigger's own enqueuing included.

    ``date_enqueued`` is not used: queue_job truncates it to the second.
    """
    done = [job for job in jobs if job[3] is not None and job[4] is not None]
    if not done:
        return None, None
    slots = [committed_at] * CAPACITY
    waits = []
    for _state, _created, _enqueued, started, finished, _exec, _retry in sorted(done, key=lambda job: job[3]):
        free = heapq.heappop(slots)
        waits.append(started - max(free, committed_at))
        heapq.heappush(slots, finished)
    wall = max(job[4] for job in done) - started_at
    exec_sum = sum(job[5] or 0.0 for job in done)
    return sum(waits) / len(waits), (wall * CAPACITY - exec_sum) / len(done)


class P8:
    def __init__(self, args, run_worker):
        self.args = args
        self.run_worker = run_worker
        self.size = args.p8_size
        self.base = f"{args.db}_p8"
        self.filestore = None
        self.created = []
        self.timeout = max(300, 0.3 * self.size)

    def build(self):
        """The base database: account, our addons and queue_job; N partners and templates due today."""
        log(f"P8: creating database {self.base} ({MODULES})")
        self.created.append(self.base)
        ok, detail = database.odoo_install(self.base, MODULES, timeout=1200)
        names = ", ".join(f"'{name}'" for name in MODULES.split(","))
        states = database.psql(
            f"SELECT name || '=' || state FROM ir_module_module WHERE name IN ({names})", self.base
        ).stdout.split()
        missing = [m for m in MODULES.split(",") if f"{m}=installed" not in states]
        if missing:
            raise JobsFailed(f"installing {', '.join(missing)} failed: {detail}")
        if not ok:
            log(f"P8: {MODULES} installed with errors: {detail}")
        seed = self.run_worker(self.base, "seed", size=self.size, p4_size=0)
        if "error" in seed:
            raise JobsFailed(f"seeding failed: {seed['error']}")
        built = self.run_worker(self.base, "p8_templates", size=self.size, timeout=max(600, self.size))
        if "error" in built:
            raise JobsFailed(f"creating the templates failed: {built['error']}")
        if built["due"] != self.size or built["jobs"] or built["invoices"]:
            raise JobsFailed(
                f"the database is not as planned: {built['due']} templates due of {self.size}, "
                f"{built['jobs']} jobs, {built['invoices']} invoices"
            )
        self.filestore = Path(built["filestore"])
        database.psql("ANALYZE", self.base)
        return built

    def _copy(self, name):
        db = f"{self.base}_{name}"
        database.drop(db)
        database.copy(self.base, db)
        self.created.append(db)
        if self.filestore and self.filestore.is_dir():
            shutil.copytree(self.filestore, self.filestore.parent / db, dirs_exist_ok=True)
        return db

    def _drop(self, db):
        database.drop(db)
        if self.filestore:
            shutil.rmtree(self.filestore.parent / db, ignore_errors=True)
        if db in self.created:
            self.created.remove(db)

    def _check(self, db, side):
        count, templates = _invoices(db)
        if count != self.size or templates != self.size:
            raise JobsFailed(
                f"wrong result on the {side} side: {count:,} invoices of {templates:,} templates, "
                f"expected {self.size:,} of {self.size:,}"
            )

    def run_plain(self, db):
        result = self.run_worker(db, "p8_plain", timeout=self.timeout)
        if "error" in result:
            raise JobsFailed(f"plain side: {result['error']}")
        if result["jobs"]:
            raise JobsFailed(f"plain side: {result['jobs']} jobs were queued with queue_job off")
        self._check(db, "plain")
        keys = ("seconds", "count", "odoo_cpu", "pg_cpu", "peak_rss_mb")
        return {key: result.get(key) for key in keys}

    def run_jobs(self, db, index):
        logfile = Path(tempfile.gettempdir()) / f"{db}.log"
        server = Server(db, self.args.p8_port, str(logfile))
        try:
            log(f"P8: starting Odoo on port {self.args.p8_port} ({CAPACITY} workers, job runner root:{CAPACITY})")
            server.start()
            odoo_before, pg_before = server.cpu_snapshot()
            trigger = self.run_worker(db, "p8_trigger", timeout=self.timeout)
            if "error" in trigger:
                raise JobsFailed(f"jobs side, trigger: {trigger['error']}")
            expected_jobs = -(-self.size // 100)
            if trigger["templates_queued"] != self.size or trigger["jobs"] != expected_jobs:
                raise JobsFailed(
                    f"jobs side: {trigger['templates_queued']} templates queued in {trigger['jobs']} jobs, "
                    f"expected {self.size} in {expected_jobs}"
                )
            deadline = trigger["started_at"] + self.timeout
            while True:
                jobs = _jobs(db)
                states = {}
                for job in jobs:
                    states[job[0]] = states.get(job[0], 0) + 1
                if states.get("failed"):
                    raise JobsFailed(f"jobs side: {states['failed']} job(s) failed: {_failed_jobs(db)}")
                if states.get("done", 0) == len(jobs):
                    break
                if time.time() > deadline:
                    raise JobsFailed(f"jobs side: not done after {self.timeout:.0f}s ({states})")
                time.sleep(POLL_SECONDS)
            odoo_after, pg_after = server.cpu_snapshot()
            self._check(db, "jobs")
            dispatch, idle = runner_overhead(jobs, trigger["started_at"], trigger["committed_at"])
            seconds = max(job[4] for job in jobs) - trigger["started_at"]
            errors = server.errors()
            return {
                "seconds": seconds,
                "count": self.size,
                "jobs": len(jobs),
                "enqueue_seconds": trigger["committed_at"] - trigger["started_at"],
                "exec_seconds": sum(job[5] or 0.0 for job in jobs),
                "dispatch_mean": dispatch,
                "idle_per_job": idle,
                "enqueued_to_started_mean": _mean(
                    [job[3] - job[2] for job in jobs if job[2] is not None and job[3] is not None]
                ),
                # queue_job counts every attempt, the first one included.
                # The server's processes (workers, runner) and their backends, plus the trigger's.
                "odoo_cpu": _plus(cpu.used(odoo_before, odoo_after), trigger.get("odoo_cpu")),
                "pg_cpu": _plus(cpu.used(pg_before, pg_after), trigger.get("pg_cpu")),
                "retries": int(sum(max(0, (job[6] or 1) - 1) for job in jobs)),
                "server_errors": errors[-3:],
            }
        except JobsFailed as exc:
            tail = server.tail()
            raise JobsFailed(f"{exc} (server log: {tail})" if tail else str(exc)) from None
        finally:
            server.stop()
            if not self.args.keep_db:
                logfile.unlink(missing_ok=True)

    def measure(self):
        started = time.perf_counter()
        result = {"plain": {"runs": []}, "jobs": {"runs": []}, "expected": self.size}
        try:
            result["build"] = self.build()
            result["build_seconds"] = time.perf_counter() - started
            last_round = 0.0
            for index in range(self.args.repeat):
                elapsed = time.perf_counter() - started
                if index and self.args.p8_max_seconds and elapsed + last_round > self.args.p8_max_seconds:
                    log(f"P8: no round {index + 1}: {elapsed:.0f}s spent, a round takes {last_round:.0f}s")
                    break
                round_start = time.perf_counter()
                # Turn about, so that a change of load hits both sides alike.
                for side in ("plain", "jobs") if index % 2 == 0 else ("jobs", "plain"):
                    db = self._copy(f"{side}{index}")
                    try:
                        log(f"P8 round {index + 1}: {side} side on {db}")
                        run = self.run_plain(db) if side == "plain" else self.run_jobs(db, index)
                        log(
                            f"P8 round {index + 1}: {side} {run['seconds']:.1f}s, {run['count'] / run['seconds']:.1f}/s"
                        )
                        result[side]["runs"].append(run)
                    finally:
                        if not self.args.keep_db:
                            self._drop(db)
                last_round = time.perf_counter() - round_start
        except (JobsFailed, RuntimeError) as exc:
            log(f"P8: {exc}")
            result["error"] = f"failed: {exc}"[:400]
        finally:
            if not self.args.keep_db:
                for db in list(self.created):
                    self._drop(db)
            result["seconds"] = time.perf_counter() - started
        return result


def _plus(a, b):
    return None if a is None or b is None else a + b


def _mean(values):
    return sum(values) / len(values) if values else None


def measure(args, run_worker):
    """P8's result: {"plain": {"runs"}, "jobs": {"runs"}, "expected", ...} or an "error" entry."""
    if not database.ensure_queue_job():
        return {"error": f"not measured: OCA queue_job is not installed ({database.QUEUE_JOB_REQUIREMENT})"}
    return P8(args, run_worker).measure()

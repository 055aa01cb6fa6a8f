"""Helpers of the tests that build a database of their own (concurrency, crash, upgrade)."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import xmlrpc.client

import psycopg2
import pytest

# The only skip the suite allows (tests/conftest.py fails a run on any other): the slow tests that build a
# database of their own, skipped on purpose by whoever sets it. `.ci/run` refuses it.
SKIP_SLOW = "RECURRING_SKIP_SLOW"
SKIP_SLOW_REASON = f"{SKIP_SLOW} is set: the tests that build a database of their own are skipped on purpose"


def skip_unless_allowed():
    if os.environ.get(SKIP_SLOW):
        pytest.skip(SKIP_SLOW_REASON)


def drop(db):
    subprocess.run(["dropdb", "--if-exists", "--force", db], check=False, capture_output=True)


def rows(db, sql, params=()):
    """The rows of a query, on a connection closed at once (an open one would keep `db` from being dropped)."""
    conn = psycopg2.connect(dbname=db)
    try:
        with conn.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchall()
    finally:
        conn.close()


def query(db, sql, params=()):
    """The first row of a query, or None."""
    found = rows(db, sql, params)
    return found[0] if found else None


# For the child processes' scripts (prepended to them): `count` monthly templates named after `prefix`,
# each with one occurrence due today.
DUE_TEMPLATES = r"""
def create_due_templates(env, prefix, count):
    from odoo import Command

    env.company.partner_id.tz = "UTC"
    Template = env["recurring.invoice"]
    today = Template._get_today(env.company)
    partner = env["res.partner"].create({"name": f"{prefix} customer"})
    product = env["product.product"].create({"name": f"{prefix} service", "list_price": 10.0})
    Template.create([
        {
            "name": f"{prefix} {i}",
            "partner_id": partner.id,
            "rrule_type": "monthly",
            "month_by": "date",
            "day": today.day,
            "date_start": today,
            "end_type": "forever",
            "line_ids": [Command.create({"product_id": product.id, "name": "Service {month}", "price_unit": 10.0})],
        }
        for i in range(count)
    ])
"""


# The server, as the `odoo` command runs it but from a file: Odoo's master spawns its websocket process
# with `sys.argv[0]` (which `python -m odoo` makes unusable). That process serves the bus, not jobs, and
# where gevent cannot start (on these machines its monkey-patch plugin fails to resolve zope.interface)
# the master would respawn it every second, eating a CPU: the tests do not start it.
SERVER = r"""
import odoo.cli
from odoo.service import server

server.PreforkServer.long_polling_spawn = lambda self: None
odoo.cli.main()
"""


def free_port(ports=None):
    """A port that nobody listens on: the first free one of `ports`, or one the system picks (never 8069, which
    a demo or another run may hold)."""
    if ports is None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]
    for port in ports:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail(f"no free port in {ports.start}-{ports.stop - 1}")


class OdooServer:
    """A real Odoo server on `db`, on loopback, for tests that call it over XML-RPC as admin."""

    def __init__(self, db, directory, args=(), env=None, ports=None):
        self.db = db
        self.port = free_port(ports)
        self.log = directory / "odoo.log"
        launcher = directory / "odoo_server.py"
        launcher.write_text(SERVER)
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(launcher),
                *("-d", db, "--db-filter", f"^{db}$"),
                *("--http-interface", "127.0.0.1", "--http-port", str(self.port)),
                *("--logfile", str(self.log), "--log-level", "info"),
                *args,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def log_text(self):
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_ready(self, timeout=180, ready=None):
        """The server answers (and, when given, its log says `ready`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the server stopped:\n{self.log_text()[-3000:]}"
            if ready is None or ready in self.log_text():
                try:
                    xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common").version()
                except OSError:
                    pass
                else:
                    return
            time.sleep(0.5)
        pytest.fail(f"the server was not ready in {timeout} s:\n{self.log_text()[-3000:]}")

    def call(self, model, method, *args):
        uid = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common").authenticate(self.db, "admin", "admin", {})
        assert uid, "admin / admin logs in"
        proxy = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/object", allow_none=True)
        return proxy.execute_kw(self.db, uid, "admin", model, method, list(args))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=60)
        # Whatever is left of the server's own session (its workers): it was started by this test.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


def run_together(workers, timeout=900):
    """Start `workers` (processes that print "ready" once loaded, then wait for a line on their input) at the
    same moment; returns what each printed last, as JSON (when it started and ended, what it did)."""
    try:
        for process in workers:
            line = process.stdout.readline().strip()
            assert line in (b"ready", "ready"), process.stderr.read()[-3000:]
        for process in workers:
            process.stdin.write(b"go\n")
            process.stdin.flush()
        results = []
        for process in workers:
            out, err = process.communicate(timeout=timeout)
            assert process.returncode == 0, err[-3000:]
            results.append(json.loads(out.splitlines()[-1]))
        return results
    finally:
        for process in workers:
            if process.poll() is None:
                process.kill()
                process.wait()

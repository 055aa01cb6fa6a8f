"""The suite proves what it names (SPEC S10): a test that did not run fails the run.

Odoo skips a tour when Chromium or websocket-client is missing, a test skips what its database lacks: each
would leave the run green without checking what it names. Here every skipped test and every file that could
not be collected is listed at the end with its reason and the command that fixes it, and the run fails.

One skip is allowed, on purpose: RECURRING_SKIP_SLOW=1 skips the slow tests that build a database of their own
(`skip_slow()` in own_database.py); they are still listed, and `.ci/run` refuses the variable.
"""

import shlex
import sys

import pytest

from .own_database import SKIP_SLOW, SKIP_SLOW_REASON

# Words of a skip's (or collection error's) reason -> the command that fixes it.
FIXES = (
    ("websocket-client", f"{shlex.quote(sys.executable)} -m pip install websocket-client"),
    ("Chrome", "sudo apt-get install chromium (the tours run it headless; scripts/setup-env.sh installs it)"),
    ("chrome", "sudo apt-get install chromium (the tours run it headless; scripts/setup-env.sh installs it)"),
    ("--odoo-http", "scripts/run-tests.sh (it passes --odoo-http, which starts the server the tours need)"),
    ("queue_job", "scripts/setup-env.sh (it installs OCA queue_job of the series into the same Python)"),
    ("previous main", "git fetch --unshallow origin (or clone the repository with its history)"),
    ("No module named", f"{shlex.quote(sys.executable)} -m pip install -r requirements-dev.txt"),
    ("not installed in this database", "scripts/run-tests.sh (it installs what the suite needs)"),
)
UNKNOWN_FIX = "read the reason above; nothing in this suite may skip (RECURRING_SKIP_SLOW aside)"

INTERACTIONS_MARK = "interactions"
INVOICING_MARK = "needs_invoicing"


# (what, test or file, reason, skipped on purpose) of every test that did not run.
NOT_RUN = []


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        f"{INTERACTIONS_MARK}: about recurring_interactions alone; scripts/run-tests.sh runs it again on a database "
        "where recurring_interactions is installed without recurring_invoices, account or sale",
    )
    config.addinivalue_line(
        "markers", f"{INVOICING_MARK}: an interactions test that needs Invoicing (not run where it is not installed)"
    )


def _reason(report):
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # a skip: (path, line, "Skipped: reason")
        return longrepr[2].removeprefix("Skipped: ")
    text = str(longrepr).strip()
    errors = [line[1:].strip() for line in text.splitlines() if line.startswith("E ")]
    return errors[-1] if errors else text.splitlines()[-1] if text else "unknown"


def _fix(reason):
    return next((fix for words, fix in FIXES if words in reason), UNKNOWN_FIX)


def _record(report, what):
    reason = _reason(report)
    NOT_RUN.append((what, report.nodeid or str(report.fspath), reason, reason == SKIP_SLOW_REASON))


def pytest_collectreport(report):
    if report.failed:
        _record(report, "not collected")


def pytest_runtest_logreport(report):
    # A skip in set-up (a skipped class or fixture) or in the test itself; xfail is not used here.
    if report.skipped and not hasattr(report, "wasxfail"):
        _record(report, "skipped")


def _failing():
    return [entry for entry in NOT_RUN if not entry[3]]


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    if _failing() and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not NOT_RUN:
        return
    failing = _failing()
    write = terminalreporter.write_line
    if failing:
        terminalreporter.section("tests that did not run: the run fails", sep="=", red=True, bold=True)
    else:
        terminalreporter.section(f"skipped on purpose ({SKIP_SLOW} is set)", sep="=", yellow=True)
    for what, nodeid, reason, on_purpose in NOT_RUN:
        write(f"{what.upper()} {nodeid}")
        write(f"    why: {reason}")
        write(f"    fix: {f'unset {SKIP_SLOW}' if on_purpose else _fix(reason)}")
    if failing:
        write(f"{len(failing)} test(s) or file(s) did not run: the run fails until they do.", red=True, bold=True)

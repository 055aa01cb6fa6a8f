"""Upgrading from the previous release: a database made by the previous main keeps every record (S7).

The previous main's addons are taken from git (``PREVIOUS_MAIN``), installed into a throwaway
database of their own with data made by that code (recurrences with done and open interactions,
templates and their invoices), then ``-u`` runs with the addons of this checkout. A clone that lacks that
commit (shallow, single-branch) fetches it from its origin; a clone that cannot fails, saying why.
RECURRING_SKIP_SLOW=1 skips it on purpose, like the other tests that build their own database.
"""

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

from .own_database import drop, query, rows, skip_unless_allowed

# The main this release was built on; move it forward when a release lands.
PREVIOUS_MAIN = "4e2f527f5efee2ddd9038e4ed8be762679d661c8"  # in full: a shallow clone fetches it
ROOT = Path(__file__).resolve().parent.parent
ADDONS = "recurring_interactions,recurring_invoices"

# Runs the previous main's code: its addons first on odoo.addons' path, then an Odoo command or data task.
LAUNCHER = r"""
import sys
import odoo.addons
paths = odoo.addons.__path__
if isinstance(paths, list):  # 18.0
    paths.insert(0, sys.argv[1])
else:  # 19.0: a namespace path, frozen as Odoo freezes it (odoo/modules/module.py initialize_sys_path)
    paths._path.insert(0, sys.argv[1])
    paths._path_finder = lambda *args: None
if sys.argv[2] == "odoo":
    import odoo.cli
    sys.argv = ["odoo", *sys.argv[3:]]
    odoo.cli.main()
    sys.exit(0)
import odoo.modules.registry, odoo.tools  # 19.0: a submodule loads the framework, `import odoo` does not
from datetime import timedelta
from odoo import SUPERUSER_ID, Command, api
odoo.tools.config.parse_config(["-d", sys.argv[3], "--log-level=warn", "--no-http"])
registry = odoo.modules.registry.Registry(sys.argv[3])
with registry.cursor() as cr:
    env = api.Environment(cr, SUPERUSER_ID, {"tz": "UTC"})
    env.company.partner_id.tz = "UTC"
    today = env["recurring.interaction"]._get_today(env.company)
    partner = env["res.partner"].create({"name": "Upgrade customer"})
    recurrence = env["recurring.interaction"].create({
        "name": "Upgrade follow-up", "res_model_id": env["ir.model"]._get_id("res.partner"), "res_id": partner.id,
        "rrule_type": "daily", "date_start": today, "end_type": "count", "count": 10, "plan_ahead": "all",
    })
    recurrence.action_generate()
    # Saved and never generated: the previous main read it "In progress".
    env["recurring.interaction"].create({
        "name": "Upgrade never planned", "res_model_id": env["ir.model"]._get_id("res.partner"),
        "res_id": partner.id, "rrule_type": "weekly", "mon": True, "date_start": today, "end_type": "forever",
    })
    recurrence.interaction_ids.sorted("date_deadline")[:2]._action_done()
    product = env["product.product"].create({"name": "Upgrade service", "list_price": 10.0})
    templates = env["recurring.invoice"].create([{
        "name": f"Upgrade template {i}", "partner_id": partner.id, "rrule_type": "monthly", "month_by": "date",
        "day": today.day, "date_start": today - timedelta(days=62), "end_type": "forever",
        "line_ids": [Command.create({"product_id": product.id, "name": "Service {month}", "price_unit": 10.0})],
    } for i in range(3)])
    templates.action_generate()
    templates._cron_create_invoices()
    # A monthly rent of 100 from next month: the previous main counted it as revenue.
    env["recurring.invoice"].create({
        "name": "Upgrade rent", "move_type": "in_invoice", "partner_id": partner.id, "rrule_type": "monthly",
        "month_by": "date", "day": 1, "date_start": today.replace(day=1) + timedelta(days=32), "end_type": "forever",
        "line_ids": [Command.create({"name": "Rent {month}", "price_unit": 100.0})],
    })
    cr.commit()
"""

COUNTS = """
    SELECT (SELECT COUNT(*) FROM recurring_interaction),
           (SELECT COUNT(*) FROM recurring_invoice),
           (SELECT COUNT(*) FROM recurring_invoice_line),
           (SELECT COUNT(*) FROM account_move WHERE recurring_invoice_id IS NOT NULL),
           (SELECT COUNT(*) FROM mail_activity WHERE recurring_interaction_id IS NOT NULL AND active),
           (SELECT COUNT(*) FROM mail_activity WHERE recurring_interaction_id IS NOT NULL AND NOT active),
           (SELECT COUNT(*) FROM mail_activity WHERE res_model = 'recurring.invoice')
"""


def _git(root, *args):
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)


def _fetch_previous_main(root):
    """Make PREVIOUS_MAIN present in the clone at `root`: a shallow or single-branch clone lacks it. Returns
    None, or why it cannot."""
    if not _git(root, "cat-file", "-e", f"{PREVIOUS_MAIN}^{{commit}}").returncode:
        return None
    if _git(root, "remote", "get-url", "origin").returncode:
        return f"the previous main {PREVIOUS_MAIN} is not in this clone's history, which has no origin to fetch it from"
    # The one commit only (a shallow clone stays shallow; a full one keeps its history whole).
    shallow = _git(root, "rev-parse", "--is-shallow-repository").stdout.decode().strip() == "true"
    fetch = _git(root, "fetch", "--quiet", "--no-tags", *(["--depth=1"] if shallow else []), "origin", PREVIOUS_MAIN)
    if fetch.returncode:
        return (
            f"the previous main {PREVIOUS_MAIN} is not in this clone's history and "
            f"`git fetch origin {PREVIOUS_MAIN}` failed: {fetch.stderr.decode().strip()}"
        )
    return None


def _previous_addons(target, root=ROOT):
    """The previous main's two addons, extracted from git into `target`; fails saying why git cannot give them."""
    missing = _fetch_previous_main(root)
    if missing:
        pytest.fail(f"{missing}. Fix: git fetch --unshallow origin (or clone the repository with its history)")
    archive = _git(root, "archive", "--format=tar", PREVIOUS_MAIN, "recurring_interactions", "recurring_invoices")
    assert archive.returncode == 0, archive.stderr.decode()
    path = Path(target, "archive.tar")
    path.write_bytes(archive.stdout)
    with tarfile.open(path) as tar:
        tar.extractall(target, filter="data")
    return target


def _previous(addons, *args):
    result = subprocess.run(
        [sys.executable, "-c", LAUNCHER, addons, *args], capture_output=True, timeout=900, check=False
    )
    assert result.returncode == 0, result.stderr.decode()[-3000:]


@pytest.fixture(scope="module")
def previous_database():
    skip_unless_allowed()
    db = f"recurring_upgrade_{os.getpid()}"
    drop(db)
    with tempfile.TemporaryDirectory(prefix="recurring_previous_") as tmp:
        # Its manifests are series-free (1.4.0 and 1.3.0): the same previous main installs on 18.0 and 19.0.
        addons = _previous_addons(tmp)
        try:
            _previous(addons, "odoo", "-d", db, "-i", ADDONS, "--without-demo=all", "--stop-after-init", "--no-http")
            _previous(addons, "data", db)
            yield db
        finally:
            drop(db)


def test_upgrade_from_the_previous_main_keeps_every_record(previous_database):
    db = previous_database
    before = query(db, COUNTS)
    assert before[0] == 2 and before[1] == 4 and before[3] >= 9, before
    assert before[5] == 2, "two interactions were done under the previous main"
    states = "SELECT name, state FROM recurring_interaction ORDER BY name"
    assert rows(db, states) == [("Upgrade follow-up", "ending"), ("Upgrade never planned", "in_progress")]
    bill = "SELECT recurring_monthly FROM recurring_invoice WHERE move_type = 'in_invoice'"
    assert query(db, bill) == (100,), "the previous main counted a bill as revenue"
    upgrade = subprocess.run(
        [sys.executable, "-m", "odoo", "-d", db, "-u", ADDONS, "--stop-after-init", "--no-http"],
        capture_output=True,
        timeout=900,
        check=False,
    )
    assert upgrade.returncode == 0, upgrade.stderr.decode()[-3000:]

    assert query(db, COUNTS) == before, "an upgrade keeps every recurrence, template, invoice and interaction"
    # A recurrence never generated now reads "Not planned yet"; a generated one (ten days) is still ending.
    assert rows(db, states) == [("Upgrade follow-up", "ending"), ("Upgrade never planned", "draft")]
    assert query(db, "SELECT value FROM ir_config_parameter WHERE key = 'recurring_interactions.use_queue_job'") == (
        "True",
    )
    # The recurring revenue of the templates made before (monthly, 10.0 untaxed) is computed by the upgrade.
    revenue = "SELECT COUNT(*) FROM recurring_invoice WHERE recurring_monthly = 10 AND recurring_yearly = 120"
    assert query(db, revenue) == (3,)
    # A bill is a cost: no revenue, its own monthly and yearly cost.
    bill = "SELECT recurring_monthly, recurring_yearly, cost_monthly, cost_yearly FROM recurring_invoice"
    assert query(db, bill + " WHERE move_type = 'in_invoice'") == (0, 0, 100, 1200)
    assert query(db, bill + " WHERE move_type = 'out_invoice' LIMIT 1") == (10, 120, 0, 0)
    # Nothing is paid automatically until someone chooses a method.
    assert query(db, "SELECT COUNT(*) FROM recurring_invoice WHERE payment_token_id IS NOT NULL") == (0,)


def test_a_shallow_single_branch_clone_fetches_the_previous_main(tmp_path):
    """CI clones main whole, a person may clone it with --depth 1: the previous main is fetched from the origin."""
    head = _git(ROOT, "rev-parse", "HEAD").stdout.decode().strip()
    clone = tmp_path / "clone"
    subprocess.run(["git", "init", "--quiet", str(clone)], check=True, capture_output=True)
    # A clone of this commit alone, as `git clone --depth 1 --single-branch` makes it.
    for args in (("remote", "add", "origin", f"file://{ROOT}"), ("fetch", "--quiet", "--depth=1", "origin", head)):
        assert _git(clone, *args).returncode == 0
    assert _git(clone, "rev-parse", "--is-shallow-repository").stdout.decode().strip() == "true"
    assert _git(clone, "cat-file", "-e", f"{PREVIOUS_MAIN}^{{commit}}").returncode, "the clone lacks it"

    (tmp_path / "addons").mkdir()
    addons = _previous_addons(tmp_path / "addons", root=clone)
    manifest = Path(addons, "recurring_invoices", "__manifest__.py").read_text()
    assert manifest == _git(ROOT, "show", f"{PREVIOUS_MAIN}:recurring_invoices/__manifest__.py").stdout.decode()
    assert _git(clone, "rev-parse", "--is-shallow-repository").stdout.decode().strip() == "true"


def test_a_clone_that_cannot_fetch_the_previous_main_fails_saying_why(tmp_path):
    clone = tmp_path / "clone"
    head = _git(ROOT, "rev-parse", "HEAD").stdout.decode().strip()
    subprocess.run(["git", "init", "--quiet", str(clone)], check=True, capture_output=True)
    assert _git(clone, "fetch", "--quiet", "--depth=1", f"file://{ROOT}", head).returncode == 0
    with pytest.raises(pytest.fail.Exception, match=r"has no origin to fetch it from\. Fix: git fetch --unshallow"):
        _previous_addons(tmp_path, root=clone)

"""Automatic payment exactly once for real (issue 26, SPEC S11): two runs charging at the same time.

Runs commit, so this cannot run in a test transaction: the test builds a throwaway database with Odoo's demo
provider, posts invoices of templates paid automatically without charging them (a run stopped between posting and
charging), then starts two scheduled runs in separate processes: the first charges and holds its transaction
open until the second has run in full, so the work overlaps in time; PostgreSQL then counts the transactions.
RECURRING_SKIP_SLOW=1 skips it on purpose, like the other tests that build their own database.
"""

import os
import subprocess
import sys

import pytest

from .own_database import DUE_TEMPLATES, drop, query, skip_unless_allowed

WORKER = (
    DUE_TEMPLATES
    + r"""
import os, sys, time
import odoo.modules.registry, odoo.tools  # 19.0: a submodule loads the framework, `import odoo` does not
from odoo import SUPERUSER_ID, api

db, task, prefix, flags = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]


def wait_for(name):
    deadline = time.monotonic() + 300
    while not os.path.exists(os.path.join(flags, name)):
        assert time.monotonic() < deadline, f"{name} never came"
        time.sleep(0.05)


def say(name):
    open(os.path.join(flags, name), "w").close()


odoo.tools.config.parse_config(["-d", db, "--log-level=warn", "--no-http"])
registry = odoo.modules.registry.Registry(db)
with registry.cursor() as cr:
    env = api.Environment(cr, SUPERUSER_ID, {"tz": "UTC"})
    Template = env["recurring.invoice"]
    Move = type(env["account.move"])
    if task == "setup":
        create_due_templates(env, prefix, int(sys.argv[5]))
        provider = env.ref("payment.payment_provider_demo")
        provider.write({"state": "test", "allow_tokenization": True})
        templates = Template.search([("name", "like", f"{prefix} %")])
        token = env["payment.token"].create({
            "provider_id": provider.id,
            "payment_method_id": env.ref("payment_demo.payment_method_demo").id,
            "partner_id": templates.partner_id.id,
            "payment_details": "4242",
            "provider_ref": f"{prefix}-card",
            "demo_simulated_state": "done",
        })
        templates.write({"invoice_action": "post", "payment_token_id": token.id})
        # Posted, not charged: as when a run stops between posting and charging.
        charge = Move._recurring_charge
        Move._recurring_charge = lambda self: self.env["payment.transaction"]
        Template._cron_create_invoices()
        Move._recurring_charge = charge
    elif task == "first":
        charged = Template._cron_charge_invoices()
        print(len(charged))
        say("first-charged")
        wait_for("second-done")  # the transaction stays open, its invoices locked, while the second runs
    elif task == "second":
        wait_for("first-charged")
        charged = Template._cron_charge_invoices()
        print(len(charged))
        cr.commit()
        say("second-done")
    elif task == "again":
        print(len(Template._cron_charge_invoices()))
    cr.commit()
"""
)


def _worker(db, task, prefix, flags, *extra):
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, db, task, prefix, str(flags), *map(str, extra)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _run(workers):
    outputs = []
    for process in workers:
        out, err = process.communicate(timeout=900)
        assert process.returncode == 0, err.decode()[-3000:]
        outputs.append(out.decode().strip())
    return outputs


@pytest.fixture(scope="module")
def own_database():
    skip_unless_allowed()
    db = f"recurring_payment_concurrency_{os.getpid()}"
    drop(db)
    try:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "odoo",
                "-d",
                db,
                "-i",
                "recurring_invoices,payment_demo",
                "--without-demo=all",
                "--stop-after-init",
                "--no-http",
            ],
            check=True,
            capture_output=True,
            timeout=900,
        )
        yield db
    finally:
        drop(db)


def _charges(db, prefix):
    """(invoices, transactions, invoices paid) of the templates named prefix%."""
    return query(
        db,
        """
        SELECT COUNT(DISTINCT m.id), COUNT(rel.transaction_id),
               COUNT(DISTINCT m.id) FILTER (WHERE m.payment_state IN ('paid', 'in_payment'))
          FROM account_move m
          JOIN recurring_invoice t ON t.id = m.recurring_invoice_id
          LEFT JOIN account_invoice_transaction_rel rel ON rel.invoice_id = m.id
         WHERE t.name LIKE %s
        """,
        (prefix + " %",),
    )


def test_a_concurrent_second_run_charges_nothing_more(own_database, tmp_path):
    db = own_database
    _run([_worker(db, "setup", "Charged", tmp_path, 30)])
    assert _charges(db, "Charged") == (30, 0, 0), "posted, not charged yet"
    first = _worker(db, "first", "Charged", tmp_path)
    second = _worker(db, "second", "Charged", tmp_path)
    first_out, second_out = _run([first, second])
    # The second run ran in full while the first held its charges uncommitted (the flags say so): it skipped them.
    assert (first_out, second_out) == ("30", "0")
    assert _charges(db, "Charged") == (30, 30, 30), "each invoice charged once, and paid"
    # A later run finds nothing to charge.
    assert _run([_worker(db, "again", "Charged", tmp_path)]) == ["0"]
    assert _charges(db, "Charged") == (30, 30, 30)

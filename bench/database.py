"""The benchmark's own database: created with the addons and the peers, dropped at the end."""

import os
import subprocess
import sys

from odoo.release import series as SERIES

# OCA's releases of the Odoo series that runs the benchmark.
CONTRACT_REQUIREMENT = f"odoo-addon-contract>={SERIES},<{SERIES[:-2]}.1"
QUEUE_JOB_REQUIREMENT = f"odoo-addon-queue_job>={SERIES},<{SERIES[:-2]}.1"
BASE_MODULES = "account,contract,recurring_interactions"
OUR_INVOICE_MODULE = "recurring_invoices"


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _odoo_importable():
    check = subprocess.run(
        [sys.executable, "-c", "import odoo.release, odoo.modules; print(odoo.release.version)"],
        capture_output=True,
        text=True,
        check=False,
    )
    return check.returncode == 0, (check.stdout or check.stderr).strip()


def _importable(module):
    """Whether the addon is installed (found, not imported: outside Odoo its own dependencies may not be)."""
    code = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({module!r}) is None)"
    check = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    return check.returncode == 0


def _ensure_oca_wheel(requirement, module):
    """Install an OCA addon of the series from PyPI if missing, without letting pip touch our Odoo.

    Its requirement ``odoo==<series>.*`` is one PyPI cannot satisfy (and must not: a wheel of ``odoo``
    or a namespace-only ``odoo/addons`` would shadow the editable Odoo), hence ``--no-deps``.
    """
    if _importable(module):
        return True
    log(f"installing {requirement} (--no-deps)")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", requirement],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        log(f"pip failed: {result.stderr.strip()[-500:]}")
    ok, detail = _odoo_importable()
    if not ok:
        log(f"WARNING: `import odoo.release` fails after installing the wheel: {detail[-300:]}")
    return _importable(module)


def ensure_contract():
    """OCA contract of the series, the peer of P1-P3 (its dependencies base, account, product, portal are Odoo's)."""
    return _ensure_oca_wheel(CONTRACT_REQUIREMENT, "odoo.addons.contract")


def ensure_queue_job():
    """OCA queue_job 18.0, the job runner of P8 (its Python dependency ``requests`` is one of Odoo's)."""
    return _ensure_oca_wheel(QUEUE_JOB_REQUIREMENT, "odoo.addons.queue_job")


def psql(sql, db="postgres"):
    return subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-tAc", sql],
        capture_output=True,
        text=True,
        check=False,
    )


def odoo_install(db, modules, timeout):
    """``odoo -i`` in its own process; returns (ok, tail of the log)."""
    cmd = [
        sys.executable,
        "-m",
        "bench.odoo_cli",
        "-d",
        db,
        "-i",
        modules,
        "--without-demo=all",
        "--stop-after-init",
        "--no-http",
        "--log-level=warn",
    ]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return False, "timeout"
    errors = [line for line in result.stderr.splitlines() if " ERROR " in line or " CRITICAL " in line]
    return result.returncode == 0 and not errors, "\n".join((errors or result.stderr.splitlines())[-5:])


def module_states(db):
    names = "'account', 'contract', 'recurring_interactions', 'recurring_invoices'"
    result = psql(f"SELECT name || '=' || state FROM ir_module_module WHERE name IN ({names})", db)
    return dict(line.split("=", 1) for line in result.stdout.split() if "=" in line)


def create(db):
    """Create ``db`` with account (generic chart), OCA contract, our addons; returns the installed set."""
    log(f"creating database {db} (account, contract, recurring_interactions)")
    ok, detail = odoo_install(db, BASE_MODULES, timeout=900)
    states = module_states(db)
    if not ok or any(states.get(m) != "installed" for m in BASE_MODULES.split(",")):
        raise RuntimeError(f"installing {BASE_MODULES} failed: {detail}")
    # Our invoice addon is installed on its own: while it is being written, a failure must not
    # take the rest of the benchmark with it.
    log(f"installing {OUR_INVOICE_MODULE}")
    ok, detail = odoo_install(db, OUR_INVOICE_MODULE, timeout=600)
    states = module_states(db)
    if states.get(OUR_INVOICE_MODULE) != "installed":
        log(f"{OUR_INVOICE_MODULE} not installed: {detail}")
        psql("UPDATE ir_module_module SET state = 'uninstalled' WHERE state IN ('to install', 'to upgrade')", db)
    elif not ok:
        log(f"{OUR_INVOICE_MODULE} installed with errors: {detail}")
    return states


def copy(source, target):
    """``target`` as a copy of ``source`` (no session may be open on ``source``); raises on failure."""
    result = psql(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    if result.returncode != 0:
        raise RuntimeError(f"could not copy {source} to {target}: {result.stderr.strip()}")


def drop(db):
    if not db.startswith("bench_"):  # never anything we did not create
        return
    psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}' AND pid <> pg_backend_pid()")
    result = psql(f'DROP DATABASE IF EXISTS "{db}"')
    if result.returncode != 0:
        log(f"could not drop {db}: {result.stderr.strip()}")
    else:
        log(f"dropped {db}")


def freeze_addons(target):
    """Copy our two addons, as installed now, to ``target``; every process of the run loads this copy."""
    import importlib.util
    import shutil

    for addon in ("recurring_interactions", OUR_INVOICE_MODULE):
        spec = importlib.util.find_spec(f"odoo.addons.{addon}")
        if spec is None or not spec.submodule_search_locations:
            log(f"{addon} is not installed: run `make install`")
            continue
        source = next(iter(spec.submodule_search_locations))
        shutil.copytree(source, os.path.join(target, addon), ignore=shutil.ignore_patterns("__pycache__"))
    os.environ["BENCH_ADDONS"] = target
    log(f"addons frozen in {target}")


def default_name():
    return f"bench_{os.getpid()}"

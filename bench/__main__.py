"""``python3 -m bench``: the side-by-side benchmark of SPEC section 3 (``make bench``).

Builds its own database, measures each figure in its own process (``bench.worker``) at least
``--repeat`` times, prints one table (also written to ``bench/last_run.md``) and exits 0 whatever
the result: it is a measurement, not a test. P8 (``bench.jobs``) builds a database of its own with
OCA queue_job and runs an Odoo server with 2 workers beside the plain scheduled action.
"""

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from . import database, jobs
from .database import log
from .report import build_rows, odoo_version, render
from .worker import RESULT_PREFIX

FIGURES = ("P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8")
# Scaled down from the 1,000 templates and 1,000 recurrences: on this 2-core machine, shared
# with two developers, the ORM creates about 10-20 invoices and 500 activities per second, so the
# full scale takes about an hour. Both are flags; the table says what was measured.
DEFAULT_SIZE = 100
DEFAULT_P4_SIZE = 100
DEFAULT_P8_PORT = 8270


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size",
        type=int,
        default=DEFAULT_SIZE,
        help=f"templates of each kind, one-line and five-line (default {DEFAULT_SIZE}: fits 15 min on 2 busy cores; "
        "1000 is the issue's scale)",
    )
    parser.add_argument("--large", action="store_true", help="also measure P2 at 10x --size")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each figure; the median is shown")
    parser.add_argument("--only", default=",".join(FIGURES), help="figures to measure, e.g. P1,P4")
    parser.add_argument(
        "--p4-size",
        type=int,
        default=DEFAULT_P4_SIZE,
        help=f"weekly one-year recurrences of P4, 52 activities each (default {DEFAULT_P4_SIZE}; 1000 is the SPEC's)",
    )
    parser.add_argument(
        "--p6-size", type=int, default=10000, help="records matching the filter recurrence of P6 (SPEC: 10,000)"
    )
    parser.add_argument(
        "--p7-size", type=int, default=1000, help="recurrences expanded with and without a working schedule (P7)"
    )
    parser.add_argument(
        "--p4-max-seconds", type=float, default=0, help="start no new P4 round after this (0: no limit)"
    )
    parser.add_argument(
        "--p8-size",
        type=int,
        default=2000,
        help="templates due today invoiced by P8's daily run, through queue_job's runner with 2 workers "
        "and by the plain scheduled action in one process (default 2000)",
    )
    parser.add_argument(
        "--p8-port",
        type=int,
        default=DEFAULT_P8_PORT,
        help=f"HTTP port of P8's Odoo server (default {DEFAULT_P8_PORT})",
    )
    parser.add_argument(
        "--p8-max-seconds",
        type=float,
        default=600,
        help="start no new P8 round (both sides) that would end after this, counted from P8's start, "
        "its database included (default 600; 0: no limit)",
    )
    parser.add_argument("--db", default=None, help="database to create (bench_<pid> by default; dropped at the end)")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database (debugging)")
    parser.add_argument(
        "--output", default=str(Path(__file__).parent / "last_run.md"), help="where the table is written too"
    )
    args = parser.parse_args(argv)
    args.only = {f.strip().upper() for f in args.only.split(",") if f.strip()}
    unknown = args.only - set(FIGURES)
    if unknown:
        parser.error(f"unknown figure(s) {', '.join(sorted(unknown))}; choose among {', '.join(FIGURES)}")
    args.repeat = max(1, args.repeat)
    args.db = args.db or database.default_name()
    if not args.db.startswith("bench_"):
        parser.error("the database name must start with bench_")
    return args


def run_worker(db, task, timeout=3600, **options):
    """Run one measurement in its own process; returns its JSON result (or an error entry)."""
    cmd = [sys.executable, "-m", "bench.worker", db, task]
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is True:
            cmd.append(flag)
        elif value not in (None, False):
            cmd += [flag, str(value)]
    log(f"{task} {' '.join(cmd[5:])}")
    start = time.perf_counter()
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(filter(None, [str(Path(__file__).parent.parent), os.environ.get("PYTHONPATH")])),
    )
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"not measured: timed out after {timeout}s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            result = json.loads(line[len(RESULT_PREFIX) :])
            break
    else:
        result = {"error": f"failed: worker exited {proc.returncode}"}
    if "error" in result:
        tail = "\n".join(proc.stderr.strip().splitlines()[-8:])
        log(f"{task}: {result['error']}\n{tail}")
    result["wall"] = time.perf_counter() - start
    log(f"{task} done in {result['wall']:.0f}s")
    return result


def machine():
    try:
        with open("/proc/meminfo") as meminfo:
            mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
        ram = f"{mem_kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        ram = "RAM unknown"
    cpu = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    load = os.getloadavg()
    return f"{os.cpu_count()} cores ({cpu}), {ram}, Python {platform.python_version()}, load {load[0]:.1f} at the start"


def measure(args):
    results = {"modules": {}}
    only = args.only
    n = args.size
    if only - {"P8"}:  # P8 builds a database of its own
        results["modules"] = database.create(args.db)
        partners = max(2 * n * (10 if args.large and "P2" in only else 1), args.p4_size)
        results["seed"] = run_worker(args.db, "seed", size=partners, p4_size=args.p4_size)
        # Statistics as any database in use has them (autovacuum has not run yet on a new one).
        database.psql("ANALYZE", args.db)
    have_ours = results["modules"].get(database.OUR_INVOICE_MODULE) == "installed"

    common = {"size": n, "repeat": args.repeat, "mix": "1,5"}
    if only & {"P1", "P2", "P3"}:
        # Peers first, ours last: our runs commit their invoices, so ours meets the largest tables.
        results["bare"] = run_worker(args.db, "bare", **common)
        results["oca"] = run_worker(args.db, "oca", **common)
        if "P1" in only:
            # Context only (no bar) and the slowest peer: bounded so the run stays under 15 minutes.
            results["autopost"] = run_worker(
                args.db, "autopost", timeout=max(300, 6 * n), max_seconds=max(120, 2 * n), **common
            )
        results["ours"] = (
            run_worker(args.db, "ours", **common)
            if have_ours
            else {"error": "not measured: recurring.invoice not installed"}
        )
    if "P2" in only and args.large:
        results["ours_large"] = (
            run_worker(args.db, "ours", size=10 * n, repeat=args.repeat, mix="1,5", timeout=4 * 3600)
            if have_ours
            else {"error": "not measured: recurring.invoice not installed"}
        )
    if "P4" in only:
        p4 = run_worker(
            args.db, "activities", p4_size=args.p4_size, repeat=args.repeat, max_seconds=args.p4_max_seconds or None
        )
        for variant in ("bare", "ours", "bare_regen", "ours_regen"):
            results[f"p4_{variant}"] = p4.get(variant) or {"error": p4.get("error", "not measured")}
    if "P5" in only:
        results["preview"] = run_worker(args.db, "preview", repeat=args.repeat, lines=5)
    if "P6" in only:
        results["p6"] = run_worker(args.db, "filter", p6_size=args.p6_size, repeat=args.repeat)
    if "P7" in only:
        results["p7"] = run_worker(args.db, "working_days", p7_size=args.p7_size, repeat=args.repeat)
    if "P8" in only:
        results["p8"] = jobs.measure(args, run_worker)
    return results


def main(argv=None):
    args = parse_args(argv)
    started = time.perf_counter()
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    host = machine()

    def on_term(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    results = {}
    frozen = tempfile.mkdtemp(prefix=f"{args.db}_addons_")
    try:
        if args.only - {"P8"} and not database.ensure_contract():
            log("OCA contract could not be installed: its rows will say so")
        database.freeze_addons(frozen)
        results = measure(args)
    except Exception as exc:  # a measurement: report what failed, never a traceback as the result
        log(f"benchmark aborted: {type(exc).__name__}: {exc}")
        results.setdefault("error", f"{type(exc).__name__}: {exc}")
    finally:
        if not args.keep_db:
            database.drop(args.db)
        shutil.rmtree(frozen, ignore_errors=True)
    elapsed = time.perf_counter() - started
    rows = build_rows(results, args)
    header = [
        f"# make bench: {stamp}",
        "",
        f"Machine: {host}. Odoo {odoo_version()}, PostgreSQL 15 (local).",
        f"Run: --size {args.size} (templates of each kind: one-line and five-line), --repeat {args.repeat} "
        f"(median shown), P4 on {args.p4_size} weekly one-year recurrences, "
        + (f"P8 on {args.p8_size} templates, " if "P8" in args.only else "")
        + f"figures {','.join(sorted(args.only))}; took {elapsed / 60:.1f} min.",
        "",
    ]
    if results.get("error"):
        header += [f"Aborted: {results['error']}", ""]
    text = "\n".join(header) + render(rows) + "\n"
    print(text)
    try:
        Path(args.output).write_text(text, encoding="utf-8")
        raw = json.dumps(
            {"args": {k: sorted(v) if isinstance(v, set) else v for k, v in vars(args).items()}, "results": results},
            indent=1,
            default=str,
        )
        Path(args.output).with_suffix(".json").write_text(raw, encoding="utf-8")
    except OSError as exc:
        log(f"could not write last_run.md: {exc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

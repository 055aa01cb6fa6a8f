"""From the workers' results to the one table: figure | ours | peer | limit | ratio | SPEC bar | met?"""

import statistics


def odoo_version():
    """The series measured (the Odoo that runs the benchmark)."""
    from odoo.release import series

    return series


NA = "—"


def _runs(result):
    if not result or "error" in result:
        return None
    return result.get("runs") or None


def _error(result, default="not measured"):
    if result is None:
        return default
    return result.get("error", default)


def _median(runs, key):
    values = [run[key] for run in runs if run.get(key) is not None]
    return statistics.median(values) if values else None


def rate(result):
    """Items per second (median over the runs) and the item count of a run."""
    runs = _runs(result)
    if not runs:
        return None
    per_run = [run["count"] / run["seconds"] for run in runs if run["seconds"] > 0 and run["count"]]
    return statistics.median(per_run) if per_run else None


def count(result):
    runs = _runs(result)
    return _median(runs, "count") if runs else None


def queries_per_item(result):
    runs = _runs(result)
    if not runs:
        return None
    per_run = [run["queries"] / run["count"] for run in runs if run["count"]]
    return statistics.median(per_run) if per_run else None


def seconds(result, key):
    runs = (result or {}).get(key)
    if not runs:
        return None
    return statistics.median(run["seconds"] for run in runs)


def _fmt(value, unit="", digits=1):
    if value is None:
        return NA
    if isinstance(value, str):
        return value
    return f"{value:,.{digits}f}{unit}"


def _ratio(a, b):
    if a is None or b is None or not b:
        return None
    return a / b


def _met(value, ok):
    if value is None:
        return "not measured"
    return "yes" if ok(value) else "NO"


def _cell(value, result, unit="", digits=1):
    """A number, or why there is none (never a made-up number); flags runs that did less than asked."""
    if value is None:
        return _error(result)
    text = _fmt(value, unit, digits)
    expected = (result or {}).get("expected")
    made = [run["count"] for run in _runs(result) or []]
    if expected and made and min(made) < expected:
        text += f" (only {min(made):,} of {expected:,} created)"
    if REQUESTED_RUNS and made and len(made) < REQUESTED_RUNS:
        text += f" ({len(made)} of {REQUESTED_RUNS} runs: time limit)"
    return text


REQUESTED_RUNS = 0


def build_rows(results, args):
    global REQUESTED_RUNS
    REQUESTED_RUNS = args.repeat
    rows = []
    n = args.size
    only = args.only
    ours, oca, bare, autopost = (results.get(k) for k in ("ours", "oca", "bare", "autopost"))
    population = f"{n:,} one-line + {n:,} five-line"
    if "P1" in only:
        r_ours, r_oca, r_bare = rate(ours), rate(oca), rate(bare)
        ratio = _ratio(r_ours, r_bare)
        rows.append(
            (
                f"P1 invoices/s, {population} monthly templates due today (peer: OCA contract cron)",
                _cell(r_ours, ours),
                _cell(r_oca, oca),
                _cell(r_bare, bare),
                _fmt(ratio, "x", 2) + " of bare" if ratio else NA,
                ">= 0.9x bare",
                _met(ratio, lambda v: v >= 0.9),
            )
        )
        ratio = _ratio(r_ours, r_oca)
        rows.append(
            (
                f"P1 ours vs OCA contract {odoo_version()} scheduled action (same contracts)",
                _cell(r_ours, ours),
                _cell(r_oca, oca),
                NA,
                _fmt(ratio, "x", 2) + " of OCA" if ratio else NA,
                ">= 1.3x OCA",
                _met(ratio, lambda v: v >= 1.3),
            )
        )
        r_auto = rate(autopost)
        ratio = _ratio(r_ours, r_auto)
        rows.append(
            (
                "P1 vs Odoo recurring entries (auto_post monthly: post N drafts + copy each; peer does more work)",
                _cell(r_ours, ours),
                _cell(r_auto, autopost),
                NA,
                _fmt(ratio, "x", 2) + " of auto_post" if ratio else NA,
                "none (context)",
                NA,
            )
        )
    if "P2" in only:
        per_n = _inverse(rate(ours))
        rows.append(
            (
                f"P2 ms per invoice at {2 * n:,} invoices",
                _cell(_ms(per_n), ours),
                _cell(_ms(_inverse(rate(oca))), oca),
                _cell(_ms(_inverse(rate(bare))), bare),
                NA,
                "reference for 10x",
                NA,
            )
        )
        large = results.get("ours_large")
        if not args.large:
            large = {"error": "not measured: run with --large"}
        per_large = _inverse(rate(large))
        ratio = _ratio(per_large, per_n)
        rows.append(
            (
                f"P2 ms per invoice at {20 * n:,} invoices (10x)",
                _cell(_ms(per_large), large),
                NA,
                NA,
                _fmt(ratio, "x", 2) + " of 1x" if ratio else NA,
                "<= 1.15x of 1x",
                _met(ratio, lambda v: v <= 1.15),
            )
        )
        rss_n = _rss(ours)
        rss_large = _rss(large)
        ratio = _ratio(rss_large, rss_n)
        rows.append(
            (
                "P2 peak RSS MB of the process (1x; 10x in ratio)",
                _cell(rss_n, ours, digits=0) + (f" / {rss_large:,.0f} at 10x" if rss_large else ""),
                _cell(_rss(oca), oca, digits=0),
                _cell(_rss(bare), bare, digits=0),
                _fmt(ratio, "x", 2) + " 10x/1x" if ratio else NA,
                "bounded (10x <= 1.5x of 1x)",
                _met(ratio, lambda v: v <= 1.5),
            )
        )
    if "P3" in only:
        q = queries_per_item(ours)
        rows.append(
            (
                "P3 SQL queries per generated invoice (cr.sql_log_count)",
                _cell(q, ours),
                _cell(queries_per_item(oca), oca),
                _cell(queries_per_item(bare), bare),
                NA,
                "<= 10 (OCA ~17.5)",
                _met(q, lambda v: v <= 10),
            )
        )
    if "P4" in only:
        p4 = {k: results.get(f"p4_{k}") for k in ("bare", "ours", "bare_regen", "ours_regen")}
        generated = count(p4["ours"]) or count(p4["bare"])
        label = f"{args.p4_size:,} weekly one-year recurrences" + (
            f", {generated:,.0f} activities" if generated else ""
        )
        r_ours, r_bare = rate(p4["ours"]), rate(p4["bare"])
        ratio = _ratio(r_ours, r_bare)
        rows.append(
            (
                f"P4 activities/s, action_generate() on {label} (limit: bare mail.activity.create)",
                _cell(r_ours, p4["ours"], digits=0),
                NA,
                _cell(r_bare, p4["bare"], digits=0),
                _fmt(ratio, "x", 2) + " of bare" if ratio else NA,
                ">= 0.8x bare",
                _met(ratio, lambda v: v >= 0.8),
            )
        )
        r_ours, r_bare = rate(p4["ours_regen"]), rate(p4["bare_regen"])
        ratio = _ratio(r_ours, r_bare)
        rows.append(
            (
                "P4 regeneration after Wed -> Thu, activities/s (limit: bare unlink + create)",
                _cell(r_ours, p4["ours_regen"], digits=0),
                NA,
                _cell(r_bare, p4["bare_regen"], digits=0),
                _fmt(ratio, "x", 2) + " of bare" if ratio else NA,
                "none (context)",
                NA,
            )
        )
        q = queries_per_item(p4["ours"])
        rows.append(
            (
                "P4 SQL queries per 1,000 activities (generate)",
                _cell(q * 1000 if q is not None else None, p4["ours"], digits=0),
                NA,
                _cell(_per_k(queries_per_item(p4["bare"])), p4["bare"], digits=0),
                NA,
                "none (context)",
                NA,
            )
        )
    if "P5" in only:
        preview = results.get("preview") or {}
        t_print = seconds(preview, "peer")
        t_ours = seconds(preview, "ours") if "ours" in preview else None
        ratio = _ratio(t_ours, t_print)
        ours_cell = _fmt(t_ours, " s", 2) if t_ours is not None else _error(preview)
        rows.append(
            (
                "P5 action_preview() vs printing a draft invoice of the same 5 lines (account.account_invoices)",
                ours_cell,
                _fmt(t_print, " s", 2) if t_print is not None else _error(preview),
                NA,
                _fmt(ratio, "x", 2) + " of print" if ratio else NA,
                "<= 1.5x print",
                _met(ratio, lambda v: v <= 1.5),
            )
        )
    if "P6" in only:
        p6 = results.get("p6") or {}
        errors = {"error": p6["error"]} if "error" in p6 else {}
        p6_ours, p6_bare = {"runs": p6.get("ours"), **errors}, {"runs": p6.get("bare"), **errors}
        r_ours, r_bare = rate(p6_ours), rate(p6_bare)
        ratio = _ratio(r_ours, r_bare)
        q = queries_per_item(p6_ours)
        rows.append(
            (
                f"P6 activities/s, a filter recurrence over {args.p6_size:,} partners planning its day "
                "(limit: bare mail.activity.create of the same)"
                + (f"; {q * 1000:,.0f} SQL queries per 1,000 activities" if q is not None else ""),
                _cell(r_ours, p6_ours, digits=0),
                NA,
                _cell(r_bare, p6_bare, digits=0),
                _fmt(ratio, "x", 2) + " of bare" if ratio else NA,
                ">= 0.8x bare",
                _met(ratio, lambda v: v >= 0.8),
            )
        )
    if "P7" in only:
        p7 = results.get("p7") or {}
        t_with, t_without = seconds(p7, "with"), seconds(p7, "without")
        ratio = _ratio(t_with, t_without)
        queries = _median(p7["with"], "queries") if p7.get("with") else None
        rows.append(
            (
                f"P7 expanding {args.p7_size:,} recurrences (Wed and Sat, 104 dates each) on working days of a "
                "schedule with 3 public holidays (next working day) vs the plain rule"
                + (f"; {queries:,.0f} SQL queries" if queries is not None else ""),
                _fmt(t_with, " s", 2) if t_with is not None else _error(p7),
                NA,
                _fmt(t_without, " s", 2) if t_without is not None else _error(p7),
                _fmt(ratio, "x", 2) + " of plain" if ratio else NA,
                "<= 2x plain",
                _met(ratio, lambda v: v <= 2),
            )
        )
    if "P8" in only:
        rows.append(_p8_row(results.get("p8") or {}, args))
    return rows


def _p8_row(p8, args):
    """Jobs (ours) vs the plain scheduled action (peer); what the runner costs per job, and CPU per invoice."""
    errors = {"error": p8["error"]} if "error" in p8 else {}
    jobs, plain = {**(p8.get("jobs") or {}), **errors}, {**(p8.get("plain") or {}), **errors}
    r_jobs, r_plain = rate(jobs), rate(plain)
    ratio = _ratio(r_jobs, r_plain)
    runs = _runs(jobs) or []
    dispatch, idle = _median(runs, "dispatch_mean"), _median(runs, "idle_per_job")
    notes = []
    if dispatch is not None and idle is not None:
        notes.append(
            f"per job the runner adds {dispatch:.2f} s (from a free worker to the job started) and leaves "
            f"{idle:.2f} s of capacity idle ((wall x 2 - Σ exec_time) / {_median(runs, 'jobs'):.0f} jobs, "
            "the queuing included)"
        )
    cpu_jobs, cpu_plain = _cpu_ms(jobs), _cpu_ms(plain)
    if cpu_jobs and cpu_plain:
        notes.append(
            f"CPU ms per invoice, Odoo + PostgreSQL: {cpu_jobs[0]:.0f} + {cpu_jobs[1]:.0f} jobs, "
            f"{cpu_plain[0]:.0f} + {cpu_plain[1]:.0f} plain"
        )
    half = args.p8_size // 2
    return (
        f"P8 invoices/s, the daily run on {args.p8_size:,} templates due today ({args.p8_size - half:,} one-line + "
        f"{half:,} five-line): queue_job, jobs of 100 on 2 HTTP workers (root:2), vs the plain scheduled action "
        "in 1 process" + "".join(f"; {note}" for note in notes),
        _cell(r_jobs, jobs),
        _cell(r_plain, plain),
        NA,
        _fmt(ratio, "x", 2) + " of plain" if ratio else NA,
        ">= 1.5x plain (2 cores)",
        _met(ratio, lambda v: v >= 1.5),
    )


def _cpu_ms(result):
    """(Odoo, PostgreSQL) CPU milliseconds per item, medians over the runs; None where not measured."""
    runs = [run for run in _runs(result) or [] if run.get("odoo_cpu") is not None and run.get("pg_cpu") is not None]
    if not runs:
        return None
    return tuple(statistics.median(1000 * run[key] / run["count"] for run in runs) for key in ("odoo_cpu", "pg_cpu"))


def _inverse(value):
    return 1 / value if value else None


def _ms(value):
    return value * 1000 if value is not None else None


def _per_k(value):
    return value * 1000 if value is not None else None


def _rss(result):
    if not result or "error" in result:
        return None
    return result.get("peak_rss_mb")


HEADERS = ("figure", "ours", "peer", "limit", "ratio", "SPEC bar", "met?")


def render(rows):
    def esc(cell):
        return str(cell).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "|".join(" --- " for _ in HEADERS) + "|"]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)

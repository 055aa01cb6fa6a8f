"""One measurement in its own process: ``python3 -m bench.worker DB TASK [options]``.

A process per measurement gives each figure its own peak RSS (``ru_maxrss`` only grows) and keeps
a failure local. The result is printed as one JSON line prefixed by ``BENCH_RESULT``.

Every timed region ends with a flush, so that deferred ORM writes are counted where they belong.
Peers that do not commit are measured on the same data, repeated inside a savepoint rolled back
after each run; our scheduled action commits, so each of its runs gets fresh templates.
"""

import argparse
import json
import resource
import sys
import time
import traceback
from datetime import timedelta

RESULT_PREFIX = "BENCH_RESULT "

LINE_PRODUCTS = 5  # products of the five-line invoices


def _peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class Timer:
    """Wall time and SQL queries (``cr.sql_log_count``, Odoo's own counter) of a block."""

    def __init__(self, env):
        self.env = env

    def __enter__(self):
        from odoo import sql_db

        self.q0 = self.env.cr.sql_log_count
        self.g0 = sql_db.sql_counter  # every cursor of the process, in case a cursor of its own is used
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        from odoo import sql_db

        self.env.flush_all()
        self.seconds = time.perf_counter() - self.t0
        self.queries = self.env.cr.sql_log_count - self.q0
        self.all_queries = sql_db.sql_counter - self.g0
        return False

    def result(self, count, **extra):
        return {
            "seconds": self.seconds,
            "queries": self.queries,
            "all_queries": self.all_queries,
            "count": count,
            **extra,
        }


# ----------------------------------------------------------------------
# Shared master data
# ----------------------------------------------------------------------
def _master(env):
    """Partners, products and the sales tax created by the ``seed`` task."""
    Partner = env["res.partner"].with_context(active_test=False)
    partners = Partner.search([("ref", "=like", "BENCH-%")], order="id")
    products = env["product.product"].search([("default_code", "=like", "BENCH-%")], order="default_code")
    tax = products[:1].taxes_id[:1]
    journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", env.company.id)], limit=1)
    return partners, products, tax, journal


def task_seed(env, args):
    """Partners (one per template), five products with the company's sales tax; report URL pinned."""
    company = env.company
    if not company.chart_template:
        env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
    tax = env["account.tax"].search(
        [("type_tax_use", "=", "sale"), ("company_id", "=", company.id), ("amount_type", "=", "percent")], limit=1
    )
    size = max(args.size, args.p4_size)
    env["res.partner"].create([{"name": f"Bench Customer {i}", "ref": f"BENCH-{i:06d}"} for i in range(size)])
    env["product.product"].create(
        [
            {
                "name": f"Bench Service {i}",
                "default_code": f"BENCH-{i}",
                "type": "service",
                "list_price": 10.0 * (i + 1),
                "taxes_id": [(6, 0, tax.ids)],
            }
            for i in range(LINE_PRODUCTS)
        ]
    )
    # wkhtmltopdf fetches the report CSS from report.url: point it at a closed port so that a
    # server another developer runs on 8069 does not take part in the measurement.
    env["ir.config_parameter"].set_param("report.url", "http://127.0.0.1:9")
    env.cr.commit()
    return {"partners": size, "tax": tax.display_name, "chart": company.chart_template}


def _line_specs(products, tax, lines):
    return [
        {
            "product": products[i],
            "name": f"{products[i].name} (monthly)",
            "quantity": 1.0 + i,
            "price_unit": 100.0 + 10 * i,
            "discount": 5.0 if i % 2 else 0.0,
            "tax": tax,
        }
        for i in range(lines)
    ]


def _population(env, args):
    """(partner, line specs) of each template: ``--size`` of each line count of ``--mix``."""
    partners, products, tax, journal = _master(env)
    mix = [int(n) for n in args.mix.split(",")]
    pairs = []
    for index, lines in enumerate(mix):
        chunk = partners[args.offset + index * args.size : args.offset + (index + 1) * args.size]
        specs = _line_specs(products, tax, lines)
        pairs += [(partner, specs) for partner in chunk]
    return pairs, journal


def _line_commands(specs):
    """The same lines for a bare invoice and for one of our templates."""
    return [
        (
            0,
            0,
            {
                "product_id": s["product"].id,
                "name": s["name"],
                "quantity": s["quantity"],
                "price_unit": s["price_unit"],
                "discount": s["discount"],
                "tax_ids": [(6, 0, s["tax"].ids)],
            },
        )
        for s in specs
    ]


def _invoice_vals(env, partner, journal, specs, today, **extra):
    return {
        "move_type": "out_invoice",
        "partner_id": partner.id,
        "journal_id": journal.id,
        "currency_id": env.company.currency_id.id,
        "invoice_user_id": _user(env).id,
        "invoice_date": today,
        "invoice_line_ids": _line_commands(specs),
        **extra,
    }


def _user(env):
    """The salesperson and assignee of everything: the administrator (the cron runs as superuser)."""
    return env.ref("base.user_admin")


def _today(env):
    from odoo import fields

    return fields.Date.context_today(env["res.partner"])


WORKER_START = time.perf_counter()
MAX_SECONDS = None  # --max-seconds: no new run starts after that (one run at least)


def _time_left():
    return MAX_SECONDS is None or time.perf_counter() - WORKER_START < MAX_SECONDS


def _repeat_in_savepoint(env, repeat, run):
    """Run ``run()`` ``repeat`` times on the same data, rolling each run back."""
    results = []
    for index in range(repeat):
        if index and not _time_left():
            break
        savepoint = env.cr.savepoint(flush=True)
        try:
            results.append(run())
        finally:
            savepoint.close(rollback=True)
            env.invalidate_all(flush=False)
    return results


def _take_turns(env, repeat, variants):
    """{name: runs}: the variants take turns in each round, so that a change of load hits them alike."""
    runs = {name: [] for name in variants}
    for index in range(repeat):
        if index and not _time_left():
            break
        for name, run in variants.items():
            runs[name] += _repeat_in_savepoint(env, 1, run)
    return runs


# ----------------------------------------------------------------------
# P1 / P2 / P3: invoices
# ----------------------------------------------------------------------
def task_bare(env, args):
    """The limit: one batched ``account.move.create`` of the same invoices."""
    population, journal = _population(env, args)
    today = _today(env)
    vals_list = [_invoice_vals(env, p, journal, specs, today) for p, specs in population]

    # The same creation context as our scheduled action uses (no "created" log note, no follower
    # subscription): the limit must not do work the measured code legitimately skips.
    Move = env["account.move"].with_context(
        default_move_type="out_invoice", mail_create_nolog=True, mail_create_nosubscribe=True
    )

    def run():
        with Timer(env) as timer:
            moves = Move.create(vals_list)
        return timer.result(len(moves))

    return {"runs": _repeat_in_savepoint(env, args.repeat, run)}


def task_oca(env, args):
    """OCA contract's scheduled action on equivalent monthly contracts due today."""
    from odoo import Command

    population, journal = _population(env, args)
    today = _today(env)
    Contract = env["contract.contract"]
    contracts = Contract.create(
        [
            {
                "name": f"Bench contract {p.ref}",
                "partner_id": p.id,
                "journal_id": journal.id,
                "user_id": _user(env).id,
                "line_recurrence": False,
                "recurring_rule_type": "monthly",
                "recurring_interval": 1,
                "recurring_invoicing_type": "pre-paid",
                "date_start": today,
                "contract_line_ids": [
                    Command.create(
                        {
                            "product_id": s["product"].id,
                            "name": s["name"],
                            "quantity": s["quantity"],
                            "uom_id": s["product"].uom_id.id,
                            "price_unit": s["price_unit"],
                            "discount": s["discount"],
                            "recurring_rule_type": "monthly",
                            "recurring_interval": 1,
                            "date_start": today,
                            "recurring_next_date": today,
                        }
                    )
                    for s in specs
                ],
            }
            for p, specs in population
        ]
    )
    env.flush_all()
    due = Contract.search_count([("id", "in", contracts.ids), ("recurring_next_date", "<=", today)])

    def run():
        before = env["account.move"].search_count([])
        with Timer(env) as timer:
            Contract.cron_recurring_create_invoice()
        created = env["account.move"].search_count([]) - before
        return timer.result(created)

    return {"runs": _repeat_in_savepoint(env, args.repeat, run), "expected": due}


def task_autopost(env, args):
    """Odoo's recurring entries: posting N drafts with auto_post='monthly', each spawning its next copy."""
    population, journal = _population(env, args)
    today = _today(env)
    vals_list = [_invoice_vals(env, p, journal, specs, today, auto_post="monthly") for p, specs in population]
    drafts = env["account.move"].create(vals_list)
    env.flush_all()
    Move = env["account.move"]

    def run():
        with Timer(env) as timer:
            # The scheduled action posts 100 moves per call and re-triggers itself: loop like the cron would.
            due = [("id", "in", drafts.ids), ("state", "=", "draft"), ("auto_post", "!=", "no")]
            left = Move.search_count(due)
            while left:
                Move._autopost_draft_entries()
                left, before = Move.search_count(due), left
                if left >= before:  # no progress: the cron would stop here too
                    break
        copies = Move.search_count([("auto_post_origin_id", "in", drafts.ids), ("id", "not in", drafts.ids)])
        posted = Move.search_count([("id", "in", drafts.ids), ("state", "=", "posted")])
        return timer.result(copies, posted=posted)

    return {"runs": _repeat_in_savepoint(env, args.repeat, run), "expected": len(vals_list)}


def _template_vals(env, partner, journal, specs, today):
    vals = {
        "name": f"Bench template {partner.ref}",
        "partner_id": partner.id,
        "journal_id": journal.id,
        "currency_id": env.company.currency_id.id,
        "user_id": _user(env).id,
        "rrule_type": "monthly",
        "interval": 1,
        "month_by": "date",
        "day": today.day,
        "end_type": "forever",
        "date_start": today,
        "line_ids": _line_commands(specs),
    }
    fields_ = env["recurring.invoice"]._fields
    return {key: value for key, value in vals.items() if key in fields_}


def task_ours(env, args):
    """Our scheduled action on N templates due today; it commits in batches, so fresh templates per run."""
    if "recurring.invoice" not in env:
        return {"error": "not measured: recurring.invoice not installed"}
    today = _today(env)
    Template = env["recurring.invoice"]
    Move = env["account.move"]
    runs = []
    for index in range(args.repeat):
        if index and not _time_left():
            break
        # Fresh templates each run (customers are reused: the previous run's templates are not due any more).
        population, journal = _population(env, args)
        templates = Template.create([_template_vals(env, p, journal, specs, today) for p, specs in population])
        env.cr.commit()
        with Timer(env) as timer:
            Template._cron_create_invoices()
        env.cr.commit()
        created = Move.search_count([("recurring_invoice_id", "in", templates.ids)])
        runs.append(timer.result(created))
        env.invalidate_all()
    return {"runs": runs, "expected": len(population)}


# ----------------------------------------------------------------------
# P8: the daily run through OCA queue_job's runner vs the plain scheduled action (bench/jobs.py)
# ----------------------------------------------------------------------
USE_QUEUE_JOB = "recurring_interactions.use_queue_job"


def task_p8_templates(env, args):
    """P8's database: ``--size`` templates due today, one-line and five-line in turn (P1's shapes)."""
    from odoo.tools import config

    if "queue.job" not in env:
        return {"error": "not measured: queue_job is not installed in the database"}
    partners, products, tax, journal = _master(env)
    today = _today(env)
    Template = env["recurring.invoice"]
    specs = {lines: _line_specs(products, tax, lines) for lines in (1, 5)}
    for start in range(0, args.size, 500):
        chunk = range(start, min(start + 500, args.size))
        Template.create(
            [_template_vals(env, partners[i], journal, specs[1 if i % 2 == 0 else 5], today) for i in chunk]
        )
        env.cr.commit()
    return {
        "templates": Template.search_count([]),
        "due": Template.search_count([("next_invoice_date", "<=", today)]),
        "jobs": env["queue.job"].search_count([]),
        "invoices": env["account.move"].search_count([("recurring_invoice_id", "!=", False)]),
        "filestore": config.filestore(env.cr.dbname),
    }


def _p8_invoices(env):
    """(invoices of templates, templates invoiced) in the database, as committed."""
    env.cr.execute(
        "SELECT COUNT(*), COUNT(DISTINCT recurring_invoice_id) FROM account_move WHERE recurring_invoice_id IS NOT NULL"
    )
    return env.cr.fetchone()


def _p8_backends(env):
    """The PostgreSQL backends serving this database (this process's included)."""
    env.cr.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'"
    )
    return [row[0] for row in env.cr.fetchall()]


def task_p8_plain(env, args):
    """P8, plain side: the scheduled action in this one process (it commits per batch of 100), queue_job off."""
    from . import cpu

    env["ir.config_parameter"].set_param(USE_QUEUE_JOB, "False")
    env.cr.commit()
    Template = env["recurring.invoice"]
    pg_before = cpu.snapshot(_p8_backends(env))
    odoo_before = time.process_time()
    start = time.perf_counter()
    Template._cron_create_invoices()
    env.cr.commit()
    seconds = time.perf_counter() - start
    odoo_cpu = time.process_time() - odoo_before
    pg_cpu = cpu.used(pg_before, cpu.snapshot(_p8_backends(env)))
    invoices, templates = _p8_invoices(env)
    return {
        "seconds": seconds,
        "count": invoices,
        "templates_invoiced": templates,
        "jobs": env["queue.job"].search_count([]),
        "odoo_cpu": odoo_cpu,
        "pg_cpu": pg_cpu,
    }


def task_p8_trigger(env, args):
    """P8, jobs side: the scheduled action queues its jobs and commits; the server's job runner runs them.

    Returns the wall-clock times (epoch seconds, comparable with queue_job's UTC dates) of the trigger
    and of the commit that publishes the jobs.
    """
    from . import cpu

    env["ir.config_parameter"].set_param(USE_QUEUE_JOB, "True")
    env.cr.commit()
    Template = env["recurring.invoice"]
    env.cr.execute("SELECT pg_backend_pid()")
    backend = env.cr.fetchone()[0]
    pg_before = cpu.snapshot([backend])
    odoo_before = time.process_time()
    started_at = time.time()
    queued = Template._cron_create_invoices()
    env.cr.commit()
    committed_at = time.time()
    odoo_cpu = time.process_time() - odoo_before
    pg_cpu = cpu.used(pg_before, cpu.snapshot([backend]))
    invoices, _templates = _p8_invoices(env)
    return {
        "started_at": started_at,
        "committed_at": committed_at,
        "odoo_cpu": odoo_cpu,
        "pg_cpu": pg_cpu,
        "templates_queued": queued,
        "jobs": env["queue.job"].search_count([]),
        "invoices_at_commit": invoices,
    }


# ----------------------------------------------------------------------
# P4: activities
# ----------------------------------------------------------------------
def _recurrences(env, args):
    partners = _master(env)[0][: args.p4_size]
    today = _today(env)
    # Start on the next Wednesday so every one of the 52 occurrences is in the future.
    start = today + timedelta(days=(2 - today.weekday()) % 7 or 7)
    Recurrence = env["recurring.interaction"].with_context(tracking_disable=True, mail_create_nolog=True)
    model_id = env["ir.model"]._get_id("res.partner")
    recurrences = Recurrence.create(
        [
            {
                "name": f"Weekly call {p.ref}",
                "res_model_id": model_id,
                "res_id": p.id,
                "rrule_type": "weekly",
                "wed": True,
                "end_type": "count",
                "count": 52,
                "date_start": start,
                # The SPEC's figure: all 52 at once (a new recurrence plans only the next 14 days by default).
                "plan_ahead": "all",
                "user_id": _user(env).id,
            }
            for p in partners
        ]
    )
    env.flush_all()
    return recurrences


def task_activities(env, args):
    """P4: action_generate() vs a bare batched mail.activity.create, and the regeneration after Wed -> Thu."""
    recurrences = _recurrences(env, args)
    Activity = env["mail.activity"]
    today = _today(env)

    def bare_vals(recs):
        targets = recs._get_target_due_dates(today)
        return [
            dict(rec._prepare_activity_values(nominal), date_deadline=due)
            for rec in recs
            for nominal, due in targets[rec].items()
        ]

    def run_bare():
        vals_list = bare_vals(recurrences)  # the dates are given: the limit only creates
        with Timer(env) as timer:
            created = Activity.with_context(mail_activity_quick_update=True).create(vals_list)
        return timer.result(len(created))

    def run_bare_regen():
        Activity.with_context(mail_activity_quick_update=True).create(bare_vals(recurrences))
        env.flush_all()
        recurrences.write({"wed": False, "thu": True})
        env.flush_all()
        vals_list = bare_vals(recurrences)
        with Timer(env) as timer:
            old = Activity.search([("recurring_interaction_id", "in", recurrences.ids)])
            old.unlink()
            created = Activity.with_context(mail_activity_quick_update=True).create(vals_list)
        return timer.result(len(created), removed=len(old))

    def run_ours():
        with Timer(env) as timer:
            recurrences.action_generate()
        count = Activity.search_count([("recurring_interaction_id", "in", recurrences.ids)])
        return timer.result(count)

    def run_ours_regen():
        recurrences.action_generate()
        env.flush_all()
        with Timer(env) as timer:
            recurrences.write({"wed": False, "thu": True})
            recurrences.action_generate()
        count = Activity.search_count([("recurring_interaction_id", "in", recurrences.ids)])
        return timer.result(count)

    variants = {"bare": run_bare, "ours": run_ours, "bare_regen": run_bare_regen, "ours_regen": run_ours_regen}
    runs = _take_turns(env, args.repeat, variants)
    expected = sum(len(targets) for targets in recurrences._get_target_due_dates(today).values())
    return {
        name: {"runs": name_runs, "expected": expected, "recurrences": len(recurrences)}
        for name, name_runs in runs.items()
    }


# ----------------------------------------------------------------------
# P6: a recurrence over a live filter
# ----------------------------------------------------------------------
def task_filter(env, args):
    """P6: a filter recurrence over N partners planning its day's N activities vs a bare batched create."""
    today = _today(env)
    tag = env["res.partner.category"].create({"name": "Bench quote sent"})
    Partner = env["res.partner"].with_context(tracking_disable=True, mail_create_nolog=True)
    partners = Partner.create(
        [{"name": f"Bench filter {i}", "category_id": [(4, tag.id)]} for i in range(args.p6_size)]
    )
    Recurrence = env["recurring.interaction"].with_context(tracking_disable=True, mail_create_nolog=True)
    recurrence = Recurrence.create(
        {
            "name": "Bench re-contact the customers who received a quote",
            "target_mode": "filter",
            "res_model_id": env["ir.model"]._get_id("res.partner"),
            "filter_domain": str([("category_id", "in", [tag.id])]),
            "rrule_type": "daily",
            "end_type": "forever",
            "date_start": today,
            "plan_ahead": "window",
            "plan_ahead_days": 0,
            "user_id": _user(env).id,
        }
    )
    env.flush_all()
    Activity = env["mail.activity"]

    def run_bare():
        vals_list = [
            dict(recurrence._prepare_activity_values(today), res_id=partner_id) for partner_id in partners.ids
        ]  # the records are given: the limit only creates
        # The limit only creates: the records' names, which each activity stores, are read beforehand
        # in one go (Odoo alone reads them one record at a time, 1 query per activity).
        env.invalidate_all()
        partners.mapped("display_name")
        with Timer(env) as timer:
            created = Activity.with_context(mail_activity_quick_update=True).create(vals_list)
        return timer.result(len(created))

    def run_ours():
        env.invalidate_all()
        with Timer(env) as timer:
            recurrence.action_generate()
        return timer.result(Activity.search_count([("recurring_interaction_id", "=", recurrence.id)]))

    runs = _take_turns(env, args.repeat, {"bare": run_bare, "ours": run_ours})
    return {**runs, "records": len(partners)}


# ----------------------------------------------------------------------
# P7: working days
# ----------------------------------------------------------------------
def task_working_days(env, args):
    """P7: expanding N recurrences on working days of a schedule with public holidays, vs the plain rule."""
    partner = _master(env)[0][:1]
    today = _today(env)
    calendar = env.company.resource_calendar_id
    # Three public holidays in the year to come, as Settings > Working Schedules stores them.
    env["resource.calendar.leaves"].create(
        [
            {
                "name": f"Bench holiday {offset}",
                "calendar_id": calendar.id,
                "date_from": f"{today + timedelta(days=offset)} 00:00:00",
                "date_to": f"{today + timedelta(days=offset)} 23:59:59",
            }
            for offset in (30, 120, 240)
        ]
    )
    Recurrence = env["recurring.interaction"].with_context(tracking_disable=True, mail_create_nolog=True)
    # Wednesday and Saturday for a year: half of the 104 dates fall on a weekend and move.
    recurrences = Recurrence.create(
        [
            {
                "name": f"Call {index}",
                "res_model_id": env["ir.model"]._get_id("res.partner"),
                "res_id": partner.id,
                "rrule_type": "weekly",
                "wed": True,
                "sat": True,
                "end_type": "count",
                "count": 104,
                "date_start": today,
                "user_id": _user(env).id,
                "resource_calendar_id": calendar.id,
            }
            for index in range(args.p7_size)
        ]
    )
    env.flush_all()

    def expand(mode):
        def run():
            recurrences.write({"non_working_days": mode})
            env.flush_all()
            env.invalidate_all()
            with Timer(env) as timer:
                occurrences = recurrences._get_occurrence_pairs()
            return timer.result(sum(len(pairs) for pairs in occurrences.values()))

        return run

    runs = _take_turns(env, args.repeat, {"without": expand("keep"), "with": expand("next")})
    return {**runs, "recurrences": len(recurrences)}


# ----------------------------------------------------------------------
# P5: preview
# ----------------------------------------------------------------------
def task_preview(env, args):
    """P5: action_preview() of a template vs printing a draft invoice of the same content."""
    partners, products, tax, journal = _master(env)
    today = _today(env)
    specs = _line_specs(products, tax, args.lines)
    partner = partners[:1]
    Report = env["ir.actions.report"]
    draft = env["account.move"].create(_invoice_vals(env, partner, journal, specs, today))
    env.flush_all()

    def run_print():
        with Timer(env) as timer:
            pdf, _kind = Report._render_qweb_pdf("account.account_invoices", draft.ids)
        return timer.result(1, bytes=len(pdf))

    peer = _repeat_in_savepoint(env, args.repeat, run_print)
    result = {"peer": peer}
    if "recurring.invoice" not in env or not hasattr(env["recurring.invoice"], "action_preview"):
        result["error"] = "not measured: recurring.invoice not installed"
        return result
    template = env["recurring.invoice"].create(_template_vals(env, partner, journal, specs, today))
    env.flush_all()

    def run_preview():
        with Timer(env) as timer:
            action = template.action_preview()
            size = _render_preview_action(env, action)
        return timer.result(1, bytes=size, action_type=(action or {}).get("type") if isinstance(action, dict) else None)

    result["ours"] = _repeat_in_savepoint(env, args.repeat, run_preview)
    return result


def _render_preview_action(env, action):
    """What the user waits for: if the preview hands back a report action, render it as the browser would."""
    if isinstance(action, (bytes, str)):
        return len(action)
    if not isinstance(action, dict):
        return 0
    if action.get("type") == "ir.actions.report":
        context = action.get("context") or {}
        ids = context.get("active_ids") or action.get("res_ids") or []
        report = env["ir.actions.report"]._get_report(action["report_name"])
        pdf, _kind = report.with_context(**context)._render_qweb_pdf(
            report.report_name, res_ids=ids, data=action.get("data")
        )
        return len(pdf)
    return len(json.dumps(action, default=str))


TASKS = {
    "seed": task_seed,
    "bare": task_bare,
    "oca": task_oca,
    "autopost": task_autopost,
    "ours": task_ours,
    "activities": task_activities,
    "preview": task_preview,
    "working_days": task_working_days,
    "filter": task_filter,
    "p8_templates": task_p8_templates,
    "p8_plain": task_p8_plain,
    "p8_trigger": task_p8_trigger,
}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m bench.worker")
    parser.add_argument("db")
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--large", action="store_true")
    parser.add_argument("--mix", default="1,5", help="line counts of the templates, --size of each")
    parser.add_argument("--lines", type=int, default=5, help="lines of the previewed invoice (P5)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--p4-size", type=int, default=1000)
    parser.add_argument("--p6-size", type=int, default=10000)
    parser.add_argument("--p7-size", type=int, default=1000)
    parser.add_argument("--max-seconds", type=float, default=None, help="start no new run after this")
    args = parser.parse_args(argv)
    global MAX_SECONDS
    MAX_SECONDS = args.max_seconds

    from .odoo_cli import use_frozen_addons

    use_frozen_addons()
    import odoo.modules.registry  # 19.0: a submodule loads the framework, `import odoo` does not
    import odoo.tools
    from odoo import SUPERUSER_ID, api

    odoo.tools.config.parse_config(["-d", args.db, "--log-level=warn", "--no-http"])
    registry = odoo.modules.registry.Registry(args.db)
    rss_loaded = _peak_rss_mb()
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tz": "UTC"})
            result = TASKS[args.task](env, args)
            cr.rollback()
    except Exception as exc:  # reported, not raised: the bench measures, it does not test
        traceback.print_exc()
        result = {"error": f"failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]}
    result["peak_rss_mb"] = _peak_rss_mb()
    result["rss_after_load_mb"] = rss_loaded
    sys.stdout.write(RESULT_PREFIX + json.dumps(result, default=str) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

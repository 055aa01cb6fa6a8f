"""Two daily runs of the interactions' scheduled action at once, for real (SPEC S1, S10): on a database of its
own where recurring_interactions is installed alone, two processes (as two Odoo cron workers, or two
servers) run it at the same moment on the same recurrences. Both end without error, each plans part of
them, their runs overlap in time, and each activity exists once. RECURRING_SKIP_SLOW=1 skips it on purpose.
"""

import os
import subprocess
import sys

import pytest

from .own_database import drop, query, run_together, skip_unless_allowed

RECURRENCES = 300
BEHIND = 10  # days since the recurrences were last planned: each run has 10 dates a recurrence to plan
WINDOW = 14  # the next days planned
INSTALL_OPTIONS = ("--without-demo=all", "--stop-after-init", "--no-http", "--log-level=warn")

# Runs in a child process: an Odoo environment on the database given, one task.
WORKER = r"""
import json, sys, time
from datetime import timedelta
from freezegun import freeze_time
import odoo.modules.registry, odoo.tools  # 19.0: a submodule loads the framework, `import odoo` does not
from odoo import SUPERUSER_ID, api

db, task = sys.argv[1], sys.argv[2]
odoo.tools.config.parse_config(["-d", db, "--log-level=warn", "--no-http"])
registry = odoo.modules.registry.Registry(db)
with registry.cursor() as cr:
    env = api.Environment(cr, SUPERUSER_ID, {"tz": "UTC"})
    Recurrence = env["recurring.interaction"]
    if task == "setup":
        # Daily recurrences on customers, each planned for the next days as it was `behind` days ago.
        count, behind, window = map(int, sys.argv[3:6])
        env.company.partner_id.tz = "UTC"
        today = Recurrence._get_today(env.company)
        with freeze_time(today - timedelta(days=behind)):
            partners = env["res.partner"].create([{"name": f"Parallel customer {i}"} for i in range(count)])
            recurrences = Recurrence.create([
                {
                    "name": f"Parallel follow-up {i}",
                    "res_model_id": env["ir.model"]._get_id("res.partner"),
                    "res_id": partner.id,
                    "rrule_type": "daily",
                    "date_start": today - timedelta(days=behind),
                    "end_type": "forever",
                    "plan_ahead": "window",
                    "plan_ahead_days": window,
                }
                for i, partner in enumerate(partners)
            ])
            recurrences.action_generate()
    elif task == "cron_together":
        # Loaded, then run when told, at the same time as another run: says when it ran and how many
        # activities it planned (the counts that the planning returns, summed).
        planned = []
        reconcile = type(Recurrence)._reconcile_activities

        def counted(self, *args, **kwargs):
            result = reconcile(self, *args, **kwargs)
            planned.append(result[0])
            return result

        type(Recurrence)._reconcile_activities = counted
        print("ready", flush=True)
        sys.stdin.readline()
        cr.rollback()  # its snapshot is taken now, not at load
        started = time.time()
        Recurrence._cron_generate()
        cr.commit()
        print(json.dumps({"started": started, "ended": time.time(), "planned": sum(planned)}))
    cr.commit()
"""


def _worker(db, task, *args, **kwargs):
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, db, task, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,
    )


@pytest.fixture(scope="module")
def own_database():
    skip_unless_allowed()
    db = f"recurring_interactions_concurrency_{os.getpid()}"
    drop(db)
    try:
        subprocess.run(
            [sys.executable, "-m", "odoo", "-d", db, "-i", "recurring_interactions", *INSTALL_OPTIONS],
            check=True,
            capture_output=True,
            timeout=900,
        )
        yield db
    finally:
        drop(db)


def _activities(db):
    """(activities, distinct occurrences, recurrences) of the parallel follow-ups, open and done."""
    return query(
        db,
        """
        SELECT COUNT(a.id), COUNT(DISTINCT (a.recurring_interaction_id, a.recurring_date, a.res_id)),
               COUNT(DISTINCT a.recurring_interaction_id)
          FROM mail_activity a
          JOIN recurring_interaction r ON r.id = a.recurring_interaction_id
         WHERE r.name LIKE 'Parallel follow-up %%'
        """,
    )


def test_two_parallel_runs_plan_each_activity_once(own_database):
    db = own_database
    process = _worker(db, "setup", RECURRENCES, BEHIND, WINDOW)
    _out, err = process.communicate(timeout=900)
    assert process.returncode == 0, err.decode()[-3000:]
    # Planned from `BEHIND` days ago to `WINDOW` days after it.
    assert _activities(db) == (RECURRENCES * (WINDOW + 1), RECURRENCES * (WINDOW + 1), RECURRENCES)

    first, second = run_together([_worker(db, "cron_together", stdin=subprocess.PIPE) for _ in "ab"])

    # Each run planned part of the new dates, none twice, and the runs overlapped in time.
    assert first["planned"] and second["planned"], (first, second)
    assert first["planned"] + second["planned"] == RECURRENCES * BEHIND, (first, second)
    assert first["started"] < second["ended"] and second["started"] < first["ended"], (first, second)
    # From `BEHIND` days ago to `WINDOW` days from today, each date of each recurrence once.
    dates = BEHIND + WINDOW + 1
    assert _activities(db) == (RECURRENCES * dates, RECURRENCES * dates, RECURRENCES)

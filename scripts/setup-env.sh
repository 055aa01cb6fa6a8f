#!/usr/bin/env bash
# Make this machine able to run the addons: Odoo of ODOO_SERIES importable (built if missing, see
# scripts/odoo-env.sh), OS packages present, Python test requirements installed, PostgreSQL running
# with a role for this user.
# Idempotent: it installs only what is missing and starts only what is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
# Odoo of ODOO_SERIES (default 19.0): the Python that imports it, else a virtualenv built from ODOO_SOURCE.
PY=$(scripts/odoo-env.sh build)
SERIES=$("$PY" -c 'import odoo.release as r; print(r.series)')

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# OS packages: PostgreSQL, wkhtmltopdf (PDF reports), Chromium (browser tests).
missing=()
command -v pg_ctlcluster >/dev/null || command -v pg_ctl >/dev/null || missing+=(postgresql)
command -v wkhtmltopdf >/dev/null || missing+=(wkhtmltopdf)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing OS packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Python requirements of the test suite and the packaging step.
if ! "$PY" -c 'import pytest_odoo, websocket, freezegun, wheel' 2>/dev/null; then
    "$PY" -m pip install -q -r requirements-dev.txt
fi

# OCA queue_job of the series, for the test that runs the daily invoicing as jobs (tests/test_recurring_queue_job.py).
# --no-deps: its metadata requires odoo==<series>.*, which no package registry has; 19.0's also needs
# openupgradelib, installed beside it.
if ! "$PY" -m pip show odoo-addon-queue_job >/dev/null 2>&1 && ! "$PY" -m pip show odoo-addon-queue-job >/dev/null 2>&1; then
    "$PY" -m pip install -q --no-deps "odoo-addon-queue_job>=$SERIES,<${SERIES%.0}.1"
    [ "$SERIES" = 18.0 ] || "$PY" -m pip install -q openupgradelib
fi

# PostgreSQL: start the local cluster if it is down, and give this OS user a role
# (Odoo refuses to connect as "postgres").
if command -v pg_lsclusters >/dev/null; then
    pg_lsclusters --no-header | while read -r ver name _port status _rest; do
        [ "$status" = online ] || as_root pg_ctlcluster "$ver" "$name" start
    done
fi
for _ in $(seq 30); do pg_isready -q && break; sleep 1; done
pg_isready -q || { echo "PostgreSQL did not start" >&2; exit 4; }
me=$(id -un)
if ! psql -d postgres -tAc "SELECT 1" >/dev/null 2>&1; then
    as_root su postgres -c "createuser --superuser '$me'" || true
fi
psql -d postgres -tAc "SELECT 1" >/dev/null

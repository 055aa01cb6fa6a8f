#!/usr/bin/env bash
# Make this machine able to run the addons: Odoo 18 importable, OS packages present,
# Python test requirements installed, PostgreSQL running with a role for this user.
# Idempotent: it installs only what is missing and starts only what is stopped.
set -euo pipefail
PY=${PYTHON:-python3}
cd "$(dirname "$0")/.."

if ! "$PY" -c 'import odoo.release as r, sys; sys.exit(r.version_info[0] != 18)' 2>/dev/null; then
    cat >&2 <<'MSG'
Odoo 18.0 is not importable by this Python ($PY).
Install Odoo 18.0 first, the upstream way, then run this command again:
  git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo.git odoo-18
  pip install -r odoo-18/requirements.txt
  pip install --config-settings editable_mode=compat -e odoo-18
(or the official 18.0 nightly packages; see README.md, "Install Odoo 18").
MSG
    exit 3
fi

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

# OCA queue_job, for the test that runs the daily invoicing as jobs (tests/test_recurring_queue_job.py).
# --no-deps: its metadata requires odoo==18.0.*, which no package registry has (Odoo is installed by hand,
# see above); its only other requirement, requests, comes with Odoo.
if ! "$PY" -m pip show odoo-addon-queue_job >/dev/null 2>&1; then
    "$PY" -m pip install -q --no-deps "odoo-addon-queue_job>=18.0,<18.1"
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

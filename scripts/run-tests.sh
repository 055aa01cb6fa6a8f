#!/usr/bin/env bash
# Run the whole pytest-odoo suite against a throwaway database with both addons
# installed (demo data included, so it is checked too), then drop the database.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(scripts/odoo-env.sh python)
[ -n "$PY" ] || { echo "No Odoo ${ODOO_SERIES:-19.0} yet: run make test (it sets it up)." >&2; exit 3; }
# 19.0 installs no demo data unless asked; 18.0 does by default and has no such option.
DEMO=$("$PY" -c 'import odoo.release as r; print("--with-demo" if r.version_info[0] >= 19 else "")')
DB=${TEST_DB:-recurring_test_$$}

cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup

echo "== Odoo $("$PY" -c 'import odoo.release as r; print(r.version)') ($PY)"
echo "== Installing recurring_interactions, recurring_invoices, Sales (for the seed's quotation example) and Odoo's demo payment provider into $DB"
start=$(date +%s)
"$PY" -m odoo -d "$DB" -i recurring_interactions,recurring_invoices,sale,payment_demo $DEMO \
    --stop-after-init --log-level=warn --no-http
echo "== Installed in $(( $(date +%s) - start ))s; running the suite"

"$PY" -m pytest tests --odoo-database="$DB" --odoo-log-level=warn --odoo-http \
    -p no:cacheprovider -o addopts= "$@"

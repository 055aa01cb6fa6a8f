#!/usr/bin/env bash
# Run the whole pytest-odoo suite against a throwaway database with both addons
# installed (demo data included, so it is checked too), then drop the database.
set -euo pipefail
PY=${PYTHON:-python3}
cd "$(dirname "$0")/.."
DB=${TEST_DB:-recurring_test_$$}

cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup

echo "== Installing recurring_interactions, recurring_invoices and Sales (for the seed's quotation example) into $DB"
start=$(date +%s)
"$PY" -m odoo -d "$DB" -i recurring_interactions,recurring_invoices,sale \
    --stop-after-init --log-level=warn --no-http
echo "== Installed in $(( $(date +%s) - start ))s; running the suite"

"$PY" -m pytest tests --odoo-database="$DB" --odoo-log-level=warn --odoo-http \
    -p no:cacheprovider -o addopts= "$@"

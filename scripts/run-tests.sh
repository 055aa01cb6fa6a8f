#!/usr/bin/env bash
# Run the pytest-odoo suite against throwaway databases, dropped afterwards:
#  1. both addons and Sales (for the seed's quotation example), demo data included (so it is checked too): every test;
#  2. recurring_interactions alone (no recurring_invoices, account or sale), as a company that does not invoice
#     installs it: the tests marked `interactions` (pytestmark = pytest.mark.interactions), but those that need
#     Invoicing (`needs_invoicing`).
# Test paths given (scripts/run-tests.sh tests/test_x.py[::Test::test_y] ...) run alone, each on the databases it
# belongs to; other arguments go to pytest. A skipped test or a file that cannot be collected fails the run
# (tests/conftest.py), except the slow tests that build a database of their own when RECURRING_SKIP_SLOW=1.
# ODOO_TEST_HTTP_PORT: the HTTP port given to Odoo (default 8069).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(scripts/odoo-env.sh python)
[ -n "$PY" ] || { echo "No Odoo ${ODOO_SERIES:-19.0} yet: run make test (it sets it up)." >&2; exit 3; }
# 19.0 installs no demo data unless asked; 18.0 does by default and has no such option.
DEMO=$("$PY" -c 'import odoo.release as r; print("--with-demo" if r.version_info[0] >= 19 else "")')
DB=${TEST_DB:-recurring_test_$$}
ALONE_DB=${DB}_interactions

paths=() options=()
for arg in "$@"; do
    if [[ $arg != -* && -e ${arg%%::*} ]]; then paths+=("$arg"); else options+=("$arg"); fi
done
[ ${#paths[@]} -gt 0 ] || paths=(tests)
# The interactions' tests among the paths: the files that carry the mark.
alone=()
for path in "${paths[@]}"; do
    file=${path%%::*}
    if [ -d "$file" ]; then
        while IFS= read -r found; do alone+=("$found"); done < <(grep -l '^pytestmark = pytest.mark.interactions$' "$file"/test_*.py || true)
    elif grep -q '^pytestmark = pytest.mark.interactions$' "$file"; then
        alone+=("$path")
    fi
done

cleanup() { for db in "$DB" "$ALONE_DB"; do dropdb --if-exists "$db" >/dev/null 2>&1 || true; done; }
trap cleanup EXIT
cleanup

pytest_on() {  # database, then paths and options
    local db=$1
    shift
    "$PY" -m pytest --odoo-database="$db" --odoo-log-level=warn --odoo-http \
        --odoo-extra "http-port=${ODOO_TEST_HTTP_PORT:-8069}" -p no:cacheprovider -o addopts= "$@"
}

echo "== Odoo $("$PY" -c 'import odoo.release as r; print(r.version)') ($PY)"
echo "== Installing recurring_interactions, recurring_invoices, Sales (for the seed's quotation example) and Odoo's demo payment provider into $DB"
start=$(date +%s)
"$PY" -m odoo -d "$DB" -i recurring_interactions,recurring_invoices,sale,payment_demo $DEMO \
    --stop-after-init --log-level=warn --no-http
echo "== Installed in $(( $(date +%s) - start ))s; running ${paths[*]}"
status=0
pytest_on "$DB" "${paths[@]}" ${options[@]+"${options[@]}"} || status=$?
dropdb --if-exists "$DB" >/dev/null 2>&1 || true
echo "== Both addons: $(( $(date +%s) - start ))s in all"

if [ ${#alone[@]} -gt 0 ]; then
    echo "== Installing recurring_interactions alone (no recurring_invoices, account or sale) into $ALONE_DB"
    start=$(date +%s)
    "$PY" -m odoo -d "$ALONE_DB" -i recurring_interactions $DEMO --stop-after-init --log-level=warn --no-http
    installed=$("$PY" - "$ALONE_DB" <<'EOF'
import sys
import psycopg2
with psycopg2.connect(dbname=sys.argv[1]) as conn, conn.cursor() as cr:
    cr.execute("SELECT name FROM ir_module_module WHERE state = 'installed' AND name IN ('account', 'sale', 'recurring_invoices')")
    print(" ".join(sorted(row[0] for row in cr.fetchall())))
EOF
)
    [ -z "$installed" ] || { echo "== $ALONE_DB has $installed installed: it must not" >&2; exit 1; }
    echo "== Installed in $(( $(date +%s) - start ))s; running the interactions' tests: ${alone[*]}"
    pytest_on "$ALONE_DB" -m "interactions and not needs_invoicing" "${alone[@]}" ${options[@]+"${options[@]}"} \
        || status=$?
    echo "== recurring_interactions alone: $(( $(date +%s) - start ))s in all"
fi
exit $status

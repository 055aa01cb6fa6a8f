#!/usr/bin/env bash
# Regenerate each addon's i18n/<addon>.pot from a throwaway database where both are installed.
set -euo pipefail
PY=${PYTHON:-python3}
cd "$(dirname "$0")/.."
DB=recurring_pot_$$
trap 'dropdb --if-exists "$DB" >/dev/null 2>&1 || true' EXIT
"$PY" -m odoo -d "$DB" -i recurring_interactions,recurring_invoices --without-demo=all \
    --stop-after-init --log-level=warn --no-http
for addon in recurring_interactions recurring_invoices; do
    mkdir -p "$addon/i18n"
    "$PY" -m odoo -d "$DB" --i18n-export="$addon/i18n/$addon.pot" --modules="$addon" \
        --stop-after-init --log-level=warn --no-http
done

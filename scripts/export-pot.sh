#!/usr/bin/env bash
# Regenerate each addon's i18n/<addon>.pot from a throwaway database where both are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(scripts/odoo-env.sh python)
DB=recurring_pot_$$
trap 'dropdb --if-exists "$DB" >/dev/null 2>&1 || true' EXIT
"$PY" -m odoo -d "$DB" -i recurring_interactions,recurring_invoices --without-demo=all \
    --stop-after-init --log-level=warn --no-http
for addon in recurring_interactions recurring_invoices; do
    mkdir -p "$addon/i18n"
    if "$PY" -c 'import odoo.release as r, sys; sys.exit(r.version_info[0] < 19)'; then
        # 19.0: a subcommand of its own.
        "$PY" -m odoo i18n export -d "$DB" -o "$addon/i18n/$addon.pot" "$addon"
    else
        "$PY" -m odoo -d "$DB" --i18n-export="$addon/i18n/$addon.pot" --modules="$addon" \
            --stop-after-init --log-level=warn --no-http
    fi
done

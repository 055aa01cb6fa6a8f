#!/usr/bin/env bash
# The Python that runs Odoo of ODOO_SERIES (18.0 or 19.0, default the newest), built if missing.
#
#   scripts/odoo-env.sh python   print that Python, or nothing when there is none yet
#   scripts/odoo-env.sh build    make sure it exists: a Python that already imports Odoo of that series
#                                (PYTHON, else python3), else a virtualenv of its own outside the checkout,
#                                ODOO_VENV_ROOT/venv-<series> (default ~/.cache/recurring-odoo), built from
#                                ODOO_SOURCE and reused next time.
#
# ODOO_SOURCE: a local folder holding Odoo's source (no git, no download), a git URL (the series' branch is taken)
# or an archive URL (.tar.gz, .zip); by default Odoo's upstream repository. Every input is checked before
# anything is built, and a failed build leaves nothing behind.
set -euo pipefail

SERIES=${ODOO_SERIES:-19.0}
VENV_ROOT=${ODOO_VENV_ROOT:-$HOME/.cache/recurring-odoo}
VENV=$VENV_ROOT/venv-$SERIES
UPSTREAM=https://github.com/odoo/odoo.git

die() { printf 'odoo-env: %s\n' "$1" >&2; [ $# -lt 2 ] || printf 'Fix: %s\n' "$2" >&2; exit 2; }

case "$SERIES" in
    18.0) PY_MIN=10 PY_MAX=12 ;;
    19.0) PY_MIN=10 PY_MAX=13 ;;
    *) die "ODOO_SERIES=$SERIES is not a series these addons serve." "ODOO_SERIES=19.0 (or 18.0)" ;;
esac

# Whether $1 imports Odoo of this series.
serves() { "$1" -c "import odoo.release as r, sys; sys.exit(r.series != '$SERIES')" >/dev/null 2>&1; }

find_python() {
    for candidate in "${PYTHON:-}" python3 "$VENV/bin/python"; do
        [ -n "$candidate" ] && command -v "$candidate" >/dev/null && serves "$candidate" && {
            "$candidate" -c "import sys; print(sys.executable)"
            return 0
        }
    done
    return 1
}

# The series of the Odoo source in folder $1 (its odoo/release.py), or nothing.
source_series() {
    [ -f "$1/odoo/release.py" ] || return 0
    python3 - "$1/odoo/release.py" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
match = re.search(r"version_info\s*=\s*\((\d+),\s*(\d+)", text)
print(f"{match[1]}.{match[2]}" if match else "")
PY
}

fetch_source() {
    # Into folder $1, from ODOO_SOURCE; checked to be Odoo of this series.
    local into=$1 source=${ODOO_SOURCE:-$UPSTREAM}
    if [ -d "$source" ]; then
        cp -a "$source/." "$into/"
    elif [[ "$source" =~ \.(tar\.gz|tgz|tar)$ ]]; then
        curl -fsSL "$source" | tar -xz -C "$into" --strip-components=1 ||
            die "could not download or unpack $source." "ODOO_SOURCE=<a local copy of Odoo $SERIES>"
    elif [[ "$source" =~ \.zip$ ]]; then
        curl -fsSL -o "$into.zip" "$source" && python3 -m zipfile -e "$into.zip" "$into.unzip" &&
            cp -a "$into.unzip"/*/. "$into/" && rm -rf "$into.zip" "$into.unzip" ||
            die "could not download or unpack $source." "ODOO_SOURCE=<a local copy of Odoo $SERIES>"
    else
        git clone -q --depth 1 --branch "$SERIES" "$source" "$into" 2>/dev/null ||
            die "could not clone branch $SERIES of $source (no network?)." \
                "ODOO_SOURCE=/path/to/a/local/copy/of/odoo-$SERIES make ..."
    fi
    local found
    found=$(source_series "$into")
    [ -n "$found" ] || die "$source is not Odoo's source (no odoo/release.py)." "ODOO_SOURCE=<Odoo's source folder>"
    [ "$found" = "$SERIES" ] || die "$source is Odoo $found, not $SERIES." \
        "ODOO_SERIES=$found, or ODOO_SOURCE=<Odoo $SERIES>"
}

build() {
    find_python >/dev/null && return 0
    local base
    base=$(command -v "python3.1$PY_MAX" || command -v python3)
    "$base" -c "import sys; sys.exit(not ((3, $PY_MIN) <= sys.version_info[:2] <= (3, $PY_MAX)))" ||
        die "Odoo $SERIES runs on Python 3.$PY_MIN to 3.$PY_MAX; $base is $("$base" -V 2>&1)." \
            "install a Python 3.$PY_MIN-3.$PY_MAX (e.g. apt-get install python3) and run again"
    if [ -n "${ODOO_SOURCE:-}" ] && [ -d "$ODOO_SOURCE" ]; then
        local found
        found=$(source_series "$ODOO_SOURCE")
        [ -n "$found" ] || die "$ODOO_SOURCE is not Odoo's source (no odoo/release.py)." \
            "ODOO_SOURCE=<Odoo's source folder>"
        [ "$found" = "$SERIES" ] || die "$ODOO_SOURCE is Odoo $found, not $SERIES." \
            "ODOO_SERIES=$found, or ODOO_SOURCE=<Odoo $SERIES>"
    fi
    echo "Building Odoo $SERIES in $VENV from ${ODOO_SOURCE:-$UPSTREAM}" >&2
    mkdir -p "$VENV_ROOT"
    rm -rf "$VENV" "$VENV.src"
    # Whatever fails from here leaves nothing half-installed (a venv is not relocatable: built in place).
    trap 'rm -rf "$VENV" "$VENV.src"' EXIT
    mkdir "$VENV.src"
    fetch_source "$VENV.src"
    # python-ldap builds against the OS's LDAP headers; psycopg2 against libpq's.
    local headers=()
    [ -e /usr/include/ldap.h ] || headers+=(libldap2-dev libsasl2-dev)
    command -v pg_config >/dev/null || headers+=(libpq-dev)
    if [ ${#headers[@]} -gt 0 ] && command -v apt-get >/dev/null; then
        local sudo=""
        [ "$(id -u)" = 0 ] || sudo=sudo
        $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${headers[@]}" >/dev/null
    fi
    "$base" -m venv "$VENV"
    # 18.0 pins cbor2 5.4.2, which builds only with setuptools < 70 (the constraint reaches build environments).
    echo "setuptools<70" >"$VENV/constraints.txt"
    PIP_CONSTRAINT="$VENV/constraints.txt" "$VENV/bin/pip" install -q -r "$VENV.src/requirements.txt" ||
        die "Odoo $SERIES's requirements did not install (see above)." \
            "apt-get install python3-dev libldap2-dev libsasl2-dev libpq-dev, then run again"
    # Editable in compat mode: Odoo finds its addons beside its source, and OCA wheels cannot shadow it.
    "$VENV/bin/pip" install -q --no-deps --config-settings editable_mode=compat -e "$VENV.src" ||
        die "installing Odoo $SERIES into $VENV failed (see above)."
    serves "$VENV/bin/python" || die "the Odoo built in $VENV does not import."
    trap - EXIT
}

case "${1:-python}" in
    python) find_python || true ;;
    build) build && find_python ;;
    *) die "usage: scripts/odoo-env.sh python|build" ;;
esac

"""The set-up of a fresh machine refuses bad input before building anything (scripts/odoo-env.sh).

An unknown series, a source that is not Odoo, a source of the other series: each is refused with a sentence
saying what was wrong and the command that fixes it, and nothing is left in the virtualenv folder.
"""

import os
import subprocess
from pathlib import Path

import odoo.release

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "odoo-env.sh"
# The source of the Odoo running these tests: odoo/release.py is in <source>/odoo.
SOURCE = Path(odoo.release.__file__).resolve().parent.parent
OTHER_SERIES = "18.0" if odoo.release.series == "19.0" else "19.0"


def _run(tmp_path, **env):
    result = subprocess.run(
        ["bash", str(SCRIPT), "build"],
        env={**os.environ, "ODOO_VENV_ROOT": str(tmp_path / "venvs"), "PYTHON": "", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, result.stderr


def _assert_refused(tmp_path, returncode, stderr, *phrases):
    assert returncode == 2, stderr
    for phrase in phrases:
        assert phrase in stderr
    assert "Fix: " in stderr, "the message says the command that fixes it"
    assert not any((tmp_path / "venvs").glob("venv-*")), "nothing half-installed is left behind"


def test_an_unknown_series_is_refused(tmp_path):
    returncode, stderr = _run(tmp_path, ODOO_SERIES="17.0")
    _assert_refused(tmp_path, returncode, stderr, "ODOO_SERIES=17.0 is not a series these addons serve")


def test_a_source_that_is_not_odoo_is_refused(tmp_path):
    (tmp_path / "not_odoo").mkdir()
    returncode, stderr = _run(tmp_path, ODOO_SERIES=odoo.release.series, ODOO_SOURCE=str(tmp_path / "not_odoo"))
    # The Python running the tests imports this series already: only a fresh venv root shows the refusal.
    if returncode == 0:
        returncode, stderr = _run(
            tmp_path, ODOO_SERIES=OTHER_SERIES, ODOO_SOURCE=str(tmp_path / "not_odoo"), PATH="/usr/bin:/bin"
        )
    _assert_refused(tmp_path, returncode, stderr, "is not Odoo's source")


def test_a_source_of_the_other_series_is_refused(tmp_path):
    returncode, stderr = _run(tmp_path, ODOO_SERIES=OTHER_SERIES, ODOO_SOURCE=str(SOURCE), PATH="/usr/bin:/bin")
    _assert_refused(tmp_path, returncode, stderr, f"is Odoo {odoo.release.series}, not {OTHER_SERIES}")

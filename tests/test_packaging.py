"""`setup.py` describes the project as it is (issue 27, point 12): both series, the addons' own version, and a
wheel that holds every file Odoo loads from both addons, in the ``odoo.addons`` namespace.

The oracle of what the wheel must hold is git's list of the addons' files (the files of the tree otherwise).
"""

import ast
import email
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import odoo.addons.recurring_interactions
import odoo.addons.recurring_invoices

ROOT = Path(__file__).resolve().parents[1]
ADDONS = ("recurring_interactions", "recurring_invoices")


def _manifest_version(addon):
    return ast.literal_eval((ROOT / addon / "__manifest__.py").read_text(encoding="utf-8"))["version"]


def _addon_files(addon):
    """The files of an addon in the tree, as paths relative to the repository."""
    if shutil.which("git") and (ROOT / ".git").exists():
        listed = subprocess.run(
            ["git", "ls-files", addon], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout.split()
        return {name for name in listed if (ROOT / name).is_file()}
    return {
        str(path.relative_to(ROOT))
        for path in (ROOT / addon).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("*.whl")
    with zipfile.ZipFile(path) as archive:
        yield archive


def test_the_wheel_holds_every_file_odoo_loads(wheel):
    names = set(wheel.namelist())
    expected = {f"odoo/addons/{name}" for addon in ADDONS for name in _addon_files(addon)}
    # What Odoo loads: the manifests, data, translations, assets and the migrations it runs by path.
    kinds = {Path(name).suffix for name in expected}
    assert {".py", ".xml", ".csv", ".po", ".pot", ".js", ".png"} <= kinds, kinds
    assert any("/migrations/" in name for name in expected)
    assert {f"odoo/addons/{addon}/__manifest__.py" for addon in ADDONS} <= expected
    assert expected - names == set(), "missing from the wheel"
    # Nothing that would shadow Odoo's own packages.
    assert not names & {"odoo/__init__.py", "odoo/addons/__init__.py"}


def test_the_wheel_says_both_series_and_the_addons_version(wheel):
    (metadata_name,) = [name for name in wheel.namelist() if name.endswith(".dist-info/METADATA")]
    metadata = email.message_from_bytes(wheel.read(metadata_name))
    assert metadata["Version"] == _manifest_version("recurring_invoices")
    classifiers = metadata.get_all("Classifier")
    assert {"Framework :: Odoo :: 18.0", "Framework :: Odoo :: 19.0"} <= set(classifiers)
    assert "18.0" in metadata["Summary"] and "19.0" in metadata["Summary"]


def test_the_running_odoo_imports_both_addons_as_installed():
    """`make install` runs `pip install .` into this series' environment: Odoo imports both addons from it."""
    for module in (odoo.addons.recurring_interactions, odoo.addons.recurring_invoices):
        installed = Path(module.__file__).resolve().parent
        assert "site-packages" in installed.parts, installed
        assert ROOT not in installed.parents, "installed, not read from the tree"
        version = ast.literal_eval((installed / "__manifest__.py").read_text(encoding="utf-8"))["version"]
        assert version == _manifest_version(installed.name)

"""Install both addons into the ``odoo.addons`` namespace of the Python that runs Odoo 18.0 or 19.0.

One tree serves both series; the package's version is the addons' own, read from the manifest of
``recurring_invoices`` (the addon on top), so that it is never written twice.
"""

import ast
from pathlib import Path

from setuptools import setup

ADDONS = ("recurring_interactions", "recurring_invoices")
ROOT = Path(__file__).parent
SERIES = ("18.0", "19.0")


def _manifest(addon):
    return ast.literal_eval((ROOT / addon / "__manifest__.py").read_text(encoding="utf-8"))


def _packages(addon):
    """Every Python package of an addon, as ``odoo.addons.<addon>[.<sub>]``."""
    base = ROOT / addon
    for init in sorted(base.rglob("__init__.py")):
        rel = init.parent.relative_to(base).parts
        yield ".".join(("odoo", "addons", addon, *rel))


def _data_files(addon):
    """Files an addon loads at run time besides its packages: XML, CSV, PO, images, assets, and the
    migration scripts (Odoo runs them by path, they are no package)."""
    base = ROOT / addon
    return sorted(
        str(path.relative_to(base))
        for path in base.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix != ".pyc"
        and (path.suffix != ".py" or "migrations" in path.parts)
    )


setup(
    name="odoo-addons-recurring",
    version=_manifest("recurring_invoices")["version"],
    description="Recurring interactions and recurring invoices for Odoo 18.0 and 19.0 (Community), from one tree",
    long_description=(ROOT / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="LGPL-3",
    python_requires=">=3.10",
    install_requires=["python-dateutil"],
    packages=[pkg for addon in ADDONS for pkg in _packages(addon)],
    package_dir={f"odoo.addons.{addon}": addon for addon in ADDONS},
    package_data={f"odoo.addons.{addon}": list(_data_files(addon)) for addon in ADDONS},
    zip_safe=False,
    classifiers=[
        "Framework :: Odoo",
        *(f"Framework :: Odoo :: {series}" for series in SERIES),
        "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)",
    ],
)

"""Helpers of the tests that build a database of their own (concurrency, crash, upgrade)."""

import os
import subprocess

import psycopg2
import pytest


def skip_unless_allowed():
    if os.environ.get("RECURRING_SKIP_CONCURRENCY"):
        pytest.skip("RECURRING_SKIP_CONCURRENCY is set")


def drop(db):
    subprocess.run(["dropdb", "--if-exists", "--force", db], check=False, capture_output=True)


def rows(db, sql, params=()):
    """The rows of a query, on a connection closed at once (an open one would keep `db` from being dropped)."""
    conn = psycopg2.connect(dbname=db)
    try:
        with conn.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchall()
    finally:
        conn.close()


def query(db, sql, params=()):
    """The first row of a query, or None."""
    found = rows(db, sql, params)
    return found[0] if found else None


# For the child processes' scripts (prepended to them): `count` monthly templates named after `prefix`,
# each with one occurrence due today.
DUE_TEMPLATES = r"""
def create_due_templates(env, prefix, count):
    from odoo import Command

    env.company.partner_id.tz = "UTC"
    Template = env["recurring.invoice"]
    today = Template._get_today(env.company)
    partner = env["res.partner"].create({"name": f"{prefix} customer"})
    product = env["product.product"].create({"name": f"{prefix} service", "list_price": 10.0})
    Template.create([
        {
            "name": f"{prefix} {i}",
            "partner_id": partner.id,
            "rrule_type": "monthly",
            "month_by": "date",
            "day": today.day,
            "date_start": today,
            "end_type": "forever",
            "line_ids": [Command.create({"product_id": product.id, "name": "Service {month}", "price_unit": 10.0})],
        }
        for i in range(count)
    ])
"""

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


def query(db, sql, params=()):
    """The first row of a query, on a connection closed at once (an open one would keep `db` from being dropped)."""
    conn = psycopg2.connect(dbname=db)
    try:
        with conn.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchone()
    finally:
        conn.close()

"""A fresh PostgreSQL database per test, on the server at 127.0.0.1:5432 (trust auth).

``make test`` starts the server when it is installed but down; if it is still unreachable the
PostgreSQL variants fail (never skip).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import psycopg
import pytest

PG_ADMIN = os.environ.get("POSLOYALTY_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin() -> psycopg.Connection:
    try:
        return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_ADMIN} ({exc}); the HQ tests need it "
            "(make test starts it; or set POSLOYALTY_TEST_PG)",
            pytrace=False,
        )


def postgres_database() -> Iterator[str]:
    name = f"posloyalty_test_{secrets.token_hex(6)}"
    with _pg_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        with _pg_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

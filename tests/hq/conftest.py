"""HQ fixtures: every database test runs on SQLite (a temporary file) and on PostgreSQL.

PostgreSQL is the server at 127.0.0.1:5432 (trust auth, database ``test``); each test gets a
fresh database ``posloyalty_test_<random>``, dropped afterwards. If the server is unreachable
the PostgreSQL variants fail (never skip): CI provides it.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from hq_server import RunningServer, free_port

from posloyalty.clock import FixedClock
from posloyalty.hq.db import HqDb
from posloyalty.hq.services import HqConfig, HqService

PG_ADMIN = os.environ.get("POSLOYALTY_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
T0 = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
__all__ = ["RunningServer", "free_port"]


def _pg_admin() -> psycopg.Connection:
    try:
        return psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_ADMIN} ({exc}); the HQ tests need it "
            "(start it, e.g. with .ci/run, or set POSLOYALTY_TEST_PG)",
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


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hq.sqlite'}"
    else:
        yield from postgres_database()


@pytest.fixture
def db(db_url: str) -> Iterator[HqDb]:
    database = HqDb(db_url, pool_size=4)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def svc(db: HqDb, clock: FixedClock) -> HqService:
    return HqService(db, clock, HqConfig(rate_per_s=1000, rate_burst=1000))


@pytest.fixture
def server(svc: HqService) -> Iterator[RunningServer]:
    with RunningServer(svc) as running:
        yield running

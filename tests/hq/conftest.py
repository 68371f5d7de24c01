"""HQ fixtures: every database test runs on SQLite (a temporary file) and on PostgreSQL.

PostgreSQL is the server at 127.0.0.1:5432 (trust auth, database ``test``); each test gets a
fresh database ``posloyalty_test_<random>``, dropped afterwards. If the server is unreachable
the PostgreSQL variants fail (never skip): CI provides it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from hq_server import RunningServer, free_port
from pgtest import postgres_database

from posloyalty.clock import FixedClock
from posloyalty.hq.db import HqDb
from posloyalty.hq.edge import EdgeConfig
from posloyalty.hq.services import HqConfig, HqService

T0 = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
__all__ = ["RunningServer", "free_port", "postgres_database"]


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
    # The API docs are on, as in development (POSLOYALTY_HQ_DEV): the schema tests read them.
    with RunningServer(svc, edge=EdgeConfig(docs=True)) as running:
        yield running

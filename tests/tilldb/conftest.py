"""Fixtures for the store tests: a fixed clock and a fresh database file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from store_helpers import T0

from posloyalty.clock import FixedClock
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "terminal.db"


@pytest.fixture
def db(db_path: Path, clock: FixedClock) -> Iterator[Database]:
    database = Database.open(db_path, clock=clock, create=True)
    with database.write() as session:
        repo.set_setting(session, "store", "S1")
        repo.set_setting(session, "terminal", "T1")
        repo.ensure_phone_key(session)
    yield database
    database.close()

"""Fixtures for the checkout tests: a fixed store clock and a terminal database file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from checkout_helpers import fixed, setup_store

from posloyalty.clock import FixedClock
from posloyalty.tilldb.db import Database


@pytest.fixture
def clock() -> FixedClock:
    return fixed()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "terminal.db"


@pytest.fixture
def db(db_path: Path, clock: FixedClock) -> Iterator[Database]:
    database = setup_store(db_path, clock)
    yield database
    database.close()

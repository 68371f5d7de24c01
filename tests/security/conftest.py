"""Security suite fixtures: HQ on SQLite and on PostgreSQL (see hq_chain.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hq_chain import Chain, chain_on
from pgtest import postgres_database


@pytest.fixture(params=["sqlite", "postgres"])
def chain(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Chain]:
    if request.param == "sqlite":
        with chain_on(f"sqlite:///{tmp_path / 'hq.sqlite'}") as made:
            yield made
        return
    for url in postgres_database():
        with chain_on(url) as made:
            yield made

"""Damaged, read-only and full storage: a clear error, and nothing stored changes."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from killtest import read_only
from sqlalchemy import text
from store_helpers import T0, add_member, file_hash, make_sale

from posloyalty.clock import FixedClock
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.demo import generate_demo
from posloyalty.tilldb.errors import StoreCorruptError, StoreUnavailableError
from posloyalty.tilldb.ids import Uuid7


def _demo_file(path: Path, clock: FixedClock) -> None:
    db = Database.open(path, clock=clock, create=True)
    generate_demo(db, members=300, products=50, sales=200, seed=5)
    db.close()


def test_random_bytes_are_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "noise.db"
    path.write_bytes(random.Random(1).randbytes(64 * 1024))
    before = file_hash(path)
    with pytest.raises(StoreCorruptError, match="not a SQLite database"):
        Database.open(path)
    assert file_hash(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["noise.db"]


@pytest.mark.parametrize("keep", [0.25, 0.6, 0.95])
def test_a_truncated_database_is_refused_untouched(
    tmp_path: Path, clock: FixedClock, keep: float
) -> None:
    path = tmp_path / "cut.db"
    _demo_file(path, clock)
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.truncate(int(size * keep) // 4096 * 4096)
    before = file_hash(path)
    with pytest.raises(StoreCorruptError, match="left unchanged"):
        Database.open(path, clock=clock)
    assert file_hash(path) == before


def test_a_damaged_page_is_refused_untouched(tmp_path: Path, clock: FixedClock) -> None:
    path = tmp_path / "bad.db"
    _demo_file(path, clock)
    data = bytearray(path.read_bytes())
    for i in range(8192, 8192 + 4096 * 6, 97):  # scribble over b-tree pages 3..8
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    before = file_hash(path)
    with pytest.raises(StoreCorruptError):
        Database.open(path, clock=clock)
    assert file_hash(path) == before


def test_a_read_only_file_refuses_writes(tmp_path: Path, clock: FixedClock) -> None:
    path = tmp_path / "ro.db"
    _demo_file(path, clock)
    before = file_hash(path)
    with read_only(path):
        db = Database.open(path, clock=clock)  # lookups still work
        try:
            with db.read() as session:
                assert repo.member_by_id(session, "M000000001") is not None
            with pytest.raises(StoreUnavailableError, match="read-only"), db.write() as session:
                repo.set_cursor(session, "x", "1")
        finally:
            db.close()
        assert file_hash(path) == before


def test_a_read_only_folder_refuses_a_new_database(tmp_path: Path, clock: FixedClock) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    with read_only(folder), pytest.raises(StoreUnavailableError):
        Database.open(folder / "t.db", clock=clock, create=True)
    assert list(folder.iterdir()) == []


def test_a_read_only_folder_refuses_writes_to_an_existing_database(
    tmp_path: Path, clock: FixedClock
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    path = folder / "t.db"
    _demo_file(path, clock)
    before = file_hash(path)
    with read_only(folder):
        with pytest.raises(StoreUnavailableError):
            db = Database.open(path, clock=clock)
            try:
                with db.write() as session:
                    repo.set_cursor(session, "x", "1")
            finally:
                db.close()
        assert file_hash(path) == before


def test_a_full_disk_gives_a_clear_error_and_keeps_the_last_sale(db: Database) -> None:
    add_member(db)
    ids = Uuid7(db.clock)
    kept = make_sale(ids, T0)
    with db.write() as session:
        repo.record_sale(session, kept)
        pages = session.execute(text("PRAGMA page_count")).scalar_one()
    big = make_sale(ids, T0, amounts=tuple(range(100, 3100)))
    with pytest.raises(StoreUnavailableError, match="disk is full"), db.write() as session:
        # SQLite reports SQLITE_FULL when the file may not grow: the same path as a full disk.
        session.execute(text(f"PRAGMA max_page_count = {pages + 1}"))
        repo.record_sale(session, big)
    with db.read() as session:
        assert repo.sale_by_id(session, kept.id) is not None
        assert repo.sale_by_id(session, big.id) is None


def test_store_errors_are_not_raised_for_bugs(db: Database) -> None:
    from sqlalchemy import exc as sa_exc

    with pytest.raises(sa_exc.OperationalError, match="no such table"), db.write() as session:
        session.execute(text("SELECT * FROM no_such_table"))


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "empty-dir-file"
    os.mkdir(path)
    with pytest.raises(StoreUnavailableError, match="folder"):
        Database.open(path)

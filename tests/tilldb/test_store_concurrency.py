"""Transactions: BEGIN IMMEDIATE for every write, read-only snapshots, a locked database."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from store_helpers import T0, add_member, make_sale

from posloyalty.clock import FixedClock
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.errors import StoreUnavailableError
from posloyalty.tilldb.ids import Uuid7


def test_a_write_takes_the_lock_at_begin(db: Database, db_path: Path) -> None:
    other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        # No statement has run in our transaction yet, but BEGIN IMMEDIATE holds the write
        # lock, so another writer cannot start.
        with db.write(), pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_concurrent_read_modify_write_never_deadlocks(db_path: Path, clock: FixedClock) -> None:
    """Two processes' worth of writers reading then writing: with a deferred BEGIN the second
    writer's lock upgrade fails with SQLITE_BUSY (snapshot); with BEGIN IMMEDIATE it waits."""
    setup = Database.open(db_path, clock=clock, create=True)
    with setup.write() as session:
        repo.set_cursor(session, "counter", "0")
    setup.close()
    databases = [Database.open(db_path, clock=clock, busy_timeout_ms=20_000) for _ in range(2)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work(db: Database) -> None:
        try:
            barrier.wait()
            for _ in range(25):
                with db.write() as session:
                    value = int(repo.get_cursor(session, "counter") or "0")
                    repo.set_cursor(session, "counter", str(value + 1))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(d,)) for d in databases for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        with databases[0].read() as session:
            assert repo.get_cursor(session, "counter") == str(4 * 25)
    finally:
        for d in databases:
            d.close()


def test_read_sessions_cannot_write(db: Database) -> None:
    with pytest.raises(StoreUnavailableError, match="read-only"), db.read() as session:
        session.execute(text("INSERT INTO sync_cursors VALUES ('x', '1')"))
    with db.write() as session:  # the same pooled connection writes again afterwards
        repo.set_cursor(session, "x", "1")
    with db.read() as session:
        assert repo.get_cursor(session, "x") == "1"


def test_a_locked_database_gives_a_clear_error_and_stores_nothing(
    db_path: Path, clock: FixedClock
) -> None:
    db = Database.open(db_path, clock=clock, create=True, busy_timeout_ms=100)
    with db.write() as session:
        repo.ensure_phone_key(session)
    add_member(db)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        sale = make_sale(Uuid7(clock), T0)
        with (
            pytest.raises(StoreUnavailableError, match="locked by another program"),
            db.write() as session,
        ):
            repo.record_sale(session, sale)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with db.read() as session:  # readers were never blocked, and nothing was stored
        assert repo.sale_by_id(session, sale.id) is None
    db.close()


def test_nested_writes_in_one_thread_fail_at_once(db: Database) -> None:
    with db.write() as session:
        repo.set_cursor(session, "outer", "1")
        with pytest.raises(RuntimeError, match=r"inside db\.write"), db.write():
            pass
    with db.read() as session:
        assert repo.get_cursor(session, "outer") == "1"

"""Online backup while the terminal sells, and checked restore."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from store_helpers import T0, add_member, earn_entry, file_hash, make_sale, sale_outbox

from posloyalty.clock import FixedClock
from posloyalty.tilldb import repo
from posloyalty.tilldb.backup import backup, restore, validate_backup
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.errors import StoreCorruptError, StoreUnavailableError, StoreVersionError
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.migrations import SCHEMA_VERSION


def _complete_sales(path: Path) -> int:
    """Number of sales, asserting each is whole (2 lines, 1 payment, 1 entry, 1 outbox row)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT s.id,"
            " (SELECT count(*) FROM sale_lines WHERE sale = s.id),"
            " (SELECT count(*) FROM payments WHERE sale = s.id),"
            " (SELECT count(*) FROM ledger_entries WHERE sale_id = s.id),"
            " (SELECT count(*) FROM outbox WHERE ref_id = s.id)"
            " FROM sales s"
        ).fetchall()
        assert all(r[1:] == (2, 1, 1, 1) for r in rows), rows
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        cached, ledger = conn.execute(
            "SELECT cached_points, (SELECT coalesce(sum(points), 0) FROM ledger_entries)"
            " FROM members WHERE id = 'M1'"
        ).fetchone()
        assert cached == ledger
        return len(rows)
    finally:
        conn.close()


def _sell(db: Database, ids: Uuid7, at: dt.datetime) -> None:
    sale = make_sale(ids, at)
    with db.write() as session:
        repo.record_sale(session, sale, [earn_entry(ids, sale, 35)], sale_outbox(sale))


def test_backup_while_another_connection_sells_then_restore(
    db: Database, db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    add_member(db)
    seller = Database.open(db_path, clock=clock)
    stop, started = threading.Event(), threading.Event()
    sold: list[int] = []
    failures: list[BaseException] = []

    def sell() -> None:
        ids = Uuid7(clock)
        try:
            n = 0
            while not stop.is_set() or n < 20:
                _sell(seller, ids, T0 + dt.timedelta(seconds=n))
                n += 1
                if n == 5:
                    started.set()
            sold.append(n)
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=sell)
    thread.start()
    out = tmp_path / "backups" / "b1.db"
    out.parent.mkdir()
    try:
        assert started.wait(timeout=30)
        info = backup(db, out)
        second = backup(db, tmp_path / "backups" / "b2.db")
    finally:
        stop.set()
        thread.join()
        seller.close()
    assert failures == []
    assert info.schema_version == SCHEMA_VERSION and info.size == out.stat().st_size
    assert validate_backup(out) == SCHEMA_VERSION
    in_backup = _complete_sales(out)
    assert in_backup >= 5
    assert in_backup <= _complete_sales(second.path) <= sold[0] == _complete_sales(db_path)
    assert not list(out.parent.glob("*.part"))
    assert sqlite3.connect(out).execute("PRAGMA journal_mode").fetchone()[0] == "delete"

    db.close()
    assert restore(db_path, out, now=T0) is None
    assert _complete_sales(db_path) == in_backup
    reopened = Database.open(db_path, clock=clock)
    try:
        with reopened.read() as session:
            assert repo.get_setting(session, "store") == "S1"
    finally:
        reopened.close()


def test_restore_is_refused_while_the_database_is_open(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    add_member(db)
    out = tmp_path / "b.db"
    backup(db, out)
    _sell(db, Uuid7(db.clock), T0)
    with pytest.raises(StoreUnavailableError, match="open in another program"):
        restore(db_path, out, now=T0)
    with db.read() as session:  # the sale made after the backup is still there
        assert repo.table_counts(session)["sales"] == 1


@pytest.mark.parametrize("problem", ["noise", "truncated", "newer", "foreign"])
def test_a_bad_backup_is_refused_and_nothing_changes(
    db: Database, db_path: Path, tmp_path: Path, problem: str
) -> None:
    add_member(db)
    bad = tmp_path / "bad.db"
    backup(db, bad)
    if problem == "noise":
        bad.write_bytes(random.Random(2).randbytes(50_000))
    elif problem == "truncated":
        with bad.open("r+b") as fh:
            fh.truncate(bad.stat().st_size // 2 // 4096 * 4096)
    elif problem == "newer":
        conn = sqlite3.connect(bad)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.close()
    else:
        bad.unlink()
        conn = sqlite3.connect(bad)
        conn.execute("CREATE TABLE t (x)")
        conn.close()
    db.close()
    before = file_hash(db_path)
    with pytest.raises((StoreCorruptError, StoreVersionError)):
        restore(db_path, bad, now=T0)
    assert file_hash(db_path) == before


def test_restore_moves_a_damaged_database_aside(
    db: Database, db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    add_member(db)
    out = tmp_path / "b.db"
    backup(db, out)
    db.close()
    noise = random.Random(3).randbytes(20_000)
    db_path.write_bytes(noise)
    moved = restore(db_path, out, now=T0)
    assert moved is not None and moved.read_bytes() == noise
    restored = Database.open(db_path, clock=clock)
    try:
        with restored.read() as session:
            assert repo.member_by_id(session, "M1") is not None
    finally:
        restored.close()


def test_backup_never_overwrites_the_database(db: Database, db_path: Path) -> None:
    with pytest.raises(StoreUnavailableError, match="must not overwrite"):
        backup(db, db_path)


def test_restore_into_a_new_place(db: Database, tmp_path: Path, clock: FixedClock) -> None:
    add_member(db)
    out = tmp_path / "b.db"
    backup(db, out)
    target = tmp_path / "elsewhere" / "new.db"
    target.parent.mkdir()
    shutil.copy(out, tmp_path / "copy-of-backup.db")
    assert restore(target, out, now=T0) is None
    assert file_hash(out) == file_hash(tmp_path / "copy-of-backup.db")  # source untouched
    restored = Database.open(target, clock=clock)
    restored.close()

"""Background WAL checkpoints keep sales off the checkpoint path without losing anything."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from store_helpers import T0

from posloyalty.clock import FixedClock
from posloyalty.tilldb import db as tilldb_db
from posloyalty.tilldb.db import Database


def _autocheckpoint(db: Database) -> int:
    with db.read() as session:
        return int(session.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def _fill(db: Database, rows: int) -> None:
    for n in range(rows):
        with db.write() as session:
            session.connection().exec_driver_sql(
                "INSERT INTO settings (key, value) VALUES (?, ?)", (f"k{n}", "x" * 2000)
            )


def test_default_keeps_sqlite_automatic_checkpoints(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "t.db", clock=FixedClock(T0), create=True)
    try:
        assert _autocheckpoint(db) == 1000
    finally:
        db.close()


def test_background_checkpointer_moves_the_wal_into_the_database(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    db = Database.open(path, clock=FixedClock(T0), create=True, background_checkpoint=0.05)
    try:
        assert _autocheckpoint(db) == 0
        _fill(db, 50)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            busy, frames, done = db.checkpoint("PASSIVE")
            if frames and done == frames:
                break
            time.sleep(0.05)
        assert busy == 0 and done == frames
    finally:
        db.close()
    # close() truncated the WAL; every row is in the database file itself.
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM settings WHERE key LIKE 'k%'").fetchone()[0] == 50
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def test_unknown_checkpoint_mode_is_refused(tmp_path: Path) -> None:
    import pytest

    db = Database.open(tmp_path / "t.db", clock=FixedClock(T0), create=True)
    try:
        with pytest.raises(ValueError, match="unknown checkpoint mode"):
            db.checkpoint("SOMETIMES")
    finally:
        db.close()


def test_background_checkpointer_rewinds_the_wal_under_nonstop_sales(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Sales back to back: a PASSIVE checkpoint alone never catches up with the last frame,
    # so SQLite would never start the WAL over and it would grow for as long as they come.
    # A low rewind threshold, so that the few hundred sales a loaded machine manages in the
    # loop below still cross it many times.
    monkeypatch.setattr(tilldb_db, "RESTART_AFTER_FRAMES", 40)
    monkeypatch.setattr(tilldb_db, "RESTART_LEFT_FRAMES", 10)
    path = tmp_path / "t.db"
    db = Database.open(path, clock=FixedClock(T0), create=True, background_checkpoint=0.02)
    try:
        rows = 0
        # At least 3 s and 600 sales, however slow a loaded machine makes each commit.
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline or rows < 600:
            with db.transaction() as conn:
                conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (f"k{rows}", "x"))
            rows += 1
        frames_in_wal = db.checkpoint("PASSIVE")[1]
    finally:
        db.close()
    # Each sale wrote at least one frame; the WAL holds far fewer: it was started over.
    assert rows >= 600
    assert frames_in_wal < rows / 2
    conn = sqlite3.connect(path)
    try:
        assert (
            conn.execute("SELECT count(*) FROM settings WHERE key LIKE 'k%'").fetchone()[0] == rows
        )
    finally:
        conn.close()

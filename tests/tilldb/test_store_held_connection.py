"""The hot paths' held connection: one per thread, reused, given back when it must be."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_helpers import T0

from posloyalty.clock import FixedClock
from posloyalty.tilldb.db import Database


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    d = Database.open(tmp_path / "t.db", clock=FixedClock(T0), create=True)
    yield d
    d.close()


def _checked_out(db: Database) -> int:
    return int(db.engine.pool.checkedout())  # type: ignore[attr-defined]  # a QueuePool's, not on Pool


def test_a_thread_reuses_one_connection_for_reads_and_writes(db: Database) -> None:
    with db.snapshot() as first:
        pass
    with db.transaction() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
        assert conn is first
    with db.snapshot() as again:
        assert again is first
        assert again.execute("SELECT value FROM settings WHERE key = 'a'").fetchone() == ("1",)
    assert _checked_out(db) == 1  # held between uses, not returned to the pool each time


def test_a_nested_use_takes_another_connection(db: Database) -> None:
    with db.transaction() as outer:
        outer.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
        with db.snapshot() as inner:
            assert inner is not outer
            # The other connection does not see the uncommitted row.
            assert inner.execute("SELECT count(*) FROM settings WHERE key = 'a'").fetchone() == (0,)
    with db.snapshot() as after:
        assert after is outer
        assert after.execute("SELECT count(*) FROM settings WHERE key = 'a'").fetchone() == (1,)


def test_an_error_inside_rolls_back_and_keeps_the_connection(db: Database) -> None:
    with pytest.raises(ZeroDivisionError), db.transaction() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
        1 / 0  # noqa: B018
    assert not conn.in_transaction
    with db.transaction() as again:
        assert again is conn
        assert again.execute("SELECT count(*) FROM settings WHERE key = 'a'").fetchone() == (0,)


def test_a_thread_that_ends_gives_its_connection_back(db: Database) -> None:
    def work(n: int) -> None:
        with db.transaction() as conn:
            conn.execute("INSERT INTO settings (key, value) VALUES (?, '1')", (f"t{n}",))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
        t.join()
    del threads
    gc.collect()
    assert _checked_out(db) == 0  # 20 threads came and went: no connection stayed out
    with db.snapshot() as conn:
        assert conn.execute("SELECT count(*) FROM settings WHERE key LIKE 't%'").fetchone() == (20,)


def test_dispose_retires_held_connections(db: Database) -> None:
    with db.snapshot() as before:
        pass
    db.engine.dispose()  # a reconnect, e.g. after the disk was remounted
    with db.snapshot() as after:
        assert after is not before
    with pytest.raises(Exception, match="closed"):
        before.execute("SELECT 1")


def test_close_gives_everything_back(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "t.db", clock=FixedClock(T0), create=True)
    with db.transaction() as conn:
        conn.execute("INSERT INTO settings (key, value) VALUES ('a', '1')")
    db.close()
    assert _checked_out(db) == 0
    with pytest.raises(Exception, match="closed"):
        conn.execute("SELECT 1")

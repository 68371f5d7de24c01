"""A database that cannot be written: commit refuses clearly, the sale stays open, nothing changes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from checkout_helpers import make_ctx, snapshot
from hq_signing import confirm_balance
from killtest import read_only
from ledger_grants import grant
from sqlalchemy import event

from posloyalty.clock import FixedClock
from posloyalty.domain.ids import MemberId
from posloyalty.domain.money import Fen
from posloyalty.terminal.checkout import CheckoutSession, State
from posloyalty.terminal.errors import StorageRefused
from posloyalty.terminal.identified import Identified
from posloyalty.terminal.returns import process_return
from posloyalty.tilldb.db import Database


def _state(s: CheckoutSession) -> State:
    """The state now: read in a call, so mypy keeps no narrowing from an earlier assert."""
    return s.state


def _paying(db: Database, open_lines: int = 0) -> CheckoutSession:
    s = CheckoutSession(make_ctx(db))
    s.identify(Identified(MemberId("M1"), "dynamic", may_redeem=True))
    s.scan("A1", 2)
    s.scan("C3")
    for i in range(open_lines):
        s.add_open_amount(Fen(100 + i), f"open line {i} " + "x" * 60)
    s.redeem(500)
    s.begin_payment()
    s.add_payment("card", Fen(1000))
    s.add_payment("cash", tendered=Fen(100_000))
    return s


def _view(s: CheckoutSession) -> tuple[object, ...]:
    return (s.state, s.lines, s.member, s.quote, s.payments, s.redeem_points)


@pytest.fixture
def funded(db: Database, clock: FixedClock) -> Database:
    grant(db, "M1", 5000, clock)
    confirm_balance(db, "M1", clock.now())
    return db


def _refuses_then_commits(s: CheckoutSession, db: Database, match: str) -> None:
    before, stored = _view(s), snapshot(db)
    with pytest.raises(StorageRefused, match=match):
        s.commit()
    assert s.state is State.PAYING and _view(s) == before
    assert snapshot(db) == stored


def test_read_only_file(funded: Database, db_path: Path) -> None:
    s = _paying(funded)
    funded.engine.dispose()  # the till reconnects, e.g. after the disk was remounted read-only
    with read_only(db_path):
        _refuses_then_commits(s, funded, "read-only")
        with pytest.raises(StorageRefused, match="audit log"):
            s.cancel("no disk")
        assert s.state is State.PAYING
    funded.engine.dispose()
    receipt = s.commit()  # writable again: the same sale goes through
    assert receipt.points_redeemed == 500 and _state(s) is State.COMMITTED


def test_full_disk(funded: Database) -> None:
    s = _paying(funded, open_lines=300)

    def cap(dbapi_conn: sqlite3.Connection, record: object) -> None:
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    # Every connection from here on finds the disk full.
    event.listen(funded.engine, "connect", cap)
    funded.engine.dispose()
    try:
        _refuses_then_commits(s, funded, "disk is full")
    finally:
        event.remove(funded.engine, "connect", cap)
    funded.engine.dispose()  # new connections: no page cap
    assert s.commit().total == s.due


def test_locked_database(funded: Database, db_path: Path, clock: FixedClock) -> None:
    db = Database.open(db_path, clock=clock, busy_timeout_ms=200)
    try:
        earlier = CheckoutSession(make_ctx(db))
        earlier.scan("A1")
        earlier.begin_payment()
        earlier.add_payment("cash")
        done = earlier.commit()
        s = _paying(db)
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            _refuses_then_commits(s, db, "locked")
            with pytest.raises(StorageRefused, match="locked"):
                process_return(make_ctx(db), sale_id=done.sale_id)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert s.commit().points_redeemed == 500
    finally:
        db.close()

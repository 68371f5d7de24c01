"""The sale hot path: the member's ledger read straight from rows, and the new balance from
the ledger the caller read in the same transaction (checked against the stored rows)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from zoneinfo import ZoneInfo

import pytest
from store_helpers import T0, add_member, earn_entry, make_sale, sale_outbox

from posloyalty.domain import points
from posloyalty.domain.ids import EntryId, LotId
from posloyalty.domain.points import LedgerEntry
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.models import Member

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _sell(db: Database, ids: Uuid7, at: dt.datetime, points_: int) -> None:
    sale = make_sale(ids, at)
    with db.write() as session:
        repo.record_sale(session, sale, [earn_entry(ids, sale, points_)], sale_outbox(sale))


def _redeem(db: Database, ids: Uuid7, at: dt.datetime, lot: str, n: int) -> None:
    sale = make_sale(ids, at)
    entry = LedgerEntry(EntryId(ids.new()), "redeem", -n, at, LotId(lot), at, None, sale.id)
    with db.write() as session:
        repo.record_sale(session, sale, [entry], sale_outbox(sale))


def test_ledger_for_member_matches_the_records_in_any_zone(db: Database) -> None:
    add_member(db)
    ids = Uuid7(db.clock)
    _sell(db, ids, T0, 40)
    _sell(db, ids, T0 + dt.timedelta(hours=1), 25)
    with db.read() as session:
        lot = repo.ledger_for_member(session, "M1")[0].lot
    _redeem(db, ids, T0 + dt.timedelta(hours=2), lot, 10)
    with db.read() as session:
        for tz in (None, SHANGHAI):
            fast = repo.ledger_for_member(session, "M1", tz)
            slow = [r.entry for r in repo.ledger_records(session, "M1", tz)]
            assert fast == slow and len(fast) == 3
            assert all(e.at.utcoffset() == (tz or dt.UTC).utcoffset(e.at) for e in fast)
        assert repo.ledger_for_member(session, "nobody") == []


def _cache(db: Database) -> tuple[int, int]:
    with db.read() as session:
        m = session.get(Member, "M1")
        assert m is not None
        return m.cached_points, m.cached_pending


def test_record_sale_with_the_ledger_read_before_gives_the_replayed_balance(
    db: Database,
) -> None:
    add_member(db)
    ids = Uuid7(db.clock)
    _sell(db, ids, T0, 40)
    sale = make_sale(ids, T0 + dt.timedelta(minutes=5))
    entry = earn_entry(ids, sale, 30, pending_days=7)
    with db.write() as session:
        before = repo.ledger_for_member(session, "M1")
        balance = repo.record_sale(session, sale, [entry], ledger_before=before)
        replayed = points.balance(repo.ledger_for_member(session, "M1"), sale.at)
    assert balance == replayed
    assert (balance.available, balance.pending) == (40, 30)
    assert _cache(db) == (40, 30)


def test_a_stale_ledger_before_is_detected_and_the_rows_are_read(db: Database) -> None:
    add_member(db)
    ids = Uuid7(db.clock)
    _sell(db, ids, T0, 40)
    _sell(db, ids, T0 + dt.timedelta(minutes=1), 15)
    sale = make_sale(ids, T0 + dt.timedelta(minutes=5))
    entry = earn_entry(ids, sale, 30)
    with db.write() as session:
        stored = repo.ledger_for_member(session, "M1")
        # Missing an entry (count differs), then one with other points (same count).
        for stale in (stored[:1], [stored[0], dataclasses.replace(stored[1], points=99)]):
            refreshed = repo._refresh(repo.raw_connection(session), "M1", sale.at, [*stale, entry])
            assert refreshed.available == 55  # what the rows hold, not the stale list
        balance = repo.record_sale(session, sale, [entry], ledger_before=stored[:1])
    assert balance is not None and balance.available == 85
    assert _cache(db) == (85, 0)


def test_a_dbapi_transaction_commits_whole_or_not_at_all(db: Database) -> None:
    add_member(db)
    ids = Uuid7(db.clock)
    with db.read() as session:  # leaves the pooled connection query_only
        assert repo.member_by_id(session, "M1") is not None
    sale = make_sale(ids, T0)
    with db.transaction() as conn:
        assert conn.in_transaction
        balance = repo.insert_sale(conn, sale, [earn_entry(ids, sale, 35)], sale_outbox(sale))
    assert balance is not None and balance.available == 35
    failed = make_sale(ids, T0 + dt.timedelta(minutes=1))
    with pytest.raises(RuntimeError, match="boom"), db.transaction() as conn:
        repo.insert_sale(conn, failed, [earn_entry(ids, failed, 10)], sale_outbox(failed))
        raise RuntimeError("boom")
    with db.read() as session:
        assert repo.sale_by_id(session, sale.id) is not None
        assert repo.sale_by_id(session, failed.id) is None
        assert repo.ledger_sum(session, "M1") == 35
        assert repo.outbox_pending_count(session) == 1
    assert _cache(db) == (35, 0)
    with db.write(), pytest.raises(RuntimeError, match="inside a write"), db.transaction():
        pass  # pragma: no cover - refused before


def test_a_dbapi_snapshot_reads_and_cannot_write(db: Database) -> None:
    add_member(db)
    with db.snapshot() as conn:
        assert conn.in_transaction
        assert repo.ledger_for_member(conn, "M1") == []
        with pytest.raises(sqlite3.OperationalError, match=r"readonly|read-only|query_only"):
            conn.execute("UPDATE members SET growth = 1")
    ids = Uuid7(db.clock)
    sale = make_sale(ids, T0)
    with db.transaction() as conn:  # the same pooled connection, writable again
        repo.insert_sale(conn, sale, [earn_entry(ids, sale, 5)])
    with db.snapshot() as conn:
        assert [e.points for e in repo.ledger_for_member(conn, "M1")] == [5]
        assert not conn.execute("SELECT growth FROM members").fetchone()[0]

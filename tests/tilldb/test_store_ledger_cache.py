"""Parsed ledgers are reused while a member's ledger has not grown, and only then."""

from __future__ import annotations

import datetime as dt

from store_helpers import T0, add_member, earn_entry, make_sale, sale_outbox

from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.ledger_cache import LedgerCache


def _sell(db: Database, ids: Uuid7, member: str, minutes: int, points: int) -> None:
    sale = make_sale(ids, T0 + dt.timedelta(minutes=minutes), member=member)
    with db.write() as session:
        repo.record_sale(session, sale, [earn_entry(ids, sale, points)], sale_outbox(sale))


def test_a_ledger_is_parsed_once_until_it_grows(db: Database) -> None:
    add_member(db, "M1")
    ids = Uuid7(db.clock)
    _sell(db, ids, "M1", 0, 35)
    cache = LedgerCache()
    with db.snapshot() as conn:
        first = cache.entries(conn, "M1", dt.UTC)
    with db.snapshot() as conn:
        assert cache.entries(conn, "M1", dt.UTC) is first  # unchanged: the same parse
    _sell(db, ids, "M1", 1, 20)
    with db.snapshot() as conn:
        grown = cache.entries(conn, "M1", dt.UTC)
        assert grown == tuple(repo.ledger_for_member(conn, "M1", dt.UTC))
    assert [e.points for e in grown] == [35, 20]
    with db.snapshot() as conn:  # another zone is another parse of the same rows
        shanghai = dt.timezone(dt.timedelta(hours=8))
        local = cache.entries(conn, "M1", shanghai)
        assert local is not grown and all(e.at.utcoffset() for e in local)


def test_only_the_most_recent_members_are_kept(db: Database) -> None:
    ids = Uuid7(db.clock)
    for n in range(3):
        add_member(db, f"M{n}", phone=f"1381234567{n}")
        _sell(db, ids, f"M{n}", n, 10)
    cache = LedgerCache(size=2)
    with db.snapshot() as conn:
        m0 = cache.entries(conn, "M0", None)
        cache.entries(conn, "M1", None)
        cache.entries(conn, "M2", None)  # M0 is the least recently used: dropped
        assert cache.entries(conn, "M0", None) is not m0
        assert cache.entries(conn, "M0", None) == m0

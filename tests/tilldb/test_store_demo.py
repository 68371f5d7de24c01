"""Demo data: counts, determinism, consistent balances, known members."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from store_helpers import T0

from posloyalty.clock import FixedClock
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.demo import KNOWN_MEMBERS, generate_demo
from posloyalty.tilldb.errors import StoreDataError


def _digest(db: Database) -> str:
    h = hashlib.sha256()
    with db.read() as session:
        conn = session.connection()
        for query in (
            "SELECT id, phone_masked, display_name, tier, growth, cached_points, birthday,"
            " last_purchase_at, registered_at FROM members ORDER BY id",
            "SELECT * FROM products ORDER BY sku",
            "SELECT * FROM sales ORDER BY id",
            'SELECT * FROM sale_lines ORDER BY sale, "index"',
            "SELECT * FROM ledger_entries ORDER BY id",
        ):
            for row in conn.exec_driver_sql(query):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def test_demo_counts_and_consistency(db: Database) -> None:
    counts = generate_demo(db, members=2000, products=300, sales=1500, seed=7)
    with db.read() as session:
        tables = repo.table_counts(session)
        assert (tables["members"], tables["products"], tables["sales"]) == (2000, 300, 1500)
        assert tables["sale_lines"] == counts.sale_lines >= 1500
        assert tables["payments"] == 1500
        assert tables["ledger_entries"] == counts.ledger_entries > 0
        conn = session.connection()
        mismatched = conn.exec_driver_sql(
            "SELECT count(*) FROM members m WHERE cached_points <>"
            " (SELECT coalesce(sum(points), 0) FROM ledger_entries WHERE member = m.id)"
        ).scalar_one()
        assert mismatched == 0
        unpaid = conn.exec_driver_sql(
            "SELECT count(*) FROM sales s WHERE total_fen <>"
            " (SELECT sum(amount_fen) FROM payments WHERE sale = s.id)"
            " OR total_fen <> (SELECT sum(net_fen) FROM sale_lines WHERE sale = s.id)"
        ).scalar_one()
        assert unpaid == 0
        busiest = conn.exec_driver_sql(
            "SELECT member FROM ledger_entries GROUP BY member ORDER BY count(*) DESC LIMIT 1"
        ).scalar_one()
        member = repo.member_by_id(session, busiest)
        assert member is not None
        replayed = repo.member_balance(session, busiest, db.clock.now())
        assert (member.cached_points, member.cached_pending) == (replayed.available, 0)
        tiers = {t for (t,) in conn.exec_driver_sql("SELECT DISTINCT tier FROM members")}
        assert tiers == {"regular", "silver", "gold"}
        for member_id, phone, name, _ in KNOWN_MEMBERS:
            [found] = repo.members_by_phone(session, phone)
            assert (found.id, found.display_name) == (member_id, name)
        top = repo.member_by_id(session, KNOWN_MEMBERS[0][0])
        assert top is not None and top.tier == "gold"


def test_demo_is_deterministic(tmp_path: Path) -> None:
    digests = []
    for name in ("a.db", "b.db"):
        db = Database.open(tmp_path / name, clock=FixedClock(T0), create=True)
        generate_demo(db, members=500, products=80, sales=400, seed=11)
        digests.append(_digest(db))
        db.close()
    other = Database.open(tmp_path / "c.db", clock=FixedClock(T0), create=True)
    generate_demo(other, members=500, products=80, sales=400, seed=12)
    assert digests[0] == digests[1] != _digest(other)
    other.close()


def test_demo_needs_an_empty_database(db: Database) -> None:
    generate_demo(db, members=10, products=5, sales=5)
    before = _digest(db)
    with pytest.raises(StoreDataError, match="empty database"):
        generate_demo(db, members=10, products=5, sales=5)
    with pytest.raises(StoreDataError, match="need at least one product"):
        generate_demo(db, members=10, products=0, sales=5)
    assert _digest(db) == before


def test_a_failing_demo_leaves_nothing(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("failed after products and members were inserted")

    monkeypatch.setattr("posloyalty.tilldb.demo.json.dumps", broken)
    with pytest.raises(RuntimeError, match="after products and members"):
        generate_demo(db, members=100, products=10, sales=10)
    with db.read() as session:
        counts = repo.table_counts(session)
    assert counts["members"] == counts["products"] == counts["sales"] == 0


def test_demo_tiers_agree_with_growth(db: Database) -> None:
    generate_demo(db, members=3000, products=20, sales=100, tier_growth=(0, 3000, 6000))
    with db.read() as session:
        rows = session.connection().exec_driver_sql("SELECT id, tier, growth FROM members").all()
    expected = {0: "regular", 3000: "silver", 6000: "gold"}
    for member, tier, growth in rows:
        floor = max(f for f in expected if growth >= f)
        assert tier == expected[floor], (member, tier, growth)
    assert {tier for _, tier, _ in rows} == {"regular", "silver", "gold"}
    known = {
        member: (tier, growth)
        for member, tier, growth in rows
        if member in {k[0] for k in KNOWN_MEMBERS}
    }
    assert known["M000000003"][0] == "regular" and known["M000000001"][0] == "gold"


def test_demo_refuses_floors_that_do_not_fit_the_tiers(db: Database) -> None:
    with pytest.raises(StoreDataError, match="rising growth floor"):
        generate_demo(db, members=1, products=1, sales=0, tier_growth=(0, 6000, 3000))

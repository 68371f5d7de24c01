"""Applying pulled pages to the terminal store: idempotent upserts, deletes, one transaction per
page with the cursor, and bad data refused whole."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sync_helpers import RULES, STORE_T0, new_terminal

from posloyalty.clock import FixedClock
from posloyalty.resources import resources_dir
from posloyalty.sync import inbound
from posloyalty.sync.errors import BadAnswer
from posloyalty.sync.protocol import Change, PullResponse
from posloyalty.terminal.allowance import balance_confirmed_at
from posloyalty.tilldb import member_codes, repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.models import Member, MemberCoupon, Product
from posloyalty.tilldb.vault import open_vault

NOW = STORE_T0
SECRET = bytes(range(20))


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return new_terminal(tmp_path / "t.sqlite", FixedClock(NOW))


def page(
    changes: list[tuple[int, str, str, Any]], next_cursor: int, more: bool = False
) -> PullResponse:
    return PullResponse(
        # The kinds are plain text here; Change refuses one it does not know.
        changes=[Change(seq=s, kind=k, key=key, data=d) for s, k, key, d in changes],  # type: ignore[arg-type]
        next_cursor=next_cursor,
        more=more,
        server_time=NOW,
    )


def member(mid: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": mid,
        "phone_masked": "139****0001",
        "phone_hash": "ab" * 32,
        "name_masked": "M*",
        "birthday": "1990-06-01",
        "home_store": "S1",
        "registered_at": "2026-01-01T00:00:00+00:00",
        "aliases": [],
        "merged_into": None,
        "tier": "silver",
        "growth": 3500,
        "points_available": 1200,
        "points_pending": 30,
        "next_expiry": None,
        "expiring_points": 0,
        "last_purchase_at": None,
    } | extra


RULE_TEXT = (resources_dir() / "rules" / f"{RULES}.toml").read_text(encoding="utf-8")


def snapshot_page() -> Any:
    return page(
        [
            (1, "rule_document", "miniso", {"id": "miniso", "revision": 1, "text": RULE_TEXT, "active": True}),
            (2, "product", "A1", {"sku": "A1", "ean": "6900000000011", "name": "Tote", "price_fen": 1000, "category": "", "special_price": False, "member_price_fen": None}),
            # A coupon before its member (a page boundary may fall like that).
            (3, "coupon", "CPN000000001", {"code": "CPN000000001", "member_id": "HQM0000001", "template": "welcome5", "valid_from": "2026-11-01T00:00:00+00:00", "valid_until": "2026-12-31T00:00:00+00:00", "used_sale_id": None, "used_at": None}),
            (4, "member", "HQM0000001", member("HQM0000001")),
            (5, "member_secret", "HQM0000001", {"member_id": "HQM0000001", "secret": SECRET.hex()}),
            (6, "revocation", "cd" * 32, {"digest": "cd" * 32, "at": "2026-11-20T00:00:00+00:00"}),
        ],
        6,
    )  # fmt: skip


def state(db: Database) -> dict[str, Any]:
    with db.read() as session:
        conn = session.connection()
        return {
            t: conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY 1").all()
            for t in (
                "rule_documents",
                "products",
                "members",
                "member_coupons",
                "code_revocations",
                "sync_cursors",
            )
        } | {
            "secrets": conn.exec_driver_sql(
                "SELECT member, key_id FROM member_secrets ORDER BY member"
            ).all(),
            "settings": conn.exec_driver_sql(
                "SELECT key, value FROM settings WHERE key LIKE 'hq_%' ORDER BY key"
            ).all(),
        }


def apply(db: Database, p: Any, cursor: int = 0) -> inbound.Applied:
    vault = open_vault(db, key_store="file")
    return inbound.apply_page(db, p, cursor=cursor, vault=vault, at=db.clock.now())


def test_a_snapshot_page_lands_whole_with_its_cursor(db: Database) -> None:
    applied = apply(db, snapshot_page())
    assert applied.changes == 6 and applied.next_cursor == 6 and applied.confirmed_members == 1
    with db.read() as session:
        assert inbound.get_cursor(session) == 6
        assert repo.active_rule_document(session) is not None
        assert session.get_one(Product, "A1").price_fen == 1000
        m = session.get(Member, "HQM0000001")
        assert m is not None and (m.tier, m.cached_points, m.cached_pending) == ("silver", 1200, 30)
        assert m.hq_version == 4 and not m.provisional and m.display_name == "M*"
        assert session.get(MemberCoupon, "CPN000000001") is not None
        assert member_codes.is_revoked(session, "cd" * 32)
        vault = open_vault(db, create=False)
        assert member_codes.member_secret(session, vault, "HQM0000001") == SECRET
        # Applied, but the page carried no signed confirmation: the offline cap stays.
        assert balance_confirmed_at(session, "HQM0000001") is None
    sealed = state(db)["secrets"]
    assert sealed and SECRET.hex() not in str(sealed)


def test_applying_a_page_twice_changes_nothing(db: Database) -> None:
    apply(db, snapshot_page())
    before = state(db)
    with db.write() as session:
        repo.set_cursor(session, inbound.CURSOR_NAME, "0")
    apply(db, snapshot_page())
    assert state(db) == before


def test_deltas_update_and_delete(db: Database) -> None:
    apply(db, snapshot_page())
    apply(
        db,
        page(
            [
                (7, "product", "A1", None),
                (8, "member", "HQM0000001", member("HQM0000001", tier="gold", points_available=5)),
                (9, "coupon", "CPN000000001", None),
                (10, "revocation", "cd" * 32, None),
                (11, "member_secret", "HQM0000001", None),
            ],
            12,
        ),
        cursor=6,
    )
    with db.read() as session:
        assert session.get(Product, "A1") is None
        m = session.get(Member, "HQM0000001")
        assert m is not None and (m.tier, m.cached_points, m.hq_version) == ("gold", 5, 8)
        assert session.get(MemberCoupon, "CPN000000001") is None
        assert not member_codes.is_revoked(session, "cd" * 32)
        assert member_codes.member_secret(session, None, "HQM0000001") is None
        assert inbound.get_cursor(session) == 12


def test_an_alias_confirms_the_provisional_row_and_a_merge_drops_the_secret(db: Database) -> None:
    with db.write() as session:
        session.add(
            Member(
                id="P1T1A",
                phone_masked="139****0001",
                phone_hash="x",
                display_name="",
                tier="",
                growth=0,
                cached_points=0,
                cached_pending=0,
                registered_at=NOW,
                hq_version=0,
                provisional=True,
            )
        )
    apply(db, snapshot_page())
    apply(db, page([(7, "member", "HQM0000001", member("HQM0000001", aliases=["P1T1A"]))], 7), 6)
    with db.read() as session:
        row = session.get(Member, "P1T1A")
        assert row is not None and row.hq_version == 7 and row.tier == "silver"
    apply(db, page([(8, "member", "HQM0000001", {"id": "HQM0000001", "merged_into": "X"})], 8), 7)
    with db.read() as session:
        assert member_codes.member_secret(session, None, "HQM0000001") is None
        assert balance_confirmed_at(session, "HQM0000001") is None


def test_a_coupon_used_at_another_store_is_dropped_here(db: Database) -> None:
    apply(db, snapshot_page())
    used = {
        "code": "CPN000000001",
        "member_id": "HQM0000001",
        "template": "welcome5",
        "valid_from": "2026-11-01T00:00:00+00:00",
        "valid_until": "2026-12-31T00:00:00+00:00",
        "used_sale_id": "0190a000-0000-7000-8000-000000000001",
        "used_at": "2026-11-20T00:00:00+00:00",
    }
    apply(db, page([(7, "coupon", "CPN000000001", used)], 7), 6)
    with db.read() as session:
        assert session.get(MemberCoupon, "CPN000000001") is None


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ((7, "product", "B2", {"sku": "B2", "name": "x", "price_fen": "10"}), "price_fen"),
        ((7, "product", "B2", {"sku": "ZZ", "name": "x", "price_fen": 10}), "names 'ZZ'"),
        ((7, "member", "M9", {"id": "M9"}), "phone_masked"),
        ((7, "member", "M9", member("M9", registered_at="2026-01-01T00:00:00")), "UTC offset"),
        ((7, "member_secret", "M9", {"member_id": "M9", "secret": "zz"}), "secret"),
        ((7, "revocation", "ab", {"digest": "ab", "at": "2026-01-01T00:00:00Z"}), "digest"),
        (
            (
                7,
                "rule_document",
                "x",
                {"id": "x", "revision": 1, "text": "garbage", "active": True},
            ),
            "invalid rule document",
        ),
    ],
)
def test_bad_data_is_refused_whole(db: Database, bad: Any, message: str) -> None:
    apply(db, snapshot_page())
    before = state(db)
    good = (8, "product", "C3", {"sku": "C3", "name": "ok", "price_fen": 5})
    with pytest.raises(BadAnswer, match=message):
        apply(db, page([bad, good], 8), 6)
    assert state(db) == before


@pytest.mark.parametrize(
    ("changes", "next_cursor", "more", "message"),
    [
        ([(3, "product", "C3", None)], 7, False, "out of order"),
        ([(9, "product", "C3", None)], 8, False, "out of order"),
        ([], 5, False, "backwards"),
        ([], 6, True, "does not move"),
    ],
)
def test_an_inconsistent_cursor_is_refused(
    db: Database, changes: Any, next_cursor: int, more: bool, message: str
) -> None:
    apply(db, snapshot_page())
    before = state(db)
    with pytest.raises(BadAnswer, match=message):
        apply(db, page(changes, next_cursor, more), 6)
    assert state(db) == before


def test_a_page_from_a_stale_cursor_is_not_applied(db: Database) -> None:
    apply(db, snapshot_page())
    before = state(db)
    with pytest.raises(inbound.CursorMoved):
        apply(db, page([(2, "product", "A1", None)], 2), 0)
    assert state(db) == before


# --------------------------------------------------------------------------- ledger


def ledger_entry(entry_id: str, points: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": entry_id,
        "member_id": "HQM0000001",
        "kind": "earn",
        "points": points,
        "lot": entry_id,
        "at": "2026-11-20T02:00:00+00:00",
        "available_at": "2026-11-20T02:00:00+00:00",
        "expires_at": None,
        "renews_until": None,
        "sale_id": "SALE-AT-ANOTHER-STORE",
        "reason": "",
        "store_id": "S2",
        "terminal_id": "T9",
    } | extra


def ledger_rows(db: Database) -> Sequence[Sequence[Any]]:
    with db.read() as session:
        return (
            session.connection()
            .exec_driver_sql(
                "SELECT id, member, kind, points, sale_id, terminal, store FROM ledger_entries"
                " ORDER BY id"
            )
            .all()
        )


def test_pulled_ledger_entries_join_the_members_ledger_once(db: Database) -> None:
    apply(db, snapshot_page())
    entries = [
        (7, "ledger_entry", "E1", ledger_entry("E1", 300)),
        (8, "ledger_entry", "E2", ledger_entry("E2", 40, store_id=None, terminal_id=None)),
    ]
    applied = apply(db, page(entries, 8), 6)
    assert applied.by_kind == {"ledger_entry": 2}
    # Another store's sale is not stored here: the entry keeps no sale id.
    assert ledger_rows(db) == [
        ("E1", "HQM0000001", "earn", 300, None, "T9", "S2"),
        ("E2", "HQM0000001", "earn", 40, None, "HQ", "HQ"),
    ]
    with db.read() as session:
        assert repo.member_balance(session, "HQM0000001", NOW).available == 340
        row = session.get(Member, "HQM0000001")
        assert row is not None and row.cached_points == 340
    # The same entries again (re-stamped by HQ): nothing changes.
    before = ledger_rows(db)
    apply(db, page([(9, "ledger_entry", "E1", ledger_entry("E1", 300))], 9), 8)
    assert ledger_rows(db) == before
    # HQ's copy of an entry this terminal holds differs: the local one stays, it is reported.
    apply(db, page([(10, "ledger_entry", "E2", ledger_entry("E2", 41))], 10), 9)
    assert ledger_rows(db) == before
    with db.read() as session:
        (detail,) = (
            session.connection()
            .exec_driver_sql("SELECT detail FROM audit_log WHERE action = 'sync.conflict'")
            .scalars()
        )
    assert "E2" in detail and "41" in detail


def test_a_ledger_entry_before_its_member_gets_a_placeholder(db: Database) -> None:
    apply(db, page([(1, "ledger_entry", "E1", ledger_entry("E1", 5))], 1))
    with db.read() as session:
        assert session.get(Member, "HQM0000001") is not None
    apply(db, page([(2, "member", "HQM0000001", member("HQM0000001"))], 2), 1)
    with db.read() as session:
        row = session.get(Member, "HQM0000001")
        assert row is not None and row.phone_masked == "139****0001"
        assert repo.member_balance(session, "HQM0000001", NOW).available == 5


# --------------------------------------------------------------------------- property


_SKUS = ("A1", "B2", "C3")
_MEMBERS = ("HQM0000001", "HQM0000002")
_COUPONS = ("CPN000000001", "CPN000000002")
_DIGESTS = ("ab" * 32, "cd" * 32)

_ops = st.one_of(
    st.tuples(
        st.just("product"),
        st.sampled_from(_SKUS),
        st.one_of(st.none(), st.integers(0, 10_000)),
    ),
    st.tuples(st.just("member"), st.sampled_from(_MEMBERS), st.integers(0, 5000)),
    st.tuples(
        st.just("coupon"),
        st.sampled_from(_COUPONS),
        st.one_of(st.none(), st.sampled_from(_MEMBERS)),
    ),
    st.tuples(st.just("revocation"), st.sampled_from(_DIGESTS), st.booleans()),
    st.tuples(st.just("member_secret"), st.sampled_from(_MEMBERS), st.booleans()),
)


def _data(kind: str, key: str, value: Any) -> dict[str, Any] | None:
    if kind == "product":
        return None if value is None else {"sku": key, "name": key, "price_fen": value}
    if kind == "member":
        return member(key, points_available=value)
    if kind == "coupon":
        if value is None:
            return None
        return {
            "code": key,
            "member_id": value,
            "template": "t",
            "valid_from": "2026-11-01T00:00:00+00:00",
            "valid_until": "2026-12-31T00:00:00+00:00",
        }
    if kind == "revocation":
        return {"digest": key, "at": "2026-11-20T00:00:00+00:00"} if value else None
    return {"member_id": key, "secret": SECRET.hex()} if value else None


class Feed:
    """HQ's change feed in miniature: the latest state of each (kind, key) at its last seq."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], tuple[int, Any]] = {}
        self.seq = 0

    def change(self, kind: str, key: str, data: Any) -> None:
        self.seq += 1
        self.rows[kind, key] = (self.seq, data)

    def page(self, cursor: int, limit: int) -> Any:
        after = sorted(
            (seq, kind, key, data) for (kind, key), (seq, data) in self.rows.items() if seq > cursor
        )
        more = len(after) > limit
        chunk = after[:limit]
        return page(chunk, chunk[-1][0] if more else max(self.seq, cursor), more)


def _catch_up(db: Database, feed: Feed, limit: int) -> None:
    while True:
        with db.read() as session:
            cursor = inbound.get_cursor(session)
        p = feed.page(cursor, limit)
        apply(db, p, cursor)
        if not p.more:
            return


@settings(max_examples=40, deadline=None)
@given(
    script=st.lists(st.tuples(_ops, st.booleans()), min_size=1, max_size=25),
    limit=st.integers(1, 4),
)
def test_pulling_along_the_way_ends_where_a_fresh_snapshot_does(
    script: list[tuple[tuple[str, str, Any], bool]], limit: int
) -> None:
    feed = Feed()
    feed.change("rule_document", "miniso", {"id": "miniso", "revision": 1, "text": RULE_TEXT, "active": True})  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        along = new_terminal(Path(tmp) / "a.sqlite", FixedClock(NOW))
        fresh = new_terminal(Path(tmp) / "b.sqlite", FixedClock(NOW))
        for (kind, key, value), pull_now in script:
            feed.change(kind, key, _data(kind, key, value))
            if pull_now:
                _catch_up(along, feed, limit)
        _catch_up(along, feed, limit)
        _catch_up(fresh, feed, 1000)
        # Pulling again from the start (HQ restored) changes nothing either.
        with along.write() as session:
            repo.set_cursor(session, inbound.CURSOR_NAME, "0")
        _catch_up(along, feed, limit)
        a, b = state(along), state(fresh)
        # Each terminal seals secrets under its own key: compare what they open to.
        for db, seen in ((along, a), (fresh, b)):
            vault = open_vault(db, create=False)
            with db.read() as session:
                seen["secrets"] = [
                    (m, member_codes.member_secret(session, vault, m))
                    for m, _key in seen["secrets"]
                ]
        assert a == b
        along.close()
        fresh.close()

"""Repositories: one-transaction sales, the append-only ledger, balances, outbox, cashiers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from store_helpers import T0, add_member, earn_entry, make_sale, sale_outbox

from posloyalty.clock import FixedClock
from posloyalty.domain import points
from posloyalty.domain.ids import CashierId, EntryId, LotId, MemberId, SaleId, StoreId, TerminalId
from posloyalty.domain.money import Fen
from posloyalty.domain.points import LedgerEntry
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.errors import StoreDataError
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.models import MemberCoupon, Product
from posloyalty.tilldb.records import LedgerRecord, OutboxMessage, ledger_from_row, ledger_to_row

SALE_TABLES = ("sales", "sale_lines", "payments", "ledger_entries", "outbox")


def _counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        counts = repo.table_counts(session)
    return {t: counts[t] for t in SALE_TABLES}


def test_record_sale_stores_everything_and_refreshes_the_cache(db: Database) -> None:
    add_member(db)
    ids = Uuid7(db.clock)
    sale = make_sale(ids, T0)
    entry = earn_entry(ids, sale, 35)
    with db.write() as session:
        balance = repo.record_sale(session, sale, [entry], sale_outbox(sale))
    assert balance is not None and balance.available == 35
    assert _counts(db) == {
        "sales": 1,
        "sale_lines": 2,
        "payments": 1,
        "ledger_entries": 1,
        "outbox": 1,
    }
    with db.read() as session:
        member = repo.member_by_id(session, "M1")
        assert member is not None
        assert (member.cached_points, member.cached_pending) == (35, 0)
        assert member.last_purchase_at == T0
        assert repo.ledger_for_member(session, "M1") == [entry]
        stored = repo.sale_by_receipt(session, sale.receipt_code)
        assert stored is not None and stored.id == sale.id and stored.quote == {"total": 3550}
        lines = session.execute(
            text('SELECT "index", discounts FROM sale_lines ORDER BY "index"')
        ).all()
        assert lines == [(0, '{"tier":0}'), (1, "{}")]
        [record] = repo.ledger_for_sale(session, sale.id)
        assert (record.member, record.terminal, record.store, record.cashier) == (
            "M1",
            "T1",
            "S1",
            "c1",
        )


def test_an_error_mid_record_leaves_nothing(db: Database) -> None:
    add_member(db)
    ids = Uuid7(db.clock)
    first = make_sale(ids, T0)
    with db.write() as session:
        repo.record_sale(session, first, [earn_entry(ids, first, 35)], sale_outbox(first))
    before = _counts(db)
    second = make_sale(ids, T0 + dt.timedelta(minutes=1))
    # The outbox row collides with the first sale's (kind, ref_id): the failure comes after
    # the sale, its lines, payments and ledger entry were inserted.
    clash = [OutboxMessage("sale", first.id, {})]
    with pytest.raises(StoreDataError, match="UNIQUE"), db.write() as session:
        repo.record_sale(session, second, [earn_entry(ids, second, 35)], clash)
    assert _counts(db) == before
    with pytest.raises(RuntimeError, match="power cut"), db.write() as session:
        repo.record_sale(session, second, [earn_entry(ids, second, 35)], sale_outbox(second))
        raise RuntimeError("power cut")
    assert _counts(db) == before
    with db.read() as session:
        member = repo.member_by_id(session, "M1")
        assert member is not None and member.cached_points == 35


def test_inconsistent_sales_are_refused(db: Database) -> None:
    add_member(db)
    ids = Uuid7(db.clock)
    sale = make_sale(ids, T0)
    short = dataclasses.replace(sale, total_fen=Fen(sale.total_fen + 1))
    anonymous = make_sale(ids, T0, member=None)
    foreign = make_sale(ids, T0)
    cases = [
        (short, [], "payments add up"),
        (anonymous, [earn_entry(ids, anonymous, 5)], "need a member"),
        (sale, [earn_entry(ids, foreign, 5)], "belongs to sale"),
        (dataclasses.replace(sale, lines=()), [], "at least one line"),
    ]
    for record, entries, problem in cases:
        with pytest.raises(StoreDataError, match=problem), db.write() as session:
            repo.record_sale(session, record, entries)
    assert _counts(db) == dict.fromkeys(SALE_TABLES, 0)


def test_ledger_is_append_only(db: Database) -> None:
    add_member(db)
    ids = Uuid7(db.clock)
    sale = make_sale(ids, T0)
    with db.write() as session:
        repo.record_sale(session, sale, [earn_entry(ids, sale, 35)])
    for statement in ("UPDATE ledger_entries SET points = 1000", "DELETE FROM ledger_entries"):
        with pytest.raises(sa_exc.IntegrityError, match="append-only"), db.write() as session:
            session.execute(text(statement))
    with db.read() as session:
        assert repo.ledger_sum(session, "M1") == 35


def test_a_coupon_is_used_once(db: Database) -> None:
    add_member(db)
    with db.write() as session:
        session.add(
            MemberCoupon(
                code="C1",
                member="M1",
                template="t10",
                valid_from=T0,
                valid_until=T0 + dt.timedelta(days=30),
            )
        )
    ids = Uuid7(db.clock)
    first, second = make_sale(ids, T0), make_sale(ids, T0)
    with db.write() as session:
        repo.record_sale(session, first, used_coupons=["C1"])
    with pytest.raises(StoreDataError, match="already used"), db.write() as session:
        repo.record_sale(session, second, used_coupons=["C1"])
    assert _counts(db)["sales"] == 1


def test_balance_is_replayed_from_the_ledger(db: Database, clock: FixedClock) -> None:
    add_member(db)
    ids = Uuid7(clock)
    sale = make_sale(ids, T0)
    with db.write() as session:
        balance = repo.record_sale(session, sale, [earn_entry(ids, sale, 40, pending_days=7)])
    assert balance is not None and (balance.available, balance.pending) == (0, 40)
    later = T0 + dt.timedelta(days=8)
    adjust = LedgerEntry(
        id=EntryId(ids.new()),
        kind="adjust",
        points=5,
        at=later,
        lot=LotId("adj-1"),
        available_at=later,
        expires_at=None,
        reason="goodwill",
    )
    record = LedgerRecord(
        adjust, MemberId("M1"), TerminalId("T1"), StoreId("S1"), CashierId("m"), later
    )
    with db.write() as session:
        balances = repo.append_ledger(
            session, [record], [OutboxMessage("ledger", adjust.id, {})], at=later
        )
    assert (balances["M1"].available, balances["M1"].pending) == (45, 0)
    with db.read() as session:
        member = repo.member_by_id(session, "M1")
        assert member is not None and (member.cached_points, member.cached_pending) == (45, 0)
        assert repo.member_balance(session, "M1", later) == points.balance(
            repo.ledger_for_member(session, "M1"), later
        )
        assert repo.ledger_sum(session, "M1") == 45


_aware = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive)
    max_value=dt.datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(dt.timezone(dt.timedelta(hours=8))),
)
_ids = st.text("abcdef0123456789-", min_size=1, max_size=36)


@given(
    entry=st.builds(
        LedgerEntry,
        id=_ids.map(EntryId),
        kind=st.sampled_from(points.ENTRY_KINDS),
        points=st.integers(-(10**9), 10**9),
        at=_aware,
        lot=_ids.map(LotId),
        available_at=_aware,
        expires_at=st.none() | _aware,
        sale_id=st.none() | _ids.map(SaleId),
        reason=st.text(max_size=20),
        renews_until=st.none() | _aware,
    ),
    created=_aware,
)
def test_ledger_row_mapping_round_trips(entry: LedgerEntry, created: dt.datetime) -> None:
    record = LedgerRecord(
        entry, MemberId("M1"), TerminalId("T1"), StoreId("S1"), CashierId("c"), created
    )
    row = ledger_to_row(record)
    assert ledger_from_row(row) == record
    tz = dt.timezone(dt.timedelta(hours=8))
    back = ledger_from_row(row, tz).entry
    assert back.at.utcoffset() == dt.timedelta(hours=8) and back == entry


def test_ledger_round_trips_through_the_database(db: Database) -> None:
    add_member(db)
    ids = Uuid7(db.clock)
    sale = make_sale(ids, T0)
    cst = dt.timezone(dt.timedelta(hours=8))
    entry = dataclasses.replace(
        earn_entry(ids, sale, 35),
        at=T0.astimezone(cst),
        renews_until=(T0 + dt.timedelta(days=400)).astimezone(cst),
        reason="渠道 A",
    )
    with db.write() as session:
        repo.record_sale(session, sale, [entry])
    with db.read() as session:
        [utc] = repo.ledger_for_member(session, "M1")
        [local] = repo.ledger_for_member(session, "M1", tz=cst)
    assert utc == entry == local
    assert utc.at.tzinfo == dt.UTC and local.at.tzinfo == cst


def test_outbox_pending_and_mark_sent(db: Database, clock: FixedClock) -> None:
    messages = [OutboxMessage("member", f"m{i}", {"i": i}) for i in range(5)]
    with db.write() as session:
        repo.queue(session, messages, at=T0)
    with db.read() as session:
        pending = repo.outbox_pending(session, limit=3)
        assert [r.ref_id for r in pending] == ["m0", "m1", "m2"]
        assert pending[0].payload == {"i": 0}
    with db.write() as session:
        assert repo.outbox_mark_sent(session, [pending[0].id, pending[1].id], T0) == 2
        assert repo.outbox_mark_sent(session, [pending[0].id], T0) == 0  # idempotent
    with db.read() as session:
        assert repo.outbox_pending_count(session) == 3
    with pytest.raises(StoreDataError, match="outbox"), db.write() as session:
        repo.queue(session, messages[:1], at=T0)


def test_cursors_settings_audit_and_rules(db: Database) -> None:
    with db.write() as session:
        assert repo.get_cursor(session, "members") is None
        repo.set_cursor(session, "members", "41")
        repo.set_cursor(session, "members", "42")
        audit_id = repo.audit(session, at=T0, cashier="m1", action="void_line", detail={"line": 2})
        repo.save_rule_document(session, doc_id="miniso", revision=1, text_="a", activate=True)
        repo.save_rule_document(session, doc_id="miniso", revision=2, text_="b", activate=True)
    with db.read() as session:
        assert repo.get_cursor(session, "members") == "42"
        assert audit_id > 0
        active = repo.active_rule_document(session)
        assert active is not None and (active.revision, active.text) == (2, "b")
    with pytest.raises(sa_exc.IntegrityError, match="append-only"), db.write() as session:
        session.execute(text("UPDATE audit_log SET action = 'nothing'"))


def test_cashier_pins_are_salted_scrypt(db: Database) -> None:
    with db.write() as session:
        a = repo.create_cashier(
            session, cashier_id="a", name="A", role="manager", pin="2468", at=T0
        )
        b = repo.create_cashier(
            session, cashier_id="b", name="B", role="cashier", pin="2468", at=T0, member_id="M9"
        )
        assert (a.id, a.role, b.member_id) == ("a", "manager", "M9")
        rows = session.execute(text("SELECT id, pin_hash FROM cashiers"))
        hashes: dict[str, bytes] = {str(r[0]): bytes(r[1]) for r in rows}
        assert hashes["a"] != hashes["b"] and b"2468" not in hashes["a"]
        # What callers get back holds no PIN material.
        assert not {"pin_hash", "pin_salt"} & {f.name for f in dataclasses.fields(a)}
    with db.read() as session:
        verified = repo.verify_pin(session, "a", "2468")
        assert verified is not None and verified.role == "manager"
        assert repo.verify_pin(session, "a", "2469") is None
        assert repo.verify_pin(session, "nobody", "2468") is None
    bad = [
        ({"cashier_id": "a", "role": "cashier", "pin": "1234"}, "already exists"),
        ({"cashier_id": "c", "role": "boss", "pin": "1234"}, "role must be"),
        ({"cashier_id": "c", "role": "cashier", "pin": "12a4"}, "4 to 12 digits"),
    ]
    for kwargs, problem in bad:
        with pytest.raises(StoreDataError, match=problem), db.write() as session:
            repo.create_cashier(session, name="X", at=T0, **kwargs)


def test_products_and_members_lookups(db: Database, db_path: Path) -> None:
    add_member(db, "M1", "138 1234 5678")
    add_member(db, "M2", "+86 13812345678")  # same number: a duplicate found by hash
    with db.write() as session:
        session.add(
            Product(
                sku="A1",
                ean="6901234567892",
                name="Apple",
                price_fen=350,
                category="food",
                special_price=False,
            )
        )
    with db.read() as session:
        assert repo.product_by_sku(session, "A1") is not None
        product = repo.product_by_ean(session, "6901234567892")
        assert product is not None and product.sku == "A1"
        assert repo.product_by_ean(session, "0000") is None
        dupes = repo.members_by_phone(session, "13812345678")
        assert sorted(m.id for m in dupes) == ["M1", "M2"]
        assert dupes[0].phone_masked == "138****5678"
    db.close()
    assert b"13812345678" not in db_path.read_bytes()


def test_entries_for_an_unknown_member_are_refused(db: Database) -> None:
    ids = Uuid7(db.clock)
    entry = LedgerEntry(
        id=EntryId(ids.new()),
        kind="bonus",
        points=10,
        at=T0,
        lot=LotId("b1"),
        available_at=T0,
        expires_at=None,
    )
    record = LedgerRecord(
        entry, MemberId("ghost"), TerminalId("T1"), StoreId("S1"), CashierId("m"), T0
    )
    with pytest.raises(StoreDataError, match="FOREIGN KEY"), db.write() as session:
        repo.append_ledger(session, [record], at=T0)
    with db.read() as session:
        assert repo.table_counts(session)["ledger_entries"] == 0


def test_phone_key_from_hq_only_before_members_exist(db: Database) -> None:
    with db.write() as session:
        repo.set_phone_key(session, "chain-salt")
        assert repo.phone_key(session) == "chain-salt"
    add_member(db)
    with pytest.raises(StoreDataError, match="another phone key"), db.write() as session:
        repo.set_phone_key(session, "other-salt")
    with db.write() as session:
        repo.set_phone_key(session, "chain-salt")  # the same salt again is fine
        assert [m.id for m in repo.members_by_phone(session, "13812345678")] == ["M1"]

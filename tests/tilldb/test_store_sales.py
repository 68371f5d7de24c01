"""tilldb.sales: a finalised sale or return recorded by one call in one transaction, its outbox
row a reference the push is built from."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from store_helpers import T0, add_member

from posloyalty.clock import FixedClock
from posloyalty.domain.finalise import (
    FinalisedSale,
    ReturnFacts,
    ReturnRequest,
    SaleContext,
    SaleMember,
    SalePayment,
    finalise,
    finalise_return,
)
from posloyalty.domain.ids import CashierId, CouponCode, MemberId, SaleId, Sku, StoreId, TerminalId
from posloyalty.domain.money import Fen
from posloyalty.domain.pricing import Basket, BasketLine, MemberSnapshot, quote
from posloyalty.resources import load_preset
from posloyalty.sync import outbound
from posloyalty.tilldb import repo, sales
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.errors import StoreDataError
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.models import Member, MemberCoupon

RULES = load_preset("miniso")
PENDING = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
new_id = Uuid7(FixedClock(T0)).new


def _sale(member: SaleMember | None, code: str = "R-0001", at: dt.datetime = T0) -> FinalisedSale:
    snapshot = MemberSnapshot(RULES.tiers.lowest.id, 0, 0) if member else None
    b = Basket(at, snapshot, (BasketLine(Sku("A1"), "Mug", 2, Fen(2990)),))
    q = quote(RULES, b)
    return finalise(
        RULES,
        b,
        q,
        sale=SaleContext(
            SaleId(new_id()), at, TerminalId("T1"), StoreId("S1"), CashierId("c1"), code, PENDING
        ),
        member=member,
        tenders=[SalePayment("cash", q.total, q.total)],
        new_id=new_id,
    )


def _counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return repo.table_counts(session)


def test_a_finalised_sale_is_stored_whole_and_its_outbox_row_only_names_it(db: Database) -> None:
    add_member(db)
    sale = _sale(SaleMember(MemberId("M1"), confirmed=True, stored=True))
    with db.transaction() as conn:
        sales.record_sale(conn, sale, created_at=T0, provisional_tier="regular", growth=(60, "x"))
    with db.read() as session:
        (row,) = repo.outbox_pending(session)
        assert (row.kind, row.ref_id, row.payload) == ("sale", sale.sale_id, {})
        stored = repo.sale_by_id(session, sale.sale_id)
        assert stored is not None and stored.total_fen == sale.total
        assert [r.entry for r in repo.ledger_for_sale(session, sale.sale_id)] == list(sale.entries)
        m = session.get(Member, "M1")
        assert m is not None and sale.balance is not None
        assert (m.cached_points, m.cached_pending) == (sale.balance.available, 0)
        assert (m.growth, m.tier, m.last_purchase_at) == (60, "x", T0)
        built, problems = outbound.build(
            session, outbound.pending_rows(session), outbound.Sender("S1", "T1"), None
        )
    assert problems == []
    items = {i.kind: i for i in built[0].items}
    assert items["sale"].id == sale.sale_id and items["sale"].payload["total_fen"] == sale.total
    assert items["ledger_entry"].id == sale.entries[0].id


def test_a_member_not_in_the_slice_gets_a_placeholder_row_with_the_sale(db: Database) -> None:
    sale = _sale(SaleMember(MemberId("P1"), confirmed=False, stored=False))
    assert sale.provisional_member and sale.entries[0].available_at == PENDING
    with db.transaction() as conn:
        sales.record_sale(conn, sale, created_at=T0, provisional_tier="regular")
    with db.read() as session:
        m = session.get(Member, "P1")
        assert m is not None and m.provisional and m.tier == "regular"
        assert m.cached_pending == sale.points_earned


def test_a_coupon_already_used_refuses_the_whole_sale(db: Database) -> None:
    add_member(db)
    first = _sale(SaleMember(MemberId("M1"), confirmed=True, stored=True))
    second = _sale(SaleMember(MemberId("M1"), confirmed=True, stored=True), code="R-0002")
    with db.write() as session:
        session.add(
            MemberCoupon(code="CPN1", member="M1", template="t", valid_from=T0, valid_until=T0)
        )
    used = replace(first, coupons=(CouponCode("CPN1"),))
    again = replace(second, coupons=(CouponCode("CPN1"),))
    with db.transaction() as conn:
        sales.record_sale(conn, used, created_at=T0, provisional_tier="regular")
    before = _counts(db)
    with pytest.raises(StoreDataError, match="CPN1"), db.transaction() as conn:
        sales.record_sale(conn, again, created_at=T0, provisional_tier="regular")
    assert _counts(db) == before  # nothing of the refused sale was kept


def test_a_finalised_return_is_recorded_with_its_entries_audit_and_outbox_reference(
    db: Database,
) -> None:
    add_member(db)
    sale = _sale(SaleMember(MemberId("M1"), confirmed=True, stored=True))
    with db.transaction() as conn:
        sales.record_sale(conn, sale, created_at=T0, provisional_tier="regular")
    at = T0 + dt.timedelta(hours=1)
    with db.transaction() as conn:
        found = sales.find_sale(conn, receipt="R-0001")
        assert found is not None and found.id == sale.sale_id
        lines, paid, refunded = sales.refunded_so_far(conn, found.id)
        assert [(ln.sold, ln.returned) for ln in lines] == [(2, 0)] and refunded == {}
        facts = ReturnFacts(
            found.id,
            found.receipt_code,
            found.member,
            found.at,
            found.total,
            lines,
            paid,
            refunded,
            None,
            tuple(repo.ledger_for_member(conn, "M1")),
        )
        ret = finalise_return(
            RULES,
            facts,
            ReturnRequest({0: 1}, "broken", "original"),
            sale=SaleContext(
                SaleId(new_id()), at, TerminalId("T1"), StoreId("S1"), CashierId("c1"), "R-0002"
            ),
            new_id=new_id,
        )
        sales.record_return(conn, ret, created_at=at)
    with db.snapshot() as conn:
        lines, _, refunded = sales.refunded_so_far(conn, sale.sale_id)
        assert [(ln.sold, ln.returned) for ln in lines] == [(2, 1)]
        assert refunded == {"cash": ret.refund_total}
    with db.read() as session:
        rows = repo.outbox_pending(session)
        assert [(r.kind, r.ref_id, r.payload) for r in rows][-1] == ("return", ret.return_id, {})
        m = session.get(Member, "M1")
        assert m is not None and ret.balance is not None
        assert m.cached_points == ret.balance.available == repo.ledger_sum(session, "M1")
        built, problems = outbound.build(
            session, outbound.pending_rows(session), outbound.Sender("S1", "T1"), None
        )
    assert problems == []
    pushed = [i.id for i in built[1].items if i.kind == "ledger_entry"]
    assert sorted(pushed) == sorted(e.id for e in ret.entries) and ret.entries

"""Finalising a sale or a return: what gets stored, computed without a database."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest

from posloyalty.domain import points as pts
from posloyalty.domain.finalise import (
    ReturnFacts,
    ReturnRequest,
    SaleContext,
    SaleMember,
    SalePayment,
    SoldLine,
    finalise,
    finalise_return,
)
from posloyalty.domain.ids import (
    CashierId,
    EntryId,
    LotId,
    MemberId,
    SaleId,
    Sku,
    StoreId,
    TerminalId,
    TierId,
)
from posloyalty.domain.money import Fen
from posloyalty.domain.pricing import Basket, BasketLine, MemberSnapshot, Payment, quote
from posloyalty.domain.refunds import RefundRuleError
from posloyalty.resources import load_preset

CST = dt.timezone(dt.timedelta(hours=8))
AT = dt.datetime(2026, 11, 24, 14, 30, tzinfo=CST)
LONG_AGO = dt.datetime(2026, 1, 5, 10, 0, tzinfo=CST)
PENDING = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
RULES = load_preset("miniso")
M1 = MemberId("M1")


def ids(prefix: str = "id") -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"{prefix}-{next(counter):03d}"


def context(sale_id: str = "S-1", at: dt.datetime = AT) -> SaleContext:
    return SaleContext(
        SaleId(sale_id), at, TerminalId("T1"), StoreId("S1"), CashierId("c1"), "R-0001", PENDING
    )


def ledger(points: int) -> tuple[pts.LedgerEntry, ...]:
    """A member who earned ``points`` long ago (available now)."""
    return tuple(
        pts.earn(
            RULES.points, entry_id=EntryId("E-0"), lot=LotId("L-0"), points=points, at=LONG_AGO
        )
    )


def basket(
    member: MemberSnapshot | None, redeem: int = 0, payments: tuple[Payment, ...] = ()
) -> Basket:
    lines = (
        BasketLine(Sku("A1"), "Mug", 2, Fen(2990)),
        BasketLine(Sku("B2"), "Pen", 1, Fen(1000)),
    )
    return Basket(AT, member, lines, (), redeem, payments)


def test_an_anonymous_sale_stores_its_lines_payments_and_quote_and_no_points() -> None:
    b = basket(None)
    q = quote(RULES, b)
    tender = SalePayment("cash", q.total, Fen(10_000))
    sale = finalise(RULES, b, q, sale=context(), member=None, tenders=[tender], new_id=ids())
    assert sale.member_id is None and sale.entries == () and sale.balance is None
    assert sale.total == q.total == sum(ln.net for ln in sale.lines)
    assert [(ln.sku, ln.qty, ln.gross) for ln in sale.lines] == [("A1", 2, 5980), ("B2", 1, 1000)]
    assert sale.payments == (tender,)
    assert sale.change == 10_000 - q.total
    assert sale.points_earned == 0 and not sale.points_earned_pending
    assert sale.record["kind"] == "sale" and sale.record["tendered_fen"] == [10_000]
    assert sale.record["rules"] == {"id": RULES.id, "revision": RULES.revision}
    assert "basket" in sale.record and "member_code" not in sale.record
    assert sale.line_points_redeemed == (0, 0) and not sale.provisional_member


def test_a_member_redeeming_points_gets_a_redeem_per_lot_an_earn_and_the_new_balance() -> None:
    history = ledger(5000)
    snap = MemberSnapshot(TierId(RULES.tiers.lowest.id), 5000, 0)
    b = basket(snap, redeem=1000)
    q = quote(RULES, b)
    assert q.points_redeemed == 1000
    new_id = ids()
    sale = finalise(
        RULES,
        b,
        q,
        sale=context(),
        member=SaleMember(M1, confirmed=True, stored=True, entries=history, code="QR1"),
        tenders=[SalePayment("cash", q.total, q.total)],
        new_id=new_id,
    )
    kinds = [(e.kind, e.points) for e in sale.entries]
    assert kinds == [("redeem", -1000), ("earn", q.points_earned)]
    assert all(e.sale_id == "S-1" for e in sale.entries)
    assert [e.id for e in sale.entries] == ["id-001", "id-002"]  # redeem first, then the earn
    assert sum(sale.line_points_redeemed) == 1000
    assert sale.balance == pts.balance([*history, *sale.entries], AT)
    assert sale.record["member_code"] == "QR1" and sale.record["member_confirmed"] is True
    assert sale.points_redeemed == 1000 and "points" not in sale.savings


def test_points_of_a_member_hq_has_not_confirmed_wait_for_hq() -> None:
    b = basket(MemberSnapshot(TierId(RULES.tiers.lowest.id), 0, 0))
    q = quote(RULES, b)
    sale = finalise(
        RULES,
        b,
        q,
        sale=context(),
        member=SaleMember(M1, confirmed=False, stored=False),
        tenders=[SalePayment("card", q.total, q.total)],
        new_id=ids(),
    )
    (earned,) = sale.entries
    assert earned.available_at == PENDING and sale.points_earned_pending
    assert sale.provisional_member
    assert sale.balance is not None and sale.balance.available == 0
    assert sale.balance.pending == q.points_earned


def test_redeeming_more_than_the_ledger_holds_is_refused() -> None:
    b = basket(MemberSnapshot(TierId(RULES.tiers.lowest.id), 5000, 0), redeem=1000)
    q = quote(RULES, b)
    with pytest.raises(pts.PointsError, match="available"):
        finalise(
            RULES,
            b,
            q,
            sale=context(),
            member=SaleMember(M1, confirmed=True, stored=True, entries=ledger(200)),
            tenders=[SalePayment("cash", q.total, q.total)],
            new_id=ids(),
        )


def _sold(member_ledger: tuple[pts.LedgerEntry, ...]) -> ReturnFacts:
    lines = (
        SoldLine(0, "A1", "Mug", 3, Fen(1000), Fen(2700), points=27, growth=27),
        SoldLine(1, "B2", "Pen", 1, Fen(500), Fen(500), points=5, growth=5),
    )
    return ReturnFacts(
        SaleId("S-0"),
        "R-0000",
        M1,
        LONG_AGO,
        Fen(3200),
        lines,
        paid={"card": 2000, "cash": 1200},
        refunded={},
        line_points_redeemed=None,
        ledger=member_ledger,
    )


def _sale_ledger() -> tuple[pts.LedgerEntry, ...]:
    return tuple(
        pts.earn(
            RULES.points,
            entry_id=EntryId("E-S0"),
            lot=LotId("L-S0"),
            points=32,
            at=LONG_AGO,
            sale_id=SaleId("S-0"),
        )
    )


def test_a_partial_return_refunds_its_share_by_tender_and_takes_its_points_back() -> None:
    history = _sale_ledger()
    ret = finalise_return(
        RULES,
        _sold(history),
        ReturnRequest({0: 1}, "broken", "original"),
        sale=context("RET-1"),
        new_id=ids("r"),
    )
    assert not ret.full
    assert [(x.index, x.qty, x.refund) for x in ret.lines] == [(0, 1, 900)]
    (stored,) = ret.stored_lines
    assert (stored.qty, stored.gross, stored.net, stored.points) == (-1, -1000, -900, -9)
    assert sum(ret.refunds.values()) == ret.refund_total == 900
    assert sum(p.amount for p in ret.payments) == -900
    assert ret.points_reversed == 9 and ret.growth_reversed == 9
    assert all(e.sale_id == "S-0" for e in ret.entries)  # the ORIGINAL sale's id
    assert ret.balance == pts.balance([*history, *ret.entries], AT)
    assert ret.record["kind"] == "return" and ret.record["original_sale_id"] == "S-0"


def test_returning_everything_is_a_full_return_and_a_refused_tender_says_why() -> None:
    sold = _sold(_sale_ledger())
    ret = finalise_return(
        RULES, sold, ReturnRequest({0: 3, 1: 1}, "", "original"), sale=context(), new_id=ids()
    )
    assert ret.full and ret.refund_total == 3200 and ret.points_reversed == 32
    assert dict(ret.refunds) == {"card": 2000, "cash": 1200}
    with pytest.raises(RefundRuleError):
        finalise_return(
            RULES, sold, ReturnRequest({0: 1}, "", "gift_card"), sale=context(), new_id=ids()
        )


def test_a_return_without_a_member_writes_no_entries_and_keeps_a_payment_row() -> None:
    sold = _sold(())
    anonymous = ReturnFacts(
        sold.sale_id,
        sold.receipt_code,
        None,
        sold.at,
        sold.total,
        (SoldLine(0, "Z", "Free", 1, Fen(0), Fen(0), 0, 0),),
        {"cash": 0},
        {},
        None,
    )
    ret = finalise_return(
        RULES, anonymous, ReturnRequest({0: 1}, "", "original"), sale=context(), new_id=ids()
    )
    assert ret.entries == () and ret.balance is None
    assert [(p.method, p.amount) for p in ret.payments] == [("cash", 0)]

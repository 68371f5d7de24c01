"""Whole checkouts with no database and no Qt: the session over the in-memory lookups.

The context's database refuses every use, so these pass only if the session reaches the
outside through its :class:`CheckoutLookups` alone; the finalised sale handed to ``record``
is what they check.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn, cast

import pytest
from checkout_memory import MemoryLookups, MemoryMember

from posloyalty.clock import FixedClock
from posloyalty.domain.ids import (
    CashierId,
    CouponCode,
    EntryId,
    LotId,
    MemberId,
    Sku,
    StoreId,
    TerminalId,
    TierId,
)
from posloyalty.domain.money import Fen
from posloyalty.domain.points import LedgerEntry
from posloyalty.resources import load_preset
from posloyalty.terminal.checkout import CheckoutSession, State
from posloyalty.terminal.checkout_lookups import HeldCoupon, ScannedProduct
from posloyalty.terminal.context import TerminalContext
from posloyalty.terminal.errors import CheckoutError, IllegalTransition, StorageRefused
from posloyalty.terminal.identified import Identified
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.ids import Uuid7

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
#: A Tuesday morning in the store (no member day under miniso).
TUESDAY = dt.datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
GOLD = Identified(MemberId("M1"), "dynamic", may_redeem=True)
GOLD_STATIC = Identified(MemberId("M1"), "static", may_redeem=False)
REGULAR = Identified(MemberId("M2"), "dynamic", may_redeem=True)
NEWCOMER = Identified(MemberId("M7"), "provisional", may_redeem=False, confirmed=False)


class _NoDatabase:
    """Any use of the context's database fails the test."""

    def __getattr__(self, name: str) -> NoReturn:
        raise AssertionError(f"the checkout session used the database ({name})")


def _ctx(clock: FixedClock) -> TerminalContext:
    return TerminalContext(
        db=cast(Database, _NoDatabase()),
        rules=load_preset("miniso"),
        clock=clock,
        zone=SHANGHAI,
        terminal=TerminalId("T1"),
        store=StoreId("S1"),
        cashier=CashierId("c1"),
        ids=Uuid7(clock),
    )


def _grant(points: int, at: dt.datetime) -> LedgerEntry:
    at = at - dt.timedelta(minutes=1)
    return LedgerEntry(
        EntryId(f"grant-{points}"),
        "bonus",
        points,
        at,
        LotId(f"lot-{points}"),
        at,
        at + dt.timedelta(days=3 * 365),
        reason="test grant",
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TUESDAY)


@pytest.fixture
def ctx(clock: FixedClock) -> TerminalContext:
    return _ctx(clock)


@pytest.fixture
def till(ctx: TerminalContext) -> MemoryLookups:
    till = MemoryLookups(ctx.rules, ctx.zone, ctx.store, ctx.terminal)
    for sku, ean, name, price, category, special, member_price in (
        ("A1", "6900000000011", "Tote bag", 1000, "home", False, None),
        ("C3", "6900000000035", "Snack box", 3990, "food", False, None),
        ("SP", "6900000000042", "Clearance mug", 800, "home", True, None),
        ("MP", "6900000000059", "Member lamp", 10000, "home", False, 8800),
    ):
        till.add_product(
            ScannedProduct(
                Sku(sku),
                name,
                Fen(price),
                special,
                category,
                Fen(member_price) if member_price is not None else None,
            ),
            ean,
        )
    till.members[MemberId("M1")] = MemoryMember(
        TierId("gold"), [_grant(5000, TUESDAY)], growth=6000, display_name="Member M1"
    )
    till.members[MemberId("M2")] = MemoryMember(TierId("regular"), display_name="Member M2")
    for code, member, template in (
        ("CPN1", "M1", "spend_99_minus_20"),
        ("CPN2", "M2", "birthday_8"),
    ):
        till.coupons[code] = HeldCoupon(
            CouponCode(code),
            MemberId(member),
            template,
            TUESDAY - dt.timedelta(days=1),
            TUESDAY + dt.timedelta(days=30),
            None,
        )
    return till


def _refused(s: CheckoutSession, action: Any, message: str, error: type = CheckoutError) -> None:
    """The action is refused with ``message`` and the session is exactly as before."""
    before = (s.state, s.lines, s.member, s.coupons, s.redeem_points, s.payments, s.due)
    with pytest.raises(error, match=message):
        action()
    assert (s.state, s.lines, s.member, s.coupons, s.redeem_points, s.payments, s.due) == before


def test_a_whole_member_sale_is_finalised_and_recorded_once(
    ctx: TerminalContext, till: MemoryLookups
) -> None:
    s = CheckoutSession(ctx, till)
    assert s.scan("A1") == 0
    assert s.scan("6900000000011") == 0  # the same product by its EAN adds to its line
    assert s.scan("MP") == 1
    assert s.due == 2000 + 10000
    member = s.identify(GOLD)
    assert member.tier == "gold" and member.balance.available == 5000
    assert s.due == 2000 + 8800  # the member price
    s.add_coupon("CPN1")
    s.redeem(1000)  # 10.00 yuan under miniso
    assert s.due == 2000 + 8800 - 2000 - 1000
    s.begin_payment()
    s.add_payment("card", Fen(5000))
    s.add_payment("cash", tendered=Fen(5000))
    r = s.commit()

    assert s.state is State.COMMITTED and till.transactions == 1
    [sale] = till.sales
    assert sale.sale_id == r.sale_id and sale.member_id == "M1"
    assert sale.receipt_code == r.receipt_code == "S1-T1-20261124-0001"
    assert sale.at == TUESDAY and sale.cashier == "c1"
    assert [(ln.sku, ln.qty) for ln in sale.lines] == [("A1", 2), ("MP", 1)]
    assert sale.subtotal == 2000 + 10000 and sale.total == r.total == 7800
    assert sale.savings["member_price"] == 1200
    assert sum(ln.net for ln in sale.lines) == sale.total
    assert sale.coupons == ("CPN1",) and sale.points_redeemed == 1000
    assert [(p.method, p.amount, p.tendered) for p in sale.payments] == [
        ("card", 5000, 5000),
        ("cash", 2800, 5000),
    ]
    assert sale.change == r.change == 2200
    assert sorted(e.kind for e in sale.entries) == ["earn", "redeem"]
    assert sum(e.points for e in sale.entries) == sale.points_earned - 1000
    assert not sale.provisional_member
    # What the record call stored: the coupon used up, the entries on the member's ledger.
    assert till.coupons["CPN1"].used_sale == sale.sale_id
    assert till.members[MemberId("M1")].entries[1:] == list(sale.entries)
    assert till.members[MemberId("M1")].growth == 6000 + sale.growth
    assert sale.balance is not None and r.balance_available == sale.balance.available
    assert r.balance_available == 5000 - 1000 + (0 if r.points_earned_pending else r.points_earned)


def test_an_anonymous_sale_and_the_next_receipt_number(
    ctx: TerminalContext, till: MemoryLookups
) -> None:
    for n in (1, 2):
        s = CheckoutSession(ctx, till)
        s.scan("SP", 2)
        s.begin_payment()
        s.add_payment("cash", tendered=Fen(2000))
        r = s.commit()
        assert r.receipt_code == f"S1-T1-20261124-000{n}"
        assert r.member_id is None and r.total == 1600 and r.change == 400
    assert [s.entries for s in till.sales] == [(), ()]


def test_the_state_machine_refuses_out_of_order_actions(
    ctx: TerminalContext, till: MemoryLookups
) -> None:
    s = CheckoutSession(ctx, till)
    assert s.state is State.OPEN and "commit" not in s.allowed()
    _refused(s, s.commit, "cannot commit while the sale is open", IllegalTransition)
    _refused(s, s.begin_payment, "scan a product first", IllegalTransition)
    _refused(s, lambda: s.scan("NOPE"), "unknown product code 'NOPE'")
    _refused(s, lambda: s.scan(" "), "empty product code")
    _refused(s, lambda: s.scan("A1", 0), "quantity must be")
    s.scan("C3")
    assert "begin_payment" in s.allowed()  # QUOTED
    _refused(s, lambda: s.add_coupon("CPN1"), "identify the member")
    _refused(s, lambda: s.redeem(100), "only an identified member")
    s.identify(GOLD)
    _refused(s, lambda: s.add_coupon("CPN1"), "needs a spend of 99.00 yuan")
    _refused(s, lambda: s.add_coupon("CPN2"), "not held by member M1")
    _refused(s, lambda: s.add_coupon("NOPE"), "not held by member M1")
    _refused(s, lambda: s.redeem(2000), "at most 50% of the amount due")
    _refused(s, lambda: s.redeem(6000), "the member has 5000 available")
    s.begin_payment()
    _refused(s, lambda: s.scan("A1"), "go back to the basket first", IllegalTransition)
    _refused(s, s.commit, "39.90 yuan is still due")
    _refused(s, lambda: s.add_payment("card", Fen(5000)), "exceeds the 39.90 yuan still due")
    _refused(s, lambda: s.add_payment("points"), "unknown payment method")
    s.add_payment("card", Fen(3000))
    _refused(s, lambda: s.redeem(1500), "exceed the new amount due")
    s.redeem(990)
    assert s.remaining == 0
    s.commit()
    _refused(s, lambda: s.scan("A1"), "already committed", IllegalTransition)
    _refused(s, s.cancel, "already committed", IllegalTransition)
    assert len(till.sales) == 1 and till.sales[0].points_redeemed == 990


def test_a_used_coupon_and_a_static_code_are_refused(
    ctx: TerminalContext, till: MemoryLookups
) -> None:
    till.coupons["CPN1"] = HeldCoupon(
        CouponCode("CPN1"),
        MemberId("M1"),
        "spend_99_minus_20",
        TUESDAY - dt.timedelta(days=1),
        TUESDAY + dt.timedelta(days=30),
        "an-earlier-sale",
    )
    s = CheckoutSession(ctx, till)
    s.scan("MP", 2)
    s.identify(GOLD_STATIC)
    _refused(s, lambda: s.add_coupon("CPN1"), "already used")
    _refused(s, lambda: s.redeem(100), "dynamic code")


def test_the_offline_allowance_counts_the_days_recorded_sales(
    ctx: TerminalContext, till: MemoryLookups
) -> None:
    till.allowance = 500
    s = CheckoutSession(ctx, till)
    s.identify(GOLD)
    s.scan("C3")
    _refused(s, lambda: s.redeem(600), "at most 500 points a day")
    s.redeem(500)
    s.begin_payment()
    s.add_payment("card")
    s.commit()
    s = CheckoutSession(ctx, till)
    s.identify(GOLD)
    s.scan("C3")
    _refused(s, lambda: s.redeem(100), "500 already redeemed today, 0 still allowed")


def test_a_member_hq_has_not_confirmed_is_written_with_the_sale(
    ctx: TerminalContext, till: MemoryLookups
) -> None:
    s = CheckoutSession(ctx, till)
    member = s.identify(NEWCOMER)
    assert not member.stored and member.tier == ctx.rules.tiers.lowest.id
    s.scan("C3")
    _refused(s, lambda: s.redeem(100), "HQ has not confirmed")
    s.begin_payment()
    s.add_payment("cash")
    r = s.commit()
    [sale] = till.sales
    assert sale.provisional_member and sale.member_id == "M7"
    assert r.points_earned_pending and r.tier is None
    assert till.members[MemberId("M7")].provisional
    assert till.members[MemberId("M7")].entries == list(sale.entries)


def test_a_refused_write_keeps_the_sale_open_and_stores_nothing(
    ctx: TerminalContext, till: MemoryLookups
) -> None:
    s = CheckoutSession(ctx, till)
    s.identify(GOLD)
    s.scan("MP", 2)
    s.add_coupon("CPN1")
    s.redeem(500)
    s.begin_payment()
    s.add_payment("card")
    till.refuse_writes = "disk I/O error"
    _refused(s, s.commit, "could not be stored and is still open", StorageRefused)
    assert s.state is State.PAYING and till.sales == []
    assert till.coupons["CPN1"].used_sale is None
    assert till.members[MemberId("M1")].entries == [_grant(5000, TUESDAY)]
    # A void or a cancel is refused too when its audit row cannot be written.
    s.back_to_basket()
    _refused(s, lambda: s.void_line(0), "cannot write the audit log", StorageRefused)
    _refused(s, lambda: s.cancel("customer left"), "cannot write the audit log", StorageRefused)
    till.refuse_writes = None
    s.begin_payment()
    s.add_payment("card")
    r = s.commit()
    assert r.receipt_code == "S1-T1-20261124-0001" and [x.sale_id for x in till.sales] == [
        r.sale_id
    ]


def test_voids_and_cancels_are_audited(ctx: TerminalContext, till: MemoryLookups) -> None:
    s = CheckoutSession(ctx, till)
    s.scan("A1")
    s.scan("C3")
    s.void_line(0, "wrong item")
    assert [ln.sku for ln in s.lines] == ["C3"] and s.due == 3990
    s.cancel("customer left")
    assert s.state is State.CANCELLED and till.sales == []
    assert [(a, d["reason"]) for a, d in till.audits] == [
        ("void_line", "wrong item"),
        ("cancel_sale", "customer left"),
    ]
    assert till.audits[1][1]["total_fen"] == 3990


def test_a_price_that_moved_since_the_quote_is_refused_at_commit(
    ctx: TerminalContext, till: MemoryLookups, clock: FixedClock
) -> None:
    s = CheckoutSession(ctx, till)
    s.identify(GOLD)
    s.scan("C3")
    s.redeem(1000)
    s.begin_payment()
    s.add_payment("card")
    # Another till spent the member's points in between: the commit reads them again.
    till.members[MemberId("M1")].entries.append(
        LedgerEntry(
            EntryId("spent-elsewhere"),
            "redeem",
            -4500,
            TUESDAY - dt.timedelta(seconds=30),
            LotId("lot-5000"),
            TUESDAY - dt.timedelta(seconds=30),
            None,
        )
    )
    with pytest.raises(CheckoutError):
        s.commit()
    assert s.state is State.PAYING and till.sales == []

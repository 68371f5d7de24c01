"""The points ledger: earning, pending, expiry policies, redemption order, returns, adjustments."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from posloyalty.domain.ids import EntryId, LotId, SaleId
from posloyalty.domain.points import (
    LedgerEntry,
    PointsError,
    adjust,
    balance,
    earn,
    expire_due,
    lots,
    policy_expiry,
    redeem,
    reverse_for_return,
)
from posloyalty.domain.rules import Expiry, PointsRules
from posloyalty.resources import load_preset

TZ = ZoneInfo("Asia/Shanghai")


def t(y: int, m: int, d: int, h: int = 12) -> datetime:
    return datetime(y, m, d, h, tzinfo=TZ)


class Ledger:
    """A test ledger: appends what the operations return, with sequential ids."""

    def __init__(self, rules: PointsRules) -> None:
        self.rules = rules
        self.entries: list[LedgerEntry] = []
        self._n = itertools.count(1)

    def new_id(self) -> str:
        return f"x{next(self._n)}"

    def earn(self, points: int, at: datetime, sale: str | None = None) -> LotId:
        lot = LotId(self.new_id())
        self.entries += earn(
            self.rules,
            entry_id=EntryId(self.new_id()),
            lot=lot,
            points=points,
            at=at,
            sale_id=SaleId(sale) if sale else None,
        )
        return lot

    def redeem(self, points: int, at: datetime, sale: str | None = None) -> list[LedgerEntry]:
        out = redeem(
            self.entries,
            self.rules,
            points=points,
            at=at,
            sale_id=SaleId(sale) if sale else None,
            new_id=self.new_id,
        )
        self.entries += out
        return out

    def expire(self, at: datetime) -> list[LedgerEntry]:
        out = expire_due(self.entries, self.rules, at, self.new_id)
        self.entries += out
        return out

    def ret(self, sale: str, at: datetime, **kw: Any) -> list[LedgerEntry]:
        out = reverse_for_return(
            self.entries, self.rules, sale_id=SaleId(sale), at=at, new_id=self.new_id, **kw
        )
        self.entries += out
        return out


def rules_with(expiry: Expiry, pending_days: int = 0) -> PointsRules:
    return PointsRules(
        regular_rate=Fraction(1),
        special_rate=Fraction(1),
        gift_card_rate=Fraction(1),
        pending_days=pending_days,
        expiry=expiry,
    )


VANCL = load_preset("vancl").points
MINISO = load_preset("miniso").points


# --------------------------------------------------------------------------- earning, pending


def test_vancl_points_are_pending_30_days_then_available() -> None:
    led = Ledger(VANCL)
    led.earn(200, t(2024, 3, 1), "s1")
    b = balance(led.entries, t(2024, 3, 30))
    assert (b.available, b.pending, b.total) == (0, 200, 200)
    b = balance(led.entries, t(2024, 3, 31))
    assert (b.available, b.pending, b.total) == (200, 0, 200)


def test_pending_points_cannot_be_redeemed() -> None:
    led = Ledger(VANCL)
    led.earn(200, t(2024, 3, 1), "s1")
    with pytest.raises(PointsError, match="0 available"):
        led.redeem(1, t(2024, 3, 10))
    assert len(led.entries) == 1


def test_zero_points_earn_nothing_and_negative_is_refused() -> None:
    assert earn(VANCL, entry_id=EntryId("e"), lot=LotId("l"), points=0, at=t(2024, 1, 1)) == []
    with pytest.raises(PointsError):
        earn(VANCL, entry_id=EntryId("e"), lot=LotId("l"), points=-1, at=t(2024, 1, 1))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(PointsError, match="tz-aware"):
        earn(VANCL, entry_id=EntryId("e"), lot=LotId("l"), points=5, at=datetime(2024, 1, 1))  # noqa: DTZ001


def test_a_lot_created_twice_is_an_error() -> None:
    e = earn(VANCL, entry_id=EntryId("e"), lot=LotId("l"), points=5, at=t(2024, 1, 1))
    with pytest.raises(PointsError, match="created twice"):
        balance([*e, replace(e[0], id=EntryId("f"))], t(2024, 6, 1))


# --------------------------------------------------------------------------- rolling (Vancl)


def test_rolling_a_year_without_purchase_clears_everything() -> None:
    led = Ledger(replace(VANCL, pending_days=0))
    led.earn(100, t(2024, 1, 10))
    led.earn(50, t(2024, 4, 10))
    b = balance(led.entries, t(2025, 4, 10, 11))
    assert b.available == 150
    assert b.next_expiry == t(2025, 4, 10)
    assert b.expiring_points == 150
    gone = led.expire(t(2025, 4, 10))
    assert sorted(-e.points for e in gone) == [50, 100]
    assert all(e.at == t(2025, 4, 10) for e in gone)
    assert balance(led.entries, t(2025, 4, 11)).total == 0


def test_rolling_a_purchase_renews_the_whole_balance() -> None:
    led = Ledger(replace(VANCL, pending_days=0))
    led.earn(100, t(2024, 1, 10))
    led.earn(1, t(2025, 1, 9))  # one day before the first lot would have lapsed
    assert led.expire(t(2025, 6, 1)) == []
    assert balance(led.entries, t(2025, 6, 1)).available == 101
    assert balance(led.entries, t(2026, 1, 9, 11)).next_expiry == t(2026, 1, 9)
    assert sum(e.points for e in led.expire(t(2026, 1, 9))) == -101


def test_rolling_a_purchase_after_the_lapse_does_not_revive_old_points() -> None:
    led = Ledger(replace(VANCL, pending_days=0))
    led.earn(100, t(2024, 1, 10))
    led.earn(7, t(2025, 2, 1))  # the old lot lapsed on 2025-01-10 and was not yet written off
    b = balance(led.entries, t(2025, 2, 2))
    assert (b.available, b.lapsed) == (7, 100)
    gone = led.expire(t(2025, 2, 2))
    assert [(e.points, e.at) for e in gone] == [(-100, t(2025, 1, 10))]
    assert balance(led.entries, t(2025, 2, 2)).available == 7


def test_rolling_bonus_points_do_not_renew_the_balance() -> None:
    led = Ledger(replace(VANCL, pending_days=0))
    led.earn(100, t(2024, 1, 10))
    led.entries += earn(
        led.rules, entry_id=EntryId("b"), lot=LotId("bl"), points=5, at=t(2024, 12, 1), kind="bonus"
    )
    gone = led.expire(t(2025, 1, 11))
    assert [-e.points for e in gone] == [100]


# --------------------------------------------------------------------------- per lot, fixed date


def test_per_lot_each_lot_expires_on_its_own() -> None:
    led = Ledger(MINISO)  # per_lot, 12 months
    led.earn(10, t(2024, 1, 31))
    led.earn(20, t(2024, 2, 29))
    assert led.expire(t(2025, 1, 31, 11)) == []
    assert [e.points for e in led.expire(t(2025, 1, 31, 12))] == [-10]
    b = balance(led.entries, t(2025, 2, 1))
    assert (b.available, b.next_expiry) == (20, t(2025, 2, 28))


def test_fixed_date_jd_settlement() -> None:
    jd = rules_with(Expiry("fixed_date", settlement_month=12, settlement_day=31, years_after=1))
    led = Ledger(jd)
    led.earn(10, t(2024, 1, 2))
    led.earn(20, t(2024, 12, 31, 23))
    led.earn(40, t(2025, 1, 1, 0))  # store-local new year: next year's batch
    end_2025 = datetime(2026, 1, 1, tzinfo=TZ)
    assert balance(led.entries, t(2025, 12, 31, 23)).next_expiry == end_2025
    assert balance(led.entries, t(2025, 12, 31, 23)).expiring_points == 30
    assert sum(e.points for e in led.expire(end_2025)) == -30
    assert balance(led.entries, end_2025).available == 40
    assert policy_expiry(jd.expiry, t(2025, 6, 1)) == datetime(2027, 1, 1, tzinfo=TZ)


def test_fixed_date_feb_29_settlement_in_a_common_year() -> None:
    exp = Expiry("fixed_date", settlement_month=2, settlement_day=29, years_after=1)
    assert policy_expiry(exp, t(2024, 5, 1)) == datetime(2025, 3, 1, tzinfo=TZ)  # end of Feb 28
    assert policy_expiry(exp, t(2023, 5, 1)) == datetime(2024, 3, 1, tzinfo=TZ)  # end of Feb 29


def test_never_expiring_points_stay() -> None:
    led = Ledger(rules_with(Expiry("never")))
    led.earn(10, t(2000, 1, 1))
    assert led.expire(t(2030, 1, 1)) == []
    assert balance(led.entries, t(2030, 1, 1)).next_expiry is None


def test_expire_due_is_idempotent_and_leaves_unexpired_points() -> None:
    led = Ledger(MINISO)
    led.earn(10, t(2024, 1, 1))
    led.earn(20, t(2024, 6, 1))
    assert len(led.expire(t(2025, 3, 1))) == 1
    assert led.expire(t(2025, 3, 1)) == []
    assert balance(led.entries, t(2025, 3, 1)).available == 20


# --------------------------------------------------------------------------- redemption


def test_redemption_takes_oldest_expiring_first() -> None:
    led = Ledger(MINISO)
    late = led.earn(100, t(2024, 6, 1))
    early = led.earn(100, t(2024, 3, 1))  # written later, expires earlier
    out = led.redeem(150, t(2024, 7, 1), "s9")
    assert [(e.lot, e.points) for e in out] == [(early, -100), (late, -50)]
    assert all(e.kind == "redeem" and e.sale_id == "s9" for e in out)
    assert balance(led.entries, t(2024, 7, 1)).available == 50


def test_redemption_ties_go_to_the_oldest_lot() -> None:
    led = Ledger(replace(VANCL, pending_days=0))  # rolling: every lot shares one expiry
    first = led.earn(30, t(2024, 1, 1))
    led.earn(30, t(2024, 2, 1))
    out = led.redeem(20, t(2024, 3, 1))
    assert [(e.lot, e.points) for e in out] == [(first, -20)]


def test_redemption_beyond_available_is_refused() -> None:
    led = Ledger(MINISO)
    led.earn(100, t(2024, 1, 1))
    with pytest.raises(PointsError, match="100 available"):
        led.redeem(101, t(2024, 2, 1))
    with pytest.raises(PointsError):
        led.redeem(0, t(2024, 2, 1))
    with pytest.raises(PointsError, match="at least 50"):
        redeem(
            led.entries,
            replace(MINISO, min_redeem_points=50),
            points=10,
            at=t(2024, 2, 1),
            sale_id=None,
            new_id=led.new_id,
        )


def test_expired_points_are_not_redeemable_even_before_write_off() -> None:
    led = Ledger(MINISO)
    led.earn(100, t(2023, 1, 1))
    led.earn(10, t(2024, 6, 1))
    with pytest.raises(PointsError, match="10 available"):
        led.redeem(50, t(2024, 7, 1))


# --------------------------------------------------------------------------- returns


def test_full_return_takes_back_exactly_what_was_earned_and_keeps_validity() -> None:
    led = Ledger(VANCL)
    led.earn(300, t(2024, 1, 1), "old")
    lot = led.earn(120, t(2024, 5, 1), "s1")
    before = balance(led.entries, t(2024, 5, 10)).next_expiry
    out = led.ret(
        "s1", t(2024, 5, 10), line_points=[100, 20], returned_qty=[2, 1], sold_qty=[2, 1], full=True
    )
    assert [(e.kind, e.lot, e.points, e.renews_until) for e in out] == [
        ("reverse", lot, -120, None)
    ]
    b = balance(led.entries, t(2024, 5, 10))
    assert (b.total, b.next_expiry) == (300, before)
    # A second full return of the same sale takes nothing more.
    assert (
        led.ret(
            "s1",
            t(2024, 5, 11),
            line_points=[100, 20],
            returned_qty=[2, 1],
            sold_qty=[2, 1],
            full=True,
        )
        == []
    )


def test_partial_return_reverses_the_share_and_renews_validity() -> None:
    led = Ledger(replace(VANCL, pending_days=0))
    led.earn(50, t(2024, 1, 1), "old")
    lot = led.earn(100, t(2024, 3, 1), "s1")  # 3 units earning 100: 33.33 each
    out = led.ret(
        "s1", t(2024, 9, 1), line_points=[100], returned_qty=[1], sold_qty=[3], full=False
    )
    assert [(e.lot, e.points) for e in out] == [(lot, -33)]
    assert out[0].renews_until == t(2025, 9, 1)
    b = balance(led.entries, t(2025, 3, 5))  # the purchase renewal alone would have lapsed
    assert (b.available, b.next_expiry, b.expiring_points) == (117, t(2025, 9, 1), 117)
    out2 = led.ret(
        "s1",
        t(2024, 9, 2),
        line_points=[100],
        returned_qty=[1],
        sold_qty=[3],
        full=False,
        already_returned_qty=[1],
    )
    out3 = led.ret(
        "s1",
        t(2024, 9, 3),
        line_points=[100],
        returned_qty=[1],
        sold_qty=[3],
        full=False,
        already_returned_qty=[2],
    )
    assert [e.points for e in out2 + out3] == [-33, -34]
    assert balance(led.entries, t(2024, 9, 3)).total == 50


def test_partial_return_with_nothing_to_reverse_still_renews() -> None:
    led = Ledger(replace(VANCL, pending_days=0))
    led.earn(50, t(2024, 1, 1), "s1")
    out = led.ret(
        "s1", t(2024, 6, 1), line_points=[0, 50], returned_qty=[1, 0], sold_qty=[1, 1], full=False
    )
    assert [(e.points, e.renews_until) for e in out] == [(0, t(2025, 6, 1))]
    assert balance(led.entries, t(2025, 3, 1)).available == 50


def test_return_of_spent_points_goes_negative_and_is_recorded() -> None:
    led = Ledger(replace(VANCL, pending_days=0))
    lot = led.earn(100, t(2024, 1, 1), "s1")
    led.redeem(80, t(2024, 1, 2), "s2")
    out = led.ret("s1", t(2024, 1, 3), line_points=[100], returned_qty=[1], sold_qty=[1], full=True)
    assert [(e.lot, e.points) for e in out] == [(lot, -20), (lot, -80)]
    assert "debt" in out[1].reason
    b = balance(led.entries, t(2024, 1, 3))
    assert (b.available, b.total) == (-80, -80)
    with pytest.raises(PointsError):
        led.redeem(1, t(2024, 1, 4))
    led.earn(100, t(2024, 2, 1))
    assert balance(led.entries, t(2024, 2, 1)).available == 20


def test_return_draws_from_other_lots_before_going_negative() -> None:
    led = Ledger(replace(VANCL, pending_days=0))
    led.earn(100, t(2024, 1, 1), "s0")
    lot = led.earn(50, t(2024, 1, 2), "s1")
    led.redeem(120, t(2024, 1, 3))  # one shared expiry (rolling): the older lot goes first
    third = led.earn(100, t(2024, 1, 4), "s2")
    out = led.ret("s1", t(2024, 1, 5), line_points=[50], returned_qty=[1], sold_qty=[1], full=True)
    assert [(e.lot, e.points) for e in out] == [(lot, -30), (third, -20)]
    b = balance(led.entries, t(2024, 1, 5))
    assert (b.available, b.total) == (80, 80)


def test_return_refunds_redeemed_points_with_their_original_expiry() -> None:
    led = Ledger(MINISO)  # per lot 12 months
    a = led.earn(100, t(2024, 1, 1), "s0")
    led.redeem(60, t(2024, 2, 1), "s1")  # paid part of s1 with points
    out = led.ret("s1", t(2024, 2, 5), line_points=[0], returned_qty=[1], sold_qty=[1], full=True)
    assert [(e.kind, e.points, e.expires_at) for e in out] == [("reverse", 60, t(2025, 1, 1))]
    assert "from lot " + a in out[0].reason
    b = balance(led.entries, t(2024, 2, 5))
    assert (b.available, b.total) == (100, 100)
    # Refunding is not repeated.
    assert (
        led.ret("s1", t(2024, 2, 6), line_points=[0], returned_qty=[1], sold_qty=[1], full=True)
        == []
    )


def test_partial_return_refunds_the_points_paid_share() -> None:
    led = Ledger(MINISO)
    led.earn(100, t(2024, 1, 1))
    led.redeem(90, t(2024, 2, 1), "s1")
    out = led.ret(
        "s1",
        t(2024, 2, 5),
        line_points=[0, 0],
        returned_qty=[1, 0],
        sold_qty=[2, 1],
        full=False,
        line_redeemed=[61, 29],
    )
    assert sum(e.points for e in out if e.points > 0) == 30  # floor(61 / 2)
    # Per MINISO rules partial returns renew validity (the default).
    assert all(e.renews_until == t(2025, 2, 5) for e in out)


def test_return_quantities_are_validated() -> None:
    led = Ledger(VANCL)
    led.earn(10, t(2024, 1, 1), "s1")
    with pytest.raises(PointsError, match="cannot return 3 of 2"):
        led.ret(
            "s1",
            t(2024, 1, 2),
            line_points=[10],
            returned_qty=[2],
            sold_qty=[2],
            full=False,
            already_returned_qty=[1],
        )
    with pytest.raises(PointsError, match="length"):
        led.ret(
            "s1", t(2024, 1, 2), line_points=[10], returned_qty=[1, 1], sold_qty=[2], full=False
        )


def test_return_after_the_sale_lot_expired_does_not_take_twice() -> None:
    led = Ledger(MINISO)
    led.earn(100, t(2024, 1, 1), "s1")
    led.earn(100, t(2024, 12, 1), "s2")
    led.expire(t(2025, 1, 2))
    out = led.ret("s1", t(2025, 1, 3), line_points=[100], returned_qty=[1], sold_qty=[1], full=True)
    assert out == []
    assert balance(led.entries, t(2025, 1, 3)).available == 100


# --------------------------------------------------------------------------- adjustments


def test_adjustments() -> None:
    led = Ledger(MINISO)
    led.entries += adjust(
        led.entries, MINISO, points=40, at=t(2024, 1, 1), new_id=led.new_id, reason="back-fill"
    )
    assert balance(led.entries, t(2024, 1, 1)).available == 40
    with pytest.raises(PointsError, match="reason"):
        adjust(led.entries, MINISO, points=5, at=t(2024, 1, 1), new_id=led.new_id, reason=" ")
    with pytest.raises(PointsError, match="40 available"):
        adjust(led.entries, MINISO, points=-50, at=t(2024, 1, 2), new_id=led.new_id, reason="fix")
    out = adjust(
        led.entries,
        MINISO,
        points=-50,
        at=t(2024, 1, 2),
        new_id=led.new_id,
        reason="fix",
        allow_negative_balance=True,
    )
    assert sorted(e.points for e in out) == [-40, -10]
    led.entries += out
    assert balance(led.entries, t(2024, 1, 2)).available == -10
    assert [lot.remaining for lot in lots(led.entries, t(2024, 1, 2))] == [0, -10]


def test_fixed_date_same_year_settlement_rolls_to_next_year_after_the_date() -> None:
    exp = Expiry("fixed_date", settlement_month=6, settlement_day=30, years_after=0)
    assert policy_expiry(exp, t(2024, 3, 1)) == datetime(2024, 7, 1, tzinfo=TZ)
    assert policy_expiry(exp, t(2024, 7, 1)) == datetime(2025, 7, 1, tzinfo=TZ)


def test_store_time_zones_west_of_utc_and_mixed_zones_work() -> None:
    ny = ZoneInfo("America/New_York")
    led = Ledger(MINISO)
    led.earn(10, datetime(2024, 1, 1, 9, tzinfo=ny))
    led.earn(10, datetime(2024, 1, 1, 20, tzinfo=TZ))  # earlier instant, another zone
    never = led.entries + adjust(
        led.entries,
        rules_with(Expiry("never")),
        points=5,
        at=t(2024, 1, 2),
        new_id=led.new_id,
        reason="gift",
    )
    out = redeem(never, MINISO, points=25, at=t(2024, 2, 1), sale_id=None, new_id=led.new_id)
    assert [e.points for e in out] == [-10, -10, -5]
    assert out[0].lot == led.entries[1].lot

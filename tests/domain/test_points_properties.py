"""Ledger invariants over random sequences of sales, redemptions, expiry runs and returns."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import event, given
from hypothesis import strategies as st

from posloyalty.domain.ids import EntryId, LotId, SaleId
from posloyalty.domain.points import (
    LedgerEntry,
    PointsError,
    balance,
    earn,
    expire_due,
    lots,
    redeem,
    reverse_for_return,
)
from posloyalty.domain.rules import Expiry, PointsRules

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2024, 1, 1, 9, tzinfo=TZ)

expiries = st.sampled_from(
    [
        Expiry("never"),
        Expiry("rolling", months=12),
        Expiry("rolling", months=2),
        Expiry("per_lot", months=12),
        Expiry("per_lot", months=1),
        Expiry("fixed_date", settlement_month=12, settlement_day=31, years_after=1),
        Expiry("fixed_date", settlement_month=6, settlement_day=30, years_after=0),
    ]
)


@st.composite
def points_rules(draw: st.DrawFn) -> PointsRules:
    return PointsRules(
        regular_rate=Fraction(2),
        special_rate=Fraction(1, 2),
        gift_card_rate=Fraction(1),
        pending_days=draw(st.sampled_from([0, 30])),
        expiry=draw(expiries),
        full_return_renews_validity=draw(st.booleans()),
        partial_return_renews_validity=draw(st.booleans()),
    )


lines = st.lists(
    st.tuples(st.integers(0, 300), st.integers(1, 5)), min_size=1, max_size=3
)  # (points earned by the line, units sold)

ops = st.lists(
    st.one_of(
        st.tuples(st.just("sale"), lines, st.integers(0, 120)),
        st.tuples(st.just("wait"), st.integers(0, 400)),
        st.tuples(st.just("expire")),
        st.tuples(st.just("return"), st.integers(0, 50), st.booleans(), st.integers(0, 5)),
    ),
    max_size=25,
)


@dataclass
class Sale:
    id: SaleId
    line_points: list[int]
    sold: list[int]
    redeemed_lines: list[int]
    returned: list[int] = field(default_factory=list)


def _check_balance(entries: list[LedgerEntry], at: datetime) -> None:
    b = balance(entries, at)
    assert b.total == sum(e.points for e in entries if e.at <= at)
    assert b.available + b.pending + b.lapsed == b.total
    assert b.pending >= 0 and b.lapsed >= 0
    debt_lots = {e.lot for e in entries if "debt" in e.reason}
    for lot in lots(entries, at):
        assert lot.remaining >= 0 or lot.id in debt_lots


def _sale_totals(entries: list[LedgerEntry], sale: SaleId) -> tuple[int, int, int, int, int]:
    mine = [e for e in entries if e.sale_id == sale]
    earn_lots = {e.lot for e in mine if e.kind == "earn"}
    earned = sum(e.points for e in mine if e.kind == "earn")
    reversed_ = -sum(e.points for e in mine if e.kind == "reverse" and e.points < 0)
    expired = -sum(e.points for e in entries if e.kind == "expire" and e.lot in earn_lots)
    redeemed = -sum(e.points for e in mine if e.kind == "redeem")
    refunded = sum(e.points for e in mine if e.kind == "reverse" and e.points > 0)
    return earned, reversed_, expired, redeemed, refunded


@given(points_rules(), ops)
def test_ledger_invariants_hold_over_any_sequence(
    rules: PointsRules, script: list[tuple[Any, ...]]
) -> None:
    counter = itertools.count(1)

    def new_id() -> str:
        return f"id{next(counter)}"

    entries: list[LedgerEntry] = []
    sales: list[Sale] = []
    now = START
    for op in script:
        now += timedelta(hours=1)
        before = balance(entries, now)
        added: list[LedgerEntry] = []
        if op[0] == "sale":
            _, line_spec, want = op
            sale = Sale(SaleId(new_id()), [p for p, _ in line_spec], [q for _, q in line_spec], [])
            if want:
                spendable = {lot.id for lot in lots(entries, now) if lot.spendable(now)}
                try:
                    spent = redeem(
                        entries, rules, points=want, at=now, sale_id=sale.id, new_id=new_id
                    )
                except PointsError:
                    assert want > before.available
                    spent = []
                else:
                    assert want <= before.available
                    assert sum(e.points for e in spent) == -want
                    # Never a pending or expired point, never more than a lot holds.
                    assert {e.lot for e in spent} <= spendable
                    remaining = {lot.id: lot.remaining for lot in lots(entries, now)}
                    assert all(-e.points <= remaining[e.lot] for e in spent)
                added += spent
                sale.redeemed_lines = [-sum(e.points for e in spent)] + [0] * (len(line_spec) - 1)
            else:
                sale.redeemed_lines = [0] * len(line_spec)
            added += earn(
                rules,
                entry_id=EntryId(new_id()),
                lot=LotId(new_id()),
                points=sum(sale.line_points),
                at=now,
                sale_id=sale.id,
            )
            sale.returned = [0] * len(line_spec)
            sales.append(sale)
        elif op[0] == "wait":
            now += timedelta(days=op[1])
            before = balance(entries, now)
        elif op[0] == "expire":
            state = lots(entries, now)
            added = expire_due(entries, rules, now, new_id)
            due = {
                lot.id: lot.remaining
                for lot in state
                if lot.remaining > 0 and lot.expires_at is not None and lot.expires_at <= now
            }
            assert {e.lot: -e.points for e in added} == due
            after = balance([*entries, *added], now)
            assert (after.available, after.pending, after.lapsed) == (
                before.available,
                before.pending,
                0,
            )
            assert expire_due([*entries, *added], rules, now, new_id) == []
        elif op[0] == "return" and sales:
            _, pick, full, qty = op
            sale = sales[pick % len(sales)]
            open_qty = [s - r for s, r in zip(sale.sold, sale.returned, strict=True)]
            back = [min(qty, o) for o in open_qty]
            added = reverse_for_return(
                entries,
                rules,
                sale_id=sale.id,
                line_points=sale.line_points,
                returned_qty=open_qty if full else back,
                sold_qty=sale.sold,
                at=now,
                new_id=new_id,
                full=full,
                already_returned_qty=sale.returned,
                line_redeemed=sale.redeemed_lines,
            )
            sale.returned = (
                list(sale.sold)
                if full
                else [r + b for r, b in zip(sale.returned, back, strict=True)]
            )
            earned, reversed_, expired, redeemed, refunded = _sale_totals(
                [*entries, *added], sale.id
            )
            assert reversed_ + expired <= earned
            assert refunded <= redeemed
            if sale.returned == sale.sold:
                # Everything the sale earned is taken back (less what already expired) and
                # every point it redeemed is refunded.
                assert reversed_ + expired == earned
                assert refunded == redeemed
                if expired == 0:
                    assert reversed_ == earned
        for e in added:
            event(f"{e.kind}{'+' if e.points > 0 else ''}{' debt' if 'debt' in e.reason else ''}")
        entries += added
        # Nothing created or lost: the balance moves by exactly the entries written.
        assert balance(entries, now).total - before.total == sum(e.points for e in added)
        _check_balance(entries, now)
    # Ids are unique: a store can use them as primary keys.
    assert len({e.id for e in entries}) == len(entries)


@given(points_rules(), st.lists(st.integers(1, 500), min_size=1, max_size=8), st.data())
def test_expiry_never_removes_an_unexpired_point(
    rules: PointsRules, amounts: list[int], data: st.DataObject
) -> None:
    counter = itertools.count(1)
    entries: list[LedgerEntry] = []
    at = START
    for n in amounts:
        at += timedelta(days=data.draw(st.integers(0, 200)))
        entries += earn(
            rules, entry_id=EntryId(f"e{n}{at}"), lot=LotId(f"l{len(entries)}"), points=n, at=at
        )
    run_at = at + timedelta(days=data.draw(st.integers(0, 800)))
    gone = expire_due(entries, rules, run_at, lambda: f"x{next(counter)}")
    for e in gone:
        lot = next(lot for lot in lots(entries, run_at) if lot.id == e.lot)
        assert lot.expires_at is not None and lot.expires_at <= run_at
        assert e.at == max(lot.expires_at, lot.created_at or lot.expires_at)
    still = balance([*entries, *gone], run_at)
    assert still.lapsed == 0
    assert still.total == sum(
        lot.remaining for lot in lots(entries, run_at) if not lot.expired(run_at)
    )


@given(
    st.lists(st.tuples(st.integers(0, 1000), st.integers(1, 7)), min_size=1, max_size=4),
    st.data(),
)
def test_successive_partial_returns_never_exceed_the_line(
    spec: list[tuple[int, int]], data: st.DataObject
) -> None:
    rules = PointsRules(Fraction(1), Fraction(1), Fraction(1))
    counter = itertools.count(1)
    line_points = [p for p, _ in spec]
    sold = [q for _, q in spec]
    entries = earn(
        rules,
        entry_id=EntryId("e"),
        lot=LotId("l"),
        points=sum(line_points),
        at=START,
        sale_id=SaleId("s"),
    )
    returned = [0] * len(spec)
    at = START
    while returned != sold:
        back = [data.draw(st.integers(0, s - r)) for s, r in zip(sold, returned, strict=True)]
        if not any(back):  # every return gives back at least one unit
            first_open = next(
                i for i, (s, r) in enumerate(zip(sold, returned, strict=True)) if r < s
            )
            back[first_open] = 1
        at += timedelta(days=1)
        entries += reverse_for_return(
            entries,
            rules,
            sale_id=SaleId("s"),
            line_points=line_points,
            returned_qty=back,
            sold_qty=sold,
            at=at,
            new_id=lambda: f"x{next(counter)}",
            full=False,
            already_returned_qty=returned,
        )
        returned = [r + b for r, b in zip(returned, back, strict=True)]
        taken = -sum(e.points for e in entries if e.kind == "reverse")
        assert taken <= sum(line_points)
        # Each return takes no more than its exact proportional share, rounded up.
        exact = sum(Fraction(p * r, s) for p, r, s in zip(line_points, returned, sold, strict=True))
        assert exact - len(spec) < taken <= exact
    # Once every unit is back, the sale's points are exactly reversed.
    assert balance(entries, at).total == 0


def _expiry_by_walking(
    created_at: datetime, own: datetime | None, renewals: list[tuple[datetime, datetime]]
) -> datetime | None:
    """The rule as written: walk every renewal in order (the oracle for the fast version)."""
    exp = own
    for r_at, until in renewals:
        if exp is None or r_at >= exp:
            break
        if r_at >= created_at and until > exp:
            exp = until
    return exp


@given(
    st.lists(
        st.tuples(st.integers(0, 400), st.integers(1, 120)), min_size=0, max_size=40
    ),  # renewals: (day made, days granted; arbitrary, not only "made + 12 months")
    st.lists(
        st.tuples(st.integers(0, 400), st.none() | st.integers(-5, 120)), min_size=1, max_size=20
    ),  # lots: (day created, own validity in days; None: never expires)
)
def test_a_lots_expiry_is_the_walk_over_every_renewal(
    renewals: list[tuple[int, int]], lot_specs: list[tuple[int, int | None]]
) -> None:
    day = timedelta(days=1)
    made = sorted((START + a * day, START + (a + g) * day) for a, g in renewals)
    entries = [
        LedgerEntry(EntryId(f"r{i}"), "adjust", 0, at, LotId(f"r{i}"), at, None, renews_until=u)
        for i, (at, u) in enumerate(made)
    ]
    for i, (c, own) in enumerate(lot_specs):
        at = START + c * day
        own_expiry = None if own is None else at + own * day
        entries.append(
            LedgerEntry(EntryId(f"l{i}"), "earn", 10, at, LotId(f"l{i}"), at, own_expiry)
        )
    seq = sorted(entries, key=lambda e: e.at)
    walk = [(e.at, e.renews_until) for e in seq if e.renews_until is not None]
    end = START + 600 * day
    for lot in lots(entries, end):
        if lot.kind != "earn":
            continue
        spec = next(e for e in entries if e.lot == lot.id)
        assert lot.expires_at == _expiry_by_walking(spec.at, spec.expires_at, walk)

"""Repurchase and cohorts, read from the purchase rollups kept up to date incrementally, give
exactly the figures of their definitions over the sales and members themselves, whatever
sales, returns, tier and channel changes, new aliases and merges arrive between refreshes; and
the buyer rollups equal a full recompute (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rollup_sales import add_sales
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from posloyalty.hq.models import (
    Member,
    MemberAlias,
    ReportBuyerMonth,
    ReportCohortBuy,
    ReportOrderDay,
    ReportPurchaseDay,
    Sale,
)
from posloyalty.hq.reports import Scope, run_report
from posloyalty.hq.rollup import rebuild, refresh
from posloyalty.hq.services import HqService

_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# Members M0..M3 join on these days after the start; A1 is an alias of M1 from the start, P0
# one of M0 only once a change adds it (its sales count from then on).
_JOINED = {"M0": 0, "M1": 20, "M2": 40, "M3": 75}
_REFS = ["M0", "M1", "M2", "M3", "A1", "P0"]
_TIERS = ["gold", "silver"]
_CHANNELS = ["till", "link"]

# A sale: (member reference index, store index, days after the start, minute of the day,
# amount in fen; negative: a return). A few days come often: two purchases on one day.
_sale = st.tuples(
    st.integers(0, len(_REFS) - 1),
    st.integers(0, 2),
    st.one_of(st.sampled_from([45, 60, 100]), st.integers(0, 200)),
    st.integers(0, 1439),
    st.integers(-3000, 30000).filter(bool),
)
# A change: (what, member index, value).
_change = st.tuples(
    st.sampled_from(["tier", "channel", "alias", "merge"]),
    st.integers(0, 3),
    st.integers(0, 1),
)
_batch = st.tuples(st.lists(_sale, max_size=12), st.lists(_change, max_size=3))

_SCOPES = [
    Scope(dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
    Scope(dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    Scope(dt.date(2026, 2, 10), dt.date(2026, 4, 20)),
    Scope(dt.date(2026, 1, 15), dt.date(2026, 5, 31), stores=frozenset({"S0", "S2"})),
    Scope(dt.date(2026, 1, 1), dt.date(2026, 3, 31), tier="gold"),
    Scope(dt.date(2026, 3, 1), dt.date(2026, 6, 30), channel="link"),
]


def _members(s: Session) -> None:
    s.add_all(
        Member(
            id=mid,
            phone_index="x",
            pii_key_id="t",
            pii_key=b"",
            pii=b"",
            home_store=f"S{k % 3}",
            registered_at=_START + dt.timedelta(days=days, hours=5),
            dirty=False,
            state={"tier": _TIERS[k % 2]},
            channel=_CHANNELS[k % 2],
        )
        for k, (mid, days) in enumerate(_JOINED.items())
    )
    s.flush()
    s.add_all(MemberAlias(alias=m, member_id=m) for m in _JOINED)
    s.add(MemberAlias(alias="A1", member_id="M1"))


def _apply(s: Session, sales: list[Any], changes: list[Any]) -> None:
    add_sales(s, sales, _REFS, _START)
    for what, which, value in changes:
        m = s.get_one(Member, f"M{which}")
        if m.merged_into is not None:
            continue
        if what == "tier":
            m.state = {**(m.state or {}), "tier": _TIERS[value]}
        elif what == "channel":
            m.channel = _CHANNELS[value]
        elif what == "alias" and s.get(MemberAlias, "P0") is None:
            s.add(MemberAlias(alias="P0", member_id=m.id))
        elif what == "merge":
            # As hq.members merges: the aliases go to the survivor, the merged one is marked.
            live = [x for x in _JOINED if x != m.id and s.get_one(Member, x).merged_into is None]
            if live:
                survivor = live[value % len(live)]
                s.execute(
                    update(MemberAlias)
                    .where(MemberAlias.member_id == m.id)
                    .values(member_id=survivor)
                )
                m.merged_into = survivor
        s.flush()


def _month(day: dt.date, months: int = 0) -> tuple[int, int]:
    n = day.year * 12 + day.month - 1 + months
    return n // 12, n % 12 + 1


def _direct(s: Session, scope: Scope) -> tuple[list[list[Any]], list[list[Any]]]:
    """Repurchase and cohort rows by their definitions (``hq.reports``), from the sales."""
    owner = {a: m for a, m in s.execute(select(MemberAlias.alias, MemberAlias.member_id))}
    members = {m.id: m for m in s.scalars(select(Member))}

    def admitted(mid: str) -> bool:
        m = members[mid]
        return (scope.tier is None or (m.state or {}).get("tier") == scope.tier) and (
            scope.channel is None or m.channel == scope.channel
        )

    days: dict[str, list[dt.date]] = defaultdict(list)  # purchase days, one per purchase
    for sale in s.scalars(select(Sale).where(Sale.original_sale_id.is_(None))):
        mid = owner.get(sale.member_ref or "")
        if mid is None or not admitted(mid):
            continue
        if scope.stores is None or sale.store_id in scope.stores:
            days[mid].append(sale.at.date())

    def bought(lo: dt.date, hi: dt.date) -> dict[str, int]:
        return {m: n for m, ds in days.items() if (n := sum(1 for d in ds if lo <= d <= hi))}

    def first(year_month: tuple[int, int]) -> dt.date:
        return dt.date(*year_month, 1)

    def pct(a: int, b: int) -> float:
        return round(100 * a / b, 1) if b else 0.0

    period = bought(scope.start, scope.end)
    repeat = sum(1 for n in period.values() if n >= 2)
    rows = [["period", len(period), repeat, pct(repeat, len(period))]]
    q = (scope.end.month - 1) % 3
    for name, span, back in (("next_month", 1, 0), ("next_quarter", 3, q)):
        lo = first(_month(scope.end, -back - span))
        middle = first(_month(scope.end, -back))
        hi = first(_month(scope.end, -back + span))
        before = bought(lo, middle - dt.timedelta(days=1))
        after = bought(middle, hi - dt.timedelta(days=1))
        again = sum(1 for m in before if m in after)
        rows.append([name, len(before), again, pct(again, len(before))])
    counts = [n for n in bought(dt.date.min, scope.end).values()]
    for x in (1, 2, 3, 4):
        with_x = sum(1 for n in counts if n >= x)
        more = sum(1 for n in counts if n > x)
        rows.append([f"order_{x}", with_x, more, pct(more, with_x)])

    cohorts: dict[tuple[int, int], list[str]] = defaultdict(list)
    for m in members.values():
        joined = m.registered_at.date()
        if (
            m.merged_into is None
            and scope.start <= joined <= scope.end
            and (scope.stores is None or m.home_store in scope.stores)
            and admitted(m.id)
        ):
            cohorts[_month(joined)].append(m.id)
    cohort_rows = []
    for ym, ids in sorted(cohorts.items()):
        shares = []
        for k in range(6):
            month = _month(first(ym), k)
            n = sum(1 for i in ids if any(_month(d) == month for d in days.get(i, [])))
            shares.append(pct(n, len(ids)))
        cohort_rows.append([f"{ym[0]:04d}-{ym[1]:02d}", len(ids), *shares])
    return rows, cohort_rows


def _snapshot(s: Session) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for table in (ReportPurchaseDay, ReportBuyerMonth, ReportOrderDay, ReportCohortBuy):
        cols = list(table.__table__.c)
        rows = [tuple(r) for r in s.execute(select(*cols))]
        # Counts that went back to zero stay as rows; a recompute has none.
        out[table.__tablename__] = sorted(
            r for r in rows if "members" not in table.__table__.c or r[-1] != 0
        )
    return out


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=st.lists(_batch, min_size=1, max_size=4))
def test_repurchase_and_cohorts_from_the_purchase_rollups_equal_their_definitions(
    svc: HqService, batches: list[Any]
) -> None:
    with svc.db.transaction() as s:
        if s.get(Member, "M0") is None:
            _members(s)
    for sales, changes in batches:
        with svc.db.transaction() as s:
            _apply(s, sales, changes)
        with svc.db.transaction() as s:
            for scope in _SCOPES:
                repurchase, cohorts = _direct(s, scope)
                assert run_report(s, "repurchase", scope, _START).rows == repurchase, scope
                assert run_report(s, "cohorts", scope, _START).rows == cohorts, scope
    with svc.db.transaction() as s:
        refresh(s)
        incremental = _snapshot(s)
        rebuild(s)
        assert _snapshot(s) == incremental


def test_two_purchases_on_one_day_are_a_repeat_purchase(svc: HqService) -> None:
    """M0 buys twice on February 15th and never again: a repeat buyer of February and of any
    period around that day; M1 buys once on the 15th and once on the 20th."""
    with svc.db.transaction() as s:
        _members(s)
        _apply(s, [(0, 0, 45, 600, 1000), (0, 1, 45, 700, 2000), (1, 0, 45, 600, 500)], [])
        _apply(s, [(1, 0, 50, 600, 500)], [])
    for scope in (
        Scope(dt.date(2026, 2, 1), dt.date(2026, 2, 28)),  # whole months: the month rollup
        Scope(dt.date(2026, 2, 10), dt.date(2026, 2, 25)),  # any days: the buyer days
    ):
        with svc.db.transaction() as s:
            rows = run_report(s, "repurchase", scope, _START).rows
        assert rows[0] == ["period", 2, 2, 100.0]
        assert rows[3:5] == [["order_1", 2, 2, 100.0], ["order_2", 2, 0, 0.0]]
    with svc.db.transaction() as s:
        rows = run_report(
            s, "repurchase", Scope(dt.date(2026, 2, 17), dt.date(2026, 2, 25)), _START
        ).rows
    assert rows[0] == ["period", 1, 0, 0.0]

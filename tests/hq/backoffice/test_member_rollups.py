"""The member rollups (joins per day x store x tier x channel, members per store x tier x
channel, members by growth) give exactly the figures of the reports' definitions over the
members themselves, after any sequence of joins, tier and growth changes, moves and merges
folded in by incremental refreshes; and they equal a full recompute (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from posloyalty.hq.models import Member, ReportGrowth, ReportJoin, ReportMemberTotal
from posloyalty.hq.reports import Scope, run_report
from posloyalty.hq.rollup import rebuild, refresh
from posloyalty.hq.services import HqService

_IDS = itertools.count(1)
_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
_TIERS = [None, "", "silver", "gold"]
_CHANNELS = [None, "till", "link"]

# A join: (minutes after the start, store index or None, tier, channel, growth or None).
_join = st.tuples(
    st.integers(0, 60 * 24 * 120),
    st.one_of(st.none(), st.integers(0, 2)),
    st.sampled_from(_TIERS),
    st.sampled_from(_CHANNELS),
    st.one_of(st.none(), st.integers(0, 40)),
)
# A change to an earlier member: (which, what, value).
_change = st.tuples(
    st.integers(0, 1000),
    st.sampled_from(["tier", "growth", "store", "merge", "state"]),
    st.integers(0, 40),
)
_batch = st.tuples(st.lists(_join, max_size=8), st.lists(_change, max_size=6))


def _state(tier: str | None, growth: int | None) -> dict[str, Any]:
    state: dict[str, Any] = {"balance": 1}
    if tier is not None:
        state["tier"] = tier
    if growth is not None:
        state["growth"] = growth
    return state


def _apply(s: Session, joins: list[Any], changes: list[Any]) -> None:
    for minutes, store, tier, channel, growth in joins:
        s.add(
            Member(
                id=f"R{next(_IDS)}",
                phone_index="x",
                pii_key_id="t",
                pii_key=b"",
                pii=b"",
                home_store=None if store is None else f"S{store}",
                registered_at=_START + dt.timedelta(minutes=minutes),
                dirty=False,
                state=_state(tier, growth),
                channel=channel,
            )
        )
    s.flush()
    members = list(s.scalars(select(Member).order_by(Member.id)))
    for which, what, value in changes:
        if not members:
            break
        m = members[which % len(members)]
        state = dict(m.state or {})
        if what == "tier":
            state["tier"] = _TIERS[1 + value % 3]
            m.state = state
        elif what == "growth":
            state["growth"] = value
            m.state = state
        elif what == "store":
            m.home_store = f"S{value % 3}"
        elif what == "merge" and m.merged_into is None:
            m.merged_into = members[(which + 1) % len(members)].id
        else:  # a state change that moves no key (the balance)
            state["balance"] = value
            m.state = state
        s.flush()


def _direct(s: Session, scope: Scope) -> dict[str, Any]:
    """The figures by their definitions (``hq.reports``), from the members themselves."""
    members = [
        m
        for m in s.scalars(select(Member))
        if m.merged_into is None
        and m.registered_at < scope.until
        and (scope.stores is None or m.home_store in scope.stores)
        and (scope.tier is None or (m.state or {}).get("tier") == scope.tier)
        and (scope.channel is None or m.channel == scope.channel)
    ]
    joined = [m for m in members if m.registered_at >= scope.since]
    before = len(members) - len(joined)
    growth = sorted(((m.state or {}).get("growth") or 0 for m in members), reverse=True)
    buyers = [g for g in growth if g > 0]

    def top(values: list[int], percent: int) -> int:
        # The top percent, rounded up, counted in whole numbers.
        return values[-(-len(values) * percent // 100) - 1] if values else 0

    return {
        "members": len(members),
        "joined": len(joined),
        "growth_pct": round(100 * len(joined) / before, 1) if before else "-",
        "per_month": Counter(f"{m.registered_at:%Y-%m}" for m in joined),
        "per_store": Counter(m.home_store or "-" for m in joined),
        "per_channel": Counter(m.channel or "-" for m in joined),
        "per_tier": Counter((m.state or {}).get("tier") or "-" for m in members),
        "suggested_60_30_10": f"{top(growth, 40)} / {top(growth, 10)}",
        "suggested_top_20": top(buyers, 20),
    }


def _reported(s: Session, scope: Scope) -> dict[str, Any]:
    at = _START
    members = run_report(s, "members", scope, at)
    tiers = run_report(s, "tiers", scope, at)
    return {
        "members": members.figures["members"],
        "joined": members.figures["joined"],
        "growth_pct": members.figures["growth_pct"],
        "per_month": Counter(dict(members.rows)),
        "per_store": Counter(dict(run_report(s, "joins", scope, at).rows)),
        "per_channel": Counter(dict(run_report(s, "joins_channel", scope, at).rows)),
        "per_tier": Counter({k: n for k, n, _ in tiers.rows}),
        "suggested_60_30_10": tiers.figures["suggested_60_30_10"],
        "suggested_top_20": tiers.figures["suggested_top_20"],
    }


_SCOPES = [
    Scope(dt.date(2026, 2, 1), dt.date(2026, 3, 15)),
    Scope(dt.date(2026, 1, 1), dt.date(2026, 5, 31)),
    Scope(dt.date(2026, 3, 1), dt.date(2026, 4, 30), stores=frozenset({"S0", "S2"})),
    Scope(dt.date(2026, 1, 10), dt.date(2026, 2, 28), tier="gold"),
    Scope(dt.date(2026, 2, 1), dt.date(2026, 4, 1), channel="till"),
]


def _rollups(s: Session) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for table in (ReportJoin, ReportMemberTotal, ReportGrowth):
        cols = list(table.__table__.c)
        rows = s.execute(select(*cols).where(table.members != 0))
        out[table.__tablename__] = sorted(tuple(r) for r in rows)
    return out


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=st.lists(_batch, min_size=1, max_size=4))
def test_member_rollups_give_the_defined_figures(
    svc: HqService, batches: list[tuple[list[Any], list[Any]]]
) -> None:
    for joins, changes in batches:
        with svc.db.transaction() as s:
            _apply(s, joins, changes)
        with svc.db.transaction() as s:
            for scope in _SCOPES:
                assert _reported(s, scope) == _direct(s, scope), scope
    with svc.db.transaction() as s:
        refresh(s)
        incremental = _rollups(s)
        rebuild(s)
        assert _rollups(s) == incremental


def test_a_member_counts_once_under_its_latest_key(svc: HqService) -> None:
    """By hand: three joins, one promoted to gold with growth 30, one merged away."""
    with svc.db.transaction() as s:
        _apply(
            s,
            [(60, 0, "silver", "till", 10), (60 * 24 * 40, 1, None, "link", None)],
            [],
        )
        _apply(s, [(60 * 24 * 41, 1, "silver", None, 5)], [])
    with svc.db.transaction() as s:
        refresh(s)
        first, second, third = s.scalars(select(Member).order_by(Member.registered_at))
        first.state = {"tier": "gold", "growth": 30}
        third.merged_into = second.id
    scope = Scope(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    with svc.db.transaction() as s:
        tiers = run_report(s, "tiers", scope, _START)
        assert tiers.rows == [["-", 1, 50.0], ["gold", 1, 50.0]]  # no rules: "-" first
        assert tiers.figures["suggested_60_30_10"] == "30 / 30"
        assert tiers.figures["suggested_top_20"] == 30
        members = run_report(s, "members", scope, _START)
        assert members.figures == {"members": 2, "joined": 1, "growth_pct": 100.0}
        assert members.rows == [["2026-02", 1]]
        assert run_report(s, "joins_channel", scope, _START).rows == [["link", 1]]

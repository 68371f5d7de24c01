"""The member rollups keyed by the resolved member (``hq.buyers``: purchases per member and
day, lifecycle stage and dormant segment changes per day) give exactly the figures of the
reports' definitions over the sales and members themselves, after sales over more than a year,
tier changes, merges and aliases arriving after their sales, folded in by incremental
refreshes; they equal a full recompute; and the stage changes recount when the lifecycle
rules change (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rollup_sales import add_sales
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from posloyalty.domain import lifecycle
from posloyalty.domain.money import Fen
from posloyalty.domain.rules import LifecycleRules
from posloyalty.hq import stages
from posloyalty.hq.models import (
    Member,
    MemberAlias,
    ReportBuyer,
    ReportBuyerDay,
    ReportStageDay,
    Sale,
)
from posloyalty.hq.reports import Scope, run_report
from posloyalty.hq.rollup import rebuild, refresh
from posloyalty.hq.services import HqService
from posloyalty.resources import resources_dir

_START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
_TIERS = ["silver", "gold"]
# M0..M3 are members from the start; P1 is a till's provisional id that HQ learns later.
_REFS = ["M0", "M1", "M2", "M3", "P1"]

# A sale: (reference index, store index, days after the start, minute of the day (not
# midnight: the day-level rollup counts a day's purchases at its last one), amount in fen).
_sale = st.tuples(
    st.integers(0, len(_REFS) - 1),
    st.integers(0, 2),
    st.integers(0, 500),
    st.integers(1, 1439),
    st.integers(-3000, 30000).filter(bool),
)
# A change: (what, which member, value).
_change = st.tuples(
    st.sampled_from(["tier", "merge", "alias", "register"]),
    st.integers(0, 3),
    st.integers(0, 400),
)
_batch = st.tuples(st.lists(_sale, max_size=12), st.lists(_change, max_size=2))

_SCOPES = [
    Scope(dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
    Scope(dt.date(2025, 9, 1), dt.date(2025, 11, 30)),
    Scope(dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    Scope(dt.date(2025, 6, 1), dt.date(2026, 2, 28), tier="gold"),
    Scope(dt.date(2025, 10, 1), dt.date(2026, 3, 31), stores=frozenset({"S0", "S2"})),
]


def _members(s: Session) -> None:
    for k in range(4):
        s.add(
            Member(
                id=f"M{k}",
                phone_index="x",
                pii_key_id="t",
                pii_key=b"",
                pii=b"",
                home_store=f"S{k % 3}",
                registered_at=_START + dt.timedelta(days=30 * k, hours=5),
                dirty=False,
                state={"tier": _TIERS[k % 2]},
            )
        )
    s.flush()
    s.add_all(MemberAlias(alias=f"M{k}", member_id=f"M{k}") for k in range(4))


def _apply(s: Session, sales: list[Any], changes: list[Any]) -> None:
    add_sales(s, sales, _REFS, _START)
    for what, which, value in changes:
        m = s.get_one(Member, f"M{which}")
        if what == "tier":
            m.state = {"tier": _TIERS[value % 2]}
        elif what == "register":
            m.registered_at = _START + dt.timedelta(days=value)
        elif what == "alias" and s.get(MemberAlias, "P1") is None:
            s.add(MemberAlias(alias="P1", member_id=m.id))
        elif what == "merge" and m.merged_into is None:
            survivor = next(
                (
                    o
                    for o in s.scalars(select(Member).where(Member.merged_into.is_(None)))
                    if o.id != m.id
                ),
                None,
            )
            if survivor is not None:
                m.merged_into = survivor.id
                s.execute(
                    update(MemberAlias)
                    .where(MemberAlias.member_id == m.id)
                    .values(member_id=survivor.id)
                )
        s.flush()


def _purchases(s: Session, scope: Scope) -> dict[str, list[Sale]]:
    """The sales of each member (aliases resolved) at the scope's stores."""
    owner = {a: m for a, m in s.execute(select(MemberAlias.alias, MemberAlias.member_id))}
    per: dict[str, list[Sale]] = defaultdict(list)
    for sale in s.scalars(select(Sale)):
        if sale.member_ref in owner and (scope.stores is None or sale.store_id in scope.stores):
            per[owner[sale.member_ref]].append(sale)
    return per


def _tier(m: Member) -> str:
    return str((m.state or {}).get("tier", ""))


def _direct(s: Session, scope: Scope) -> dict[str, Any]:
    """RFM, 80/20, lifecycle stages and dormant segments by their definitions."""
    rules = LifecycleRules()
    members = {m.id: m for m in s.scalars(select(Member))}
    per = _purchases(s, scope)
    grid: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    spends = []
    for mid, sales in per.items():
        if scope.tier is not None and _tier(members[mid]) != scope.tier:
            continue
        inside = [x for x in sales if scope.since <= x.at < scope.until]
        bought = [x.at for x in inside if x.original_sale_id is None]
        if bought:
            spend = sum(x.total_fen for x in inside)
            r = lifecycle.rfm_scores(rules, (scope.until - max(bought)).days, len(bought), Fen(0))
            grid[(r.recency, r.frequency)][0] += 1
            grid[(r.recency, r.frequency)][1] += spend
            spends.append(spend)
    spends.sort(reverse=True)
    top = -(-len(spends) // 5)
    stage_counts: Counter[str] = Counter()
    dormant: Counter[str] = Counter()
    for m in members.values():
        if m.merged_into is not None or m.registered_at >= scope.until:
            continue
        if scope.tier is not None and _tier(m) != scope.tier:
            continue
        if scope.stores is not None and m.home_store not in scope.stores:
            continue
        bought = [
            x.at for x in per.get(m.id, []) if x.original_sale_id is None and x.at < scope.until
        ]
        seg = lifecycle.segment(
            rules, registered_at=m.registered_at, purchases=bought, at=scope.until
        )
        stage_counts[seg.stage] += 1
        if not bought:
            dormant["never"] += 1
        elif seg.dormant_bucket is not None:
            dormant[seg.dormant_bucket] += 1
    return {
        "rfm": {k: tuple(v) for k, v in grid.items()},
        "top": (top, sum(spends[:top]), len(spends) - top, sum(spends[top:])),
        "stages": +stage_counts,
        "dormant": +dormant,
    }


def _fen(yuan: str) -> int:
    sign = -1 if yuan.startswith("-") else 1
    whole, cents = yuan.lstrip("-").split(".")
    return sign * (int(whole) * 100 + int(cents))


def _reported(s: Session, scope: Scope) -> dict[str, Any]:
    rfm = run_report(s, "rfm", scope, _START).rows
    top, other = run_report(s, "concentration", scope, _START).rows
    stage_rows = run_report(s, "lifecycle", scope, _START).rows
    dormant_rows = run_report(s, "dormant", scope, _START).rows
    return {
        "rfm": {(r, f): (n, _fen(v)) for r, f, n, v in rfm},
        "top": (top[1], _fen(top[2]), other[1], _fen(other[2])),
        "stages": +Counter({k: n for k, n, _ in stage_rows}),
        "dormant": +Counter(dict(dormant_rows)),
    }


def _rollups(s: Session) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for table in (ReportBuyerDay, ReportBuyer):
        out[table.__tablename__] = sorted(tuple(r) for r in s.execute(select(*table.__table__.c)))
    g = ReportStageDay
    out["stages"] = sorted(tuple(r) for r in s.execute(select(*g.__table__.c).where(g.delta != 0)))
    return out


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=st.lists(_batch, min_size=1, max_size=4))
def test_buyer_rollups_give_the_defined_figures(
    svc: HqService, batches: list[tuple[list[Any], list[Any]]]
) -> None:
    with svc.db.transaction() as s:
        if s.get(Member, "M0") is None:
            _members(s)
    for sales, changes in batches:
        with svc.db.transaction() as s:
            _apply(s, sales, changes)
        with svc.db.transaction() as s:
            for scope in _SCOPES:
                assert _reported(s, scope) == _direct(s, scope), scope
    with svc.db.transaction() as s:
        refresh(s)
        incremental = _rollups(s)
        rebuild(s)
        assert _rollups(s) == incremental


@settings(max_examples=200, deadline=None)
@given(
    registered=st.integers(0, 400),
    bought=st.lists(
        st.tuples(st.integers(0, 600), st.booleans(), st.integers(0, 3)),
        max_size=8,
        unique_by=lambda p: p[0],
    ),
)
def test_stage_changes_add_up_to_each_days_state(
    registered: int, bought: list[tuple[int, bool, int]]
) -> None:
    """Summing a member's changes up to any day gives its stage and segment on that day."""
    rules = LifecycleRules()
    start = dt.date(2025, 1, 1)
    days = [
        stages.PurchaseDay(
            start + dt.timedelta(days=d),
            start + dt.timedelta(days=d - (1 if midnight else 0)),
            n,
        )
        for d, midnight, n in sorted(bought)
    ]
    reg = start + dt.timedelta(days=registered)
    totals: Counter[tuple[str, str]] = Counter()
    changes = iter(sorted(stages.changes(rules, reg, days)))
    pending = next(changes, None)
    for k in range(-5, 1100):
        day = start + dt.timedelta(days=k)
        while pending is not None and pending[0] <= day:
            totals[(pending[1], pending[2])] += pending[3]
            pending = next(changes, None)
        expected: Counter[tuple[str, str]] = Counter()
        if day >= reg:
            stage, bucket = stages.state_at(rules, days, day)
            expected[("s", stage)] = 1
            if bucket is not None:
                expected[("d", bucket)] = 1
        assert +totals == expected, day


def test_stage_counts_follow_a_change_of_the_lifecycle_rules(svc: HqService) -> None:
    """By hand: one purchase 45 days before the end: 30-60 and growth under the shipped
    rules; once the rules say dormant after 40 days and segments from 40, dormant and 40+."""
    text = (resources_dir() / "rules" / "miniso.toml").read_text("utf-8")
    svc.publish_rules(text)
    with svc.db.transaction() as s:
        _members(s)
        _apply(s, [(0, 0, 100, 600, 5000)], [])
    scope = Scope(dt.date(2025, 5, 1), dt.date(2025, 5, 26))  # the sale: April 11th
    with svc.db.transaction() as s:
        assert dict(run_report(s, "dormant", scope, _START).rows)["30-60"] == 1
        stage_rows = {k: n for k, n, _ in run_report(s, "lifecycle", scope, _START).rows}
        assert (stage_rows["growth"], stage_rows["dormant"]) == (1, 0)
    svc.publish_rules(
        text.replace("revision = 1", "revision = 2", 1)
        .replace("dormant_after_days = 60", "dormant_after_days = 40")
        .replace("dormant_segments = [30, 60, 90]", "dormant_segments = [40]")
    )
    with svc.db.transaction() as s:
        assert run_report(s, "dormant", scope, _START).rows == [["40+", 1], ["never", 3]]
        stage_rows = {k: n for k, n, _ in run_report(s, "lifecycle", scope, _START).rows}
        assert (stage_rows["growth"], stage_rows["dormant"]) == (0, 1)


def test_the_last_year_reaches_364_whole_days_back(svc: HqService) -> None:
    """By hand: M0 bought 364, 10 and 5 days before the end of 2025-06-30 (3 in the year:
    maturity); M1 365, 10 and 5 days before (2: growth). Chain-wide and for their stores."""
    with svc.db.transaction() as s:
        _members(s)
        s.execute(update(Member).values(registered_at=_START - dt.timedelta(days=400)))
        end = dt.date(2025, 6, 30)
        sales = [
            (ref, ref, (end - dt.timedelta(days=back) - _START.date()).days, 600, 1000)
            for ref, first in ((0, 364), (1, 365))
            for back in (first, 10, 5)
        ]
        _apply(s, sales, [])
    for stores in (None, frozenset({"S0", "S1"})):
        scope = Scope(dt.date(2025, 6, 1), end, stores=stores)
        with svc.db.transaction() as s:
            rows = {k: n for k, n, _ in run_report(s, "lifecycle", scope, _START).rows}
        assert (rows["maturity"], rows["growth"]) == (1, 1), stores


@settings(max_examples=200, deadline=None)
@given(
    registered=st.integers(0, 400),
    bought=st.lists(st.tuples(st.integers(0, 600), st.integers(0, 3)), max_size=6),
    more=st.lists(st.tuples(st.integers(0, 300), st.integers(1, 3)), min_size=1, max_size=3),
    since=st.integers(0, 600),
)
def test_changes_from_a_day_on_are_the_difference_of_two_histories_alike_before_it(
    registered: int, bought: list[tuple[int, int]], more: list[tuple[int, int]], since: int
) -> None:
    """What a refresh adds for new purchases from ``since`` on (the changes of both histories
    from that day) is the difference of their whole changes."""
    rules = LifecycleRules()
    start = dt.date(2025, 1, 1)

    def history(pairs: list[tuple[int, int]]) -> list[stages.PurchaseDay]:
        per: Counter[int] = Counter()
        for d, n in pairs:
            per[d] += n
        return [
            stages.PurchaseDay(start + dt.timedelta(days=d), start + dt.timedelta(days=d), n)
            for d, n in sorted(per.items())
        ]

    old = history(bought)
    new = history(bought + [(since + d, n) for d, n in more])
    reg = start + dt.timedelta(days=registered)
    day = start + dt.timedelta(days=since)

    def total(*parts: tuple[int, list[tuple[dt.date, str, str, int]]]) -> dict[Any, int]:
        out: Counter[Any] = Counter()
        for sign, changes in parts:
            for when, family, name, delta in changes:
                out[(when, family, name)] += sign * delta
        return {k: v for k, v in out.items() if v}

    whole = total((1, stages.changes(rules, reg, new)), (-1, stages.changes(rules, reg, old)))
    part = total(
        (1, stages.changes(rules, reg, new, day)), (-1, stages.changes(rules, reg, old, day))
    )
    assert whole == part

"""RFM, 80/20, lifecycle stages and dormant segments, grouped in SQL from the member-day rollup, give exactly the figures of their
definitions over the sales themselves (``hq.reports``), purchases at midnight included
(SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from posloyalty.domain import lifecycle
from posloyalty.domain.money import Fen
from posloyalty.domain.rules import LifecycleRules
from posloyalty.hq.models import Member, MemberAlias, Sale
from posloyalty.hq.reports import Scope, run_report
from posloyalty.hq.services import HqService

_IDS = itertools.count(1)
_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
# Member references: M0..M3 are members; A1 is an alias of M1 (a merged member's id).
_REFS = ["M0", "M1", "M2", "M3", "A1"]

# A sale: (member reference index, store index, days after the start, minute of the day or
# None for midnight, amount in fen; negative: a return).
_sale = st.tuples(
    st.integers(0, len(_REFS) - 1),
    st.integers(0, 2),
    st.integers(0, 90),
    st.one_of(st.none(), st.integers(1, 1439)),
    st.integers(-3000, 30000).filter(bool),
)

_SCOPES = [
    Scope(dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
    Scope(dt.date(2026, 2, 10), dt.date(2026, 3, 31)),
    Scope(dt.date(2026, 1, 15), dt.date(2026, 3, 1), stores=frozenset({"S0", "S2"})),
]


def _add(s: Session, sales: list[Any]) -> None:
    for ref, store, days, minute, amount in sales:
        at = _START + dt.timedelta(days=days, minutes=minute or 0)
        _sale_at(s, _REFS[ref], f"S{store}", at, amount)


def _sale_at(s: Session, ref: str, store: str, at: dt.datetime, amount: int) -> None:
    s.add(
        Sale(
            id=f"ms-{next(_IDS)}",
            store_id=store,
            terminal_id="T1",
            member_ref=ref,
            at=at,
            total_fen=amount,
            original_sale_id="ms-0" if amount < 0 else None,
            full_return=False,
            payload={},
            received_at=at,
        )
    )


def _direct(s: Session, scope: Scope) -> tuple[list[list[Any]], list[list[Any]]]:
    """RFM grid and 80/20 rows by their definitions, from the sales."""
    owner = {a: m for a, m in s.execute(select(MemberAlias.alias, MemberAlias.member_id))}
    per: dict[str, list[Any]] = defaultdict(lambda: [0, 0, None])
    for sale in s.scalars(select(Sale)):
        if not (scope.since <= sale.at < scope.until) or sale.member_ref is None:
            continue
        if scope.stores is not None and sale.store_id not in scope.stores:
            continue
        row = per[owner[sale.member_ref]]
        row[1] += sale.total_fen
        if sale.original_sale_id is None:
            row[0] += 1
            row[2] = sale.at if row[2] is None else max(row[2], sale.at)
    rules = LifecycleRules()
    grid: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for n, spend, last in per.values():
        if n:
            scores = lifecycle.rfm_scores(rules, (scope.until - last).days, n, Fen(spend))
            grid[(scores.recency, scores.frequency)][0] += 1
            grid[(scores.recency, scores.frequency)][1] += spend
    rfm = [
        [r, f, n, f"{'-' if v < 0 else ''}{abs(v) // 100}.{abs(v) % 100:02d}"]
        for (r, f), (n, v) in sorted(grid.items(), reverse=True)
    ]
    spends = sorted((spend for n, spend, _ in per.values() if n), reverse=True)
    top = -(-len(spends) // 5)  # a fifth, rounded up, in whole numbers
    return rfm, [[top, sum(spends[:top])], [len(spends) - top, sum(spends[top:])]]


def _direct_stages(s: Session, scope: Scope) -> tuple[dict[str, int], dict[str, int]]:
    """Lifecycle stages and dormant segments by their definitions, from the sales (every
    member is in the scope: all joined at the start at S0)."""
    owner = {a: m for a, m in s.execute(select(MemberAlias.alias, MemberAlias.member_id))}
    bought: dict[str, list[dt.datetime]] = {m: [] for m in set(owner.values())}
    for sale in s.scalars(select(Sale).where(Sale.original_sale_id.is_(None))):
        if sale.at < scope.until and (scope.stores is None or sale.store_id in scope.stores):
            bought[owner[sale.member_ref or ""]].append(sale.at)
    rules = LifecycleRules()
    stages: dict[str, int] = defaultdict(int)
    dormant: dict[str, int] = defaultdict(int)
    for purchases in bought.values():
        seg = lifecycle.segment(rules, registered_at=_START, purchases=purchases, at=scope.until)
        stages[seg.stage] += 1
        if not purchases:
            dormant["never"] += 1
        elif seg.dormant_bucket is not None:
            dormant[seg.dormant_bucket] += 1
    return dict(stages), dict(dormant)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=st.lists(st.lists(_sale, max_size=15), min_size=1, max_size=3))
def test_rfm_and_80_20_from_the_rollup_equal_their_definitions(
    svc: HqService, batches: list[list[Any]]
) -> None:
    with svc.db.transaction() as s:
        if s.get(MemberAlias, "A1") is None:
            s.add_all(
                Member(
                    id=f"M{k}",
                    phone_index="x",
                    pii_key_id="t",
                    pii_key=b"",
                    pii=b"",
                    home_store="S0",
                    registered_at=_START,
                    dirty=False,
                    state={},
                )
                for k in range(4)
            )
            s.flush()
            s.add_all(
                [MemberAlias(alias=ref, member_id="M1" if ref == "A1" else ref) for ref in _REFS]
            )
    for sales in batches:
        with svc.db.transaction() as s:
            _add(s, sales)
        with svc.db.transaction() as s:
            for scope in _SCOPES:
                rfm, concentration = _direct(s, scope)
                assert run_report(s, "rfm", scope, _START).rows == rfm
                rows = run_report(s, "concentration", scope, _START).rows
                assert [[r[1], r[2]] for r in rows] == [
                    [n, f"{'-' if v < 0 else ''}{abs(v) // 100}.{abs(v) % 100:02d}"]
                    for n, v in concentration
                ]
                stages, dormant = _direct_stages(s, scope)
                rows = run_report(s, "lifecycle", scope, _START).rows
                assert {k: n for k, n, _ in rows if n} == stages
                rows = run_report(s, "dormant", scope, _START).rows
                assert {k: n for k, n in rows if n} == dormant


def test_a_purchase_at_midnight_counts_whole_days_to_the_end(svc: HqService) -> None:
    """Bought at 00:00 on March 1st and at 00:00:01 on March 2nd: 31 and 29 whole days before
    the end of March (recency 4 and 5 with boundaries 180 / 90 / 60 / 30)."""
    with svc.db.transaction() as s:
        s.add_all(
            Member(
                id=mid,
                phone_index="x",
                pii_key_id="t",
                pii_key=b"",
                pii=b"",
                home_store="S0",
                registered_at=_START,
                dirty=False,
                state={},
            )
            for mid in ("M0", "M1")
        )
        s.flush()
        s.add_all(MemberAlias(alias=mid, member_id=mid) for mid in ("M0", "M1"))
        _sale_at(s, "M0", "S0", dt.datetime(2026, 3, 1, tzinfo=dt.UTC), 1000)
        _sale_at(s, "M1", "S0", dt.datetime(2026, 3, 2, 0, 0, 1, tzinfo=dt.UTC), 2000)
    with svc.db.transaction() as s:
        rows = run_report(s, "rfm", Scope(dt.date(2026, 3, 1), dt.date(2026, 3, 31)), _START).rows
    assert rows == [[5, 1, 1, "20.00"], [4, 1, 1, "10.00"]]

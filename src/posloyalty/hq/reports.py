"""The figures the business reads (business rules section 6; sources 000, 001, 002, 004),
each defined here once.

Every report takes a :class:`Scope` (a date range, inclusive, in UTC days, and optionally a set
of stores, a tier and a channel; the sales and points flows, kept per store and day, take no
tier or channel) and returns a :class:`Table` whose column names are catalogue keys of the back
office. Definitions:

- ``members``: members (not merged) registered before the period's end; joined in the period;
  growth = joined / members at the period's start ("-" without any). Rows: joins per month.
- ``joins``: members who joined in the period, by home store.
- ``joins_cashier``: the same by home store, channel and the cashier who signed them up.
- ``joins_channel``: the same by how they joined (``till``, ``link``: self-registration,
  ``import``; ``-`` before HQ recorded it).
- ``tiers``: members by the tier HQ's jobs last computed (no tier yet: ``-``), share of all;
  suggested growth thresholds for a 60/30/10 split (the least growth among the top 40% and
  the top 10% of members) and for "top tier = top 20% of buyers" (members with growth).
- ``member_share``: net sales (sales less returns) in the period; of which by members; share.
- ``points``: in the period, points issued (earn, bonus and positive adjustments), redeemed,
  expired, reversed (net of returns and quarantines), deducted (negative adjustments); the
  outstanding balance at the period's end (the sum of every entry before it) and its liability
  in yuan at the rules' point value. With stores: entries written at those stores only.
- ``rfm``: members who bought in the period by their recency and frequency scores (1-5,
  ``domain.lifecycle.rfm`` with the rules' boundaries, measured at the period's end); each
  cell: members and their net spend.
- ``repurchase``: source 004. Period rate = buyers with 2+ purchases / buyers in the period;
  next month = buyers of the period's last month's previous month who bought again in that
  last month / buyers of the previous month (next quarter likewise by calendar quarters);
  X-th order = members with X+1 purchases / members with X purchases (all up to the end).
- ``cohorts``: members by month of joining (in the period); for months 0..5 after, the share
  who bought in that month.
- ``concentration``: buyers in the period ranked by net spend; the share of member spend of
  the top 20% (rounded up) of buyers (80/20, source 001).
- ``lifecycle``: members by lifecycle stage at the period's end (``domain.lifecycle.segment``).
- ``dormant``: members by days since their last purchase at the period's end, in the rules'
  dormant segments (``domain.lifecycle.dormant_bucket``: 30-60, 60-90, 90+ by default); and
  those who never bought.
- ``birthdays``: members with a birthday in the month of the period's start (masked names).

A purchase is a member's sale that is not a return; returns count as negative spend. Member ids
resolve through their aliases (a merged member's sales are its survivor's).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, get_args

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from posloyalty.domain import lifecycle
from posloyalty.domain.money import Fen
from posloyalty.domain.privacy import mask_name
from posloyalty.domain.rules import LifecycleRules
from posloyalty.hq.errors import BadRequest
from posloyalty.hq.ledger import active_rules
from posloyalty.hq.members import members_born_in
from posloyalty.hq.models import (
    Member,
    MemberAlias,
    ReportMemberDay,
    ReportMemberStore,
    ReportStoreDay,
)
from posloyalty.hq.rollup import refresh

__all__ = ["REPORTS", "Scope", "Table", "run_report"]


@dataclass(frozen=True, slots=True)
class Scope:
    """From ``start`` to ``end`` inclusive (UTC days); ``stores``: None for the chain;
    ``tier`` and ``channel``: only members of that tier (as the jobs last computed it) or who
    joined that way (None: all)."""

    start: dt.date
    end: dt.date
    stores: frozenset[str] | None = None
    tier: str | None = None
    channel: str | None = None

    @property
    def by_member(self) -> bool:
        """Whether a member filter (tier or channel) applies."""
        return self.tier is not None or self.channel is not None

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), tzinfo=dt.UTC)

    @property
    def until(self) -> dt.datetime:
        """The instant after the last day (exclusive)."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Table:
    """A report: column keys, rows, and a few headline figures (key -> value)."""

    columns: list[str]
    rows: list[list[Any]]
    figures: dict[str, Any] = field(default_factory=dict)
    #: Which column holds the value a bar or chart shows (-1: none).
    bar: int = -1


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def _pct(part: float, whole: float) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _member_days(
    session: Session, scope: Scope, first: dt.date | None, last: dt.date | None
) -> list[_Day]:
    """Members' daily purchases (rollup ``report_member_days``, aliases resolved) from day
    ``first`` to ``last`` inclusive (None: unbounded), in the scope's stores."""
    d = ReportMemberDay
    query = select(MemberAlias.member_id, d.day, d.orders, d.spend_fen, d.last_order_at).join(
        MemberAlias, MemberAlias.alias == d.member_ref
    )
    if first is not None:
        query = query.where(d.day >= first)
    if last is not None:
        query = query.where(d.day <= last)
    if scope.stores is not None:
        query = query.where(d.store_id.in_(scope.stores))
    if scope.by_member:
        query = query.where(MemberAlias.member_id.in_(_filtered_members(scope)))
    return [_Day(*row) for row in session.execute(query)]


@dataclass(frozen=True, slots=True)
class _Day:
    member: str
    day: dt.date
    orders: int
    spend: int
    last: dt.datetime | None


def _in_scope(scope: Scope) -> list[Any]:
    """Members (not merged) registered before the scope's end, at its stores."""
    where = [Member.merged_into.is_(None), Member.registered_at < scope.until]
    if scope.stores is not None:
        where.append(Member.home_store.in_(scope.stores))
    return where + _member_filters(scope)


def _member_filters(scope: Scope) -> list[Any]:
    """The scope's tier and channel conditions on ``Member``."""
    where: list[Any] = []
    if scope.tier is not None:
        where.append(Member.state["tier"].as_string() == scope.tier)
    if scope.channel is not None:
        where.append(Member.channel == scope.channel)
    return where


def _filtered_members(scope: Scope) -> Any:
    """Ids of the members the scope's tier and channel admit (any registration date)."""
    return select(Member.id).where(*_member_filters(scope))


def _month(at: dt.datetime | dt.date) -> str:
    return f"{at.year:04d}-{at.month:02d}"


def members_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    total = int(session.scalar(select(func.count()).where(*_in_scope(scope))) or 0)
    joined = session.scalars(
        select(Member.registered_at).where(*_in_scope(scope), Member.registered_at >= scope.since)
    ).all()
    before = total - len(joined)
    per_month: dict[str, int] = defaultdict(int)
    for at in joined:
        per_month[_month(at)] += 1
    return Table(
        ["month", "joined"],
        [[m, n] for m, n in sorted(per_month.items())],
        # No members at the start: growth has no base ("-"), not 0%.
        {
            "members": total,
            "joined": len(joined),
            "growth_pct": _pct(len(joined), before) if before else "-",
        },
        bar=1,
    )


def joins_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    store = func.coalesce(Member.home_store, "-")
    counts = {
        str(k): int(n)
        for k, n in session.execute(
            select(store, func.count())
            .where(*_in_scope(scope), Member.registered_at >= scope.since)
            .group_by(store)
        )
    }
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return Table(
        ["store", "joined"], [[s, n] for s, n in ranked], {"joined": sum(counts.values())}, bar=1
    )


def joins_channel_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    channel = func.coalesce(Member.channel, "-")
    counts = {
        str(k): int(n)
        for k, n in session.execute(
            select(channel, func.count())
            .where(*_in_scope(scope), Member.registered_at >= scope.since)
            .group_by(channel)
        )
    }
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return Table(
        ["channel", "joined"], [[c, n] for c, n in ranked], {"joined": sum(counts.values())}, bar=1
    )


def joins_cashier_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    """Joins per home store, channel and the cashier who signed the member up (``-``: not at
    a till, or a till too old to say)."""
    keys = (
        func.coalesce(Member.home_store, "-"),
        func.coalesce(Member.channel, "-"),
        func.coalesce(Member.joined_by, "-"),
    )
    counts = {
        (str(store), str(channel), str(cashier)): int(n)
        for store, channel, cashier, n in session.execute(
            select(*keys, func.count())
            .where(*_in_scope(scope), Member.registered_at >= scope.since)
            .group_by(*keys)
        )
    }
    ranked = sorted(counts.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1], kv[0][2]))
    return Table(
        ["store", "channel", "cashier", "joined"],
        [[*k, n] for k, n in ranked],
        {"joined": sum(counts.values())},
        bar=3,
    )


def tiers_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    tier = func.coalesce(func.nullif(Member.state["tier"].as_string(), ""), "-")
    counts = {
        str(k): int(n)
        for k, n in session.execute(
            select(tier, func.count()).where(*_in_scope(scope)).group_by(tier)
        )
    }
    members = sum(counts.values())
    rules = active_rules(session)
    order = [*(rules.tiers.ids() if rules else ()), "-"]
    keys = sorted(counts, key=lambda k: (order.index(k) if k in order else len(order), k))
    return Table(
        ["tier", "members", "share_pct"],
        [[k, counts[k], _pct(counts[k], members)] for k in keys],
        {
            "members": members,
            "suggested_60_30_10": (
                f"{_top_share(session, scope, 0.4)} / {_top_share(session, scope, 0.1)}"
            ),
            "suggested_top_20": _top_share(session, scope, 0.2, buyers=True),
        },
        bar=1,
    )


def _top_share(session: Session, scope: Scope, share: float, *, buyers: bool = False) -> int:
    """The least growth among the top ``share`` of the scope's members (rounded up; only
    those with growth when ``buyers``; 0 when none): a threshold that many members reach."""
    growth = func.coalesce(Member.state["growth"].as_integer(), 0)
    where = [*_in_scope(scope), *([growth > 0] if buyers else [])]
    n = int(session.scalar(select(func.count()).where(*where)) or 0)
    if not n:
        return 0
    query = select(growth).where(*where).order_by(growth.desc())
    return int(session.scalar(query.offset(math.ceil(n * share) - 1).limit(1)) or 0)


def _store_days(session: Session, scope: Scope, *columns: Any, until_only: bool = False) -> Any:
    """Sums of rollup ``report_store_days`` columns over the scope's days (or all days before
    its end) and stores."""
    if scope.by_member:
        raise BadRequest("sales and points flows are kept per store and day: no tier or channel")
    d = ReportStoreDay
    where = [d.day <= scope.end]
    if not until_only:
        where.append(d.day >= scope.start)
    if scope.stores is not None:
        where.append(d.store_id.in_(scope.stores))
    return session.execute(
        select(*(func.coalesce(func.sum(c), 0) for c in columns)).where(*where)
    ).one()


def member_share_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    d = ReportStoreDay
    total, members = (int(v) for v in _store_days(session, scope, d.sales_fen, d.member_sales_fen))
    return Table(
        ["sales", "yuan"],
        [["all_sales", _yuan(total)], ["member_sales", _yuan(members)]],
        {"member_share_pct": _pct(members, total)},
    )


def points_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    d = ReportStoreDay
    flows = ("issued", "redeemed", "expired", "reversed", "deducted")
    values = [int(v) for v in _store_days(session, scope, *(getattr(d, f) for f in flows))]
    (outstanding,) = (int(v) for v in _store_days(session, scope, d.net_points, until_only=True))
    rules = active_rules(session)
    liability = int(rules.points.points_value(outstanding)) if rules and outstanding > 0 else 0
    return Table(
        ["flow", "points"],
        [*([f, v] for f, v in zip(flows, values, strict=True)), ["outstanding", outstanding]],
        {"outstanding": outstanding, "liability_yuan": _yuan(liability)},
        bar=1,
    )


def _per_member(days: list[_Day]) -> dict[str, tuple[int, int, dt.datetime | None]]:
    """member -> (purchases, net spend, last purchase)."""
    out: dict[str, tuple[int, int, dt.datetime | None]] = {}
    for d in days:
        n, spend, last = out.get(d.member, (0, 0, None))
        if d.last is not None and (last is None or d.last > last):
            last = d.last
        out[d.member] = (n + d.orders, spend + d.spend, last)
    return out


def _lifecycle_rules(session: Session) -> LifecycleRules:
    rules = active_rules(session)
    return rules.lifecycle if rules is not None else LifecycleRules()


def rfm_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    rules = _lifecycle_rules(session)
    grid: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for n, spend, last in _per_member(
        _member_days(session, scope, scope.start, scope.end)
    ).values():
        if n == 0 or last is None:
            continue  # only returns in the period: not a buyer
        scores = lifecycle.rfm_scores(rules, (scope.until - last).days, n, Fen(spend))
        cell = grid[(scores.recency, scores.frequency)]
        cell[0] += 1
        cell[1] += scores.spend
    rows = [[r, f, n, _yuan(spend)] for (r, f), (n, spend) in sorted(grid.items(), reverse=True)]
    return Table(
        ["recency_score", "frequency_score", "members", "spend_yuan"],
        rows,
        {"buyers": sum(n for n, _ in grid.values())},
        bar=2,
    )


def _buyers(days: list[_Day], start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for d in days:
        if d.orders and start.date() <= d.day < end.date():
            out[d.member] += d.orders
    return out


def _month_start(day: dt.date, back: int = 0) -> dt.datetime:
    months = day.year * 12 + day.month - 1 - back
    return dt.datetime(months // 12, months % 12 + 1, 1, tzinfo=dt.UTC)


def _order_counts(session: Session, scope: Scope) -> dict[int, int]:
    """Members by their number of purchases up to the scope's end: the all-time totals
    (rollup ``report_member_stores``) less the purchases after the end."""
    t, d = ReportMemberStore, ReportMemberDay
    totals = select(t.member_ref, t.store_id, t.orders.label("n"))
    later = select(d.member_ref, d.store_id, (-d.orders).label("n")).where(d.day > scope.end)
    parts = totals.union_all(later).subquery()
    per = select(MemberAlias.member_id, func.sum(parts.c.n).label("n")).join(
        MemberAlias, MemberAlias.alias == parts.c.member_ref
    )
    if scope.stores is not None:
        per = per.where(parts.c.store_id.in_(scope.stores))
    if scope.by_member:
        per = per.where(MemberAlias.member_id.in_(_filtered_members(scope)))
    sub = per.group_by(MemberAlias.member_id).subquery()
    return {
        int(n): int(k)
        for n, k in session.execute(
            select(sub.c.n, func.count()).where(sub.c.n > 0).group_by(sub.c.n)
        )
    }


def repurchase_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    prev_q_start = _month_start(scope.end, (scope.end.month - 1) % 3 + 3)
    first = min(scope.start, prev_q_start.date(), _month_start(scope.end, 1).date())
    days = _member_days(session, scope, first, None)
    period = _buyers(days, scope.since, scope.until)
    repeat = sum(1 for n in period.values() if n >= 2)
    last_month = _month_start(scope.end)
    previous = _buyers(days, _month_start(scope.end, 1), last_month)
    this = _buyers(days, last_month, _month_start(scope.end, -1))
    q_start = _month_start(scope.end, (scope.end.month - 1) % 3)
    prev_q = _buyers(days, _month_start(q_start.date(), 3), q_start)
    this_q = _buyers(days, q_start, _month_start(q_start.date(), -3))
    rows = [
        ["period", len(period), repeat, _pct(repeat, len(period))],
        [
            "next_month",
            len(previous),
            len(previous.keys() & this.keys()),
            _pct(len(previous.keys() & this.keys()), len(previous)),
        ],
        [
            "next_quarter",
            len(prev_q),
            len(prev_q.keys() & this_q.keys()),
            _pct(len(prev_q.keys() & this_q.keys()), len(prev_q)),
        ],
    ]
    counts = _order_counts(session, scope)
    for x in (1, 2, 3, 4):
        with_x = sum(k for n, k in counts.items() if n >= x)
        more = sum(k for n, k in counts.items() if n >= x + 1)
        rows.append([f"order_{x}", with_x, more, _pct(more, with_x)])
    return Table(
        ["basis", "buyers", "bought_again", "rate_pct"],
        rows,
        {"repurchase_pct": _pct(repeat, len(period))},
        bar=3,
    )


def cohorts_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    members: dict[str, dt.datetime] = {
        mid: at
        for mid, at in session.execute(
            select(Member.id, Member.registered_at).where(
                *_in_scope(scope), Member.registered_at >= scope.since
            )
        )
    }
    bought: dict[str, set[str]] = defaultdict(set)
    for d in _member_days(session, scope, scope.start, None):
        if d.orders and d.member in members:
            bought[d.member].add(_month(d.day))
    cohorts: dict[str, list[str]] = defaultdict(list)
    for m, at in members.items():
        cohorts[_month(at)].append(m)
    rows = []
    for month, ids in sorted(cohorts.items()):
        first = dt.date.fromisoformat(month + "-01")
        shares = []
        for k in range(6):
            target = _month(_month_start(first, -k))
            shares.append(_pct(sum(1 for m in ids if target in bought[m]), len(ids)))
        rows.append([month, len(ids), *shares])
    return Table(["cohort", "members", "m0", "m1", "m2", "m3", "m4", "m5"], rows)


def concentration_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    per = _per_member(_member_days(session, scope, scope.start, scope.end))
    spends = sorted((spend for n, spend, _ in per.values() if n > 0), reverse=True)
    total = sum(spends)
    top = math.ceil(len(spends) * 0.2)
    top_spend = sum(spends[:top])
    return Table(
        ["group", "buyers", "spend_yuan", "share_pct"],
        [
            ["top_20", top, _yuan(top_spend), _pct(top_spend, total)],
            [
                "other_80",
                len(spends) - top,
                _yuan(total - top_spend),
                _pct(total - top_spend, total),
            ],
        ],
        {"top_20_share_pct": _pct(top_spend, total)},
        bar=3,
    )


@dataclass(frozen=True, slots=True)
class _Recent:
    """Scope members by their purchases of the last ``window`` days before the scope's end
    (``days``: member -> purchase instants), how many ever bought before it, and how many
    there are."""

    days: dict[str, list[dt.datetime]]
    ever: int
    members: int


def _recent(session: Session, scope: Scope, window: int) -> _Recent:
    # Only the window's days are read: whoever bought before it and not in it has gone at
    # least ``window`` days without a purchase, which is all the stages below ask.
    start = scope.end - dt.timedelta(days=window - 1)
    scoped = select(Member.id).where(*_in_scope(scope))
    d = ReportMemberDay
    query = (
        select(MemberAlias.member_id, d.orders, d.last_order_at)
        .join(MemberAlias, MemberAlias.alias == d.member_ref)
        .where(d.day >= start, d.day <= scope.end, d.orders > 0, MemberAlias.member_id.in_(scoped))
    )
    if scope.stores is not None:
        query = query.where(d.store_id.in_(scope.stores))
    days: dict[str, list[dt.datetime]] = defaultdict(list)
    for member, orders, last in session.execute(query):
        if last is not None:  # orders > 0 always has one
            days[member].extend([last] * orders)
    t = ReportMemberStore
    ever = (
        select(func.count(func.distinct(MemberAlias.member_id)))
        .select_from(t)
        .join(MemberAlias, MemberAlias.alias == t.member_ref)
    )
    ever = ever.where(t.first_order_at < scope.until, MemberAlias.member_id.in_(scoped))
    if scope.stores is not None:
        ever = ever.where(t.store_id.in_(scope.stores))
    members = int(session.scalar(select(func.count()).where(*_in_scope(scope))) or 0)
    return _Recent(dict(days), int(session.scalar(ever) or 0), members)


def dormant_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    rules = _lifecycle_rules(session)
    bounds = rules.dormant_segments
    names = (
        [f"{lo}-{hi}" for lo, hi in itertools.pairwise(bounds)] + [f"{bounds[-1]}+"]
        if bounds
        else []
    )
    counts = dict.fromkeys([*names, "never"], 0)
    recent = _recent(session, scope, (bounds[-1] if bounds else 0) + 1)
    for purchases in recent.days.values():
        bucket = lifecycle.dormant_bucket(rules, (scope.until - max(purchases)).days)
        if bucket is not None:
            counts[bucket] += 1
    if names:
        counts[names[-1]] += recent.ever - len(recent.days)
    counts["never"] = recent.members - recent.ever
    return Table(["days_without_purchase", "members"], [[k, v] for k, v in counts.items()], bar=1)


def lifecycle_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    rules = _lifecycle_rules(session)
    window = 1 + max(lifecycle.YEAR.days, rules.dormant_after_days, rules.pre_churn_within_days)
    recent = _recent(session, scope, window)
    stages: dict[str, int] = dict.fromkeys(get_args(lifecycle.Stage), 0)
    for purchases in recent.days.values():
        seg = lifecycle.segment(
            rules, registered_at=scope.until, purchases=purchases, at=scope.until
        )
        stages[seg.stage] += 1
    # Bought, but not in the window: more than a year without a purchase.
    stages["dormant"] += recent.ever - len(recent.days)
    stages["introduction"] += recent.members - recent.ever
    return Table(
        ["stage", "members", "share_pct"],
        [[k, v, _pct(v, recent.members)] for k, v in stages.items()],
        {"members": recent.members},
        bar=1,
    )


def birthdays_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    people = members_born_in(
        session, scope.start.month, set(scope.stores) if scope.stores is not None else None
    )
    if scope.by_member:
        admitted = set(session.scalars(_filtered_members(scope)))
        people = [p for p in people if p.member_id in admitted]
    return Table(
        ["member", "name", "day", "home_store"],
        [
            [
                p.member_id,
                mask_name(p.name) if p.name.strip() else "",
                f"{scope.start.month:02d}-{p.birthday.day if p.birthday else 0:02d}",
                p.home_store or "",
            ]
            for p in people
        ],
        {"members": len(people)},
    )


REPORTS: dict[str, Callable[[Session, Scope, dt.datetime], Table]] = {
    "members": members_report,
    "joins": joins_report,
    "joins_channel": joins_channel_report,
    "joins_cashier": joins_cashier_report,
    "tiers": tiers_report,
    "member_share": member_share_report,
    "points": points_report,
    "rfm": rfm_report,
    "repurchase": repurchase_report,
    "cohorts": cohorts_report,
    "concentration": concentration_report,
    "lifecycle": lifecycle_report,
    "dormant": dormant_report,
    "birthdays": birthdays_report,
}


def run_report(session: Session, name: str, scope: Scope, at: dt.datetime) -> Table:
    if scope.end < scope.start:
        raise BadRequest("the period ends before it starts")
    refresh(session)  # what HQ received since the last refresh (cheap when nothing is new)
    return REPORTS[name](session, scope, at)

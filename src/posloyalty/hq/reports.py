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
  Chain-wide (any tier or channel) from the purchase rollups (``hq.purchase_rollup``); for some
  stores, from their member days.
- ``cohorts``: members by month of joining (in the period); for months 0..5 after, the share
  who bought in that month (with stores: members of those home stores, bought there).
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
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, get_args

from sqlalchemy import (
    BigInteger,
    Date,
    and_,
    case,
    cast,
    false,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session

from posloyalty.domain import lifecycle
from posloyalty.domain.money import Fen
from posloyalty.domain.privacy import mask_name
from posloyalty.hq import stages
from posloyalty.hq.buyers import lifecycle_rules, purchase_days
from posloyalty.hq.errors import BadRequest
from posloyalty.hq.ledger import active_rules
from posloyalty.hq.members import members_born_in
from posloyalty.hq.models import (
    Member,
    MemberAlias,
    ReportBuyerDay,
    ReportBuyerMonth,
    ReportCohortBuy,
    ReportDay,
    ReportGrowth,
    ReportJoin,
    ReportMemberDay,
    ReportMemberStore,
    ReportMemberTotal,
    ReportOrderDay,
    ReportPurchaseDay,
    ReportStageDay,
    ReportStoreDay,
    ReportStorePoints,
    Store,
    StoreRegion,
)
from posloyalty.hq.purchase_rollup import MAX_ORDER
from posloyalty.hq.rollup import refresh

__all__ = ["REPORTS", "Scope", "Table", "run_report"]


@dataclass(frozen=True, slots=True)
class Scope:
    """From ``start`` to ``end`` inclusive (UTC days); ``stores``: None for the chain;
    ``tier`` and ``channel``: only members of that tier (as the jobs last computed it) or who
    joined that way (None: all); ``region``: see below."""

    start: dt.date
    end: dt.date
    stores: frozenset[str] | None = None
    tier: str | None = None
    channel: str | None = None
    #: Only this region: sales and points at a store while it was in the region (by UTC day,
    #: ``store_regions``), members whose home store is in it now.
    region: str | None = None

    @property
    def chain_wide(self) -> bool:
        """Whether every store counts (no store or region filter)."""
        return self.stores is None and self.region is None

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


def _in_scope(scope: Scope) -> list[Any]:
    """Members (not merged) registered before the scope's end, at its stores."""
    where = [Member.merged_into.is_(None), Member.registered_at < scope.until]
    if scope.stores is not None:
        where.append(Member.home_store.in_(scope.stores))
    if scope.region is not None:
        where.append(Member.home_store.in_(select(Store.id).where(Store.region == scope.region)))
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


def _key_filters(table: Any, scope: Scope, *, stores: bool = True) -> list[Any]:
    """The scope's store, tier and channel conditions on a member rollup's key."""
    where: list[Any] = []
    if stores and scope.stores is not None:
        where.append(table.store_id.in_(scope.stores))
    if scope.tier is not None:
        where.append(table.tier == scope.tier)
    if scope.channel is not None:
        where.append(table.channel == scope.channel)
    return where


def _joins_by(session: Session, scope: Scope, column: str, *, period: bool) -> dict[Any, int]:
    """Members (not merged) of the scope by a key column of rollup ``report_joins``:
    who joined in the period, or (``period`` False) who joined before its end: all-time totals
    (``report_member_totals``) less the joins after the end."""
    j, t = ReportJoin, ReportMemberTotal
    parts: Any
    if period:
        parts = select(getattr(j, column).label("k"), j.members.label("n")).where(
            j.day >= scope.start, j.day <= scope.end, *_key_filters(j, scope)
        )
    else:
        totals = select(getattr(t, column).label("k"), t.members.label("n")).where(
            *_key_filters(t, scope)
        )
        later = select(getattr(j, column).label("k"), (-j.members).label("n")).where(
            j.day > scope.end, *_key_filters(j, scope)
        )
        parts = totals.union_all(later)
    sub = parts.subquery()
    total = func.sum(sub.c.n)
    return {
        k: int(n)
        for k, n in session.execute(select(sub.c.k, total).group_by(sub.c.k).having(total != 0))
    }


def members_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    total = sum(_joins_by(session, scope, "tier", period=False).values())
    per_month: dict[str, int] = defaultdict(int)
    for day, n in _joins_by(session, scope, "day", period=True).items():
        per_month[_month(_as_date(day))] += n
    joined = sum(per_month.values())
    before = total - joined
    return Table(
        ["month", "joined"],
        [[m, n] for m, n in sorted(per_month.items())],
        # No members at the start: growth has no base ("-"), not 0%.
        {
            "members": total,
            "joined": joined,
            "growth_pct": _pct(joined, before) if before else "-",
        },
        bar=1,
    )


def _as_date(day: dt.date | str) -> dt.date:
    return day if isinstance(day, dt.date) else dt.date.fromisoformat(day)


def joins_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    counts = {k or "-": n for k, n in _joins_by(session, scope, "store_id", period=True).items()}
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return Table(
        ["store", "joined"], [[s, n] for s, n in ranked], {"joined": sum(counts.values())}, bar=1
    )


def joins_channel_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    counts = {k or "-": n for k, n in _joins_by(session, scope, "channel", period=True).items()}
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
    counts = {k or "-": n for k, n in _joins_by(session, scope, "tier", period=False).items()}
    members = sum(counts.values())
    rules = active_rules(session)
    order = [*(rules.tiers.ids() if rules else ()), "-"]
    keys = sorted(counts, key=lambda k: (order.index(k) if k in order else len(order), k))
    growth = _growth_counts(session, scope)
    return Table(
        ["tier", "members", "share_pct"],
        [[k, counts[k], _pct(counts[k], members)] for k in keys],
        {
            "members": members,
            "suggested_60_30_10": f"{_top_share(growth, 40)} / {_top_share(growth, 10)}",
            "suggested_top_20": _top_share(growth, 20, buyers=True),
        },
        bar=1,
    )


def _growth_counts(session: Session, scope: Scope) -> dict[int, int]:
    """The scope's members (registered before its end) by growth. Chain-wide: rollup
    ``report_growth`` less the members registered after the end; for some stores: their
    members (``members.home_store`` index)."""
    growth = func.coalesce(Member.state["growth"].as_integer(), 0)
    if scope.stores is not None:
        rows = session.execute(
            select(growth, func.count()).where(*_in_scope(scope)).group_by(growth)
        )
        return {int(g): int(n) for g, n in rows}
    g = ReportGrowth
    totals = select(g.growth.label("g"), g.members.label("n")).where(
        *_key_filters(g, scope, stores=False)
    )
    later = (
        select(growth.label("g"), (-func.count()).label("n"))
        .where(
            Member.merged_into.is_(None),
            Member.registered_at >= scope.until,
            *_member_filters(scope),
        )
        .group_by(growth)
    )
    sub = totals.union_all(later).subquery()
    total = func.sum(sub.c.n)
    rows = session.execute(select(sub.c.g, total).group_by(sub.c.g).having(total != 0))
    return {int(g): int(n) for g, n in rows}


def _ceil_percent(n: int, percent: int) -> int:
    """``percent`` % of ``n``, rounded up, in integers (15 x 0.2 in floats rounds up to 4)."""
    return -(-n * percent // 100)


def _top_share(growth: dict[int, int], percent: int, *, buyers: bool = False) -> int:
    """The least growth among the top ``percent`` % of the members counted in ``growth``
    (growth -> members; rounded up; only those with growth when ``buyers``; 0 when none): a threshold
    that many members reach."""
    counts = {g: n for g, n in growth.items() if g > 0 or not buyers}
    n = sum(counts.values())
    if not n:
        return 0
    rank = _ceil_percent(n, percent)
    seen = 0
    for value in sorted(counts, reverse=True):
        seen += counts[value]
        if seen >= rank:
            return value
    return 0


def _region_spans(session: Session, region: str) -> list[tuple[str, dt.date, dt.date | None]]:
    """(store, first day, last day or None: still) of each stay of a store in ``region``
    (``store_regions``; a store in it with no recorded history: all along)."""
    spans = []
    rows = session.execute(
        select(StoreRegion.store_id, StoreRegion.since, StoreRegion.region).order_by(
            StoreRegion.store_id, StoreRegion.since
        )
    )
    for store, stays in itertools.groupby(rows, key=lambda r: r[0]):
        changes = list(stays)
        for (_, since, where), after in itertools.zip_longest(changes, changes[1:]):
            if where == region:
                last = None if after is None else after[1] - dt.timedelta(days=1)
                spans.append((str(store), since, last))
    recorded = select(StoreRegion.store_id)
    for store in session.scalars(
        select(Store.id).where(Store.region == region, Store.id.not_in(recorded))
    ):
        spans.append((store, dt.date.min, None))
    return spans


def _at_stores(session: Session, scope: Scope, store: Any, day: Any, first: dt.date) -> list[Any]:
    """Conditions on a store-day rollup's ``store`` and ``day`` columns for the scope's stores
    and region (the region the store was in on that day), for days from ``first`` to the
    scope's end."""
    where = []
    if scope.stores is not None:
        where.append(store.in_(scope.stores))
    if scope.region is not None:
        spans = _region_spans(session, scope.region)
        whole = [s for s, lo, hi in spans if lo <= first and (hi is None or hi >= scope.end)]
        parts = [store.in_(whole)] if whole else []
        for s, lo, hi in spans:
            if s not in whole:
                parts.append(and_(store == s, day >= lo, day <= (hi or dt.date.max)))
        where.append(or_(*parts) if parts else false())
    return where


def _store_days(session: Session, scope: Scope, *columns: str) -> Any:
    """Sums of store-day figures over the scope's days and stores: rollup ``report_days`` for
    the whole chain, ``report_store_days`` for some stores."""
    if scope.by_member:
        raise BadRequest("sales and points flows are kept per store and day: no tier or channel")
    d: Any = ReportDay if scope.chain_wide else ReportStoreDay
    where = [d.day >= scope.start, d.day <= scope.end]
    if not scope.chain_wide:
        where += _at_stores(session, scope, d.store_id, d.day, scope.start)
    return session.execute(
        select(*(func.coalesce(func.sum(getattr(d, c)), 0) for c in columns)).where(*where)
    ).one()


def _outstanding(session: Session, scope: Scope) -> int:
    """The sum of every entry before the scope's end at its stores: the all-time net points
    per store (``report_store_points``) less the days after the end (``report_days``, or
    ``report_store_days`` for some stores); for a region, its stores' days up to the end."""
    if scope.region is not None:
        s = ReportStoreDay
        where = _at_stores(session, scope, s.store_id, s.day, dt.date.min)
        query = select(func.coalesce(func.sum(s.net_points), 0)).where(s.day <= scope.end, *where)
        return int(session.scalar(query) or 0)
    t = ReportStorePoints
    d: Any = ReportDay if scope.stores is None else ReportStoreDay
    totals = select(t.net_points.label("n"))
    later = select((-d.net_points).label("n")).where(d.day > scope.end)
    if scope.stores is not None:
        totals = totals.where(t.store_id.in_(scope.stores))
        later = later.where(d.store_id.in_(scope.stores))
    sub = totals.union_all(later).subquery()
    return int(session.scalar(select(func.coalesce(func.sum(sub.c.n), 0))) or 0)


def member_share_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    total, members = (int(v) for v in _store_days(session, scope, "sales_fen", "member_sales_fen"))
    return Table(
        ["sales", "yuan"],
        [["all_sales", _yuan(total)], ["member_sales", _yuan(members)]],
        {"member_share_pct": _pct(members, total)},
    )


def points_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    flows = ("issued", "redeemed", "expired", "reversed", "deducted")
    values = [int(v) for v in _store_days(session, scope, *flows)]
    outstanding = _outstanding(session, scope)
    rules = active_rules(session)
    liability = int(rules.points.points_value(outstanding)) if rules and outstanding > 0 else 0
    return Table(
        ["flow", "points"],
        [*([f, v] for f, v in zip(flows, values, strict=True)), ["outstanding", outstanding]],
        {"outstanding": outstanding, "liability_yuan": _yuan(liability)},
        bar=1,
    )


def _period_members(session: Session, scope: Scope) -> Any:
    """Per member (aliases resolved) in the scope's period and stores, as a subquery: ``n``
    purchases, ``spend`` net spend, ``last`` last purchase (rollup ``report_buyer_days``)."""
    b = ReportBuyerDay
    query = select(
        b.member_id.label("m"),
        func.sum(b.orders).label("n"),
        func.sum(b.spend_fen).label("spend"),
        func.max(b.last_order_at).label("last"),
    ).where(
        b.day >= scope.start,
        b.day <= scope.end,
        *_key_filters(b, scope, stores=False),
        *_at_stores(session, scope, b.store_id, b.day, scope.start),
    )
    return query.group_by(b.member_id).subquery()


def _days_before(session: Session, scope: Scope, last: Any) -> tuple[Any, Callable[[Any], int]]:
    """A grouping key for an instant before the scope's end and how it turns into whole days
    from the instant to the end (``(until - last).days``). PostgreSQL: the UTC day of the
    instant less a microsecond (few keys); SQLite: the instant itself."""
    if session.get_bind().dialect.name == "postgresql":
        key = func.date(func.timezone("UTC", last - literal_column("interval '1 microsecond'")))
        return key, lambda day: (scope.end - day).days
    return last, lambda at: (scope.until - at).days


def rfm_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    rules = lifecycle_rules(session)
    per = _period_members(session, scope)
    key, to_days = _days_before(session, scope, per.c.last)
    groups = session.execute(
        select(key, per.c.n, func.count(), func.sum(per.c.spend))
        .where(per.c.n > 0, per.c.last.is_not(None))  # only returns: not a buyer
        .group_by(key, per.c.n)
    )
    grid: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for when, n, members, spend in groups:
        scores = lifecycle.rfm_scores(rules, to_days(when), int(n), Fen(0))
        cell = grid[(scores.recency, scores.frequency)]
        cell[0] += int(members)
        cell[1] += int(spend)
    rows = [[r, f, n, _yuan(spend)] for (r, f), (n, spend) in sorted(grid.items(), reverse=True)]
    return Table(
        ["recency_score", "frequency_score", "members", "spend_yuan"],
        rows,
        {"buyers": sum(n for n, _ in grid.values())},
        bar=2,
    )


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


def _span_buyers(
    session: Session, scope: Scope, spans: list[tuple[dt.date, dt.date]], pairs: list[int]
) -> tuple[list[int], list[int], int]:
    """Buyers (aliases resolved, scope's stores and filters) of each span of days ``[lo, hi)``;
    for each ``i`` in ``pairs``, buyers of span ``i`` who bought in span ``i + 1`` too; and
    buyers of span 0 with 2+ purchases in it. One grouped query over the spans' member-days."""
    d = ReportMemberDay
    per = (
        select(
            *(
                func.sum(case((and_(d.day >= lo, d.day < hi), d.orders), else_=0)).label(f"n{i}")
                for i, (lo, hi) in enumerate(spans)
            )
        )
        .join(MemberAlias, MemberAlias.alias == d.member_ref)
        .where(
            d.day >= min(lo for lo, _ in spans), d.day < max(hi for _, hi in spans), d.orders > 0
        )
        .group_by(MemberAlias.member_id)
    )
    if scope.stores is not None:
        per = per.where(d.store_id.in_(scope.stores))
    if scope.by_member:
        per = per.where(MemberAlias.member_id.in_(_filtered_members(scope)))
    sub = per.subquery()
    n = [sub.c[f"n{i}"] for i in range(len(spans))]

    def count(*conditions: Any) -> Any:
        return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)

    row = session.execute(
        select(
            *(count(c > 0) for c in n),
            *(count(n[i] > 0, n[i + 1] > 0) for i in pairs),
            count(n[0] >= 2),
        )
    ).one()
    values = [int(v) for v in row]
    return values[: len(spans)], values[len(spans) : -1], values[-1]


def _month_number(day: dt.date) -> int:
    """Months since year 0, as ``hq.purchase_rollup`` keys them."""
    return day.year * 12 + day.month - 1


def _buyer_key(table: Any, scope: Scope) -> list[Any]:
    """The scope's tier and channel conditions on a buyer rollup's key."""
    return _key_filters(table, scope, stores=False)


def _period_buyers(session: Session, scope: Scope) -> tuple[int, int]:
    """Chain-wide buyers in the period and those of them with 2+ purchases in it: members
    whose first purchase day in the period follows none in it (``report_buyer_months`` for
    whole months, ``report_purchase_days`` for any days)."""
    if scope.start.day == 1 and (scope.end + dt.timedelta(days=1)).day == 1:
        m = ReportBuyerMonth
        first, last = _month_number(scope.start), _month_number(scope.end)
        where = [m.month >= first, m.month <= last, m.prev_month < first, *_buyer_key(m, scope)]
        again = or_(m.multi == 1, m.next_month <= last)
        row = session.execute(
            select(
                func.coalesce(func.sum(m.members), 0),
                func.coalesce(func.sum(m.members).filter(again), 0),
            ).where(*where)
        ).one()
    else:
        b = ReportPurchaseDay
        where = [
            b.day >= scope.start,
            b.day <= scope.end,
            or_(b.prev_day.is_(None), b.prev_day < scope.start),
            *_buyer_key(b, scope),
        ]
        again = or_(b.orders >= 2, b.next_day <= scope.end)
        row = session.execute(select(func.count(), func.count().filter(again)).where(*where)).one()
    return int(row[0]), int(row[1])


def _bought_again(session: Session, scope: Scope, first: int, months: int) -> tuple[int, int]:
    """Chain-wide buyers of the ``months`` months from month number ``first`` and those of
    them who bought in the as many months right after (``report_buyer_months``: each buyer's
    last month with purchases in the span, and the month of the next one)."""
    m = ReportBuyerMonth
    after = first + months
    row = session.execute(
        select(
            func.coalesce(func.sum(m.members), 0),
            func.coalesce(func.sum(m.members).filter(m.next_month < after + months), 0),
        ).where(m.month >= first, m.month < after, m.next_month >= after, *_buyer_key(m, scope))
    ).one()
    return int(row[0]), int(row[1])


def _chain_order_counts(session: Session, scope: Scope) -> dict[int, int]:
    """Chain-wide members with at least x purchases up to the scope's end, x = 1..5
    (``report_order_days``: members per day of their x-th purchase)."""
    o = ReportOrderDay
    return {
        int(x): int(n)
        for x, n in session.execute(
            select(o.x, func.sum(o.members))
            .where(o.day <= scope.end, *_buyer_key(o, scope))
            .group_by(o.x)
        )
    }


def repurchase_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    last_month = _month_start(scope.end).date()
    q_start = _month_start(scope.end, (scope.end.month - 1) % 3).date()
    if scope.stores is None:
        buyers_n, repeat = _period_buyers(session, scope)
        month = _bought_again(session, scope, _month_number(last_month) - 1, 1)
        quarter = _bought_again(session, scope, _month_number(q_start) - 3, 3)
        buyers = [buyers_n, month[0], quarter[0]]
        again = [month[1], quarter[1]]
        at_least = _chain_order_counts(session, scope)
    else:
        spans = [
            (scope.start, scope.end + dt.timedelta(days=1)),
            (_month_start(scope.end, 1).date(), last_month),
            (last_month, _month_start(scope.end, -1).date()),
            (_month_start(q_start, 3).date(), q_start),
            (q_start, _month_start(q_start, -3).date()),
        ]
        per_span, again, repeat = _span_buyers(session, scope, spans, [1, 3])
        buyers = [per_span[0], per_span[1], per_span[3]]
        counts = _order_counts(session, scope)
        at_least = {x: sum(k for n, k in counts.items() if n >= x) for x in range(1, MAX_ORDER + 1)}
    rows = [
        ["period", buyers[0], repeat, _pct(repeat, buyers[0])],
        ["next_month", buyers[1], again[0], _pct(again[0], buyers[1])],
        ["next_quarter", buyers[2], again[1], _pct(again[1], buyers[2])],
    ]
    for x in range(1, MAX_ORDER):
        with_x, more = at_least.get(x, 0), at_least.get(x + 1, 0)
        rows.append([f"order_{x}", with_x, more, _pct(more, with_x)])
    return Table(
        ["basis", "buyers", "bought_again", "rate_pct"],
        rows,
        {"repurchase_pct": _pct(repeat, buyers[0])},
        bar=3,
    )


def _month_of(session: Session, column: Any) -> Any:
    """``YYYY-MM`` of a date or (UTC) instant column, as SQL."""
    if session.get_bind().dialect.name == "postgresql":
        if isinstance(column.type, Date):
            return func.to_char(column, "YYYY-MM")
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _cohort_buyers(session: Session, scope: Scope) -> dict[tuple[str, int], int]:
    """Members who joined in the period by (month of joining, month number they bought in,
    the month of joining and the five after). Chain-wide: ``report_cohort_buys``; for some
    stores, members of those home stores and their purchases at those stores (member days)."""
    if scope.stores is None:
        c = ReportCohortBuy
        rows = session.execute(
            select(c.joined, c.month, func.sum(c.members))
            .where(c.joined >= scope.start, c.joined <= scope.end, *_buyer_key(c, scope))
            .group_by(c.joined, c.month)
        )
        bought: dict[tuple[str, int], int] = defaultdict(int)
        for day, month, n in rows:
            bought[(_month(_as_date(day)), int(month))] += int(n)
        return bought
    joined = [*_in_scope(scope), Member.registered_at >= scope.since]
    cohort = _month_of(session, Member.registered_at)
    d = ReportMemberDay
    month = _month_of(session, d.day)
    # Months 0..5 after a cohort month of the period: from the first's start to the 6th month
    # after the last's end.
    query = (
        select(cohort, month, func.count(func.distinct(Member.id)))
        .select_from(d)
        .join(MemberAlias, MemberAlias.alias == d.member_ref)
        .join(Member, Member.id == MemberAlias.member_id)
        .where(
            *joined,
            d.store_id.in_(scope.stores),
            d.day >= _month_start(scope.start).date(),
            d.day < _month_start(scope.end, -6).date(),
            d.orders > 0,
        )
        .group_by(cohort, month)
    )
    return {
        (str(c), _month_number(dt.date.fromisoformat(f"{m}-01"))): int(n)
        for c, m, n in session.execute(query)
    }


def cohorts_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    sizes: dict[str, int] = defaultdict(int)
    for day, n in _joins_by(session, scope, "day", period=True).items():
        sizes[_month(_as_date(day))] += n
    bought = _cohort_buyers(session, scope)
    rows = []
    for month_key, size in sorted(sizes.items()):
        if not size:
            continue
        first = _month_number(dt.date.fromisoformat(month_key + "-01"))
        shares = [_pct(bought.get((month_key, first + k), 0), size) for k in range(6)]
        rows.append([month_key, size, *shares])
    return Table(["cohort", "members", "m0", "m1", "m2", "m3", "m4", "m5"], rows)


def concentration_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    per = _period_members(session, scope)
    # Buyers grouped by net spend, ranked from the highest: the top fifth (rounded up) takes
    # whole groups while they fit and the rest of it from the next; in SQL, one row back.
    groups = (
        select(per.c.spend.label("spend"), func.count().label("k"))
        .where(per.c.n > 0)
        .group_by(per.c.spend)
        .subquery()
    )
    ranked = select(
        groups.c.spend,
        groups.c.k,
        cast(func.sum(groups.c.k).over(order_by=groups.c.spend.desc()), BigInteger).label("upto"),
        cast(func.sum(groups.c.k).over(), BigInteger).label("buyers"),
    ).subquery()
    top_n = (ranked.c.buyers * 20 + 99) // 100  # _ceil_percent(buyers, 20) in SQL integers
    above = ranked.c.upto - ranked.c.k
    took = case((above >= top_n, 0), (ranked.c.upto <= top_n, ranked.c.k), else_=top_n - above)
    count, total, top_spend = (
        int(v or 0)
        for v in session.execute(
            select(
                func.max(ranked.c.buyers),
                func.sum(ranked.c.spend * ranked.c.k),
                func.sum(ranked.c.spend * took),
            )
        ).one()
    )
    top = _ceil_percent(count, 20)
    return Table(
        ["group", "buyers", "spend_yuan", "share_pct"],
        [
            ["top_20", top, _yuan(top_spend), _pct(top_spend, total)],
            [
                "other_80",
                count - top,
                _yuan(total - top_spend),
                _pct(total - top_spend, total),
            ],
        ],
        {"top_20_share_pct": _pct(top_spend, total)},
        bar=3,
    )


def _stages(session: Session, scope: Scope, family: str) -> dict[str, int]:
    """Members of the scope by lifecycle stage (``family`` "s") or dormant segment ("d") at
    the end of its last day (``hq.stages``). The whole chain: the sum of rollup
    ``report_stage_days`` up to that day; some stores or a region: their members
    (``members.home_store`` index) from their purchases there (``report_buyer_days``)."""
    if scope.chain_wide:
        g = ReportStageDay
        rows = session.execute(
            select(g.name, func.sum(g.delta))
            .where(g.day <= scope.end, g.family == family, *_key_filters(g, scope, stores=False))
            .group_by(g.name)
        )
        return {str(name): int(n) for name, n in rows if n}
    rules = lifecycle_rules(session)
    members = select(Member.id).where(*_in_scope(scope))
    b = ReportBuyerDay
    rows = session.execute(
        select(b.member_id, b.day, func.sum(b.orders), func.max(b.last_order_at))
        .where(
            b.member_id.in_(members),
            *_at_stores(session, scope, b.store_id, b.day, dt.date.min),
            b.day <= scope.end,
            b.orders > 0,
        )
        .group_by(b.member_id, b.day)
        .order_by(b.member_id, b.day)
    )
    counts: dict[str, int] = defaultdict(int)
    bought = 0
    for _, group in itertools.groupby(rows, key=lambda r: r[0]):
        state = stages.state_at(rules, purchase_days(r[1:] for r in group), scope.end)
        name = state[0] if family == "s" else state[1]
        if name is not None:
            counts[name] += 1
        bought += 1
    never = int(session.scalar(select(func.count()).select_from(members.subquery())) or 0) - bought
    counts["introduction" if family == "s" else stages.NEVER] += never
    return dict(counts)


def dormant_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    bounds = lifecycle_rules(session).dormant_segments
    names = (
        [f"{lo}-{hi}" for lo, hi in itertools.pairwise(bounds)] + [f"{bounds[-1]}+"]
        if bounds
        else []
    )
    counts = _stages(session, scope, "d")
    return Table(
        ["days_without_purchase", "members"],
        [[k, counts.get(k, 0)] for k in [*names, stages.NEVER]],
        bar=1,
    )


def lifecycle_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    counts = _stages(session, scope, "s")
    members = sum(counts.values())
    rows = [
        [k, counts.get(k, 0), _pct(counts.get(k, 0), members)] for k in get_args(lifecycle.Stage)
    ]
    return Table(["stage", "members", "share_pct"], rows, {"members": members}, bar=1)


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
    if scope.region is not None and name not in _BY_DAY_REGION:
        # These read members by home store (or, repurchase and cohorts, purchases by store
        # without the day's region yet): the region's stores as they are now.
        now = set(session.scalars(select(Store.id).where(Store.region == scope.region)))
        stores = frozenset(now if scope.stores is None else now & scope.stores)
        scope = replace(scope, stores=stores, region=None)
    return REPORTS[name](session, scope, at)


#: Reports that count a store's days in the region it was in on that day.
_BY_DAY_REGION = frozenset(
    {"member_share", "points", "rfm", "concentration", "lifecycle", "dormant"}
)

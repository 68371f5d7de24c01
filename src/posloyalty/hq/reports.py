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
from dataclasses import dataclass, field
from typing import Any, get_args

from sqlalchemy import Date, and_, case, func, literal_column, or_, select
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
    ReportBuyerMonth,
    ReportCohortBuy,
    ReportGrowth,
    ReportJoin,
    ReportMemberDay,
    ReportMemberStore,
    ReportMemberTotal,
    ReportOrderDay,
    ReportPurchaseDay,
    ReportStoreDay,
    ReportStorePoints,
)
from posloyalty.hq.purchase_rollup import MAX_ORDER
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


def _store_days(session: Session, scope: Scope, *columns: Any) -> Any:
    """Sums of rollup ``report_store_days`` columns over the scope's days and stores."""
    if scope.by_member:
        raise BadRequest("sales and points flows are kept per store and day: no tier or channel")
    d = ReportStoreDay
    where = [d.day >= scope.start, d.day <= scope.end]
    if scope.stores is not None:
        where.append(d.store_id.in_(scope.stores))
    return session.execute(
        select(*(func.coalesce(func.sum(c), 0) for c in columns)).where(*where)
    ).one()


def _outstanding(session: Session, scope: Scope) -> int:
    """The sum of every entry before the scope's end at its stores: the all-time net points
    per store (``report_store_points``) less the days after the end (``report_store_days``)."""
    t, d = ReportStorePoints, ReportStoreDay
    totals = select(t.net_points.label("n"))
    later = select((-d.net_points).label("n")).where(d.day > scope.end)
    if scope.stores is not None:
        totals = totals.where(t.store_id.in_(scope.stores))
        later = later.where(d.store_id.in_(scope.stores))
    sub = totals.union_all(later).subquery()
    return int(session.scalar(select(func.coalesce(func.sum(sub.c.n), 0))) or 0)


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
    outstanding = _outstanding(session, scope)
    rules = active_rules(session)
    liability = int(rules.points.points_value(outstanding)) if rules and outstanding > 0 else 0
    return Table(
        ["flow", "points"],
        [*([f, v] for f, v in zip(flows, values, strict=True)), ["outstanding", outstanding]],
        {"outstanding": outstanding, "liability_yuan": _yuan(liability)},
        bar=1,
    )


def _lifecycle_rules(session: Session) -> LifecycleRules:
    rules = active_rules(session)
    return rules.lifecycle if rules is not None else LifecycleRules()


def _period_members(session: Session, scope: Scope) -> Any:
    """Per member (aliases resolved) in the scope's period and stores, as a subquery: ``n``
    purchases, ``spend`` net spend, ``last`` last purchase (rollup ``report_member_days``)."""
    d = ReportMemberDay
    query = (
        select(
            MemberAlias.member_id.label("m"),
            func.sum(d.orders).label("n"),
            func.sum(d.spend_fen).label("spend"),
            func.max(d.last_order_at).label("last"),
        )
        .join(MemberAlias, MemberAlias.alias == d.member_ref)
        .where(d.day >= scope.start, d.day <= scope.end)
    )
    if scope.stores is not None:
        query = query.where(d.store_id.in_(scope.stores))
    if scope.by_member:
        query = query.where(MemberAlias.member_id.in_(_filtered_members(scope)))
    return query.group_by(MemberAlias.member_id).subquery()


def _days_before(session: Session, scope: Scope, last: Any) -> tuple[Any, Callable[[Any], int]]:
    """A grouping key for an instant before the scope's end and how it turns into whole days
    from the instant to the end (``(until - last).days``). PostgreSQL: the UTC day of the
    instant less a microsecond (few keys); SQLite: the instant itself."""
    if session.get_bind().dialect.name == "postgresql":
        key = func.date(func.timezone("UTC", last - literal_column("interval '1 microsecond'")))
        return key, lambda day: (scope.end - day).days
    return last, lambda at: (scope.until - at).days


def rfm_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    rules = _lifecycle_rules(session)
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
    buyers = select(per.c.spend).where(per.c.n > 0).subquery()
    count, total = session.execute(
        select(func.count(), func.coalesce(func.sum(buyers.c.spend), 0))
    ).one()
    count, total = int(count), int(total)
    top = _ceil_percent(count, 20)
    best = select(buyers.c.spend).order_by(buyers.c.spend.desc()).limit(top).subquery()
    top_spend = int(session.scalar(select(func.coalesce(func.sum(best.c.spend), 0))) or 0)
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


@dataclass(frozen=True, slots=True)
class _Recent:
    """Scope members by their purchases of the last ``window`` days before the scope's end
    (``buyers``: groups of members alike for the stages below, each as purchase instants that
    give the same days since the last purchase and purchases in the last year, and how many
    members), how many ever bought before it, and how many there are."""

    buyers: list[tuple[list[dt.datetime], int]]
    ever: int
    members: int

    @property
    def recent(self) -> int:
        """Members who bought in the window."""
        return sum(n for _, n in self.buyers)


def _recent(session: Session, scope: Scope, window: int) -> _Recent:
    # Only the window's days are read: whoever bought before it and not in it has gone at
    # least ``window`` days without a purchase, which is all the stages below ask. The
    # window's member-days are grouped in SQL by member (last purchase, purchases within a
    # year of the end: the day's purchases count at its last one), then by those two.
    start = scope.end - dt.timedelta(days=window - 1)
    scoped = select(Member.id).where(*_in_scope(scope))
    d = ReportMemberDay
    year_ago = scope.until - lifecycle.YEAR
    per = (
        select(
            func.max(d.last_order_at).label("last"),
            func.coalesce(func.sum(d.orders).filter(d.last_order_at > year_ago), 0).label("year"),
        )
        .join(MemberAlias, MemberAlias.alias == d.member_ref)
        .where(d.day >= start, d.day <= scope.end, d.orders > 0, MemberAlias.member_id.in_(scoped))
        .group_by(MemberAlias.member_id)
    )
    if scope.stores is not None:
        per = per.where(d.store_id.in_(scope.stores))
    sub = per.subquery()
    key, to_days = _days_before(session, scope, sub.c.last)
    buyers = []
    for when, year, n in session.execute(
        select(key, sub.c.year, func.count()).group_by(key, sub.c.year)
    ):
        # An instant as many whole days before the end (within a year iff ``year`` > 0).
        last = scope.until - dt.timedelta(days=to_days(when), microseconds=1)
        buyers.append(([last] * max(int(year), 1), int(n)))
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
    return _Recent(buyers, int(session.scalar(ever) or 0), members)


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
    for purchases, n in recent.buyers:
        bucket = lifecycle.dormant_bucket(rules, (scope.until - max(purchases)).days)
        if bucket is not None:
            counts[bucket] += n
    if names:
        counts[names[-1]] += recent.ever - recent.recent
    counts["never"] = recent.members - recent.ever
    return Table(["days_without_purchase", "members"], [[k, v] for k, v in counts.items()], bar=1)


def lifecycle_report(session: Session, scope: Scope, _at: dt.datetime) -> Table:
    rules = _lifecycle_rules(session)
    window = 1 + max(lifecycle.YEAR.days, rules.dormant_after_days, rules.pre_churn_within_days)
    recent = _recent(session, scope, window)
    stages: dict[str, int] = dict.fromkeys(get_args(lifecycle.Stage), 0)
    for purchases, n in recent.buyers:
        seg = lifecycle.segment(
            rules, registered_at=scope.until, purchases=purchases, at=scope.until
        )
        stages[seg.stage] += n
    # Bought, but not in the window: more than a year without a purchase.
    stages["dormant"] += recent.ever - recent.recent
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

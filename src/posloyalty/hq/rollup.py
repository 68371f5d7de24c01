"""Report rollups: aggregates the reports read (``hq.reports``), kept up to date incrementally.

Insert triggers queue every new ledger entry and sale in ``report_pending``; :func:`refresh`
claims what is queued (a batch number, so rows committed meanwhile wait for the next one),
adds their sums into the rollup tables with one grouped upsert per table, and drops the claim.
Its cost grows with the events since the last refresh, never with history. :func:`rebuild`
recomputes every rollup from all entries and sales (the reference a test compares against).

- ``report_store_days`` (UTC day, store): sales, member sales, points issued / redeemed /
  expired / reversed / deducted / net (definitions in ``hq.reports``);
- ``report_member_days`` (member reference, UTC day, store): purchases, net spend, last
  purchase;
- ``report_member_stores`` (member reference, store): purchases, first purchase;
- ``report_days`` (UTC day): the store-day figures of the whole chain;
- ``report_store_points`` (store): net points, all time;
- ``report_joins`` (UTC day of registration, home store, tier, channel): members;
- ``report_member_totals`` (home store, tier, channel): members, all time;
- ``report_growth`` (tier, channel, growth): members, all time, every store.

The member rollups count members not merged, under the key the jobs last left them with ("" for
no store, tier or channel; growth 0 when missing): triggers on ``members`` (migration 0010) queue
-1 under a member's old key and +1 under its new one in ``report_member_deltas`` whenever the key
changes (a join, a tier or growth the jobs recompute, a merge), and :func:`refresh` folds them in.
(A per-cashier join count would add a ``cashier`` column to that key and to ``report_joins``.)

Member references are kept as written in ``report_member_days`` (a merged member's aliases
resolve when a report reads). Two rollups keyed by the resolved member are refreshed and
rebuilt after these, from the member-day rollup: ``hq.buyers`` (``report_buyer_days``,
``report_stage_days``: RFM, 80/20, lifecycle, dormant) and ``hq.purchase_rollup``
(repurchase and cohorts), each recomputing only the members a refresh touched.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, case, delete, func, literal, select, text, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from posloyalty.hq import buyers, purchase_rollup
from posloyalty.hq.buyers import utc_day
from posloyalty.hq.db import analyze
from posloyalty.hq.models import (
    LedgerEntry,
    ReportBuyerDay,
    ReportDay,
    ReportGrowth,
    ReportJoin,
    ReportMemberDay,
    ReportMemberDelta,
    ReportMemberStore,
    ReportMemberTotal,
    ReportPending,
    ReportStoreDay,
    ReportStorePoints,
    Sale,
)

__all__ = ["rebuild", "refresh", "utc_day"]

_FLOWS = ("issued", "redeemed", "expired", "reversed", "deducted", "net_points")


def _sum(expr: Any, *conditions: Any) -> Any:
    summed = func.sum(expr).filter(*conditions) if conditions else func.sum(expr)
    return func.coalesce(summed, 0)


def _sales_by_store(session: Session, source: Any, *, by_store: bool = True) -> Select[Any]:
    day = utc_day(session, Sale.at)
    zeros = [literal(0).label(name) for name in _FLOWS]
    keys = [day, Sale.store_id] if by_store else [day]
    return (
        select(
            day.label("day"),
            *keys[1:],
            _sum(Sale.total_fen).label("sales_fen"),
            _sum(Sale.total_fen, Sale.member_ref.is_not(None)).label("member_sales_fen"),
            *zeros,
        )
        .where(source)
        .group_by(*keys)
    )


def _points_by_store(session: Session, source: Any, *, by_store: bool = True) -> Select[Any]:
    e = LedgerEntry
    day = utc_day(session, e.at)
    store = func.coalesce(e.store_id, "")
    keys = [day, store] if by_store else [day]
    return (
        select(
            day.label("day"),
            *(k.label("store_id") for k in keys[1:]),
            literal(0).label("sales_fen"),
            literal(0).label("member_sales_fen"),
            _sum(e.points, e.kind.in_(("earn", "bonus", "adjust")), e.points > 0).label("issued"),
            (-_sum(e.points, e.kind == "redeem")).label("redeemed"),
            (-_sum(e.points, e.kind == "expire")).label("expired"),
            _sum(e.points, e.kind == "reverse").label("reversed"),
            (-_sum(e.points, e.kind == "adjust", e.points < 0)).label("deducted"),
            _sum(e.points).label("net_points"),
        )
        .where(source)
        .group_by(*keys)
    )


def _points_per_store(source: Any) -> Select[Any]:
    e = LedgerEntry
    store = func.coalesce(e.store_id, "")
    return (
        select(store.label("store_id"), _sum(e.points).label("net_points"))
        .where(source)
        .group_by(store)
    )


def _member_days(session: Session, source: Any) -> Select[Any]:
    day = utc_day(session, Sale.at)
    order = Sale.original_sale_id.is_(None)
    return (
        select(
            Sale.member_ref,
            day.label("day"),
            Sale.store_id,
            _sum(case((order, 1), else_=0)).label("orders"),
            _sum(Sale.total_fen).label("spend_fen"),
            func.max(Sale.at).filter(order).label("last_order_at"),
        )
        .where(source, Sale.member_ref.is_not(None))
        .group_by(Sale.member_ref, day, Sale.store_id)
    )


def _member_stores(source: Any) -> Select[Any]:
    order = Sale.original_sale_id.is_(None)
    return (
        select(
            Sale.member_ref,
            Sale.store_id,
            _sum(case((order, 1), else_=0)).label("orders"),
            func.min(Sale.at).filter(order).label("first_order_at"),
        )
        .where(source, Sale.member_ref.is_not(None))
        .group_by(Sale.member_ref, Sale.store_id)
    )


def _later(old: Any, new: Any, *, latest: bool) -> Any:
    """The later (or earlier) of two nullable instants."""
    pick = new > old if latest else new < old
    return case((new.is_(None), old), (old.is_(None), new), (pick, new), else_=old)


def _upsert(
    session: Session,
    table: Any,
    query: Select[Any],
    keys: list[str],
    order: list[str] | None = None,
    *,
    keep: list[str] | None = None,
) -> None:
    """Add ``query``'s grouped rows into ``table``: sums added, instants kept latest / first,
    the ``keep`` columns of rows already there left as they are.
    Rows go in ``order`` (default: the keys) so that a rebuild lays each day's rows out
    together, as refreshes do with days arriving in turn."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # SQLite needs a WHERE in INSERT ... SELECT ... ON CONFLICT to parse it.
    names = [c.name for c in query.selected_columns]
    columns = {c.name: c for c in query.selected_columns}
    ordered = query.where(true()).order_by(*(columns[k] for k in order or keys))
    stmt = dialect.insert(table).from_select(names, ordered)
    new = stmt.excluded
    old = table.__table__.c
    sets: dict[str, Any] = {}
    for name in names:
        if name in keys or name in (keep or ()):
            continue
        if name == "last_order_at":
            sets[name] = _later(old[name], new[name], latest=True)
        elif name == "first_order_at":
            sets[name] = _later(old[name], new[name], latest=False)
        else:
            sets[name] = old[name] + new[name]
    session.execute(stmt.on_conflict_do_update(index_elements=keys, set_=sets))


def _add(session: Session, entries: Any, sales: Any) -> None:
    _upsert(session, ReportStoreDay, _sales_by_store(session, sales), ["day", "store_id"])
    _upsert(session, ReportStoreDay, _points_by_store(session, entries), ["day", "store_id"])
    _upsert(session, ReportDay, _sales_by_store(session, sales, by_store=False), ["day"])
    _upsert(session, ReportDay, _points_by_store(session, entries, by_store=False), ["day"])
    _upsert(session, ReportStorePoints, _points_per_store(entries), ["store_id"])
    _upsert(
        session,
        ReportMemberDay,
        _member_days(session, sales),
        ["member_ref", "day", "store_id"],
        ["day", "store_id", "member_ref"],
    )
    _upsert(session, ReportMemberStore, _member_stores(sales), ["member_ref", "store_id"])


def _fold_members(session: Session) -> int:
    """Fold the queued member changes into the member rollups; returns how many."""
    q = ReportMemberDelta
    batch = int(session.scalar(select(func.coalesce(func.max(q.batch), 0))) or 0) + 1
    result = session.execute(update(q).where(q.batch.is_(None)).values(batch=batch))
    claimed = int(result.rowcount)  # type: ignore[attr-defined]
    if not claimed:
        return 0
    for table, keys in (
        (ReportJoin, ["day", "store_id", "tier", "channel"]),
        (ReportMemberTotal, ["store_id", "tier", "channel"]),
        (ReportGrowth, ["tier", "channel", "growth"]),
    ):
        cols = [getattr(q, k) for k in keys]
        query = (
            select(*cols, func.sum(q.delta).label("members"))
            .where(q.batch == batch)
            .group_by(*cols)
        )
        _upsert(session, table, query, keys)
    session.execute(delete(q).where(q.batch == batch))
    return claimed


_MEMBER_KEY = {
    "postgresql": (
        "(registered_at AT TIME ZONE 'UTC')::date, coalesce(home_store, ''), "
        "coalesce(state->>'tier', ''), coalesce(channel, ''), "
        "CASE WHEN state->>'growth' ~ '^-?[0-9]{1,18}$' THEN (state->>'growth')::bigint "
        "ELSE 0 END"
    ),
    "sqlite": (
        "date(registered_at), coalesce(home_store, ''), "
        "coalesce(json_extract(state, '$.tier'), ''), coalesce(channel, ''), "
        "CASE WHEN typeof(json_extract(state, '$.growth')) = 'integer' "
        "THEN json_extract(state, '$.growth') ELSE 0 END"
    ),
}


def refresh(session: Session) -> int:
    """Fold the queued entries, sales and member changes into the rollups; returns how many
    events (entries and sales) and member changes."""
    events = _fold_events(session) + _fold_members(session)
    buyers.fold(session)
    purchase_rollup.refresh(session)  # reads the member-day rollup just refreshed
    return events


def _fold_events(session: Session) -> int:
    batch = int(session.scalar(select(func.coalesce(func.max(ReportPending.batch), 0))) or 0) + 1
    result = session.execute(
        update(ReportPending).where(ReportPending.batch.is_(None)).values(batch=batch)
    )
    claimed = result.rowcount  # type: ignore[attr-defined]
    if not claimed:
        return 0
    p = ReportPending
    entries = LedgerEntry.id.in_(select(p.ref).where(p.batch == batch, p.kind == "e"))
    sales = Sale.id.in_(select(p.ref).where(p.batch == batch, p.kind == "s"))
    _add(session, entries, sales)
    buyers.fold_sales(
        session,
        sales,
        lambda rows: _upsert(
            session,
            ReportBuyerDay,
            rows,
            ["member_id", "day", "store_id"],
            keep=["tier", "channel"],
        ),
    )
    session.execute(delete(ReportPending).where(ReportPending.batch == batch))
    return int(claimed)


def rebuild(session: Session) -> None:
    """Recompute every rollup from all entries and sales (and empty the queue)."""
    for table in (
        ReportStoreDay,
        ReportStorePoints,
        ReportMemberDay,
        ReportMemberStore,
        ReportPending,
        ReportJoin,
        ReportMemberTotal,
        ReportGrowth,
        ReportMemberDelta,
        ReportDay,
    ):
        session.execute(delete(table))
    _add(session, and_(true()), and_(true()))
    key = _MEMBER_KEY[session.get_bind().dialect.name]
    session.execute(
        text(
            "INSERT INTO report_member_deltas (day, store_id, tier, channel, growth, delta) "
            f"SELECT {key}, 1 FROM members WHERE merged_into IS NULL"
        )
    )
    _fold_members(session)
    analyze(
        session,
        ReportStoreDay,
        ReportStorePoints,
        ReportMemberDay,
        ReportMemberStore,
        ReportJoin,
        ReportMemberTotal,
        ReportGrowth,
        ReportDay,
    )
    buyers.rebuild(session)
    purchase_rollup.rebuild(session)

"""Member rollups keyed by the resolved member (``hq.rollup`` calls them; ``hq.reports`` reads
them), recomputed per member a refresh touched:

- ``report_buyer_days`` (member, UTC day, store): purchases, net spend, last purchase, with the
  member's tier and channel: ``report_member_days`` with the aliases resolved, so a period's
  buyers group by member without a join;
- ``report_stage_days`` (UTC day, stage or dormant segment, tier, channel): the change in
  members that day (``hq.stages``): a stage's members at the end of a day are the sum up to
  it, whatever the history before;
- ``report_buyers`` (member): the registration day, tier and channel the stage changes were
  counted with (to take a member's old changes back out).

New sales are folded in by :func:`fold_sales`: their rows added to ``report_buyer_days``, and
their members' stage changes under the purchases before taken out and under the purchases with
the new ones added. Triggers (migration 0012) queue a member in ``report_dirty_members`` when
its tier, channel, registration or merge changes, or an alias moves to or from it; :func:`fold`
claims the queue and, for those members, takes their stage changes out, recomputes their rows
from ``report_member_days``, and adds their new changes. Either way the cost grows with the
members touched, not with history. The stage changes depend on the lifecycle rules: when the
active rules' differ from those they were counted with, :func:`fold` recounts every member.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import Select, case, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from posloyalty.domain.rules import LifecycleRules
from posloyalty.hq import stages
from posloyalty.hq.bulk import one_of
from posloyalty.hq.db import BULK_ROWS, analyze
from posloyalty.hq.ledger import active_rules
from posloyalty.hq.models import (
    Member,
    MemberAlias,
    ReportBuyer,
    ReportBuyerDay,
    ReportDirtyMember,
    ReportMemberDay,
    ReportSetting,
    ReportStageDay,
    Sale,
)

__all__ = [
    "buyer_days",
    "day_key",
    "fold",
    "fold_sales",
    "lifecycle_rules",
    "purchase_days",
    "rebuild",
    "utc_day",
]

_STAGE_RULES = "stage_rules"
_CHUNK = 5000


def utc_day(session: Session, column: Any) -> Any:
    """The UTC day of an instant column, as SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)


def lifecycle_rules(session: Session) -> LifecycleRules:
    """The active rules' lifecycle windows (the defaults before any rules)."""
    rules = active_rules(session)
    return rules.lifecycle if rules is not None else LifecycleRules()


def day_key(last: dt.datetime) -> dt.date:
    """A purchase day's key (``hq.stages``): the UTC day of its last purchase less 1 µs."""
    return (last - dt.timedelta(microseconds=1)).astimezone(dt.UTC).date()


def purchase_days(rows: Iterable[Any]) -> list[stages.PurchaseDay]:
    """(day, orders, last purchase) rows in day order as purchase days (days without a
    purchase left out)."""
    return [
        stages.PurchaseDay(_as_date(day), day_key(last), int(n))
        for day, n, last in rows
        if n and last is not None
    ]


def _as_date(day: dt.date | str) -> dt.date:
    return day if isinstance(day, dt.date) else dt.date.fromisoformat(day)


def _tier() -> Any:
    return func.coalesce(Member.state["tier"].as_string(), "")


def _channel() -> Any:
    return func.coalesce(Member.channel, "")


def buyer_days(session: Session, sales: Any) -> Select[Any]:
    """The sales ``sales`` selects grouped as rows of ``report_buyer_days`` (resolved member,
    UTC day, store, the member's tier and channel): purchases, net spend, last purchase."""
    a, m = MemberAlias, Member
    day = utc_day(session, Sale.at)
    order = Sale.original_sale_id.is_(None)
    tier, channel = _tier(), _channel()
    keys = [a.member_id, day, Sale.store_id, tier, channel]
    return (
        select(
            a.member_id,
            day.label("day"),
            Sale.store_id,
            tier.label("tier"),
            channel.label("channel"),
            func.coalesce(func.sum(case((order, 1), else_=0)), 0).label("orders"),
            func.coalesce(func.sum(Sale.total_fen), 0).label("spend_fen"),
            func.max(Sale.at).filter(order).label("last_order_at"),
        )
        .select_from(Sale)
        .join(a, a.alias == Sale.member_ref)
        .join(m, m.id == a.member_id)
        .where(sales)
        .group_by(*keys)
    )


def fold_sales(session: Session, sales: Any, add: Callable[[Select[Any]], None]) -> None:
    """Fold the sales ``sales`` selects into ``report_buyer_days`` (``add`` upserts the rows
    of the query it is given) and their members' stage changes: each member's changes under
    its purchases before, taken out, and under its purchases with the new ones, added."""
    query = buyer_days(session, sales).subquery()
    new: dict[str, list[tuple[Any, int, Any]]] = defaultdict(list)
    for member, day, n, last in session.execute(
        select(query.c.member_id, query.c.day, query.c.orders, query.c.last_order_at)
    ):
        new[member].append((_as_date(day), int(n), last))
    counted = session.get(ReportSetting, _STAGE_RULES)
    rules = lifecycle_rules(session)
    same_rules = counted is not None and counted.value == stages.fingerprint(rules)
    before = list(_member_days(session, one_of(session, ReportBuyer.member_id, new)))
    add(buyer_days(session, sales))
    if not same_rules:
        return  # fold() recounts every member
    total: Counter[tuple[Any, ...]] = Counter()
    for member, reg, tier, channel, days in before:
        merged: dict[dt.date, tuple[int, Any]] = {day: (n, last) for day, n, last in days}
        for day, n, last in new[member]:
            had, at = merged.get(day, (0, None))
            merged[day] = (had + n, at if last is None or (at is not None and at > last) else last)
        since = min(day for day, _, _ in new[member])
        for sign, rows in ((-1, days), (1, [(d, n, t) for d, (n, t) in sorted(merged.items())])):
            for key, delta in _member_changes(rules, reg, tier, channel, rows, since).items():
                total[key] += sign * delta
    _add_changes(session, total)


def _fill(session: Session, ids: Any | None) -> None:
    """Recompute the rows of ``report_buyer_days`` and ``report_buyers`` of the members
    ``ids`` selects (None: every member, into empty tables)."""
    d, a, m = ReportMemberDay, MemberAlias, Member
    keys = [a.member_id, d.day, d.store_id, _tier(), _channel()]
    days = (
        select(
            *keys,
            func.sum(d.orders),
            func.sum(d.spend_fen),
            func.max(d.last_order_at),
        )
        .select_from(d)
        .join(a, a.alias == d.member_ref)
        .join(m, m.id == a.member_id)
        .group_by(*keys)
    )
    members = select(m.id, utc_day(session, m.registered_at), _tier(), _channel()).where(
        m.merged_into.is_(None)
    )
    if ids is not None:
        session.execute(delete(ReportBuyerDay).where(ReportBuyerDay.member_id.in_(ids)))
        session.execute(delete(ReportBuyer).where(ReportBuyer.member_id.in_(ids)))
        days = days.where(a.member_id.in_(ids))
        members = members.where(m.id.in_(ids))
    else:
        days = days.order_by(d.day)  # a period's rows together on disk
    b = ReportBuyerDay.__table__.c
    session.execute(
        insert(ReportBuyerDay).from_select(
            [
                b.member_id,
                b.day,
                b.store_id,
                b.tier,
                b.channel,
                b.orders,
                b.spend_fen,
                b.last_order_at,
            ],
            days,
        )
    )
    c = ReportBuyer.__table__.c
    session.execute(
        insert(ReportBuyer).from_select([c.member_id, c.reg_day, c.tier, c.channel], members)
    )


def _member_days(session: Session, which: Any | None) -> Iterator[tuple[Any, ...]]:
    """(member, registration day, tier, channel, [(day, purchases, last purchase)]) of the
    members of ``report_buyers`` the condition ``which`` admits (None: all), as they stand."""
    b, d = ReportBuyer, ReportBuyerDay
    query = (
        select(
            b.member_id,
            b.reg_day,
            b.tier,
            b.channel,
            d.day,
            func.sum(d.orders),
            func.max(d.last_order_at),
        )
        .select_from(b)
        .outerjoin(d, d.member_id == b.member_id)
        .group_by(b.member_id, b.reg_day, b.tier, b.channel, d.day)
        .order_by(b.member_id, d.day)
    )
    if which is not None:
        query = query.where(which)
    rows = session.execute(query.execution_options(yield_per=20000))
    for (member, reg, tier, channel), group in itertools.groupby(rows, key=lambda r: tuple(r[:4])):
        days = [(_as_date(day), n, last) for *_, day, n, last in group if day is not None]
        yield member, _as_date(reg), tier, channel, days


def _member_changes(  # noqa: PLR0917 (a member's key and days)
    rules: LifecycleRules,
    reg: dt.date,
    tier: str,
    channel: str,
    days: list[tuple[Any, ...]],
    since: dt.date | None = None,
) -> Counter[tuple[Any, ...]]:
    out: Counter[tuple[Any, ...]] = Counter()
    for day, family, name, delta in stages.changes(rules, reg, purchase_days(days), since):
        out[(day, family, name, tier, channel)] += delta
    return out


def _changes(session: Session, rules: LifecycleRules, ids: Any | None) -> Counter[tuple[Any, ...]]:
    """The stage changes of the members ``ids`` selects (None: all) as ``report_buyers`` and
    ``report_buyer_days`` hold them, summed by (day, family, name, tier, channel)."""
    which = None if ids is None else ReportBuyer.member_id.in_(ids)
    total: Counter[tuple[Any, ...]] = Counter()
    for _, reg, tier, channel, days in _member_days(session, which):
        total.update(_member_changes(rules, reg, tier, channel, days))
    return total


def _add_changes(session: Session, changes: Counter[tuple[Any, ...]]) -> None:
    rows = [
        {"day": k[0], "family": k[1], "name": k[2], "tier": k[3], "channel": k[4], "delta": n}
        for k, n in changes.items()
        if n
    ]
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(ReportStageDay)
    stmt = stmt.on_conflict_do_update(
        index_elements=["day", "family", "name", "tier", "channel"],
        set_={"delta": ReportStageDay.__table__.c.delta + stmt.excluded.delta},
    )
    for chunk in _chunks(rows):
        session.execute(stmt, chunk)


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), _CHUNK):
        yield rows[start : start + _CHUNK]


def _recount(session: Session, rules: LifecycleRules) -> None:
    """Every member's stage changes afresh, under ``rules``."""
    session.execute(delete(ReportStageDay))
    _add_changes(session, _changes(session, rules, None))
    session.merge(ReportSetting(key=_STAGE_RULES, value=stages.fingerprint(rules)))


def fold(session: Session) -> int:
    """Recompute the queued members' rows; returns how many queue rows were claimed."""
    q = ReportDirtyMember
    batch = int(session.scalar(select(func.coalesce(func.max(q.batch), 0))) or 0) + 1
    result = session.execute(update(q).where(q.batch.is_(None)).values(batch=batch))
    claimed = int(result.rowcount)  # type: ignore[attr-defined]
    rules = lifecycle_rules(session)
    counted = session.get(ReportSetting, _STAGE_RULES)
    same_rules = counted is not None and counted.value == stages.fingerprint(rules)
    if not claimed and same_rules:
        return 0
    ids = select(q.member_id).where(q.batch == batch)
    if not same_rules:
        _fill(session, ids)
        _recount(session, rules)
    else:
        before = _changes(session, rules, ids)
        _fill(session, ids)
        after = _changes(session, rules, ids)
        after.subtract(before)
        _add_changes(session, after)
    session.execute(delete(q).where(q.batch == batch))
    if claimed > BULK_ROWS or not same_rules:
        analyze(session, ReportBuyerDay, ReportBuyer, ReportStageDay)
    return claimed


def rebuild(session: Session) -> None:
    """Recompute every member's rows from ``report_member_days`` (and empty the queue)."""
    for table in (ReportBuyerDay, ReportBuyer, ReportStageDay, ReportDirtyMember):
        session.execute(delete(table))
    _fill(session, None)
    analyze(session, ReportBuyerDay, ReportBuyer)  # the recount reads them
    _recount(session, lifecycle_rules(session))
    analyze(session, ReportStageDay)

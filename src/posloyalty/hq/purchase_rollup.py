"""Purchase rollups: what repurchase and cohorts read (``hq.reports``), kept per resolved member.

``report_purchase_days`` holds each member's days with purchases (every store, aliases resolved):
purchases that day and on earlier days, the previous and next purchase days, and the member's
tier, channel and day of joining. Three small tables of counts are kept from it:

- ``report_buyer_months``: members per month they bought in x the month of their purchase
  before it x the month of the one after x 2+ purchases in it x tier x channel (a whole-month
  period's buyers and repeat buyers, next month, next quarter);
- ``report_order_days``: members per day of their x-th purchase (x = 1..5) x tier x channel
  (members with X purchases up to a day);
- ``report_cohort_buys``: members per day of joining x month they bought in (that of joining
  and the five after) x tier x channel.

Triggers (migration 0013) queue in ``report_purchase_queue`` the member reference of each member
sale, both member ids of an alias that changes (a merge re-points a member's aliases to the
survivor), and a member whose tier, channel or registration instant changes. :func:`refresh`
recomputes those members only: their rows' counts come off, their rows are computed again from
the member-day rollup (``hq.rollup``, refreshed first) and their counts go back on, so its cost
follows the members touched, never history. :func:`rebuild` recomputes everything.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Select,
    and_,
    case,
    delete,
    distinct,
    func,
    insert,
    literal,
    select,
    text,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from posloyalty.hq.buyers import utc_day
from posloyalty.hq.db import BULK_ROWS, analyze
from posloyalty.hq.models import (
    NO_MONTH,
    Member,
    MemberAlias,
    ReportBuyerMonth,
    ReportCohortBuy,
    ReportMemberDay,
    ReportOrderDay,
    ReportPurchaseDay,
    ReportPurchaseQueue,
)

__all__ = ["MAX_ORDER", "month_index", "rebuild", "refresh"]

#: The highest purchase number ``report_order_days`` counts.
MAX_ORDER = 5
#: Cohort months counted after the month of joining.
_COHORT_MONTHS = 5
#: The PostgreSQL advisory lock key a buyer refresh takes ("POBR"), one refresh at a time.
_LOCK = 0x504F4252


def month_index(session: Session, day: Any) -> Any:
    """Months since year 0 of a date column (``year * 12 + month - 1``), as SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return (
            func.extract("year", day).cast(postgresql.INTEGER) * 12
            + func.extract("month", day).cast(postgresql.INTEGER)
            - 1
        )
    year = func.cast(func.strftime("%Y", day), sqlite.INTEGER)
    return year * 12 + func.cast(func.strftime("%m", day), sqlite.INTEGER) - 1


def _add_counts(session: Session, table: Any, query: Select[Any], sign: int) -> None:
    """Add ``sign`` x the ``members`` of ``query``'s grouped rows into ``table``."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    names = [c.name for c in query.selected_columns]
    keys = [n for n in names if n != "members"]
    sub = query.subquery()
    signed = select(*(sub.c[k] for k in keys), (sub.c.members * sign).label("members"))
    # SQLite needs a WHERE in INSERT ... SELECT ... ON CONFLICT to parse it.
    stmt = dialect.insert(table).from_select(names, signed.where(true()))
    stmt = stmt.on_conflict_do_update(
        index_elements=keys,
        set_={"members": table.__table__.c.members + stmt.excluded.members},
    )
    session.execute(stmt)


def _counts(session: Session, members: Any) -> list[tuple[Any, Select[Any]]]:
    """Each count table with the grouped counts of the buyer days of ``members`` (a condition
    on ``report_purchase_days``)."""
    b = ReportPurchaseDay
    key = (b.tier, b.channel)
    numbers = union_all(*(select(literal(x).label("x")) for x in range(1, MAX_ORDER + 1)))
    x = numbers.subquery().c.x
    orders = (
        select(b.day, x, *key, func.count().label("members"))
        .join_from(b, x.table, and_(b.earlier < x, b.earlier + b.orders >= x))
        .where(members)
        .group_by(b.day, x, *key)
    )
    month = month_index(session, b.day)
    joined = month_index(session, b.joined)
    cohorts = (
        select(
            b.joined,
            month.label("month"),
            *key,
            func.count(distinct(b.member_id)).label("members"),
        )
        .where(members, month >= joined, month <= joined + _COHORT_MONTHS)
        .group_by(b.joined, month, *key)
    )
    per = (
        select(
            month.label("month"),
            *key,
            func.min(b.prev_day).label("p"),
            func.max(b.next_day).label("n"),
            func.sum(b.orders).label("o"),
        )
        .where(members)
        .group_by(b.member_id, month, *key)
        .subquery()
    )
    # The first day's previous purchase is the least of the month's (later days' are in it);
    # the last day's next one the greatest.
    p, n = month_index(session, per.c.p), month_index(session, per.c.n)
    prev = case((and_(per.c.p.is_not(None), p < per.c.month), p), else_=-1)
    after = case((and_(per.c.n.is_not(None), n > per.c.month), n), else_=NO_MONTH)
    multi = case((per.c.o >= 2, 1), else_=0)
    months = select(
        per.c.month,
        prev.label("prev_month"),
        after.label("next_month"),
        multi.label("multi"),
        per.c.tier,
        per.c.channel,
        func.count().label("members"),
    ).group_by(per.c.month, prev, after, multi, per.c.tier, per.c.channel)
    return [
        (ReportOrderDay, orders),
        (ReportCohortBuy, cohorts),
        (ReportBuyerMonth, months),
    ]


def _buyer_days(session: Session, members: Any) -> Select[Any]:
    """The buyer days of the member ids ``members`` (a subquery) from the member-day rollup."""
    d = ReportMemberDay
    per_day = (
        select(
            MemberAlias.member_id.label("member_id"),
            d.day,
            func.sum(d.orders).label("orders"),
        )
        .join(MemberAlias, MemberAlias.alias == d.member_ref)
        .where(MemberAlias.member_id.in_(members), d.orders > 0)
        .group_by(MemberAlias.member_id, d.day)
        .subquery()
    )
    member, day = per_day.c.member_id, per_day.c.day
    return (
        select(
            member,
            day,
            per_day.c.orders,
            (
                func.sum(per_day.c.orders).over(partition_by=member, order_by=day)
                - per_day.c.orders
            ).label("earlier"),
            func.lag(day).over(partition_by=member, order_by=day).label("prev_day"),
            func.lead(day).over(partition_by=member, order_by=day).label("next_day"),
            func.coalesce(Member.state["tier"].as_string(), "").label("tier"),
            func.coalesce(Member.channel, "").label("channel"),
            utc_day(session, Member.registered_at).label("joined"),
        )
        .join(Member, Member.id == per_day.c.member_id)
        .where(true())
    )


def _recompute(session: Session, members: Any) -> None:
    """Take the buyer days of the member ids ``members`` (a subquery) and their counts off,
    and put them back as the member-day rollup has them now."""
    b = ReportPurchaseDay
    mine = b.member_id.in_(members)
    for table, query in _counts(session, mine):
        _add_counts(session, table, query, -1)
    session.execute(delete(b).where(mine))
    query = _buyer_days(session, members)
    session.execute(insert(b).from_select([c.name for c in query.selected_columns], query))
    for table, query in _counts(session, mine):
        _add_counts(session, table, query, 1)


_TABLES = (ReportPurchaseDay, ReportBuyerMonth, ReportOrderDay, ReportCohortBuy)


def refresh(session: Session) -> int:
    """Recompute the members queued since the last refresh (after ``hq.rollup`` has folded
    the new sales into the member-day rollup); returns how many references were queued."""
    q = ReportPurchaseQueue
    if session.scalar(select(q.seq).where(q.batch.is_(None)).limit(1)) is None:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        # Two refreshes recomputing one member at once would both take its counts off.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
    batch = int(session.scalar(select(func.coalesce(func.max(q.batch), 0))) or 0) + 1
    result = session.execute(update(q).where(q.batch.is_(None)).values(batch=batch))
    claimed = int(result.rowcount)  # type: ignore[attr-defined]
    if not claimed:
        return 0
    refs = select(q.member_ref).where(q.batch == batch)
    # A reference is an alias or a member id (every member's id is an alias of its own, so
    # only other aliases add their member); a merged member's id still has rows to take off,
    # under the id itself.
    resolved = (
        select(MemberAlias.member_id, literal(batch))
        .where(MemberAlias.alias.in_(refs), MemberAlias.member_id != MemberAlias.alias)
        .distinct()
    )
    session.execute(insert(q).from_select(["member_ref", "batch"], resolved))
    members = select(q.member_ref).where(q.batch == batch).distinct()
    _recompute(session, members)
    session.execute(delete(q).where(q.batch == batch))
    if claimed > BULK_ROWS:  # the first refresh after migration 0013 fills every member
        analyze(session, *_TABLES)
    return claimed


def rebuild(session: Session) -> None:
    """Recompute every purchase rollup from the member-day rollup (and empty the queue)."""
    for table in (ReportPurchaseQueue, *_TABLES):
        session.execute(delete(table))
    query = _buyer_days(session, select(Member.id).where(Member.merged_into.is_(None)))
    session.execute(
        insert(ReportPurchaseDay).from_select([c.name for c in query.selected_columns], query)
    )
    analyze(session, ReportPurchaseDay)  # the counts below read it
    for table, counts in _counts(session, true()):
        _add_counts(session, table, counts, 1)
    analyze(session, *_TABLES[1:])

"""The change feed terminals pull: one row per entity, stamped with a global sequence.

Sequence numbers come from the ``change`` counter row, incremented inside the writing
transaction. The row lock makes writers that emit changes take their numbers in commit order,
so a reader can never see seq N+1 committed while N is still to come: a cursor never skips.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, and_, cast, or_, select, update
from sqlalchemy.orm import Session

from posloyalty.hq.models import Change, Counter, MemberStore


def next_seqs(session: Session, n: int = 1) -> list[int]:
    """Reserve ``n`` consecutive change sequence numbers (locks the counter until commit)."""
    if n <= 0:
        return []
    top = session.execute(
        update(Counter)
        .where(Counter.name == "change")
        .values(value=Counter.value + n)
        .returning(Counter.value)
    ).scalar_one()
    return list(range(top - n + 1, top + 1))


def emit(
    session: Session,
    kind: str,
    key: str,
    data: dict[str, Any] | None,
    *,
    member_id: str | None = None,
    store_id: str | None = None,
) -> int | None:
    """Record the new state of (kind, key). Returns its seq, or None when nothing changed."""
    row = session.get(Change, (kind, key))
    if (
        row is not None
        and row.data == data
        and row.member_id == member_id
        and row.store_id == store_id
    ):
        return None
    (seq,) = next_seqs(session)
    if row is None:
        session.add(
            Change(kind=kind, key=key, seq=seq, data=data, member_id=member_id, store_id=store_id)
        )
    else:
        row.seq, row.data, row.member_id, row.store_id = seq, data, member_id, store_id
    session.flush()
    return seq


def bump_member(session: Session, member_id: str) -> int:
    """Re-stamp every change row of a member so stores that just took it in receive it."""
    rows = list(
        session.scalars(select(Change).where(Change.member_id == member_id).order_by(Change.seq))
    )
    for row, seq in zip(rows, next_seqs(session, len(rows)), strict=True):
        row.seq = seq
    session.flush()
    return len(rows)


def high_water(session: Session) -> int:
    return int(session.scalar(select(Counter.value).where(Counter.name == "change")) or 0)


#: (seq, kind, key, data as JSON text or None).
RawChange = tuple[int, str, str, str | None]


@dataclass(frozen=True, slots=True)
class Page:
    changes: list[RawChange]
    next_cursor: int
    more: bool


def pull(
    session: Session, *, store_id: str, cursor: int, limit: int, at: dt.datetime, recent_days: int
) -> Page:
    """The store's slice of changes after ``cursor``, oldest first, at most ``limit`` of them.

    The slice: every chain-wide row, rows scoped to this store, and the rows of members whose
    home is this store or who were seen here within ``recent_days``.
    """
    # Read the high-water mark first: every seq up to it is committed, so the query below sees
    # all of them and the cursor may skip to it past rows of other stores.
    top = high_water(session)
    cutoff = at - dt.timedelta(days=recent_days)
    columns = (Change.seq, Change.kind, Change.key, cast(Change.data, Text))
    # Two ordered, limited queries merged here (an OR across them would make PostgreSQL scan
    # the store's whole slice for every page): chain-wide and store rows, and slice members'
    # rows through a join the planner can drive from either side.
    shared = (
        select(*columns)
        .where(
            Change.seq > cursor,
            Change.member_id.is_(None),
            or_(Change.store_id.is_(None), Change.store_id == store_id),
        )
        .order_by(Change.seq)
        .limit(limit + 1)
    )
    members = (
        select(*columns)
        .join(
            MemberStore,
            and_(MemberStore.member_id == Change.member_id, MemberStore.store_id == store_id),
        )
        .where(
            Change.seq > cursor,
            or_(MemberStore.home.is_(True), MemberStore.last_seen_at >= cutoff),
        )
        .order_by(Change.seq)
        .limit(limit + 1)
    )
    found: list[RawChange] = [
        (int(seq), kind, key, data)
        for q in (shared, members)
        for seq, kind, key, data in session.execute(q)
    ]
    rows = sorted(found, key=lambda r: r[0])[: limit + 1]
    more = len(rows) > limit
    page = list(rows[:limit])
    if more:
        return Page(page, page[-1][0], True)
    last = page[-1][0] if page else cursor
    return Page(page, max(last, top), False)

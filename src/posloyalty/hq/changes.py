"""The change feed terminals pull: one row per entity, stamped with a global sequence.

Sequence numbers come from the ``change`` counter row, incremented inside the writing
transaction. The row lock makes writers that emit changes take their numbers in commit order,
so a reader can never see seq N+1 committed while N is still to come: a cursor never skips.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, and_, cast, literal_column, or_, select, update
from sqlalchemy.orm import Session

from posloyalty.hq.bulk import JsonText, insert_numbered, insert_rows, is_postgres
from posloyalty.hq.models import Change, Counter, MemberStore
from posloyalty.sync.protocol import RawTable, StoreRules


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


def emit_new(
    session: Session, rows: Sequence[tuple[str, str, dict[str, Any] | JsonText, str | None]]
) -> None:
    """Record (kind, key, data, member_id) rows whose (kind, key) has no change row yet (an
    entity just created, e.g. a new ledger entry), with one INSERT for all of them (``data``
    may come encoded already: :class:`~posloyalty.hq.bulk.JsonText`)."""
    if not rows:
        return
    if is_postgres(session):
        insert_numbered(
            session,
            Change,
            [
                {"kind": kind, "key": key, "data": data, "member_id": member_id}
                for kind, key, data, member_id in rows
            ],
            "seq",
            "change",
        )
        return
    seqs = next_seqs(session, len(rows))
    insert_rows(
        session,
        Change,
        [
            {"kind": kind, "key": key, "seq": seq, "data": data, "member_id": member_id}
            for (kind, key, data, member_id), seq in zip(rows, seqs, strict=True)
        ],
    )


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
    #: For a compact pull: the page's same-shaped changes as tables (not also in ``changes``).
    tables: list[RawTable] | None = None
    #: For a terminal that asked: the rule revision in force at its store (last page only).
    rules: StoreRules | None = None


#: PostgreSQL: a change's data as its field names and its values, two JSON arrays joined by
#: \x01 (which JSON text cannot contain unescaped); NULL when the data is not an object.
_PACKED = (
    "(SELECT json_agg(e.key)::text || chr(1) || json_agg(e.value)::text FROM json_each("
    "CASE WHEN json_typeof(changes.data) = 'object' THEN changes.data ELSE '{}'::json END"
    ") AS e)"
)


def _packed_in_python(data: str | None) -> str | None:
    value = json.loads(data) if data is not None else None
    if not isinstance(value, dict) or not value:
        return None
    return (
        json.dumps(list(value), ensure_ascii=False)
        + "\x01"
        + json.dumps(list(value.values()), ensure_ascii=False)
    )


def tabulate(rows: list[tuple[int, str, str, str | None, str | None]]) -> Page:
    """Split (seq, kind, key, data, packed) rows into plain changes and tables of at least two
    changes of one kind and one field list (``next_cursor`` and ``more`` are left to fill)."""
    plain: list[RawChange] = []
    groups: dict[tuple[str, str], list[tuple[int, str, str, str | None, str]]] = {}
    for seq, kind, key, data, packed in rows:
        if packed is None:
            plain.append((seq, kind, key, data))
            continue
        fields, _, values = packed.partition("\x01")
        groups.setdefault((kind, fields), []).append((seq, key, values, data, fields))
    tables: list[RawTable] = []
    for (kind, fields), members in groups.items():
        names = json.loads(fields)
        if len(members) < 2 or len(set(names)) != len(names):
            plain.extend((seq, kind, key, data) for seq, key, _, data, _ in members)
        else:
            tables.append(
                (kind, fields, [(seq, key, values) for seq, key, values, _, _ in members])
            )
    plain.sort(key=lambda r: r[0])
    return Page(plain, 0, False, tables)


def pull(
    session: Session,
    *,
    store_id: str,
    cursor: int,
    limit: int,
    at: dt.datetime,
    recent_days: int,
    compact: bool = False,
    ledger: bool = False,
) -> Page:
    """The store's slice of changes after ``cursor``, oldest first, at most ``limit`` of them.

    The slice: every chain-wide row, rows scoped to this store, and the rows of members whose
    home is this store or who were seen here within ``recent_days``. ``compact``: the page's
    same-shaped changes come as :attr:`Page.tables` (PostgreSQL splits each data object into
    field names and values itself, so no row is decoded here; SQLite decodes them).
    ``ledger``: include the slice members' ledger entries (left out otherwise).
    """
    # Read the high-water mark first: every seq up to it is committed, so the query below sees
    # all of them and the cursor may skip to it past rows of other stores.
    top = high_water(session)
    cutoff = at - dt.timedelta(days=recent_days)
    postgres = session.get_bind().dialect.name == "postgresql"
    columns: tuple[Any, ...] = (Change.seq, Change.kind, Change.key, cast(Change.data, Text))
    if compact and postgres:
        columns += (literal_column(_PACKED, Text),)
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
            *(() if ledger else (Change.kind != "ledger_entry",)),
        )
        .order_by(Change.seq)
        .limit(limit + 1)
    )
    found: list[Any] = [
        (int(row[0]), *row[1:]) for q in (shared, members) for row in session.execute(q)
    ]
    rows = sorted(found, key=lambda r: r[0])[: limit + 1]
    more = len(rows) > limit
    page = rows[:limit]
    next_cursor = page[-1][0] if more else max(page[-1][0] if page else cursor, top)
    if not compact:
        return Page(page, next_cursor, more)
    if not postgres:
        page = [(seq, kind, key, data, _packed_in_python(data)) for seq, kind, key, data in page]
    split = tabulate(page)
    return Page(split.changes, next_cursor, more, split.tables)

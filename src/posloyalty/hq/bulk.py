"""Set-based statements for ingest: a whole batch of rows in one round trip.

On PostgreSQL the rows travel as one array per column and ``unnest`` turns them back into rows,
so a 500-row insert is one statement with a dozen parameters (an ``executemany`` would be 500
statements, and a multi-row VALUES list thousands of parameters to render and bind). On SQLite
(embedded, one writer) the plain ``executemany`` is already cheap and is used as is. Either
way the statements run in the caller's transaction and a unique-key race surfaces as
SQLAlchemy's ``IntegrityError`` (which :meth:`HqDb.run` retries).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, Column, Table, insert, text, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator


class JsonText(str):
    """A JSON column's value already encoded as JSON text (not encoded again)."""

    __slots__ = ()


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _sql_type(session: Session, column: Column[Any]) -> str:
    impl = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    return str(impl.compile(dialect=session.get_bind().dialect))


def _quote(session: Session, name: str) -> str:
    return str(session.get_bind().dialect.identifier_preparer.quote(name))


def _instant(value: Any) -> str:
    # The check UtcDateTime makes on the way in: no naive instants (and nothing else unknown).
    if isinstance(value, dt.datetime) and value.utcoffset() is not None:
        return value.isoformat()
    raise ValueError(f"cannot store {value!r}: not a tz-aware datetime")


def _json_text(value: Any) -> str:
    return value if isinstance(value, JsonText) else json.dumps(value)


def _rows_json(columns: Sequence[Column[Any]], rows: Sequence[dict[str, Any]]) -> str:
    """The rows as one JSON array; instants as ISO 8601 text, JSON columns as JSON text
    (PostgreSQL cannot turn a \\u0000 escape into a text value, but a json column keeps it)."""
    nested = [c.name for c in columns if isinstance(c.type, JSON)]
    if nested:
        # SQLAlchemy's JSON type stores None as JSON 'null': json.dumps does the same.
        rows = [row | {name: _json_text(row[name]) for name in nested} for row in rows]
    return json.dumps(rows, default=_instant)


def _recordset(session: Session, columns: Sequence[Column[Any]], alias: str) -> str:
    """``json_to_recordset(:rows) AS alias(col type, ...)``; JSON columns arrive as text."""
    spec = ", ".join(
        f"{_quote(session, c.name)} {'TEXT' if isinstance(c.type, JSON) else _sql_type(session, c)}"
        for c in columns
    )
    return f"json_to_recordset(CAST(:rows AS JSON)) AS {alias}({spec})"


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT every row (dicts with the same keys, column names of ``table``) in one statement."""
    if not rows:
        return
    if not is_postgres(session):
        decoded = [
            {k: json.loads(v) if isinstance(v, JsonText) else v for k, v in row.items()}
            for row in rows
        ]
        session.execute(insert(table), decoded)
        return
    session.flush()  # a text() statement does not autoflush pending ORM objects
    columns = [table.c[name] for name in rows[0]]
    data = _rows_json(columns, rows)
    names = ", ".join(_quote(session, c.name) for c in columns)
    values = ", ".join(
        f"CAST(r.{_quote(session, c.name)} AS JSON)"
        if isinstance(c.type, JSON)
        else f"r.{_quote(session, c.name)}"
        for c in columns
    )
    session.execute(
        text(
            f"INSERT INTO {_quote(session, table.name)} ({names}) "
            f"SELECT {values} FROM {_recordset(session, columns, 'r')}"
        ),
        {"rows": data},
    )


def select_by_keys(
    session: Session, table: Table, key: Sequence[str], wanted: Iterable[tuple[Any, ...]], out: str
) -> list[tuple[Any, ...]]:
    """Rows of ``table`` whose ``key`` columns equal one of ``wanted``: (key..., out) tuples.

    Uses the table's index on ``key`` (a composite primary key is searched whole, never by its
    second column alone, which an index on (a, b) cannot serve).
    """
    keys = sorted(set(wanted))
    if not keys:
        return []
    if not is_postgres(session):
        columns = [table.c[k] for k in key]
        rows = session.execute(
            table.select()
            .with_only_columns(*columns, table.c[out])
            .where(tuple_(*columns).in_(keys))
        )
        return [tuple(r) for r in rows]
    session.flush()
    columns = [table.c[k] for k in key]
    data = json.dumps([dict(zip(key, k, strict=True)) for k in keys])
    q = [_quote(session, k) for k in key]
    on = " AND ".join(f"t.{k} = w.{k}" for k in q)
    sql = (
        f"SELECT {', '.join(f't.{k}' for k in q)}, t.{_quote(session, out)} "
        f"FROM {_quote(session, table.name)} t JOIN {_recordset(session, columns, 'w')} ON {on}"
    )
    return [tuple(r) for r in session.execute(text(sql), {"rows": data})]

"""Set-based statements for ingest: a whole batch of rows in one round trip.

On PostgreSQL the rows travel as one JSON parameter that ``json_to_recordset`` turns back into
typed rows, so a 500-row insert is one statement with one parameter: an ``executemany`` would
be 500 statements, a multi-row VALUES list thousands of parameters to render and bind, and
array parameters cost a Python call per element to quote. Values every row shares are bound
once. On SQLite (embedded, one writer) the plain ``executemany`` is already cheap and is used
as is. Either way the statements run in the caller's transaction and a unique-key race
surfaces as SQLAlchemy's ``IntegrityError`` (which :meth:`HqDb.run` retries).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any, cast

import orjson
from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    String,
    Table,
    bindparam,
    func,
    insert,
    select,
    text,
    tuple_,
)
from sqlalchemy import cast as sa_cast
from sqlalchemy.orm import QueryableAttribute, Session

from posloyalty.hq.models import Base


class JsonText(str):
    """A JSON column's value already encoded as JSON text (not encoded again)."""

    __slots__ = ()


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _sql_type(session: Session, column: Column[Any]) -> str:
    return str(column.type.compile(dialect=session.get_bind().dialect))


def _quote(session: Session, name: str) -> str:
    return str(session.get_bind().dialect.identifier_preparer.quote(name))


def _instant(value: Any) -> str:
    # The check UtcDateTime makes on the way in: no naive instants (and nothing else unknown).
    if isinstance(value, dt.datetime) and value.utcoffset() is not None:
        return value.isoformat()
    raise ValueError(f"refusing a naive datetime or other unknown value {value!r}")


def _json_text(value: Any) -> str:
    return value if isinstance(value, JsonText) else json.dumps(value)


def _rows_json(columns: Sequence[Column[Any]], rows: Sequence[dict[str, Any]]) -> str:
    """The rows as one JSON array; instants as ISO 8601 text, JSON columns as JSON text
    (PostgreSQL cannot turn a \\u0000 escape into a text value, but a json column keeps it)."""
    nested = [c.name for c in columns if isinstance(c.type, JSON)]
    if nested:
        # SQLAlchemy's JSON type stores None as JSON 'null': json.dumps does the same.
        rows = [row | {name: _json_text(row[name]) for name in nested} for row in rows]
    try:
        # orjson: several times json's speed on a batch; instants go through _instant's check.
        return orjson.dumps(rows, default=_instant, option=orjson.OPT_PASSTHROUGH_DATETIME).decode()
    except TypeError:  # an integer beyond 64 bits (orjson's limit): json.dumps takes it
        return json.dumps(rows, default=_instant)


def _recordset(session: Session, columns: Sequence[Column[Any]], alias: str) -> str:
    """``json_to_recordset(:rows) AS alias(col type, ...)``; JSON columns arrive as text."""
    spec = ", ".join(
        f"{_quote(session, c.name)} {'TEXT' if isinstance(c.type, JSON) else _sql_type(session, c)}"
        for c in columns
    )
    return f"json_to_recordset(CAST(:rows AS JSON)) AS {alias}({spec})"


def one_of(
    session: Session, column: ColumnElement[Any] | QueryableAttribute[Any], values: Iterable[str]
) -> ColumnElement[bool]:
    """``column IN values`` for many text values. On PostgreSQL the values travel as one JSON
    array parameter, so the statement text (and its prepared plan) is the same for any count;
    an expanded IN list is a new statement to render, parse and plan for every length."""
    ordered = sorted(set(values))
    if not is_postgres(session):
        return column.in_(ordered)
    elements = func.json_array_elements_text(
        sa_cast(bindparam(None, json.dumps(ordered), type_=String), JSON)
    ).table_valued("value")
    return column.in_(select(elements.c.value))


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def insert_rows(
    session: Session,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    same: dict[str, Any] | None = None,
) -> None:
    """INSERT every row in one statement: ``rows`` are dicts with the same keys (column names
    of ``model``'s table); ``same`` holds the values every row shares (sent once)."""
    if not rows:
        return
    table = _table(model)
    same = same or {}
    if not is_postgres(session):
        decoded = [
            {k: json.loads(v) if isinstance(v, JsonText) else v for k, v in row.items()} | same
            for row in rows
        ]
        session.execute(insert(table), decoded)
        return
    session.flush()  # a text() statement does not autoflush pending ORM objects
    columns = [table.c[name] for name in rows[0]]
    shared = [table.c[name] for name in same]
    names = ", ".join(_quote(session, c.name) for c in (*columns, *shared))
    values = ", ".join(
        [
            f"CAST(r.{_quote(session, c.name)} AS JSON)"
            if isinstance(c.type, JSON)
            else f"r.{_quote(session, c.name)}"
            for c in columns
        ]
        + [f"CAST(:s{i} AS {_sql_type(session, c)})" for i, c in enumerate(shared)]
    )
    statement = text(
        f"INSERT INTO {_quote(session, table.name)} ({names}) "
        f"SELECT {values} FROM {_recordset(session, columns, 'r')}"
    ).bindparams(
        # Through the column types, so an instant is checked and converted as ever.
        *(bindparam(f"s{i}", same[c.name], type_=c.type) for i, c in enumerate(shared))
    )
    session.execute(statement, {"rows": _rows_json(columns, rows)})


def insert_numbered(
    session: Session, model: type[Base], rows: Sequence[dict[str, Any]], number: str, counter: str
) -> None:
    """PostgreSQL: INSERT every row in one statement, column ``number`` taking the next
    consecutive values of the ``counters`` row ``counter``, reserved by the same statement
    (one round trip, not two: the counter's row lock is held until commit either way).
    ``rows`` carry every column but ``number``, in order."""
    if not rows:
        return
    session.flush()
    table = _table(model)
    columns = [table.c[name] for name in rows[0]]
    names = ", ".join(_quote(session, c.name) for c in columns)
    values = ", ".join(
        f"CAST(r.{_quote(session, c.name)} AS JSON)"
        if isinstance(c.type, JSON)
        else f"r.{_quote(session, c.name)}"
        for c in columns
    )
    spec = _recordset(session, columns, "r")[:-1] + ", ordinal BIGINT)"
    statement = text(
        "WITH c AS (UPDATE counters SET value = value + :n WHERE name = :counter "
        "RETURNING value) "
        f"INSERT INTO {_quote(session, table.name)} ({names}, {_quote(session, number)}) "
        f"SELECT {values}, (SELECT value FROM c) - :n + r.ordinal FROM {spec}"
    )
    numbered = [row | {"ordinal": i} for i, row in enumerate(rows, 1)]
    session.execute(
        statement,
        {
            "rows": _rows_json([*columns, Column("ordinal")], numbered),
            "n": len(rows),
            "counter": counter,
        },
    )


def select_by_keys(
    session: Session,
    model: type[Base],
    key: Sequence[str],
    wanted: Iterable[tuple[Any, ...]],
    out: str,
) -> list[tuple[Any, ...]]:
    """Rows of ``model``'s table whose ``key`` columns equal one of ``wanted``: (key..., out)
    tuples. Uses the index on ``key`` (a composite primary key is searched whole, never by its
    second column alone, which an index on (a, b) cannot serve)."""
    keys = set(wanted)
    if not keys:
        return []
    table = _table(model)
    columns = [table.c[k] for k in key]
    if not is_postgres(session):
        rows = session.execute(
            table.select()
            .with_only_columns(*columns, table.c[out])
            .where(tuple_(*columns).in_(sorted(keys)))
        )
        return [tuple(r) for r in rows]
    session.flush()
    q = [_quote(session, k) for k in key]
    # Each wanted key is a JSON array of its column values. Text is compared as text: a CAST
    # to VARCHAR(n) would silently cut a longer value down to one that matches.
    on = " AND ".join(
        f"t.{name} = (w.k ->> {i})"
        if isinstance(c.type, String)
        else f"t.{name} = CAST(w.k ->> {i} AS {_sql_type(session, c)})"
        for i, (name, c) in enumerate(zip(q, columns, strict=True))
    )
    sql = (
        f"SELECT {', '.join(f't.{k}' for k in q)}, t.{_quote(session, out)} "
        f"FROM json_array_elements(CAST(:keys AS JSON)) AS w(k) "
        f"JOIN {_quote(session, table.name)} t ON {on}"
    )
    return [tuple(r) for r in session.execute(text(sql), {"keys": json.dumps(list(keys))})]

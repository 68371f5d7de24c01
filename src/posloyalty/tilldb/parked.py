"""Parked sales (挂单) in the till database (table ``parked_sales``): a basket kept aside and
taken back later (取单), surviving a restart. Park and recall are audited in the same
transaction as the row they write or delete.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from posloyalty.tilldb import repo
from posloyalty.tilldb.types import dump_json, format_ts, parse_ts

__all__ = ["ParkedRow", "list_parked", "park", "take"]


@dataclass(frozen=True, slots=True)
class ParkedRow:
    id: str
    at: dt.datetime
    cashier: str
    label: str
    basket: dict[str, Any]


def park(
    session: Session,
    *,
    parked_id: str,
    at: dt.datetime,
    terminal: str,
    cashier: str,
    label: str,
    basket: dict[str, Any],
) -> None:
    """Keep ``basket`` (JSON-able) aside under ``parked_id``; audited ``sale_parked``."""
    session.connection().exec_driver_sql(
        "INSERT INTO parked_sales (id, at, terminal, cashier, label, basket)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (parked_id, format_ts(at), terminal, cashier, label, dump_json(basket)),
    )
    repo.audit(
        session,
        at=at,
        cashier=cashier,
        action="sale_parked",
        detail={"parked": parked_id, "terminal": terminal, "label": label},
    )


def list_parked(session: Session) -> tuple[ParkedRow, ...]:
    """The parked sales, oldest first."""
    rows = session.connection().exec_driver_sql(
        "SELECT id, at, cashier, label, basket FROM parked_sales ORDER BY at, id"
    )
    return tuple(
        ParkedRow(str(i), parse_ts(str(at)), str(c), str(label), json.loads(basket))
        for i, at, c, label, basket in rows
    )


def take(session: Session, parked_id: str, *, at: dt.datetime, cashier: str) -> ParkedRow | None:
    """Remove and return the parked sale (None: there is none, e.g. recalled already);
    audited ``sale_recalled``."""
    found = [r for r in list_parked(session) if r.id == parked_id]
    if not found:
        return None
    session.connection().exec_driver_sql("DELETE FROM parked_sales WHERE id = ?", (parked_id,))
    repo.audit(
        session,
        at=at,
        cashier=cashier,
        action="sale_recalled",
        detail={"parked": parked_id, "label": found[0].label},
    )
    return found[0]

"""The cash drawer's movements in the till database (table ``drawer_movements``, append-only).

Written in the caller's write transaction together with their audit row, so a movement and
its audit entry commit or fail together.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from posloyalty.domain.drawer import DrawerMovement, MovementKind
from posloyalty.domain.money import Fen
from posloyalty.tilldb import repo
from posloyalty.tilldb.types import format_ts

__all__ = ["movements_between", "record_movement", "tender_totals"]


def record_movement(
    session: Session,
    move: DrawerMovement,
    *,
    movement_id: str,
    at: dt.datetime,
    terminal: str,
    cashier: str,
) -> None:
    """Store ``move`` and audit it (``drawer_<kind>``)."""
    session.connection().exec_driver_sql(
        "INSERT INTO drawer_movements (id, at, terminal, cashier, kind, amount_fen, reason)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (movement_id, format_ts(at), terminal, cashier, move.kind, int(move.amount), move.reason),
    )
    repo.audit(
        session,
        at=at,
        cashier=cashier,
        action=f"drawer_{move.kind}",
        detail={
            "movement": movement_id,
            "terminal": terminal,
            "amount_fen": int(move.amount),
            "reason": move.reason,
        },
    )


def movements_between(
    session: Session, start: dt.datetime, end: dt.datetime
) -> tuple[DrawerMovement, ...]:
    """The movements in ``[start, end)``, oldest first."""
    rows = session.connection().exec_driver_sql(
        "SELECT kind, amount_fen, reason FROM drawer_movements WHERE at >= ? AND at < ?"
        " ORDER BY at, rowid",
        (format_ts(start), format_ts(end)),
    )
    out: list[DrawerMovement] = []
    for kind, amount, reason in rows:
        k: MovementKind = kind
        out.append(DrawerMovement(k, Fen(int(amount)), str(reason)))
    return tuple(out)


def tender_totals(
    session: Session, start: dt.datetime, end: dt.datetime
) -> tuple[dict[str, int], dict[str, int]]:
    """Committed sales' payments and returns' refunds (positive fen) by method in
    ``[start, end)``; methods with nothing refunded are left out of the refunds."""
    payments: dict[str, int] = {}
    refunds: dict[str, int] = {}
    for method, is_return, amount in session.connection().exec_driver_sql(
        "SELECT p.method, s.original_sale_id IS NOT NULL, sum(p.amount_fen)"
        " FROM payments p JOIN sales s ON s.id = p.sale"
        " WHERE s.at >= ? AND s.at < ? AND s.status = 'committed'"
        " GROUP BY p.method, s.original_sale_id IS NOT NULL",
        (format_ts(start), format_ts(end)),
    ):
        if is_return:
            if amount:
                refunds[method] = -int(amount)
        else:
            payments[method] = int(amount)
    return payments, refunds

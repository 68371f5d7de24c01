"""The till's audit log (``audit_log``, append-only, in the hash chain)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from posloyalty.tilldb.db import raw_connection
from posloyalty.tilldb.models import AuditEntry
from posloyalty.tilldb.types import parse_ts

__all__ = ["AuditRecord", "audit", "audit_count", "recent_audit"]


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: dt.datetime
    cashier: str
    action: str
    #: The JSON detail, decoded.
    detail: Any


def audit(session: Session, *, at: dt.datetime, cashier: str, action: str, detail: object) -> int:
    """Append to the audit log (JSON-able ``detail``); returns the row id."""
    row = AuditEntry(at=at, cashier=cashier, action=action, detail=detail)
    session.add(row)
    session.flush()
    return row.id


def audit_count(session: Session, action: str) -> int:
    """How many audit rows record ``action``."""
    row = (
        raw_connection(session)
        .execute("SELECT count(*) FROM audit_log WHERE action = ?", (action,))
        .fetchone()
    )
    return int(row[0]) if row is not None else 0


def recent_audit(session: Session, action: str, limit: int) -> list[AuditRecord]:
    """The last ``limit`` audit rows recording ``action``, newest first; a row whose time or
    detail cannot be read is left out (it still counts in :func:`audit_count`)."""
    rows = raw_connection(session).execute(
        "SELECT id, at, cashier, action, detail FROM audit_log WHERE action = ?"
        " ORDER BY id DESC LIMIT ?",
        (action, limit),
    )
    found: list[AuditRecord] = []
    for row_id, at, cashier, act, detail in rows:
        try:
            found.append(AuditRecord(int(row_id), parse_ts(at), cashier, act, json.loads(detail)))
        except (ValueError, TypeError):
            continue
    return found

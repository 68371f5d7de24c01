"""The till's audit log (``audit_log``, append-only, in the hash chain)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from posloyalty.tilldb.models import AuditEntry

__all__ = ["audit"]


def audit(session: Session, *, at: dt.datetime, cashier: str, action: str, detail: object) -> int:
    """Append to the audit log (JSON-able ``detail``); returns the row id."""
    row = AuditEntry(at=at, cashier=cashier, action=action, detail=detail)
    session.add(row)
    session.flush()
    return row.id

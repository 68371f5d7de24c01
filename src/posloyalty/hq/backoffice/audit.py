"""The back office audit trail: one append-only row per change or reveal of personal data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from posloyalty.hq.models import AuditEvent

__all__ = ["events", "record"]


def record(  # noqa: PLR0917 (who, what, to what, why)
    session: Session,
    at: dt.datetime,
    operator: str | None,
    action: str,
    target: str = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit event in the caller's transaction (so it stands or falls with the change)."""
    session.add(
        AuditEvent(
            at=at,
            operator=operator,
            action=action,
            target=target[:128],
            reason=reason,
            detail=detail or {},
        )
    )
    session.flush()


def events(session: Session, *, target: str | None = None, limit: int = 200) -> list[AuditEvent]:
    """The newest events first (``target``: only those about it)."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if target is not None:
        query = query.where(AuditEvent.target == target)
    return list(session.scalars(query))

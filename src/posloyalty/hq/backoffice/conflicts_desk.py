"""The conflicts queue: what HQ did not credit or could not reconcile, and its resolution.

Accepting a quarantined ledger entry credits it after all with an HQ entry of its own (the
pushed entry and its cancellation stay as they are: the ledger is append-only); rejecting
keeps it cancelled. Either way the conflict is closed, with a row of history and an audit event.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from posloyalty.domain import points
from posloyalty.hq.backoffice import audit
from posloyalty.hq.backoffice.auth import Signed
from posloyalty.hq.backoffice.members_desk import recompute
from posloyalty.hq.backoffice.roles import allowed
from posloyalty.hq.errors import BadRequest, Forbidden, NotFound
from posloyalty.hq.ingest import describe_conflict
from posloyalty.hq.ledger import active_rules, entries_for, insert_hq_entries
from posloyalty.hq.members import resolve
from posloyalty.hq.models import Conflict, ConflictResolution, LedgerEntry

__all__ = ["Queued", "can_accept", "history", "queue", "resolve_conflict"]

_ACCEPT_NS = uuid.UUID("7d3c2b1a-9e8f-4a6b-8c5d-1e2f3a4b5c6d")


@dataclass(frozen=True, slots=True)
class Queued:
    conflict: Conflict
    words: str
    points: int | None
    acceptable: bool


def can_accept(conflict: Conflict) -> bool:
    """Only a quarantined ledger entry can be credited after all."""
    return conflict.kind == "quarantined" and conflict.item_kind == "ledger_entry"


def _visible(who: Signed, store_id: str | None) -> bool:
    return allowed(who.role, "chain_wide") or (store_id is not None and store_id in who.stores)


def queue(
    session: Session, who: Signed, *, resolved: bool = False, limit: int = 200
) -> list[Queued]:
    """Open (or resolved) conflicts the operator may see, newest first."""
    query = select(Conflict).order_by(Conflict.id.desc()).limit(limit)
    query = query.where(
        Conflict.resolved_at.is_not(None) if resolved else Conflict.resolved_at.is_(None)
    )
    if not allowed(who.role, "chain_wide"):
        query = query.where(Conflict.store_id.in_(who.stores))
    rows = list(session.scalars(query))
    pushed = {
        e.id: e.points
        for e in session.scalars(
            select(LedgerEntry).where(
                LedgerEntry.id.in_([c.item_id for c in rows if can_accept(c) and c.item_id])
            )
        )
    }
    return [Queued(c, _words(c), pushed.get(c.item_id or ""), can_accept(c)) for c in rows]


def _words(conflict: Conflict) -> str:
    why = (conflict.detail or {}).get("reason")
    words = describe_conflict(conflict)
    return f"{why} — {words}" if why else words


def history(session: Session, conflict_id: int) -> list[ConflictResolution]:
    return list(
        session.scalars(
            select(ConflictResolution)
            .where(ConflictResolution.conflict_id == conflict_id)
            .order_by(ConflictResolution.id)
        )
    )


def resolve_conflict(  # noqa: PLR0917 (who, which, how, why, when)
    session: Session, who: Signed, conflict_id: int, action: str, reason: str, at: dt.datetime
) -> ConflictResolution:
    """``accept`` (credit a quarantined entry with an HQ entry) or ``reject`` (keep it as
    HQ left it); closes the conflict."""
    if not allowed(who.role, "resolve_conflicts"):
        raise Forbidden("your role may not resolve conflicts")
    conflict = session.get(Conflict, conflict_id)
    if conflict is None or not _visible(who, conflict.store_id):
        raise NotFound(f"no conflict {conflict_id}")
    if conflict.resolved_at is not None:
        raise BadRequest(f"conflict {conflict_id} is already resolved")
    why = " ".join(reason.split())
    if len(why) < 4:
        raise BadRequest("give a reason (at least 4 characters)")
    if action not in ("accept", "reject"):
        raise BadRequest("resolve with accept or reject")
    written: list[str] = []
    if action == "accept":
        if not can_accept(conflict):
            raise BadRequest("only a quarantined ledger entry can be accepted")
        written = _credit(session, conflict, why, at)
    conflict.resolved_at = at
    row = ConflictResolution(
        conflict_id=conflict_id,
        action=action,
        operator=who.username,
        reason=why,
        entries=written,
        at=at,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        at,
        who.username,
        f"conflict_{action}",
        f"conflict:{conflict_id}",
        why,
        {"kind": conflict.kind, "member": conflict.member_id, "entries": written},
    )
    return row


def _credit(session: Session, conflict: Conflict, why: str, at: dt.datetime) -> list[str]:
    pushed = session.get(LedgerEntry, conflict.item_id or "")
    if pushed is None:
        raise BadRequest("the quarantined entry is not stored at HQ")
    member_id = resolve(session, {pushed.member_ref}).get(pushed.member_ref)
    if member_id is None:
        raise BadRequest(f"member {pushed.member_ref} is not known at HQ: nothing to credit")
    rules = active_rules(session)
    if rules is None:
        raise BadRequest("no rules are published yet")
    serial = iter(range(1_000))
    try:
        entries = points.adjust(
            entries_for(session, member_id),
            rules.points,
            points=pushed.points,
            at=at,
            # Derived from the conflict: accepting twice could never credit twice.
            new_id=lambda: str(uuid.uuid5(_ACCEPT_NS, f"{conflict.id}/{next(serial)}")),
            reason=f"conflict {conflict.id} accepted: {why}",
            allow_negative_balance=True,  # the till already took the points at the counter
        )
    except points.PointsError as exc:
        raise BadRequest(str(exc)) from None
    written = insert_hq_entries(session, member_id, entries, at)
    recompute(session, member_id, at)
    return written

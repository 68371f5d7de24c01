"""HQ's rule publications read as :class:`posloyalty.domain.rollout.Publication` and kept in
force by the clock: no job runs at a scheduled instant; whoever reads next (a pull, the rules
desk, a push's verification) sees the revision in force then. :func:`settle` moves the
chain-wide ``RuleDocument.active`` flag (what HQ's own tier and points work reads, and what
tills too old to ask for their store's revision receive) to the chain-wide revision in force.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from posloyalty.domain.rollout import Publication, in_force
from posloyalty.hq.changes import emit
from posloyalty.hq.db import lock_writer
from posloyalty.hq.models import Member, RuleDocument, RulePublication, Store

__all__ = ["publications", "rule_view", "settle", "store_in_force"]


def rule_view(doc: RuleDocument) -> dict[str, Any]:
    return {"id": doc.id, "revision": doc.revision, "text": doc.text, "active": doc.active}


def _publication(row: RulePublication) -> Publication:
    return Publication(
        seq=row.id,
        doc_id=row.doc_id,
        revision=row.revision,
        effective_at=row.effective_at,
        stores=frozenset(row.stores or ()),
        regions=frozenset(row.regions or ()),
        cancelled=row.cancelled_at is not None,
        published_at=row.published_at,
    )


def publications(session: Session) -> list[Publication]:
    return [_publication(r) for r in session.scalars(select(RulePublication))]


def store_in_force(
    session: Session,
    store_id: str,
    at: dt.datetime,
    pubs: list[Publication] | None = None,
) -> Publication | None:
    """The publication in force at ``store_id`` at ``at`` (its region as HQ has it now)."""
    region = session.scalar(select(Store.region).where(Store.id == store_id))
    return in_force(publications(session) if pubs is None else pubs, store_id, region, at)


def _active_refs(session: Session) -> set[tuple[str, int]]:
    return {
        (d, int(r))
        for d, r in session.execute(
            select(RuleDocument.id, RuleDocument.revision).where(RuleDocument.active.is_(True))
        )
    }


def settle(session: Session, at: dt.datetime) -> bool:
    """Flag the chain-wide revision in force at ``at`` active (emitting the changes and marking
    members for recomputing when it moves). True when it moved."""
    chain = in_force(publications(session), None, None, at)
    want = {chain.ref} if chain is not None else set()
    if _active_refs(session) == want:
        return False
    # Another transaction may be settling too: take the writer lock, then look again.
    session.flush()
    lock_writer(session)
    session.expire_all()
    if _active_refs(session) == want:
        return False
    previously = list(session.scalars(select(RuleDocument).where(RuleDocument.active.is_(True))))
    for old in previously:
        old.active = False
    session.flush()
    doc = session.get(RuleDocument, chain.ref) if chain is not None else None
    if doc is not None:
        doc.active = True
        session.flush()
    for old in previously:
        if doc is None or old.id != doc.id:  # another scheme stops being in force
            emit(session, "rule_document", old.id, rule_view(old))
    if doc is not None:
        emit(session, "rule_document", doc.id, rule_view(doc))
    # Tiers and points may come out differently under the new rules: recompute everyone.
    session.execute(update(Member).where(Member.merged_into.is_(None)).values(dirty=True))
    return True

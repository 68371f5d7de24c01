"""Static member cards printed at the till, registered at HQ.

:func:`record_card` keeps the new card's token digest (so it verifies here at once), revokes
the member's earlier cards when it is a reissue, audits it, and queues a ``card`` outbox row,
all in one write: HQ registers the card on the next push and revokes the replaced ones at every
till (they arrive as revocations on each till's next pull).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from posloyalty.tilldb import member_codes, repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.records import OutboxMessage
from posloyalty.tilldb.types import format_ts

__all__ = ["RecordedCard", "record_card"]


@dataclass(frozen=True, slots=True)
class RecordedCard:
    digest: str
    #: The member's earlier cards revoked by this reissue.
    replaced: tuple[str, ...]


def record_card(
    db: Database,
    member_id: str,
    digest: str,
    *,
    at: dt.datetime,
    outbox_id: str,
    cashier: str,
    reissue: bool = False,
) -> RecordedCard:
    """Store a printed card and queue it for HQ (see the module docstring)."""
    with db.write() as session:
        replaced = tuple(member_codes.card_digests(session, member_id)) if reissue else ()
        for old in replaced:
            member_codes.revoke(session, old, "card", at, "replaced by a new card")
        member_codes.add_card_digest(session, member_id, digest, at)
        repo.audit(
            session,
            at=at,
            cashier=cashier,
            action="member.card",
            detail={"member": member_id, "reissue": reissue, "replaced": len(replaced)},
        )
        payload = {
            "member_id": member_id,
            "digest": digest,
            "at": format_ts(at),
            "replaces": list(replaced),
        }
        repo.queue(session, [OutboxMessage("card", outbox_id, payload)], at=at)
    return RecordedCard(digest, replaced)

"""Member cards and secrets managed at HQ.

A till that prints (or reissues) a static card pushes it as a ``card`` item: HQ registers the
card by its token digest (:func:`register_card`) and revokes the cards it replaces. An operator
revokes a card, or every card of a member (:func:`revoke_cards`), and rotates a member's secret
(:func:`rotate_secret`: a new key for the member's phone codes; the old phone shows codes no
till accepts once it has pulled). Both reach every till on its next pull: revocations are
chain-wide rows of the feed, the secret is one of the member's rows.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from posloyalty.hq.admin import revoke_card
from posloyalty.hq.enrolment import Caller
from posloyalty.hq.errors import BadRequest, NotFound
from posloyalty.hq.members import SECRET_BYTES, publish_member, set_secret
from posloyalty.hq.models import Member, MemberCard
from posloyalty.sync.protocol import CardPayload

__all__ = ["register_card", "revoke_cards", "rotate_secret"]


def register_card(
    session: Session, caller: Caller, payload: CardPayload, member_id: str, at: dt.datetime
) -> str:
    """Record the card (idempotent by digest) and revoke the member's cards it replaces;
    returns a problem ("" when none): a digest already bound to another member is refused."""
    known = session.get(MemberCard, payload.digest)
    if known is not None:
        return "" if known.member_id == member_id else "card digest bound to another member"
    session.add(
        MemberCard(
            digest=payload.digest,
            member_id=member_id,
            store_id=caller.store_id,
            terminal_id=caller.terminal_id,
            issued_at=payload.at,
        )
    )
    session.flush()
    for old in payload.replaces:
        card = session.get(MemberCard, old)
        if card is not None and card.member_id == member_id:
            revoke_card(session, old, at, f"replaced by a new card at {caller.store_id}")
    return ""


def revoke_cards(
    session: Session,
    at: dt.datetime,
    *,
    digest: str | None = None,
    member_id: str | None = None,
    reason: str = "",
) -> list[str]:
    """Revoke one card (by digest) or every card HQ knows of a member; the digests revoked now."""
    if (digest is None) == (member_id is None):
        raise BadRequest("name either a card digest or a member")
    if digest is not None:
        return [digest] if revoke_card(session, digest, at, reason) else []
    if session.get(Member, member_id) is None:
        raise NotFound(f"no member {member_id!r}")
    digests = session.scalars(
        select(MemberCard.digest)
        .where(MemberCard.member_id == member_id)
        .order_by(MemberCard.digest)
    ).all()
    return [d for d in digests if revoke_card(session, d, at, reason)]


def rotate_secret(session: Session, member_id: str) -> None:
    """Give the member a new secret for phone codes; tills receive it by pull."""
    member = session.get(Member, member_id)
    if member is None or member.merged_into is not None:
        raise NotFound(f"no member {member_id!r}")
    set_secret(session, member, secrets.token_bytes(SECRET_BYTES))
    session.flush()
    publish_member(session, member)

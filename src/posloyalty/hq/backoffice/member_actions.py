"""Member actions of the back office: revoke cards, rotate the code secret, send the member a
link to their card page, merge duplicates, erase on request. Each checks the role and the member's scope, needs a reason, and is
audited in the same transaction as the change.

Erasure (PIPL / GDPR): the sealed record is replaced by an empty one (new data key, new
secret), the phone and name blind indexes are deleted, cards are revoked, and the member is
published as gone, so tills drop it on their next pull (keeping only an anonymous row while
their own sales name it). The ledger, sales and figures stay under the member's id, which
names no one once the personal data is gone.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from posloyalty.hq import cards, members
from posloyalty.hq.backoffice import audit
from posloyalty.hq.backoffice.auth import Signed
from posloyalty.hq.backoffice.members_desk import check_member_scope, reason_of
from posloyalty.hq.backoffice.roles import Action, allowed
from posloyalty.hq.errors import BadRequest, Forbidden, Refused
from posloyalty.hq.models import AuditEvent, Member
from posloyalty.hq.pii import erase_pii, pii_of

__all__ = [
    "LINKS_PER_DAY",
    "erase",
    "link_recipient",
    "merge",
    "record_link_sent",
    "revoke_cards",
    "rotate_secret",
]

#: Card links an operator may send one member in 24 hours: a member is not to be spammed.
LINKS_PER_DAY = 3
_LINK_SENT = "send_card_link"


def _live(session: Session, who: Signed, member_id: str, action: Action) -> Member:
    if not allowed(who.role, action):
        raise Forbidden("your role may not do this")
    check_member_scope(session, who, member_id)
    member = session.get(Member, member_id)
    assert member is not None  # check_member_scope answered 404 otherwise
    if member.erased_at is not None:
        raise BadRequest("this member's personal data was erased")
    if member.merged_into is not None:
        raise BadRequest(f"this member was merged into {member.merged_into}; act on the survivor")
    return member


def revoke_cards(
    session: Session, who: Signed, member_id: str, reason: str, at: dt.datetime
) -> list[str]:
    """Revoke every card HQ knows of the member (tills refuse them after their next pull)."""
    _live(session, who, member_id, "manage_members")
    why = reason_of(reason)
    digests = cards.revoke_cards(session, at, member_id=member_id, reason=f"back office: {why}")
    audit.record(
        session, at, who.username, "revoke_cards", f"member:{member_id}", why, {"cards": digests}
    )
    return digests


def rotate_secret(
    session: Session, who: Signed, member_id: str, reason: str, at: dt.datetime
) -> None:
    """A new secret for the member's phone codes (the old codes stop verifying)."""
    _live(session, who, member_id, "manage_members")
    why = reason_of(reason)
    cards.rotate_secret(session, member_id)
    audit.record(session, at, who.username, "rotate_secret", f"member:{member_id}", why)


def link_recipient(
    session: Session, who: Signed, member_id: str, reason: str, at: dt.datetime
) -> str:
    """The phone to send the member's card link to, once the role, scope, reason and the
    daily limit allow it (:class:`Refused` over :data:`LINKS_PER_DAY`). Sending and then
    :func:`record_link_sent` are the caller's, outside this read: no lock is held while the
    SMS provider answers."""
    member = _live(session, who, member_id, "manage_members")
    reason_of(reason)
    sent = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == _LINK_SENT,
            AuditEvent.target == f"member:{member_id}",
            AuditEvent.at > at - dt.timedelta(days=1),
        )
    )
    if (sent or 0) >= LINKS_PER_DAY:
        raise Refused(f"{LINKS_PER_DAY} links were already sent to this member in 24 hours")
    phone = pii_of(session, member).phone
    if not phone:
        raise BadRequest("this member has no phone number")
    return phone


def record_link_sent(  # noqa: PLR0917 (who, whom, why, where, when)
    session: Session, who: Signed, member_id: str, reason: str, url: str, at: dt.datetime
) -> None:
    """Audit a card link the SMS provider took for the member."""
    audit.record(
        session,
        at,
        who.username,
        _LINK_SENT,
        f"member:{member_id}",
        reason_of(reason),
        {"url": url},
    )


def merge(  # noqa: PLR0917 (who, survivor, duplicate, why, when)
    session: Session, who: Signed, survivor_id: str, merged_id: str, reason: str, at: dt.datetime
) -> None:
    """Merge the duplicate ``merged_id`` into ``survivor_id`` (:func:`hq.members.merge_members`)."""
    _live(session, who, survivor_id, "manage_members")
    merged_id = merged_id.strip()
    if not merged_id:
        raise BadRequest("name the duplicate member's id")
    _live(session, who, merged_id, "manage_members")
    why = reason_of(reason)
    members.merge_members(session, survivor_id, merged_id, at, f"back office: {why}")
    audit.record(
        session, at, who.username, "merge", f"member:{survivor_id}", why, {"merged": merged_id}
    )


def erase(session: Session, who: Signed, member_id: str, reason: str, at: dt.datetime) -> None:
    """Erase the member's personal data on request (see the module docstring)."""
    member = _live(session, who, member_id, "erase_members")
    why = reason_of(reason)
    revoked = cards.revoke_cards(session, at, member_id=member_id, reason="erased on request")
    erase_pii(session, member, secrets.token_bytes(members.SECRET_BYTES))
    member.consent_at = None
    member.erased_at = at
    session.flush()
    members.publish_member(session, member)
    audit.record(session, at, who.username, "erase", f"member:{member_id}", why, {"cards": revoked})

"""The members desk: who an operator may see, a member's whole file, reveals and adjustments.

Personal data is read only through :func:`posloyalty.hq.members.member_profile`; the page
shows it masked unless the operator revealed it with a reason (audited).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from posloyalty.domain import points, tiers
from posloyalty.domain.privacy import mask_name, mask_phone
from posloyalty.hq import jobs
from posloyalty.hq.backoffice import audit
from posloyalty.hq.backoffice.auth import Signed
from posloyalty.hq.backoffice.roles import allowed
from posloyalty.hq.errors import BadRequest, Forbidden, NotFound
from posloyalty.hq.jobs import opening_start
from posloyalty.hq.ledger import active_rules, entries_for, insert_hq_entries, purchases_for
from posloyalty.hq.members import MemberProfile, aliases_of, find_members, member_profile
from posloyalty.hq.models import Conflict, Coupon, Member, MemberMerge, MemberStore, Sale

__all__ = [
    "MAX_ADJUST_POINTS",
    "MemberFile",
    "Row",
    "adjust_points",
    "check_member_scope",
    "member_file",
    "reason_of",
    "recompute",
    "reveal",
    "search",
]

#: Points one back office adjustment may move either way.
MAX_ADJUST_POINTS = 10_000
_REASON_MIN = 4


def _member_stores(session: Session, member_id: str) -> set[str]:
    stores = set(
        session.scalars(select(MemberStore.store_id).where(MemberStore.member_id == member_id))
    )
    home = session.scalar(select(Member.home_store).where(Member.id == member_id))
    return stores | ({home} if home else set())


def check_member_scope(session: Session, who: Signed, member_id: str) -> None:
    """Refuse (403) a member outside a store manager's stores; 404 an unknown member."""
    if session.get(Member, member_id) is None:
        raise NotFound(f"no member {member_id}")
    if allowed(who.role, "chain_wide"):
        return
    if not _member_stores(session, member_id) & set(who.stores):
        raise Forbidden("this member belongs to another store")


@dataclass(frozen=True, slots=True)
class Row:
    """A search result: masked."""

    member_id: str
    phone: str
    name: str
    home_store: str
    tier: str
    available: int


def search(session: Session, who: Signed, text: str) -> list[Row]:
    """Members matching ``text`` that the operator may see, masked."""
    out = []
    ids = find_members(session, text)
    scoped = set(ids)
    if not allowed(who.role, "chain_wide") and ids:
        scoped = set(
            session.scalars(
                select(Member.id)
                .outerjoin(MemberStore, MemberStore.member_id == Member.id)
                .where(
                    Member.id.in_(ids),
                    or_(Member.home_store.in_(who.stores), MemberStore.store_id.in_(who.stores)),
                )
            )
        )
    for member_id in ids:
        if member_id not in scoped:
            continue
        profile = member_profile(session, member_id)
        member = session.get(Member, member_id)
        if profile is None or member is None:
            continue
        state = member.state or {}
        out.append(
            Row(
                member_id=member_id,
                phone=mask_phone(profile.phone),
                name=mask_name(profile.name) if profile.name.strip() else "",
                home_store=profile.home_store or "",
                tier=str(state.get("tier") or ""),
                available=int(state.get("available", 0)),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class MemberFile:
    """Everything the member page shows (profile masked)."""

    member_id: str
    phone: str
    name: str
    birthday: str
    home_store: str
    registered_at: dt.datetime
    aliases: list[str]
    stores: list[str]
    state: dict[str, Any]
    balance: points.Balance
    tier: tiers.TierStatus | None
    rules: str
    lots: list[points.Lot]
    entries: list[points.LedgerEntry]
    sales: list[Sale]
    coupons: list[Coupon]
    merges: list[MemberMerge]
    conflicts: list[Conflict]
    #: Personal data erased on request (the actions are gone with it).
    erased: bool = False


def _masked_birthday(profile: MemberProfile) -> str:
    return "****-**-**" if profile.birthday else ""


def member_file(session: Session, who: Signed, member_id: str, at: dt.datetime) -> MemberFile:
    check_member_scope(session, who, member_id)
    profile = member_profile(session, member_id)
    member = session.get(Member, member_id)
    assert profile is not None and member is not None
    aliases = aliases_of(session, member_id)
    rules = active_rules(session)
    entries = entries_for(session, member_id)
    status = None
    if rules is not None:
        purchases = purchases_for(session, member_id, rules.growth.per_yuan)
        status = tiers.tier_status(
            rules.tiers,
            purchases,
            at,
            growth_per_yuan=rules.growth.per_yuan,
            start=opening_start((member.state or {}).get("opening")),
        )
    return MemberFile(
        member_id=member_id,
        phone=mask_phone(profile.phone),
        name=mask_name(profile.name) if profile.name.strip() else "",
        birthday=_masked_birthday(profile),
        home_store=profile.home_store or "",
        registered_at=profile.registered_at,
        aliases=[a for a in aliases if a != member_id],
        stores=sorted(_member_stores(session, member_id)),
        state=dict(member.state or {}),
        balance=points.balance(entries, at),
        tier=status,
        rules=f"{rules.id}@{rules.revision}" if rules else "",
        lots=sorted(points.lots(entries, at), key=lambda lot: lot.created_at or at, reverse=True),
        entries=list(reversed(entries)),
        sales=list(
            session.scalars(
                select(Sale).where(Sale.member_ref.in_(aliases)).order_by(Sale.at.desc()).limit(200)
            )
        ),
        coupons=list(
            session.scalars(
                select(Coupon)
                .where(Coupon.member_id == member_id)
                .order_by(Coupon.issued_at.desc())
            )
        ),
        merges=list(
            session.scalars(
                select(MemberMerge)
                .where(
                    or_(MemberMerge.survivor_id == member_id, MemberMerge.merged_id.in_(aliases))
                )
                .order_by(MemberMerge.at.desc())
            )
        ),
        conflicts=list(
            session.scalars(
                select(Conflict).where(Conflict.member_id.in_(aliases)).order_by(Conflict.id.desc())
            )
        ),
        erased=member.erased_at is not None,
    )


def reason_of(reason: str) -> str:
    """The reason an action gives, tidied; refused (400) when too short."""
    reason = " ".join(reason.split())
    if len(reason) < _REASON_MIN:
        raise BadRequest(f"give a reason (at least {_REASON_MIN} characters)")
    return reason[:500]


def reveal(
    session: Session, who: Signed, member_id: str, reason: str, at: dt.datetime
) -> MemberProfile:
    """The member's personal data unmasked, for an operator whose role may reveal, with a
    reason; audited in the same transaction."""
    if not allowed(who.role, "reveal"):
        raise Forbidden("your role may not reveal personal data")
    check_member_scope(session, who, member_id)
    why = reason_of(reason)
    profile = member_profile(session, member_id)
    assert profile is not None
    audit.record(session, at, who.username, "reveal", f"member:{member_id}", why)
    return profile


def recompute(session: Session, member_id: str, at: dt.datetime) -> None:
    """Recompute the member at once (as the jobs would), so the next page shows the result."""
    member = session.get(Member, member_id)
    if member is not None and member.merged_into is None:
        jobs.recompute_member(session, member, active_rules(session), at, jobs.JobReport())


def adjust_points(  # noqa: PLR0917 (who, whom, how much, why, when)
    session: Session, who: Signed, member_id: str, amount: int, reason: str, at: dt.datetime
) -> list[str]:
    """Add (positive) or take (negative) points with a reason, as HQ ledger entries
    (:func:`posloyalty.hq.ledger.insert_hq_entries`, like every HQ entry); bounded by
    :data:`MAX_ADJUST_POINTS`; a deduction never goes below the available balance."""
    if not allowed(who.role, "adjust_points"):
        raise Forbidden("your role may not adjust points")
    check_member_scope(session, who, member_id)
    why = reason_of(reason)
    if amount == 0:
        raise BadRequest("an adjustment of zero points changes nothing")
    if abs(amount) > MAX_ADJUST_POINTS:
        raise BadRequest(f"at most {MAX_ADJUST_POINTS} points either way in one adjustment")
    rules = active_rules(session)
    if rules is None:
        raise BadRequest("no rules are published yet")
    member = session.get(Member, member_id)
    if member is None or member.merged_into is not None:
        raise BadRequest("this member was merged into another; adjust the survivor")
    try:
        new = points.adjust(
            entries_for(session, member_id),
            rules.points,
            points=amount,
            at=at,
            new_id=lambda: str(uuid.uuid4()),
            reason=f"back office: {why}",
        )
    except points.PointsError as exc:
        raise BadRequest(str(exc)) from None
    ids = insert_hq_entries(session, member_id, new, at)
    recompute(session, member_id, at)
    audit.record(
        session,
        at,
        who.username,
        "adjust_points",
        f"member:{member_id}",
        why,
        {"points": amount, "entries": ids},
    )
    return ids

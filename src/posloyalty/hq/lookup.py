"""Online member lookup: a till asks HQ about a member its slice does not hold.

Only a proof of presence lets HQ tell a store about a member (the presence rules of
:mod:`posloyalty.hq.authority`): a phone code that verifies against the member's secret at HQ's
time. Then the member is linked to the caller's store (:func:`members.link_store`) and the
answer carries the member's rows exactly as the store's next pull would deliver them (member
view, secret, coupons, ledger entries). A phone number, a member id or a static card proves
nothing: unless the member is already in the store's slice, the answer is ``needs_code``, the
same whether or not such a member exists, so a till cannot use lookups to find out who is a
member.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from posloyalty.domain import codes
from posloyalty.domain.codes import DynamicMemberCode, ScanError
from posloyalty.hq.enrolment import Caller
from posloyalty.hq.errors import BadRequest
from posloyalty.hq.members import (
    link_store,
    members_by_phone_index,
    phone_digest,
    resolve,
    secret_of,
)
from posloyalty.hq.models import Change, Member, MemberStore
from posloyalty.sync.protocol import Change as WireChange
from posloyalty.sync.protocol import LookupRequest, LookupResponse

__all__ = ["lookup_member"]

#: The change kinds a store's slice holds about one member.
_MEMBER_KINDS = ("member", "member_secret", "coupon", "ledger_entry")


def lookup_member(
    session: Session,
    caller: Caller,
    request: LookupRequest,
    at: dt.datetime,
    *,
    recent_days: int,
) -> LookupResponse:
    """Answer a till's lookup (see the module docstring); writes the store link when proven."""
    if request.by == "code":
        return _by_code(session, caller, request.value, at, recent_days)
    member_id = _by_phone(session, request.value) if request.by == "phone" else None
    if request.by == "member_id":
        member_id = resolve(session, {request.value.strip().upper()}).get(
            request.value.strip().upper()
        )
    if member_id is not None and _in_slice(session, member_id, caller.store_id, at, recent_days):
        return _found(session, member_id, at)
    return LookupResponse(status="needs_code", server_time=at)


def _by_phone(session: Session, phone: str) -> str | None:
    try:
        digest = phone_digest(session, phone)
    except BadRequest:
        return None
    found = members_by_phone_index(session, digest)
    return found[0] if found else None


def _by_code(
    session: Session, caller: Caller, text: str, at: dt.datetime, recent_days: int
) -> LookupResponse:
    try:
        parsed = codes.parse_scan(text)
    except ScanError as exc:
        return LookupResponse(status="refused", reason=exc.message, server_time=at)
    if not isinstance(parsed, DynamicMemberCode):
        # A printed card or a provisional code is no proof that the member is here.
        return LookupResponse(status="needs_code", server_time=at)
    member = session.get(Member, str(parsed.member_id))
    if member is None or member.merged_into is not None:
        return LookupResponse(status="not_found", server_time=at)
    result = codes.verify_dynamic(parsed, secret_of(session, member), int(at.timestamp()))
    if not result.ok:
        return LookupResponse(status="refused", reason=result.message, server_time=at)
    link_store(session, member.id, caller.store_id, at, recent_days=recent_days)
    return _found(session, member.id, at)


def _in_slice(
    session: Session, member_id: str, store_id: str, at: dt.datetime, recent_days: int
) -> bool:
    link = session.get(MemberStore, (member_id, store_id))
    return link is not None and (
        link.home or link.last_seen_at >= at - dt.timedelta(days=recent_days)
    )


def _secret_filled(session: Session, kind: str, data: Any) -> Any:
    """A member-secret row with its secret put in from the member's sealed data, as the pull
    does (the change feed keeps none)."""
    if kind == "member_secret" and isinstance(data, dict) and "secret" in data:
        member = session.get(Member, str(data.get("member_id")))
        if member is not None:
            data["secret"] = secret_of(session, member).hex()
    return data


def _found(session: Session, member_id: str, at: dt.datetime) -> LookupResponse:
    rows = session.execute(
        select(Change.seq, Change.kind, Change.key, cast(Change.data, Text))
        .where(Change.member_id == member_id, Change.kind.in_(_MEMBER_KINDS))
        .order_by(Change.seq)
    )
    changes = [
        WireChange(
            seq=int(seq),
            kind=kind,  # type: ignore[arg-type]
            key=key,
            data=_secret_filled(session, kind, json.loads(data) if data is not None else None),
        )
        for seq, kind, key, data in rows
    ]
    return LookupResponse(status="found", member_id=member_id, changes=changes, server_time=at)

"""A member's own session after signing in with phone + SMS code: a signed, expiring token
bound to one device.

The token is ``<member id>.<expiry, Unix seconds>.<device>.<mac>``: HMAC-SHA256 under HQ's key
(settings ``member_session_key``, made on first use) over the member id, expiry and device,
base64url and truncated to 24 bytes. The member's one bound device is a row of
``member_devices``: each sign-in (and self-registration) binds a new device. Binding one when
another was bound ends the old device's session (:class:`DeviceReplaced`) and rotates the
member's secret (``hq.cards.rotate_secret``), so codes the old page makes stop verifying at
every till after its next pull. :func:`sign_in` checks the code and finds the member.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets

from sqlalchemy.orm import Session

from posloyalty.hq.cards import rotate_secret
from posloyalty.hq.errors import HqError
from posloyalty.hq.members import members_by_phone_index, phone_digest
from posloyalty.hq.models import Member, MemberDevice, Setting
from posloyalty.hq.phone_codes import consume_code

__all__ = ["SESSION_TTL", "DeviceReplaced", "make_session", "member_of_session", "sign_in"]

SESSION_TTL = dt.timedelta(days=30)
KEY_SETTING = "member_session_key"
_TOKEN_RE = re.compile(r"^([0-9A-Z]{1,16})\.(\d{1,11})\.([0-9a-f]{24})\.([A-Za-z0-9_-]{32})$")


class DeviceReplaced(HqError):
    """A genuine session of a device the member has since replaced by signing in elsewhere."""

    def __init__(self) -> None:
        super().__init__("signed in on another device")


def _key(session: Session) -> bytes:
    row = session.get(Setting, KEY_SETTING)
    if row is None:
        row = Setting(key=KEY_SETTING, value=secrets.token_hex(32))
        session.add(row)
        session.flush()
    return bytes.fromhex(row.value)


def _mac(key: bytes, member_id: str, expires: int, device: str) -> str:
    message = f"posloyalty/member-session/2\x00{member_id}\x00{expires}\x00{device}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:24]
    return base64.urlsafe_b64encode(digest).decode()


def make_session(session: Session, member_id: str, at: dt.datetime) -> str:
    """Bind a new device to the member and return its session token; a device bound before
    is replaced (its session ends, the member's secret is rotated)."""
    device = secrets.token_hex(12)
    bound = session.get(MemberDevice, member_id)
    if bound is None:
        session.add(MemberDevice(member_id=member_id, device=device, bound_at=at))
    else:
        bound.device, bound.bound_at = device, at
        rotate_secret(session, member_id)
    session.flush()
    expires = int((at + SESSION_TTL).timestamp())
    return f"{member_id}.{expires}.{device}.{_mac(_key(session), member_id, expires, device)}"


def member_of_session(session: Session, token: str, at: dt.datetime) -> str | None:
    """The member a live, genuine session token of the bound device names (None otherwise);
    :class:`DeviceReplaced` when the token is genuine but its device no longer bound."""
    match = _TOKEN_RE.match(token.strip())
    if match is None:
        return None
    member_id, expires_text, device, mac = match.groups()
    expires = int(expires_text)
    if not hmac.compare_digest(mac, _mac(_key(session), member_id, expires, device)):
        return None
    if at.timestamp() >= expires:
        return None
    member = session.get(Member, member_id)
    if member is None or member.merged_into is not None:
        return None
    bound = session.get(MemberDevice, member_id)
    if bound is None or not hmac.compare_digest(bound.device, device):
        raise DeviceReplaced()
    return member_id


def sign_in(session: Session, phone: str, code: str, at: dt.datetime) -> str | None:
    """A session token for the member whose phone ``code`` was sent to, on a newly bound
    device; None when the code is wrong, used or expired (or the phone is no member)."""
    digest = phone_digest(session, phone)
    if not consume_code(session, digest, "sign_in", code, at):
        return None
    found = members_by_phone_index(session, digest)
    return make_session(session, found[0], at) if found else None

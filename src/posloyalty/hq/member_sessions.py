"""A member's own session after signing in with phone + SMS code: a signed, expiring token.

The token is ``<member id>.<expiry, Unix seconds>.<mac>``: HMAC-SHA256 under HQ's key
(settings ``member_session_key``, made on first use) over the member id and expiry, base64url
and truncated to 24 bytes. Nothing is stored per session; a member's sessions end with the key
or with their expiry. :func:`sign_in` checks the code and finds the member.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets

from sqlalchemy.orm import Session

from posloyalty.hq.members import members_by_phone_index, phone_digest
from posloyalty.hq.models import Member, Setting
from posloyalty.hq.phone_codes import consume_code

__all__ = ["SESSION_TTL", "make_session", "member_of_session", "sign_in"]

SESSION_TTL = dt.timedelta(days=30)
KEY_SETTING = "member_session_key"
_TOKEN_RE = re.compile(r"^([0-9A-Z]{1,16})\.(\d{1,11})\.([A-Za-z0-9_-]{32})$")


def _key(session: Session) -> bytes:
    row = session.get(Setting, KEY_SETTING)
    if row is None:
        row = Setting(key=KEY_SETTING, value=secrets.token_hex(32))
        session.add(row)
        session.flush()
    return bytes.fromhex(row.value)


def _mac(key: bytes, member_id: str, expires: int) -> str:
    digest = hmac.new(
        key, f"posloyalty/member-session/1\x00{member_id}\x00{expires}".encode(), hashlib.sha256
    ).digest()[:24]
    return base64.urlsafe_b64encode(digest).decode()


def make_session(session: Session, member_id: str, at: dt.datetime) -> str:
    expires = int((at + SESSION_TTL).timestamp())
    return f"{member_id}.{expires}.{_mac(_key(session), member_id, expires)}"


def member_of_session(session: Session, token: str, at: dt.datetime) -> str | None:
    """The member a live, genuine session token names (None otherwise)."""
    match = _TOKEN_RE.match(token.strip())
    if match is None:
        return None
    member_id, expires_text, mac = match.groups()
    expires = int(expires_text)
    if not hmac.compare_digest(mac, _mac(_key(session), member_id, expires)):
        return None
    if at.timestamp() >= expires:
        return None
    member = session.get(Member, member_id)
    return member_id if member is not None and member.merged_into is None else None


def sign_in(session: Session, phone: str, code: str, at: dt.datetime) -> str | None:
    """A session token for the member whose phone ``code`` was sent to; None when the code is
    wrong, used or expired (or the phone is no member)."""
    digest = phone_digest(session, phone)
    if not consume_code(session, digest, "sign_in", code, at):
        return None
    found = members_by_phone_index(session, digest)
    return make_session(session, found[0], at) if found else None

"""Stores, terminal enrolment and terminal credentials.

An operator makes a single-use, short-lived enrolment code bound to one store; a terminal
exchanges it once for a random bearer token. HQ keeps SHA-256 digests of codes and tokens only,
so a copy of the database gives no usable credential.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from posloyalty.domain.codes import to_base36
from posloyalty.hq.errors import BadRequest, Forbidden, NotAuthenticated, NotFound
from posloyalty.hq.members import chain_phone_key
from posloyalty.hq.models import EnrolmentCode, Store, Terminal

DEFAULT_CODE_TTL = dt.timedelta(minutes=15)
MAX_CODE_TTL = dt.timedelta(days=7)
_CODE_CHARS = 12
_STORE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def _digest(kind: str, secret: str) -> str:
    return hashlib.sha256(f"posloyalty/{kind}\x00{secret}".encode()).hexdigest()


def _normalise_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def ensure_store(session: Session, store_id: str, at: dt.datetime, name: str = "") -> Store:
    if not _STORE_RE.match(store_id):
        raise BadRequest(f"store id {store_id!r} must be 1-32 letters, digits, _ or -")
    store = session.get(Store, store_id)
    if store is None:
        store = Store(id=store_id, name=name or store_id, created_at=at)
        session.add(store)
        session.flush()
    return store


def make_enrolment_code(
    session: Session, store_id: str, at: dt.datetime, ttl: dt.timedelta = DEFAULT_CODE_TTL
) -> str:
    """A new single-use code for ``store_id`` (created if new), valid for ``ttl``.

    Returned grouped for reading aloud (``ABCD-EFGH-JKLM``); dashes and case do not matter.
    """
    if not dt.timedelta(0) < ttl <= MAX_CODE_TTL:
        raise BadRequest(f"an enrolment code lives between 1 s and {MAX_CODE_TTL.days} days")
    ensure_store(session, store_id, at)
    code = to_base36(secrets.randbits(62), _CODE_CHARS)
    session.add(
        EnrolmentCode(
            code_hash=_digest("enrol", code), store_id=store_id, created_at=at, expires_at=at + ttl
        )
    )
    session.flush()
    return "-".join(code[i : i + 4] for i in range(0, _CODE_CHARS, 4))


@dataclass(frozen=True, slots=True)
class Enrolment:
    terminal_id: str
    store_id: str
    token: str
    phone_key: str


def enroll(session: Session, code: str, at: dt.datetime, name: str = "") -> Enrolment:
    """Exchange an enrolment code for a new terminal and its bearer token (shown only now)."""
    digest = _digest("enrol", _normalise_code(code))
    row = session.get(EnrolmentCode, digest)
    if row is None or row.used_at is not None or row.expires_at <= at:
        raise Forbidden("this enrolment code is unknown, used or expired; ask HQ for a new one")
    terminal_id = "T" + to_base36(secrets.randbits(40), 8)
    token = secrets.token_urlsafe(32)
    # Single use even under concurrent exchanges: only one UPDATE can flip used_at.
    claimed = session.execute(
        update(EnrolmentCode)
        .where(EnrolmentCode.code_hash == digest, EnrolmentCode.used_at.is_(None))
        .values(used_at=at, terminal_id=terminal_id)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Forbidden("this enrolment code is unknown, used or expired; ask HQ for a new one")
    session.add(
        Terminal(
            id=terminal_id,
            store_id=row.store_id,
            name=name,
            token_hash=_digest("token", token),
            created_at=at,
            last_cursor=0,
        )
    )
    session.flush()
    return Enrolment(terminal_id, row.store_id, token, chain_phone_key(session))


@dataclass(frozen=True, slots=True)
class Caller:
    terminal_id: str
    store_id: str


def authenticate(session: Session, authorization: str | None) -> Caller:
    """The terminal behind an ``Authorization: Bearer`` header value.

    Raises :class:`NotAuthenticated` when absent or unknown, :class:`Forbidden` when revoked.
    """
    if not authorization:
        raise NotAuthenticated("missing Authorization: Bearer credential; enrol the terminal")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        raise NotAuthenticated("the Authorization header must be 'Bearer <terminal token>'")
    terminal = session.scalar(
        select(Terminal).where(Terminal.token_hash == _digest("token", token))
    )
    if terminal is None:
        raise NotAuthenticated("unknown terminal credential; enrol the terminal again")
    if terminal.revoked_at is not None:
        raise Forbidden(f"terminal {terminal.id} has been revoked by HQ")
    return Caller(terminal.id, terminal.store_id)


def revoke_terminal(session: Session, terminal_id: str, at: dt.datetime) -> bool:
    """Revoke a terminal's credential; False when it was already revoked."""
    terminal = session.get(Terminal, terminal_id)
    if terminal is None:
        raise NotFound(f"no terminal {terminal_id!r}")
    if terminal.revoked_at is not None:
        return False
    terminal.revoked_at = at
    session.flush()
    return True

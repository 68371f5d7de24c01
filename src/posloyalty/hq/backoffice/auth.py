"""Operators: accounts, argon2id passwords, lockout, an optional TOTP second factor, and
server-side sessions with a CSRF token each.

A browser holds only a random session token (cookie); HQ stores its SHA-256 with the
operator, the session's CSRF token and its expiry. Every sign-in, failure, lock and account
change is audited (:mod:`.audit`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from posloyalty.hq.backoffice import audit
from posloyalty.hq.backoffice.roles import is_role
from posloyalty.hq.errors import BadRequest
from posloyalty.hq.models import Operator, OperatorSession

__all__ = [
    "LOCK_AFTER",
    "LOCK_FOR",
    "MIN_PASSWORD",
    "SESSION_TTL",
    "SignIn",
    "Signed",
    "change_password",
    "check_totp",
    "create_operator",
    "end_session",
    "load_session",
    "new_totp_secret",
    "password_matches",
    "set_totp",
    "sign_in",
    "start_session",
    "totp_uri",
]

#: Failed sign-ins in a row that lock an account, and for how long.
LOCK_AFTER = 5
LOCK_FOR = dt.timedelta(minutes=15)
SESSION_TTL = dt.timedelta(hours=8)
MIN_PASSWORD = 12
_USERNAME = re.compile(r"^[A-Za-z0-9._-]{3,64}$")
_HASHER = PasswordHasher()
#: Verified against when the username is unknown, so that takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise BadRequest(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > 256:
        raise BadRequest("a password has at most 256 characters")


def create_operator(  # noqa: PLR0917 (an account's fields)
    session: Session,
    username: str,
    password: str,
    role: str,
    at: dt.datetime,
    stores: list[str] | None = None,
    *,
    by: str | None = None,
) -> Operator:
    """A new operator; a store manager needs at least one store, the other roles none."""
    if not _USERNAME.match(username):
        raise BadRequest("a username is 3-64 letters, digits, '.', '_' or '-'")
    if not is_role(role):
        raise BadRequest(f"unknown role {role!r}: hq_admin, marketing, store_manager or auditor")
    stores = sorted({s.strip() for s in stores or [] if s.strip()})
    if role == "store_manager" and not stores:
        raise BadRequest("a store manager needs at least one store")
    if role != "store_manager" and stores:
        raise BadRequest("only a store manager is limited to stores")
    _check_password(password)
    if session.scalar(select(Operator.id).where(Operator.username == username)) is not None:
        raise BadRequest(f"there is already an operator {username!r}")
    operator = Operator(
        username=username,
        password_hash=_HASHER.hash(password),
        role=role,
        stores=stores,
        totp_secret=None,
        failed_logins=0,
        locked_until=None,
        disabled=False,
        created_at=at,
    )
    session.add(operator)
    session.flush()
    audit.record(
        session,
        at,
        by,
        "operator_created",
        f"operator:{username}",
        detail={"role": role, "stores": stores},
    )
    return operator


def password_matches(operator: Operator, password: str) -> bool:
    try:
        return bool(_HASHER.verify(operator.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def change_password(session: Session, operator: Operator, password: str, at: dt.datetime) -> None:
    _check_password(password)
    operator.password_hash = _HASHER.hash(password)
    session.execute(delete(OperatorSession).where(OperatorSession.operator_id == operator.id))
    audit.record(
        session, at, operator.username, "password_changed", f"operator:{operator.username}"
    )


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="posloyalty HQ")


def check_totp(secret: str, code: str, at: dt.datetime) -> bool:
    """Whether ``code`` is the TOTP of ``secret`` at ``at`` (one step either side)."""
    code = code.strip().replace(" ", "")
    return code.isdigit() and pyotp.TOTP(secret).verify(code, for_time=at, valid_window=1)


def set_totp(
    session: Session, operator: Operator, secret: str | None, code: str, at: dt.datetime
) -> None:
    """Turn the second factor on (``secret`` and a code it produced) or off (None, and a code
    of the current secret)."""
    current = secret if secret is not None else operator.totp_secret
    if current is None:
        raise BadRequest("no second factor is set up")
    if not check_totp(current, code, at):
        raise BadRequest("that code is not right; check the clock of the authenticator")
    operator.totp_secret = secret
    action = "totp_enabled" if secret else "totp_disabled"
    audit.record(session, at, operator.username, action, f"operator:{operator.username}")


@dataclass(frozen=True, slots=True)
class SignIn:
    """The outcome of a sign-in: ``operator`` when it succeeded, else ``problem`` (a catalogue
    key: ``bad_credentials``, ``locked``, ``need_totp``, ``bad_totp``)."""

    operator: Operator | None
    problem: str = ""


def sign_in(session: Session, username: str, password: str, totp: str, at: dt.datetime) -> SignIn:
    """Check a username, password and (when set up) TOTP code; count failures and lock."""
    operator = session.scalar(select(Operator).where(Operator.username == username))
    if operator is None or operator.disabled:
        with contextlib.suppress(VerificationError):
            _HASHER.verify(_DUMMY_HASH, password)
        audit.record(session, at, None, "sign_in_failed", f"operator:{username[:64]}")
        return SignIn(None, "bad_credentials")
    if operator.locked_until is not None and operator.locked_until > at:
        audit.record(session, at, None, "sign_in_locked", f"operator:{username}")
        return SignIn(None, "locked")
    ok = password_matches(operator, password)
    problem = "" if ok else "bad_credentials"
    if ok and operator.totp_secret is not None:
        if not totp.strip():
            problem = "need_totp"
        elif not check_totp(operator.totp_secret, totp, at):
            problem = "bad_totp"
    if problem:
        if problem != "need_totp":
            operator.failed_logins += 1
            if operator.failed_logins >= LOCK_AFTER:
                operator.locked_until = at + LOCK_FOR
                operator.failed_logins = 0
                audit.record(session, at, None, "operator_locked", f"operator:{username}")
        audit.record(session, at, None, "sign_in_failed", f"operator:{username}", problem)
        return SignIn(None, problem)
    operator.failed_logins = 0
    operator.locked_until = None
    if _HASHER.check_needs_rehash(operator.password_hash):
        operator.password_hash = _HASHER.hash(password)
    audit.record(session, at, username, "signed_in", f"operator:{username}")
    return SignIn(operator)


@dataclass(frozen=True, slots=True)
class Signed:
    """A live session: who, and the CSRF token its forms must carry."""

    operator_id: int
    username: str
    role: str
    stores: tuple[str, ...]
    csrf: str
    token_hash: str


def start_session(session: Session, operator: Operator, at: dt.datetime) -> tuple[str, str]:
    """A new session for ``operator``: (the cookie token, the CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.execute(delete(OperatorSession).where(OperatorSession.expires_at <= at))
    session.add(
        OperatorSession(
            token_hash=_digest(token),
            operator_id=operator.id,
            csrf=csrf,
            created_at=at,
            expires_at=at + SESSION_TTL,
        )
    )
    session.flush()
    return token, csrf


def load_session(session: Session, token: str | None, at: dt.datetime) -> Signed | None:
    """The live session of a cookie token (None: none, expired, or the operator disabled)."""
    if not token or len(token) > 128:
        return None
    row = session.execute(
        select(OperatorSession, Operator)
        .join(Operator, Operator.id == OperatorSession.operator_id)
        .where(OperatorSession.token_hash == _digest(token))
    ).one_or_none()
    if row is None:
        return None
    live, operator = row
    if live.expires_at <= at or operator.disabled:
        return None
    return Signed(
        operator_id=operator.id,
        username=operator.username,
        role=operator.role,
        stores=tuple(operator.stores or ()),
        csrf=live.csrf,
        token_hash=live.token_hash,
    )


def end_session(session: Session, signed: Signed, at: dt.datetime) -> None:
    session.execute(delete(OperatorSession).where(OperatorSession.token_hash == signed.token_hash))
    audit.record(session, at, signed.username, "signed_out", f"operator:{signed.username}")

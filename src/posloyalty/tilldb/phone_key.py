"""The till's phone key: the HMAC key of its phone lookup hashes, kept beside the database.

A till stores members' phones only masked (``138****5678``) with a lookup hash. With the key in
the database file, that file alone gave every number back in at most 10^4 hashes; so the key
lives in ``<db>.phonekey`` (mode 0600) next to it, like the terminal key and the credential
file. An enrolled till holds the chain's key from HQ (hashes must match across stores); a demo
or stand-alone till makes its own. A database from before keeps its old ``phone_salt``
setting until the key is moved out (:func:`ensure_phone_key`, :func:`set_phone_key`).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from posloyalty.tilldb.errors import StoreDataError
from posloyalty.tilldb.models import Setting

__all__ = [
    "LEGACY_SETTING",
    "ensure_phone_key",
    "phone_key",
    "phone_key_path",
    "read_phone_key",
    "set_phone_key",
]

#: Where databases of earlier versions kept a salt (in the database file itself).
LEGACY_SETTING = "phone_salt"


def phone_key_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".phonekey")


def _path(session: Session) -> Path:
    database = session.get_bind().engine.url.database
    if not database or database == ":memory:":
        raise StoreDataError("the phone key lives beside a database file; this one has none")
    return phone_key_path(Path(database))


def _write(path: Path, key: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, key.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _legacy(session: Session) -> str | None:
    return session.scalar(select(Setting.value).where(Setting.key == LEGACY_SETTING))


def read_phone_key(session: Session) -> str | None:
    """The key, or None when the till has none yet (a legacy salt is moved to the file)."""
    path = _path(session)
    try:
        key = path.read_text("ascii").strip()
    except FileNotFoundError:
        key = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreDataError(f"{path}: the phone key is unreadable ({exc})") from None
    if key:
        return key
    legacy = _legacy(session)
    if legacy:
        _write(path, legacy)
        return legacy
    return None


def phone_key(session: Session) -> str:
    key = read_phone_key(session)
    if key is None:
        raise StoreDataError(
            "the terminal has no phone key; run `posloyalty terminal init` or enrol it"
        )
    return key


def _drop_legacy(session: Session) -> None:
    session.execute(delete(Setting).where(Setting.key == LEGACY_SETTING))


def ensure_phone_key(session: Session) -> str:
    """The till's key, made when it has none (a write session: a legacy salt leaves the
    database)."""
    key = read_phone_key(session)
    if key is None:
        key = secrets.token_hex(32)
        _write(_path(session), key)
    _drop_legacy(session)
    return key


def set_phone_key(session: Session, key: str, *, members: int) -> None:
    """Adopt the chain's key from HQ (enrolment). Refused once ``members`` are hashed under
    another key, since their stored hashes would no longer match."""
    if not key:
        raise StoreDataError("the phone key must not be empty")
    current = read_phone_key(session)
    if current != key:
        if current is not None and members:
            raise StoreDataError(
                "members are stored under another phone key; start from an empty member directory"
            )
        _write(_path(session), key)
    _drop_legacy(session)

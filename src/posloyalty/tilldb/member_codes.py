"""Repositories of the member-code tables (schema v3): sealed secrets, card digests,
revocations, the persisted replay cache, provisional sequences and welcome grants.

Like :mod:`posloyalty.tilldb.repo`, functions take the session of a ``db.write()`` /
``db.read()`` block and never commit. They talk to the DBAPI connection directly: identifying
a member is on the till's hot path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from posloyalty.domain.codes import RevocationList
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.errors import StoreDataError, translate
from posloyalty.tilldb.types import dump_json, format_ts
from posloyalty.tilldb.vault import Vault, VaultError

REVOCATION_KINDS = ("card", "provisional")


def _raw(session: Session) -> sqlite3.Connection:
    conn = session.connection().connection.driver_connection
    assert isinstance(conn, sqlite3.Connection)
    return conn


def _secret_aad(member_id: str) -> bytes:
    return b"posloyalty/member-secret\x00" + member_id.encode()


def provisional_digest(payload: str) -> str:
    """What the revocation list keeps of a provisional code (its SHA-256)."""
    return hashlib.sha256(b"posloyalty/P1\x00" + payload.encode("ascii")).hexdigest()


# --------------------------------------------------------------------------- member secrets


def put_member_secret(
    session: Session, vault: Vault, member_id: str, secret: bytes, at: dt.datetime
) -> None:
    """Store (or replace) a member's dynamic-code secret, sealed under the terminal key."""
    sealed = vault.seal(secret, _secret_aad(member_id))
    try:
        _raw(session).execute(
            "INSERT INTO member_secrets (member, key_id, sealed, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (member) DO UPDATE SET key_id = excluded.key_id,"
            " sealed = excluded.sealed, updated_at = excluded.updated_at",
            (member_id, vault.key_id, sealed, format_ts(at)),
        )
    except sqlite3.IntegrityError as exc:
        raise StoreDataError(f"secret of member {member_id}: refused ({exc})") from exc


def put_member_secrets(
    session: Session, vault: Vault, secrets: Iterable[tuple[str, bytes]], at: dt.datetime
) -> int:
    """Bulk :func:`put_member_secret` (slice loads, demo data); returns the number stored."""
    when = format_ts(at)
    rows = [
        (member, vault.key_id, vault.seal(secret, _secret_aad(member)), when)
        for member, secret in secrets
    ]
    try:
        _raw(session).executemany(
            "INSERT INTO member_secrets (member, key_id, sealed, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (member) DO UPDATE SET key_id = excluded.key_id,"
            " sealed = excluded.sealed, updated_at = excluded.updated_at",
            rows,
        )
    except sqlite3.IntegrityError as exc:
        raise StoreDataError(f"member secrets: refused ({exc})") from exc
    return len(rows)


def member_secret(session: Session, vault: Vault | None, member_id: str) -> bytes | None:
    """The member's secret in clear (in memory only), or None when the terminal has none.

    Raises :class:`~posloyalty.tilldb.vault.VaultError` when the sealed secret does not open.
    """
    row = (
        _raw(session)
        .execute("SELECT key_id, sealed FROM member_secrets WHERE member = ?", (member_id,))
        .fetchone()
    )
    if row is None:
        return None
    if vault is None or row[0] != vault.key_id:
        raise VaultError(
            f"the secret of member {member_id} is sealed under terminal key {row[0]}, which "
            "this process does not hold"
        )
    return vault.open(bytes(row[1]), _secret_aad(member_id))


def delete_member_secret(session: Session, member_id: str) -> bool:
    cur = _raw(session).execute("DELETE FROM member_secrets WHERE member = ?", (member_id,))
    return cur.rowcount == 1


# --------------------------------------------------------------------------- static cards


def add_card_digest(session: Session, member_id: str, digest: str, at: dt.datetime) -> None:
    """Bind a card (by its token digest, domain.codes.token_digest) to a member."""
    try:
        _raw(session).execute(
            "INSERT INTO card_tokens (digest, member, issued_at) VALUES (?, ?, ?)"
            " ON CONFLICT (digest) DO UPDATE SET member = excluded.member",
            (digest, member_id, format_ts(at)),
        )
    except sqlite3.IntegrityError as exc:
        raise StoreDataError(f"card of member {member_id}: refused ({exc})") from exc


def card_digests(session: Session, member_id: str) -> list[str]:
    """The digests of the member's cards on file here that are not revoked."""
    rows = _raw(session).execute(
        "SELECT digest FROM card_tokens WHERE member = ? AND digest NOT IN"
        " (SELECT digest FROM code_revocations) ORDER BY issued_at, digest",
        (member_id,),
    )
    return [str(r[0]) for r in rows]


def card_owner(session: Session, digest: str) -> str | None:
    row = (
        _raw(session)
        .execute("SELECT member FROM card_tokens WHERE digest = ?", (digest,))
        .fetchone()
    )
    return None if row is None else str(row[0])


def member_has_cards(session: Session, member_id: str) -> bool:
    row = (
        _raw(session)
        .execute("SELECT EXISTS (SELECT 1 FROM card_tokens WHERE member = ?)", (member_id,))
        .fetchone()
    )
    return bool(row[0])


# --------------------------------------------------------------------------- revocations


def revoke(session: Session, digest: str, kind: str, at: dt.datetime, reason: str = "") -> bool:
    """Add a digest to the revocation list; False when it was already there."""
    if kind not in REVOCATION_KINDS:
        raise StoreDataError(f"revocation kind must be one of {', '.join(REVOCATION_KINDS)}")
    cur = _raw(session).execute(
        "INSERT INTO code_revocations (digest, kind, revoked_at, reason) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (digest) DO NOTHING",
        (digest, kind, format_ts(at), reason),
    )
    return cur.rowcount == 1


def is_revoked(session: Session, digest: str) -> bool:
    row = (
        _raw(session)
        .execute("SELECT EXISTS (SELECT 1 FROM code_revocations WHERE digest = ?)", (digest,))
        .fetchone()
    )
    return bool(row[0])


def revocation_list(session: Session, kind: str = "card") -> RevocationList:
    rows = _raw(session).execute("SELECT digest FROM code_revocations WHERE kind = ?", (kind,))
    return RevocationList(frozenset(str(r[0]) for r in rows))


# --------------------------------------------------------------------------- replay cache


@contextmanager
def relaxed_write(db: Database) -> Iterator[Session]:
    """A write transaction (``BEGIN IMMEDIATE``) committed without waiting for the disk.

    For the replay cache only: in WAL mode with ``synchronous = NORMAL`` a commit is atomic
    and survives a program crash, and the next ``synchronous = FULL`` commit (the sale that
    follows the identification) makes it durable too. A power cut in between can at worst
    forget that a code was shown, and that code dies within two minutes anyway. It saves the
    fsync that otherwise dominates identification time.
    """
    try:
        with db.engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert isinstance(raw, sqlite3.Connection)
            raw.execute("PRAGMA synchronous = NORMAL")  # must be set outside a transaction
            try:
                with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                    session.connection()  # BEGIN IMMEDIATE now
                    yield session
            finally:
                if raw.in_transaction:
                    raw.rollback()
                raw.execute("PRAGMA synchronous = FULL")
    except Exception as exc:
        err = translate(exc, str(db.path))
        if err is None or err is exc:
            raise
        raise err from exc


def code_used(session: Session, member_id: str, counter: int) -> bool:
    row = (
        _raw(session)
        .execute(
            "SELECT EXISTS (SELECT 1 FROM used_codes WHERE member = ? AND counter = ?)",
            (member_id, counter),
        )
        .fetchone()
    )
    return bool(row[0])


def record_code_use(
    session: Session, member_id: str, counter: int, at: dt.datetime, *, keep: dt.timedelta
) -> bool:
    """Record the use of (member, counter); False (and nothing written) if already used.

    Rows older than ``keep`` are dropped on the way: by then their codes no longer verify.
    """
    raw = _raw(session)
    if code_used(session, member_id, counter):
        return False
    raw.execute("DELETE FROM used_codes WHERE used_at < ?", (format_ts(at - keep),))
    cur = raw.execute(
        "INSERT INTO used_codes (member, counter, used_at) VALUES (?, ?, ?)"
        " ON CONFLICT (member, counter) DO NOTHING",
        (member_id, counter, format_ts(at)),
    )
    return cur.rowcount == 1


# --------------------------------------------------------------------------- provisional members


def next_provisional_seq(session: Session, terminal: str) -> int:
    """Take the next provisional member number of ``terminal`` (1, 2, ...)."""
    raw = _raw(session)
    raw.execute(
        "INSERT INTO provisional_sequences (terminal, last_seq) VALUES (?, 1)"
        " ON CONFLICT (terminal) DO UPDATE SET last_seq = last_seq + 1",
        (terminal,),
    )
    row = raw.execute(
        "SELECT last_seq FROM provisional_sequences WHERE terminal = ?", (terminal,)
    ).fetchone()
    return int(row[0])


def last_provisional_seq(session: Session, terminal: str) -> int:
    row = (
        _raw(session)
        .execute("SELECT last_seq FROM provisional_sequences WHERE terminal = ?", (terminal,))
        .fetchone()
    )
    return 0 if row is None else int(row[0])


# --------------------------------------------------------------------------- welcome grants


def welcome_grant(session: Session, member_id: str) -> Any | None:
    """The recorded welcome grant of a member (its JSON detail), or None if never granted."""
    row = (
        _raw(session)
        .execute("SELECT detail FROM welcome_grants WHERE member = ?", (member_id,))
        .fetchone()
    )
    return None if row is None else json.loads(row[0])


def welcome_grant_for_phone(session: Session, phone_hash: str) -> tuple[str, str] | None:
    """(member, granted_at) of a welcome grant this till made to the phone, if any."""
    row = (
        _raw(session)
        .execute(
            "SELECT member, granted_at FROM welcome_grants"
            " WHERE json_extract(detail, '$.phone_hash') = ? ORDER BY granted_at LIMIT 1",
            (phone_hash,),
        )
        .fetchone()
    )
    return (str(row[0]), str(row[1])) if row is not None else None


def record_welcome_grant(session: Session, member_id: str, at: dt.datetime, detail: object) -> bool:
    """Record that the member got the welcome benefits; False if already recorded."""
    cur = _raw(session).execute(
        "INSERT INTO welcome_grants (member, granted_at, detail) VALUES (?, ?, ?)"
        " ON CONFLICT (member) DO NOTHING",
        (member_id, format_ts(at), dump_json(detail)),
    )
    return cur.rowcount == 1


# --------------------------------------------------------------------------- demo secrets

#: The fixed demo members of tilldb.demo.KNOWN_MEMBERS.
DEMO_MEMBER_IDS = ("M000000001", "M000000002", "M000000003")


def demo_secret(member_id: str) -> bytes:
    """The dynamic-code secret of a demo member: derived from its id, for demos and tests only
    (a real secret is random and issued by HQ)."""
    return hashlib.sha256(b"posloyalty/demo-secret\x00" + member_id.encode()).digest()


def provision_demo_secrets(
    session: Session, vault: Vault, at: dt.datetime, member_ids: Iterable[str] = DEMO_MEMBER_IDS
) -> int:
    """Give demo members (that exist and have no secret yet) their demo secret; returns how
    many got one. A secret already on file (e.g. from HQ) is never replaced."""
    raw = _raw(session)
    wanted = []
    for member in member_ids:
        row = raw.execute(
            "SELECT EXISTS (SELECT 1 FROM members WHERE id = ?),"
            " EXISTS (SELECT 1 FROM member_secrets WHERE member = ?)",
            (member, member),
        ).fetchone()
        if row[0] and not row[1]:
            wanted.append((member, demo_secret(member)))
    return put_member_secrets(session, vault, wanted, at)

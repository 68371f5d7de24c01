"""Members' personal data at HQ, encrypted at rest, and the one place that reads it.

Envelope encryption: each member's phone, name, birthday and code secret are one AES-256-GCM
ciphertext under a data key of their own; the data key is stored wrapped (AES-GCM) by a master
key, with the master key's id beside it. Master keys live outside the database (a key file or
the environment, :mod:`posloyalty.hq.keys`); ``hq rotate-keys`` re-wraps the data keys under
the current master key, and a ciphertext keeps decrypting under an older key until then.
Phones are found through a blind index: HMAC-SHA256 of the normalised number under an index
key that is also kept outside the database. Every reader goes through :func:`pii_of`.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import json
import os
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from posloyalty.domain import privacy
from posloyalty.hq.errors import BadRequest
from posloyalty.hq.keys import Keyring, KeyringError
from posloyalty.hq.models import Member, MemberNameToken, Setting

__all__ = [
    "Pii",
    "Sealed",
    "erase_pii",
    "index_of",
    "keyring_of",
    "name_query_index",
    "name_tokens",
    "open_member",
    "open_sealed",
    "open_text",
    "phone_index",
    "pii_of",
    "rewrap",
    "rewrap_all",
    "seal",
    "seal_member",
    "seal_text",
    "set_pii",
]

_NONCE = 12


@dataclass(frozen=True, slots=True)
class Pii:
    """A member's personal data in clear (never stored like this)."""

    phone: str
    name: str
    birthday: dt.date | None
    secret: bytes


@dataclass(frozen=True, slots=True)
class Sealed:
    """A ciphertext under its own data key, and that key wrapped by master key ``key_id``."""

    key_id: str
    wrapped_key: bytes
    ciphertext: bytes


def keyring_of(session: Session) -> Keyring:
    """The keyring the session's database was opened with (``HqDb`` puts it in ``info``)."""
    keyring = session.info.get("keyring")
    if not isinstance(keyring, Keyring):
        raise KeyringError("this HQ session was opened without its keys")
    return keyring


def _wrap_aad(key_id: str, context: bytes) -> bytes:
    return b"posloyalty-dek\x00" + key_id.encode() + b"\x00" + context


def seal(keyring: Keyring, context: bytes, plaintext: bytes) -> Sealed:
    """Encrypt ``plaintext`` bound to ``context`` (a row's identity: swapping rows fails)."""
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(_NONCE)
    ciphertext = nonce + AESGCM(data_key).encrypt(nonce, plaintext, context)
    return Sealed(keyring.current, _wrap(keyring, keyring.current, context, data_key), ciphertext)


@functools.lru_cache(maxsize=64)
def _aead(key: bytes) -> AESGCM:
    """One cipher object per master key (its key schedule is made once)."""
    return AESGCM(key)


def _wrap(keyring: Keyring, key_id: str, context: bytes, data_key: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    master = _aead(keyring.master(key_id))
    return nonce + master.encrypt(nonce, data_key, _wrap_aad(key_id, context))


def _unwrap(keyring: Keyring, sealed: Sealed, context: bytes) -> bytes:
    master = _aead(keyring.master(sealed.key_id))
    nonce, body = sealed.wrapped_key[:_NONCE], sealed.wrapped_key[_NONCE:]
    try:
        return master.decrypt(nonce, body, _wrap_aad(sealed.key_id, context))
    except InvalidTag:
        raise KeyringError(
            f"master key {sealed.key_id!r} does not open this record (wrong key file?)"
        ) from None


def open_sealed(keyring: Keyring, sealed: Sealed, context: bytes) -> bytes:
    data_key = _unwrap(keyring, sealed, context)
    nonce, body = sealed.ciphertext[:_NONCE], sealed.ciphertext[_NONCE:]
    try:
        return AESGCM(data_key).decrypt(nonce, body, context)
    except InvalidTag:
        raise KeyringError("a sealed record was altered or moved to another row") from None


def rewrap(keyring: Keyring, sealed: Sealed, context: bytes) -> Sealed:
    """The same ciphertext with its data key wrapped by the current master key."""
    if sealed.key_id == keyring.current:
        return sealed
    data_key = _unwrap(keyring, sealed, context)
    return Sealed(
        keyring.current, _wrap(keyring, keyring.current, context, data_key), sealed.ciphertext
    )


# --------------------------------------------------------------------------- text values


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def seal_text(keyring: Keyring, context: str, value: str) -> str:
    """A sealed string as text (``key_id.wrapped.ciphertext``), for settings."""
    s = seal(keyring, context.encode(), value.encode())
    return f"{s.key_id}.{_b64(s.wrapped_key)}.{_b64(s.ciphertext)}"


def _parse_text(text: str) -> Sealed:
    key_id, wrapped, ciphertext = text.split(".")
    return Sealed(key_id, base64.urlsafe_b64decode(wrapped), base64.urlsafe_b64decode(ciphertext))


def open_text(keyring: Keyring, context: str, text: str) -> str:
    return open_sealed(keyring, _parse_text(text), context.encode()).decode()


# --------------------------------------------------------------------------- members


def _member_context(member_id: str) -> bytes:
    return b"member\x00" + member_id.encode()


def index_of(keyring: Keyring, phone: str) -> str:
    """The blind index of a phone number (HMAC-SHA256 under the index key, hex)."""
    try:
        digits = privacy.normalize_phone(phone)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    return hmac.new(keyring.index_key, digits.encode(), hashlib.sha256).hexdigest()


def phone_index(session: Session, phone: str) -> str:
    return index_of(keyring_of(session), phone)


def _name_key(keyring: Keyring, token: str) -> str:
    return hmac.new(keyring.index_key, b"name\x00" + token.encode(), hashlib.sha256).hexdigest()


def _fold(text: str) -> list[str]:
    return unicodedata.normalize("NFKC", text).casefold().split()


def name_tokens(keyring: Keyring, name: str) -> set[str]:
    """The blind index entries of a name: each word and the whole name without spaces, folded
    (NFKC, case), each an HMAC under the index key. A search finds a member by a whole word of
    the name or the whole name; names themselves stay sealed."""
    words = _fold(name)
    return {_name_key(keyring, t) for t in {*words, "".join(words)} if t}


def name_query_index(session: Session, text: str) -> str | None:
    """The index entry a name search for ``text`` looks up (None: nothing to look for)."""
    joined = "".join(_fold(text))
    return _name_key(keyring_of(session), joined) if joined else None


def seal_member(keyring: Keyring, member_id: str, pii: Pii) -> Sealed:
    """The member's sealed personal data (what :func:`set_pii` stores)."""
    plain = json.dumps(
        {
            "phone": pii.phone,
            "name": pii.name,
            "birthday": pii.birthday.isoformat() if pii.birthday else None,
            "secret": pii.secret.hex(),
        },
        ensure_ascii=False,
    ).encode()
    return seal(keyring, _member_context(member_id), plain)


def set_pii(session: Session, member: Member, pii: Pii) -> None:
    """Store ``pii`` on ``member`` (encrypted) with its phone's blind index."""
    sealed = seal_member(keyring_of(session), member.id, pii)
    member.pii_key_id = sealed.key_id
    member.pii_key = sealed.wrapped_key
    member.pii = sealed.ciphertext
    member.phone_index = phone_index(session, pii.phone)
    session.execute(delete(MemberNameToken).where(MemberNameToken.member_id == member.id))
    session.add_all(
        MemberNameToken(member_id=member.id, token=token)
        for token in sorted(name_tokens(keyring_of(session), pii.name))
    )
    session.info.setdefault("pii_cache", {})[member.id] = (sealed.ciphertext, pii)


def erase_pii(session: Session, member: Member, secret: bytes) -> None:
    """Replace the member's sealed record by an empty one (a new data key, a new ``secret``)
    and delete its blind indexes: the phone index becomes ``erased:<id>``, which no phone
    matches and no other member shares; the name tokens are deleted."""
    empty = Pii(phone="", name="", birthday=None, secret=secret)
    sealed = seal_member(keyring_of(session), member.id, empty)
    member.pii_key_id = sealed.key_id
    member.pii_key = sealed.wrapped_key
    member.pii = sealed.ciphertext
    member.phone_index = f"erased:{member.id}"
    session.execute(delete(MemberNameToken).where(MemberNameToken.member_id == member.id))
    session.info.setdefault("pii_cache", {})[member.id] = (sealed.ciphertext, empty)


def pii_of(session: Session, member: Member) -> Pii:
    """The member's personal data in clear (decrypted once per session and row version)."""
    cache: dict[str, tuple[bytes, Pii]] = session.info.setdefault("pii_cache", {})
    hit = cache.get(member.id)
    if hit is not None and hit[0] == member.pii:
        return hit[1]
    sealed = Sealed(member.pii_key_id, bytes(member.pii_key), bytes(member.pii))
    pii = open_member(keyring_of(session), member.id, sealed)
    cache[member.id] = (bytes(member.pii), pii)
    return pii


def open_member(keyring: Keyring, member_id: str, sealed: Sealed) -> Pii:
    """A member's sealed personal data opened (what :func:`seal_member` sealed)."""
    raw = json.loads(open_sealed(keyring, sealed, _member_context(member_id)))
    return Pii(
        phone=raw["phone"],
        name=raw["name"],
        birthday=dt.date.fromisoformat(raw["birthday"]) if raw["birthday"] else None,
        secret=bytes.fromhex(raw["secret"]),
    )


def rewrap_all(session: Session, *, batch: int = 500) -> int:
    """Re-wrap every data key not under the current master key; returns how many."""
    keyring = keyring_of(session)
    done = 0
    while True:
        rows = session.scalars(
            select(Member).where(Member.pii_key_id != keyring.current).limit(batch)
        ).all()
        if not rows:
            break
        for member in rows:
            sealed = rewrap(
                keyring,
                Sealed(member.pii_key_id, bytes(member.pii_key), bytes(member.pii)),
                _member_context(member.id),
            )
            member.pii_key_id, member.pii_key = sealed.key_id, sealed.wrapped_key
        session.flush()
        done += len(rows)
    for setting in session.scalars(select(Setting).where(Setting.key.like("sealed:%"))).all():
        sealed = _parse_text(setting.value)
        if sealed.key_id != keyring.current:
            again = rewrap(keyring, sealed, setting.key.encode())
            setting.value = f"{again.key_id}.{_b64(again.wrapped_key)}.{_b64(again.ciphertext)}"
            done += 1
    session.flush()
    return done

"""Self-service registration: signed single-use links and the registration behind the page.

A terminal asks HQ for a link and shows it as a QR code on its customer display; the shopper
opens it on their phone (``hq.selfreg_web``) and registers. The token is
``<terminal id>.<base64url(expiry | nonce | mac)>``: expiry as 4 bytes of Unix seconds, an
8-byte random nonce, and HMAC-SHA256 under HQ's link key over (store, terminal, expiry, nonce)
truncated to 16 bytes. The key is made on first use and kept in the ``settings`` table, so every
HQ worker process shares it and a restart keeps issued links valid.

Links are not stored when issued. A link that completed a registration (a new member, or a
phone that was already one) is recorded by its nonce in ``registration_link_uses`` in the same
transaction, and refused from then on. Nothing about the shopper is kept there.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import struct
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from posloyalty.domain import points
from posloyalty.domain.ids import EntryId, LotId
from posloyalty.domain.privacy import mask_phone
from posloyalty.domain.rules import RuleSet
from posloyalty.hq import members
from posloyalty.hq.enrolment import Caller
from posloyalty.hq.errors import BadRequest, HqError
from posloyalty.hq.ledger import active_rules
from posloyalty.hq.member_sessions import make_session
from posloyalty.hq.models import LedgerEntry, RegistrationLinkUse, Setting, Terminal
from posloyalty.hq.phone_codes import LimiterFactory, PhoneCodes, SmsLimits
from posloyalty.hq.services import HqService
from posloyalty.hq.sms import SmsProvider, provider_from_env

DEFAULT_LINK_TTL = dt.timedelta(minutes=5)
MIN_LINK_TTL = dt.timedelta(seconds=30)
MAX_LINK_TTL = dt.timedelta(minutes=15)
#: Mainland China mobile numbers (the terminal's registration uses the same default).
DEFAULT_PHONE_PATTERN = r"1[3-9]\d{9}"
#: Version of the consent text the page shows; recorded with each use of a link.
CONSENT_VERSION = "2026-11"
LINK_KEY_SETTING = "registration_link_key"
NAME_MAX = 64
#: Validity of a welcome coupon whose template sets no ``valid_days`` (as at the terminal).
DEFAULT_COUPON_DAYS = 30

_NONCE_BYTES = 8
_MAC_BYTES = 16
_BLOB_BYTES = 4 + _NONCE_BYTES + _MAC_BYTES
_TERMINAL_RE = re.compile(r"^T[0-9A-Z]{1,11}$")
_BLOB_RE = re.compile(r"^[A-Za-z0-9_-]{38}$")
_WELCOME_NS = uuid.UUID("6f1b1f38-3f0e-4c55-9f53-0d2b8e4a7c11")
_EARLIEST_BIRTHDAY = dt.date(1900, 1, 1)

LinkReason = Literal["invalid", "expired", "used", "revoked"]


class LinkProblem(HqError):
    """The link cannot be used: ``reason`` says why (the page explains it in the shopper's
    language). ``invalid`` covers malformed and forged tokens alike."""

    def __init__(self, reason: LinkReason) -> None:
        super().__init__(f"this registration link is {reason}")
        self.reason: LinkReason = reason

    @property
    def status(self) -> int:
        return 400 if self.reason == "invalid" else 410


class FormProblem(BadRequest):
    """What the shopper typed is not acceptable: field -> problem code (e.g. ``phone_format``)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True, slots=True)
class SelfRegConfig:
    link_ttl: dt.timedelta = DEFAULT_LINK_TTL
    #: The base URL shoppers' phones reach HQ at (``https://join.example.cn``); None: the URL
    #: the terminal used to ask for the link.
    public_url: str | None = None
    #: What a normalised phone (digits, no +86) must match in full.
    phone_pattern: str = DEFAULT_PHONE_PATTERN
    #: Form submissions per link and page requests per client address (token buckets).
    token_rate_per_s: float = 0.1
    token_burst: int = 10
    ip_rate_per_s: float = 1.0
    ip_burst: int = 60
    #: How often one phone and one address may ask for an SMS code.
    sms_limits: SmsLimits = field(default_factory=SmsLimits)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SelfRegConfig:
        """``POSLOYALTY_HQ_PUBLIC_URL`` and ``POSLOYALTY_HQ_PHONE_PATTERN`` when set."""
        return cls(
            public_url=environ.get("POSLOYALTY_HQ_PUBLIC_URL") or None,
            phone_pattern=environ.get("POSLOYALTY_HQ_PHONE_PATTERN") or DEFAULT_PHONE_PATTERN,
        )


@dataclass(frozen=True, slots=True)
class IssuedLink:
    token: str
    #: The nonce in hex: how the terminal asks whether its link was used.
    link_id: str
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Link:
    """A verified, unused, unexpired link."""

    terminal_id: str
    store_id: str
    nonce: str
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class SelfRegForm:
    """The page's fields as submitted (text, unvalidated)."""

    phone: str
    consent: bool
    name: str = ""
    birthday: str = ""
    #: The one-time code sent to the phone (the proof that the shopper holds it).
    code: str = ""


@dataclass(frozen=True, slots=True)
class CleanForm:
    phone: str
    name: str
    birthday: dt.date | None


@dataclass(frozen=True, slots=True)
class SelfRegistered:
    #: The member the proven phone belongs to (new, or the one it already was).
    member_id: str
    #: False: the phone was already a member (only its proven owner gets this far).
    created: bool
    phone_masked: str
    #: The welcome gift of the rules in force ("" when none).
    gift: str
    #: Names of the welcome coupons the new member received.
    coupons: tuple[str, ...] = field(default=())
    #: A session for the member's card page (``hq.member_sessions``): the phone was proven.
    session: str = ""


@dataclass(frozen=True, slots=True)
class LinkStatus:
    link_id: str
    used: bool
    member_id: str | None = None
    created: bool | None = None


# --------------------------------------------------------------------------- tokens


def link_key(session: Session, *, create: bool) -> bytes | None:
    """HQ's link signing key (32 random bytes), made on first use when ``create``."""
    row = session.get(Setting, LINK_KEY_SETTING)
    if row is None:
        if not create:
            return None
        row = Setting(key=LINK_KEY_SETTING, value=secrets.token_hex(32))
        session.add(row)
        session.flush()
    return bytes.fromhex(row.value)


def _mac(key: bytes, store: str, terminal: str, expires: int, nonce: bytes) -> bytes:
    message = (
        b"\x00".join([b"posloyalty/registration-link/1", store.encode(), terminal.encode()])
        + struct.pack(">I", expires)
        + nonce
    )
    return hmac.new(key, message, hashlib.sha256).digest()[:_MAC_BYTES]


def make_token(key: bytes, store: str, terminal: str, expires: int, nonce: bytes) -> str:
    """The URL-safe token for a link (48 characters for a 9-character terminal id)."""
    if len(nonce) != _NONCE_BYTES or not 0 < expires < 2**32:
        raise ValueError("a link needs an 8-byte nonce and an expiry in Unix seconds")
    blob = struct.pack(">I", expires) + nonce + _mac(key, store, terminal, expires, nonce)
    return f"{terminal}.{base64.urlsafe_b64encode(blob).rstrip(b'=').decode()}"


def parse_token(token: str) -> tuple[str, int, bytes, bytes]:
    """(terminal, expiry, nonce, mac) of a well-formed token; :class:`LinkProblem` otherwise."""
    terminal, dot, encoded = token.partition(".")
    if not dot or not _TERMINAL_RE.match(terminal) or not _BLOB_RE.match(encoded):
        raise LinkProblem("invalid")
    try:
        blob = base64.urlsafe_b64decode(encoded + "==")
    except (binascii.Error, ValueError):
        raise LinkProblem("invalid") from None
    if len(blob) != _BLOB_BYTES:
        raise LinkProblem("invalid")
    (expires,) = struct.unpack(">I", blob[:4])
    return terminal, expires, blob[4 : 4 + _NONCE_BYTES], blob[4 + _NONCE_BYTES :]


def _instant(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def issue_link(
    session: Session, caller: Caller, at: dt.datetime, ttl: dt.timedelta = DEFAULT_LINK_TTL
) -> IssuedLink:
    """A new link for the caller's store and terminal, valid for ``ttl`` from ``at``."""
    if not MIN_LINK_TTL <= ttl <= MAX_LINK_TTL:
        raise BadRequest(
            f"a registration link lives {MIN_LINK_TTL.seconds} s to {MAX_LINK_TTL.seconds} s"
        )
    key = link_key(session, create=True)
    assert key is not None
    expires = int((at + ttl).timestamp())
    nonce = secrets.token_bytes(_NONCE_BYTES)
    token = make_token(key, caller.store_id, caller.terminal_id, expires, nonce)
    return IssuedLink(token, nonce.hex(), _instant(expires))


def check_link(session: Session, token: str, at: dt.datetime) -> Link:
    """The link behind ``token`` if it may register someone now, else :class:`LinkProblem`.

    The signature is checked before anything else, so a forged expiry or terminal reads as
    ``invalid``, never as ``expired``.
    """
    terminal_id, expires, nonce, mac = parse_token(token)
    key = link_key(session, create=False)
    terminal = session.get(Terminal, terminal_id)
    if key is None or terminal is None:
        raise LinkProblem("invalid")
    if not hmac.compare_digest(mac, _mac(key, terminal.store_id, terminal_id, expires, nonce)):
        raise LinkProblem("invalid")
    if terminal.revoked_at is not None:
        raise LinkProblem("revoked")
    if session.get(RegistrationLinkUse, nonce.hex()) is not None:
        raise LinkProblem("used")
    if at.timestamp() >= expires:
        raise LinkProblem("expired")
    return Link(terminal_id, terminal.store_id, nonce.hex(), _instant(expires))


def link_status(session: Session, caller: Caller, link_id: str) -> LinkStatus:
    """Whether the caller's link ``link_id`` was used, and by which member (another
    terminal's link reads as unused)."""
    use = session.get(RegistrationLinkUse, link_id.lower())
    if use is None or use.terminal_id != caller.terminal_id:
        return LinkStatus(link_id, used=False)
    return LinkStatus(link_id, used=True, member_id=use.member_id, created=use.created)


# --------------------------------------------------------------------------- the form


def clean_phone(raw: str, pattern: str = DEFAULT_PHONE_PATTERN) -> str:
    """The number as digits without +86, or :class:`FormProblem` (``phone_missing`` /
    ``phone_format``). Full-width digits (a Chinese keyboard's) are accepted."""
    text = unicodedata.normalize("NFKC", raw)[:40]
    digits = re.sub(r"[\s\-()]", "", text)
    if not digits:
        raise FormProblem({"phone": "phone_missing"})
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            break
    if not digits.isascii() or not re.fullmatch(pattern, digits):
        raise FormProblem({"phone": "phone_format"})
    return digits


def clean_form(
    form: SelfRegForm, today: dt.date, pattern: str = DEFAULT_PHONE_PATTERN
) -> CleanForm:
    """Validate every field at once: :class:`FormProblem` lists each problem."""
    errors: dict[str, str] = {}
    phone = ""
    try:
        phone = clean_phone(form.phone, pattern)
    except FormProblem as exc:
        errors |= exc.errors
    name = unicodedata.normalize("NFC", form.name).strip()
    if len(name) > NAME_MAX or any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in name):
        errors["name"] = "name_invalid"
    birthday: dt.date | None = None
    if form.birthday.strip():
        try:
            birthday = dt.date.fromisoformat(form.birthday.strip())
        except ValueError:
            errors["birthday"] = "birthday_invalid"
        else:
            if not _EARLIEST_BIRTHDAY <= birthday <= today:
                errors["birthday"] = "birthday_invalid"
    if not form.consent:
        errors["consent"] = "consent_required"
    if errors:
        raise FormProblem(errors)
    return CleanForm(phone, name, birthday)


# --------------------------------------------------------------------------- registering


def welcome_gift(session: Session) -> str:
    """The welcome gift of the rule document in force ("" when none is published)."""
    rules = active_rules(session)
    return rules.welcome.gift if rules is not None else ""


def grant_welcome(
    session: Session, rules: RuleSet, member_id: str, link: Link, at: dt.datetime
) -> tuple[str, ...]:
    """The rules' welcome coupons and points for a member who registered on the page (the
    terminal grants them to members registered at the counter). Returns the coupon codes."""
    codes = []
    for template_id in rules.welcome.coupons:
        days = rules.coupon(template_id).valid_days or DEFAULT_COUPON_DAYS
        coupon = members.issue_coupon(
            session,
            member_id,
            template=template_id,
            valid_from=at,
            valid_until=at + dt.timedelta(days=days),
            at=at,
        )
        codes.append(coupon.code)
    if rules.welcome.points > 0:
        entry_id = str(uuid.uuid5(_WELCOME_NS, member_id))
        for e in points.earn(
            rules.points,
            entry_id=EntryId(entry_id),
            lot=LotId(entry_id),
            points=rules.welcome.points,
            at=at,
            kind="bonus",
            reason="welcome",
        ):
            session.add(
                LedgerEntry(
                    id=e.id,
                    member_ref=member_id,
                    kind=e.kind,
                    points=e.points,
                    lot=e.lot,
                    at=e.at,
                    available_at=e.available_at,
                    expires_at=e.expires_at,
                    renews_until=e.renews_until,
                    sale_id=None,
                    reason=e.reason,
                    store_id=link.store_id,
                    terminal_id=link.terminal_id,
                    received_at=at,
                )
            )
        session.flush()
    return tuple(codes)


def register(
    session: Session,
    token: str,
    form: SelfRegForm,
    at: dt.datetime,
    *,
    lang: str,
    phone_pattern: str = DEFAULT_PHONE_PATTERN,
) -> SelfRegistered:
    """Register the shopper at the link's store and use up the link, in one transaction.

    The phone must already be proven (:meth:`SelfRegistration.register` checks the SMS code
    first). A phone that is already a member resolves to that member, who is not taken into
    this store's slice (a registration page is no proof of presence at the store).
    """
    link = check_link(session, token, at)
    clean = clean_form(form, at.date(), phone_pattern)
    result = members.register_member(
        session, link.store_id, clean.phone, clean.name, clean.birthday, True, at, channel="link"
    )
    # A concurrent use of the same link collides here on the primary key; HqDb.run retries
    # and the retry sees the link used.
    session.add(
        RegistrationLinkUse(
            nonce=link.nonce,
            terminal_id=link.terminal_id,
            store_id=link.store_id,
            expires_at=link.expires_at,
            used_at=at,
            member_id=result.member_id,
            created=result.created,
            lang=lang[:8],
            consent_version=CONSENT_VERSION,
        )
    )
    session.flush()
    rules = active_rules(session)
    coupons: tuple[str, ...] = ()
    if result.created and rules is not None:
        grant_welcome(session, rules, result.member_id, link, at)
        coupons = tuple(rules.coupon(t).name for t in rules.welcome.coupons)
    return SelfRegistered(
        member_id=result.member_id,
        session=make_session(session, result.member_id, at),
        created=result.created,
        phone_masked=mask_phone(clean.phone),
        gift=rules.welcome.gift if rules is not None else "",
        coupons=coupons,
    )


def uses_of(session: Session, terminal_id: str) -> list[RegistrationLinkUse]:
    """The used links of a terminal, oldest first (for the operator and tests)."""
    return list(
        session.scalars(
            select(RegistrationLinkUse)
            .where(RegistrationLinkUse.terminal_id == terminal_id)
            .order_by(RegistrationLinkUse.used_at, RegistrationLinkUse.nonce)
        )
    )


class SelfRegistration:
    """The operations above, each in its own transaction, on an :class:`HqService`'s database
    and clock."""

    def __init__(
        self,
        service: HqService,
        config: SelfRegConfig | None = None,
        sms: SmsProvider | None = None,
        *,
        limiters: LimiterFactory | None = None,
    ) -> None:
        self.service = service
        self.config = config or SelfRegConfig()
        self.codes = PhoneCodes(
            service.db,
            service.clock,
            sms if sms is not None else provider_from_env(os.environ),
            self.config.sms_limits,
            limiters=limiters,
        )

    def send_code(self, token: str, phone: str, address: str) -> str:
        """Send a registration code to the phone typed on the link's page (the link must be
        usable); returns the number masked. :class:`FormProblem` for a bad number,
        :class:`~posloyalty.hq.phone_codes.TooManyCodes` over the limits, and the provider's
        :class:`~posloyalty.hq.sms.SmsError`. Says nothing of whether the phone is a member."""
        self.check(token)
        digits = clean_phone(phone, self.config.phone_pattern)
        self.codes.send(digits, "register", address)
        return mask_phone(digits)

    def issue(self, caller: Caller, ttl: dt.timedelta | None = None) -> IssuedLink:
        at = self.service.clock.now()
        return self.service.db.run(lambda s: issue_link(s, caller, at, ttl or self.config.link_ttl))

    def check(self, token: str) -> Link:
        at = self.service.clock.now()
        with self.service.db.transaction(writer=False) as session:
            return check_link(session, token, at)

    def gift(self) -> str:
        with self.service.db.transaction(writer=False) as session:
            return welcome_gift(session)

    def open(self, token: str) -> tuple[Link, str]:
        """The link (or :class:`LinkProblem`) and the welcome gift, for showing the form."""
        at = self.service.clock.now()
        with self.service.db.transaction(writer=False) as session:
            return check_link(session, token, at), welcome_gift(session)

    def register(self, token: str, form: SelfRegForm, *, lang: str) -> SelfRegistered:
        """Check the link and the form, then the SMS code (used up once right), then register."""
        at = self.service.clock.now()
        pattern = self.config.phone_pattern
        self.check(token)
        clean = clean_form(form, at.date(), pattern)
        if not form.code.strip():
            raise FormProblem({"code": "code_missing"})
        if not self.codes.verify(clean.phone, "register", form.code):
            raise FormProblem({"code": "code_wrong"})
        return self.service.db.run(
            lambda s: register(s, token, form, at, lang=lang, phone_pattern=pattern)
        )

    def status(self, caller: Caller, link_id: str) -> LinkStatus:
        with self.service.db.transaction(writer=False) as session:
            return link_status(session, caller, link_id)

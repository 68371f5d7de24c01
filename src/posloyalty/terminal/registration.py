"""Registering a shopper at the counter in a few keystrokes, offline.

The cashier types the mobile number (validated: mainland China ``1[3-9]\\d{9}`` by default,
any regex by configuration), optionally a name and birthday, and confirms the shopper's
consent. A number already in the local directory is found by its keyed hash and refused as a
duplicate. In one write transaction the new member gets a provisional id, which is also their
member code (domain.codes.make_provisional: usable at once at this terminal), the welcome
benefits of the rules are granted exactly once, the registration is queued for HQ (with the
welcome coupons, so HQ knows them), and the registration is audited.

Only what the rules need is stored in clear: the phone is kept as masked text plus its keyed
hash, the name masked, the birthday as month and day; the full phone, name and birthday travel
to HQ sealed under the terminal key in the outbox row (see :func:`registration_wire_payload`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from posloyalty.domain import points
from posloyalty.domain.codes import B36, make_coupon, make_provisional, to_base36
from posloyalty.domain.ids import CashierId, EntryId, LotId, MemberId, StoreId, TerminalId
from posloyalty.domain.monthday import MonthDay
from posloyalty.domain.privacy import mask_name, mask_phone, normalize_phone
from posloyalty.domain.rules import RuleSet
from posloyalty.terminal.identified import Identified
from posloyalty.terminal.zone import store_zone
from posloyalty.tilldb import member_codes, repo
from posloyalty.tilldb.db import Database, TillSession
from posloyalty.tilldb.errors import StoreDataError
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.records import LedgerRecord, OutboxMessage
from posloyalty.tilldb.types import format_ts
from posloyalty.tilldb.vault import Vault

#: Mainland China mobile numbers.
DEFAULT_PHONE_PATTERN = r"1[3-9]\d{9}"
NAME_MAX = 64
#: Validity of a welcome coupon whose template sets no ``valid_days``.
DEFAULT_COUPON_DAYS = 30
_TERMINAL_MAX = 12


class RegistrationError(ValueError):
    """The registration is refused; ``field`` names the input, ``message`` is for the cashier.
    Nothing was stored."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class DuplicatePhoneError(RegistrationError):
    """The number is already registered here: ``member_id`` is that member."""

    def __init__(self, member_id: str, phone_masked: str) -> None:
        super().__init__(
            "phone",
            f"{phone_masked} is already a member ({member_id}); scan their code instead",
        )
        self.member_id = member_id
        self.phone_masked = phone_masked


class WelcomeAlreadyGivenError(DuplicatePhoneError):
    """The number joined at this till before and got the welcome benefits, though its member is
    no longer in the till's directory (source 001 warns of people signing up again for the
    gift): refused; the cashier looks the member up instead."""

    def __init__(self, member_id: str, phone_masked: str, granted_at: str) -> None:
        RegistrationError.__init__(
            self,
            "phone",
            f"{phone_masked} already joined at this till ({member_id}, welcome gift given "
            f"{granted_at[:10]}); scan their code instead",
        )
        self.member_id = member_id
        self.phone_masked = phone_masked


@dataclass(frozen=True, slots=True)
class RegistrationForm:
    """What the cashier typed. Only the phone and the consent are required."""

    phone: str
    consent: bool = False
    name: str = ""
    birthday: dt.date | None = None


@dataclass(frozen=True, slots=True)
class IssuedCoupon:
    code: str
    template: str
    name: str
    valid_until: dt.datetime

    @property
    def scan_code(self) -> str:
        """The scannable form (``Q1...``) to print on the receipt."""
        return make_coupon(self.code)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class WelcomeBenefits:
    """What the new member got; ``gift`` is handed over by the cashier (e.g. a shopping bag)."""

    gift: str
    coupons: tuple[IssuedCoupon, ...]
    points: int
    #: False when these were granted before (a retry): nothing was granted now.
    newly_granted: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "gift": self.gift,
            "coupons": [
                {
                    "code": c.code,
                    "template": c.template,
                    "name": c.name,
                    "valid_until": format_ts(c.valid_until),
                }
                for c in self.coupons
            ],
            "points": self.points,
        }


@dataclass(frozen=True, slots=True)
class Registered:
    member_id: MemberId
    #: The provisional member code (same text as the id): scan it, print it, or type it.
    code: str
    phone_masked: str
    name_masked: str
    identified: Identified
    welcome: WelcomeBenefits


# --------------------------------------------------------------------------- input checks


def validate_phone(text: str, pattern: str = DEFAULT_PHONE_PATTERN) -> str:
    """The normalised number (digits, without +86/0086), or :class:`RegistrationError`."""
    typed = unicodedata.normalize("NFKC", text).strip()
    cleaned = re.sub(r"[\s\-().]", "", typed)
    try:
        digits = normalize_phone(cleaned)
    except ValueError:
        raise RegistrationError(
            "phone", f"'{typed[:20]}' is not a phone number (digits only)"
        ) from None
    if not re.fullmatch(pattern, digits):
        raise RegistrationError(
            "phone",
            f"{mask_phone(digits)} is not a valid mobile number (11 digits, 13x-19x)"
            if pattern == DEFAULT_PHONE_PATTERN
            else f"{mask_phone(digits)} does not match the configured phone format",
        )
    return digits


def validate_name(text: str) -> str:
    name = unicodedata.normalize("NFC", text).strip()
    if len(name) > NAME_MAX:
        raise RegistrationError("name", f"the name is longer than {NAME_MAX} characters")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise RegistrationError("name", "the name contains control characters")
    return " ".join(name.split())


def parse_birthday(text: str) -> dt.date | None:
    """``YYYY-MM-DD`` (also ``YYYYMMDD``, ``YYYY/MM/DD``, ``YYYY.MM.DD``); empty: None."""
    typed = unicodedata.normalize("NFKC", text).strip()
    if not typed:
        return None
    digits = re.sub(r"[-/.]", "", typed)
    if len(digits) != 8 or not digits.isascii() or not digits.isdigit():
        raise RegistrationError("birthday", f"'{typed[:20]}' is not a date (YYYY-MM-DD)")
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise RegistrationError("birthday", f"'{typed[:20]}' is not a real date") from None


def validate_birthday(birthday: dt.date | None, today: dt.date) -> dt.date | None:
    if birthday is None:
        return None
    if isinstance(birthday, dt.datetime) or not isinstance(birthday, dt.date):
        raise RegistrationError("birthday", "the birthday must be a date")
    if birthday > today:
        raise RegistrationError("birthday", "the birthday is in the future")
    if birthday.year < 1900:
        raise RegistrationError("birthday", "the birthday is before 1900")
    return birthday


def _terminal_code(terminal: str | None) -> str:
    if not terminal:
        raise RegistrationError(
            "terminal", "the terminal has no id; run `posloyalty terminal init --terminal T1`"
        )
    code = terminal.upper()
    if not 1 <= len(code) <= _TERMINAL_MAX or any(c not in B36 for c in code):
        raise RegistrationError(
            "terminal",
            f"terminal id {terminal!r} cannot go into member codes (1-{_TERMINAL_MAX} "
            "characters of 0-9 A-Z)",
        )
    return code


def _pii_aad(provisional_id: str) -> str:
    return "posloyalty/registration\x00" + provisional_id


# --------------------------------------------------------------------------- registration


def register(
    db: Database,
    rules: RuleSet,
    form: RegistrationForm,
    *,
    vault: Vault,
    cashier: str,
    phone_pattern: str = DEFAULT_PHONE_PATTERN,
    ids: Uuid7 | None = None,
) -> Registered:
    """Register a shopper at this terminal (offline); see the module docstring.

    Raises :class:`RegistrationError` (:class:`DuplicatePhoneError` for a known number) with
    nothing stored.
    """
    if form.consent is not True:
        raise RegistrationError(
            "consent",
            "consent is required: the shopper must agree to membership and the use of their data",
        )
    digits = validate_phone(form.phone, phone_pattern)
    name = validate_name(form.name)
    new_id = (ids or Uuid7(db.clock)).new
    with db.write() as session:
        zone = store_zone(session)
        at = db.clock.now().astimezone(zone)
        birthday = validate_birthday(form.birthday, at.date())
        try:
            key = repo.phone_key(session)
        except StoreDataError as exc:
            raise RegistrationError("terminal", str(exc)) from None
        phone_hash = repo.hash_phone(key, digits)
        masked = mask_phone(digits)
        existing = repo.members_by_phone_hash(session, phone_hash)
        if existing:
            raise DuplicatePhoneError(existing[0].id, existing[0].phone_masked or masked)
        welcomed = member_codes.welcome_grant_for_phone(session, phone_hash)
        if welcomed is not None:
            raise WelcomeAlreadyGivenError(welcomed[0], masked, welcomed[1])
        terminal = _terminal_code(repo.get_setting(session, "terminal"))
        store = repo.get_setting(session, "store")
        if not store:
            raise RegistrationError(
                "store", "the terminal has no store id; run `posloyalty terminal init --store S1`"
            )
        seq = member_codes.next_provisional_seq(session, terminal)
        code = make_provisional(TerminalId(terminal), seq)
        if repo.member_by_id(session, code) is not None:
            raise RegistrationError("terminal", f"member id {code} is already taken here")
        name_masked = mask_name(name) if name else ""
        repo.add_member(
            session,
            repo.MemberRecord(
                id=code,
                phone_masked=masked,
                phone_hash=phone_hash,
                display_name=name_masked,
                tier=str(rules.tiers.lowest.id),
                growth=0,
                cached_points=0,
                cached_pending=0,
                birthday=MonthDay.of(birthday) if birthday else None,
                last_purchase_at=None,
                registered_at=at,
                hq_version=0,
                provisional=True,
            ),
        )
        sealed: dict[str, str] = {"phone": digits, "name": name}
        if birthday:  # HQ keeps the full date; the till only its month and day
            sealed["birthday"] = birthday.isoformat()
        pii = json.dumps(sealed, ensure_ascii=False)
        registration: dict[str, Any] = {
            "store_id": store,
            "terminal_id": terminal,
            "provisional_id": code,
            "cashier": cashier,
            "consent": True,
            "at": at.isoformat(),
            "key_id": vault.key_id,
            "sealed_pii": vault.seal_text(pii, _pii_aad(code)),
        }
        ref_id = new_id()
        # Queued before the welcome benefits' rows, so the member reaches HQ first.
        repo.queue(session, [OutboxMessage("registration", ref_id, registration)], at=at)
        welcome = grant_welcome(
            session,
            rules,
            code,
            at,
            terminal=terminal,
            store=store,
            cashier=cashier,
            new_id=new_id,
            phone_hash=phone_hash,
        )
        if welcome.coupons:  # HQ records them as issued (else using one is an unknown coupon)
            registration["coupons"] = [
                {
                    "code": c.code,
                    "template": c.template,
                    "valid_from": at.isoformat(),
                    "valid_until": c.valid_until.isoformat(),
                }
                for c in welcome.coupons
            ]
            repo.set_outbox_payload(session, "registration", ref_id, registration)
        repo.audit(
            session,
            at=at,
            cashier=cashier,
            action="member.register",
            detail={"member": code, "phone": masked, "welcome": welcome.as_json()},
        )
    identified = Identified(MemberId(code), by="provisional", may_redeem=False, confirmed=True)
    return Registered(MemberId(code), code, masked, name_masked, identified, welcome)


def grant_welcome(
    session: TillSession,
    rules: RuleSet,
    member_id: str,
    at: dt.datetime,
    *,
    terminal: str,
    store: str,
    cashier: str,
    new_id: Callable[[], str],
    phone_hash: str = "",
) -> WelcomeBenefits:
    """Grant the rules' welcome benefits to a member, once: a second call grants nothing and
    returns what was granted the first time (``newly_granted`` False).

    Coupons go into ``member_coupons`` valid from ``at`` for the template's ``valid_days``
    (:data:`DEFAULT_COUPON_DAYS` when it sets none); points are a ``bonus`` ledger entry
    (domain.points.earn), queued for HQ. ``at`` should be store-local (fixed-date expiry).
    """
    previous = member_codes.welcome_grant(session, member_id)
    if previous is not None:
        return WelcomeBenefits(
            gift=previous["gift"],
            coupons=tuple(
                IssuedCoupon(
                    c["code"], c["template"], c["name"], dt.datetime.fromisoformat(c["valid_until"])
                )
                for c in previous["coupons"]
            ),
            points=int(previous["points"]),
            newly_granted=False,
        )
    welcome = rules.welcome
    issued: list[IssuedCoupon] = []
    for template_id in welcome.coupons:
        template = rules.coupon(template_id)
        days = template.valid_days or DEFAULT_COUPON_DAYS
        coupon = IssuedCoupon(
            code=to_base36(secrets.randbits(62), 12),
            template=template_id,
            name=template.name,
            valid_until=at + dt.timedelta(days=days),
        )
        repo.issue_coupon(
            session,
            code=coupon.code,
            member_id=member_id,
            template=template_id,
            valid_from=at,
            valid_until=coupon.valid_until,
        )
        issued.append(coupon)
    if welcome.points > 0:
        entry_id = new_id()
        entries = points.earn(
            rules.points,
            entry_id=EntryId(entry_id),
            lot=LotId(entry_id),
            points=welcome.points,
            at=at,
            kind="bonus",
            reason="welcome",
        )
        records = [
            LedgerRecord(
                e, MemberId(member_id), TerminalId(terminal), StoreId(store), CashierId(cashier), at
            )
            for e in entries
        ]
        repo.append_ledger(
            session,
            records,
            [
                OutboxMessage("ledger_entry", r.entry.id, {})  # a reference: built from the row
                for r in records
            ],
            at=at,
        )
    benefits = WelcomeBenefits(welcome.gift, tuple(issued), welcome.points, newly_granted=True)
    detail = benefits.as_json()
    if phone_hash:  # a later sign-up with this number is refused here (see register)
        detail["phone_hash"] = phone_hash
    member_codes.record_welcome_grant(session, member_id, at, detail)
    return benefits


def registration_wire_payload(payload: Mapping[str, Any], vault: Vault) -> dict[str, Any]:
    """The registration item as HQ reads it (sync.protocol.RegistrationPayload): the sealed
    phone, name and birthday opened with the terminal key. For the sync client, in memory
    only."""
    pii = json.loads(
        vault.open_text(str(payload["sealed_pii"]), _pii_aad(payload["provisional_id"]))
    )
    wire = {k: v for k, v in payload.items() if k not in ("sealed_pii", "key_id")}
    wire["phone"] = pii["phone"]
    wire["name"] = pii["name"]
    if "birthday" in pii:
        wire["birthday"] = pii["birthday"]
    return wire

"""Who is at the counter: a scan becomes an :class:`Identified` member, or is routed on.

:func:`identify` parses any scan (domain.codes.parse_scan) and verifies member codes offline
against the local slice:

- dynamic (the member's phone): the member's sealed secret is opened with the terminal key and
  the code verified (MAC, time window) with a replay cache kept in the database, in the same
  write transaction that records the use; the only kind that may redeem points;
- static card: the token's digest must be on file for that member and not revoked;
- provisional: a member registered at this terminal (or confirmed by HQ);
- a well-formed code of a member the slice does not hold (or holds without a secret or card on
  file) identifies the member unconfirmed: pending points only, no tier discount, no redemption;
- coupons and product barcodes are returned as parsed, for the checkout to route.

Every refusal raises :class:`IdentifyError` with a reason and a message naming what was scanned,
and leaves the database unchanged. :func:`member_view` is what the counter shows of a member.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from posloyalty.domain import codes
from posloyalty.domain.codes import (
    DEFAULT_DRIFT_STEPS,
    DEFAULT_STEP_S,
    MAX_CODE_AGE_S,
    CouponCode,
    DynamicMemberCode,
    ProductBarcode,
    ProvisionalCode,
    ReplayCache,
    RevocationList,
    ScanError,
    StaticCardCode,
)
from posloyalty.domain.ids import MemberId, TierId
from posloyalty.domain.monthday import MonthDay
from posloyalty.domain.pricing import birthday_in_window
from posloyalty.domain.privacy import mask_name, mask_phone
from posloyalty.domain.rules import RuleSet
from posloyalty.terminal.identified import Identified, IdentifiedBy
from posloyalty.terminal.zone import store_zone
from posloyalty.tilldb import member_codes, repo
from posloyalty.tilldb.db import Database, TillSession
from posloyalty.tilldb.vault import Vault, VaultError

ScanOutcome = Identified | ProductBarcode | CouponCode

#: Replay-cache rows are kept this long: well past the oldest code that still verifies.
REPLAY_KEEP = dt.timedelta(seconds=2 * MAX_CODE_AGE_S)


class IdentifyError(ValueError):
    """A scan was refused; ``reason`` is machine-readable, ``message`` is for the cashier.

    Reasons: the scan problems of domain.codes (``empty``, ``too_long``, ``unknown_format``,
    ``bad_check``, ``wrong_version``, ``malformed``), the verification outcomes (``forged``,
    ``expired``, ``future``, ``replayed``, ``revoked``), and ``unreadable_secret`` (the sealed
    secret does not open with this terminal's key).
    """

    def __init__(self, reason: str, message: str, scanned: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.scanned = scanned


def _shown(text: str, limit: int = 44) -> str:
    cut = text.strip()[:limit]
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in cut)
    return shown + ("…" if len(text.strip()) > limit else "")


def _refuse(reason: str, message: str, scan_text: str) -> IdentifyError:
    return IdentifyError(reason, f"{message} (scanned '{_shown(scan_text)}')", scan_text)


class _StoredReplay(ReplayCache):
    """The replay cache verify_dynamic consults, kept in ``used_codes`` in the caller's write."""

    __slots__ = ("_at", "_session")

    def __init__(self, session: TillSession, at: dt.datetime, *, step: int, drift: int) -> None:
        super().__init__(step=step, drift=drift, max_entries=1)
        self._session = session
        self._at = at

    def use(self, member_id: MemberId, counter: int, at_unix: int) -> bool:
        return member_codes.record_code_use(
            self._session, member_id, counter, self._at, keep=REPLAY_KEEP
        )


def identify(
    scan_text: str,
    *,
    db: Database,
    vault: Vault | None,
    step: int = DEFAULT_STEP_S,
    drift: int = DEFAULT_DRIFT_STEPS,
) -> ScanOutcome:
    """Identify the member behind a scan offline, or route a coupon or product scan.

    ``vault`` is the terminal key (tilldb.vault.open_vault); None on a terminal that never held
    a member secret. Time comes from ``db.clock``. Raises :class:`IdentifyError` (nothing
    changed); store failures (a locked or read-only database) raise the store's errors.
    """
    try:
        parsed = codes.parse_scan(scan_text)
    except ScanError as err:
        raise IdentifyError(err.reason, err.message, str(scan_text)) from None
    if isinstance(parsed, ProductBarcode | CouponCode):
        return parsed
    if isinstance(parsed, DynamicMemberCode):
        return _dynamic(parsed, scan_text, db, vault, step=step, drift=drift)
    if isinstance(parsed, StaticCardCode):
        return _static(parsed, scan_text, db)
    return _provisional(parsed, scan_text, db)


def _unconfirmed(member_id: str, by: IdentifiedBy) -> Identified:
    return Identified(MemberId(member_id), by=by, may_redeem=False, confirmed=False)


def _dynamic(
    code: DynamicMemberCode,
    scan_text: str,
    db: Database,
    vault: Vault | None,
    *,
    step: int,
    drift: int,
) -> Identified:
    at = db.clock.now()
    with member_codes.relaxed_write(db) as session:
        try:
            secret = member_codes.member_secret(session, vault, code.member_id)
        except VaultError as exc:
            raise _refuse("unreadable_secret", str(exc), scan_text) from None
        if secret is None:
            # Not in the slice (or its secret has not arrived): earns pending points only, and
            # HQ checks the code when the sale arrives.
            return replace(_unconfirmed(code.member_id, "dynamic"), code=scan_text.strip())
        result = codes.verify_dynamic(
            code,
            secret,
            int(at.timestamp()),
            step=step,
            drift=drift,
            replay=_StoredReplay(session, at, step=step, drift=drift),
        )
        if not result.ok:
            raise _refuse(result.reason, result.message, scan_text)
    return Identified(
        code.member_id, by="dynamic", may_redeem=True, confirmed=True, code=scan_text.strip()
    )


def _static(code: StaticCardCode, scan_text: str, db: Database) -> Identified:
    digest = codes.token_digest(code.token)
    with db.read() as session:
        revoked = member_codes.is_revoked(session, digest)
        owner = member_codes.card_owner(session, digest)
        on_file = owner == code.member_id
        if (
            not revoked
            and owner is None
            and not member_codes.member_has_cards(session, code.member_id)
        ):
            # No card of this member on file here: the slice cannot say; earn pending only.
            return _unconfirmed(code.member_id, "static")
    revocations = RevocationList(frozenset({digest})) if revoked else RevocationList()
    result = codes.verify_static(code, digest if on_file else "", revocations)
    if not result.ok:
        raise _refuse(result.reason, result.message, scan_text)
    return Identified(code.member_id, by="static", may_redeem=False, confirmed=True)


def _provisional(code: ProvisionalCode, scan_text: str, db: Database) -> Identified:
    member_id = code.payload
    with db.read() as session:
        if member_codes.is_revoked(session, member_codes.provisional_digest(code.payload)):
            raise _refuse(
                "revoked",
                "this provisional member code was replaced by the member's own code; "
                "ask the member for it",
                scan_text,
            )
        terminal = repo.get_setting(session, "terminal")
        here = terminal is not None and terminal.upper() == code.terminal_id
        row = repo.member_by_id(session, member_id)
        if (
            here
            and row is None
            and code.seq > member_codes.last_provisional_seq(session, code.terminal_id)
        ):
            raise _refuse(
                "forged", "this terminal never issued that provisional member code", scan_text
            )
        confirmed = row is not None and (here or row.hq_version > 0)
    if not confirmed:
        return _unconfirmed(member_id, "provisional")
    return Identified(MemberId(member_id), by="provisional", may_redeem=False, confirmed=True)


# --------------------------------------------------------------------------- member view


@dataclass(frozen=True, slots=True)
class MemberView:
    """What the counter shows of a member: personal data masked, points from the ledger."""

    member_id: MemberId
    phone_masked: str
    name_masked: str
    tier: TierId
    tier_name: str
    points_available: int
    points_pending: int
    growth: int
    #: The member's birthday falls in the rules' birthday window (default: today).
    birthday: bool
    provisional: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "member_id": self.member_id,
            "phone": self.phone_masked,
            "name": self.name_masked,
            "tier": self.tier,
            "tier_name": self.tier_name,
            "points_available": self.points_available,
            "points_pending": self.points_pending,
            "growth": self.growth,
            "birthday": self.birthday,
            "provisional": self.provisional,
        }


def member_view(
    db: Database, member_id: str, *, rules: RuleSet | None = None, at: dt.datetime | None = None
) -> MemberView | None:
    """The member as shown at the counter, or None when the local slice does not hold them."""
    at = at or db.clock.now()
    with db.read() as session:
        row = repo.member_display(session, member_id)
        if row is None:
            return None
        balance = repo.member_balance(session, member_id, at)
        zone = store_zone(session)
    phone_masked, display_name, tier = row.phone_masked, row.display_name, row.tier
    growth, birthday_text, provisional = row.growth, row.birthday, row.provisional
    tier_name = tier
    window = "day"
    if rules is not None:
        window = rules.points.birthday_window
        if tier in rules.tiers.ids():
            tier_name = rules.tiers.level(tier).name
    today = at.astimezone(zone).date()
    birthday = MonthDay.parse(birthday_text) if birthday_text else None
    return MemberView(
        member_id=MemberId(member_id),
        phone_masked=phone_masked if "*" in phone_masked else mask_phone(phone_masked),
        name_masked=mask_name(display_name) if display_name.strip() else "",
        tier=TierId(tier),
        tier_name=tier_name,
        points_available=balance.available,
        points_pending=balance.pending,
        growth=int(growth),
        birthday=birthday is not None and birthday_in_window(birthday, today, window),
        provisional=bool(provisional),
    )

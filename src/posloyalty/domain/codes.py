"""Member, coupon and product codes: formats, scan routing and offline verification.

Every payload we issue uses only 0-9 and A-Z (a subset of the QR alphanumeric set, so keyboard
wedges type it intact under any layout), is at most 40 characters, starts with a kind letter and
a version character, and ends with a Damm check character (over a totally anti-symmetric
quasigroup of order 36) computed over everything before it. The check catches every
single-character error and every adjacent transposition, so a mistyped or mis-scanned code is
refused before any lookup. All versions keep that trailer.

======================  =====================================================  ==========
kind                    layout                                                 length
======================  =====================================================  ==========
dynamic member (phone)  ``M1`` counter(3) mac(11) member(1-16) check            18-33
static card             ``C1`` token(16) member(1-16) check                     20-35
provisional member      ``P1`` len(1) terminal(1-12) seq(1-8) check             6-24
coupon                  ``Q1`` coupon(4-32) check                               7-35
product                 EAN-13, EAN-8 or UPC-A digits with their check digit    8/12/13
======================  =====================================================  ==========

Member ids and terminal ids that go into codes are upper-case base-36 strings (``[0-9A-Z]``).

The dynamic code is RFC 6238 style: ``counter = unix_time // step``; the MAC is HMAC-SHA256 under
the member's secret over (member id, full counter), truncated to 11 base-36 characters (56.9 bits).
The low three base-36 digits of the counter travel in the code (16 days at 30 s steps) so the
verifier can tell an expired or future code from a forged one. Nothing here reads the clock or a
random source: time and randomness are arguments.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, Literal

from posloyalty.domain import ids
from posloyalty.domain.ids import MemberId, TerminalId

B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_B36_VALUE = {c: i for i, c in enumerate(B36)}
QR_ALPHANUMERIC = frozenset(B36 + " $%*+-./:")
MAX_PAYLOAD = 40
#: A dynamic code older than this never verifies, whatever step and drift are configured.
MAX_CODE_AGE_S = 120

DEFAULT_STEP_S = 30
DEFAULT_DRIFT_STEPS = 1

_COUNTER_CHARS = 3
_COUNTER_MOD = 36**_COUNTER_CHARS
_MAC_CHARS = 11
_TOKEN_CHARS = 16
TOKEN_BYTES = 10  # 80 bits fit in 16 base-36 characters (82.7 bits)
_MEMBER_MAX = 16
_TERMINAL_MAX = 12
_SEQ_MAX_CHARS = 8
_COUPON_MIN, _COUPON_MAX = 4, 32
MIN_SECRET_BYTES = 16
_RAW_SCAN_LIMIT = 256

_KINDS = {"M": "dynamic member", "C": "static card", "P": "provisional member", "Q": "coupon"}
_VERSIONS = {"M": "1", "C": "1", "P": "1", "Q": "1"}

ScanProblem = Literal[
    "empty", "too_long", "unknown_format", "bad_check", "wrong_version", "malformed"
]
VerifyReason = Literal[
    "ok",
    "forged",
    "expired",
    "future",
    "replayed",
    "revoked",
    "not_dynamic",
    "empty",
    "too_long",
    "unknown_format",
    "bad_check",
    "wrong_version",
    "malformed",
]


class ScanError(ValueError):
    """A scan is not a code we understand; ``message`` says what was scanned and why."""

    def __init__(self, reason: ScanProblem, message: str) -> None:
        super().__init__(message)
        self.reason: ScanProblem = reason
        self.message = message


# --------------------------------------------------------------------------- base 36 and checks


def to_base36(value: int, width: int | None = None) -> str:
    """Encode a non-negative int in base 36 (upper case), left-padded with zeros to ``width``."""
    if value < 0:
        raise ValueError("base 36 encodes non-negative integers only")
    digits = []
    while value:
        value, rem = divmod(value, 36)
        digits.append(B36[rem])
    text = "".join(reversed(digits)) or "0"
    if width is not None:
        if len(text) > width:
            raise ValueError(f"{text} does not fit in {width} base-36 characters")
        text = text.rjust(width, "0")
    return text


def from_base36(text: str) -> int:
    """Decode upper-case base 36; ValueError on anything else."""
    if not text or any(c not in _B36_VALUE for c in text):
        raise ValueError(f"{text!r} is not upper-case base 36")
    value = 0
    for c in text:
        value = value * 36 + _B36_VALUE[c]
    return value


def _omega_times(b: int) -> int:
    # Multiply by the generator ω of GF(4) = GF(2)[ω]/(ω² + ω + 1); b is the bit pair (b1, b0).
    b1, b0 = b >> 1, b & 1
    return ((b1 ^ b0) << 1) | b1


# Damm table: the quasigroup x∗y = (ω·x₁ + y₁, 2·x₂ + y₂ mod 9) on GF(4) × Z9 (value = 9·v₁ + v₂).
# a·x + y with a and a-1 both invertible is totally anti-symmetric, which is exactly what makes
# every single substitution and every adjacent transposition change the result.
_DAMM = tuple(
    tuple(9 * (_omega_times(x // 9) ^ (y // 9)) + (2 * (x % 9) + y % 9) % 9 for y in range(36))
    for x in range(36)
)


def _damm_state(text: str) -> int:
    state = 0
    for c in text:
        state = _DAMM[state][_B36_VALUE[c]]
    return state


def check_char(body: str) -> str:
    """Damm check character (order-36 quasigroup) over a base-36 string."""
    row = _DAMM[_damm_state(body)]
    return B36[row.index(0)]


def has_valid_check(payload: str) -> bool:
    """True when the payload (base 36, check character last) passes the Damm check."""
    return len(payload) >= 2 and _damm_state(payload) == 0


def gtin_check_digit(digits: str) -> str:
    """GS1 mod-10 check digit for the digits before it (EAN-13, EAN-8, UPC-A, GTIN-14)."""
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(f"{digits!r} is not a string of digits")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def is_qr_alphanumeric(payload: str) -> bool:
    """True when ``payload`` fits the QR alphanumeric mode character set."""
    return all(c in QR_ALPHANUMERIC for c in payload)


def _is_b36(text: str) -> bool:
    return all(c in _B36_VALUE for c in text)


# --------------------------------------------------------------------------- scan types


@dataclass(frozen=True, slots=True)
class DynamicMemberCode:
    """A time-based code shown on the member's phone; the only kind that may redeem points."""

    payload: str
    member_id: MemberId
    counter_low: int
    mac: str
    kind: ClassVar[str] = "dynamic"
    may_redeem: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class StaticCardCode:
    """A printed card: an HQ-issued random token bound to the member. Earns, never spends."""

    payload: str
    member_id: MemberId
    token: str
    kind: ClassVar[str] = "static"
    may_redeem: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class ProvisionalCode:
    """A member registered offline at ``terminal_id``, number ``seq`` there; resolved at HQ."""

    payload: str
    terminal_id: TerminalId
    seq: int
    kind: ClassVar[str] = "provisional"
    may_redeem: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class CouponCode:
    """A coupon; ``coupon`` is the code body that the coupon tables are keyed by."""

    payload: str
    coupon: ids.CouponCode
    kind: ClassVar[str] = "coupon"
    may_redeem: ClassVar[bool] = False


Symbology = Literal["EAN13", "EAN8", "UPCA"]


@dataclass(frozen=True, slots=True)
class ProductBarcode:
    """A retail product barcode with a valid check digit."""

    payload: str
    symbology: Symbology
    kind: ClassVar[str] = "product"
    may_redeem: ClassVar[bool] = False

    @property
    def gtin14(self) -> str:
        """The GTIN zero-padded to 14 digits: one key for UPC-A and its EAN-13 spelling."""
        return self.payload.rjust(14, "0")


Scan = DynamicMemberCode | StaticCardCode | ProvisionalCode | CouponCode | ProductBarcode


# --------------------------------------------------------------------------- parsing

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def _shown(text: str, limit: int = 44) -> str:
    """The scan as it can be shown in a message: printable, bounded."""
    cut = text[:limit]
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in cut)
    return shown + ("…" if len(text) > limit else "")


def normalise_scan(text: str) -> str:
    """Undo what wedge scanners and input methods do to a code.

    Strips surrounding whitespace (the CR/LF suffix), maps full-width characters from a Chinese
    input method to ASCII, drops spaces inside (codes are printed in groups) and upper-cases
    ASCII letters (a wrong Caps Lock state).
    """
    text = text.strip().translate(_FULLWIDTH).replace(" ", "")
    return text.upper() if text.isascii() else text


def parse_scan(text: str) -> Scan:
    """Route a raw scan to its code type, or raise :class:`ScanError` (and nothing else)."""
    if not isinstance(text, str):
        raise ScanError("unknown_format", f"{type(text).__name__} is not scanned text")
    if len(text) > _RAW_SCAN_LIMIT:
        raise ScanError("too_long", f"'{_shown(text)}' is too long to be a code")
    raw = text.strip()
    code = normalise_scan(text)
    if not code:
        raise ScanError("empty", "nothing was scanned")
    if code.isascii() and code.isdigit():
        return _parse_product(raw, code)
    unknown = ScanError(
        "unknown_format", f"'{_shown(raw)}' is not a member, coupon or product code"
    )
    if len(code) > MAX_PAYLOAD or len(code) < 3 or not _is_b36(code) or code[0] not in _KINDS:
        raise unknown
    letter, version = code[0], code[1]
    kind_name = _KINDS[letter]
    check_ok = has_valid_check(code)
    if version != _VERSIONS[letter]:
        if not check_ok:
            raise unknown
        raise ScanError(
            "wrong_version",
            f"'{_shown(raw)}' is a {kind_name} code of version {version}, which this terminal "
            "does not understand (update the terminal software)",
        )
    if not check_ok:
        raise ScanError(
            "bad_check",
            f"'{_shown(raw)}' looks like a {kind_name} code but its check character is wrong "
            "(mis-scan or typo); scan it again",
        )
    body = code[2:-1]
    malformed = ScanError(
        "malformed", f"'{_shown(raw)}' looks like a {kind_name} code but its length is wrong"
    )
    if letter == "M":
        fixed = _COUNTER_CHARS + _MAC_CHARS
        if not fixed < len(body) <= fixed + _MEMBER_MAX:
            raise malformed
        return DynamicMemberCode(
            payload=code,
            member_id=MemberId(body[fixed:]),
            counter_low=from_base36(body[:_COUNTER_CHARS]),
            mac=body[_COUNTER_CHARS:fixed],
        )
    if letter == "C":
        if not _TOKEN_CHARS < len(body) <= _TOKEN_CHARS + _MEMBER_MAX:
            raise malformed
        return StaticCardCode(
            payload=code, member_id=MemberId(body[_TOKEN_CHARS:]), token=body[:_TOKEN_CHARS]
        )
    if letter == "P":
        n = _B36_VALUE[body[0]] if body else 0
        seq = body[1 + n :]
        if not (1 <= n <= _TERMINAL_MAX and 1 <= len(seq) <= _SEQ_MAX_CHARS):
            raise malformed
        if len(seq) > 1 and seq[0] == "0":  # one spelling per sequence number
            raise malformed
        return ProvisionalCode(
            payload=code, terminal_id=TerminalId(body[1 : 1 + n]), seq=from_base36(seq)
        )
    if not _COUPON_MIN <= len(body) <= _COUPON_MAX:
        raise malformed
    return CouponCode(payload=code, coupon=ids.CouponCode(body))


_PRODUCT_LENGTHS: dict[int, Symbology] = {13: "EAN13", 12: "UPCA", 8: "EAN8"}


def _parse_product(raw: str, digits: str) -> ProductBarcode:
    symbology = _PRODUCT_LENGTHS.get(len(digits))
    if symbology is None:
        raise ScanError(
            "unknown_format",
            f"'{_shown(raw)}' is not a member, coupon or product code "
            f"({len(digits)} digits; product barcodes have 8, 12 or 13)",
        )
    if gtin_check_digit(digits[:-1]) != digits[-1]:
        raise ScanError(
            "bad_check",
            f"'{_shown(raw)}' looks like a {symbology} product barcode but its check digit is "
            "wrong; scan it again",
        )
    return ProductBarcode(payload=digits, symbology=symbology)


# --------------------------------------------------------------------------- generation


def _require_b36(value: str, what: str, max_len: int) -> None:
    if not 1 <= len(value) <= max_len or not _is_b36(value):
        raise ValueError(f"{what} {value!r} must be 1-{max_len} characters of 0-9 A-Z")


def _with_check(body: str) -> str:
    payload = body + check_char(body)
    assert len(payload) <= MAX_PAYLOAD
    return payload


def _check_timing(step: int, drift: int) -> None:
    if step <= 0 or drift < 0:
        raise ValueError("step must be positive and drift non-negative")
    if (drift + 1) * step > MAX_CODE_AGE_S:
        raise ValueError(
            f"step {step} s with drift {drift} would accept codes older than {MAX_CODE_AGE_S} s"
        )


def _mac(secret: bytes, member_id: str, counter: int) -> str:
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"a member secret must have at least {MIN_SECRET_BYTES} bytes")
    message = (
        b"posloyalty/M1\x00" + member_id.encode("ascii") + b"\x00" + counter.to_bytes(8, "big")
    )
    digest = hmac.new(secret, message, hashlib.sha256).digest()
    return to_base36(int.from_bytes(digest[:16], "big") % 36**_MAC_CHARS, _MAC_CHARS)


def make_dynamic(
    member_id: MemberId, secret: bytes, at_unix: int, *, step: int = DEFAULT_STEP_S
) -> str:
    """The dynamic member code valid at ``at_unix`` (what the member's phone shows)."""
    _require_b36(member_id, "member id", _MEMBER_MAX)
    _check_timing(step, 0)
    if at_unix < 0:
        raise ValueError("at_unix must not be negative")
    counter = at_unix // step
    low = to_base36(counter % _COUNTER_MOD, _COUNTER_CHARS)
    return _with_check("M1" + low + _mac(secret, member_id, counter) + member_id)


def make_static(member_id: MemberId, token: bytes) -> str:
    """A static card code binding an HQ-issued random ``token`` (exactly 10 bytes) to a member."""
    _require_b36(member_id, "member id", _MEMBER_MAX)
    if len(token) != TOKEN_BYTES:
        raise ValueError(f"a card token must be {TOKEN_BYTES} random bytes (80 bits)")
    return _with_check("C1" + to_base36(int.from_bytes(token, "big"), _TOKEN_CHARS) + member_id)


def make_provisional(terminal_id: TerminalId, seq: int) -> str:
    """The code of the ``seq``-th member registered offline at ``terminal_id``."""
    _require_b36(terminal_id, "terminal id", _TERMINAL_MAX)
    if not 0 <= seq < 36**_SEQ_MAX_CHARS:
        raise ValueError(f"sequence number {seq} out of range")
    return _with_check("P1" + B36[len(terminal_id)] + terminal_id + to_base36(seq))


def make_coupon(coupon: ids.CouponCode) -> str:
    """The scannable form of a coupon code body (4-32 characters of 0-9 A-Z)."""
    if not _COUPON_MIN <= len(coupon) <= _COUPON_MAX or not _is_b36(coupon):
        raise ValueError(
            f"coupon {coupon!r} must be {_COUPON_MIN}-{_COUPON_MAX} characters of 0-9 A-Z"
        )
    return _with_check("Q1" + coupon)


def _make_gtin(digits: str, length: int, name: str) -> str:
    if len(digits) != length - 1 or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"{name} needs {length - 1} digits before the check digit, got {digits!r}")
    return digits + gtin_check_digit(digits)


def make_ean13(first12: str) -> str:
    """EAN-13 from its first 12 digits."""
    return _make_gtin(first12, 13, "EAN-13")


def make_ean8(first7: str) -> str:
    """EAN-8 from its first 7 digits."""
    return _make_gtin(first7, 8, "EAN-8")


def make_upca(first11: str) -> str:
    """UPC-A from its first 11 digits."""
    return _make_gtin(first11, 12, "UPC-A")


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The outcome of verifying a member code offline; ``message`` is for the cashier."""

    reason: VerifyReason
    message: str
    member_id: MemberId | None = None
    counter: int | None = None

    @property
    def ok(self) -> bool:
        return self.reason == "ok"


class ReplayCache:
    """Dynamic codes already accepted at this terminal, so the same code is refused twice.

    Keyed by (member id, counter); an entry is dropped once its code could no longer verify
    anyway. Bounded: past ``max_entries`` the oldest entry goes (at a counter, ``max_entries``
    accepted codes within two minutes does not happen). Time is passed in; nothing is read.
    """

    __slots__ = ("_entries", "drift", "max_entries", "step")

    def __init__(
        self,
        *,
        step: int = DEFAULT_STEP_S,
        drift: int = DEFAULT_DRIFT_STEPS,
        max_entries: int = 10_000,
    ) -> None:
        _check_timing(step, drift)
        if max_entries < 1:
            raise ValueError("max_entries must be positive")
        self.step = step
        self.drift = drift
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[str, int], int] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def evict(self, at_unix: int) -> None:
        """Forget every code whose counter is out of the validity window at ``at_unix``."""
        oldest_valid = at_unix // self.step - self.drift
        stale = [key for key, counter in self._entries.items() if counter < oldest_valid]
        for key in stale:
            del self._entries[key]

    def use(self, member_id: MemberId, counter: int, at_unix: int) -> bool:
        """Record a use; False when this (member, counter) was already used."""
        key = (member_id, counter)
        if key in self._entries:
            return False
        # Entries arrive in time order, so stale ones sit at the front: O(1) amortised.
        oldest_valid = at_unix // self.step - self.drift
        while self._entries and next(iter(self._entries.values())) < oldest_valid:
            self._entries.popitem(last=False)
        while len(self._entries) >= self.max_entries:
            self._entries.popitem(last=False)
        self._entries[key] = counter
        return True


def verify_dynamic(
    code: DynamicMemberCode | str,
    secret: bytes,
    at_unix: int,
    *,
    step: int = DEFAULT_STEP_S,
    drift: int = DEFAULT_DRIFT_STEPS,
    replay: ReplayCache | None = None,
) -> VerifyResult:
    """Verify a dynamic member code offline against the member's secret.

    Accepted when the MAC matches (compared in constant time) and the code's counter is within
    ``drift`` steps of ``at_unix // step``; with a ``replay`` cache, an accepted code is recorded
    and the same code presented again is refused as ``replayed``.
    """
    _check_timing(step, drift)
    if isinstance(code, str):
        try:
            parsed = parse_scan(code)
        except ScanError as err:
            return VerifyResult(err.reason, err.message)
        if not isinstance(parsed, DynamicMemberCode):
            return VerifyResult(
                "not_dynamic", f"this is a {parsed.kind} code, not a member's phone code"
            )
        code = parsed
    now = at_unix // step
    # The full counter congruent to the transmitted low digits, nearest to now.
    counter = now - ((now - code.counter_low) % _COUNTER_MOD)
    if now - counter > _COUNTER_MOD // 2:
        counter += _COUNTER_MOD
    expected = _mac(secret, code.member_id, max(counter, 0))
    if counter < 0 or not hmac.compare_digest(expected, code.mac):
        return VerifyResult("forged", "this member code is not genuine", code.member_id)
    ahead = counter - now
    if ahead < -drift:
        return VerifyResult(
            "expired",
            f"this member code expired (made about {-ahead * step} s ago); ask for a fresh one",
            code.member_id,
            counter,
        )
    if ahead > drift:
        return VerifyResult(
            "future",
            f"this member code is {ahead * step} s ahead of the terminal clock; check both clocks",
            code.member_id,
            counter,
        )
    if replay is not None and not replay.use(code.member_id, counter, at_unix):
        return VerifyResult(
            "replayed",
            "this member code was already used; ask for a fresh one",
            code.member_id,
            counter,
        )
    return VerifyResult("ok", "member code verified", code.member_id, counter)


def token_digest(token: str) -> str:
    """What the terminal keeps of a card token: its SHA-256, never the token itself."""
    return hashlib.sha256(b"posloyalty/C1\x00" + token.encode("ascii")).hexdigest()


@dataclass(frozen=True, slots=True)
class RevocationList:
    """Digests of revoked card tokens (lost cards), as synced from HQ."""

    digests: frozenset[str] = frozenset()

    @classmethod
    def from_tokens(cls, tokens: Iterable[str]) -> RevocationList:
        return cls(frozenset(token_digest(t) for t in tokens))

    def __contains__(self, code: object) -> bool:
        return isinstance(code, StaticCardCode) and token_digest(code.token) in self.digests

    def __len__(self) -> int:
        return len(self.digests)

    def with_digests(self, digests: Iterable[str]) -> RevocationList:
        return RevocationList(self.digests | frozenset(digests))

    def union(self, other: RevocationList) -> RevocationList:
        return RevocationList(self.digests | other.digests)


def verify_static(
    code: StaticCardCode, expected_digest: str, revoked: RevocationList
) -> VerifyResult:
    """Check a card against the token digest on file for its member and the revocation list."""
    if code in revoked:
        return VerifyResult(
            "revoked",
            "this card was reported lost and is blocked; the member should use the app",
            code.member_id,
        )
    if not hmac.compare_digest(token_digest(code.token), expected_digest):
        return VerifyResult("forged", "this card does not belong to that member", code.member_id)
    return VerifyResult("ok", "member card verified", code.member_id)

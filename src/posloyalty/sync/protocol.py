"""The sync protocol between terminals and HQ: versioned message types, limits, headers.

Imported by the HQ server (FastAPI validates requests with these models) and by the terminal's
sync client. Every request carries :data:`VERSION_HEADER`; HQ refuses a version newer than it
understands with HTTP 400 and :func:`version_problem`'s message. Money is integer fen, instants
are ISO 8601 with an offset. Item ids are the client's UUIDv7 text (the outbox ``ref_id``).

Push: ``POST /v1/push`` with a :class:`PushBatch`; the answer is a :class:`PushResult` with one
:class:`ItemResult` per item, in order. ``accepted``: stored now; ``duplicate``: the same id with
the same payload was stored before (acknowledged, nothing changed); ``conflict``: the same id
with a different payload was stored before (refused, recorded at HQ, like an HTTP 409 for that
item); ``rejected``: the item is invalid (``reason`` says why). Every status except ``rejected``
means the terminal may mark the outbox row sent; a rejected item will be rejected again. An
``accepted`` item whose ``reason`` starts with :data:`CONFLICT_REASON_PREFIX` was posted, and HQ
recorded a business conflict about it (``conflict:overdraft: ...``, ``conflict:unknown_coupon:
...``, ``conflict:coupon_reused: ...``); a terminal that does not know this just sees it accepted.

Pull: ``POST /v1/pull`` with a :class:`PullRequest`; the answer is a :class:`PullResponse`.
Changes are the latest state of each (kind, key) in the terminal's slice, in increasing ``seq``;
the terminal applies them (upsert by key; ``data`` None means deleted) and persists
``next_cursor``, then pulls again while ``more``. Pulling from cursor 0 is the first snapshot.
With :attr:`PullRequest.ledger` the feed also carries the slice members' ledger entries
(kind ``ledger_entry``, keyed by entry id; ``data`` has the entry's id and the fields of a
:class:`LedgerEntryPayload`, ``member_id`` being the member's HQ id and ``store_id`` and
``terminal_id`` None for HQ's own entries): the terminal inserts those it does not hold.

Lookup: ``POST /v1/lookup`` with a :class:`LookupRequest` (a member the till's slice does not
hold); the answer is a :class:`LookupResponse`. Only a phone code HQ verifies proves the
member is at the store; a phone, an id or a static card gets ``needs_code`` whether or not such
a member exists, unless the member is already in the caller store's slice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from posloyalty.domain import chain
from posloyalty.jsontext import canonical_json

PROTOCOL_VERSION = 1
VERSION_HEADER = "X-Posloyalty-Protocol"

#: Items in one push batch; a terminal drains a longer outbox in several batches.
MAX_BATCH_ITEMS = 1000
#: Canonical JSON size of one item's payload.
MAX_ITEM_PAYLOAD_BYTES = 32 * 1024
#: Size of any request body HQ accepts (HTTP 413 above).
MAX_BODY_BYTES = 4 * 1024 * 1024
DEFAULT_PULL_LIMIT = 1000
MAX_PULL_LIMIT = 5000
#: HQ's member card page: printed on member receipts, sent to members by SMS.
CARD_PATH = "/m/"

ItemKind = Literal["sale", "ledger_entry", "registration", "coupon_use", "card"]
ITEM_KINDS: tuple[ItemKind, ...] = ("sale", "ledger_entry", "registration", "coupon_use", "card")
ItemStatus = Literal["accepted", "duplicate", "conflict", "rejected"]
ChangeKind = Literal[
    "rule_document", "product", "member", "coupon", "revocation", "member_secret", "ledger_entry"
]
CHANGE_KINDS: tuple[ChangeKind, ...] = (
    "rule_document",
    "product",
    "member",
    "coupon",
    "revocation",
    "member_secret",
    "ledger_entry",
)
#: :attr:`ItemResult.reason` of an ``accepted`` item that HQ posted but recorded a conflict
#: for (an overdraft, an unknown or reused coupon): ``"conflict:<kind>: <words>"``.
CONFLICT_REASON_PREFIX = "conflict:"


class ProtocolError(ValueError):
    """A message does not follow the protocol."""


def version_problem(header: str | None) -> str | None:
    """Why a request's protocol version header is refused, or None when it is acceptable."""
    if header is None or not header.strip():
        return f"missing {VERSION_HEADER} header (this HQ speaks version {PROTOCOL_VERSION})"
    text = header.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        return f"{VERSION_HEADER} must be a whole number, got {header[:20]!r}"
    version = int(text)
    if version > PROTOCOL_VERSION:
        return (
            f"protocol version {version} is newer than this HQ understands "
            f"({PROTOCOL_VERSION}); upgrade HQ before the terminals"
        )
    if version < 1:
        return f"protocol version {version} does not exist"
    return None


def request_headers(token: str | None = None) -> dict[str, str]:
    """The headers every sync request carries (with the terminal credential when given)."""
    headers = {VERSION_HEADER: str(PROTOCOL_VERSION)}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def _uuid7_text(value: str) -> str:
    # The pattern already pins the layout, the version nibble (7) and the variant bits, so the
    # canonical spelling is just the lower-case text (what uuid.UUID(value) would print).
    return value.lower()


_UUID7_PATTERN = (
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-7[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$"
)
#: A UUIDv7 in its canonical hyphenated spelling (returned lower-case).
ClientId = Annotated[str, Field(pattern=_UUID7_PATTERN), AfterValidator(_uuid7_text)]
#: Printable text: no control characters (PostgreSQL text cannot hold NUL).
_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
ShortText = Annotated[str, Field(min_length=1, max_length=64, pattern=_PRINTABLE)]


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PushItem(_Message):
    kind: ItemKind
    id: ClientId
    payload: dict[str, Any]

    @model_validator(mode="after")
    def _payload_size(self) -> PushItem:
        text = canonical_json(self.payload)
        size = len(text.encode("utf-8"))
        if size > MAX_ITEM_PAYLOAD_BYTES:
            raise ValueError(f"payload is {size} bytes; at most {MAX_ITEM_PAYLOAD_BYTES}")
        # Kept in pydantic's private-value slot, written directly: a declared PrivateAttr
        # costs a default copy and a __setattr__ per item (half the item's validation).
        object.__setattr__(self, "__pydantic_private__", {"_canonical": text})
        return self

    @property
    def canonical_payload(self) -> str:
        """The payload's canonical JSON (what idempotency compares), computed once."""
        private = self.__pydantic_private__
        text = private.get("_canonical") if private else None
        return text or canonical_json(self.payload)


_HEX64 = r"^[0-9a-f]{64}$"
Hex64 = Annotated[str, Field(pattern=_HEX64)]


class ChainLink(_Message):
    """One link of the till's hash chain (``posloyalty.domain.chain``): row ``seq`` is the
    ``kind`` item ``id``, whose content has SHA-256 ``digest``; ``hash`` is the link over them
    and ``prev`` (the previous row's link). A batch carries the links after the last one HQ
    has, up to the last row among its items, in order."""

    seq: Annotated[int, Field(ge=1, le=10**15)]
    #: Audit rows are chained but not pushed: HQ checks their links only.
    kind: Literal["sale", "ledger_entry", "audit"]
    id: Annotated[str, Field(min_length=1, max_length=40)]
    prev: Hex64
    digest: Annotated[str, Field(pattern=r"^([0-9a-f]{64})?$")]
    hash: Hex64


class PushBatch(_Message):
    terminal_id: ShortText
    batch_id: ShortText
    items: list[PushItem] = Field(max_length=MAX_BATCH_ITEMS)
    chain: list[ChainLink] = Field(default_factory=list, max_length=4 * MAX_BATCH_ITEMS)
    #: The till's chain key (hex), sent once: HQ keeps the first one it is given.
    chain_key: Hex64 | None = None


class ItemResult(_Message):
    kind: ItemKind
    id: str
    status: ItemStatus
    reason: str = ""


class PushResult(_Message):
    batch_id: str
    results: list[ItemResult]
    server_time: dt.datetime


class PullRequest(_Message):
    cursor: int = Field(ge=0, le=10**15)
    limit: int = Field(default=DEFAULT_PULL_LIMIT, ge=1, le=MAX_PULL_LIMIT)
    #: Ask for :attr:`PullResponse.tables` (same-shaped changes as rows of values): a first
    #: snapshot about half the size. Off by default; the answer is then exactly as before.
    compact: bool = False
    #: Ask for the slice members' ledger entries (change kind ``ledger_entry``). Off by
    #: default, so a terminal that cannot apply them never receives them.
    ledger: bool = False
    #: The rule revision in force at the terminal (``ID@REVISION``; empty: none): asks for
    #: :attr:`PullResponse.rules`, the revision in force at its store. None (older terminals):
    #: only the chain-wide revision, through the change feed.
    rules: Annotated[str, Field(max_length=100, pattern=_PRINTABLE)] | None = None


class StoreRules(_Message):
    """The rule revision in force at the caller's store now; ``text`` only when the terminal
    may not have it in force already (it said another one, or the page changed rules)."""

    id: Annotated[str, Field(min_length=1, max_length=64)]
    revision: int = Field(ge=0)
    text: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.revision}"


class Change(_Message):
    seq: int
    kind: ChangeKind
    key: str
    #: The entity's state now; None when it was deleted.
    data: dict[str, Any] | None


class ChangeTable(_Message):
    """Changes of one kind whose data objects have the same fields, in that order: row ``i``
    is the change (``seqs[i]``, ``kind``, ``keys[i]``, ``dict(zip(fields, rows[i]))``)."""

    kind: ChangeKind
    fields: list[str]
    seqs: list[int]
    keys: list[str]
    rows: list[list[Any]]

    @model_validator(mode="after")
    def _shape(self) -> ChangeTable:
        if not len(self.seqs) == len(self.keys) == len(self.rows):
            raise ValueError("seqs, keys and rows must be equally long")
        if len(set(self.fields)) != len(self.fields):
            raise ValueError("fields must be distinct")
        if any(len(row) != len(self.fields) for row in self.rows):
            raise ValueError("every row needs one value per field")
        return self

    def changes(self) -> list[Change]:
        return [
            Change(seq=seq, kind=self.kind, key=key, data=dict(zip(self.fields, row, strict=True)))
            for seq, key, row in zip(self.seqs, self.keys, self.rows, strict=True)
        ]


class BalanceConfirmation(_Message):
    """HQ's signed word that ``member_id`` had ``balance`` points available at ``as_of``, given
    to ``terminal_id`` (Ed25519 over :func:`confirmation_message`, hex ``signature``)."""

    member_id: str
    balance: int
    as_of: dt.datetime
    terminal_id: str
    signature: Annotated[str, Field(pattern=r"^[0-9a-f]{128}$")]


def confirmation_message(
    member_id: str, balance: int, as_of: dt.datetime, terminal_id: str
) -> bytes:
    """What HQ signs for a :class:`BalanceConfirmation`."""
    when = as_of.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return f"posloyalty/balance/v1\x00{member_id}\x00{int(balance)}\x00{when}\x00{terminal_id}".encode()


class PullResponse(_Message):
    changes: list[Change]
    next_cursor: int
    more: bool
    server_time: dt.datetime
    #: Only when the request asked ``compact``: more of the page's changes, grouped by shape.
    tables: list[ChangeTable] = Field(default_factory=list)
    #: A signed balance confirmation for each member the page carries (for this terminal).
    confirmations: list[BalanceConfirmation] = Field(default_factory=list)
    #: Only when the request said ``rules`` and this is the last page: the revision in force
    #: at the terminal's store, applied after the page's changes.
    rules: StoreRules | None = None

    def all_changes(self) -> list[Change]:
        """Every change of the page, from ``changes`` and ``tables``, in increasing seq."""
        if not self.tables:
            return list(self.changes)
        merged = [*self.changes, *(c for t in self.tables for c in t.changes())]
        return sorted(merged, key=lambda c: c.seq)


#: A run of same-shaped changes for :attr:`PullResponse.tables`: kind, the fields as a JSON
#: array, and (seq, key, the values as a JSON array) per change.
RawTable = tuple[str, str, list[tuple[int, str, str]]]


def encode_pull_response(
    changes: Iterable[tuple[int, str, str, str | None]],
    next_cursor: int,
    more: bool,
    server_time: dt.datetime,
    tables: Iterable[RawTable] | None = None,
    *,
    confirmations: Iterable[BalanceConfirmation] = (),
    rules: StoreRules | None = None,
) -> bytes:
    """A :class:`PullResponse` as JSON, from changes whose ``data`` is already JSON text.

    HQ stores each entity's data as JSON; splicing it in avoids decoding and re-encoding
    thousands of objects per page. Decoding the result gives the same :class:`PullResponse`.
    ``tables`` (given only for a compact request) are spliced in the same way.
    """
    parts = [
        f'{{"seq":{int(seq)},"kind":{json.dumps(kind)},"key":{json.dumps(key)},'
        f'"data":{data if data is not None else "null"}}}'
        for seq, kind, key, data in changes
    ]
    tail = f'"next_cursor":{int(next_cursor)},"more":{"true" if more else "false"},'
    tail += f'"server_time":{json.dumps(server_time.isoformat())}'
    if tables is not None:
        encoded = [
            f'{{"kind":{json.dumps(kind)},"fields":{fields},'
            f'"seqs":{json.dumps([int(r[0]) for r in rows])},'
            f'"keys":{json.dumps([r[1] for r in rows], ensure_ascii=False)},'
            f'"rows":[{",".join(r[2] for r in rows)}]}}'
            for kind, fields, rows in tables
        ]
        tail += f',"tables":[{",".join(encoded)}]'
    signed = [c.model_dump_json() for c in confirmations]
    if signed:
        tail += f',"confirmations":[{",".join(signed)}]'
    if rules is not None:
        tail += f',"rules":{rules.model_dump_json()}'
    return ('{"changes":[' + ",".join(parts) + "]," + tail + "}").encode("utf-8")


#: What a till looked a member up by (:class:`LookupRequest`).
LookupBy = Literal["code", "phone", "member_id"]
#: ``found``: HQ linked the member to the caller's store (a verified phone code, or a member
#: already in the store's slice) and ``changes`` carry what a pull would deliver about them;
#: ``needs_code``: nothing is said about whether such a member exists (a phone, an id or a
#: static card proves no presence): scan the member's phone code; ``not_found``: the code
#: names no member HQ knows; ``refused``: the phone code does not verify (``reason``).
LookupStatus = Literal["found", "needs_code", "not_found", "refused"]


class LookupRequest(_Message):
    """``POST /v1/lookup``: a member the till's slice does not hold."""

    by: LookupBy
    #: The scanned code as read, the phone digits, or the member id.
    value: Annotated[str, Field(min_length=1, max_length=64, pattern=_PRINTABLE)]


class LookupResponse(_Message):
    status: LookupStatus
    member_id: str | None = None
    reason: str = ""
    #: The member's rows as a pull delivers them (member, member_secret, coupons, ledger
    #: entries), with their current seq: the till applies them like a pulled page, without
    #: moving its cursor (the next pull brings the same rows again, idempotently).
    changes: list[Change] = Field(default_factory=list)
    server_time: dt.datetime


class EnrollRequest(_Message):
    code: Annotated[str, Field(min_length=1, max_length=64)]
    name: Annotated[str, Field(max_length=64, pattern=_PRINTABLE)] = ""


class EnrollResponse(_Message):
    terminal_id: str
    store_id: str
    #: The terminal credential: shown once, HQ keeps only its hash.
    token: str
    #: Retired (phone hashes are keyed by :attr:`phone_key` now); HQ sends "".
    phone_salt: str = ""
    #: Chain-wide HMAC key for phone hashes, so a terminal's hash matches HQ's and other
    #: stores'. The terminal keeps it in its credential file, never in its database.
    phone_key: str = ""
    protocol_version: int = PROTOCOL_VERSION
    #: HQ's Ed25519 public key (hex): the till verifies HQ's balance confirmations with it.
    hq_public_key: str = ""


class ErrorBody(_Message):
    detail: str


# --------------------------------------------------------------------------- item payloads
# What HQ reads from each item kind. Unknown extra fields are kept (and compared for
# idempotency) but not interpreted, so a newer terminal may send more.


class _Payload(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    store_id: ShortText
    terminal_id: ShortText


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must carry a UTC offset")
    if not 1970 <= value.year <= 2200:
        raise ValueError("is not a plausible date (1970-2200)")
    return value


Instant = Annotated[dt.datetime, AfterValidator(_aware)]
#: Ids a terminal writes (member, lot, sale ids): letters, digits and . _ : -
_ID = r"^[A-Za-z0-9._:-]+$"
MemberRef = Annotated[str, Field(min_length=1, max_length=40, pattern=_ID)]
RecordId = Annotated[str, Field(min_length=1, max_length=40, pattern=_ID)]
Text = Annotated[str, Field(max_length=500, pattern=_PRINTABLE)]
#: Fen, points, quantities: far beyond any real value, within a 64-bit column.
Amount = Annotated[int, Field(ge=-(10**12), le=10**12)]


class SaleLinePayload(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    sku: Annotated[str, Field(max_length=64, pattern=_PRINTABLE)]
    qty: Amount
    net_fen: Amount
    points: Amount = 0
    growth: Amount = 0


class RulesRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(min_length=1, max_length=32, pattern=_ID)]
    revision: Annotated[int, Field(ge=1, le=10**9)]


class SalePayload(_Payload):
    #: Member id (HQ-issued or a terminal's provisional id), None for an anonymous sale.
    member_id: MemberRef | None = None
    cashier: Annotated[str, Field(max_length=64, pattern=_PRINTABLE)] = ""
    at: Instant
    #: Signed: a return has a negative total.
    total_fen: Amount
    subtotal_fen: Amount = 0
    original_sale_id: RecordId | None = None
    #: A return of the whole original sale (the transaction is undone for tier counts).
    full_return: bool = False
    lines: list[SaleLinePayload] = Field(default_factory=list, max_length=500)
    #: The member's phone code as scanned for this sale: HQ verifies it against the member's
    #: secret at the sale's time, the proof that the member was at this store.
    member_code: Annotated[str, Field(min_length=1, max_length=64, pattern=_PRINTABLE)] | None = (
        None
    )
    #: The basket as priced (``domain.basket_codec.basket_to_json``) and the rule revision it
    #: was priced with: HQ prices it again and credits what that gives.
    basket: dict[str, Any] | None = None
    rules: RulesRef | None = None


class LedgerEntryPayload(_Payload):
    member_id: MemberRef
    kind: Literal["earn", "redeem", "expire", "reverse", "adjust", "bonus"]
    points: Amount
    at: Instant
    lot: Annotated[str, Field(min_length=1, max_length=64, pattern=_ID)]
    available_at: Instant
    expires_at: Instant | None = None
    renews_until: Instant | None = None
    sale_id: RecordId | None = None
    reason: Text = ""


class IssuedCouponPayload(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    code: Annotated[str, Field(min_length=4, max_length=32, pattern=r"^[0-9A-Z]+$")]
    template: Annotated[str, Field(min_length=1, max_length=32, pattern=_ID)]
    valid_from: Instant
    valid_until: Instant


class RegistrationPayload(_Payload):
    #: The terminal's id for the member until HQ issues one (e.g. the provisional code).
    provisional_id: MemberRef
    phone: Annotated[str, Field(min_length=6, max_length=32, pattern=r"^[0-9 +()-]+$")]
    name: Annotated[str, Field(max_length=64, pattern=_PRINTABLE)] = ""
    birthday: dt.date | None = None
    consent: bool
    at: Instant
    #: Coupons the terminal gave the new member (welcome coupons): HQ records them as issued.
    coupons: list[IssuedCouponPayload] = Field(default_factory=list, max_length=20)
    #: The cashier (staff id) who signed the member up; None from tills too old to send it.
    cashier: Annotated[str, Field(max_length=64, pattern=_PRINTABLE)] | None = None


class CouponUsePayload(_Payload):
    coupon: Annotated[str, Field(min_length=4, max_length=32, pattern=r"^[0-9A-Z]+$")]
    member_id: MemberRef | None = None
    sale_id: RecordId
    at: Instant


class CardPayload(_Payload):
    """A static member card printed (or reissued) at the till: HQ registers it by its token
    digest (``domain.codes.token_digest``; the token itself never leaves the card)."""

    member_id: MemberRef
    digest: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    at: Instant
    #: Digests of the member's earlier cards this one replaces: HQ revokes them everywhere.
    replaces: list[Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]] = Field(
        default_factory=list, max_length=20
    )


PAYLOAD_MODELS: dict[str, type[_Payload]] = {
    "sale": SalePayload,
    "ledger_entry": LedgerEntryPayload,
    "registration": RegistrationPayload,
    "coupon_use": CouponUsePayload,
    "card": CardPayload,
}


def chain_digest(kind: str, payload: BaseModel, raw: dict[str, Any]) -> str:
    """SHA-256 of a sale's or ledger entry's chain content (``posloyalty.domain.chain``), from
    the pushed item: what the till's link covers. ``raw`` is the item's payload as pushed."""
    if isinstance(payload, SalePayload):
        lines = raw.get("lines") or []
        payments = raw.get("payments") or []
        return chain.content_digest(
            chain.sale_content(
                member_id=payload.member_id,
                at=payload.at,
                total_fen=payload.total_fen,
                subtotal_fen=payload.subtotal_fen,
                original_sale_id=payload.original_sale_id,
                receipt_code=str(raw.get("receipt_code", "")),
                lines=lines if isinstance(lines, list) else [],
                payments=payments if isinstance(payments, list) else [],
                quoted=raw,
            )
        )
    if isinstance(payload, LedgerEntryPayload):
        return chain.content_digest(
            chain.entry_content(
                member_id=payload.member_id,
                kind=payload.kind,
                points=payload.points,
                lot=payload.lot,
                at=payload.at,
                available_at=payload.available_at,
                expires_at=payload.expires_at,
                renews_until=payload.renews_until,
                sale_id=payload.sale_id,
                reason=payload.reason,
            )
        )
    raise ValueError(f"{kind} items are not chained")

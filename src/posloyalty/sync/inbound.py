"""Applying pulled changes to the terminal store: one write transaction per page, idempotent.

Every change of a page is validated first (a page with garbage, wrong types or an
inconsistent cursor is refused whole: nothing applied, cursor unchanged). Then, in ONE write
transaction, each change is upserted by its key (``data`` None deletes) and the page's
``next_cursor`` is stored in ``sync_cursors``. Applying a page twice leaves the same state.

Within a page, rule documents and products go first, then members, then what hangs off
members (coupons, secrets), then revocations. A coupon or secret whose member has not arrived
yet (a page boundary fell between them) gets a placeholder member row, filled in when the
member's own change arrives.

Ledger entries (kind ``ledger_entry``: the slice members' entries from every terminal and HQ's
own jobs) go last, into the same append-only ``ledger_entries`` table the checkout writes, so a
member's balance here is replayed from the union of the member's entries. An entry the terminal
already holds (its own, pushed earlier) is left as it is; if HQ's copy differs in kind, points
or lot, that is recorded as a ``sync.conflict`` in the audit log. A new entry is filed under the
id this terminal keeps the member's history by: the provisional id it registered the member
under (one of the member's aliases, :data:`LOCAL_ID_PREFIX`), else the HQ id (a placeholder
member row is made if needed). It keeps its sale id only when that sale is stored
here (other stores' sales are not).

When HQ confirms a member the terminal only knew unconfirmed, the points the checkout parked
for it (lots available at :data:`PENDING_UNTIL_CONFIRMED`) are released in the same
transaction: per lot, a ``reverse`` of what remains and a new lot available now with the old
lot's expiry, both queued for HQ.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
)

from posloyalty.domain import points
from posloyalty.domain.ids import CashierId, EntryId, LotId, MemberId, StoreId, TerminalId
from posloyalty.domain.rules import RuleError, parse_rules_text
from posloyalty.jsontext import canonical_json
from posloyalty.sync import confirmations
from posloyalty.sync.errors import BadAnswer, SyncError
from posloyalty.sync.protocol import Change, PullResponse
from posloyalty.tilldb import member_codes, pulled, repo, rules, settings
from posloyalty.tilldb.audit_log import audit
from posloyalty.tilldb.confirmation import (
    CONFIRMED_PREFIX,
    PENDING_UNTIL_CONFIRMED,
    StoredConfirmation,
)
from posloyalty.tilldb.db import Database, TillSession
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.pulled import HeldEntry, PulledEntry, SliceCoupon, SliceMember, SliceProduct
from posloyalty.tilldb.records import LedgerRecord, OutboxMessage
from posloyalty.tilldb.types import format_ts
from posloyalty.tilldb.vault import Vault, VaultError

#: ``sync_cursors`` row holding the last applied HQ change sequence.
CURSOR_NAME = "hq"
RELEASE_REASON = "released: member confirmed by HQ"
#: Settings key prefix: HQ member id -> the provisional id this terminal registered the member
#: under (its history here is kept under that id, which stays the member's code here).
LOCAL_ID_PREFIX = "hq_local_id:"
#: Audit log action of a conflict HQ reported or the terminal found while syncing.
CONFLICT_ACTION = "sync.conflict"


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must carry a UTC offset")
    return value


Instant = Annotated[dt.datetime, AfterValidator(_aware)]
Id = Annotated[StrictStr, Field(min_length=1, max_length=64)]


class _Data(BaseModel):
    # HQ may send more fields than this terminal reads.
    model_config = ConfigDict(extra="ignore", frozen=True)


class RuleDocumentData(_Data):
    id: Id
    revision: StrictInt = Field(ge=0)
    text: StrictStr
    active: StrictBool


class ProductData(_Data):
    sku: Id
    ean: Annotated[StrictStr, Field(pattern=r"^\d{8,14}$")] | None = None
    name: StrictStr
    price_fen: StrictInt = Field(ge=0)
    category: StrictStr = ""
    special_price: StrictBool = False
    member_price_fen: Annotated[StrictInt, Field(ge=0)] | None = None


class MemberData(_Data):
    id: Id
    phone_masked: StrictStr
    phone_hash: StrictStr
    name_masked: StrictStr = ""
    birthday: dt.date | None = None
    registered_at: Instant
    aliases: list[Id] = Field(default_factory=list)
    merged_into: None = None
    tier: StrictStr | None = None
    growth: StrictInt = 0
    points_available: StrictInt = 0
    points_pending: StrictInt = 0
    last_purchase_at: Instant | None = None
    #: HQ's tier standing (hq.jobs.tier_anchor) the till replays its own later sales on.
    tier_valid_until: Instant | None = None
    tier_since: Instant | None = None
    tier_spend: StrictInt = 0
    tier_count: StrictInt = 0
    tier_as_of: Instant | None = None

    def tier_anchor(self) -> str | None:
        """The standing as the ``members.tier_anchor`` column keeps it (None: no tier)."""
        if not self.tier:
            return None

        def ts(value: dt.datetime | None) -> str | None:
            return format_ts(value) if value is not None else None

        return canonical_json(
            {
                "tier": self.tier,
                "since": ts(self.tier_since),
                "valid_until": ts(self.tier_valid_until),
                "spend": self.tier_spend,
                "count": self.tier_count,
                "growth": self.growth,
                "as_of": ts(self.tier_as_of),
            }
        )


class MergedMemberData(_Data):
    id: Id
    merged_into: Id


class CouponData(_Data):
    code: Annotated[StrictStr, Field(min_length=4, max_length=40)]
    member_id: Id
    template: Id
    valid_from: Instant
    valid_until: Instant
    used_sale_id: StrictStr | None = None


class SecretData(_Data):
    member_id: Id
    secret: Annotated[StrictStr, Field(pattern=r"^([0-9a-f]{2}){16,64}$")]


class RevocationData(_Data):
    digest: Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{64}$")]
    at: Instant


class LedgerEntryData(_Data):
    id: Id
    member_id: Id
    kind: Literal["earn", "redeem", "expire", "reverse", "adjust", "bonus"]
    points: StrictInt
    lot: Id
    at: Instant
    available_at: Instant
    expires_at: Instant | None = None
    renews_until: Instant | None = None
    sale_id: StrictStr | None = None
    reason: StrictStr = ""
    store_id: StrictStr | None = None
    terminal_id: StrictStr | None = None


_MODELS: dict[str, type[_Data]] = {
    "rule_document": RuleDocumentData,
    "product": ProductData,
    "coupon": CouponData,
    "member_secret": SecretData,
    "revocation": RevocationData,
    "ledger_entry": LedgerEntryData,
}
_KEY_FIELD = {
    "rule_document": "id",
    "product": "sku",
    "member": "id",
    "coupon": "code",
    "member_secret": "member_id",
    "revocation": "digest",
    "ledger_entry": "id",
}
_ORDER = {
    "rule_document": 0,
    "product": 1,
    "member": 2,
    "coupon": 3,
    "member_secret": 4,
    "revocation": 5,
    "ledger_entry": 6,
}


@dataclass(frozen=True, slots=True)
class _Parsed:
    seq: int
    kind: str
    key: str
    data: _Data | None


@dataclass(frozen=True, slots=True)
class Applied:
    """What one page changed."""

    changes: int
    by_kind: dict[str, int]
    next_cursor: int
    #: Members whose balance HQ confirmed with this page.
    confirmed_members: int


def get_cursor(session: TillSession) -> int:
    value = settings.get_cursor(session, CURSOR_NAME)
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0  # a damaged cursor: start again (applying is idempotent)


def _parse_change(change: Change) -> _Parsed:
    where = f"change {change.seq} ({change.kind} {change.key[:40]!r})"
    if change.data is None:
        return _Parsed(change.seq, change.kind, change.key, None)
    model: type[_Data]
    if change.kind == "member":
        model = MergedMemberData if change.data.get("merged_into") is not None else MemberData
    else:
        model = _MODELS[change.kind]
    try:
        data = model.model_validate(change.data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "data"
        raise BadAnswer(f"HQ sent a bad {where}: {field}: {first['msg']}") from None
    key = getattr(data, _KEY_FIELD[change.kind])
    if key != change.key:
        raise BadAnswer(f"HQ sent a bad {where}: its data names {str(key)[:40]!r}")
    if isinstance(data, RuleDocumentData):
        try:
            rules = parse_rules_text(data.text)
        except RuleError as exc:
            raise BadAnswer(f"HQ sent an invalid rule document in {where}: {exc}") from None
        if (rules.id, rules.revision) != (data.id, data.revision):
            raise BadAnswer(f"HQ sent a bad {where}: the text is {rules.id} r{rules.revision}")
    return _Parsed(change.seq, change.kind, change.key, data)


def validate_page(page: PullResponse, cursor: int) -> list[_Parsed]:
    """The page's changes, checked, in applying order; :class:`BadAnswer` if anything is off."""
    if page.next_cursor < cursor:
        raise BadAnswer(f"HQ moved the cursor backwards ({cursor} -> {page.next_cursor})")
    last = cursor
    for change in page.changes:
        if change.seq <= last or change.seq > page.next_cursor:
            raise BadAnswer(
                f"HQ sent change {change.seq} out of order (cursor {cursor}, previous {last}, "
                f"next cursor {page.next_cursor})"
            )
        last = change.seq
    if page.more and page.next_cursor == cursor:
        raise BadAnswer("HQ says there is more to pull but does not move the cursor")
    parsed = [_parse_change(c) for c in page.changes]
    if page.rules is not None and page.rules.text is not None:
        try:
            rules = parse_rules_text(page.rules.text)
        except RuleError as exc:
            raise BadAnswer(f"HQ sent an invalid rule document for this store: {exc}") from None
        if (rules.id, rules.revision) != (page.rules.id, page.rules.revision):
            raise BadAnswer(
                f"HQ sent the store's rules as {page.rules.ref}, the text is "
                f"{rules.id} r{rules.revision}"
            )
    return sorted(parsed, key=lambda p: (_ORDER[p.kind], p.seq))


class CursorMoved(SyncError):
    """Another process applied pages meanwhile; pull again from the stored cursor."""


def apply_page(
    db: Database,
    page: PullResponse,
    *,
    cursor: int,
    vault: Vault | None,
    at: dt.datetime,
    vault_factory: Callable[[], Vault] | None = None,
    new_id: Callable[[], str] | None = None,
    hq_key: tuple[bytes, str] | None = None,
) -> Applied:
    """Apply one pulled page and store its ``next_cursor``, in one write transaction.

    ``cursor`` is the cursor the page was pulled from; if the stored cursor moved meanwhile
    (another sync in another process), nothing is applied and :class:`CursorMoved` is raised.
    ``at`` (the terminal's clock) stamps HQ's balance confirmations. Member secrets are sealed
    with ``vault`` (``vault_factory`` makes one when needed and none was given).
    """
    changes = validate_page(page, cursor)
    vault = _vault_for(changes, vault, vault_factory)
    with db.write() as session:
        stored = get_cursor(session)
        if stored != cursor:
            raise CursorMoved(f"the stored cursor moved from {cursor} to {stored}")
        _keep_confirmations(session, page, hq_key, at)
        by_kind, confirmed = _apply_all(session, changes, vault, at, new_id or Uuid7(db.clock).new)
        if page.rules is not None and page.rules.text is not None:
            # The revision in force at this store (scoped or scheduled), over the feed's.
            rules.save_rule_document(
                session,
                doc_id=page.rules.id,
                revision=page.rules.revision,
                text_=page.rules.text,
                activate=True,
            )
        settings.set_cursor(session, CURSOR_NAME, str(page.next_cursor))
    return Applied(len(changes), by_kind, page.next_cursor, confirmed)


def apply_changes(
    db: Database,
    changes: Sequence[Change],
    *,
    vault: Vault | None,
    at: dt.datetime,
    vault_factory: Callable[[], Vault] | None = None,
    new_id: Callable[[], str] | None = None,
) -> Applied:
    """Apply changes HQ sent outside the pull feed (an online member lookup) exactly as a
    pulled page's, in one write transaction, leaving the cursor where it is (the next pull
    brings the same rows again; applying them twice changes nothing)."""
    parsed = sorted((_parse_change(c) for c in changes), key=lambda p: (_ORDER[p.kind], p.seq))
    vault = _vault_for(parsed, vault, vault_factory)
    with db.write() as session:
        by_kind, confirmed = _apply_all(session, parsed, vault, at, new_id or Uuid7(db.clock).new)
        cursor = get_cursor(session)
    return Applied(len(parsed), by_kind, cursor, confirmed)


def _vault_for(
    changes: Sequence[_Parsed], vault: Vault | None, vault_factory: Callable[[], Vault] | None
) -> Vault | None:
    if (
        vault is None
        and vault_factory is not None
        and any(c.kind == "member_secret" and c.data is not None for c in changes)
    ):
        try:
            return vault_factory()
        except VaultError as exc:
            raise SyncError(f"cannot store member secrets: {exc}") from None
    return vault


def _apply_all(
    session: TillSession,
    changes: Sequence[_Parsed],
    vault: Vault | None,
    at: dt.datetime,
    ids: Callable[[], str],
) -> tuple[dict[str, int], int]:
    by_kind: dict[str, int] = {}
    parked = pulled.parked_members(session)
    confirmed = 0
    entries: list[LedgerEntryData] = []
    for change in changes:
        by_kind[change.kind] = by_kind.get(change.kind, 0) + 1
        if isinstance(change.data, LedgerEntryData):
            entries.append(change.data)
            continue
        if parked and isinstance(change.data, MemberData):
            for member_id in {change.data.id, *change.data.aliases} & parked:
                _release(session, member_id, at, ids)
        confirmed += _apply(session, change, vault, at)
    if entries:
        _ledger_entries(session, entries, at)
    return by_kind, confirmed


def _keep_confirmations(
    session: TillSession, page: PullResponse, hq_key: tuple[bytes, str] | None, at: dt.datetime
) -> None:
    """Keep the page's balance confirmations that HQ signed for this terminal (``hq_key``:
    HQ's public key and this terminal's id); one that does not verify is a conflict."""
    for conf in page.confirmations:
        if hq_key is not None and confirmations.verifies(conf, *hq_key):
            pulled.keep_confirmations(
                session,
                [
                    StoredConfirmation(
                        conf.member_id, conf.balance, conf.as_of, conf.terminal_id, conf.signature
                    )
                ],
            )
            continue
        audit(
            session,
            at=at,
            cashier="sync",
            action=CONFLICT_ACTION,
            detail={
                "kind": "balance_confirmation",
                "id": conf.member_id,
                "reason": "a balance confirmation that HQ's key does not verify was refused",
            },
        )


def _ledger_entries(
    session: TillSession, entries: Sequence[LedgerEntryData], at: dt.datetime
) -> None:
    """Insert the entries this terminal does not hold yet (see the module docstring)."""
    held = pulled.held_entries(session, [e.id for e in entries])
    sales = pulled.stored_sales(session, (e.sale_id for e in entries if e.sale_id is not None))
    rows: list[PulledEntry] = []
    touched: set[str] = set()
    local_ids: dict[str, str] = {}
    for e in entries:
        mine = held.get(e.id)
        if mine is not None:
            if mine != HeldEntry(e.kind, e.points, e.lot):
                audit(
                    session,
                    at=at,
                    cashier="sync",
                    action=CONFLICT_ACTION,
                    detail={
                        "kind": "ledger_entry",
                        "id": e.id,
                        "reason": f"HQ holds this entry as {e.kind} {e.points} on lot {e.lot};"
                        f" this terminal as {mine.kind} {mine.points} on lot {mine.lot} (kept)",
                    },
                )
            continue
        held[e.id] = HeldEntry(e.kind, e.points, e.lot)
        if e.member_id not in local_ids:
            local_ids[e.member_id] = (
                pulled.settings(session, [LOCAL_ID_PREFIX + e.member_id]).get(
                    LOCAL_ID_PREFIX + e.member_id
                )
                or e.member_id
            )
        member = local_ids[e.member_id]
        pulled.ensure_member(session, member, at)
        touched.add(member)
        rows.append(
            PulledEntry(
                id=e.id,
                member=member,
                kind=e.kind,
                points=e.points,
                lot=e.lot,
                at=e.at,
                available_at=e.available_at,
                expires_at=e.expires_at,
                renews_until=e.renews_until,
                sale_id=e.sale_id if e.sale_id in sales else None,
                terminal=e.terminal_id or "HQ",
                store=e.store_id or "HQ",
                reason=e.reason,
                created_at=at,
            )
        )
    pulled.insert_pulled_entries(session, rows)
    for member_id in sorted(touched):
        repo.refresh_cached_balance(session, member_id, at)


def _release(
    session: TillSession, member_id: str, at: dt.datetime, new_id: Callable[[], str]
) -> None:
    """Make a now-confirmed member's parked points available (see the module docstring)."""
    entries = repo.ledger_for_member(session, member_id)
    # After every entry: entries of one instant are ordered by id, and ids from another
    # generator would not sort after the lots they draw from.
    latest = max([at, *(e.at + dt.timedelta(microseconds=1) for e in entries)])
    parked = [
        lot
        for lot in points.lots(entries, latest)
        if lot.available_at == PENDING_UNTIL_CONFIRMED and lot.remaining > 0
    ]
    if not parked:
        return
    here = pulled.settings(session, ("store", "terminal"))
    store, terminal = here.get("store", ""), here.get("terminal", "")
    new: list[points.LedgerEntry] = []
    for lot in parked:
        new.append(
            points.LedgerEntry(
                EntryId(new_id()),
                "reverse",
                -lot.remaining,
                latest,
                lot.id,
                latest,
                None,
                lot.sale_id,
                RELEASE_REASON,
            )
        )
        new.append(
            points.LedgerEntry(
                EntryId(new_id()),
                "earn",
                lot.remaining,
                latest,
                LotId(new_id()),
                latest,
                lot.expires_at,
                lot.sale_id,
                RELEASE_REASON,
            )
        )
    records = [
        LedgerRecord(
            e, MemberId(member_id), TerminalId(terminal), StoreId(store), CashierId("sync"), at
        )
        for e in new
    ]
    outbox = [OutboxMessage("ledger_entry", e.id, {"entry": {"id": e.id}}) for e in new]
    repo.append_ledger(session, records, outbox, at=at)


def _apply(session: TillSession, change: _Parsed, vault: Vault | None, at: dt.datetime) -> int:
    data = change.data
    if change.kind == "rule_document":
        if data is None:
            pulled.delete_rule_document(session, change.key)
        else:
            assert isinstance(data, RuleDocumentData)
            rules.save_rule_document(
                session,
                doc_id=data.id,
                revision=data.revision,
                text_=data.text,
                activate=data.active,
            )
    elif change.kind == "product":
        _product(session, change.key, data)
    elif change.kind == "member":
        return _member(session, change, at)
    elif change.kind == "coupon":
        _coupon(session, change.key, data, at)
    elif change.kind == "member_secret":
        if data is None:
            member_codes.delete_member_secret(session, change.key)
            pulled.delete_member_if_unused(session, change.key, placeholder_only=True)
        else:
            assert isinstance(data, SecretData)
            if vault is None:
                raise SyncError("cannot store member secrets: the terminal has no key")
            pulled.ensure_member(session, data.member_id, at)
            member_codes.put_member_secret(
                session, vault, data.member_id, bytes.fromhex(data.secret), at
            )
    elif change.kind == "revocation":
        if data is None:
            pulled.delete_card_revocation(session, change.key)
        else:
            assert isinstance(data, RevocationData)
            member_codes.revoke(session, data.digest, "card", data.at, "revoked by HQ")
    return 0


def _product(session: TillSession, sku: str, data: _Data | None) -> None:
    if data is None:
        pulled.delete_product(session, sku)
        return
    assert isinstance(data, ProductData)
    pulled.upsert_product(
        session,
        SliceProduct(
            sku=sku,
            ean=data.ean,
            name=data.name,
            price_fen=data.price_fen,
            category=data.category,
            special_price=data.special_price,
            member_price_fen=data.member_price_fen,
        ),
    )


def _member(session: TillSession, change: _Parsed, at: dt.datetime) -> int:
    data = change.data
    if data is None or isinstance(data, MergedMemberData):
        # Gone or merged into another member: its secret must no longer verify codes; the row
        # stays while local sales or ledger entries name it.
        pulled.delete_member_secret_row(session, change.key)
        pulled.delete_settings(
            session, (CONFIRMED_PREFIX + change.key, LOCAL_ID_PREFIX + change.key)
        )
        if data is None:
            # Gone (erased at HQ): kept only while local rows name it, without personal data.
            pulled.blank_member(session, change.key)
            pulled.delete_member_if_unused(session, change.key)
        return 0
    assert isinstance(data, MemberData)
    # Ids this terminal gave the member before HQ knew it (provisional) are HQ-confirmed now;
    # ``local``: the id under which this terminal keeps the member's history (_ledger_entries).
    local = pulled.upsert_member(
        session,
        SliceMember(
            id=data.id,
            phone_masked=data.phone_masked,
            phone_hash=data.phone_hash,
            display_name=data.name_masked,
            tier=data.tier or "",
            growth=data.growth,
            points_available=data.points_available,
            points_pending=data.points_pending,
            birthday=data.birthday,
            last_purchase_at=data.last_purchase_at,
            registered_at=data.registered_at,
            hq_version=change.seq,
            tier_anchor=data.tier_anchor(),
            aliases=tuple(data.aliases),
        ),
    )
    marks = {CONFIRMED_PREFIX + data.id: format_ts(at)}
    if local is not None:
        marks[LOCAL_ID_PREFIX + data.id] = local
        marks[CONFIRMED_PREFIX + local] = format_ts(at)
    pulled.put_settings(session, marks)
    return 1


def _coupon(session: TillSession, code: str, data: _Data | None, at: dt.datetime) -> None:
    local = pulled.local_coupon(session, code)
    used_here = local is not None and local.used_sale is not None
    if data is None:
        if not used_here:
            _drop_coupon(session, code, local)
        return
    assert isinstance(data, CouponData)
    used_sale = local.used_sale if local is not None and used_here else None
    if used_sale is None and data.used_sale_id is not None:
        if not pulled.sale_exists(session, data.used_sale_id):
            # Used at another store: no longer usable here.
            _drop_coupon(session, code, local)
            return
        used_sale = data.used_sale_id
    holder = data.member_id
    # A coupon this terminal gave a member it registered (a welcome coupon) comes back under
    # the member's HQ id: it stays with the id the counter knows the member by.
    if (
        local is not None
        and local.member != holder
        and pulled.is_provisional(session, local.member)
    ):
        holder = local.member
    pulled.ensure_member(session, holder, at)
    pulled.upsert_coupon(
        session,
        SliceCoupon(
            code=code,
            member=holder,
            template=data.template,
            valid_from=data.valid_from,
            valid_until=data.valid_until,
            used_sale=used_sale,
        ),
    )
    if local is not None and local.member != holder:  # moved to another member (a merge)
        pulled.delete_member_if_unused(session, local.member, placeholder_only=True)


def _drop_coupon(session: TillSession, code: str, local: pulled.LocalCoupon | None) -> None:
    if local is None:
        return
    pulled.delete_coupon(session, code)
    pulled.delete_member_if_unused(session, local.member, placeholder_only=True)

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
from typing import Annotated, Any, Literal

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
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from posloyalty.domain import points
from posloyalty.domain.ids import CashierId, EntryId, LotId, MemberId, StoreId, TerminalId
from posloyalty.domain.rules import RuleError, parse_rules_text
from posloyalty.jsontext import canonical_json
from posloyalty.sync import confirmations
from posloyalty.sync.errors import BadAnswer, SyncError
from posloyalty.sync.protocol import Change, PullResponse
from posloyalty.tilldb import member_codes, repo
from posloyalty.tilldb.confirmation import CONFIRMED_PREFIX, PENDING_UNTIL_CONFIRMED
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.records import LedgerRecord, OutboxMessage
from posloyalty.tilldb.types import format_ts, month_day_text
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


def get_cursor(session: Session) -> int:
    value = repo.get_cursor(session, CURSOR_NAME)
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
            repo.save_rule_document(
                session,
                doc_id=page.rules.id,
                revision=page.rules.revision,
                text_=page.rules.text,
                activate=True,
            )
        repo.set_cursor(session, CURSOR_NAME, str(page.next_cursor))
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
    session: Session,
    changes: Sequence[_Parsed],
    vault: Vault | None,
    at: dt.datetime,
    ids: Callable[[], str],
) -> tuple[dict[str, int], int]:
    by_kind: dict[str, int] = {}
    conn = session.connection()
    parked = _parked_members(conn)
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
        confirmed += _apply(session, conn, change, vault, at)
    if entries:
        _ledger_entries(session, entries, at)
    return by_kind, confirmed


def _keep_confirmations(
    session: Session, page: PullResponse, hq_key: tuple[bytes, str] | None, at: dt.datetime
) -> None:
    """Keep the page's balance confirmations that HQ signed for this terminal (``hq_key``:
    HQ's public key and this terminal's id); one that does not verify is a conflict."""
    if not page.confirmations:
        return
    raw = repo.raw_connection(session)
    for conf in page.confirmations:
        if hq_key is not None and confirmations.verifies(conf, *hq_key):
            confirmations.keep(raw, conf)
            continue
        repo.audit(
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


_INSERT_ENTRY = (
    "INSERT INTO ledger_entries (id, member, kind, points, lot, at, available_at, expires_at,"
    " renews_until, sale_id, terminal, store, cashier, reason, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'hq', ?, ?)"
)


def _ts_or_none(value: dt.datetime | None) -> str | None:
    return None if value is None else format_ts(value)


def _ledger_entries(session: Session, entries: Sequence[LedgerEntryData], at: dt.datetime) -> None:
    """Insert the entries this terminal does not hold yet (see the module docstring)."""
    conn = session.connection()
    held: dict[str, tuple[Any, ...]] = {}
    sales: set[str] = set()
    ids = [e.id for e in entries]
    sale_ids = sorted({e.sale_id for e in entries if e.sale_id is not None})
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        for row in conn.exec_driver_sql(
            "SELECT id, kind, points, lot FROM ledger_entries"
            f" WHERE id IN ({', '.join('?' * len(part))})",
            tuple(part),
        ):
            held[str(row[0])] = tuple(row[1:])
    for i in range(0, len(sale_ids), 500):
        part = sale_ids[i : i + 500]
        sales.update(
            str(r[0])
            for r in conn.exec_driver_sql(
                f"SELECT id FROM sales WHERE id IN ({', '.join('?' * len(part))})", tuple(part)
            )
        )
    rows: list[tuple[Any, ...]] = []
    touched: set[str] = set()
    raw = repo.raw_connection(session)
    local_ids: dict[str, str] = {}
    for e in entries:
        mine = held.get(e.id)
        if mine is not None:
            if mine != (e.kind, e.points, e.lot):
                repo.audit(
                    session,
                    at=at,
                    cashier="sync",
                    action=CONFLICT_ACTION,
                    detail={
                        "kind": "ledger_entry",
                        "id": e.id,
                        "reason": f"HQ holds this entry as {e.kind} {e.points} on lot {e.lot};"
                        f" this terminal as {mine[0]} {mine[1]} on lot {mine[2]} (kept)",
                    },
                )
            continue
        held[e.id] = (e.kind, e.points, e.lot)
        if e.member_id not in local_ids:
            local_ids[e.member_id] = repo.setting(raw, LOCAL_ID_PREFIX + e.member_id) or e.member_id
        member = local_ids[e.member_id]
        _ensure_member(conn, member, at)
        touched.add(member)
        rows.append(
            (
                e.id,
                member,
                e.kind,
                e.points,
                e.lot,
                format_ts(e.at),
                format_ts(e.available_at),
                _ts_or_none(e.expires_at),
                _ts_or_none(e.renews_until),
                e.sale_id if e.sale_id in sales else None,
                e.terminal_id or "HQ",
                e.store_id or "HQ",
                e.reason,
                format_ts(at),
            )
        )
    if rows:
        raw.executemany(_INSERT_ENTRY, rows)
    for member_id in sorted(touched):
        repo.refresh_cached_balance(session, member_id, at)


def _parked_members(conn: Connection) -> set[str]:
    """Members with points parked until HQ confirms them."""
    rows = conn.exec_driver_sql(
        "SELECT DISTINCT member FROM ledger_entries WHERE available_at = ?",
        (format_ts(PENDING_UNTIL_CONFIRMED),),
    )
    return {str(r[0]) for r in rows}


def _release(session: Session, member_id: str, at: dt.datetime, new_id: Callable[[], str]) -> None:
    """Make a now-confirmed member's parked points available (see the module docstring)."""
    conn = session.connection()
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
    settings = {
        str(k): str(v)
        for k, v in conn.exec_driver_sql(
            "SELECT key, value FROM settings WHERE key IN ('store', 'terminal')"
        )
    }
    store, terminal = settings.get("store", ""), settings.get("terminal", "")
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


def _apply(
    session: Session, conn: Connection, change: _Parsed, vault: Vault | None, at: dt.datetime
) -> int:
    data = change.data
    if change.kind == "rule_document":
        if data is None:
            conn.exec_driver_sql("DELETE FROM rule_documents WHERE id = ?", (change.key,))
        else:
            assert isinstance(data, RuleDocumentData)
            repo.save_rule_document(
                session,
                doc_id=data.id,
                revision=data.revision,
                text_=data.text,
                activate=data.active,
            )
    elif change.kind == "product":
        _product(conn, change.key, data)
    elif change.kind == "member":
        return _member(conn, change, at)
    elif change.kind == "coupon":
        _coupon(conn, change.key, data, at)
    elif change.kind == "member_secret":
        if data is None:
            member_codes.delete_member_secret(session, change.key)
            _delete_member_if_unused(conn, change.key, placeholder_only=True)
        else:
            assert isinstance(data, SecretData)
            if vault is None:
                raise SyncError("cannot store member secrets: the terminal has no key")
            _ensure_member(conn, data.member_id, at)
            member_codes.put_member_secret(
                session, vault, data.member_id, bytes.fromhex(data.secret), at
            )
    elif change.kind == "revocation":
        if data is None:
            conn.exec_driver_sql(
                "DELETE FROM code_revocations WHERE digest = ? AND kind = 'card'", (change.key,)
            )
        else:
            assert isinstance(data, RevocationData)
            member_codes.revoke(session, data.digest, "card", data.at, "revoked by HQ")
    return 0


def _product(conn: Connection, sku: str, data: _Data | None) -> None:
    if data is None:
        conn.exec_driver_sql("DELETE FROM products WHERE sku = ?", (sku,))
        return
    assert isinstance(data, ProductData)
    if data.ean is not None:  # an EAN moved to another product
        conn.exec_driver_sql(
            "UPDATE products SET ean = NULL WHERE ean = ? AND sku <> ?", (data.ean, sku)
        )
    conn.exec_driver_sql(
        "INSERT INTO products (sku, ean, name, price_fen, category, special_price,"
        " member_price_fen) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (sku) DO UPDATE SET"
        " ean = excluded.ean, name = excluded.name, price_fen = excluded.price_fen,"
        " category = excluded.category, special_price = excluded.special_price,"
        " member_price_fen = excluded.member_price_fen",
        (
            sku,
            data.ean,
            data.name,
            data.price_fen,
            data.category,
            data.special_price,
            data.member_price_fen,
        ),
    )


def _ensure_member(conn: Connection, member_id: str, at: dt.datetime) -> None:
    """A placeholder row (filled in by the member's own change) for rows that hang off it."""
    conn.exec_driver_sql(
        "INSERT INTO members (id, phone_masked, phone_hash, display_name, tier, growth,"
        " cached_points, cached_pending, registered_at, hq_version, provisional)"
        " VALUES (?, '', '', '', '', 0, 0, 0, ?, 0, 0) ON CONFLICT (id) DO NOTHING",
        (member_id, format_ts(at)),
    )


def _member(conn: Connection, change: _Parsed, at: dt.datetime) -> int:
    data = change.data
    if data is None or isinstance(data, MergedMemberData):
        # Gone or merged into another member: its secret must no longer verify codes; the row
        # stays while local sales or ledger entries name it.
        conn.exec_driver_sql("DELETE FROM member_secrets WHERE member = ?", (change.key,))
        conn.exec_driver_sql(
            "DELETE FROM settings WHERE key IN (?, ?)",
            (CONFIRMED_PREFIX + change.key, LOCAL_ID_PREFIX + change.key),
        )
        if data is None:
            # Gone (erased at HQ): kept only while local rows name it, without personal data.
            conn.exec_driver_sql(
                "UPDATE members SET phone_masked = '', phone_hash = '', display_name = '',"
                " birthday = NULL WHERE id = ?",
                (change.key,),
            )
            _delete_member_if_unused(conn, change.key)
        return 0
    assert isinstance(data, MemberData)
    conn.exec_driver_sql(
        "INSERT INTO members (id, phone_masked, phone_hash, display_name, tier, growth,"
        " cached_points, cached_pending, birthday, last_purchase_at, registered_at, hq_version,"
        " provisional, tier_anchor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)"
        " ON CONFLICT (id) DO UPDATE SET phone_masked = excluded.phone_masked,"
        " phone_hash = excluded.phone_hash, display_name = excluded.display_name,"
        " tier = CASE WHEN excluded.tier <> '' THEN excluded.tier ELSE members.tier END,"
        " tier_anchor = coalesce(excluded.tier_anchor, members.tier_anchor),"
        " growth = excluded.growth, cached_points = excluded.cached_points,"
        " cached_pending = excluded.cached_pending, birthday = excluded.birthday,"
        " last_purchase_at = CASE WHEN members.last_purchase_at IS NULL"
        "   OR excluded.last_purchase_at > members.last_purchase_at"
        "   THEN excluded.last_purchase_at ELSE members.last_purchase_at END,"
        " registered_at = excluded.registered_at, hq_version = excluded.hq_version,"
        " provisional = 0",
        (
            data.id,
            data.phone_masked,
            data.phone_hash,
            data.name_masked,
            data.tier or "",
            data.growth,
            data.points_available,
            data.points_pending,
            month_day_text(data.birthday),  # the till keeps no year of birth
            format_ts(data.last_purchase_at) if data.last_purchase_at else None,
            format_ts(data.registered_at),
            change.seq,
            anchor := data.tier_anchor(),
        ),
    )
    # Ids this terminal gave the member before HQ knew it (provisional) are HQ-confirmed now.
    aliases: Sequence[str] = data.aliases
    if aliases:
        conn.exec_driver_sql(
            "UPDATE members SET hq_version = ?,"
            " tier = CASE WHEN ? <> '' THEN ? ELSE tier END,"
            " tier_anchor = coalesce(?, tier_anchor)"
            f" WHERE id IN ({', '.join('?' * len(aliases))})",
            (change.seq, data.tier or "", data.tier or "", anchor, *aliases),
        )
    # The id under which this terminal keeps the member's history (see _ledger_entries).
    local = (
        conn.exec_driver_sql(
            "SELECT id FROM members WHERE provisional = 1 AND phone_hash <> ''"
            f" AND id IN ({', '.join('?' * len(aliases))}) ORDER BY registered_at, id LIMIT 1",
            tuple(aliases),
        ).scalar()
        if aliases
        else None
    )
    settings = [(CONFIRMED_PREFIX + data.id, format_ts(at))]
    if local is not None:
        settings += [
            (LOCAL_ID_PREFIX + data.id, str(local)),
            (CONFIRMED_PREFIX + local, format_ts(at)),
        ]
    for key, value in settings:
        conn.exec_driver_sql(
            "INSERT INTO settings (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
    return 1


def _delete_member_if_unused(
    conn: Connection, member_id: str, *, placeholder_only: bool = False
) -> None:
    """Delete a member row nothing refers to (with ``placeholder_only``: only if it is still
    the placeholder :func:`_ensure_member` made and holds no secret either)."""
    used = conn.exec_driver_sql(
        "SELECT EXISTS (SELECT 1 FROM sales WHERE member = ?1)"
        " OR EXISTS (SELECT 1 FROM ledger_entries WHERE member = ?1)"
        " OR EXISTS (SELECT 1 FROM member_coupons WHERE member = ?1)"
        " OR EXISTS (SELECT 1 FROM welcome_grants WHERE member = ?1)"
        " OR (?2 AND EXISTS (SELECT 1 FROM member_secrets WHERE member = ?1))",
        (member_id, placeholder_only),
    ).scalar()
    if not used:
        conn.exec_driver_sql(
            "DELETE FROM members WHERE id = ?1 AND (NOT ?2"
            " OR (phone_hash = '' AND hq_version = 0 AND provisional = 0))",
            (member_id, placeholder_only),
        )


def _coupon(conn: Connection, code: str, data: _Data | None, at: dt.datetime) -> None:
    local: Any = conn.exec_driver_sql(
        "SELECT member, used_sale FROM member_coupons WHERE code = ?", (code,)
    ).first()
    used_here = local is not None and local[1] is not None
    if data is None:
        if not used_here:
            _drop_coupon(conn, code, local)
        return
    assert isinstance(data, CouponData)
    used_sale = local[1] if used_here else None
    if used_sale is None and data.used_sale_id is not None:
        known = conn.exec_driver_sql(
            "SELECT EXISTS (SELECT 1 FROM sales WHERE id = ?)", (data.used_sale_id,)
        ).scalar()
        if not known:  # used at another store: no longer usable here
            _drop_coupon(conn, code, local)
            return
        used_sale = data.used_sale_id
    holder = data.member_id
    if local is not None and local[0] != holder:
        # A coupon this terminal gave a member it registered (a welcome coupon) comes back
        # under the member's HQ id: it stays with the id the counter knows the member by.
        mine = conn.exec_driver_sql(
            "SELECT provisional FROM members WHERE id = ?", (local[0],)
        ).scalar()
        if mine:
            holder = local[0]
    _ensure_member(conn, holder, at)
    conn.exec_driver_sql(
        "INSERT INTO member_coupons (code, member, template, valid_from, valid_until, used_sale)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET member = excluded.member,"
        " template = excluded.template, valid_from = excluded.valid_from,"
        " valid_until = excluded.valid_until, used_sale = excluded.used_sale",
        (
            code,
            holder,
            data.template,
            format_ts(data.valid_from),
            format_ts(data.valid_until),
            used_sale,
        ),
    )
    if local is not None and local[0] != holder:  # moved to another member (a merge)
        _delete_member_if_unused(conn, local[0], placeholder_only=True)


def _drop_coupon(conn: Connection, code: str, local: Any) -> None:
    if local is None:
        return
    conn.exec_driver_sql("DELETE FROM member_coupons WHERE code = ?", (code,))
    _delete_member_if_unused(conn, local[0], placeholder_only=True)

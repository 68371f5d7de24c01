"""HQ database models (SQLAlchemy 2.x declarative), for PostgreSQL and embedded SQLite.

The schema is created by the Alembic migrations in ``hq/migrations``; a test checks that the
migrated schema matches these models. Instants are stored in UTC (``timestamptz`` on
PostgreSQL, naive UTC on SQLite) and always come back tz-aware. Money is integer fen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

UTC = dt.UTC


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A tz-aware instant; refuses naive datetimes on the way in."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"refusing a naive datetime {value!r}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Setting(Base):
    """HQ-wide settings; keys starting ``sealed:`` hold values encrypted by hq.pii."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Counter(Base):
    """Named counters; ``change`` allocates change sequence numbers in commit order."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class Store(Base):
    __tablename__ = "stores"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    #: The region the store belongs to (reports filter by it); None: none yet.
    region: Mapped[str | None] = mapped_column(String(32), index=True)


class Terminal(Base):
    __tablename__ = "terminals"
    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"), index=True)
    name: Mapped[str] = mapped_column(Text, default="")
    #: SHA-256 (hex) of the bearer token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_push_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_pull_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    #: The cursor the terminal last pulled from (what it has applied and persisted).
    last_cursor: Mapped[int] = mapped_column(BigInteger, default=0)


class EnrolmentCode(Base):
    __tablename__ = "enrolment_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    store_id: Mapped[str] = mapped_column(ForeignKey("stores.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    terminal_id: Mapped[str | None] = mapped_column(String(12))


class Change(Base):
    """The latest state of each synced entity, stamped with the sequence of its last change.

    One row per (kind, key): a change moves the row to a new, higher ``seq``, so pulling
    ``seq > cursor`` returns each entity once, in its newest state (a compact snapshot from 0).
    ``member_id`` scopes member-bound rows to the stores whose slice holds the member;
    ``store_id`` scopes a row to one store; both None: every store.
    """

    __tablename__ = "changes"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    store_id: Mapped[str | None] = mapped_column(String(32))
    member_id: Mapped[str | None] = mapped_column(String(16), index=True)
    data: Mapped[Any] = mapped_column(JSON, nullable=True)


class Member(Base):
    __tablename__ = "members"
    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    #: Blind index of the phone (HMAC-SHA256 under HQ's index key; hq.pii).
    phone_index: Mapped[str] = mapped_column(String(64), index=True)
    #: Phone, name, birthday and code secret: AES-GCM under the member's own data key, which is
    #: stored wrapped by master key ``pii_key_id`` (hq.pii.pii_of reads them).
    pii_key_id: Mapped[str] = mapped_column(String(32), index=True)
    pii_key: Mapped[bytes] = mapped_column(LargeBinary)
    pii: Mapped[bytes] = mapped_column(LargeBinary)
    consent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    home_store: Mapped[str | None] = mapped_column(String(32), index=True)
    registered_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    merged_into: Mapped[str | None] = mapped_column(String(16))
    #: Needs recomputing (new ledger entries or sales since the last job run).
    dirty: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    #: When the computed state changes by itself (lot available or expiring, tier review).
    next_event_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, index=True)
    #: Computed by the jobs from the ledger and sales (see hq.jobs).
    state: Mapped[Any] = mapped_column(JSON, default=dict)
    #: Personal data erased on the member's request (the ledger stays under this id).
    erased_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    #: How the member joined: "till", "link" (self-registration) or "import"; None before 0008.
    channel: Mapped[str | None] = mapped_column(String(8))
    #: The cashier (staff id) who signed the member up at a till; None: not a till's join,
    #: or a till too old to say.
    joined_by: Mapped[str | None] = mapped_column(String(64))


class MemberNameToken(Base):
    """Blind index of a member's name (hq.pii.name_tokens): one row per word and whole name."""

    __tablename__ = "member_name_tokens"
    member_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class MemberAlias(Base):
    """Every id a member's records may carry: its own, terminal provisional ids, merged ids."""

    __tablename__ = "member_aliases"
    alias: Mapped[str] = mapped_column(String(40), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)


class MemberStore(Base):
    """Which stores' slices hold a member: the home store, and stores that saw the member."""

    __tablename__ = "member_stores"
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), primary_key=True)
    store_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    home: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    __table_args__ = (Index("ix_member_stores_store", "store_id", "last_seen_at"),)


class MemberMerge(Base):
    __tablename__ = "member_merges"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    survivor_id: Mapped[str] = mapped_column(String(16), index=True)
    merged_id: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    detail: Mapped[Any] = mapped_column(JSON, default=dict)


class PushedItem(Base):
    """Every item ever pushed, by (kind, client id): the permanent idempotency key."""

    __tablename__ = "pushed_items"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    payload_hash: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str] = mapped_column(String(32))
    terminal_id: Mapped[str] = mapped_column(String(12))
    batch_id: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Sale(Base):
    __tablename__ = "sales"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    store_id: Mapped[str] = mapped_column(String(32), index=True)
    terminal_id: Mapped[str] = mapped_column(String(12))
    member_ref: Mapped[str | None] = mapped_column(String(40), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    growth: Mapped[int] = mapped_column(BigInteger, default=0)
    original_sale_id: Mapped[str | None] = mapped_column(String(40))
    full_return: Mapped[bool] = mapped_column(Boolean, default=False)
    payload: Mapped[Any] = mapped_column(JSON)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class LedgerEntry(Base):
    """The authoritative points ledger. Append-only: triggers refuse UPDATE and DELETE.

    ``member_ref`` is the member id the entry was written with (possibly a provisional id or
    one merged since); :class:`MemberAlias` resolves it, so the ledger itself never changes.
    """

    __tablename__ = "ledger_entries"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    member_ref: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    points: Mapped[int] = mapped_column(BigInteger)
    lot: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    available_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    renews_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    sale_id: Mapped[str | None] = mapped_column(String(40), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: Where it was written: a store and terminal, or None for HQ's own entries (expiry).
    store_id: Mapped[str | None] = mapped_column(String(32))
    terminal_id: Mapped[str | None] = mapped_column(String(12))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Coupon(Base):
    __tablename__ = "coupons"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    template: Mapped[str] = mapped_column(String(32))
    valid_from: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    valid_until: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_sale_id: Mapped[str | None] = mapped_column(String(40))
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    used_store: Mapped[str | None] = mapped_column(String(32))


class Product(Base):
    __tablename__ = "products"
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    ean: Mapped[str | None] = mapped_column(String(14))
    name: Mapped[str] = mapped_column(Text)
    price_fen: Mapped[int] = mapped_column(BigInteger)
    category: Mapped[str] = mapped_column(String(64), default="")
    special_price: Mapped[bool] = mapped_column(Boolean, default=False)
    member_price_fen: Mapped[int | None] = mapped_column(BigInteger)


class RuleDocument(Base):
    __tablename__ = "rule_documents"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    #: The revision in force chain-wide (``hq.rollout.settle`` keeps it so by the clock).
    active: Mapped[bool] = mapped_column(Boolean, default=False)


class RulePublication(Base):
    """A rule revision published now or for a later instant, to the chain or to some regions
    and/or stores (``domain.rollout``); rolling back publishes an earlier revision again."""

    __tablename__ = "rule_publications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    doc_id: Mapped[str] = mapped_column(String(32))
    revision: Mapped[int] = mapped_column(Integer)
    effective_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    published_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    #: Store ids and region names it reaches (both empty: the whole chain).
    stores: Mapped[Any] = mapped_column(JSON, default=list)
    regions: Mapped[Any] = mapped_column(JSON, default=list)
    #: Who published it (an operator, or ``cli``).
    by: Mapped[str] = mapped_column(String(64), default="")
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Revocation(Base):
    """A revoked static card token, by digest (``domain.codes.token_digest``)."""

    __tablename__ = "revocations"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")


class Conflict(Base):
    """Something the back office must look at; a sale is never refused because of it."""

    __tablename__ = "conflicts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    store_id: Mapped[str | None] = mapped_column(String(32), index=True)
    terminal_id: Mapped[str | None] = mapped_column(String(12))
    item_kind: Mapped[str | None] = mapped_column(String(16))
    item_id: Mapped[str | None] = mapped_column(String(40))
    member_id: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[Any] = mapped_column(JSON, default=dict)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class RegistrationLinkUse(Base):
    """A self-service registration link that was used (links are single use).

    Links themselves are signed, not stored: a row appears only when a shopper completes a
    registration through one, keyed by the link's nonce. No phone, name or address is kept here.
    """

    __tablename__ = "registration_link_uses"
    nonce: Mapped[str] = mapped_column(String(16), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(12), index=True)
    store_id: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    member_id: Mapped[str] = mapped_column(String(16))
    #: True: a new member; False: the phone was already a member.
    created: Mapped[bool] = mapped_column(Boolean)
    #: The page language and the consent text version the shopper agreed to.
    lang: Mapped[str] = mapped_column(String(8))
    consent_version: Mapped[str] = mapped_column(String(16))


class TillChain(Base):
    """Each till's hash chain as HQ holds it (hq/chain.py): the key, the head, and whether HQ
    stopped the till's sync because the chain broke (cleared only by an operator)."""

    __tablename__ = "till_chains"
    terminal_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    chain_key: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str | None] = mapped_column(String(64))
    broken_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    broken_seq: Mapped[int | None] = mapped_column(BigInteger)
    broken_reason: Mapped[str | None] = mapped_column(Text)


class ChainLinkRow(Base):
    """One verified link of a till's chain: which item holds row ``seq`` and its digest."""

    __tablename__ = "chain_links"
    terminal_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[str] = mapped_column(String(40))
    digest: Mapped[str] = mapped_column(String(64))
    __table_args__ = (Index("ix_chain_links_ref", "ref_id"),)


class CodeUse(Base):
    """A member's phone code HQ verified for a sale: one per member and code time step, so a
    code used at a second till (a replay, a copied screen) is flagged."""

    __tablename__ = "code_uses"
    member_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    counter: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(12))
    sale_id: Mapped[str] = mapped_column(String(40))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


# --------------------------------------------------------------------------- back office


class Operator(Base):
    """A back office account (``hq.backoffice``): a role, and for store managers their stores."""

    __tablename__ = "operators"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    #: argon2id hash (PHC string); the password itself is never stored.
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    #: Store ids a store manager may see (JSON list); empty for the other roles.
    stores: Mapped[Any] = mapped_column(JSON, default=list)
    #: Base32 TOTP secret once a second factor is set up.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class OperatorSession(Base):
    """A signed-in browser: the cookie carries a random token, stored here by its SHA-256."""

    __tablename__ = "operator_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class AuditEvent(Base):
    """Every back office change and every reveal of personal data: append-only."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    #: The operator's username at the time (None: the system, e.g. a failed sign-in).
    operator: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    #: What it was done to: ``member:ID``, ``conflict:ID``, ``rules:ID@REV``, ``operator:NAME``.
    target: Mapped[str] = mapped_column(String(128), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[Any] = mapped_column(JSON, default=dict)


class ConflictResolution(Base):
    """How an operator resolved a conflict (its history; the conflict row keeps resolved_at)."""

    __tablename__ = "conflict_resolutions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conflict_id: Mapped[int] = mapped_column(ForeignKey("conflicts.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    operator: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    #: The HQ ledger entries written by an accept.
    entries: Mapped[Any] = mapped_column(JSON, default=list)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class PhoneCode(Base):
    """A one-time SMS code waiting to be typed: one per (phone, purpose), the phone by its
    hash and the code by an HMAC under HQ's key (``hq.phone_codes``); deleted once used."""

    __tablename__ = "phone_codes"
    phone_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: ``register`` or ``sign_in``.
    purpose: Mapped[str] = mapped_column(String(16), primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    #: Wrong codes typed against it; at the limit the code is void.
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class MemberCard(Base):
    """A static card a till printed for a member, by its token digest (pushed as a ``card``)."""

    __tablename__ = "member_cards"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(16), index=True)
    store_id: Mapped[str] = mapped_column(String(32))
    terminal_id: Mapped[str] = mapped_column(String(12))
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ReportPending(Base):
    """Ledger entries and sales not yet in the report rollups (filled by insert triggers;
    ``batch`` claims them for one refresh)."""

    __tablename__ = "report_pending"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(1))  # "e": ledger entry, "s": sale
    ref: Mapped[str] = mapped_column(String(40))
    batch: Mapped[int | None] = mapped_column(Integer, index=True)


class ReportStoreDay(Base):
    """Per UTC day and store ("" for HQ's own entries): sales and points flows."""

    __tablename__ = "report_store_days"
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    store_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    sales_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    member_sales_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    issued: Mapped[int] = mapped_column(BigInteger, default=0)
    redeemed: Mapped[int] = mapped_column(BigInteger, default=0)
    expired: Mapped[int] = mapped_column(BigInteger, default=0)
    reversed: Mapped[int] = mapped_column(BigInteger, default=0)
    deducted: Mapped[int] = mapped_column(BigInteger, default=0)
    net_points: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportMemberDay(Base):
    """Per member reference (resolved through aliases when read), UTC day and store: purchases
    (sales that are not returns), net spend (returns negative) and the last purchase."""

    __tablename__ = "report_member_days"
    member_ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    store_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    orders: Mapped[int] = mapped_column(Integer, default=0)
    spend_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    last_order_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    __table_args__ = (Index("ix_report_member_days_day", "day", "store_id"),)


class ReportMemberStore(Base):
    """Per member reference and store, all time: purchases and the first one."""

    __tablename__ = "report_member_stores"
    member_ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    store_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    orders: Mapped[int] = mapped_column(Integer, default=0)
    first_order_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    __table_args__ = (Index("ix_report_member_stores_store", "store_id"),)


class ReportStorePoints(Base):
    """Per store ("" for HQ's own entries), all time: net points (the sum of its entries)."""

    __tablename__ = "report_store_points"
    store_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    net_points: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportMemberDelta(Base):
    """A change to the member rollups (filled by triggers on ``members``: -1 under a member's
    old key, +1 under its new one; ``batch`` claims them for one refresh)."""

    __tablename__ = "report_member_deltas"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[dt.date] = mapped_column(Date)
    store_id: Mapped[str] = mapped_column(String(32))
    tier: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(8))
    growth: Mapped[int] = mapped_column(BigInteger)
    delta: Mapped[int] = mapped_column(Integer)
    batch: Mapped[int | None] = mapped_column(Integer, index=True)


class ReportJoin(Base):
    """Members (not merged) per UTC day of registration, home store, tier and channel ("" for
    none)."""

    __tablename__ = "report_joins"
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    store_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tier: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8), primary_key=True)
    members: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportMemberTotal(Base):
    """Members (not merged) per home store, tier and channel, all time."""

    __tablename__ = "report_member_totals"
    store_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tier: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8), primary_key=True)
    members: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportGrowth(Base):
    """Members (not merged) per tier, channel and growth, all time, every store."""

    __tablename__ = "report_growth"
    tier: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8), primary_key=True)
    growth: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    members: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportPurchaseQueue(Base):
    """Member references whose purchase rollups need recomputing (filled by triggers on sales,
    aliases and members, migration 0013; ``batch`` claims them for one refresh)."""

    __tablename__ = "report_purchase_queue"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member_ref: Mapped[str] = mapped_column(String(40))
    batch: Mapped[int | None] = mapped_column(Integer, index=True)


class ReportPurchaseDay(Base):
    """Per member (resolved id) and UTC day with purchases, every store: purchases, those on
    earlier days, the member's previous and next purchase days, and the member's key (tier,
    channel, "" for none; UTC day of joining) when last refreshed."""

    __tablename__ = "report_purchase_days"
    member_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True, index=True)
    orders: Mapped[int] = mapped_column(Integer)
    earlier: Mapped[int] = mapped_column(Integer)
    prev_day: Mapped[dt.date | None] = mapped_column(Date)
    next_day: Mapped[dt.date | None] = mapped_column(Date)
    tier: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(8))
    joined: Mapped[dt.date] = mapped_column(Date)


class ReportBuyerMonth(Base):
    """Members per month with purchases (months since year 0), the month of their purchase
    before it (-1: none) and after it (:data:`NO_MONTH`: none), whether they bought 2+ times
    in it, tier and channel."""

    __tablename__ = "report_buyer_months"
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    prev_month: Mapped[int] = mapped_column(Integer, primary_key=True)
    next_month: Mapped[int] = mapped_column(Integer, primary_key=True)
    multi: Mapped[int] = mapped_column(Integer, primary_key=True)
    tier: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8), primary_key=True)
    members: Mapped[int] = mapped_column(BigInteger, default=0)


#: ``report_buyer_months.next_month`` of a member who has not bought since.
NO_MONTH = 1_000_000


class ReportOrderDay(Base):
    """Members per UTC day of their ``x``-th purchase (x = 1..5), tier and channel."""

    __tablename__ = "report_order_days"
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    x: Mapped[int] = mapped_column(Integer, primary_key=True)
    tier: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8), primary_key=True)
    members: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportCohortBuy(Base):
    """Members per UTC day of joining, month they bought in (the month of joining and the five
    after, months since year 0), tier and channel."""

    __tablename__ = "report_cohort_buys"
    joined: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    month: Mapped[int] = mapped_column(Integer, primary_key=True)
    tier: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8), primary_key=True)
    members: Mapped[int] = mapped_column(BigInteger, default=0)


class MemberDevice(Base):
    """The one device a member's card is bound to (``hq.member_sessions``): its id is in the
    member's session token; a new sign-in binds a new device and ends the old one's session."""

    __tablename__ = "member_devices"
    member_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    device: Mapped[str] = mapped_column(String(32))
    bound_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ReportDay(Base):
    """Per UTC day, the whole chain: the sums of ``report_store_days`` over its stores."""

    __tablename__ = "report_days"
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    sales_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    member_sales_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    issued: Mapped[int] = mapped_column(BigInteger, default=0)
    redeemed: Mapped[int] = mapped_column(BigInteger, default=0)
    expired: Mapped[int] = mapped_column(BigInteger, default=0)
    reversed: Mapped[int] = mapped_column(BigInteger, default=0)
    deducted: Mapped[int] = mapped_column(BigInteger, default=0)
    net_points: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportBuyerDay(Base):
    """Per member (resolved: a merged member's rows are its survivor's), UTC day and store:
    purchases, net spend and the last purchase, with the member's tier and channel ("" for
    none) as the jobs last left them."""

    __tablename__ = "report_buyer_days"
    member_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    store_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tier: Mapped[str] = mapped_column(String(32), default="")
    channel: Mapped[str] = mapped_column(String(8), default="")
    orders: Mapped[int] = mapped_column(Integer, default=0)
    spend_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    last_order_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    __table_args__ = (
        Index("ix_report_buyer_days_day", "day"),
        Index("ix_report_buyer_days_store", "store_id", "day"),
    )


class ReportBuyer(Base):
    """A member (not merged) as rollup ``report_stage_days`` last counted it: UTC day of
    registration, tier and channel ("" for none)."""

    __tablename__ = "report_buyers"
    member_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    reg_day: Mapped[dt.date] = mapped_column(Date)
    tier: Mapped[str] = mapped_column(String(32), default="")
    channel: Mapped[str] = mapped_column(String(8), default="")


class ReportStageDay(Base):
    """Changes, on a UTC day, of the members per lifecycle stage (``family`` "s") or dormant
    segment (``family`` "d", "never" included), tier and channel: the members at a day's end
    are the sum of the changes up to it (``hq.stages``)."""

    __tablename__ = "report_stage_days"
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    family: Mapped[str] = mapped_column(String(1), primary_key=True)
    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    tier: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8), primary_key=True)
    delta: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportDirtyMember(Base):
    """A member whose rows in ``report_buyer_days`` and ``report_stage_days`` need
    recomputing (queued by triggers on ``members`` and ``member_aliases``, and by
    :func:`hq.rollup.refresh` for new sales; ``batch`` claims them for one refresh)."""

    __tablename__ = "report_dirty_members"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(String(16))
    batch: Mapped[int | None] = mapped_column(Integer, index=True)


class ReportSetting(Base):
    """What a rollup was computed with (``stage_rules``: the lifecycle rules of
    ``report_stage_days``)."""

    __tablename__ = "report_settings"
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class StoreRegion(Base):
    """A store's region from a UTC day on (None: none): reports count a store's days in the
    region it was in on that day, so a store that moves does not take its history along."""

    __tablename__ = "store_regions"
    store_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    since: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    region: Mapped[str | None] = mapped_column(String(32), index=True)

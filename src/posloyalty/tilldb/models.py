"""The till database's schema at the current version: its one description.

``Base.metadata`` holds every table (ORM classes for the tables read and written through the
ORM, Core tables for those only plain SQL touches), index, constraint and trigger. A new
database is created from it (:func:`posloyalty.tilldb.migrations.create_current`); the frozen
steps in :mod:`~posloyalty.tilldb.migrations` take a database of an older version to the same
schema, and a test checks that both ways end in the same ``sqlite_master``. A change to the
schema is made here and as a new migration step. Money is integer fen, instants are UTC text
(:class:`~posloyalty.tilldb.types.UtcTimestamp`), ids are text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Connection,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from posloyalty.domain.monthday import MonthDay
from posloyalty.domain.points import ENTRY_KINDS as LEDGER_KINDS
from posloyalty.tilldb.types import JsonText, MonthDayText, UtcTimestamp

__all__ = [
    "CASHIER_ROLES",
    "CHAIN_KINDS",
    "CODE_REVOCATION_KINDS",
    "DRAWER_KINDS",
    "PAYMENT_METHODS",
    "SALE_STATUSES",
    "TRIGGERS",
    "AuditEntry",
    "Base",
    "Cashier",
    "LedgerRow",
    "Member",
    "MemberCoupon",
    "OutboxRow",
    "Payment",
    "PinAttempts",
    "Product",
    "RuleDocument",
    "Sale",
    "SaleLine",
    "Setting",
    "SyncCursor",
    "balance_confirmations",
    "card_tokens",
    "chain",
    "code_revocations",
    "drawer_movements",
    "member_secrets",
    "parked_sales",
    "provisional_sequences",
    "used_codes",
    "welcome_grants",
]

SALE_STATUSES = ("committed", "cancelled")
PAYMENT_METHODS = ("cash", "card", "gift_card", "wechat", "alipay", "points", "coupon", "other")
CASHIER_ROLES = ("cashier", "manager")
CODE_REVOCATION_KINDS = ("card", "provisional")
CHAIN_KINDS = ("sale", "ledger_entry", "audit")
DRAWER_KINDS = ("float", "cash_in", "cash_out", "count")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    pass


class Setting(Base):
    """Terminal settings: store and terminal ids, the phone-hash salt."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Product(Base):
    __tablename__ = "products"
    sku: Mapped[str] = mapped_column(String, primary_key=True)
    ean: Mapped[str | None] = mapped_column(String, unique=True)
    name: Mapped[str] = mapped_column(Text)
    price_fen: Mapped[int] = mapped_column(Integer, CheckConstraint("price_fen >= 0"))
    category: Mapped[str] = mapped_column(String, default="")
    special_price: Mapped[bool] = mapped_column(Boolean, default=False)
    member_price_fen: Mapped[int | None] = mapped_column(
        Integer, CheckConstraint("member_price_fen >= 0")
    )


class Member(Base):
    __tablename__ = "members"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    phone_masked: Mapped[str] = mapped_column(String)
    #: sha256(salt + normalised full number), hex; finds duplicates without the number in clear.
    phone_hash: Mapped[str] = mapped_column(String, index=True)
    display_name: Mapped[str] = mapped_column(Text, default="")
    tier: Mapped[str] = mapped_column(String)
    growth: Mapped[int] = mapped_column(Integer, default=0)
    #: Caches of the ledger sums (available / not yet available), refreshed with every entry.
    cached_points: Mapped[int] = mapped_column(Integer, default=0)
    cached_pending: Mapped[int] = mapped_column(Integer, default=0)
    #: Month and day only (``MM-DD``): the till never keeps the year of birth.
    birthday: Mapped[MonthDay | None] = mapped_column(MonthDayText)
    last_purchase_at: Mapped[dt.datetime | None] = mapped_column(UtcTimestamp)
    registered_at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)
    #: HQ's version of this record (0: never confirmed by HQ).
    hq_version: Mapped[int] = mapped_column(Integer, default=0)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Schema v6: the tier standing HQ last stated (JSON: tier, since, valid_until, spend,
    #: count, growth, as_of); None before one arrived. Read and written with plain SQL
    #: (terminal.context, sync.inbound); a table column the ORM does not map, so ORM writes
    #: still fit databases of older schema versions (the migration tests write them).
    __mapper_args__ = {"exclude_properties": ["tier_anchor"]}  # noqa: RUF012


_members_table = Member.__table__
assert isinstance(_members_table, Table)
_members_table.append_column(Column("tier_anchor", Text, nullable=True))


class RuleDocument(Base):
    __tablename__ = "rule_documents"
    id: Mapped[str] = mapped_column(String, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=False)


# At most one active rule document.
Index(
    "ix_rule_documents_one_active",
    RuleDocument.active,
    unique=True,
    sqlite_where=RuleDocument.active,
)


class Sale(Base):
    __tablename__ = "sales"
    __table_args__ = (
        CheckConstraint(_in("status", SALE_STATUSES), name="sales_status"),
        Index(
            "ix_sales_original_sale_id",
            "original_sale_id",
            sqlite_where=text("original_sale_id IS NOT NULL"),
        ),
    )
    id: Mapped[str] = mapped_column(String, primary_key=True)
    terminal: Mapped[str] = mapped_column(String)
    store: Mapped[str] = mapped_column(String)
    cashier: Mapped[str] = mapped_column(String)
    member: Mapped[str | None] = mapped_column(ForeignKey("members.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcTimestamp, index=True)
    subtotal_fen: Mapped[int] = mapped_column(Integer)
    total_fen: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String, default="committed")
    #: Set on a return: the sale being returned against.
    original_sale_id: Mapped[str | None] = mapped_column(ForeignKey("sales.id"))
    receipt_code: Mapped[str] = mapped_column(String, unique=True)
    quote: Mapped[Any] = mapped_column(JsonText)


class SaleLine(Base):
    __tablename__ = "sale_lines"
    __table_args__ = (
        CheckConstraint("qty <> 0", name="sale_lines_qty"),
        {"sqlite_with_rowid": False},
    )
    sale: Mapped[str] = mapped_column(ForeignKey("sales.id"), primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String)
    name: Mapped[str] = mapped_column(Text, default="")
    qty: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[int] = mapped_column(Integer)
    gross_fen: Mapped[int] = mapped_column(Integer)
    net_fen: Mapped[int] = mapped_column(Integer)
    #: Discount per kind in fen, e.g. {"tier": 120, "coupon": 500}.
    discounts: Mapped[dict[str, int]] = mapped_column(JsonText)
    points: Mapped[int] = mapped_column(Integer, default=0)
    growth: Mapped[int] = mapped_column(Integer, default=0)


class Payment(Base):
    """A payment of a sale; ``id`` orders the payments within their sale."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(_in("method", PAYMENT_METHODS), name="payments_method"),
        PrimaryKeyConstraint("sale", "id"),
        {"sqlite_with_rowid": False},
    )
    id: Mapped[int] = mapped_column(Integer, autoincrement=False)
    sale: Mapped[str] = mapped_column(ForeignKey("sales.id"))
    method: Mapped[str] = mapped_column(String)
    amount_fen: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String, default="")


class MemberCoupon(Base):
    __tablename__ = "member_coupons"
    code: Mapped[str] = mapped_column(String, primary_key=True)
    member: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    template: Mapped[str] = mapped_column(String)
    valid_from: Mapped[dt.datetime] = mapped_column(UtcTimestamp)
    valid_until: Mapped[dt.datetime] = mapped_column(UtcTimestamp)
    used_sale: Mapped[str | None] = mapped_column(ForeignKey("sales.id"))


class LedgerRow(Base):
    """One points ledger entry. Append-only: triggers refuse UPDATE and DELETE."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(_in("kind", LEDGER_KINDS), name="ledger_kind"),
        {"sqlite_with_rowid": False},
    )
    id: Mapped[str] = mapped_column(String, primary_key=True)
    member: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    kind: Mapped[str] = mapped_column(String)
    points: Mapped[int] = mapped_column(Integer)
    lot: Mapped[str] = mapped_column(String)
    at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)
    available_at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcTimestamp)
    renews_until: Mapped[dt.datetime | None] = mapped_column(UtcTimestamp)
    sale_id: Mapped[str | None] = mapped_column(ForeignKey("sales.id"), index=True)
    terminal: Mapped[str] = mapped_column(String)
    store: Mapped[str] = mapped_column(String)
    cashier: Mapped[str] = mapped_column(String)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("kind", "ref_id", name="outbox_kind_ref"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String)
    ref_id: Mapped[str] = mapped_column(String)
    payload: Mapped[Any] = mapped_column(JsonText)
    created_at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcTimestamp)


# The sync client drains pending rows in id order.
Index("ix_outbox_pending", OutboxRow.id, sqlite_where=OutboxRow.sent_at.is_(None))


class SyncCursor(Base):
    __tablename__ = "sync_cursors"
    name: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Cashier(Base):
    __tablename__ = "cashiers"
    __table_args__ = (CheckConstraint(_in("role", CASHIER_ROLES), name="cashiers_role"),)
    id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String)
    pin_salt: Mapped[bytes] = mapped_column(LargeBinary)
    pin_hash: Mapped[bytes] = mapped_column(LargeBinary)
    #: The cashier's own member account, if any (no manual adjustments to it).
    member_id: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)


class PinAttempts(Base):
    """Failed PIN attempts of a staff account since its last success (survives restarts)."""

    __tablename__ = "pin_attempts"
    __table_args__ = (CheckConstraint("failures >= 0", name="pin_attempts_failures"),)
    cashier: Mapped[str] = mapped_column(
        ForeignKey("cashiers.id", ondelete="CASCADE"), primary_key=True
    )
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime | None] = mapped_column(UtcTimestamp)
    #: Set when the account locked: refused until then, or until a manager unlocks it.
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcTimestamp)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UtcTimestamp)
    cashier: Mapped[str] = mapped_column(String)
    action: Mapped[str] = mapped_column(String)
    detail: Mapped[Any] = mapped_column(JsonText)


# --------------------------------------------------------------------------- plain-SQL tables
# Tables only plain SQL reads and writes (member codes, the hash chain, the drawer, ...).

_meta = Base.metadata


def _ts(name: str, *, nullable: bool = False) -> Column[dt.datetime]:
    return Column(name, UtcTimestamp, nullable=nullable)


def _s(name: str, type_: Any = String, *args: Any, **kw: Any) -> Column[Any]:
    kw.setdefault("nullable", False)
    return Column(name, type_, *args, **kw)


#: Dynamic-code secrets of the slice's members, sealed (AES-GCM) under the terminal key, which
#: lives outside the database (tilldb/vault.py).
member_secrets = Table(
    "member_secrets",
    _meta,
    Column("member", String, ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    _s("key_id"),
    _s("sealed", LargeBinary),
    _ts("updated_at"),
)
#: Static cards: only the digest of the token is kept (domain.codes.token_digest).
card_tokens = Table(
    "card_tokens",
    _meta,
    Column("digest", String, primary_key=True),
    _s("member", String, ForeignKey("members.id", ondelete="CASCADE"), index=True),
    _ts("issued_at"),
)
code_revocations = Table(
    "code_revocations",
    _meta,
    Column("digest", String, primary_key=True),
    _s("kind"),
    _ts("revoked_at"),
    _s("reason", Text),
    CheckConstraint(_in("kind", CODE_REVOCATION_KINDS), name="code_revocations_kind"),
)
#: Dynamic codes already accepted here (the replay cache survives a restart).
used_codes = Table(
    "used_codes",
    _meta,
    Column("member", String, primary_key=True),
    Column("counter", Integer, primary_key=True, autoincrement=False),
    _ts("used_at"),
)
provisional_sequences = Table(
    "provisional_sequences",
    _meta,
    Column("terminal", String, primary_key=True),
    _s("last_seq", Integer, CheckConstraint("last_seq >= 0")),
)
#: Welcome benefits are granted once per member.
welcome_grants = Table(
    "welcome_grants",
    _meta,
    Column("member", String, ForeignKey("members.id"), primary_key=True),
    _ts("granted_at"),
    _s("detail", Text),
)
#: The till's hash chain (tilldb/chain.py): a row per sale, per ledger entry the till writes
#: and per audit row, numbered by triggers in the writing transaction, sealed before commit.
chain = Table(
    "chain",
    _meta,
    Column("seq", Integer, primary_key=True),
    _s("kind"),
    _s("ref_id"),
    Column("hash", String(64)),
    CheckConstraint(_in("kind", CHAIN_KINDS), name="chain_kind"),
    # (ref_id, kind), not (kind, ref_id): a sale's row and its entries' rows share a leaf.
    UniqueConstraint("ref_id", "kind", name="chain_row"),
)
#: HQ's signed word on members' balances (sync/confirmations.py).
balance_confirmations = Table(
    "balance_confirmations",
    _meta,
    Column("member", String, primary_key=True),
    _s("balance", Integer),
    _ts("as_of"),
    _s("terminal"),
    _s("signature"),
)
#: The cash drawer's movements (opening float, cash in and out, blind counts); append-only.
drawer_movements = Table(
    "drawer_movements",
    _meta,
    Column("id", String, primary_key=True),
    _ts("at", nullable=False),
    _s("terminal"),
    _s("cashier"),
    _s("kind"),
    _s("amount_fen", Integer),
    _s("reason", Text),
    CheckConstraint(_in("kind", DRAWER_KINDS), name="drawer_movements_kind"),
    CheckConstraint("amount_fen >= 0", name="drawer_movements_amount"),
)
Index("ix_drawer_movements_at", drawer_movements.c.at)
#: Parked sales (挂单): the basket and its member, recalled later (取单), across restarts.
parked_sales = Table(
    "parked_sales",
    _meta,
    Column("id", String, primary_key=True),
    _ts("at"),
    _s("terminal"),
    _s("cashier"),
    _s("label", Text),
    _s("basket", Text),
)


# --------------------------------------------------------------------------- triggers


def _append_only(table: str) -> list[str]:
    return [
        f"""CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}
       BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END"""
        for verb in ("UPDATE", "DELETE")
    ]


_BIRTHDAY_CHECK = """
       WHEN NEW.birthday IS NOT NULL AND NEW.birthday NOT GLOB '[0-1][0-9]-[0-3][0-9]'
       BEGIN SELECT RAISE(ABORT, 'members.birthday holds month and day only (MM-DD)'); END"""

#: Created after the tables (a trigger's body may name any of them).
TRIGGERS: tuple[str, ...] = (
    *_append_only("ledger_entries"),
    *_append_only("audit_log"),
    *_append_only("drawer_movements"),
    # Birthdays keep only month and day (MM-DD): the till has no use for the year of birth.
    "CREATE TRIGGER members_birthday_month_day_insert BEFORE INSERT ON members" + _BIRTHDAY_CHECK,
    "CREATE TRIGGER members_birthday_month_day_update BEFORE UPDATE OF birthday ON members"
    + _BIRTHDAY_CHECK,
    """CREATE TRIGGER chain_sales AFTER INSERT ON sales
       BEGIN INSERT INTO chain (kind, ref_id) VALUES ('sale', NEW.id); END""",
    # Entries this till writes, not those pulled from HQ (cashier 'hq': other tills', HQ's own).
    """CREATE TRIGGER chain_ledger_entries AFTER INSERT ON ledger_entries
       WHEN NEW.cashier <> 'hq'
       BEGIN INSERT INTO chain (kind, ref_id) VALUES ('ledger_entry', NEW.id); END""",
    """CREATE TRIGGER chain_audit_log AFTER INSERT ON audit_log
       BEGIN INSERT INTO chain (kind, ref_id) VALUES ('audit', CAST(NEW.id AS TEXT)); END""",
)


@event.listens_for(_meta, "after_create")
def _create_triggers(target: object, connection: Connection, **kw: object) -> None:
    for trigger in TRIGGERS:
        connection.exec_driver_sql(trigger)

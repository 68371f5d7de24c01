"""ORM models of the terminal database (SQLAlchemy 2.x declarative).

The schema itself is created by the versioned steps in :mod:`posloyalty.tilldb.migrations`;
these models must describe the same tables (a test compares them). Money is integer fen,
instants are UTC text (:class:`~posloyalty.tilldb.types.UtcTimestamp`), ids are text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from posloyalty.domain.monthday import MonthDay
from posloyalty.domain.points import ENTRY_KINDS as LEDGER_KINDS
from posloyalty.tilldb.types import JsonText, MonthDayText, UtcTimestamp

SALE_STATUSES = ("committed", "cancelled")
PAYMENT_METHODS = ("cash", "card", "gift_card", "wechat", "alipay", "points", "coupon", "other")
CASHIER_ROLES = ("cashier", "manager")


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

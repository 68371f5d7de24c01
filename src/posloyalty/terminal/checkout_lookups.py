"""What a checkout needs from outside the session, as a protocol, and the till's implementation.

:class:`~posloyalty.terminal.checkout.CheckoutSession` is state over these calls only: it never
opens the database itself, so it runs headless over any implementation (the tests use one
over plain dicts). :class:`TillCheckoutLookups` is the real one, over ``tilldb`` (where the SQL
runs); the sale's reads and write share one write transaction (:meth:`CheckoutLookups.sale`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from posloyalty.domain import points as pts
from posloyalty.domain.finalise import FinalisedSale
from posloyalty.domain.ids import CouponCode, MemberId
from posloyalty.domain.tiers import Purchase
from posloyalty.terminal.allowance import check_offline_allowance
from posloyalty.terminal.context import TerminalContext
from posloyalty.terminal.members import MemberState, load_member
from posloyalty.terminal.receipt_codes import next_receipt_code
from posloyalty.terminal.tier_growth import TierProgress, apply_growth, growth_after
from posloyalty.tilldb import repo, sales
from posloyalty.tilldb.db import TillConnection
from posloyalty.tilldb.sales import ScannedProduct

__all__ = [
    "CheckoutLookups",
    "HeldCoupon",
    "SaleTransaction",
    "ScannedProduct",
    "TillCheckoutLookups",
]


@dataclass(frozen=True, slots=True)
class HeldCoupon:
    """A member coupon as the till holds it."""

    code: CouponCode
    member: MemberId
    template: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    #: The sale that used it; None: still unused.
    used_sale: str | None


class SaleTransaction(Protocol):
    """The reads and the one write of a sale, all inside one write transaction."""

    def member(
        self, member_id: MemberId, *, confirmed: bool, may_redeem: bool, at: dt.datetime
    ) -> MemberState:
        """The member read again (refused with ``CheckoutError`` if no longer on file)."""
        ...

    def check_allowance(self, member_id: MemberId, points: int, at: dt.datetime) -> None:
        """Refuse (``CheckoutError``) a redemption beyond today's offline allowance."""
        ...

    def next_receipt_code(self, at: dt.datetime) -> str: ...

    def record(self, sale: FinalisedSale, member: MemberState | None) -> TierProgress | None:
        """Store the finalised sale (its lines, entries, coupons, outbox row and the member's
        growth); the member's tier progress after it (None: no confirmed member)."""
        ...


class CheckoutLookups(Protocol):
    """Everything a checkout session reads or writes; storage failures raise ``StoreError``."""

    def product(self, code: str) -> ScannedProduct | None:
        """The product with SKU ``code``, else with EAN ``code``."""
        ...

    def coupon(self, code: str) -> HeldCoupon | None: ...

    def member(
        self, member_id: MemberId, *, confirmed: bool, may_redeem: bool, at: dt.datetime
    ) -> MemberState: ...

    def check_allowance(self, member_id: MemberId, points: int, at: dt.datetime) -> None: ...

    def audit(self, action: str, detail: dict[str, Any]) -> None:
        """One row of the audit log (a void, a cancelled sale), committed at once."""
        ...

    def sale(self) -> AbstractContextManager[SaleTransaction]:
        """One write transaction for a sale: committed when the block ends, else rolled back."""
        ...


class TillCheckoutLookups:
    """:class:`CheckoutLookups` over the till's database of ``ctx``."""

    def __init__(self, ctx: TerminalContext) -> None:
        self._ctx = ctx

    def product(self, code: str) -> ScannedProduct | None:
        with self._ctx.db.snapshot() as conn:
            return sales.scanned_product(conn, code)

    def coupon(self, code: str) -> HeldCoupon | None:
        with self._ctx.db.read() as session:
            row = repo.coupon_by_code(session, code)
            if row is None:
                return None
            return HeldCoupon(
                CouponCode(row.code),
                MemberId(row.member),
                row.template,
                row.valid_from,
                row.valid_until,
                row.used_sale,
            )

    def member(
        self, member_id: MemberId, *, confirmed: bool, may_redeem: bool, at: dt.datetime
    ) -> MemberState:
        with self._ctx.db.snapshot() as conn:
            return load_member(
                conn, self._ctx, member_id, confirmed=confirmed, may_redeem=may_redeem, at=at
            )

    def check_allowance(self, member_id: MemberId, points: int, at: dt.datetime) -> None:
        with self._ctx.db.read() as session:
            check_offline_allowance(session, self._ctx, member_id, points, at)

    def audit(self, action: str, detail: dict[str, Any]) -> None:
        with self._ctx.db.write() as session:
            repo.audit(
                session,
                at=self._ctx.clock.now(),
                cashier=self._ctx.cashier,
                action=action,
                detail=detail,
            )

    @contextmanager
    def sale(self) -> Iterator[SaleTransaction]:
        # The DBAPI connection itself: one BEGIN IMMEDIATE ... COMMIT as with db.write(),
        # without the ORM session's per-statement bookkeeping.
        with self._ctx.db.transaction() as conn:
            tx = _TillSale(conn, self._ctx)
            yield tx
        if tx.ledger is not None:
            self._ctx.ledgers.remember(tx.ledger[0], self._ctx.zone, tx.ledger[1])


class _TillSale:
    def __init__(self, conn: TillConnection, ctx: TerminalContext) -> None:
        self._conn = conn
        self._ctx = ctx
        #: The member's whole ledger after the sale, cached once the transaction committed.
        self.ledger: tuple[MemberId, list[pts.LedgerEntry]] | None = None

    def member(
        self, member_id: MemberId, *, confirmed: bool, may_redeem: bool, at: dt.datetime
    ) -> MemberState:
        return load_member(
            self._conn, self._ctx, member_id, confirmed=confirmed, may_redeem=may_redeem, at=at
        )

    def check_allowance(self, member_id: MemberId, points: int, at: dt.datetime) -> None:
        check_offline_allowance(self._conn, self._ctx, member_id, points, at)

    def next_receipt_code(self, at: dt.datetime) -> str:
        return next_receipt_code(self._conn, self._ctx, at)

    def record(self, sale: FinalisedSale, member: MemberState | None) -> TierProgress | None:
        conn, ctx, at = self._conn, self._ctx, sale.at
        # The tier the sale leaves, from the history read with the member (nothing read
        # again): stored with the member's balance in one UPDATE.
        after = None
        if member is not None and member.confirmed and member.purchases is not None:
            after = growth_after(
                conn, ctx, member.member_id, sale.growth, at, member=member, sale=_purchase(sale)
            )
        sales.record_sale(
            conn,
            sale,
            created_at=ctx.clock.now(),
            provisional_tier=str(ctx.rules.tiers.lowest.id),
            growth=(after.growth, after.tier) if after is not None else None,
        )
        tier = after.progress if after is not None else None
        if member is not None and member.confirmed and member.purchases is None:
            tier = apply_growth(conn, ctx, member.member_id, sale.growth, at, member=member)
        if member is not None and member.stored:
            self.ledger = (member.member_id, [*member.entries, *sale.entries])
        return tier


def _purchase(sale: FinalisedSale) -> Purchase:
    """The sale as the member's tier history holds it once stored."""
    return Purchase(
        sale.at.astimezone(dt.UTC),
        sale.total,
        sum(ln.growth for ln in sale.lines),
        1,
        sale.sale_id,
    )

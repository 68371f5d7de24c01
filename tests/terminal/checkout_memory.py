"""An in-memory :class:`CheckoutLookups` over plain dicts: the checkout session without a database.

A small faithful implementation of our own interface, not a mock: products are found by SKU
then EAN, coupons are held and used up, members keep a ledger the sale's entries are appended
to, receipt numbers run per local day, the offline allowance counts what the day's recorded
sales redeemed, and a sale's writes are applied together when its transaction ends (none of
them if it fails). Tier growth is kept as a number (no tier reviews: ``record`` gives no
tier progress).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from posloyalty.domain import points as pts
from posloyalty.domain.finalise import FinalisedSale
from posloyalty.domain.ids import CouponCode, MemberId, StoreId, TerminalId, TierId
from posloyalty.domain.pricing import MemberSnapshot
from posloyalty.domain.rules import RuleSet
from posloyalty.terminal.checkout_lookups import HeldCoupon, ScannedProduct
from posloyalty.terminal.errors import CheckoutError
from posloyalty.terminal.members import MemberState
from posloyalty.terminal.tier_growth import TierProgress
from posloyalty.tilldb.errors import StoreError

__all__ = ["MemoryLookups", "MemoryMember"]


@dataclass
class MemoryMember:
    tier: TierId
    entries: list[pts.LedgerEntry] = field(default_factory=list)
    growth: int = 0
    display_name: str = ""
    birthday: dt.date | None = None
    #: Written with the first sale of a member HQ has not confirmed.
    provisional: bool = False


class MemoryLookups:
    def __init__(
        self,
        rules: RuleSet,
        zone: dt.tzinfo,
        store: StoreId,
        terminal: TerminalId,
        *,
        allowance: int | None = None,
    ) -> None:
        self.rules, self.zone, self.store, self.terminal = rules, zone, store, terminal
        #: Points a member may redeem a day while offline; None: online (not capped).
        self.allowance = allowance
        self.products: dict[str, ScannedProduct] = {}
        self.eans: dict[str, str] = {}
        self.coupons: dict[str, HeldCoupon] = {}
        self.members: dict[MemberId, MemoryMember] = {}
        self.sales: list[FinalisedSale] = []
        self.audits: list[tuple[str, dict[str, Any]]] = []
        #: Set: every write is refused as a full disk would (StoreError).
        self.refuse_writes: str | None = None
        self.transactions = 0

    # ------------------------------------------------------------------ set-up
    def add_product(self, product: ScannedProduct, ean: str = "") -> None:
        self.products[product.sku] = product
        if ean:
            self.eans[ean] = product.sku

    # ------------------------------------------------------------------ CheckoutLookups
    def product(self, code: str) -> ScannedProduct | None:
        found = self.products.get(code)
        if found is None and code in self.eans:
            found = self.products[self.eans[code]]
        return found

    def coupon(self, code: str) -> HeldCoupon | None:
        return self.coupons.get(code)

    def member(
        self, member_id: MemberId, *, confirmed: bool, may_redeem: bool, at: dt.datetime
    ) -> MemberState:
        return self._member(self.members, member_id, confirmed, may_redeem, at)

    def check_allowance(self, member_id: MemberId, points: int, at: dt.datetime) -> None:
        self._check_allowance(self.sales, member_id, points, at)

    def audit(self, action: str, detail: dict[str, Any]) -> None:
        self._refuse()
        self.audits.append((action, detail))

    @contextmanager
    def sale(self) -> Iterator[_MemorySale]:
        self.transactions += 1
        tx = _MemorySale(self)
        yield tx
        tx.apply()

    # ------------------------------------------------------------------ shared by the sale
    def _refuse(self) -> None:
        if self.refuse_writes is not None:
            raise StoreError(self.refuse_writes)

    def _member(
        self,
        members: dict[MemberId, MemoryMember],
        member_id: MemberId,
        confirmed: bool,
        may_redeem: bool,
        at: dt.datetime,
    ) -> MemberState:
        row = members.get(member_id)
        if row is None and confirmed:
            raise CheckoutError(f"member {member_id} is not in this terminal's member directory")
        entries = tuple(row.entries) if row is not None else ()
        balance = pts.balance(entries, at)
        tier = row.tier if row is not None and confirmed else self.rules.tiers.lowest.id
        growth = row.growth if row is not None else 0
        return MemberState(
            member_id=member_id,
            display_name=row.display_name if row is not None else "",
            phone_masked="",
            tier=tier,
            confirmed=confirmed,
            may_redeem=may_redeem,
            balance=balance,
            snapshot=MemberSnapshot(
                tier=tier,
                points=max(balance.available, 0) if may_redeem else 0,
                growth=max(growth, 0),
                birthday=row.birthday if row is not None and confirmed else None,
            ),
            entries=entries,
            stored=row is not None,
            growth=growth,
            registered_at=None,
        )

    def _check_allowance(
        self, sales: list[FinalisedSale], member_id: MemberId, points: int, at: dt.datetime
    ) -> None:
        if points <= 0 or self.allowance is None:
            return
        day = at.astimezone(self.zone).date()
        used = sum(
            s.points_redeemed
            for s in sales
            if s.member_id == member_id and s.at.astimezone(self.zone).date() == day
        )
        left = max(self.allowance - used, 0)
        if points > left:
            raise CheckoutError(
                f"offline redemption limit: the balance of member {member_id} has never been "
                f"confirmed with HQ, so at most {self.allowance} points a day may be redeemed; "
                f"{used} already redeemed today, {left} still allowed (asked for {points})"
            )


class _MemorySale:
    """One sale's transaction: reads see the store, writes are staged until :meth:`apply`."""

    def __init__(self, store: MemoryLookups) -> None:
        self._store = store
        self._staged: list[tuple[FinalisedSale, MemberState | None]] = []

    def member(
        self, member_id: MemberId, *, confirmed: bool, may_redeem: bool, at: dt.datetime
    ) -> MemberState:
        return self._store.member(member_id, confirmed=confirmed, may_redeem=may_redeem, at=at)

    def check_allowance(self, member_id: MemberId, points: int, at: dt.datetime) -> None:
        self._store.check_allowance(member_id, points, at)

    def next_receipt_code(self, at: dt.datetime) -> str:
        prefix = (
            f"{self._store.store}-{self._store.terminal}-{at.astimezone(self._store.zone):%Y%m%d}-"
        )
        taken = [s.receipt_code for s in self._store.sales if s.receipt_code.startswith(prefix)]
        return f"{prefix}{len(taken) + 1:04d}"

    def record(self, sale: FinalisedSale, member: MemberState | None) -> TierProgress | None:
        self._store._refuse()
        for code in sale.coupons:
            held = self._store.coupons.get(code)
            if held is None or held.used_sale is not None:
                raise StoreError(f"coupon {code} is not there to use")
        self._staged.append((sale, member))
        return None

    def apply(self) -> None:
        store = self._store
        for sale, member in self._staged:
            store.sales.append(sale)
            for code in sale.coupons:
                held = store.coupons[CouponCode(code)]
                store.coupons[code] = HeldCoupon(
                    held.code,
                    held.member,
                    held.template,
                    held.valid_from,
                    held.valid_until,
                    sale.sale_id,
                )
            if sale.member_id is None:
                continue
            row = store.members.get(sale.member_id)
            if row is None:
                row = store.members[sale.member_id] = MemoryMember(
                    store.rules.tiers.lowest.id, provisional=True
                )
            row.entries.extend(sale.entries)
            if member is not None and member.confirmed:
                row.growth += sale.growth

"""The checkout session: an explicit state machine the cashier UI only displays.

States: OPEN (no lines) -> QUOTED (lines, re-quoted after every change) -> PAYING ->
COMMITTED, or CANCELLED from any live state. A member may be identified any time before
payment. Every action either succeeds or raises :class:`CheckoutError` leaving the session
exactly as it was, so an error never loses the sale in progress. The session is state over
injected :class:`~posloyalty.terminal.checkout_lookups.CheckoutLookups` (by default the till's
database of its context) and never opens a database itself. ``commit`` stores the sale, its
ledger entries, outbox row, used coupons and the member's growth in ONE write transaction: it
reads the member again, checks the price, lets :func:`posloyalty.domain.finalise.finalise`
compute what the sale stores and hands that to one ``record`` call.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from posloyalty.domain.finalise import (
    FinalisedSale,
    SaleContext,
    SaleMember,
    SalePayment,
    finalise,
)
from posloyalty.domain.ids import CouponCode, MemberId, SaleId, Sku
from posloyalty.domain.money import Fen, format_yuan
from posloyalty.domain.points import PointsError
from posloyalty.domain.pricing import (
    PAYMENT_METHODS,
    Basket,
    BasketLine,
    CouponInstance,
    Payment,
    PaymentMethod,
    Quote,
    QuoteError,
    quote,
)
from posloyalty.terminal.checkout_lookups import (
    CheckoutLookups,
    SaleTransaction,
    TillCheckoutLookups,
)
from posloyalty.terminal.context import TerminalContext
from posloyalty.terminal.errors import CheckoutError, IllegalTransition, StorageRefused
from posloyalty.terminal.identified import Identified
from posloyalty.terminal.members import MemberState
from posloyalty.terminal.tier_growth import TierProgress
from posloyalty.tilldb.confirmation import PENDING_UNTIL_CONFIRMED
from posloyalty.tilldb.errors import StoreDataError, StoreError

OPEN_AMOUNT_SKU = Sku("OPEN")


class State(StrEnum):
    OPEN = "open"
    QUOTED = "quoted"
    PAYING = "paying"
    COMMITTED = "committed"
    CANCELLED = "cancelled"


#: What each action needs; the UI enables its buttons from :meth:`CheckoutSession.allowed`.
_ALLOWED: Mapping[str, frozenset[State]] = {
    "identify": frozenset({State.OPEN, State.QUOTED}),
    "clear_member": frozenset({State.OPEN, State.QUOTED}),
    "scan": frozenset({State.OPEN, State.QUOTED}),
    "add_open_amount": frozenset({State.OPEN, State.QUOTED}),
    "set_qty": frozenset({State.QUOTED}),
    "void_line": frozenset({State.QUOTED}),
    "add_coupon": frozenset({State.QUOTED}),
    "remove_coupon": frozenset({State.QUOTED}),
    "redeem": frozenset({State.QUOTED, State.PAYING}),
    "begin_payment": frozenset({State.QUOTED}),
    "back_to_basket": frozenset({State.PAYING}),
    "add_payment": frozenset({State.PAYING}),
    "remove_payment": frozenset({State.PAYING}),
    "commit": frozenset({State.PAYING}),
    "cancel": frozenset({State.OPEN, State.QUOTED, State.PAYING}),
}


@dataclass(frozen=True, slots=True)
class CartLine:
    sku: Sku
    name: str
    qty: int
    unit_price: Fen
    special_price: bool = False
    category: str = ""
    member_price: Fen | None = None

    def basket_line(self) -> BasketLine:
        return BasketLine(
            self.sku,
            self.name,
            self.qty,
            self.unit_price,
            self.special_price,
            self.category,
            self.member_price,
        )


@dataclass(frozen=True, slots=True)
class Tender:
    method: PaymentMethod
    #: Applied to the sale.
    amount: Fen
    #: Cash handed over (cash only); the change is ``tendered - amount``.
    tendered: Fen
    reference: str = ""

    @property
    def change(self) -> Fen:
        return Fen(self.tendered - self.amount)


@dataclass(frozen=True, slots=True)
class _Cart:
    lines: tuple[CartLine, ...] = ()
    member: MemberState | None = None
    identified: Identified | None = None
    coupons: tuple[CouponInstance, ...] = ()
    redeem: int = 0
    payments: tuple[Tender, ...] = ()


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    index: int
    sku: str
    name: str
    qty: int
    unit_price: Fen
    gross: Fen
    net: Fen
    discounts: Mapping[str, Fen]
    points: int


@dataclass(frozen=True, slots=True)
class Receipt:
    sale_id: SaleId
    receipt_code: str
    at: dt.datetime
    cashier: str
    member_id: MemberId | None
    lines: tuple[ReceiptLine, ...]
    subtotal: Fen
    total: Fen
    savings: Mapping[str, Fen]
    points_redeemed: int
    points_value: Fen
    payments: tuple[Tender, ...]
    change: Fen
    points_earned: int
    #: Earned points not yet spendable (pending days, or a member HQ has not confirmed).
    points_earned_pending: bool
    balance_available: int | None
    balance_pending: int | None
    tier: TierProgress | None
    coupons: tuple[str, ...] = ()
    member_day: str | None = None

    def to_json(self) -> dict[str, Any]:
        y = format_yuan
        tier = self.tier
        return {
            "sale_id": self.sale_id,
            "receipt_code": self.receipt_code,
            "at": self.at.isoformat(),
            "cashier": self.cashier,
            "member": self.member_id,
            "lines": [
                {
                    "index": ln.index,
                    "sku": ln.sku,
                    "name": ln.name,
                    "qty": ln.qty,
                    "unit_price": y(ln.unit_price),
                    "gross": y(ln.gross),
                    "net": y(ln.net),
                    "discounts": {k: y(v) for k, v in ln.discounts.items()},
                    "points": ln.points,
                }
                for ln in self.lines
            ],
            "subtotal": y(self.subtotal),
            "total": y(self.total),
            "savings": {k: y(v) for k, v in self.savings.items()},
            "coupons": list(self.coupons),
            "member_day": self.member_day,
            "points_redeemed": self.points_redeemed,
            "points_value": y(self.points_value),
            "payments": [
                {"method": p.method, "amount": y(p.amount), "tendered": y(p.tendered)}
                for p in self.payments
            ],
            "change": y(self.change),
            "points_earned": self.points_earned,
            "points_earned_pending": self.points_earned_pending,
            "balance_available": self.balance_available,
            "balance_pending": self.balance_pending,
            "tier": None
            if tier is None
            else {
                "tier": tier.tier,
                "name": tier.tier_name,
                "upgraded": tier.changed,
                "growth": tier.growth,
                "next_tier": tier.next_tier,
                "needed_spend": y(tier.needed_spend),
                "needed_count": tier.needed_count,
                "needed_growth": tier.needed_growth,
                "valid_until": tier.valid_until.isoformat() if tier.valid_until else None,
                # Tier credit not final yet (the rules' credit_after_days).
                "pending_spend": y(tier.pending_spend),
                "credit_final_at": tier.next_credit_at.isoformat() if tier.next_credit_at else None,
            },
        }


def _err(exc: Exception) -> CheckoutError:
    return CheckoutError(str(exc))


class CheckoutSession:
    """One customer's checkout. Read ``state``, ``lines``, ``quote``, ``member``, ``due``..."""

    def __init__(self, ctx: TerminalContext, lookups: CheckoutLookups | None = None) -> None:
        self.ctx = ctx
        #: Everything the session reads or writes outside itself (default: the till's database).
        self.lookups: CheckoutLookups = lookups or TillCheckoutLookups(ctx)
        self._state = State.OPEN
        self._cart = _Cart()
        self._quote: Quote | None = None
        #: The basket ``_quote`` priced (commit reuses the quote if nothing it reads moved).
        self._basket: Basket | None = None
        self._at: dt.datetime | None = None
        self._receipt: Receipt | None = None

    # ------------------------------------------------------------------ what the UI shows
    @property
    def state(self) -> State:
        return self._state

    @property
    def lines(self) -> tuple[CartLine, ...]:
        return self._cart.lines

    @property
    def member(self) -> MemberState | None:
        return self._cart.member

    @property
    def quote(self) -> Quote | None:
        return self._quote

    @property
    def coupons(self) -> tuple[CouponCode, ...]:
        return tuple(c.code for c in self._cart.coupons)

    @property
    def redeem_points(self) -> int:
        return self._cart.redeem

    @property
    def payments(self) -> tuple[Tender, ...]:
        return self._cart.payments

    @property
    def due(self) -> Fen:
        return self._quote.total if self._quote is not None else Fen(0)

    @property
    def paid(self) -> Fen:
        return Fen(sum(p.amount for p in self._cart.payments))

    @property
    def remaining(self) -> Fen:
        return Fen(self.due - self.paid)

    @property
    def receipt(self) -> Receipt | None:
        return self._receipt

    def allowed(self) -> frozenset[str]:
        return frozenset(a for a, states in _ALLOWED.items() if self._state in states)

    # ------------------------------------------------------------------ mechanics
    def _require(self, action: str) -> None:
        if self._state not in _ALLOWED[action]:
            hint = {
                State.PAYING: "; go back to the basket first",
                State.OPEN: "; scan a product first",
                State.COMMITTED: "; the sale is already committed",
                State.CANCELLED: "; the sale was cancelled",
            }.get(self._state, "")
            raise IllegalTransition(
                f"cannot {action.replace('_', ' ')} while the sale is {self._state.value}{hint}"
            )

    def _price(self, cart: _Cart, at: dt.datetime) -> Quote | None:
        priced = self._priced(cart, at)
        return priced[1] if priced is not None else None

    def _priced(self, cart: _Cart, at: dt.datetime) -> tuple[Basket, Quote] | None:
        if not cart.lines:
            return None
        basket = _basket(cart, at, cart.member)
        try:
            q = quote(self.ctx.rules, basket)
        except QuoteError as exc:
            raise _err(exc) from None
        if q.rejected_coupons:
            r = q.rejected_coupons[0]
            raise CheckoutError(f"coupon {r.code}: {r.reason}")
        return basket, q

    def _apply(self, cart: _Cart, state: State | None = None) -> None:
        """Re-quote ``cart``; only if that works does the session take it (else unchanged)."""
        at = self.ctx.now()
        priced = self._priced(cart, at)
        new_state = state or self._state
        if new_state in (State.OPEN, State.QUOTED):
            new_state = State.QUOTED if cart.lines else State.OPEN
        self._cart, self._at, self._state = cart, at, new_state
        self._basket, self._quote = priced if priced is not None else (None, None)

    def requote(self) -> None:
        """Price again now (the clock moved: a member day may have started or ended)."""
        if self._state in (State.OPEN, State.QUOTED, State.PAYING):
            self._apply(self._cart)

    # ------------------------------------------------------------------ member
    def identify(self, identified: Identified) -> MemberState:
        self._require("identify")
        at = self.ctx.now()
        member = self.lookups.member(
            identified.member_id,
            confirmed=identified.confirmed,
            may_redeem=identified.may_redeem,
            at=at,
        )
        # A different member: their coupons and points do not carry over.
        same = self._cart.member is not None and self._cart.member.member_id == member.member_id
        self._apply(
            replace(
                self._cart,
                member=member,
                identified=identified,
                coupons=self._cart.coupons if same else (),
                redeem=self._cart.redeem if same and member.may_redeem else 0,
            )
        )
        return member

    def clear_member(self) -> None:
        self._require("clear_member")
        self._apply(replace(self._cart, member=None, identified=None, coupons=(), redeem=0))

    # ------------------------------------------------------------------ lines
    def scan(self, code: str, qty: int = 1) -> int:
        """Add a product by SKU or EAN (the same product again adds to its line); its index."""
        self._require("scan")
        code = code.strip()
        if not code:
            raise CheckoutError("empty product code")
        _check_qty(qty)
        product = self.lookups.product(code)
        if product is None:
            raise CheckoutError(f"unknown product code {code!r}")
        line = CartLine(
            sku=product.sku,
            name=product.name,
            qty=qty,
            unit_price=product.price,
            special_price=product.special_price,
            category=product.category,
            member_price=product.member_price,
        )
        lines = list(self._cart.lines)
        for i, existing in enumerate(lines):
            if existing.sku == line.sku:
                lines[i] = replace(existing, qty=existing.qty + qty)
                self._apply(replace(self._cart, lines=tuple(lines)))
                return i
        self._apply(replace(self._cart, lines=(*lines, line)))
        return len(lines)

    def add_open_amount(self, amount: Fen, name: str = "open amount") -> int:
        """A line priced by the cashier (an item without a code)."""
        self._require("add_open_amount")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise CheckoutError("an open amount must be above 0.00 yuan")
        line = CartLine(OPEN_AMOUNT_SKU, name, 1, Fen(amount))
        self._apply(replace(self._cart, lines=(*self._cart.lines, line)))
        return len(self._cart.lines) - 1

    def set_qty(self, index: int, qty: int) -> None:
        self._require("set_qty")
        self._line(index)
        _check_qty(qty)
        lines = list(self._cart.lines)
        lines[index] = replace(lines[index], qty=qty)
        self._apply(replace(self._cart, lines=tuple(lines)))

    def void_line(self, index: int, reason: str = "") -> None:
        """Remove a line; written to the audit log (refused if the log cannot be written)."""
        self._require("void_line")
        line = self._line(index)
        cart = replace(self._cart, lines=self._cart.lines[:index] + self._cart.lines[index + 1 :])
        at = self.ctx.now()
        self._price(cart, at)  # refuse before auditing if the rest cannot be priced
        self._audit(
            "void_line",
            {
                "index": index,
                "sku": line.sku,
                "qty": line.qty,
                "unit_price_fen": line.unit_price,
                "reason": reason,
                "member": self._cart.member.member_id if self._cart.member else None,
            },
        )
        self._apply(cart)

    def _line(self, index: int) -> CartLine:
        if not 0 <= index < len(self._cart.lines):
            raise CheckoutError(f"there is no line {index + 1}")
        return self._cart.lines[index]

    # ------------------------------------------------------------------ coupons, points
    def add_coupon(self, code: str) -> None:
        """Apply a coupon the identified member holds in the store."""
        self._require("add_coupon")
        member = self._cart.member
        if member is None:
            raise CheckoutError("identify the member before applying a member coupon")
        if any(c.code == code for c in self._cart.coupons):
            raise CheckoutError(f"coupon {code} is already applied")
        row = self.lookups.coupon(code)
        if row is None or row.member != member.member_id:
            raise CheckoutError(f"coupon {code} is not held by member {member.member_id}")
        if row.used_sale is not None:
            raise CheckoutError(f"coupon {code} was already used")
        template = self.ctx.rules.coupons.get(row.template)
        if template is None:
            raise CheckoutError(
                f"coupon {code} is of kind {row.template!r}, unknown to the current rules"
            )
        instance = CouponInstance(
            CouponCode(code),
            template,
            row.valid_from.astimezone(self.ctx.zone).date(),
            row.valid_until.astimezone(self.ctx.zone).date(),
        )
        self._apply(replace(self._cart, coupons=(*self._cart.coupons, instance)))

    def remove_coupon(self, code: str) -> None:
        self._require("remove_coupon")
        kept = tuple(c for c in self._cart.coupons if c.code != code)
        if len(kept) == len(self._cart.coupons):
            raise CheckoutError(f"coupon {code} is not applied")
        self._apply(replace(self._cart, coupons=kept))

    def redeem(self, points: int) -> None:
        """Pay part of the sale with points (0 takes the redemption back)."""
        self._require("redeem")
        if isinstance(points, bool) or not isinstance(points, int) or points < 0:
            raise CheckoutError("points to redeem must be a whole number, 0 or more")
        member = self._cart.member
        if points:
            if member is None:
                raise CheckoutError("only an identified member can pay with points")
            if not member.may_redeem:
                why = (
                    "HQ has not confirmed this member yet"
                    if not member.confirmed
                    else "points can only be spent with the member's dynamic code (phone app)"
                )
                raise CheckoutError(f"member {member.member_id} cannot redeem points: {why}")
            self.lookups.check_allowance(member.member_id, points, self.ctx.now())
        cart = replace(self._cart, redeem=points)
        if self._state is State.PAYING:
            probe = self._price(replace(cart, payments=()), self.ctx.now())
            if probe is not None and self.paid > probe.total:
                raise CheckoutError(
                    f"payments already taken ({format_yuan(self.paid)} yuan) exceed the new "
                    f"amount due ({format_yuan(probe.total)} yuan); remove a payment first"
                )
        self._apply(cart)

    # ------------------------------------------------------------------ payment
    def begin_payment(self) -> None:
        self._require("begin_payment")
        self._apply(self._cart, State.PAYING)

    def back_to_basket(self) -> None:
        """Leave payment to change the basket; payments taken so far are dropped."""
        self._require("back_to_basket")
        self._apply(replace(self._cart, payments=()), State.QUOTED)

    def add_payment(
        self,
        method: str,
        amount: Fen | None = None,
        *,
        tendered: Fen | None = None,
        reference: str = "",
    ) -> Tender:
        """Take a payment. Cash: ``tendered`` (what was handed over; change is given back).
        Card and gift card: ``amount`` (default: all that remains), never more than remains."""
        self._require("add_payment")
        if method not in PAYMENT_METHODS:
            raise CheckoutError(
                f"unknown payment method {method!r}; use {', '.join(PAYMENT_METHODS)} "
                "(points: redeem them)"
            )
        remaining = self.remaining
        if remaining <= 0:
            raise CheckoutError("nothing is left to pay")
        given = tendered if tendered is not None else amount
        if given is None:
            given = remaining
        if isinstance(given, bool) or not isinstance(given, int) or given <= 0:
            raise CheckoutError("a payment must be above 0.00 yuan")
        if method == "cash":
            applied = min(given, remaining)
            tender = Tender("cash", Fen(applied), Fen(given), reference)
        else:
            if tendered is not None:
                raise CheckoutError("only cash is tendered; give card amounts as the amount")
            if given > remaining:
                raise CheckoutError(
                    f"{method} payment of {format_yuan(given)} yuan exceeds the "
                    f"{format_yuan(remaining)} yuan still due"
                )
            tender = Tender(method, Fen(given), Fen(given), reference)
        self._apply(replace(self._cart, payments=(*self._cart.payments, tender)))
        return tender

    def remove_payment(self, index: int) -> None:
        self._require("remove_payment")
        if not 0 <= index < len(self._cart.payments):
            raise CheckoutError(f"there is no payment {index + 1}")
        payments = self._cart.payments[:index] + self._cart.payments[index + 1 :]
        self._apply(replace(self._cart, payments=payments))

    # ------------------------------------------------------------------ end
    def cancel(self, reason: str = "") -> None:
        """Abandon the sale (audited); nothing else is stored."""
        self._require("cancel")
        self._audit(
            "cancel_sale",
            {
                "reason": reason,
                "lines": [[ln.sku, ln.qty, ln.unit_price] for ln in self._cart.lines],
                "total_fen": self.due,
                "member": self._cart.member.member_id if self._cart.member else None,
                "payments": [[p.method, p.amount] for p in self._cart.payments],
            },
        )
        self._state = State.CANCELLED

    def commit(self) -> Receipt:
        """Store the sale (one transaction) and return its receipt; on any refusal the
        session stays PAYING with its lines and payments, and nothing was stored."""
        self._require("commit")
        if self.remaining != 0:
            raise CheckoutError(
                f"{format_yuan(self.remaining)} yuan is still due; take a payment first"
            )
        try:
            quoted = (
                (self._basket, self._quote)
                if self._basket is not None and self._quote is not None
                else None
            )
            with self.lookups.sale() as tx:
                receipt = _record_sale(tx, self.ctx, self._cart, self.due, quoted)
        except StoreDataError as exc:
            raise CheckoutError(f"the sale was refused by the store: {exc}") from exc
        except StoreError as exc:
            raise StorageRefused(
                f"the sale could not be stored and is still open: {' '.join(str(exc).split())}"
            ) from exc
        except (QuoteError, PointsError) as exc:
            raise _err(exc) from exc
        self._receipt = receipt
        self._state = State.COMMITTED
        return receipt

    def _audit(self, action: str, detail: dict[str, Any]) -> None:
        try:
            self.lookups.audit(action, detail)
        except StoreError as exc:
            raise StorageRefused(
                f"cannot write the audit log, so the {action.replace('_', ' ')} is refused: "
                f"{' '.join(str(exc).split())}"
            ) from exc


def _check_qty(qty: int) -> None:
    if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= 9999:
        raise CheckoutError("quantity must be a whole number from 1 to 9999")


def _same_quote(quoted: tuple[Basket, Quote] | None, basket: Basket) -> Quote | None:
    """The session's last quote if ``basket`` prices exactly like the basket it was made for.

    ``quote`` is a pure function of the rules (fixed for the context) and the basket, and
    reads the basket's time only through its local date (member days, birthdays, coupon
    validity). So the same lines, member snapshot (tier, spendable points, growth, birthday,
    as read again in the commit's transaction), coupons, redemption and payments on the same
    local date give the same quote, and pricing again would only repeat it.
    """
    if quoted is None:
        return None
    old, q = quoted
    if old.at.date() != basket.at.date() or replace(basket, at=old.at) != old:
        return None
    return q


def _basket(cart: _Cart, at: dt.datetime, member: MemberState | None) -> Basket:
    return Basket(
        at=at,
        member=member.snapshot if member is not None else None,
        lines=tuple(ln.basket_line() for ln in cart.lines),
        coupons=cart.coupons,
        redeem_points=cart.redeem,
        payments=tuple(Payment(p.method, p.amount) for p in cart.payments),
    )


def _member_now(tx: SaleTransaction, cart: _Cart, at: dt.datetime) -> MemberState | None:
    """The cart's member read again inside the transaction: the row and the ledger (the
    redemption draws on its lots, the new balance is replayed from it plus this sale's)."""
    if cart.member is None:
        return None
    return tx.member(
        cart.member.member_id,
        confirmed=cart.member.confirmed,
        may_redeem=cart.member.may_redeem,
        at=at,
    )


def _checked_quote(
    ctx: TerminalContext, basket: Basket, quoted: tuple[Basket, Quote] | None, shown_total: int
) -> Quote:
    """The quote the sale is stored with; refused if the amount due moved since it was shown."""
    reused = _same_quote(quoted, basket)
    if reused is not None:
        if reused.total != shown_total:  # pragma: no cover - the session shows this very quote
            raise CheckoutError("the amount due changed since the quote; check the basket")
        return reused
    q = quote(ctx.rules, replace(basket, payments=()))
    if q.total != shown_total:
        raise CheckoutError(
            f"the amount due changed from {format_yuan(shown_total)} to "
            f"{format_yuan(q.total)} yuan since the quote (time or balance moved); go back "
            "to the basket and check it"
        )
    # With the payments: the gift-card part earns at its own rate, and the stored quote shows
    # the split as taken (as the reused quote does).
    return quote(ctx.rules, basket)


def _record_sale(
    tx: SaleTransaction,
    ctx: TerminalContext,
    cart: _Cart,
    shown_total: int,
    quoted: tuple[Basket, Quote] | None = None,
) -> Receipt:
    """Everything of one sale, inside the caller's write transaction: read the member again,
    check the price, finalise (pure), record it and its tier growth (one call)."""
    at = ctx.now()
    member = _member_now(tx, cart, at)
    basket = _basket(cart, at, member)
    q = _checked_quote(ctx, basket, quoted, shown_total)
    sale_id = SaleId(ctx.new_id())
    if q.points_redeemed and member is not None:
        tx.check_allowance(member.member_id, q.points_redeemed, at)
    code = cart.identified.code if cart.identified is not None else ""
    receipt_code = tx.next_receipt_code(at)
    sale = finalise(
        ctx.rules,
        basket,
        q,
        sale=SaleContext(
            sale_id, at, ctx.terminal, ctx.store, ctx.cashier, receipt_code, PENDING_UNTIL_CONFIRMED
        ),
        member=None
        if member is None
        else SaleMember(member.member_id, member.confirmed, member.stored, member.entries, code),
        tenders=[SalePayment(p.method, p.amount, p.tendered, p.reference) for p in cart.payments],
        new_id=ctx.new_id,
    )
    tier = tx.record(sale, member)
    return _receipt(sale, cart.payments, tier)


def _receipt(
    sale: FinalisedSale, payments: tuple[Tender, ...], tier: TierProgress | None
) -> Receipt:
    return Receipt(
        sale_id=sale.sale_id,
        receipt_code=sale.receipt_code,
        at=sale.at,
        cashier=sale.cashier,
        member_id=sale.member_id,
        lines=tuple(
            ReceiptLine(
                ln.index,
                ln.sku,
                ln.name,
                ln.qty,
                ln.unit_price,
                ln.gross,
                ln.net,
                {k: v for k, v in ln.discounts.items() if k != "points"},
                ln.points,
            )
            for ln in sale.lines
        ),
        subtotal=sale.subtotal,
        total=sale.total,
        savings=sale.savings,
        points_redeemed=sale.points_redeemed,
        points_value=sale.points_value,
        payments=payments,
        change=sale.change,
        points_earned=sale.points_earned,
        points_earned_pending=sale.points_earned_pending,
        balance_available=sale.balance.available if sale.balance is not None else None,
        balance_pending=sale.balance.pending if sale.balance is not None else None,
        tier=tier,
        coupons=sale.coupons,
        member_day=sale.member_day,
    )

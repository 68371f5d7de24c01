"""The cash drawer and the end-of-day tenders, in integer fen.

A business day's drawer starts with an opening float; cash in and cash out (each with a
reason) move money in or out by hand; cash sales add the cash applied to sales (change is
never counted: it went back to the customer) and cash refunds take the cash paid back. What
should be in the drawer is :attr:`DrawerSummary.expected`; the blind count (the cashier
counts without seeing the expected figure) gives the difference.

Tenders: what each method took in sales less what it paid back in refunds. Points are not a
tender (they lower what the customer owes, like a discount), so the tenders add up to the
day's net sales: :func:`tenders` refuses figures that do not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from posloyalty.domain.money import Fen

__all__ = [
    "MOVEMENT_KINDS",
    "DrawerError",
    "DrawerMovement",
    "DrawerSummary",
    "MovementKind",
    "TenderLine",
    "drawer_summary",
    "movement",
    "tenders",
]

MovementKind = Literal["float", "cash_in", "cash_out", "count"]
MOVEMENT_KINDS: tuple[MovementKind, ...] = ("float", "cash_in", "cash_out", "count")

#: The most one movement may be: ¥1,000,000 (a typo guard; the drawer holds far less).
_MOST = 100_000_000


class DrawerError(ValueError):
    """A drawer movement or a set of day figures that cannot be accepted (nothing stored)."""


@dataclass(frozen=True, slots=True)
class DrawerMovement:
    """One drawer event: ``float`` (opening float), ``cash_in``, ``cash_out`` or ``count``
    (a blind count: ``amount`` is what was counted). ``amount`` is never negative."""

    kind: MovementKind
    amount: Fen
    reason: str = ""


def movement(kind: str, amount: int, reason: str = "") -> DrawerMovement:
    """A checked movement: a known kind, 0 .. ¥1,000,000 (more than 0 for cash in and out),
    and a reason for cash in and out."""
    if kind not in MOVEMENT_KINDS:
        raise DrawerError(f"unknown drawer movement {kind!r}")
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise DrawerError("the amount must be whole fen")
    if amount < 0:
        raise DrawerError("the amount cannot be negative")
    if amount > _MOST:
        raise DrawerError("the amount is more than ¥1,000,000; check what was typed")
    reason = " ".join(reason.split())
    if kind in ("cash_in", "cash_out"):
        if amount == 0:
            raise DrawerError("type an amount above zero")
        if not reason:
            raise DrawerError("give a reason for moving cash in or out of the drawer")
    if len(reason) > 200:
        raise DrawerError("the reason is longer than 200 characters")
    checked: MovementKind = kind  # narrowed by the membership test above
    return DrawerMovement(checked, Fen(amount), reason)


@dataclass(frozen=True, slots=True)
class DrawerSummary:
    opening_float: Fen
    cash_in: Fen
    cash_out: Fen
    cash_sales: Fen
    cash_refunds: Fen
    #: The last blind count of the day (None: not counted yet).
    counted: Fen | None

    @property
    def expected(self) -> Fen:
        """What should be in the drawer now."""
        return Fen(
            self.opening_float + self.cash_in - self.cash_out + self.cash_sales - self.cash_refunds
        )

    @property
    def difference(self) -> Fen | None:
        """Counted less expected (negative: cash missing; None: not counted yet)."""
        return None if self.counted is None else Fen(self.counted - self.expected)


def drawer_summary(
    movements: Iterable[DrawerMovement], *, cash_sales: int, cash_refunds: int
) -> DrawerSummary:
    """The drawer of a day from its movements (in order) and its cash sales and refunds.

    Floats add up (a float topped up during the day is another float); the last count is
    the one that stands (a recount replaces the first)."""
    if cash_sales < 0 or cash_refunds < 0:
        raise DrawerError("cash sales and cash refunds are amounts, never negative")
    opening = cash_in = cash_out = 0
    counted: int | None = None
    for m in movements:
        if m.kind == "float":
            opening += m.amount
        elif m.kind == "cash_in":
            cash_in += m.amount
        elif m.kind == "cash_out":
            cash_out += m.amount
        else:
            counted = m.amount
    return DrawerSummary(
        Fen(opening),
        Fen(cash_in),
        Fen(cash_out),
        Fen(cash_sales),
        Fen(cash_refunds),
        None if counted is None else Fen(counted),
    )


@dataclass(frozen=True, slots=True)
class TenderLine:
    method: str
    sales: Fen
    refunds: Fen

    @property
    def net(self) -> Fen:
        return Fen(self.sales - self.refunds)


def tenders(
    payments: Mapping[str, int],
    refunds: Mapping[str, int],
    *,
    sales_total: int,
    refunds_total: int,
) -> tuple[TenderLine, ...]:
    """Tender lines (by method name) whose sales add up to ``sales_total`` and whose refunds
    add up to ``refunds_total``; :class:`DrawerError` when they do not (a sale stored with
    payments that do not cover it, or a tender the report does not know)."""
    if "points" in payments or "points" in refunds:
        raise DrawerError("points are not a tender; report them as a discount")
    if sum(payments.values()) != sales_total:
        raise DrawerError(
            f"the tenders take {sum(payments.values())} fen but the sales total {sales_total}"
        )
    if sum(refunds.values()) != refunds_total:
        raise DrawerError(
            f"the tenders refund {sum(refunds.values())} fen but the refunds total {refunds_total}"
        )
    methods = sorted(set(payments) | set(refunds))
    return tuple(TenderLine(m, Fen(payments.get(m, 0)), Fen(refunds.get(m, 0))) for m in methods)

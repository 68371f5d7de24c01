"""The pricing desk: a basket being built at the counter and its live quote. No Qt.

The window only displays a :class:`DeskView` and forwards what the cashier typed; every
decision (parsing amounts, refusing bad lines, pricing) happens here or in the domain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from posloyalty.clock import Clock
from posloyalty.domain.ids import Sku, TierId
from posloyalty.domain.money import Fen, MoneyError, format_yuan, parse_yuan
from posloyalty.domain.pricing import (
    Basket,
    BasketLine,
    MemberSnapshot,
    Payment,
    Quote,
    QuoteError,
    quote,
)
from posloyalty.domain.rules import RuleError, RuleSet


class DeskError(ValueError):
    """What the cashier typed cannot be used; the message is shown as is."""


@dataclass(frozen=True, slots=True)
class DeskView:
    """Everything the window shows, already in display form."""

    preset: str
    scheme_name: str
    tiers: tuple[tuple[str, str], ...]
    member_tier: str | None
    lines: tuple[BasketLine, ...]
    quote: Quote | None
    problem: str
    at: dt.datetime

    @property
    def total_text(self) -> str:
        return f"¥{format_yuan(self.quote.total if self.quote else 0)}"


class QuoteDesk:
    """A basket under construction for one preset; re-quoted after every change."""

    def __init__(
        self,
        load_rules: Callable[[str], RuleSet],
        preset: str,
        clock: Clock,
        zone: dt.tzinfo,
    ) -> None:
        self._load_rules = load_rules
        self._clock = clock
        self._zone = zone
        self._rules = load_rules(preset)
        self._preset = preset
        self._lines: list[BasketLine] = []
        self._member: MemberSnapshot | None = None
        self._redeem_points = 0
        self._gift_card: Fen = Fen(0)
        self._at: dt.datetime | None = None

    # ------------------------------------------------------------------ changes
    def choose_preset(self, preset: str) -> None:
        try:
            rules = self._load_rules(preset)
        except RuleError as exc:
            raise DeskError(str(exc)) from None
        self._rules, self._preset = rules, preset
        if self._member is not None and self._member.tier not in rules.tiers.ids():
            self._member = replace(self._member, tier=rules.tiers.lowest.id)
        self._redeem_points = 0

    def set_member(
        self,
        tier: str | None,
        *,
        points: int = 0,
        growth: int = 0,
        birthday: dt.date | None = None,
    ) -> None:
        """``tier`` None means a non-member sale."""
        if tier is None:
            self._member = None
            self._redeem_points = 0
            return
        if tier not in self._rules.tiers.ids():
            raise DeskError(f"unknown tier {tier!r} for {self._rules.name}")
        if points < 0 or growth < 0:
            raise DeskError("points and growth cannot be negative")
        self._member = MemberSnapshot(TierId(tier), points, growth, birthday)

    def set_time(self, at: dt.datetime | None) -> None:
        """Price as of ``at`` instead of now; None returns to the clock."""
        if at is not None and at.tzinfo is None:
            raise DeskError("the sale time needs a time zone")
        self._at = at.astimezone(self._zone) if at is not None else None

    def add_line(
        self, sku: str, qty: int, unit_price: str, *, special: bool = False, category: str = ""
    ) -> None:
        sku = sku.strip()
        if not sku:
            raise DeskError("type a SKU or product name first")
        if qty <= 0:
            raise DeskError("quantity must be at least 1")
        try:
            price = parse_yuan(unit_price, what="price")
        except MoneyError as exc:
            raise DeskError(str(exc)) from None
        self._lines.append(
            BasketLine(
                sku=Sku(sku),
                name=sku,
                qty=qty,
                unit_price=price,
                special_price=special,
                category=category.strip(),
            )
        )

    def remove_line(self, index: int) -> None:
        if not 0 <= index < len(self._lines):
            raise DeskError("no such line")
        del self._lines[index]

    def clear(self) -> None:
        self._lines.clear()
        self._redeem_points = 0
        self._gift_card = Fen(0)

    def set_redeem_points(self, points: int) -> None:
        if points and self._member is None:
            raise DeskError("only a member can pay with points")
        if points < 0:
            raise DeskError("points to redeem cannot be negative")
        self._redeem_points = points

    def set_gift_card(self, amount: str) -> None:
        try:
            self._gift_card = parse_yuan(amount or "0", what="gift card")
        except MoneyError as exc:
            raise DeskError(str(exc)) from None

    # ------------------------------------------------------------------ view
    def view(self) -> DeskView:
        at = self._at or self._clock.now().astimezone(self._zone)
        result: Quote | None = None
        problem = ""
        if self._lines:
            payments = (Payment("gift_card", self._gift_card),) if self._gift_card else ()
            basket = Basket(
                at=at,
                member=self._member,
                lines=tuple(self._lines),
                redeem_points=self._redeem_points,
                payments=payments,
            )
            try:
                result = quote(self._rules, basket)
            except (QuoteError, ValueError) as exc:
                problem = str(exc)
        return DeskView(
            preset=self._preset,
            scheme_name=self._rules.name,
            tiers=tuple((lvl.id, lvl.name) for lvl in self._rules.tiers.levels),
            member_tier=self._member.tier if self._member else None,
            lines=tuple(self._lines),
            quote=result,
            problem=problem,
            at=at,
        )

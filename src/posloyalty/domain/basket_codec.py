"""The public JSON contract of a quote: a parsed JSON basket in, a JSON-ready quote out.

Pure mapping between plain JSON values and the pricing dataclasses; no file or stdin access.
Every problem with the input raises :class:`BasketError` naming the field
(``lines[2].unit_price: '1.234' has more than two decimals``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from posloyalty.domain.ids import CouponCode, Sku, TierId
from posloyalty.domain.money import Fen, MoneyError, format_yuan, parse_yuan
from posloyalty.domain.monthday import MonthDay
from posloyalty.domain.pricing import (
    PAYMENT_METHODS,
    Basket,
    BasketLine,
    CouponInstance,
    MemberSnapshot,
    Payment,
    Quote,
    QuoteError,
)
from posloyalty.domain.rules import RuleSet


class BasketError(ValueError):
    """A JSON basket is malformed; the message starts with the offending field."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


_TOP_KEYS = {"at", "member", "lines", "coupons", "redeem_points", "payments"}
_MEMBER_KEYS = {"tier", "points", "growth", "birthday"}
_LINE_KEYS = {"sku", "name", "qty", "unit_price", "special_price", "category", "member_price"}
_COUPON_KEYS = {"code", "template", "valid_from", "valid_until"}
_PAYMENT_KEYS = {"method", "amount"}


def _obj(value: object, path: str, keys: set[str]) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise BasketError(path or "basket", f"must be an object, got {_show(value)}")
    for key in value:
        if key not in keys:
            raise BasketError(f"{path}.{key}" if path else str(key), "is not a known field")
    return value


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _field(obj: Mapping[str, object], path: str, key: str, default: object = ...) -> object:
    if key not in obj:
        if default is ...:
            raise BasketError(_join(path, key), "is required")
        return default
    return obj[key]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _str(value: object, path: str, *, non_empty: bool = False) -> str:
    if not isinstance(value, str):
        raise BasketError(path, f"must be a string, got {_show(value)}")
    if non_empty and not value.strip():
        raise BasketError(path, "must not be empty")
    return value


def _int(value: object, path: str, *, lo: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BasketError(path, f"must be a whole number, got {_show(value)}")
    if value < lo:
        raise BasketError(path, f"must be at least {lo}, got {value}")
    return value


def _bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise BasketError(path, f"must be true or false, got {_show(value)}")
    return value


def _money(value: object, path: str) -> Fen:
    try:
        return parse_yuan(value, what=path)
    except MoneyError as exc:
        raise BasketError(path, str(exc).removeprefix(f"{path}: ")) from None


def _date(value: object, path: str) -> dt.date | None:
    if value is None:
        return None
    text = _str(value, path)
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BasketError(path, f"{text!r} is not a date (YYYY-MM-DD)") from None


def _birthday(value: object, path: str) -> dt.date | MonthDay | None:
    if isinstance(value, str) and len(value) == 5:
        try:
            return MonthDay.parse(value)
        except ValueError:
            raise BasketError(path, f"{value!r} is not a month and day (MM-DD)") from None
    return _date(value, path)


def _list(value: object, path: str) -> list[object]:
    if not isinstance(value, list):
        raise BasketError(path, f"must be a list, got {_show(value)}")
    return value


def _at(value: object) -> dt.datetime:
    text = _str(value, "at")
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BasketError(
            "at", f"{text!r} is not an ISO 8601 date-time like 2026-11-25T14:30:00+08:00"
        ) from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise BasketError("at", f"{text!r} has no UTC offset (give the store-local time, +08:00)")
    return when


def _member(value: object, rules: RuleSet) -> MemberSnapshot | None:
    if value is None:
        return None
    obj = _obj(value, "member", _MEMBER_KEYS)
    tier = _str(_field(obj, "member", "tier"), "member.tier")
    ids = rules.tiers.ids()
    if tier not in ids:
        raise BasketError("member.tier", f"unknown tier {tier!r}; this scheme has {', '.join(ids)}")
    return MemberSnapshot(
        tier=TierId(tier),
        points=_int(_field(obj, "member", "points", 0), "member.points"),
        growth=_int(_field(obj, "member", "growth", 0), "member.growth"),
        birthday=_birthday(_field(obj, "member", "birthday", None), "member.birthday"),
    )


def _line(value: object, path: str) -> BasketLine:
    obj = _obj(value, path, _LINE_KEYS)
    member_price = _field(obj, path, "member_price", None)
    return BasketLine(
        sku=Sku(_str(_field(obj, path, "sku"), f"{path}.sku", non_empty=True)),
        name=_str(_field(obj, path, "name", ""), f"{path}.name"),
        qty=_int(_field(obj, path, "qty"), f"{path}.qty", lo=1),
        unit_price=_money(_field(obj, path, "unit_price"), f"{path}.unit_price"),
        special_price=_bool(_field(obj, path, "special_price", False), f"{path}.special_price"),
        category=_str(_field(obj, path, "category", ""), f"{path}.category"),
        member_price=None if member_price is None else _money(member_price, f"{path}.member_price"),
    )


def _coupon(value: object, path: str, rules: RuleSet) -> CouponInstance:
    if isinstance(value, str):
        template_id, code, start, end, tpath = value, value, None, None, path
    else:
        obj = _obj(value, path, _COUPON_KEYS)
        tpath = f"{path}.template"
        template_id = _str(_field(obj, path, "template"), tpath)
        code = _str(_field(obj, path, "code", template_id), f"{path}.code", non_empty=True)
        start = _date(_field(obj, path, "valid_from", None), f"{path}.valid_from")
        end = _date(_field(obj, path, "valid_until", None), f"{path}.valid_until")
    if template_id not in rules.coupons:
        known = ", ".join(sorted(rules.coupons)) or "none"
        raise BasketError(tpath, f"unknown coupon template {template_id!r}; known: {known}")
    return CouponInstance(CouponCode(code), rules.coupon(template_id), start, end)


def _payment(value: object, path: str) -> Payment:
    obj = _obj(value, path, _PAYMENT_KEYS)
    method = _str(_field(obj, path, "method"), f"{path}.method")
    if method not in PAYMENT_METHODS:
        raise BasketError(
            f"{path}.method", f"{method!r} is not one of {', '.join(PAYMENT_METHODS)}"
        )
    amount = _money(_field(obj, path, "amount"), f"{path}.amount")
    return Payment(method, amount)


def basket_from_json(obj: object, rules: RuleSet) -> Basket:
    """Build a :class:`Basket` from a parsed JSON document, validating every field."""
    root = _obj(obj, "", _TOP_KEYS)
    at = _at(_field(root, "", "at"))
    member = _member(_field(root, "", "member", None), rules)
    raw_lines = _list(_field(root, "", "lines"), "lines")
    if not raw_lines:
        raise BasketError("lines", "must list at least one item")
    lines = tuple(_line(v, f"lines[{i}]") for i, v in enumerate(raw_lines))
    coupons = tuple(
        _coupon(v, f"coupons[{i}]", rules)
        for i, v in enumerate(_list(_field(root, "", "coupons", []), "coupons"))
    )
    redeem = _int(_field(root, "", "redeem_points", 0), "redeem_points")
    if redeem and member is None:
        raise BasketError("redeem_points", "only members can pay with points")
    if member is not None and redeem > member.points:
        raise BasketError(
            "redeem_points", f"cannot redeem {redeem} points: the member has {member.points}"
        )
    payments = tuple(
        _payment(v, f"payments[{i}]")
        for i, v in enumerate(_list(_field(root, "", "payments", []), "payments"))
    )
    try:
        return Basket(at, member, lines, coupons, redeem, payments)
    except QuoteError as exc:  # pragma: no cover - every field is checked above
        raise BasketError("basket", str(exc)) from None


def basket_to_json(b: Basket) -> dict[str, Any]:
    """The basket as the JSON :func:`basket_from_json` reads back to an equal basket (a till
    sends it with a sale so HQ can price the sale again)."""
    y = format_yuan
    out: dict[str, Any] = {
        "at": b.at.isoformat(),
        "lines": [
            {
                "sku": ln.sku,
                "name": ln.name,
                "qty": ln.qty,
                "unit_price": y(ln.unit_price),
                "special_price": ln.special_price,
                "category": ln.category,
                "member_price": None if ln.member_price is None else y(ln.member_price),
            }
            for ln in b.lines
        ],
    }
    if b.member is not None:
        m = b.member
        out["member"] = {
            "tier": m.tier,
            "points": m.points,
            "growth": m.growth,
            "birthday": None if m.birthday is None else m.birthday.isoformat(),
        }
    if b.coupons:
        out["coupons"] = [
            {
                "code": c.code,
                "template": c.template.id,
                "valid_from": None if c.valid_from is None else c.valid_from.isoformat(),
                "valid_until": None if c.valid_until is None else c.valid_until.isoformat(),
            }
            for c in b.coupons
        ]
    if b.redeem_points:
        out["redeem_points"] = b.redeem_points
    if b.payments:
        out["payments"] = [{"method": p.method, "amount": y(p.amount)} for p in b.payments]
    return out


def quote_to_json(q: Quote) -> dict[str, Any]:
    """The quote as plain JSON values; money as yuan strings with two decimals."""
    y = format_yuan
    return {
        "subtotal": y(q.subtotal),
        "discounts": [{"kind": d.kind, "rule": d.rule, "amount": y(d.amount)} for d in q.discounts],
        "total": y(q.total),
        "points_earned": q.points_earned,
        "growth_earned": q.growth_earned,
        "points_redeemed": q.points_redeemed,
        "points_value": y(q.points_value),
        "member_day": q.member_day,
        "birthday": q.birthday,
        "lines": [
            {
                "sku": ln.sku,
                "name": ln.name,
                "qty": ln.qty,
                "unit_price": y(ln.unit_price),
                "gross": y(ln.gross),
                "discounts": {kind: y(amount) for kind, amount in ln.discounts.items()},
                "net": y(ln.net),
                "points_value": y(ln.points_value),
                "gift_card": y(ln.gift_card),
                "points": ln.points,
                "growth": ln.growth,
            }
            for ln in q.lines
        ],
        "payments": [{"method": p.method, "amount": y(p.amount)} for p in q.payments],
        "rejected_coupons": [{"code": r.code, "reason": r.reason} for r in q.rejected_coupons],
    }

"""The JSON contract of a quote: what a basket may say, and every way it can be wrong."""

import copy
import datetime as dt
from typing import Any

import pytest

from posloyalty.domain.basket_codec import BasketError, basket_from_json, quote_to_json
from posloyalty.domain.pricing import quote
from posloyalty.resources import load_preset

MINISO = load_preset("miniso")
VANCL = load_preset("vancl")

BASKET: dict[str, Any] = {
    "at": "2026-11-25T14:30:00+08:00",
    "member": {"tier": "gold", "points": 5000, "growth": 7000, "birthday": "1990-11-25"},
    "lines": [
        {
            "sku": "A1",
            "name": "杯子",
            "qty": 2,
            "unit_price": "30.00",
            "special_price": False,
            "category": "home",
        },
        {
            "sku": "F1",
            "name": "薯片",
            "qty": 5,
            "unit_price": "4.50",
            "special_price": False,
            "category": "food",
        },
        {
            "sku": "S1",
            "name": "特价袜",
            "qty": 1,
            "unit_price": "9.90",
            "special_price": True,
            "category": "home",
        },
    ],
    "coupons": ["birthday_8"],
    "redeem_points": 1000,
    "payments": [{"method": "gift_card", "amount": "20.00"}],
}


def doc(**changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(BASKET)
    out.update(changes)
    return out


def test_round_trip_of_the_contract() -> None:
    b = basket_from_json(doc(), MINISO)
    assert b.at == dt.datetime(2026, 11, 25, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert b.member is not None and b.member.birthday == dt.date(1990, 11, 25)
    assert [ln.unit_price for ln in b.lines] == [3000, 450, 990]
    assert b.coupons[0].code == "birthday_8" and b.coupons[0].template.amount == 800
    out = quote_to_json(quote(MINISO, b))
    assert set(out) == {
        "subtotal", "discounts", "total", "points_earned", "growth_earned", "points_redeemed",
        "points_value", "member_day", "birthday", "lines", "payments", "rejected_coupons",
    }  # fmt: skip
    assert out["subtotal"] == "92.40"
    assert out["discounts"] == [
        {"kind": "member_day", "rule": "wednesday", "amount": "10.00"},
        {"kind": "coupon", "rule": "birthday_8", "amount": "8.00"},
        {"kind": "points", "rule": "points", "amount": "10.00"},
    ]
    assert out["total"] == "64.40"
    assert out["member_day"] == "wednesday" and out["birthday"] is True
    assert out["points_redeemed"] == 1000 and out["points_value"] == "10.00"
    # 64.40 paid: 64 points x2 birthday = 128 (floor of 128.8); growth 10 per yuan.
    assert out["points_earned"] == 128 and out["growth_earned"] == 644
    first = out["lines"][0]
    assert set(first) >= {
        "sku",
        "name",
        "qty",
        "unit_price",
        "gross",
        "discounts",
        "net",
        "points",
        "growth",
    }
    assert first["name"] == "杯子" and first["gross"] == "60.00"
    assert set(first["discounts"]) == {"member_day", "coupon", "points"}
    assert out["payments"] == [
        {"method": "gift_card", "amount": "20.00"},
        {"method": "cash", "amount": "44.40"},
    ]
    assert out["rejected_coupons"] == []


def test_minimal_basket_and_coupon_objects() -> None:
    b = basket_from_json(
        {
            "at": "2026-11-24T09:00:00Z",
            "member": None,
            "lines": [{"sku": "X", "name": "x", "qty": 1, "unit_price": "99"}],
            "coupons": [
                {"code": "C-1", "template": "spend_99_minus_20", "valid_until": "2026-11-23"}
            ],
        },
        MINISO,
    )
    out = quote_to_json(quote(MINISO, b))
    assert out["total"] == "99.00"
    assert out["rejected_coupons"] == [{"code": "C-1", "reason": "expired on 2026-11-23"}]
    assert out["member_day"] is None and out["points_earned"] == 0


def test_member_price_field() -> None:
    lines = [{"sku": "M", "name": "m", "qty": 1, "unit_price": "120.00", "member_price": "100.00"}]
    b = basket_from_json(
        doc(
            lines=lines,
            member={"tier": "svip", "points": 0, "growth": 0},
            coupons=[],
            redeem_points=0,
            payments=[],
        ),
        VANCL,
    )
    out = quote_to_json(quote(VANCL, b))
    assert out["total"] == "100.00" and out["points_earned"] == 400


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("not an object", {"__root__": [1, 2]}, "basket: must be an object"),
    ("unknown field", {"discount": "5"}, "discount: is not a known field"),
    ("qty 0", {"lines[1].qty": 0}, "lines[1].qty: must be at least 1, got 0"),
    ("qty string", {"lines[0].qty": "2"}, "lines[0].qty: must be a whole number"),
    ("qty bool", {"lines[0].qty": True}, "lines[0].qty: must be a whole number"),
    (
        "three decimals",
        {"lines[2].unit_price": "1.234"},
        "lines[2].unit_price: '1.234' has more than two decimals",
    ),
    ("float money", {"lines[0].unit_price": 12.3}, "lines[0].unit_price: 12.3 is a float"),
    (
        "negative money",
        {"lines[0].unit_price": "-1.00"},
        "lines[0].unit_price: '-1.00' is negative",
    ),
    (
        "bad member price",
        {"lines[0].member_price": "x"},
        "lines[0].member_price: 'x' is not a yuan amount",
    ),
    ("missing sku", {"lines[0].sku": ...}, "lines[0].sku: is required"),
    (
        "special not bool",
        {"lines[0].special_price": "yes"},
        "lines[0].special_price: must be true or false",
    ),
    ("no lines", {"lines": []}, "lines: must list at least one item"),
    ("lines not a list", {"lines": {}}, "lines: must be a list"),
    (
        "unknown tier",
        {"member.tier": "platinum"},
        "member.tier: unknown tier 'platinum'; this scheme has regular, silver, gold",
    ),
    ("negative points", {"member.points": -5}, "member.points: must be at least 0, got -5"),
    (
        "bad birthday",
        {"member.birthday": "1990-13-01"},
        "member.birthday: '1990-13-01' is not a date",
    ),
    ("unknown coupon", {"coupons": ["nope"]}, "coupons[0]: unknown coupon template 'nope'"),
    (
        "unknown coupon object",
        {"coupons": [{"code": "a", "template": "nope"}]},
        "coupons[0].template: unknown coupon template",
    ),
    (
        "bad coupon date",
        {"coupons": [{"code": "a", "template": "birthday_8", "valid_from": "soon"}]},
        "coupons[0].valid_from: 'soon' is not a date",
    ),
    (
        "redeem more than held",
        {"redeem_points": 5001},
        "redeem_points: cannot redeem 5001 points: the member has 5000",
    ),
    ("negative redeem", {"redeem_points": -1}, "redeem_points: must be at least 0"),
    ("redeem as non-member", {"member": None}, "redeem_points: only members can pay with points"),
    (
        "unreadable at",
        {"at": "next Wednesday"},
        "at: 'next Wednesday' is not an ISO 8601 date-time",
    ),
    ("naive at", {"at": "2026-11-25T14:30:00"}, "at: '2026-11-25T14:30:00' has no UTC offset"),
    ("at missing", {"at": ...}, "at: is required"),
    (
        "bad payment method",
        {"payments": [{"method": "cheque", "amount": "1.00"}]},
        "payments[0].method: 'cheque' is not one of cash, card, gift_card, wechat, alipay",
    ),
    (
        "float payment",
        {"payments": [{"method": "card", "amount": 1.5}]},
        "payments[0].amount: 1.5 is a float",
    ),
]


def _apply(change: dict[str, Any]) -> object:
    if "__root__" in change:
        return change["__root__"]
    out = doc()
    for key, value in change.items():
        target: Any = out
        parts = key.replace("[", ".").replace("]", "").split(".")
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        if value is ...:
            del target[last]
        else:
            target[last] = value
    return out


@pytest.mark.parametrize(
    ("change", "message"), [(c, m) for _, c, m in BAD], ids=[i for i, _, _ in BAD]
)
def test_bad_input_names_the_field(change: dict[str, Any], message: str) -> None:
    with pytest.raises(BasketError) as info:
        basket_from_json(_apply(change), MINISO)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)

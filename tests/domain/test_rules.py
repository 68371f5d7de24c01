"""Rule documents: the presets load, and a wrong document names the key and the problem."""

import tomllib
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from posloyalty.domain.rules import RuleError, parse_rules, parse_rules_text
from posloyalty.resources import load_preset, load_rules_file, preset_names, resources_dir

PRESETS = resources_dir() / "rules"


def _doc(name: str = "vancl") -> dict[str, Any]:
    return tomllib.loads((PRESETS / f"{name}.toml").read_text(encoding="utf-8"))


def test_both_presets_ship_and_load() -> None:
    assert {"miniso", "vancl"} <= set(preset_names())
    for name in ("miniso", "vancl"):
        assert load_preset(name).id == name


def test_miniso_preset_encodes_the_source() -> None:
    rules = load_preset("miniso")
    assert rules.tiers.family == "growth"
    assert [(t.id, t.min_growth) for t in rules.tiers.levels] == [
        ("regular", 0),
        ("silver", 3000),
        ("gold", 6000),
    ]
    assert rules.growth.per_yuan == 10
    (wednesday,) = rules.member_days
    assert wednesday.schedule.weekdays == frozenset({2})
    assert wednesday.min_spend == 6800
    assert dict(wednesday.amounts) == {"gold": 1000, "silver": 800, "regular": 600}
    assert rules.points.birthday_multiplier == 2
    assert rules.coupons["birthday_8"].amount == 800
    assert rules.coupons["food_100_minus_15"].min_category_qty == 5
    assert rules.coupons["next_purchase_12"].percent_off == 12
    assert rules.welcome.gift == "购物袋"


def test_vancl_preset_encodes_the_source() -> None:
    rules = load_preset("vancl")
    tiers = rules.tiers
    assert tiers.family == "spend" and tiers.reset_on_change
    assert tiers.level("vip").price_rate == Fraction(98, 100)
    assert tiers.level("svip").price_rate == Fraction(95, 100)
    assert tiers.level("vip").points_multiplier == Fraction(3, 2)
    assert tiers.level("svip").points_multiplier == 2
    assert [(u.to, u.from_tiers, u.condition.min_spend) for u in tiers.upgrades] == [
        ("vip", ("regular",), 200_000),
        ("svip", ("vip",), 250_000),
    ]
    for tier in ("vip", "svip"):
        level = tiers.level(tier)
        assert level.validity_months == 12
        assert [(r.to, r.condition.min_spend) for r in level.review] == [
            ("svip", 250_000),
            ("vip", 100_000),
        ]
    pts = rules.points
    assert (pts.regular_rate, pts.special_rate, pts.gift_card_rate) == (
        Fraction(2),
        Fraction(1, 2),
        Fraction(1),
    )
    assert pts.points_value(100) == 200
    assert pts.pending_days == 30
    assert (pts.expiry.kind, pts.expiry.months) == ("rolling", 12)
    assert not pts.full_return_renews_validity and pts.partial_return_renews_validity
    assert rules.tier_discount_skips_special


def _set(doc: dict[str, Any], path: list[str | int], value: Any) -> dict[str, Any]:
    node: Any = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value", "where", "problem"),
    [
        (["schema"], 99, "schema", "newer than this program"),
        (["format"], "other", "format", "must be 'posloyalty.rules'"),
        (["tiers", "family"], "karma", "tiers.family", "must be one of"),
        (
            ["tiers", "levels", 1, "price_percent"],
            "101",
            "tiers.levels[1].price_percent",
            "at most 100",
        ),
        (
            ["tiers", "levels", 1, "points_multiplier"],
            1.5,
            "tiers.levels[1].points_multiplier",
            "decimal string",
        ),
        (
            ["tiers", "upgrades", 0, "min_spend"],
            "2000.001",
            "tiers.upgrades[0].min_spend",
            "more than two decimals",
        ),
        (["tiers", "upgrades", 0, "to"], "gold", "tiers.upgrades[0].to", "unknown tier"),
        (["points", "earn", "regular"], "two", "points.earn.regular", "not a decimal"),
        (["points", "value", "yuan"], 2.0, "points.value.yuan", "float"),
        (["points", "expiry", "policy"], "sometimes", "points.expiry.policy", "must be one of"),
        (["points", "pending_days"], -1, "points.pending_days", "between 0 and 365"),
        (["points", "earn", "regulr"], "2", "points.earn.regulr", "not a known key"),
    ],
)
def test_a_wrong_document_names_the_key_and_the_problem(
    path: list[str | int], value: Any, where: str, problem: str
) -> None:
    doc = _set(_doc("vancl"), path, value)
    with pytest.raises(RuleError, match=problem) as info:
        parse_rules(doc)
    assert info.value.path == where


def test_missing_sections_are_named() -> None:
    doc = _doc("miniso")
    del doc["points"]
    with pytest.raises(RuleError, match="is required") as info:
        parse_rules(doc)
    assert info.value.path == "points"


def test_growth_thresholds_must_rise() -> None:
    doc = _set(_doc("miniso"), ["tiers", "levels", 2, "min_growth"], 3000)
    with pytest.raises(RuleError, match="higher than the tier before") as info:
        parse_rules(doc)
    assert info.value.path == "tiers.levels[2].min_growth"


def test_member_day_amounts_name_known_tiers_only() -> None:
    doc = _doc("miniso")
    doc["member_days"][0]["amounts"]["platinum"] = "20.00"
    with pytest.raises(RuleError, match="unknown tier 'platinum'"):
        parse_rules(doc)


def test_invalid_rrule_is_refused() -> None:
    doc = _doc("miniso")
    doc["member_days"][0]["schedule"] = {"rrule": "FREQ=SOMETIMES", "rrule_start": "2026-01-01"}
    with pytest.raises(RuleError, match="RRULE") as info:
        parse_rules(doc)
    assert info.value.path == "member_days[0].schedule.rrule"


def test_not_toml_at_all() -> None:
    with pytest.raises(RuleError, match="not a valid TOML"):
        parse_rules_text("this is = = not toml")


def test_unreadable_file_is_a_rule_error(tmp_path: Path) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(RuleError, match="cannot read"):
        load_rules_file(bad)
    with pytest.raises(RuleError, match="no preset named 'costco'"):
        load_preset("costco")


def test_jd_fixed_settlement_and_monthly_member_day_are_expressible() -> None:
    doc = _doc("miniso")
    doc["points"]["expiry"] = {"policy": "fixed_date", "settlement_month": 12, "settlement_day": 31}
    doc["member_days"][0]["schedule"] = {"monthdays": [8, 18]}
    doc["tiers"] = {
        "family": "spend",
        "levels": [{"id": "v1", "name": "V1"}, {"id": "v2", "name": "V2"}],
        "upgrades": [{"to": "v2", "min_spend": "1000.00", "min_count": 5, "combine": "or"}],
    }
    doc["member_days"][0]["amounts"] = {"v2": "10.00"}
    rules = parse_rules(doc)
    assert rules.points.expiry.kind == "fixed_date"
    assert rules.member_days[0].schedule.monthdays == frozenset({8, 18})
    cond = rules.tiers.upgrades[0].condition
    assert cond.met(spend=0, count=5) and cond.met(spend=100_000, count=0)
    assert not cond.met(spend=99_999, count=4)

"""Lifecycle stages, dormancy buckets, RFM and birthdays."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from posloyalty.domain.lifecycle import (
    birthday_in_year,
    dormant_bucket,
    has_birthday_in_month,
    rfm,
    segment,
)
from posloyalty.domain.money import Fen
from posloyalty.domain.rules import LifecycleRules
from posloyalty.resources import load_preset

TZ = ZoneInfo("Asia/Shanghai")
RULES = load_preset("miniso").lifecycle
NOW = datetime(2024, 6, 1, 12, tzinfo=TZ)
REG = datetime(2023, 1, 1, 12, tzinfo=TZ)


def ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def test_registered_without_purchase_is_introduction() -> None:
    s = segment(RULES, registered_at=ago(3), purchases=[], at=NOW)
    assert (s.stage, s.days_since_registered, s.days_since_purchase) == ("introduction", 3, None)
    assert s.dormant_bucket is None
    # A purchase after the moment does not count yet.
    assert segment(RULES, registered_at=ago(3), purchases=[ago(-1)], at=NOW).stage == (
        "introduction"
    )


def test_growth_and_the_habit_coupon_window() -> None:
    s = segment(RULES, registered_at=REG, purchases=[ago(13)], at=NOW)
    assert (s.stage, s.in_growth_coupon_window) == ("growth", True)
    s = segment(RULES, registered_at=REG, purchases=[ago(14)], at=NOW)
    assert (s.stage, s.in_growth_coupon_window) == ("growth", False)
    s = segment(RULES, registered_at=REG, purchases=[ago(20), ago(2)], at=NOW)
    assert (s.stage, s.in_growth_coupon_window, s.purchases_total) == ("growth", False, 2)


def test_maturity_needs_repeat_purchases_in_the_last_year() -> None:
    s = segment(RULES, registered_at=REG, purchases=[ago(40), ago(20), ago(5)], at=NOW)
    assert (s.stage, s.purchases_last_year) == ("maturity", 3)
    s = segment(RULES, registered_at=REG, purchases=[ago(400), ago(380), ago(5)], at=NOW)
    assert (s.stage, s.purchases_last_year) == ("growth", 1)


def test_pre_churn_four_purchases_in_a_year_then_lapsing() -> None:
    four = [ago(200), ago(150), ago(100), ago(30)]
    s = segment(RULES, registered_at=REG, purchases=four, at=NOW)
    assert (s.stage, s.dormant_bucket) == ("pre_churn", "30-60")
    # 29 days: still mature.
    s = segment(RULES, registered_at=REG, purchases=[*four[:3], ago(29)], at=NOW)
    assert s.stage == "maturity"
    # Only three in the last year: lapsing but not pre-churn.
    s = segment(RULES, registered_at=REG, purchases=[ago(400), *four[1:]], at=NOW)
    assert s.stage == "maturity"


@pytest.mark.parametrize(
    ("days", "stage", "bucket"),
    [
        (29, "growth", None),
        (30, "growth", "30-60"),
        (59, "growth", "30-60"),
        (60, "dormant", "60-90"),
        (89, "dormant", "60-90"),
        (90, "dormant", "90+"),
        (400, "dormant", "90+"),
    ],
)
def test_dormant_after_60_days_with_buckets(days: int, stage: str, bucket: str | None) -> None:
    s = segment(RULES, registered_at=REG, purchases=[ago(days)], at=NOW)
    assert (s.stage, s.days_since_purchase, s.dormant_bucket) == (stage, days, bucket)


def test_dormancy_threshold_is_configurable() -> None:
    six_months = replace(RULES, dormant_after_days=180)
    assert segment(six_months, registered_at=REG, purchases=[ago(100)], at=NOW).stage == "growth"
    assert segment(six_months, registered_at=REG, purchases=[ago(180)], at=NOW).stage == "dormant"
    assert dormant_bucket(replace(RULES, dormant_segments=(60, 180)), 200) == "180+"
    assert dormant_bucket(replace(RULES, dormant_segments=(60, 180)), 61) == "60-180"


def test_rfm_scores_from_the_boundaries() -> None:
    rules = LifecycleRules()  # recency (180, 90, 60, 30); counts (2, 3, 5, 8); 200/500/1000/3000
    best = [(ago(d), Fen(50_000)) for d in range(0, 8)]
    r = rfm(rules, best, NOW)
    assert (r.recency, r.frequency, r.monetary) == (5, 5, 5)
    assert (r.days_since, r.count, r.spend) == (0, 8, 400_000)
    r = rfm(rules, [(ago(181), Fen(19_999))], NOW)
    assert (r.recency, r.frequency, r.monetary) == (1, 1, 1)
    r = rfm(rules, [(ago(180), Fen(20_000)), (ago(90), Fen(0))], NOW)
    assert (r.recency, r.frequency, r.monetary, r.count) == (2, 1, 2, 1)
    r = rfm(rules, [(ago(31), Fen(10_000)), (ago(30), Fen(40_000))], NOW)
    assert (r.recency, r.frequency, r.monetary) == (5, 2, 3)


def test_rfm_without_purchases_and_with_returns() -> None:
    rules = LifecycleRules()
    r = rfm(rules, [], NOW)
    assert (r.recency, r.frequency, r.monetary, r.days_since) == (1, 1, 1, None)
    r = rfm(rules, [(ago(100), Fen(60_000)), (ago(1), Fen(-20_000))], NOW)
    assert (r.recency, r.count, r.spend, r.monetary) == (2, 1, 40_000, 2)


def test_birthdays_in_month() -> None:
    assert has_birthday_in_month(date(1990, 6, 15), 2024, 6)
    assert not has_birthday_in_month(date(1990, 7, 1), 2024, 6)
    leap = date(2000, 2, 29)
    assert has_birthday_in_month(leap, 2023, 2)
    assert not has_birthday_in_month(leap, 2023, 3)
    assert birthday_in_year(leap, 2023) == date(2023, 2, 28)
    assert birthday_in_year(leap, 2024) == date(2024, 2, 29)


def test_pre_churn_as_source_003_defines_it() -> None:
    """003: "Para miembros pre-pérdida que han consumido cuatro o más boletos en el último año,
    y el último consumo fue dentro de 120 días" -- pre-churn, even past 001's dormancy line
    ("miembros que no tienen registros de consumo durante dos meses")."""
    six = [ago(d) for d in (330, 270, 210, 150)]
    for lapse in (90, 100, 110, 120):
        s = segment(RULES, registered_at=REG, purchases=[*six, ago(lapse + 40), ago(lapse)], at=NOW)
        assert (s.stage, s.purchases_last_year) == ("pre_churn", 6), lapse
    s = segment(RULES, registered_at=REG, purchases=[*six, ago(161), ago(121)], at=NOW)
    assert s.stage == "dormant"
    # Three purchases a year lapsing 90 days: dormant (not a frequent buyer).
    s = segment(RULES, registered_at=REG, purchases=[ago(300), ago(200), ago(90)], at=NOW)
    assert s.stage == "dormant"


def test_every_lifecycle_window_is_a_rule_with_the_sources_defaults() -> None:
    from posloyalty.domain.rules import RuleError, parse_rules_text
    from posloyalty.resources import preset_text

    default = LifecycleRules()
    assert (default.dormant_after_days, default.pre_churn_within_days) == (60, 120)
    assert (default.greeting_days, default.slice_days, default.growth_coupon_days) == (60, 180, 14)
    text = preset_text("miniso")
    # The old validator forbade pre_churn_after_days >= dormant_after_days: 003 needs it.
    doc = text.replace(
        "dormant_after_days = 60",
        "dormant_after_days = 60\npre_churn_after_days = 90\n"
        "greeting_after_days = 180\nslice_days = 90",
    )
    rules = parse_rules_text(doc).lifecycle
    assert (rules.pre_churn_after_days, rules.greeting_days, rules.slice_days) == (90, 180, 90)
    bad = text.replace("dormant_after_days = 60", "pre_churn_after_days = 130")
    with pytest.raises(RuleError) as err:
        parse_rules_text(bad)
    assert err.value.path == "lifecycle.pre_churn_after_days"
    with pytest.raises(RuleError) as err:
        parse_rules_text(text.replace("dormant_after_days = 60", "slice_days = 0"))
    assert err.value.path == "lifecycle.slice_days"

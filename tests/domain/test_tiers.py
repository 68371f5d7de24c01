"""Tiers: MINISO growth value, Vancl spend with validity and review, JD amount/count, Taobao window."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from posloyalty.domain.ids import TierId
from posloyalty.domain.money import Fen
from posloyalty.domain.rules import TierRules, parse_rules_text
from posloyalty.domain.tiers import Purchase, TierChange, growth_for, tier_status
from posloyalty.resources import load_preset

TZ = ZoneInfo("Asia/Shanghai")
VANCL_PRESET = load_preset("vancl").tiers
#: The tier mechanics on their own, credit at once (the credit window has its own tests in
#: test_tier_credit.py).
VANCL = replace(VANCL_PRESET, credit_after_days=0)
MINISO = load_preset("miniso")


def t(y: int, m: int, d: int, h: int = 12) -> datetime:
    return datetime(y, m, d, h, tzinfo=TZ)


def buy(at: datetime, yuan: int | float, count: int = 1) -> Purchase:
    fen = round(yuan * 100)
    return Purchase(at, Fen(fen), growth_for(fen, Fraction(1)), count)


def rules_doc(tiers: str) -> TierRules:
    text = f"""
format = "posloyalty.rules"
schema = 1
id = "test"
name = "test"
[growth]
per_yuan = 1
[points]
[points.earn]
regular = "1"
special = "1"
gift_card = "1"
[points.value]
points = 100
yuan = "1.00"
{tiers}
"""
    return parse_rules_text(text).tiers


# --------------------------------------------------------------------------- MINISO growth value


@pytest.mark.parametrize(
    ("growth", "tier", "nxt", "needed"),
    [
        (0, "regular", "silver", 3000),
        (2999, "regular", "silver", 1),
        (3000, "silver", "gold", 3000),
        (5999, "silver", "gold", 1),
        (6000, "gold", None, 0),
        (60000, "gold", None, 0),
    ],
)
def test_miniso_growth_boundaries(growth: int, tier: str, nxt: str | None, needed: int) -> None:
    status = tier_status(MINISO.tiers, [Purchase(t(2024, 1, 1), Fen(0), growth)], t(2024, 2, 1))
    assert (status.tier, status.next_tier, status.needed_growth) == (tier, nxt, needed)
    assert status.valid_until is None


def test_miniso_ten_growth_per_yuan_and_spend_still_needed() -> None:
    per_yuan = MINISO.growth.per_yuan
    assert per_yuan == 10
    assert growth_for(Fen(29_999), per_yuan) == 2999  # 299.99 yuan
    assert growth_for(Fen(30_000), per_yuan) == 3000
    assert growth_for(Fen(-30_000), per_yuan) == -3000
    history = [Purchase(t(2024, 1, 1), Fen(29_999), growth_for(Fen(29_999), per_yuan))]
    status = tier_status(MINISO.tiers, history, t(2024, 1, 2), growth_per_yuan=per_yuan)
    assert (status.tier, status.needed_growth, status.needed_spend) == ("regular", 1, 10)
    history.append(Purchase(t(2024, 1, 5), Fen(10), growth_for(Fen(10), per_yuan)))
    status = tier_status(MINISO.tiers, history, t(2024, 1, 6), growth_per_yuan=per_yuan)
    assert (status.tier, status.since, status.growth) == ("silver", t(2024, 1, 5), 3000)
    assert status.needed_spend == 300_00


def test_miniso_a_return_lowers_growth_and_the_tier() -> None:
    per_yuan = MINISO.growth.per_yuan
    history = [
        Purchase(t(2024, 1, 1), Fen(60_000), growth_for(Fen(60_000), per_yuan)),
        Purchase(t(2024, 1, 3), Fen(-10_000), growth_for(Fen(-10_000), per_yuan), 0),
    ]
    assert tier_status(MINISO.tiers, history[:1], t(2024, 1, 2)).tier == "gold"
    status = tier_status(MINISO.tiers, history, t(2024, 1, 4))
    assert (status.tier, status.growth, status.basis_count) == ("silver", 5000, 1)


# --------------------------------------------------------------------------- Vancl


def test_vancl_vip_after_cumulative_2000_and_spend_resets() -> None:
    history = [buy(t(2024, 1, 1), 1500), buy(t(2024, 2, 1), 499.99)]
    status = tier_status(VANCL, history, t(2024, 2, 2))
    assert (status.tier, status.next_tier, status.needed_spend) == ("regular", "vip", 1)
    history.append(buy(t(2024, 3, 1), 0.01))
    status = tier_status(VANCL, history, t(2024, 3, 2))
    assert status.tier == "vip"
    assert (status.since, status.valid_until) == (t(2024, 3, 1), t(2025, 3, 1))
    assert (status.basis_spend, status.basis_count) == (0, 0)  # reset on change
    assert (status.next_tier, status.needed_spend) == ("svip", 2500_00)
    assert status.changes == (
        TierChange(t(2024, 3, 1), TierId("regular"), TierId("vip"), "upgrade"),
    )


def test_vancl_vip_reaching_2500_within_validity_becomes_svip() -> None:
    history = [buy(t(2024, 1, 1), 2000), buy(t(2024, 6, 1), 1500), buy(t(2024, 12, 31), 1000)]
    status = tier_status(VANCL, history, t(2025, 1, 1))
    assert (status.tier, status.since, status.valid_until) == (
        "svip",
        t(2024, 12, 31),
        t(2025, 12, 31),
    )
    assert status.basis_spend == 0
    assert status.next_tier is None


def test_vancl_vip_spend_after_validity_does_not_count_toward_svip() -> None:
    # 1,500 in the first VIP year keeps VIP; the new period starts from zero.
    history = [buy(t(2024, 1, 1), 2000), buy(t(2024, 6, 1), 1500), buy(t(2025, 2, 1), 1500)]
    status = tier_status(VANCL, history, t(2025, 2, 2))
    assert (status.tier, status.since, status.valid_until) == ("vip", t(2024, 1, 1), t(2026, 1, 1))
    assert (status.basis_spend, status.needed_spend) == (1500_00, 1000_00)


@pytest.mark.parametrize(
    ("spent", "after"),
    [(0, "regular"), (999.99, "regular"), (1000, "vip"), (2499.99, "vip")],
)
def test_vancl_vip_review(spent: float, after: str) -> None:
    history = [buy(t(2024, 1, 1), 2000)]
    if spent:
        history.append(buy(t(2024, 7, 1), spent))
    assert tier_status(VANCL, history, t(2024, 12, 31)).tier == "vip"
    status = tier_status(VANCL, history, t(2025, 1, 1))
    assert status.tier == after
    assert status.basis_spend == 0  # the new period (or the lower tier) starts from zero
    if after == "vip":
        assert (status.since, status.valid_until) == (t(2024, 1, 1), t(2026, 1, 1))
    else:
        assert (status.since, status.valid_until) == (t(2025, 1, 1), None)
        assert status.changes[-1] == TierChange(
            t(2025, 1, 1), TierId("vip"), TierId("regular"), "review"
        )


def test_vancl_vip_review_at_2500_upgrades_when_no_immediate_upgrade_applies() -> None:
    review_only = replace(VANCL, upgrades=VANCL.upgrades[:1])  # only regular -> vip
    history = [buy(t(2024, 1, 1), 2000), buy(t(2024, 7, 1), 2500)]
    assert tier_status(review_only, history, t(2024, 12, 1)).tier == "vip"
    status = tier_status(review_only, history, t(2025, 1, 1))
    assert (status.tier, status.since, status.valid_until) == ("svip", t(2025, 1, 1), t(2026, 1, 1))


@pytest.mark.parametrize(
    ("spent", "after"),
    [(0, "regular"), (999.99, "regular"), (1000, "vip"), (2499.99, "vip"), (2500, "svip")],
)
def test_vancl_svip_review(spent: float, after: str) -> None:
    history = [buy(t(2024, 1, 1), 2000), buy(t(2024, 2, 1), 2500)]  # SVIP since 2024-02-01
    if spent:
        history.append(buy(t(2024, 8, 1), spent))
    assert tier_status(VANCL, history, t(2025, 1, 31)).tier == "svip"
    status = tier_status(VANCL, history, t(2025, 2, 1))
    assert status.tier == after
    assert status.basis_spend == 0
    if after == "svip":
        assert (status.since, status.valid_until) == (t(2024, 2, 1), t(2026, 2, 1))
    elif after == "vip":
        assert (status.since, status.valid_until) == (t(2025, 2, 1), t(2026, 2, 1))


def test_vancl_idle_svip_falls_to_regular_and_stays() -> None:
    history = [buy(t(2024, 1, 1), 4500)]  # VIP at 2,000 (reset), the rest is in the same sale
    status = tier_status(VANCL, history, t(2024, 1, 2))
    assert status.tier == "vip"  # the reset means the sale's remainder does not count twice
    history = [buy(t(2024, 1, 1), 2000), buy(t(2024, 1, 2), 2500)]
    status = tier_status(VANCL, history, t(2027, 1, 1))
    assert (status.tier, status.since) == ("regular", t(2025, 1, 2))
    assert [c.cause for c in status.changes] == ["upgrade", "upgrade", "review"]


def test_vancl_purchase_on_the_review_date_counts_in_the_new_period() -> None:
    history = [buy(t(2024, 1, 1), 2000), buy(t(2025, 1, 1), 800)]
    status = tier_status(VANCL, history, t(2025, 1, 2))
    assert (status.tier, status.basis_spend) == ("regular", 800_00)
    assert status.needed_spend == 1200_00


def test_without_reset_the_spend_carries_into_the_new_tier() -> None:
    carry = replace(VANCL, reset_on_change=False)
    history = [buy(t(2024, 1, 1), 2000), buy(t(2024, 2, 1), 500)]
    status = tier_status(carry, history, t(2024, 2, 2))
    assert (status.tier, status.basis_spend) == ("svip", 2500_00)


def test_purchases_after_the_moment_are_ignored() -> None:
    status = tier_status(VANCL, [buy(t(2024, 5, 1), 3000)], t(2024, 4, 30))
    assert (status.tier, status.basis_spend, status.changes) == ("regular", 0, ())


# --------------------------------------------------------------------------- JD amount/count

JD = rules_doc("""
[tiers]
family = "spend"
reset_on_change = false

[[tiers.levels]]
id = "regular"
name = "普通"

[[tiers.levels]]
id = "gold"
name = "金牌"

[[tiers.levels]]
id = "diamond"
name = "钻石"

[[tiers.upgrades]]
to = "gold"
min_spend = "1000.00"
min_count = 5
combine = "or"

[[tiers.upgrades]]
to = "diamond"
min_spend = "3000.00"
min_count = 10
combine = "and"
""")


def test_jd_amount_or_count() -> None:
    by_count = [buy(t(2024, 1, d), 10) for d in range(1, 6)]
    assert tier_status(JD, by_count[:4], t(2024, 2, 1)).tier == "regular"
    status = tier_status(JD, by_count[:4], t(2024, 2, 1))
    assert (status.next_tier, status.needed_spend, status.needed_count) == ("gold", 960_00, 1)
    assert tier_status(JD, by_count, t(2024, 2, 1)).tier == "gold"
    assert tier_status(JD, [buy(t(2024, 1, 1), 1000)], t(2024, 2, 1)).tier == "gold"


def test_jd_amount_and_count() -> None:
    nine = [buy(t(2024, 1, d), 400) for d in range(1, 10)]  # 3,600 in 9 transactions
    status = tier_status(JD, nine, t(2024, 2, 1))
    assert (status.tier, status.next_tier) == ("gold", "diamond")
    assert (status.needed_spend, status.needed_count) == (0, 1)
    status = tier_status(JD, [*nine, buy(t(2024, 1, 20), 1)], t(2024, 2, 1))
    assert (status.tier, status.next_tier, status.valid_until) == ("diamond", None, None)
    many_small = [buy(t(2024, 1, d), 100) for d in range(1, 21)]  # 20 transactions, 2,000
    assert tier_status(JD, many_small, t(2024, 2, 1)).tier == "gold"


def test_a_full_return_undoes_the_transaction_count() -> None:
    history = [buy(t(2024, 1, d), 10) for d in range(1, 5)]
    history += [buy(t(2024, 1, 5), 10), Purchase(t(2024, 1, 5, 13), Fen(-1000), -10, -1)]
    status = tier_status(JD, [*history[:4], history[5]], t(2024, 2, 1))
    assert (status.basis_count, status.basis_spend) == (3, 30_00)


# --------------------------------------------------------------------------- Taobao rolling quarter

TAOBAO = rules_doc("""
[tiers]
family = "spend"
basis = "rolling"
rolling_months = 3

[[tiers.levels]]
id = "regular"
name = "普通"

[[tiers.levels]]
id = "vip"
name = "VIP"

[[tiers.levels]]
id = "svip"
name = "SVIP"

[[tiers.upgrades]]
to = "vip"
min_spend = "800.00"

[[tiers.upgrades]]
to = "svip"
min_spend = "1500.00"
""")


def test_taobao_quarter_window() -> None:
    history = [buy(t(2024, 1, 10), 500), buy(t(2024, 3, 1), 300)]
    status = tier_status(TAOBAO, history, t(2024, 3, 2))
    assert (status.tier, status.since, status.basis_spend) == ("vip", t(2024, 3, 1), 800_00)
    assert status.valid_until == t(2024, 4, 10)  # the January purchase leaves the quarter
    assert (status.next_tier, status.needed_spend) == ("svip", 700_00)
    history.append(buy(t(2024, 4, 1), 700))
    status = tier_status(TAOBAO, history, t(2024, 4, 2))
    assert (status.tier, status.since) == ("svip", t(2024, 4, 1))
    # 2024-04-10: January's 500 leaves; 1,000 left in the quarter: down to VIP.
    assert status.valid_until == t(2024, 4, 10)
    status = tier_status(TAOBAO, history, t(2024, 4, 10))
    assert (status.tier, status.basis_spend) == ("vip", 1000_00)
    assert status.valid_until == t(2024, 6, 1)  # March's 300 leaves: 700 is under 800
    assert tier_status(TAOBAO, history, t(2024, 5, 31)).tier == "vip"
    assert tier_status(TAOBAO, history, t(2024, 6, 1)).tier == "regular"
    assert [c.to_tier for c in tier_status(TAOBAO, history, t(2024, 8, 1)).changes] == [
        "vip",
        "svip",
        "vip",
        "regular",
    ]


def test_taobao_spend_spread_over_more_than_a_quarter_does_not_qualify() -> None:
    history = [buy(t(2024, 1, 1), 700), buy(t(2024, 4, 1), 100)]
    status = tier_status(TAOBAO, history, t(2024, 4, 2))
    assert (status.tier, status.basis_spend, status.needed_spend) == ("regular", 100_00, 700_00)


def test_straight_to_the_top_in_one_purchase() -> None:
    status = tier_status(TAOBAO, [buy(t(2024, 1, 1), 2000)], t(2024, 1, 2))
    assert (status.tier, status.next_tier, status.needed_spend) == ("svip", None, 0)

"""Tier credit follows the sale becoming final, and the till's start from HQ's answer (issue 14)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from posloyalty.domain.ids import TierId
from posloyalty.domain.money import Fen
from posloyalty.domain.rules import RuleError, parse_rules_text
from posloyalty.domain.tiers import Purchase, TierStart, credited, growth_for, tier_status
from posloyalty.resources import load_preset, preset_text

TZ = ZoneInfo("Asia/Shanghai")
VANCL = load_preset("vancl").tiers
DAY0 = datetime(2024, 1, 10, 12, tzinfo=TZ)


def day(n: int, hours: int = 0) -> datetime:
    return DAY0 + timedelta(days=n, hours=hours)


def sale(ref: str, at: datetime, yuan: float) -> Purchase:
    fen = round(yuan * 100)
    return Purchase(at, Fen(fen), growth_for(fen, Fraction(1)), 1, ref=ref)


def ret(original: str, at: datetime, yuan: float, *, full: bool) -> Purchase:
    fen = -round(yuan * 100)
    return Purchase(
        at, Fen(fen), growth_for(fen, Fraction(1)), -1 if full else 0, original=original
    )


def test_vancl_preset_counts_tier_credit_30_days_after_the_sale() -> None:
    """002: 「所有积分、会员资格的获得以交易成功为标准,即发货后30天」 -- points AND membership
    status count only once the sale is final, 30 days later."""
    assert VANCL.credit_after_days == 30
    history = [sale("s1", day(0), 2100)]
    # The same day and the next: still regular; the 2,100.00 is pending credit.
    for at in (day(0, 1), day(1), day(29, 23)):
        s = tier_status(VANCL, history, at)
        assert (s.tier, s.pending_spend, s.pending_count) == ("regular", 210_000, 1)
        assert s.next_credit_at == day(30)
        assert s.needed_spend == 200_000  # nothing credited yet
    s = tier_status(VANCL, history, day(30))
    assert (s.tier, s.since, s.pending_spend, s.next_credit_at) == ("vip", day(30), 0, None)


def test_vancl_svip_qualifying_sale_on_day_80_shows_svip_on_day_110_not_100() -> None:
    """002: 「SVIP:VIP会员在有效期内累计购物过2500元」, counted once final (30 days)."""
    history = [sale("s1", day(0), 2100), sale("s2", day(80), 2600)]
    assert tier_status(VANCL, history, day(100)).tier == "vip"
    assert tier_status(VANCL, history, day(100)).pending_spend == 260_000
    assert tier_status(VANCL, history, day(110)).tier == "svip"


def test_buy_2100_and_return_it_all_inside_the_window_never_qualifies() -> None:
    """002: 「出现整单退货,则积分退回」 and status counts only 「以交易成功为标准」: the returned sale
    never became final, so it never counts, and the spend still needed is the full 2,000."""
    history = [sale("s1", day(0), 2100), ret("s1", day(5), 2100, full=True)]
    for at in (day(5), day(30), day(400)):
        s = tier_status(VANCL, history, at)
        assert (s.tier, s.pending_spend, s.pending_count, s.next_credit_at) == (
            "regular",
            0,
            0,
            None,
        )
        assert (s.basis_spend, s.needed_spend) == (0, 200_000)


def test_a_partial_return_inside_the_window_credits_the_rest() -> None:
    """002: 「出现换货或部分退货」: the part kept still becomes final 30 days after the sale."""
    history = [sale("s1", day(0), 2100), ret("s1", day(10), 200, full=False)]
    s = tier_status(VANCL, history, day(20))
    assert (s.tier, s.pending_spend, s.pending_count) == ("regular", 190_000, 1)
    s = tier_status(VANCL, history, day(30))
    assert (s.tier, s.basis_spend, s.needed_spend) == ("regular", 190_000, 10_000)


def test_a_return_after_the_window_counts_when_it_happens_and_the_tier_holds() -> None:
    history = [sale("s1", day(0), 2100), ret("s1", day(40), 2100, full=True)]
    s = tier_status(VANCL, history, day(41))
    assert s.tier == "vip"  # reached; held until its review
    assert s.basis_spend == -210_000


def test_credit_at_once_when_the_rules_say_so() -> None:
    rules = replace(VANCL, credit_after_days=0)
    s = tier_status(rules, [sale("s1", day(0), 2100)], day(0, 1))
    assert (s.tier, s.pending_spend) == ("vip", 0)


def test_growth_already_final_is_not_delayed() -> None:
    history = [Purchase(day(0), Fen(0), 5000, 0, final=True)]
    assert credited(history, 30, day(0)) == history


@settings(max_examples=60, deadline=None)
@given(
    amounts=st.lists(st.integers(1, 400_000), min_size=1, max_size=6),
    returned=st.integers(0, 5),
    return_after=st.integers(0, 29),
    looks=st.lists(st.integers(0, 500), min_size=1, max_size=4),
)
def test_a_sale_returned_in_full_inside_the_window_is_as_if_never_made(
    amounts: list[int], returned: int, return_after: int, looks: list[int]
) -> None:
    """Invariant: a full return inside the credit window leaves the tier, the basis, what is
    still needed and the pending credit exactly as without that sale."""
    sales = [
        Purchase(day(20 * i), Fen(a), growth_for(a, Fraction(1)), 1, ref=f"s{i}")
        for i, a in enumerate(amounts)
    ]
    victim = sales[returned % len(sales)]
    back = Purchase(
        victim.at + timedelta(days=return_after),
        Fen(-victim.spend),
        -victim.growth,
        -1,
        original=victim.ref,
    )
    without = [p for p in sales if p is not victim]
    for n in looks:
        at = day(n)
        a = tier_status(VANCL, [*sales, back], at)
        b = tier_status(VANCL, without, at)
        if back.at > at:
            continue  # not returned yet
        assert (a.tier, a.basis_spend, a.needed_spend, a.pending_spend, a.valid_until) == (
            b.tier,
            b.basis_spend,
            b.needed_spend,
            b.pending_spend,
            b.valid_until,
        )


# --------------------------------------------------------------------------- reviews from a start


def test_vip_under_1000_in_their_year_is_regular_after_the_review() -> None:
    """002: 「VIP:有效期1年,有效期内购物不足1000元,降为普通会员」."""
    history = [sale("s1", day(0), 2100), sale("s2", day(100), 500)]
    s = tier_status(VANCL, history, day(420))
    assert s.tier == "regular"
    assert s.changes[-1].cause == "review"


def test_svip_with_1140_in_their_year_is_vip_after_the_review() -> None:
    """002: 「SVIP:有效期1年,有效期内购物不足1000,降为普通,不足2500降为VIP」."""
    history = [sale("s1", day(0), 2100), sale("s2", day(50), 2600), sale("s3", day(200), 1140)]
    s = tier_status(VANCL, history, day(80))
    assert (s.tier, s.valid_until is not None) == ("svip", True)
    assert s.valid_until is not None
    s = tier_status(VANCL, history, s.valid_until + timedelta(days=1))
    assert s.tier == "vip"


def test_a_start_from_hq_is_reviewed_when_its_period_ends() -> None:
    """The till holds HQ's answer (VIP since day 0, 300.00 counted) and its own later sales;
    at the end of the validity period it reviews from what it holds."""
    start = TierStart(TierId("vip"), at=day(10), since=day(0), spend=Fen(30_000), count=1)
    later = [sale("s9", day(200), 500)]  # credited day 230: 800.00 in the period
    s = tier_status(VANCL, later, day(300), start=start)
    assert (s.tier, s.basis_spend, s.valid_until) == ("vip", 80_000, day(0) + _year())
    s = tier_status(VANCL, later, day(367), start=start)
    assert (s.tier, s.valid_until) == ("regular", None)
    # Enough in the year keeps it.
    more = [*later, sale("s10", day(250), 300)]
    assert tier_status(VANCL, more, day(367), start=start).tier == "vip"


def test_credit_before_the_start_is_not_counted_twice() -> None:
    start = TierStart(TierId("vip"), at=day(40), since=day(30), spend=Fen(0))
    history = [sale("s1", day(0), 2100), sale("s2", day(20), 400)]  # credited days 30 and 50
    s = tier_status(VANCL, history, day(60), start=start)
    assert (s.tier, s.basis_spend) == ("vip", 40_000)


def test_a_start_with_a_tier_the_rules_do_not_know_is_ignored() -> None:
    start = TierStart(TierId("gold"), at=day(1))
    assert tier_status(VANCL, [], day(2), start=start).tier == "regular"


def _year() -> timedelta:
    return day(366) - day(0)  # 2024 is a leap year: day 0 + 12 months = day 366


# --------------------------------------------------------------------------- the rule document


def test_credit_after_days_defaults_to_the_pending_period_and_can_differ() -> None:
    text = preset_text("vancl")
    assert parse_rules_text(text).tiers.credit_after_days == 30
    own = text.replace("\ncredit_after_days = 30\n", "\ncredit_after_days = 7\n", 1)
    assert parse_rules_text(own).tiers.credit_after_days == 7
    # A document without the key (older documents): the points' pending period.
    old = text.replace("\ncredit_after_days = 30\n", "\n", 1)
    assert parse_rules_text(old).tiers.credit_after_days == 30
    miniso = load_preset("miniso")
    assert miniso.tiers.credit_after_days == miniso.points.pending_days == 0


def test_credit_after_days_errors_name_the_key() -> None:
    text = preset_text("vancl").replace("\ncredit_after_days = 30\n", "\ncredit_after_days = -1\n")
    with pytest.raises(RuleError) as err:
        parse_rules_text(text)
    assert err.value.path == "tiers.credit_after_days"

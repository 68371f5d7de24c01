"""The refund tender rule: back the way the sale was paid, or a chosen tender of the sale up
to what it paid; a manager above the limit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from posloyalty.domain.refunds import (
    ORIGINAL,
    RefundRuleError,
    needs_manager,
    returned_share,
    split_refund,
    tenders_left,
)


def test_by_default_the_refund_follows_the_original_tenders() -> None:
    assert split_refund(1000, {"cash": 3000, "card": 1000}) == {"card": 250, "cash": 750}


def test_a_chosen_tender_takes_what_it_paid_and_the_rest_follows_the_others() -> None:
    left = {"cash": 3000, "card": 1000, "wechat": 2000}
    assert split_refund(1500, left, "cash") == {"cash": 1500}
    assert split_refund(1500, left, "card") == {"card": 1000, "cash": 300, "wechat": 200}


def test_cash_is_never_more_than_the_cash_part() -> None:
    # A card sale is not turned into cash at the till.
    with pytest.raises(RefundRuleError, match="not paid by cash"):
        split_refund(1000, {"card": 1000}, "cash")
    assert split_refund(1000, {"card": 800, "cash": 200}, "cash") == {"cash": 200, "card": 800}


def test_a_tender_already_refunded_cannot_be_chosen() -> None:
    with pytest.raises(RefundRuleError, match="refunded already"):
        split_refund(100, {"card": 0, "cash": 500}, "card")


def test_more_than_was_paid_is_refused() -> None:
    with pytest.raises(RefundRuleError, match="exceed"):
        split_refund(1001, {"cash": 1000})


def test_manager_limit() -> None:
    assert not needs_manager(20_000, 20_000) and needs_manager(20_001, 20_000)
    assert not needs_manager(10**9, None) and needs_manager(1, 0)


lefts = st.dictionaries(
    st.sampled_from(["cash", "card", "gift_card", "wechat", "alipay"]),
    st.integers(0, 10**7),
    min_size=1,
)


@given(lefts, st.data())
def test_the_split_adds_up_and_no_tender_pays_back_more_than_it_has(
    left: dict[str, int], data: st.DataObject
) -> None:
    refund = data.draw(st.integers(0, sum(left.values())))
    paid = [m for m, v in left.items() if v > 0]
    choice = data.draw(st.sampled_from([ORIGINAL, *paid]))
    split = split_refund(refund, left, choice)
    assert sum(split.values()) == refund
    assert all(0 < v <= left[m] for m, v in split.items())
    if choice != ORIGINAL:
        assert split.get(choice, 0) == min(refund, left[choice])


@given(
    st.integers(min_value=0, max_value=10**7),
    st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=6),
)
def test_successive_partial_returns_give_back_the_line_exactly(
    amount: int, returns: list[int]
) -> None:
    sold = sum(returns)
    before = 0
    back: list[int] = []
    for returned in returns:
        back.append(returned_share(amount, before, returned, sold))
        before += returned
    assert sum(back) == amount
    assert all(0 <= part <= amount for part in back)


def test_a_returned_share_is_the_floor_of_the_cumulative_share() -> None:
    # 1000 fen over 3 units: 333, then 333 (666 - 333), then the exact rest 334.
    assert [returned_share(1000, b, 1, 3) for b in range(3)] == [333, 333, 334]
    assert returned_share(1000, 0, 0, 0) == 0


def test_tenders_left_never_go_negative() -> None:
    assert tenders_left({"cash": 500, "card": 300}, {"card": 400}) == {"card": 0, "cash": 500}

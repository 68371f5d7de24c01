"""The cash drawer and the end-of-day tenders (pure rules, integer fen)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from posloyalty.domain.drawer import (
    DrawerError,
    DrawerMovement,
    drawer_summary,
    movement,
    tenders,
)
from posloyalty.domain.money import Fen


def test_expected_cash_is_float_plus_in_less_out_plus_sales_less_refunds() -> None:
    moves = [
        movement("float", 50_000),
        movement("cash_in", 10_000, "change from the bank"),
        movement("cash_out", 30_000, "bank drop"),
        movement("count", 1),
        movement("count", 49_000),  # a recount replaces the first count
    ]
    d = drawer_summary(moves, cash_sales=12_345, cash_refunds=2_000)
    assert d.expected == 50_000 + 10_000 - 30_000 + 12_345 - 2_000 == 40_345
    assert d.counted == 49_000 and d.difference == 49_000 - 40_345


def test_without_a_count_there_is_no_difference() -> None:
    d = drawer_summary([movement("float", 20_000)], cash_sales=0, cash_refunds=0)
    assert d.counted is None and d.difference is None and d.expected == 20_000


@pytest.mark.parametrize(
    ("kind", "amount", "reason", "words"),
    [
        ("cash_in", 100, "", "give a reason"),
        ("cash_out", 100, "   ", "give a reason"),
        ("cash_out", 0, "drop", "above zero"),
        ("float", -1, "", "negative"),
        ("count", 100_000_001, "", "more than ¥1,000,000"),
        ("tip", 100, "x", "unknown drawer movement"),
        ("cash_in", 100, "x" * 201, "longer than 200"),
    ],
)
def test_bad_movements_are_refused(kind: str, amount: int, reason: str, words: str) -> None:
    with pytest.raises(DrawerError, match=words):
        movement(kind, amount, reason)


def test_a_float_amount_is_refused() -> None:
    with pytest.raises(DrawerError, match="whole fen"):
        movement("float", 1.5)  # type: ignore[arg-type]  # a float, on purpose


def test_points_are_not_a_tender() -> None:
    with pytest.raises(DrawerError, match="points are not a tender"):
        tenders({"cash": 100, "points": 50}, {}, sales_total=150, refunds_total=0)


def test_tenders_that_do_not_add_up_are_refused() -> None:
    with pytest.raises(DrawerError, match="sales total"):
        tenders({"cash": 100}, {}, sales_total=150, refunds_total=0)
    with pytest.raises(DrawerError, match="refunds total"):
        tenders({"cash": 100}, {"cash": 10}, sales_total=100, refunds_total=20)


methods = st.sampled_from(["cash", "card", "gift_card", "wechat", "alipay"])
amounts = st.dictionaries(methods, st.integers(0, 10**9))


@given(amounts, amounts)
def test_tenders_add_up_to_net_sales(payments: dict[str, int], refunds: dict[str, int]) -> None:
    lines = tenders(
        payments, refunds, sales_total=sum(payments.values()), refunds_total=sum(refunds.values())
    )
    assert sum(t.net for t in lines) == sum(payments.values()) - sum(refunds.values())
    assert [t.method for t in lines] == sorted(set(payments) | set(refunds))


@given(
    st.lists(
        st.tuples(st.sampled_from(["float", "cash_in", "cash_out"]), st.integers(1, 10**6)),
        max_size=20,
    ),
    st.integers(0, 10**8),
    st.integers(0, 10**8),
)
def test_counting_exactly_the_expected_cash_leaves_no_difference(
    moves: list[tuple[str, int]], sales: int, refunds: int
) -> None:
    made = [movement(k, a, "r") for k, a in moves]
    before = drawer_summary(made, cash_sales=sales, cash_refunds=refunds)
    counted = DrawerMovement("count", Fen(max(before.expected, 0)))
    after = drawer_summary([*made, counted], cash_sales=sales, cash_refunds=refunds)
    assert after.expected == before.expected
    if before.expected >= 0:
        assert after.difference == 0

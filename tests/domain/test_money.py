"""Money at the edges: yuan strings in, integer fen inside, exact allocation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from posloyalty.domain.money import MoneyError, allocate, format_yuan, parse_yuan


@pytest.mark.parametrize(
    ("text", "fen"),
    [("12.30", 1230), ("12.3", 1230), ("12", 1200), ("0.01", 1), ("0", 0), (" 7.05 ", 705)],
)
def test_parse_yuan_accepts_plain_amounts(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (1.5, "float"),
        ("1.234", "more than two decimals"),
        ("-1.00", "negative"),
        ("NaN", "not a yuan amount"),
        ("1e3", "not a yuan amount"),
        ("", "not a yuan amount"),
        (True, "expected a yuan string"),
        (12, "expected a yuan string"),
        (None, "expected a yuan string"),
    ],
)
def test_parse_yuan_refuses_bad_values_with_a_reason(value: object, problem: str) -> None:
    with pytest.raises(MoneyError, match=problem):
        parse_yuan(value, what="unit_price")


def test_negative_only_when_allowed() -> None:
    assert parse_yuan("-3.10", allow_negative=True) == -310


@pytest.mark.parametrize(
    ("fen", "text"), [(0, "0.00"), (5, "0.05"), (1230, "12.30"), (-105, "-1.05")]
)
def test_format_yuan_always_two_decimals(fen: int, text: str) -> None:
    assert format_yuan(fen) == text


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_format_then_parse_round_trips(fen: int) -> None:
    assert parse_yuan(format_yuan(fen), allow_negative=True) == fen


@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=30),
)
def test_allocate_is_exact_and_fair(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    assert sum(parts) == total
    base = sum(weights) or len(weights)
    effective = weights if sum(weights) else [1] * len(weights)
    for part, weight in zip(parts, effective, strict=True):
        exact = abs(total) * weight / base
        assert abs(abs(part) - exact) < 1 + 1e-9


def test_allocate_is_deterministic_on_ties() -> None:
    assert allocate(1, [1, 1, 1]) == [1, 0, 0]
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]


def test_allocate_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="no lines"):
        allocate(5, [])
    with pytest.raises(ValueError, match="negative"):
        allocate(5, [1, -1])

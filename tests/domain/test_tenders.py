"""Quick cash amounts offered on the payment screen."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from posloyalty.domain.tenders import quick_cash_amounts


def test_quick_cash_amounts_for_common_totals() -> None:
    assert quick_cash_amounts(3750) == (3750, 4000, 5000, 10000)
    assert quick_cash_amounts(10000) == (10000, 20000, 50000)
    assert quick_cash_amounts(1) == (1, 1000, 2000, 5000)
    assert quick_cash_amounts(0) == ()


@given(st.integers(1, 10**8), st.integers(1, 6))
def test_quick_cash_amounts_cover_the_due_exactly_first_and_ascend(due: int, count: int) -> None:
    amounts = quick_cash_amounts(due, count)
    assert amounts[0] == due and 1 <= len(amounts) <= count
    assert list(amounts) == sorted(set(amounts))
    assert all(a >= due for a in amounts)

"""Masking phone numbers and names for display."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from posloyalty.domain.privacy import mask_name, mask_phone


@pytest.mark.parametrize(
    ("phone", "shown"),
    [
        ("13812345678", "138****5678"),
        (" 138-1234-5678 ", "138****5678"),
        ("+8613812345678", "+86 138****5678"),
        ("0086 138 1234 5678", "+86 138****5678"),
        ("02158889999", "021****9999"),
        ("85212345", "****2345"),
        ("12345", "*****"),
        ("", ""),
    ],
)
def test_mask_phone(phone: str, shown: str) -> None:
    assert mask_phone(phone) == shown


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_a_masked_mainland_number_hides_four_middle_digits(phone: str) -> None:
    shown = mask_phone(phone)
    assert shown == phone[:3] + "****" + phone[-4:]
    assert phone not in shown


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("张三", "张*"),
        ("张三丰", "张**"),
        ("欧阳娜娜", "欧***"),
        ("李", "*"),
        ("Alice Smith", "A**** S****"),
        ("  Bob  ", "B**"),
        ("", ""),
    ],
)
def test_mask_name(name: str, shown: str) -> None:
    assert mask_name(name) == shown


@given(
    st.text(min_size=2, max_size=20).filter(lambda s: len(s.split()) == 1 and len(s.strip()) > 1)
)
def test_a_masked_name_never_shows_more_than_its_first_character(name: str) -> None:
    shown = mask_name(name)
    word = name.strip()
    assert shown == word[0] + "*" * (len(word) - 1)

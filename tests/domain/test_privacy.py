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
        ("+86 138 1234 5678", "+86 138****5678"),
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


def test_phone_normalisation_is_shared_by_terminal_and_hq() -> None:
    from posloyalty.domain.privacy import normalize_phone, phone_hash

    for typed in ("13812345678", "+86 138-1234-5678", "0086(138)12345678"):
        assert normalize_phone(typed) == "13812345678"
    assert phone_hash("salt", "+86 13812345678") == phone_hash("salt", "13812345678")
    assert phone_hash("salt", "13812345678") != phone_hash("pepper", "13812345678")


def test_a_bad_phone_is_refused_without_echoing_it() -> None:
    import pytest

    from posloyalty.domain.privacy import normalize_phone

    with pytest.raises(ValueError, match="is not a phone number") as info:
        normalize_phone("1381234567x")
    assert "1381234567" not in str(info.value)

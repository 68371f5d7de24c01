"""The chain's content encoding stays byte for byte what tills wrote (domain/chain.py).

HQ computes it for every pushed sale and entry; the faster spelling (one canonical encoder,
instants from their fields) must give the same bytes as the plain definition, or links written
by tills already in the field would no longer verify.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from posloyalty.domain import chain

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
PENDING_FROM = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
PARSED = TypeAdapter(dt.datetime)

offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)
instants = st.builds(
    lambda micros, tz: (EPOCH + dt.timedelta(microseconds=micros)).astimezone(tz),
    st.integers(min_value=-(20 * 365 * 86_400 * 10**6), max_value=330 * 365 * 86_400 * 10**6),
    offsets,
)


def plain_instant(value: dt.datetime) -> int | str:
    return "pending" if value >= PENDING_FROM else (value - EPOCH) // dt.timedelta(microseconds=1)


def plain_content(values: list[Any], *, nested: bool) -> bytes:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=nested).encode()


@given(instants)
def test_an_instant_is_its_whole_microseconds_since_the_epoch_under_any_offset(
    value: dt.datetime,
) -> None:
    assert chain.instant(value) == plain_instant(value)
    # As HQ reads it from a push: pydantic's own tzinfo, the same number.
    assert chain.instant(PARSED.validate_python(value.isoformat())) == plain_instant(value)


def test_instants_from_the_year_2200_are_pending_and_naive_ones_are_refused() -> None:
    last = PENDING_FROM - dt.timedelta(microseconds=1)
    assert chain.instant(last) == plain_instant(last)
    assert chain.instant(PENDING_FROM.astimezone(dt.timezone(dt.timedelta(hours=8)))) == "pending"
    try:
        chain.instant(dt.datetime(2026, 1, 1))  # noqa: DTZ001 (the naive value under test)
    except ValueError:
        pass
    else:
        raise AssertionError("a naive instant was encoded")


@given(instants, st.text(max_size=8), st.integers(-(10**12), 10**12))
def test_entry_and_sale_contents_are_spelled_as_plain_json(
    at: dt.datetime, text: str, amount: int
) -> None:
    entry = chain.entry_content(
        member_id=text,
        kind="earn",
        points=amount,
        lot=text,
        at=at,
        available_at=at,
        expires_at=None,
        renews_until=at,
        sale_id=None,
        reason=text,
    )
    assert entry == plain_content(
        [
            "ledger_entry",
            text,
            "earn",
            amount,
            text,
            plain_instant(at),
            plain_instant(at),
            None,
            plain_instant(at),
            None,
            text,
        ],
        nested=False,
    )
    line = {
        "index": 0,
        "sku": text,
        "qty": 1,
        "unit_price_fen": amount,
        "gross_fen": amount,
        "net_fen": amount,
        "points": 0,
        "growth": 0,
    }
    quoted = {"basket": {"z": text, "a": [amount]}, "member_code": text or None}
    sale = chain.sale_content(
        member_id=None,
        at=at,
        total_fen=amount,
        subtotal_fen=amount,
        original_sale_id=None,
        receipt_code=text,
        lines=[line],
        payments=[{"method": "cash", "amount_fen": amount, "reference": text}],
        quoted=quoted,
    )
    quoted_part = {k: v for k, v in quoted.items() if v}
    assert sale == plain_content(
        [
            "sale",
            None,
            plain_instant(at),
            amount,
            amount,
            None,
            text,
            [[0, text, 1, amount, amount, amount, 0, 0]],
            [["cash", amount, text]],
            quoted_part,
        ],
        nested=True,
    )

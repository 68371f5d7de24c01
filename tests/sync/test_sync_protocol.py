"""The sync protocol's message types, limits and version negotiation."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from posloyalty.jsontext import canonical_json
from posloyalty.sync.protocol import (
    MAX_BATCH_ITEMS,
    MAX_ITEM_PAYLOAD_BYTES,
    PROTOCOL_VERSION,
    VERSION_HEADER,
    Change,
    ChangeTable,
    LedgerEntryPayload,
    PullRequest,
    PullResponse,
    PushBatch,
    PushItem,
    encode_pull_response,
    request_headers,
    version_problem,
)

V7 = "01a2174c-3500-7001-8113-c26a5f1f592f"


def test_version_header_negotiation() -> None:
    assert version_problem(str(PROTOCOL_VERSION)) is None
    assert version_problem(" 1 ") is None
    missing = version_problem(None)
    assert missing is not None and VERSION_HEADER in missing
    newer = version_problem(str(PROTOCOL_VERSION + 1))
    assert newer is not None and "newer than this HQ understands" in newer
    for junk in ("", "one", "1.0", "-1", "0", "9" * 50):
        assert version_problem(junk) is not None
    assert request_headers("tok") == {VERSION_HEADER: "1", "Authorization": "Bearer tok"}


def test_item_ids_are_uuid7() -> None:
    assert PushItem(kind="sale", id=V7.upper(), payload={}).id == V7
    for bad in (str(uuid.uuid4()), "not-a-uuid", "x" * 36, V7.replace("-", "")):
        with pytest.raises(ValidationError):
            PushItem(kind="sale", id=bad, payload={})
    with pytest.raises(ValidationError):
        PushItem(kind="refund", id=V7, payload={})  # type: ignore[arg-type]  # an unknown kind, on purpose


def test_caps() -> None:
    with pytest.raises(ValidationError, match="payload is"):
        PushItem(kind="sale", id=V7, payload={"x": "y" * MAX_ITEM_PAYLOAD_BYTES})
    item = PushItem(kind="sale", id=V7, payload={})
    PushBatch(terminal_id="T1", batch_id="b", items=[item] * MAX_BATCH_ITEMS)
    with pytest.raises(ValidationError):
        PushBatch(terminal_id="T1", batch_id="b", items=[item] * (MAX_BATCH_ITEMS + 1))
    with pytest.raises(ValidationError):
        PushBatch.model_validate({"terminal_id": "T1", "batch_id": "b", "items": [], "extra": 1})
    with pytest.raises(ValidationError):
        PullRequest(cursor=-1)
    assert PullRequest(cursor=5).limit > 0


def test_ledger_payload_needs_aware_instants() -> None:
    base = {
        "store_id": "S1",
        "terminal_id": "T1",
        "member_id": "M1",
        "kind": "earn",
        "points": 10,
        "lot": "L1",
        "at": "2026-11-26T10:00:00+08:00",
        "available_at": "2026-11-26T10:00:00+08:00",
    }
    assert LedgerEntryPayload.model_validate(base).at.utcoffset() is not None
    with pytest.raises(ValidationError, match="UTC offset"):
        LedgerEntryPayload.model_validate({**base, "at": "2026-11-26T10:00:00"})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(st.dictionaries(st.text(max_size=6), json_values, max_size=5))
def test_canonical_json_ignores_key_order(payload: dict[str, object]) -> None:
    reordered = dict(reversed(list(payload.items())))
    assert canonical_json(payload) == canonical_json(reordered)


any_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(any_json)
def test_canonical_json_is_exactly_the_sorted_compact_dumps(value: object) -> None:
    # Stored payload hashes were made with json.dumps: the fast path must match it byte for byte.
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(value) == expected


def test_encoded_pull_response_decodes_to_the_same_message() -> None:
    at = dt.datetime(2026, 11, 26, 10, tzinfo=dt.UTC)
    rows = [
        (1, "product", 'SKU"1', canonical_json({"name": "茶", "price_fen": 350})),
        (7, "member_secret", "M1", None),
    ]
    encoded = encode_pull_response(rows, 7, False, at)
    decoded = PullResponse.model_validate_json(encoded)
    assert decoded == PullResponse(
        changes=[
            Change(seq=1, kind="product", key='SKU"1', data={"name": "茶", "price_fen": 350}),
            Change(seq=7, kind="member_secret", key="M1", data=None),
        ],
        next_cursor=7,
        more=False,
        server_time=at,
    )


@given(st.uuids(), st.booleans(), st.integers(min_value=0, max_value=15))
def test_item_ids_accept_exactly_the_uuid7_spellings(
    raw: uuid.UUID, upper: bool, version: int
) -> None:
    # Any UUID, re-stamped with a version nibble; RFC 4122 variant bits as a UUIDv7 has them.
    value = uuid.UUID(int=(raw.int & ~(0xF << 76)) | (version << 76))
    value = uuid.UUID(int=(value.int & ~(0b11 << 62)) | (0b10 << 62))
    text = str(value).upper() if upper else str(value)
    if version == 7:
        assert PushItem(kind="sale", id=text, payload={}).id == str(value)
    else:
        with pytest.raises(ValidationError):
            PushItem(kind="sale", id=text, payload={})


def test_canonical_payload_is_computed_once_and_survives_copies() -> None:
    item = PushItem(kind="sale", id=V7, payload={"b": 1, "a": "茶"})
    assert item.canonical_payload == '{"a":"茶","b":1}'
    assert item.model_copy().canonical_payload == item.canonical_payload
    built = PushItem.model_construct(kind="sale", id=V7, payload={"b": 1, "a": "茶"})
    assert built.canonical_payload == item.canonical_payload


def test_change_tables_expand_to_changes_in_seq_order() -> None:
    at = dt.datetime(2026, 11, 26, 10, tzinfo=dt.UTC)
    table = ChangeTable(
        kind="member_secret",
        fields=["member_id", "secret"],
        seqs=[2, 5],
        keys=["M1", "M2"],
        rows=[["M1", "aa"], ["M2", "bb"]],
    )
    plain = [Change(seq=3, kind="product", key="SKU1", data=None)]
    page = PullResponse(changes=plain, next_cursor=5, more=False, server_time=at, tables=[table])
    assert [(c.seq, c.key, c.data) for c in page.all_changes()] == [
        (2, "M1", {"member_id": "M1", "secret": "aa"}),
        (3, "SKU1", None),
        (5, "M2", {"member_id": "M2", "secret": "bb"}),
    ]
    assert PullResponse(changes=plain, next_cursor=5, more=False, server_time=at).all_changes() == (
        plain
    )
    raw = (
        "member_secret",
        '["member_id", "secret"]',
        [(2, "M1", '["M1", "aa"]'), (5, "M2", '["M2","bb"]')],
    )
    encoded = encode_pull_response([(3, "product", "SKU1", None)], 5, False, at, [raw])
    assert PullResponse.model_validate_json(encoded) == page
    assert b"tables" not in encode_pull_response([], 5, False, at)
    assert PullRequest(cursor=0).compact is False
    for bad in (
        {"seqs": [2]},
        {"rows": [["M1"], ["M2", "bb"]]},
        {"fields": ["member_id", "member_id"]},
    ):
        with pytest.raises(ValidationError):
            ChangeTable.model_validate(table.model_dump() | bad)

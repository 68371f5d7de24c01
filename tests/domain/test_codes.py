"""Member, coupon and product codes: formats, check characters, parsing and verification."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from posloyalty.domain import codes
from posloyalty.domain.codes import (
    B36,
    MAX_CODE_AGE_S,
    MAX_PAYLOAD,
    CouponCode,
    DynamicMemberCode,
    ProductBarcode,
    ProvisionalCode,
    ReplayCache,
    RevocationList,
    ScanError,
    StaticCardCode,
    check_char,
    has_valid_check,
    is_qr_alphanumeric,
    make_coupon,
    make_dynamic,
    make_ean8,
    make_ean13,
    make_provisional,
    make_static,
    make_upca,
    parse_scan,
    token_digest,
    verify_dynamic,
    verify_static,
)
from posloyalty.domain.ids import CouponCode as CouponId
from posloyalty.domain.ids import MemberId, TerminalId

SECRET = bytes(range(32))
OTHER_SECRET = bytes(range(1, 33))
MEMBER = MemberId("7K2M9QX4")
T0 = 1_800_000_000  # a multiple of 30: the start of a step

member_ids = st.text(alphabet=B36, min_size=1, max_size=16).map(MemberId)
secrets_ = st.binary(min_size=16, max_size=64)
times = st.integers(min_value=0, max_value=4_000_000_000)


def _sample_payloads() -> list[str]:
    return [
        make_dynamic(MEMBER, SECRET, T0),
        make_dynamic(MemberId("Z" * 16), SECRET, T0 + 7),
        make_static(MEMBER, b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"),
        make_static(MemberId("1"), b"\xff" * 10),
        make_provisional(TerminalId("S12T3"), 41),
        make_coupon(CouponId("WELCOME88")),
    ]


def _rechecked(body_with_old_check: str) -> str:
    body = body_with_old_check[:-1]
    return body + check_char(body)


# --------------------------------------------------------------------------- formats


def test_damm_table_is_a_totally_antisymmetric_quasigroup() -> None:
    table = codes._DAMM
    full = list(range(36))
    assert all(sorted(row) == full for row in table)
    assert all(sorted(col) == full for col in zip(*table, strict=True))
    for c in range(36):
        for x in range(36):
            for y in range(36):
                if x != y:
                    assert table[table[c][x]][y] != table[table[c][y]][x]


@pytest.mark.parametrize("payload", _sample_payloads())
def test_every_single_typo_and_adjacent_transposition_is_caught_before_lookup(payload: str) -> None:
    assert has_valid_check(payload)
    for i, original in enumerate(payload):
        for c in B36:
            if c != original:
                typo = payload[:i] + c + payload[i + 1 :]
                with pytest.raises(ScanError) as err:
                    parse_scan(typo)
                assert err.value.reason in {"bad_check", "unknown_format"}
    for i in range(len(payload) - 1):
        if payload[i] != payload[i + 1]:
            swapped = payload[:i] + payload[i + 1] + payload[i] + payload[i + 2 :]
            with pytest.raises(ScanError):
                parse_scan(swapped)


@given(member_ids, secrets_, times, st.binary(min_size=10, max_size=10))
def test_member_payloads_fit_the_qr_alphanumeric_set_and_round_trip(
    member: MemberId, secret: bytes, at: int, token: bytes
) -> None:
    dynamic = make_dynamic(member, secret, at)
    static = make_static(member, token)
    for payload in (dynamic, static):
        assert len(payload) <= MAX_PAYLOAD
        assert is_qr_alphanumeric(payload)
        assert set(payload) <= set(B36)
    parsed = parse_scan(dynamic)
    assert isinstance(parsed, DynamicMemberCode)
    assert parsed.member_id == member
    assert parsed.counter_low == (at // 30) % 36**3
    card = parse_scan(static)
    assert isinstance(card, StaticCardCode)
    assert card.member_id == member
    assert codes.from_base36(card.token) == int.from_bytes(token, "big")


@given(
    st.text(alphabet=B36, min_size=1, max_size=12).map(TerminalId),
    st.integers(min_value=0, max_value=36**8 - 1),
    st.text(alphabet=B36, min_size=4, max_size=32).map(CouponId),
)
def test_provisional_and_coupon_payloads_round_trip(
    terminal: TerminalId, seq: int, coupon: CouponId
) -> None:
    provisional = make_provisional(terminal, seq)
    coupon_payload = make_coupon(coupon)
    for payload in (provisional, coupon_payload):
        assert len(payload) <= MAX_PAYLOAD
        assert is_qr_alphanumeric(payload)
    assert parse_scan(provisional) == ProvisionalCode(provisional, terminal, seq)
    assert parse_scan(coupon_payload) == CouponCode(coupon_payload, coupon)


def test_generators_refuse_ids_outside_the_code_alphabet() -> None:
    with pytest.raises(ValueError):
        make_dynamic(MemberId("m-1"), SECRET, T0)
    with pytest.raises(ValueError):
        make_dynamic(MemberId("A" * 17), SECRET, T0)
    with pytest.raises(ValueError):
        make_static(MEMBER, b"\x00" * 9)  # 72 bits is not enough
    with pytest.raises(ValueError):
        make_provisional(TerminalId(""), 1)
    with pytest.raises(ValueError):
        make_coupon(CouponId("AB"))
    with pytest.raises(ValueError):
        make_dynamic(MEMBER, b"short", T0)


def test_provisional_sequence_has_one_spelling() -> None:
    payload = make_provisional(TerminalId("T1"), 5)
    padded = _rechecked(payload[:-2] + "05" + "X")
    with pytest.raises(ScanError) as err:
        parse_scan(padded)
    assert err.value.reason == "malformed"


# --------------------------------------------------------------------------- products


@pytest.mark.parametrize(
    ("digits", "symbology"),
    [
        ("4006381333931", "EAN13"),
        ("6901234567892", "EAN13"),
        ("73513537", "EAN8"),
        ("036000291452", "UPCA"),
    ],
)
def test_real_product_barcodes_are_routed(digits: str, symbology: str) -> None:
    scan = parse_scan(digits + "\r\n")
    assert isinstance(scan, ProductBarcode)
    assert scan.symbology == symbology
    assert scan.payload == digits
    wrong = digits[:-1] + str((int(digits[-1]) + 1) % 10)
    with pytest.raises(ScanError) as err:
        parse_scan(wrong)
    assert err.value.reason == "bad_check"
    assert "check digit" in err.value.message


def test_product_generators_and_gtin14() -> None:
    assert make_ean13("400638133393") == "4006381333931"
    assert make_ean8("7351353") == "73513537"
    assert make_upca("03600029145") == "036000291452"
    upc = parse_scan("036000291452")
    ean = parse_scan("0036000291452")
    assert isinstance(upc, ProductBarcode)
    assert isinstance(ean, ProductBarcode)
    assert upc.gtin14 == ean.gtin14 == "00036000291452"
    with pytest.raises(ValueError):
        make_ean13("12345")


def test_printed_barcode_digits_with_spaces_are_accepted() -> None:
    scan = parse_scan("6 901234 567892")
    assert isinstance(scan, ProductBarcode)
    assert scan.payload == "6901234567892"


# --------------------------------------------------------------------------- parsing


def test_wedge_damage_is_undone() -> None:
    payload = make_dynamic(MEMBER, SECRET, T0)
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in payload)
    for mangled in (
        payload + "\r\n",
        payload.lower() + "\r",
        payload.swapcase() + "\n",
        f"  {payload}\t",
        fullwidth,
    ):
        assert parse_scan(mangled).payload == payload


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("ABC", "unknown_format"),
        ("", "empty"),
        ("\r\n", "empty"),
        ("12345", "unknown_format"),
        ("HELLO-WORLD", "unknown_format"),
        ("奶茶", "unknown_format"),
        ("X" * 300, "too_long"),
        ("M" + "1" * 45, "unknown_format"),
    ],
)
def test_unknown_scans_say_what_was_scanned(text: str, reason: str) -> None:
    with pytest.raises(ScanError) as err:
        parse_scan(text)
    assert err.value.reason == reason
    if reason == "unknown_format" and len(text) < 40:
        assert f"'{text}'" in str(err.value)
    assert str(err.value)


def test_unknown_format_message_exact() -> None:
    with pytest.raises(ScanError, match=r"^'ABC' is not a member, coupon or product code$"):
        parse_scan("ABC\r\n")


def test_control_characters_are_shown_escaped() -> None:
    with pytest.raises(ScanError) as err:
        parse_scan("A\x1bB\x00C")
    assert "\x1b" not in err.value.message
    assert "\\x1b" in err.value.message


@pytest.mark.parametrize("letter", ["M", "C", "P", "Q"])
def test_wrong_version_is_named(letter: str) -> None:
    body = letter + "2" + "ABCDEFGHIJKLMNOPQRS"
    with pytest.raises(ScanError) as err:
        parse_scan(body + check_char(body))
    assert err.value.reason == "wrong_version"
    assert "version 2" in err.value.message
    result = verify_dynamic(body + check_char(body), SECRET, T0)
    assert not result.ok
    assert result.reason == "wrong_version"


def test_length_out_of_range_is_malformed() -> None:
    body = "M1" + "0" * 14  # counter and MAC but no member id
    with pytest.raises(ScanError) as err:
        parse_scan(body + check_char(body))
    assert err.value.reason == "malformed"


@settings(max_examples=400)
@given(st.text(max_size=300))
def test_parse_scan_never_raises_anything_but_scan_error(text: str) -> None:
    try:
        scan = parse_scan(text)
    except ScanError as err:
        assert err.message
        return
    assert len(scan.payload) <= MAX_PAYLOAD
    assert is_qr_alphanumeric(scan.payload)


code_like = st.builds(
    lambda prefix, body: prefix + body,
    st.sampled_from(["M1", "C1", "P1", "Q1", "M2", "m1", "X1", "", "0"]),
    st.text(alphabet=B36 + "abc \r\n-:", max_size=45),
)


@settings(max_examples=400)
@given(code_like, st.booleans())
def test_code_like_scans_never_crash_and_never_verify(text: str, fix_check: bool) -> None:
    if fix_check and text and set(text) <= set(B36):
        text = text + check_char(text)
    try:
        scan = parse_scan(text)
    except ScanError:
        return
    if isinstance(scan, DynamicMemberCode):
        for at in (T0, T0 + 30 * (scan.counter_low - (T0 // 30) % 36**3)):
            assert not verify_dynamic(scan, SECRET, at).ok


@settings(max_examples=300)
@given(st.text(alphabet=B36, min_size=15, max_size=30), times)
def test_random_well_formed_dynamic_codes_are_forged(body: str, at: int) -> None:
    text = "M1" + body
    text += check_char(text)
    scan = parse_scan(text)
    assert isinstance(scan, DynamicMemberCode)
    result = verify_dynamic(scan, SECRET, at)
    assert result.reason in {"forged", "expired", "future"}
    assert not result.ok


# --------------------------------------------------------------------------- dynamic verification


def test_fresh_code_verifies_with_the_member() -> None:
    result = verify_dynamic(make_dynamic(MEMBER, SECRET, T0 + 3), SECRET, T0 + 10)
    assert result.ok
    assert result.member_id == MEMBER
    assert result.counter == T0 // 30
    assert parse_scan(make_dynamic(MEMBER, SECRET, T0)).may_redeem


@given(member_ids, secrets_, st.integers(min_value=0, max_value=29))
def test_drift_window_of_one_step_each_way(member: MemberId, secret: bytes, offset: int) -> None:
    made = T0 + offset
    code = make_dynamic(member, secret, made)
    assert verify_dynamic(code, secret, made).ok
    assert verify_dynamic(code, secret, T0 + 30 + offset).ok  # next step
    assert verify_dynamic(code, secret, T0 - 30 + offset).ok  # terminal clock one step behind
    assert verify_dynamic(code, secret, T0 + 60 + offset).reason == "expired"
    assert verify_dynamic(code, secret, T0 - 60 + offset).reason == "future"


@pytest.mark.parametrize(("step", "drift"), [(30, 1), (30, 3), (60, 1), (40, 2), (120, 0)])
def test_no_code_older_than_two_minutes_ever_verifies(step: int, drift: int) -> None:
    for made in range(T0, T0 + 2 * step, 7):
        code = make_dynamic(MEMBER, SECRET, made, step=step)
        for age in range(0, 400, 3):
            result = verify_dynamic(code, SECRET, made + age, step=step, drift=drift)
            if age > MAX_CODE_AGE_S:
                assert result.reason == "expired", (made, age)
            if age < step - (made - T0) % step:  # still in the step it was made in
                assert result.ok


def test_timing_that_would_accept_old_codes_is_refused() -> None:
    with pytest.raises(ValueError):
        verify_dynamic(make_dynamic(MEMBER, SECRET, T0), SECRET, T0, step=60, drift=2)
    with pytest.raises(ValueError):
        ReplayCache(step=30, drift=4)


def test_expired_hour_old_and_aliased_codes_are_refused() -> None:
    code = make_dynamic(MEMBER, SECRET, T0)
    hour = verify_dynamic(code, SECRET, T0 + 3600)
    assert hour.reason == "expired"
    assert "ago" in hour.message
    # 36**3 steps later the counter digits repeat: the MAC no longer matches.
    wrapped = verify_dynamic(code, SECRET, T0 + 30 * 36**3)
    assert not wrapped.ok
    assert wrapped.reason == "forged"


def test_code_from_another_secret_is_forged() -> None:
    result = verify_dynamic(make_dynamic(MEMBER, OTHER_SECRET, T0), SECRET, T0)
    assert result.reason == "forged"
    assert result.message


def test_every_single_character_alteration_with_a_valid_check_is_refused() -> None:
    code = make_dynamic(MEMBER, SECRET, T0)
    for i in range(len(code) - 1):
        for c in B36:
            if c == code[i]:
                continue
            altered = _rechecked(code[:i] + c + code[i + 1 :])
            result = verify_dynamic(altered, SECRET, T0)
            assert not result.ok, altered
            assert result.reason in {
                "forged",
                "not_dynamic",
                "wrong_version",
                "unknown_format",
                "malformed",
            }


def test_member_id_swap_is_forged() -> None:
    genuine = parse_scan(make_dynamic(MEMBER, SECRET, T0))
    assert isinstance(genuine, DynamicMemberCode)
    body = "M1" + codes.to_base36(genuine.counter_low, 3) + genuine.mac + "OTHERMEMBER"
    assert verify_dynamic(body + check_char(body), SECRET, T0).reason == "forged"


def test_replayed_code_is_refused_and_cache_is_bounded() -> None:
    cache = ReplayCache()
    code = make_dynamic(MEMBER, SECRET, T0)
    assert verify_dynamic(code, SECRET, T0, replay=cache).ok
    again = verify_dynamic(code, SECRET, T0 + 5, replay=cache)
    assert again.reason == "replayed"
    assert "already used" in again.message
    # The next step's code is a new code.
    assert verify_dynamic(make_dynamic(MEMBER, SECRET, T0 + 30), SECRET, T0 + 31, replay=cache).ok
    # Forged codes are not recorded.
    verify_dynamic(make_dynamic(MEMBER, OTHER_SECRET, T0), SECRET, T0, replay=cache)
    assert len(cache) == 2
    cache.evict(T0 + 600)
    assert len(cache) == 0


def test_replay_cache_forgets_old_codes_as_time_passes() -> None:
    cache = ReplayCache()
    for n in range(50):
        assert cache.use(MemberId(f"M{n}"), T0 // 30, T0)
    assert cache.use(MemberId("NEXT"), T0 // 30 + 2, T0 + 60)
    assert len(cache) == 1


def test_replay_cache_evicts_only_what_can_no_longer_verify() -> None:
    cache = ReplayCache(max_entries=3)
    for n in range(3):
        assert cache.use(MemberId(f"M{n}"), T0 // 30, T0)
    assert cache.use(MemberId("LATE"), T0 // 30 + 2, T0 + 60)  # full: stale entries go first
    assert len(cache) == 1
    assert not cache.use(MemberId("LATE"), T0 // 30 + 2, T0 + 61)
    small = ReplayCache(max_entries=2)
    for n in range(5):
        small.use(MemberId(f"X{n}"), T0 // 30, T0)
    assert len(small) == 2


def test_verify_of_a_non_dynamic_code_says_so() -> None:
    result = verify_dynamic(make_static(MEMBER, b"\x01" * 10), SECRET, T0)
    assert result.reason == "not_dynamic"
    assert "static" in result.message
    assert verify_dynamic("garbage", SECRET, T0).reason == "unknown_format"


def test_verify_dynamic_accepts_wedge_text() -> None:
    code = make_dynamic(MEMBER, SECRET, T0)
    assert verify_dynamic(code.lower() + "\r\n", SECRET, T0).ok


# --------------------------------------------------------------------------- static cards


def test_static_card_verification_and_revocation() -> None:
    token = b"\x13\x37" * 5
    scan = parse_scan(make_static(MEMBER, token))
    assert isinstance(scan, StaticCardCode)
    assert not scan.may_redeem
    on_file = token_digest(scan.token)
    assert len(on_file) == 64
    assert scan.token not in on_file
    assert verify_static(scan, on_file, RevocationList()).ok
    other = parse_scan(make_static(MEMBER, b"\x00" * 10))
    assert isinstance(other, StaticCardCode)
    assert verify_static(other, on_file, RevocationList()).reason == "forged"
    revoked = RevocationList.from_tokens([scan.token])
    assert scan in revoked
    assert other not in revoked
    result = verify_static(scan, on_file, revoked)
    assert result.reason == "revoked"
    assert not result.ok


def test_revocation_list_has_set_semantics() -> None:
    a = RevocationList.from_tokens(["A" * 16, "B" * 16])
    b = RevocationList.from_tokens(["B" * 16, "C" * 16])
    assert len(a.union(b)) == 3
    assert a.union(b) == b.union(a)
    assert a.union(a) == a
    assert a.with_digests([token_digest("C" * 16)]) == a.union(b)
    assert "A" * 16 not in a  # only parsed card codes are looked up

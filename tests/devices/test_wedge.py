"""Keyboard-wedge detection: scanner bursts versus people typing."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from posloyalty.devices.wedge import (
    WedgeDetector,
    WedgeThresholds,
    replay_events,
    simulate_scan,
)
from posloyalty.domain.codes import (
    DynamicMemberCode,
    make_coupon,
    make_dynamic,
    make_ean13,
    make_provisional,
    make_static,
    parse_scan,
    verify_dynamic,
)
from posloyalty.domain.ids import CouponCode, MemberId, TerminalId

SECRET = b"s" * 32
T0 = 1_800_000_000


def _typed(text: str, gaps: list[float], start: float = 0.0) -> list[tuple[str, float]]:
    events, t = [], start
    for char, gap in zip(text, gaps, strict=False):
        events.append((char, t))
        t += gap
    events.append(("\r", t))
    return events


@pytest.mark.parametrize("gap_ms", [7.0, 7.5, 8.0])
def test_scanner_speed_is_a_scan(gap_ms: float) -> None:
    decision = replay_events(WedgeDetector(), simulate_scan("6901234567892", gap_ms=gap_ms))[0]
    assert decision.is_scan
    assert decision.text == "6901234567892"
    assert decision.typed_before == ""
    assert decision.mean_gap_ms == pytest.approx(gap_ms)


@pytest.mark.parametrize("gap_ms", [80.0, 120.0, 250.0])
def test_human_speed_is_typing(gap_ms: float) -> None:
    decision = replay_events(WedgeDetector(), simulate_scan("13812345678", gap_ms=gap_ms))[0]
    assert decision.kind == "typing"
    assert decision.text == "13812345678"


@given(st.lists(st.floats(min_value=5, max_value=12), min_size=8, max_size=40))
def test_jittery_scanner_is_still_a_scan(gaps: list[float]) -> None:
    text = "A" * len(gaps)
    assert replay_events(WedgeDetector(), _typed(text, gaps))[0].is_scan


@given(st.lists(st.floats(min_value=80, max_value=600), min_size=1, max_size=30))
def test_people_are_never_taken_for_scanners(gaps: list[float]) -> None:
    text = "7" * len(gaps)
    assert replay_events(WedgeDetector(), _typed(text, gaps))[0].kind == "typing"


def test_a_fast_typist_is_typing_even_below_the_max_gap() -> None:
    # 45 ms between every key: no gap over 60 ms, but the mean is over 30 ms.
    decision = replay_events(WedgeDetector(), simulate_scan("13812345678", gap_ms=45))[0]
    assert decision.kind == "typing"
    assert decision.mean_gap_ms == pytest.approx(45)


def test_short_fast_bursts_are_not_scans() -> None:
    assert not replay_events(WedgeDetector(), simulate_scan("12345", gap_ms=7))[0].is_scan
    assert replay_events(WedgeDetector(), simulate_scan("123456", gap_ms=7))[0].is_scan


def test_a_slow_enter_after_a_fast_burst_is_typing() -> None:
    events = simulate_scan("M1ABCDEFGH", gap_ms=7)
    events[-1] = ("\r", events[-2][1] + 300)
    assert replay_events(WedgeDetector(), events)[0].kind == "typing"


def test_a_scan_after_typing_is_separated_from_what_was_typed() -> None:
    events = _typed("138", [150, 150, 150])[:-1]  # a person starts typing, no Enter
    events += simulate_scan("4006381333931", start_ms=2000, gap_ms=8)
    decision = replay_events(WedgeDetector(), events)[0]
    assert decision.is_scan
    assert decision.text == "4006381333931"
    assert decision.typed_before == "138"


def test_other_keys_break_a_burst() -> None:
    detector = WedgeDetector()
    for i, char in enumerate("ABCDEFG"):
        detector.feed_char(char, i * 7)
    detector.feed_other(50)
    assert detector.feed_enter(55).kind == "typing"
    # ... and the detector starts over after Enter.
    assert replay_events(detector, simulate_scan("ABCDEFG", start_ms=100))[0].is_scan


def test_a_long_pause_mid_burst_starts_a_new_run() -> None:
    events = simulate_scan("ABCDEF", gap_ms=7)[:-1] + simulate_scan(
        "GHIJKLMN", start_ms=500, gap_ms=7
    )
    decision = replay_events(WedgeDetector(), events)[0]
    assert decision.is_scan
    assert decision.text == "GHIJKLMN"
    assert decision.typed_before == "ABCDEF"


def test_enter_alone_and_backwards_clocks() -> None:
    detector = WedgeDetector()
    assert detector.feed_enter(10).kind == "typing"
    events = [(c, 1000 - i) for i, c in enumerate("ABCDEFGH")] + [("\r", 990)]
    assert replay_events(detector, events)[0].is_scan  # zero gaps, never negative


def test_thresholds_are_configurable_and_validated() -> None:
    strict = WedgeDetector(WedgeThresholds(max_mean_gap_ms=5, max_gap_ms=10, min_length=10))
    assert not replay_events(strict, simulate_scan("ABCDEFGHIJ", gap_ms=7))[0].is_scan
    loose = WedgeDetector(WedgeThresholds(max_mean_gap_ms=50, max_gap_ms=100, min_length=3))
    assert replay_events(loose, simulate_scan("ABC", gap_ms=45))[0].is_scan
    with pytest.raises(ValueError):
        WedgeThresholds(max_mean_gap_ms=70, max_gap_ms=60)
    with pytest.raises(ValueError):
        WedgeThresholds(min_length=0)


def test_every_code_kind_survives_a_simulated_wedge_scanner() -> None:
    rng = random.Random(4)
    payloads = [
        make_dynamic(MemberId("7K2M9QX4"), SECRET, T0),
        make_static(MemberId("7K2M9QX4"), rng.randbytes(10)),
        make_provisional(TerminalId("S01T2"), 17),
        make_coupon(CouponCode("NEWMEMBER10")),
        make_ean13("690123456789"),
    ]
    detector = WedgeDetector()
    t = 0.0
    for payload in payloads:
        # Wrong Caps Lock state and jitter, as a real wedge might deliver it.
        typed = payload.swapcase()
        events = [(c, t + i * rng.uniform(6.5, 9.0)) for i, c in enumerate(typed)]
        events.append(("\r", events[-1][1] + 8))
        decision = replay_events(detector, events)[0]
        assert decision.is_scan
        assert parse_scan(decision.text).payload == payload
        t = events[-1][1] + 1000
    scanned = parse_scan(payloads[0].swapcase() + "\r\n")
    assert isinstance(scanned, DynamicMemberCode)
    assert verify_dynamic(scanned, SECRET, T0 + 1).ok

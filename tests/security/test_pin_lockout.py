"""Guessing a PIN at the till: after a few wrong PINs each attempt waits (refused unchecked),
at ten the account locks until another manager unlocks it or the lock time passes; the count
survives a restart, a right PIN resets it, and every failure, lock and unlock is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from till_helpers import PINS, T0, make_till

from posloyalty.clock import FixedClock
from posloyalty.domain.pin_policy import PinPolicy
from posloyalty.terminal.adjustments import adjust_points
from posloyalty.terminal.context import TerminalContext, context_from_store
from posloyalty.terminal.counter import sign_in, verify_manager
from posloyalty.terminal.errors import CheckoutError
from posloyalty.terminal.staff import PinRefused, unlock_staff
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.errors import StoreDataError
from posloyalty.tilldb.models import AuditEntry, PinAttempts

POLICY = PinPolicy()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def path(tmp_path: Path, clock: FixedClock) -> Path:
    p = tmp_path / "terminal.db"
    make_till(p, clock)
    return p


@pytest.fixture
def ctx(path: Path, clock: FixedClock) -> Iterator[TerminalContext]:
    db = Database.open(path, clock=clock)
    yield context_from_store(db, "c1")
    db.close()


def _audit(ctx: TerminalContext, *actions: str) -> list[AuditEntry]:
    with ctx.db.read() as session:
        rows = session.query(AuditEntry).order_by(AuditEntry.id).all()
    return [r for r in rows if not actions or r.action in actions]


def _guess(ctx: TerminalContext, clock: FixedClock, staff: str, pins: Iterator[str]) -> int:
    """Guess like a script would, waiting out each delay; the attempts until the lock."""
    tries = 0
    for pin in pins:
        tries += 1
        try:
            verify_manager(ctx, staff, pin)
        except PinRefused as refused:
            if refused.outcome == "wait":
                assert "try again in" in str(refused)
                clock.advance(dt.timedelta(seconds=refused.seconds))
                continue
            if refused.outcome == "locked":
                return tries
            assert refused.outcome == "wrong"
            continue
        raise AssertionError(f"guessed {staff}'s PIN after {tries} tries")
    raise AssertionError("never locked")


def _wrong_pins() -> Iterator[str]:
    for n in range(10_000):
        pin = f"{n:04d}"
        if pin != PINS["m1"]:
            yield pin


def test_a_manager_pin_cannot_be_brute_forced(ctx: TerminalContext, clock: FixedClock) -> None:
    tries = _guess(ctx, clock, "m1", _wrong_pins())
    assert tries <= POLICY.lock_after + POLICY.lock_after  # each wait refused unchecked
    # Locked: the right PIN is refused unchecked too.
    with pytest.raises(PinRefused, match="m1 is locked after too many wrong PINs") as refused:
        verify_manager(ctx, "m1", PINS["m1"])
    assert refused.value.outcome == "locked"
    failed = _audit(ctx, "pin_failed")
    assert len(failed) == POLICY.lock_after
    assert [r.detail["failures"] for r in failed] == list(range(1, POLICY.lock_after + 1))
    assert all(r.detail["staff"] == "m1" and r.cashier == "c1" for r in failed)
    assert len(_audit(ctx, "pin_locked")) == 1
    assert _audit(ctx, "pin_refused")  # the unchecked attempts show up too


def test_waits_grow_and_attempts_in_a_wait_are_not_checked(
    ctx: TerminalContext, clock: FixedClock
) -> None:
    for n in range(POLICY.free_failures):
        with pytest.raises(PinRefused, match="wrong manager id or PIN"):
            verify_manager(ctx, "m1", f"{n:04d}")
    waits = []
    for n in range(POLICY.lock_after - POLICY.free_failures - 1):
        with pytest.raises(PinRefused) as wait:  # the right PIN, but during the wait
            verify_manager(ctx, "m1", PINS["m1"])
        assert wait.value.outcome == "wait"
        waits.append(wait.value.seconds)
        clock.advance(dt.timedelta(seconds=wait.value.seconds))
        with pytest.raises(PinRefused, match="wrong manager id or PIN"):
            verify_manager(ctx, "m1", f"{n + 10:04d}")
    assert waits == [1, 2, 4, 8, 16, 32]
    with pytest.raises(PinRefused, match="try again in 64 s"):
        verify_manager(ctx, "m1", PINS["m1"])
    clock.advance(dt.timedelta(seconds=64))
    assert verify_manager(ctx, "m1", PINS["m1"]) == "m1"  # once the wait is over
    with ctx.db.read() as session:
        assert session.get(PinAttempts, "m1") is None  # success reset the count


def test_the_count_survives_a_restart_and_the_lock_times_out(path: Path, clock: FixedClock) -> None:
    db = Database.open(path, clock=clock)
    ctx = context_from_store(db, "c1")
    _guess(ctx, clock, "m1", _wrong_pins())
    db.close()
    db = Database.open(path, clock=clock)  # the till restarted
    ctx = context_from_store(db, "c1")
    try:
        with pytest.raises(PinRefused, match="locked"):
            verify_manager(ctx, "m1", PINS["m1"])
        clock.advance(dt.timedelta(seconds=POLICY.lock_s + 1))
        with pytest.raises(PinRefused) as refused:  # one try after the lock: wrong, locked again
            verify_manager(ctx, "m1", "0000")
        assert refused.value.outcome == "locked"
        clock.advance(dt.timedelta(seconds=POLICY.lock_s + 1))
        assert verify_manager(ctx, "m1", PINS["m1"]) == "m1"
    finally:
        db.close()


def test_the_lock_time_is_configured_in_the_settings(path: Path, clock: FixedClock) -> None:
    db = Database.open(path, clock=clock)
    with db.write() as session:
        repo.set_setting(session, "pin_lock_seconds", "60")
    ctx = context_from_store(db, "c1")
    try:
        _guess(ctx, clock, "m1", _wrong_pins())
        clock.advance(dt.timedelta(seconds=61))
        assert verify_manager(ctx, "m1", PINS["m1"]) == "m1"
    finally:
        db.close()


def test_only_another_manager_with_a_right_pin_unlocks(
    ctx: TerminalContext, clock: FixedClock
) -> None:
    _guess(ctx, clock, "m1", _wrong_pins())
    with pytest.raises(CheckoutError, match="cannot unlock their own account"):
        unlock_staff(ctx, "m1", manager_id="m1", manager_pin=PINS["m1"])
    with pytest.raises(PinRefused, match="wrong manager id or PIN"):
        unlock_staff(ctx, "m1", manager_id="m2", manager_pin="0000")
    with pytest.raises(PinRefused, match="c1 is not a manager"):
        unlock_staff(ctx, "m1", manager_id="c1", manager_pin=PINS["c1"])
    assert unlock_staff(ctx, "m1", manager_id="m2", manager_pin=PINS["m2"]) == POLICY.lock_after
    (unlocked,) = _audit(ctx, "pin_unlocked")
    assert unlocked.cashier == "m2" and unlocked.detail == {
        "staff": "m1",
        "failures": POLICY.lock_after,
    }
    assert verify_manager(ctx, "m1", PINS["m1"]) == "m1"


def test_crediting_points_by_guessing_the_manager_pin_is_locked_out(
    ctx: TerminalContext, clock: FixedClock
) -> None:
    outcomes = []
    for pin in _wrong_pins():
        try:
            adjust_points(
                ctx, member_id="M1", points=5000, reason="x", manager_id="m1", manager_pin=pin
            )
        except PinRefused as refused:
            assert str(refused).startswith("adjustment refused: ")
            outcomes.append(refused.outcome)
            if refused.outcome == "locked":
                break
            clock.advance(dt.timedelta(seconds=refused.seconds))
    with pytest.raises(PinRefused, match="adjustment refused: m1 is locked"):
        adjust_points(
            ctx, member_id="M1", points=5000, reason="x", manager_id="m1", manager_pin=PINS["m1"]
        )
    assert outcomes.count("wrong") == POLICY.lock_after - 1
    with ctx.db.read() as session:
        assert repo.ledger_sum(session, "M1") == 0
    assert len(_audit(ctx, "adjust_points_refused")) == len(outcomes) + 1


def test_cashier_sign_in_is_locked_out_too(ctx: TerminalContext, clock: FixedClock) -> None:
    for n in range(POLICY.lock_after):
        with pytest.raises(PinRefused) as refused:
            sign_in(ctx, "c1", f"{n:04d}")
        clock.advance(dt.timedelta(seconds=POLICY.delay_after(n + 1)))
    assert refused.value.outcome == "locked"
    with pytest.raises(PinRefused, match="c1 is locked"):
        sign_in(ctx, "c1", PINS["c1"])
    assert len(_audit(ctx, "sign_in_refused")) == POLICY.lock_after + 1


def test_unknown_ids_are_audited_but_not_counted(ctx: TerminalContext) -> None:
    with pytest.raises(PinRefused, match="wrong cashier id or PIN"):
        sign_in(ctx, "nobody", "1234")
    (failed,) = _audit(ctx, "pin_failed")
    assert failed.detail["known"] is False
    with ctx.db.read() as session:
        assert session.query(PinAttempts).count() == 0


def test_pins_have_4_to_12_digits(ctx: TerminalContext) -> None:
    with ctx.db.write() as session:
        repo.create_cashier(
            session, cashier_id="long", name="x", role="cashier", pin="1" * 12, at=T0
        )
        for bad in ("123", "1" * 13, "12a4", "١٢٣٤"):
            with pytest.raises(StoreDataError, match="4 to 12 digits"):
                repo.create_cashier(
                    session, cashier_id=f"b{bad}", name="x", role="cashier", pin=bad, at=T0
                )
    assert sign_in(ctx, "long", "1" * 12).cashier == "long"

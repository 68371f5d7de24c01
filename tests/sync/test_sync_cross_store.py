"""Balances across stores, conflicts told to the terminal, welcome coupons known to HQ: real
terminals and a real HQ (uvicorn on loopback)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sync_helpers import (
    STORE_T0,
    Hq,
    assert_converged,
    client,
    ctx,
    enrolled,
    phone_code,
    sell,
)

from posloyalty.clock import FixedClock
from posloyalty.domain.ids import MemberId
from posloyalty.hq.models import Conflict, Coupon, LedgerEntry, Member, MemberAlias
from posloyalty.sync.client import read_state
from posloyalty.terminal.checkout import CheckoutSession
from posloyalty.terminal.context import ALLOWANCE_KEY
from posloyalty.terminal.errors import CheckoutError
from posloyalty.terminal.identified import Identified
from posloyalty.terminal.registration import RegistrationForm, register
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.vault import open_vault


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[Hq]:
    server = Hq(f"sqlite:///{tmp_path / 'hq.sqlite'}").start()
    yield server
    server.close()


def ledger_ids(db: Database, *members: str) -> list[str]:
    with db.read() as session:
        return sorted(e.id for m in members for e in repo.ledger_for_member(session, m))


def hq_ledger_ids(hq: Hq, member: str) -> list[str]:
    with hq.db.transaction() as s:
        refs = select(MemberAlias.alias).where(MemberAlias.member_id == member)
        return sorted(s.scalars(select(LedgerEntry.id).where(LedgerEntry.member_ref.in_(refs))))


def hq_id(hq: Hq, alias: str) -> str:
    with hq.db.transaction() as s:
        found = s.scalar(select(MemberAlias.member_id).where(MemberAlias.alias == alias))
    assert found is not None
    return found


def test_points_earned_at_one_store_are_redeemed_at_another(hq: Hq, tmp_path: Path) -> None:
    # HQ's clock is the tills' (it signs balance confirmations as of its time).
    hq.clock.set(STORE_T0)
    hq.setup_chain("S1", 0)
    hq.setup_chain("S2", 0)
    clock_a, clock_b = FixedClock(STORE_T0), FixedClock(STORE_T0)
    a = enrolled(hq, tmp_path / "a.sqlite", "S1", clock_a)
    b = enrolled(hq, tmp_path / "b.sqlite", "S2", clock_b)
    for db in (a, b):
        client(db).sync()
    # The member registers at terminal A (store S1) and earns there.
    done = register(
        a,
        ctx(a).rules,
        RegistrationForm("13912345678", True),
        vault=open_vault(a, create=True),
        cashier="c1",
    )
    provisional = done.member_id
    for _ in range(4):
        clock_a.advance(minutes=1)
        sell(a, provisional, skus=("C3", "C3", "C3", "C3", "C3"))
    with a.read() as session:
        earned_at_a = repo.member_balance(session, provisional, clock_a.now()).available
    assert earned_at_a > 0
    assert client(a).sync().pending == 0
    member = hq_id(hq, provisional)
    # Terminal B (store S2) has never seen the member: its code is valid, the sale earns
    # parked points only; HQ verifies the code sent with the sale (the member was there) and
    # takes the member into S2's slice.
    with b.read() as session:
        assert repo.member_by_id(session, member) is None
    clock_b.advance(minutes=10)  # after A's sales
    sell(b, member, skus=("A1",), confirmed=False, code=phone_code(hq, member, clock_b.now()))
    clock_b.advance(minutes=1)
    state = client(b).sync()
    assert state.online and state.last_error is None
    with b.read() as session:
        balance = repo.member_balance(session, member, clock_b.now())
    # A's points arrived with the member (and B's own parked points were released).
    assert balance.available == earned_at_a + 10 and balance.pending == 0
    # HQ just confirmed the balance: B redeems beyond its offline allowance, from A's points.
    with b.write() as session:
        repo.set_setting(session, ALLOWANCE_KEY, "10")
    clock_b.advance(minutes=1)
    spend = earned_at_a - 5
    sale_id = sell(b, member, skus=("C3",), redeem=spend)
    with b.read() as session:
        after = repo.member_balance(session, member, clock_b.now())
        entries = repo.ledger_for_sale(session, sale_id)
    assert -sum(r.entry.points for r in entries if r.entry.kind == "redeem") == spend
    earned_now = sum(r.entry.points for r in entries if r.entry.kind == "earn")
    assert after.available == earned_at_a + 10 - spend + earned_now
    for db in (b, a, b):
        state = client(db).sync()
        assert state.pending == 0 and state.last_error is None
    # HQ's ledger is the union of both terminals', once; each terminal holds all of it.
    assert_converged(hq, [a, b])
    everything = hq_ledger_ids(hq, member)
    assert len(everything) == len(set(everything))
    assert ledger_ids(b, member) == everything
    # A keeps the member's history under the id it registered the member with.
    assert ledger_ids(a, provisional) == everything and ledger_ids(a, member) == []
    assert read_state(a).conflicts == read_state(b).conflicts == 0
    hq.clock.set(clock_b.now())
    hq.svc.run_jobs()
    with hq.db.transaction() as s:
        hq_state = s.get_one(Member, member).state
        assert s.scalars(select(Conflict)).all() == []
    assert hq_state["available"] == after.available
    clock_a.advance(minutes=30)
    with a.read() as session:
        at_a = repo.member_balance(session, provisional, clock_a.now()).available
    assert at_a == after.available
    # A sale at B does not overwrite the pulled history: the balance stays the ledger's.
    clock_b.advance(minutes=1)
    sell(b, member, skus=("A1",), may_redeem=True)
    with b.read() as session:
        assert repo.member_balance(session, member, clock_b.now()).available == (
            after.available + 10
        )
        row = repo.member_by_id(session, member)
        assert row is not None and row.cached_points == after.available + 10


def test_an_overdraft_at_hq_is_recorded_on_the_terminal(hq: Hq, tmp_path: Path) -> None:
    (member,) = hq.setup_chain("S1", 1)
    clocks = [FixedClock(STORE_T0), FixedClock(STORE_T0)]
    a, b = (enrolled(hq, tmp_path / f"{n}.sqlite", "S1", clocks[i]) for i, n in enumerate("ab"))
    client(a).sync()
    for _ in range(3):
        clocks[0].advance(minutes=1)
        sell(a, member, skus=("C3", "C3", "C3", "C3", "C3"))
    clocks[1].advance(minutes=10)
    for db in (a, b):
        client(db).sync()
    with b.read() as session:  # A's points reached B
        available = repo.member_balance(session, member, clocks[1].now()).available
    assert available > 0
    # Both terminals go offline (the confirmation ages) and each redeems most of the balance.
    spend = available * 2 // 3
    for i, db in enumerate((a, b)):
        clocks[i].advance(hours=1)
        with db.write() as session:
            repo.set_setting(session, ALLOWANCE_KEY, str(spend))
        sell(db, member, skus=("C3",), redeem=spend)
    assert client(a).sync().conflicts == 0
    state = client(b).sync()
    assert state.pending == 0 and state.conflicts == 1
    (conflict,) = state.recent_conflicts
    assert conflict.kind == "ledger_entry"
    assert conflict.reason.startswith("conflict:overdraft: ")
    assert f"member {member}" in conflict.reason
    with hq.db.transaction() as s:
        (recorded,) = s.scalars(select(Conflict)).all()
        assert (recorded.kind, recorded.item_id) == ("overdraft", conflict.item_id)
    assert read_state(a).conflicts == 0


def test_a_welcome_coupon_given_at_the_terminal_is_known_to_hq(hq: Hq, tmp_path: Path) -> None:
    hq.setup_chain("S1", 0)
    clock = FixedClock(STORE_T0)
    db = enrolled(hq, tmp_path / "t.sqlite", "S1", clock)
    client(db).sync()
    done = register(
        db,
        ctx(db).rules,
        RegistrationForm("13912345679", True),
        vault=open_vault(db, create=True),
        cashier="c1",
    )
    (welcome,) = done.welcome.coupons
    # Used on the first purchase, before the terminal synced.
    s = CheckoutSession(ctx(db))
    s.scan("C3")
    s.scan("C3")
    s.identify(
        Identified(MemberId(done.member_id), "provisional", may_redeem=False, confirmed=True)
    )
    s.add_coupon(welcome.code)
    s.begin_payment()
    s.add_payment("card")
    sale_id = s.commit().sale_id
    state = client(db).sync()
    assert state.pending == 0 and state.conflicts == 0 and state.last_error is None
    member = hq_id(hq, done.member_id)
    with hq.db.transaction() as s_:
        coupon = s_.get(Coupon, welcome.code)
        assert coupon is not None
        assert (coupon.member_id, coupon.template, coupon.used_sale_id) == (
            member,
            welcome.template,
            sale_id,
        )
        assert s_.scalars(select(Conflict)).all() == []
    # After the pull the coupon is still held by the id the counter knows (and used).
    with pytest.raises(CheckoutError, match="already used"):
        again = CheckoutSession(ctx(db))
        again.scan("C3")
        again.identify(
            Identified(MemberId(done.member_id), "provisional", may_redeem=False, confirmed=True)
        )
        again.add_coupon(welcome.code)

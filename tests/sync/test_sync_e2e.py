"""Terminals and a real HQ (uvicorn on loopback) through a fault-injecting proxy.

Convergence: whatever the network and HQ do (dropped bodies, resets, delays, duplicated
requests, lost answers, an HQ restart mid-push), HQ ends up with exactly the union of what the
terminals committed. Pull: every change once, a first snapshot, revocations and secrets reach
the terminal. Offline redemption at two terminals stands and is bounded.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from hq_helpers import member_pii
from sync_helpers import (
    FAST,
    PRODUCTS,
    STORE_T0,
    FaultProxy,
    Hq,
    assert_converged,
    client,
    ctx,
    enrolled,
    pending,
    phone_code,
    postgres_database,
    random_plan,
    sell,
)

from posloyalty.clock import FixedClock
from posloyalty.domain import codes
from posloyalty.domain.ids import MemberId
from posloyalty.hq import admin, members
from posloyalty.hq.models import Conflict, Member
from posloyalty.sync import inbound
from posloyalty.sync.client import SyncClient, read_state
from posloyalty.sync.protocol import PullResponse
from posloyalty.terminal.allowance import offline_allowance
from posloyalty.terminal.context import ALLOWANCE_KEY
from posloyalty.terminal.errors import CheckoutError
from posloyalty.terminal.identified import Identified
from posloyalty.terminal.member_scan import identify
from posloyalty.terminal.registration import RegistrationForm, register
from posloyalty.tilldb import member_codes, repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.models import Member as TerminalMember
from posloyalty.tilldb.models import Product
from posloyalty.tilldb.vault import open_vault


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[Hq]:
    server = Hq(f"sqlite:///{tmp_path / 'hq.sqlite'}").start()
    yield server
    server.close()


@pytest.fixture
def proxies() -> Iterator[list[FaultProxy]]:
    made: list[FaultProxy] = []
    yield made
    for proxy in made:
        proxy.close()


@pytest.fixture
def pg_hq() -> Iterator[Hq]:
    gen = postgres_database()
    url = next(gen)
    server = Hq(url).start()
    try:
        yield server
    finally:
        server.close()
        next(gen, None)


# --------------------------------------------------------------------------- convergence


FAULTS = {
    "pass": 0.45,
    "reset": 0.1,
    "drop_mid_body": 0.1,
    "delay": 0.1,
    "duplicate": 0.1,
    "drop_response": 0.1,
    "truncate_response": 0.05,
}


def _converge(
    hq: Hq, tmp_path: Path, proxies: list[FaultProxy], *, sales: int, seed: int, count: int = 2
) -> None:
    ids = hq.setup_chain("S1", 8)
    proxy = FaultProxy(hq.port, plan=lambda _p, _n: "pass", delay_s=0.2)
    proxies.append(proxy)
    clocks = [FixedClock(STORE_T0 + dt.timedelta(seconds=7 * i)) for i in range(count)]
    terminals = [
        enrolled(hq, tmp_path / f"t{i}.sqlite", "S1", clocks[i], url=proxy.url)
        for i in range(count)
    ]
    clients = [client(db, batch_items=25) for db in terminals]
    for c in clients:
        assert c.sync().online  # the first snapshot: members, rules, catalog
    # Offline: sales (members and anonymous) and a registration at each terminal.
    for i, db in enumerate(terminals):
        vault = open_vault(db, key_store="file")
        register(
            db,
            ctx(db).rules,
            RegistrationForm(phone=f"1370000000{i}", consent=True, name="New"),
            vault=vault,
            cashier="c1",
        )
        for n in range(sales):
            clocks[i].advance(minutes=3)
            sell(
                db, ids[(n + i) % len(ids)] if n % 5 else None, skus=("A1", "B2", "C3")[: 1 + n % 3]
            )
    assert all(pending(db) > sales for db in terminals)
    proxy.plan = random_plan(seed, FAULTS)
    restarted = threading.Event()
    at_restart: list[int] = []

    def restart_mid_push() -> None:
        deadline = time.monotonic() + 60
        while proxy.delivered["/v1/push"] < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        hq.restart()
        at_restart.append(proxy.forwarded["/v1/push"])
        proxy.upstream_port = hq.port
        restarted.set()

    restarter = threading.Thread(target=restart_mid_push)
    restarter.start()
    states: list[Any] = [None] * count

    def drain(i: int) -> None:
        for _ in range(30):
            states[i] = clients[i].sync()
            if states[i].online and states[i].last_error is None and states[i].pending == 0:
                return

    threads = [threading.Thread(target=drain, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    restarter.join(timeout=60)
    assert restarted.is_set() and proxy.forwarded["/v1/push"] > at_restart[0]
    assert all(s is not None and s.pending == 0 for s in states), states
    # Every fault kind happened, and HQ ends with exactly what the terminals committed.
    assert all(proxy.faults[f] > 0 for f in FAULTS), proxy.faults
    assert_converged(hq, terminals)
    pushed = hq.pushed()
    assert pushed["registration"] == count and pushed["sale"] == count * sales
    with hq.db.transaction() as s:
        assert not s.query(Conflict).filter(Conflict.kind == "payload_mismatch").count()
    # After HQ's jobs, the registered members come back to the terminals with HQ ids.
    proxy.plan = lambda _p, _n: "pass"
    hq.svc.run_jobs()
    for c, db in zip(clients, terminals, strict=True):
        assert c.sync().last_error is None
        with db.read() as session:
            confirmed = session.query(TerminalMember).filter(TerminalMember.hq_version > 0).count()
            assert confirmed >= len(ids)


def test_terminals_converge_through_faults_and_an_hq_restart(
    hq: Hq, tmp_path: Path, proxies: list[FaultProxy]
) -> None:
    _converge(hq, tmp_path, proxies, sales=80, seed=5)


@pytest.mark.postgres
def test_terminals_converge_on_postgresql(
    pg_hq: Hq, tmp_path: Path, proxies: list[FaultProxy]
) -> None:
    _converge(pg_hq, tmp_path, proxies, sales=150, seed=11)


@pytest.mark.slow
@pytest.mark.postgres
def test_three_terminals_converge_on_postgresql_with_more_sales(
    pg_hq: Hq, tmp_path: Path, proxies: list[FaultProxy]
) -> None:
    _converge(pg_hq, tmp_path, proxies, sales=300, seed=23, count=3)


# --------------------------------------------------------------------------- pull


def test_cursor_pull_applies_every_change_once(hq: Hq, tmp_path: Path) -> None:
    ids = hq.setup_chain("S1", 30)
    hq.setup_chain("S2", 0)
    other = hq.svc.register_member("S2", "13600000001", "Elsewhere", None, True)
    seen: list[int] = []

    def record(response: requests.Response, *_a: Any, **_k: Any) -> None:
        if response.url.endswith("/v1/pull") and response.status_code == 200:
            seen.extend(c.seq for c in PullResponse.model_validate_json(response.content).changes)

    clock = FixedClock(STORE_T0)
    db = enrolled(hq, tmp_path / "t.sqlite", "S1", clock)
    http = requests.Session()
    http.hooks["response"].append(record)
    c = client(db, http=http, pull_limit=7)
    report = c.pull()
    assert report.pages >= 10  # the first snapshot, in pages of 7
    assert len(seen) == len(set(seen)) == report.changes and seen == sorted(seen)
    with db.read() as session:
        got = {m.id for m in session.query(TerminalMember)}
        assert got == set(ids)  # the store's slice only
        assert other.member_id not in got
        assert session.query(Product).count() == len(PRODUCTS)
        vault = open_vault(db, create=False)
        secrets_ok = [member_codes.member_secret(session, vault, m) for m in ids]
    assert secrets_ok == [member_pii(hq.db, m).secret for m in ids]
    # Nothing new: an empty page, the cursor stays.
    seen.clear()
    assert c.pull().changes == 0 and seen == []
    # Deltas: a price change, a revoked card, a coupon, a member's new state.
    hq.db.run(lambda s: admin.import_catalog(s, [PRODUCTS[0] | {"price": "12.00"}]))
    digest = codes.token_digest("SOME-CARD-TOKEN")
    hq.db.run(lambda s: admin.revoke_card(s, digest, hq.clock.now(), "lost"))
    coupon = hq.db.run(
        lambda s: members.issue_coupon(
            s,
            ids[0],
            template="welcome5",
            valid_from=hq.clock.now(),
            valid_until=hq.clock.now() + dt.timedelta(days=9),
            at=hq.clock.now(),
        )
    )
    hq.svc.run_jobs()
    report = c.pull()
    assert len(seen) == len(set(seen)) == report.changes
    with db.read() as session:
        assert session.get_one(Product, "A1").price_fen == 1200
        assert member_codes.is_revoked(session, digest)
        assert repo.get_cursor(session, inbound.CURSOR_NAME) == str(report.cursor)
        assert (
            session.connection()
            .exec_driver_sql("SELECT member FROM member_coupons WHERE code = ?", (coupon.code,))
            .scalar()
            == ids[0]
        )
    # The pulled secret verifies the member's dynamic code offline.
    secret = member_pii(hq.db, ids[0]).secret
    shown = codes.make_dynamic(MemberId(ids[0]), secret, int(clock.now().timestamp()))
    outcome = identify(shown, db=db, vault=open_vault(db, create=False))
    assert isinstance(outcome, Identified) and outcome.member_id == ids[0] and outcome.confirmed


def test_a_new_terminal_gets_the_same_snapshot(hq: Hq, tmp_path: Path) -> None:
    hq.setup_chain("S1", 12)
    first = enrolled(hq, tmp_path / "a.sqlite", "S1", FixedClock(STORE_T0))
    client(first).sync()
    second = enrolled(hq, tmp_path / "b.sqlite", "S1", FixedClock(STORE_T0))
    client(second, pull_limit=1000).sync()

    def directory(db: Database) -> Any:
        with db.read() as session:
            conn = session.connection()
            return [
                conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY 1").all()
                for t in ("members", "products", "rule_documents")
            ]

    assert directory(first) == directory(second)


def test_garbage_from_hq_changes_nothing(hq: Hq, tmp_path: Path) -> None:
    hq.setup_chain("S1", 3)
    db = enrolled(hq, tmp_path / "t.sqlite", "S1", FixedClock(STORE_T0))
    bad = json.dumps(
        {
            "changes": [{"seq": 1, "kind": "product", "key": "A1", "data": {"sku": 5}}],
            "next_cursor": 1,
            "more": False,
            "server_time": "2026-11-26T10:00:00+00:00",
        }
    ).encode()
    http = requests.Session()

    def corrupt(response: requests.Response, *_a: Any, **_k: Any) -> requests.Response:
        if response.url.endswith("/v1/pull"):
            response._content = bad
        return response

    http.hooks["response"].append(corrupt)
    state = client(db, http=http).sync()
    assert state.online and state.last_error is not None
    assert "HQ sent a bad change 1 (product 'A1')" in state.last_error
    with db.read() as session:
        assert inbound.get_cursor(session) == 0
        assert session.query(Product).count() == 0
    response_garbage = requests.Session()

    def nonsense(response: requests.Response, *_a: Any, **_k: Any) -> requests.Response:
        response._content = b"<html>proxy error</html>"
        return response

    response_garbage.hooks["response"].append(nonsense)
    state = client(db, http=response_garbage).sync()
    assert state.last_error is not None and "garbage" in state.last_error
    assert client(db).sync().last_error is None  # a clean answer applies as usual
    with db.read() as session:
        assert session.query(Product).count() == len(PRODUCTS)


# --------------------------------------------------------------------------- redemption


def test_two_terminals_redeem_offline_and_both_sales_stand(hq: Hq, tmp_path: Path) -> None:
    (member,) = hq.setup_chain("S1", 1)
    clocks = [FixedClock(STORE_T0), FixedClock(STORE_T0)]
    a, b = (enrolled(hq, tmp_path / f"{n}.sqlite", "S1", clocks[i]) for i, n in enumerate("ab"))
    for db in (a, b):
        client(db).sync()
    allowance = 1000  # this terminal's offline allowance (a setting; the rules say 3000)
    for db in (a, b):
        with db.write() as session:
            repo.set_setting(session, ALLOWANCE_KEY, str(allowance))
    # The member earns at terminal A; both terminals come to hold that history.
    for _ in range(8):
        clocks[0].advance(minutes=1)
        sell(a, member, skus=("C3", "C3", "C3", "C3", "C3"))
    client(a).sync()
    with a.read() as session:
        history = session.connection().exec_driver_sql("SELECT * FROM ledger_entries").all()
        earned = sum(r[3] for r in history)
    # B holds A's entries too (the sale rows stay at A), as if it had the same history.
    with b.write() as session:
        columns = ", ".join(["?"] * len(history[0]))
        session.connection().exec_driver_sql(
            f"INSERT INTO ledger_entries VALUES ({columns})",
            [(*r[:9], None, *r[10:]) for r in history],
        )
        repo.refresh_cached_balance(session, member, clocks[1].now())
    assert earned > allowance
    # Offline, each terminal redeems up to the allowance; more is refused at the counter.
    spend = min(allowance, earned * 2 // 3)
    for i, db in enumerate((a, b)):
        clocks[i].advance(minutes=30)
        sell(db, member, skus=("C3",), redeem=spend)
        with pytest.raises(CheckoutError, match="offline redemption limit"):
            sell(db, member, skus=("C3",), redeem=allowance - spend + 100)
        with db.read() as session:
            assert offline_allowance(session, ctx(db), member, clocks[i].now()).left == (
                allowance - spend
            )
    for db in (a, b):
        assert client(db).sync().pending == 0
    hq.svc.run_jobs()
    # Both sales stand at HQ; the overdraft is recorded and bounded by one allowance.
    ledger = [e for e in hq.ledger().values() if e[0] == member]
    assert -sum(e[2] for e in ledger if e[1] == "redeem") == 2 * spend
    overdraft = -sum(e[2] for e in ledger)
    assert 0 < overdraft <= allowance
    with hq.db.transaction() as s:
        (conflict,) = s.query(Conflict).filter(Conflict.kind == "overdraft").all()
        assert conflict.member_id == member
        assert conflict.detail["redeemed_in_batch"] == spend
        assert conflict.detail["beyond_allowance"] is False
        state = s.get_one(Member, member).state
    assert state["available"] == -overdraft
    # The confirmed (negative) balance flows back; the terminals lift nothing beyond it.
    client(a).sync()
    with a.read() as session:
        assert session.get_one(TerminalMember, member).cached_points == -overdraft


# --------------------------------------------------------------------------- credentials


def test_a_revoked_terminal_stops_without_a_retry_storm(
    hq: Hq, tmp_path: Path, proxies: list[FaultProxy]
) -> None:
    hq.setup_chain("S1", 1)
    proxy = FaultProxy(hq.port)
    proxies.append(proxy)
    db = enrolled(hq, tmp_path / "t.sqlite", "S1", FixedClock(STORE_T0), url=proxy.url)
    sleeps: list[float] = []
    c = SyncClient(db, backoff=FAST, sleep=sleeps.append, random=lambda: 0.5)
    assert c.sync().online
    sell(db, None)
    assert c.sync().pending == 0
    with db.read() as session:
        terminal = repo.get_setting(session, "terminal")
    assert terminal is not None
    hq.svc.revoke_terminal(terminal)
    sell(db, None)
    before = sum(proxy.counts.values())
    state = c.sync()
    assert state.connection == "revoked" and not state.online
    assert state.last_error is not None and "terminal revoked" in state.last_error
    assert sum(proxy.counts.values()) == before + 1 and sleeps == []
    assert state.pending == 1  # nothing marked sent
    assert read_state(db).connection == "revoked"
    # A credential HQ does not know: not enrolled.
    path = db.path.with_name(db.path.name + ".credential")
    path.write_text(json.dumps({"terminal_id": terminal, "token": "forged"}))
    assert SyncClient(db, backoff=FAST, sleep=sleeps.append).sync().connection == "not_enrolled"
    assert sleeps == []


# --------------------------------------------------------------------------- kill -9


def test_a_terminal_killed_mid_push_converges_on_the_next_sync(
    hq: Hq, tmp_path: Path, proxies: list[FaultProxy]
) -> None:
    ids = hq.setup_chain("S1", 5)
    proxy = FaultProxy(hq.port, delay_s=3.0)
    proxies.append(proxy)
    clock = FixedClock(STORE_T0)
    db = enrolled(hq, tmp_path / "t.sqlite", "S1", clock, url=proxy.url)
    assert client(db).sync().online
    for n in range(60):
        clock.advance(minutes=2)
        sell(db, ids[n % 5] if n % 4 else None)
    # From the 4th push on, HQ's answers are held back: the kill lands between HQ storing a
    # batch and the terminal hearing of it.
    proxy.plan = lambda path, n: "delay_response" if path == "/v1/push" and n >= 4 else "pass"
    command = [sys.executable, "-m", "posloyalty.cli", "sync", "now", "--db", str(db.path)]
    child = subprocess.Popen(
        [*command, "--batch-items", "10"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    # Killed while HQ has stored its 4th batch and the answer is still on the way.
    while proxy.forwarded["/v1/push"] < 4 and time.monotonic() < deadline:
        assert child.poll() is None, child.stderr.read() if child.stderr else ""
        time.sleep(0.005)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    if child.stderr:
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert proxy.delivered["/v1/push"] == 3
    left = pending(db)
    assert 0 < left < 60  # 3 batches were marked sent before the kill
    proxy.plan = lambda _p, _n: "pass"
    state = client(db).sync()
    assert state.online and state.pending == 0 and state.last_error is None
    assert_converged(hq, [db])
    assert hq.pushed()["sale"] == 60


def test_points_parked_for_an_unconfirmed_member_are_released_when_hq_confirms(
    hq: Hq, tmp_path: Path
) -> None:
    hq.setup_chain("S1", 1)
    hq.setup_chain("S2", 0)
    visitor = hq.svc.register_member("S2", "13600000002", "Visitor", None, True).member_id
    clock = FixedClock(STORE_T0)
    db = enrolled(hq, tmp_path / "t.sqlite", "S1", clock)
    c = client(db)
    c.sync()
    with db.read() as session:
        assert session.get(TerminalMember, visitor) is None  # not in this store's slice
    # A valid code, member unknown here: HQ checks it when the sale arrives.
    sell(db, visitor, skus=("C3",), confirmed=False, code=phone_code(hq, visitor, clock.now()))
    with db.read() as session:
        parked = repo.member_balance(session, visitor, clock.now())
    assert parked.available == 0 and parked.pending == 39
    clock.advance(seconds=5)
    # The sale reaches HQ, which takes the visitor into S1's slice: the pull brings it back.
    state = c.sync()
    assert state.online and state.pending == 2  # the release, queued for HQ
    with db.read() as session:
        row = session.get(TerminalMember, visitor)
        assert row is not None and row.hq_version > 0 and not row.provisional
        released = repo.member_balance(session, visitor, clock.now())
        kinds = [e.kind for e in repo.ledger_for_member(session, visitor)]
    assert (released.available, released.pending) == (39, 0)
    assert kinds == ["earn", "reverse", "earn"]
    assert c.sync().pending == 0
    assert_converged(hq, [db])
    hq.svc.run_jobs()
    with hq.db.transaction() as s:
        assert s.get_one(Member, visitor).state["available"] == 39


def test_a_terminal_killed_mid_pull_resumes_from_its_cursor(
    hq: Hq, tmp_path: Path, proxies: list[FaultProxy]
) -> None:
    hq.setup_chain("S1", 40)
    proxy = FaultProxy(hq.port, delay_s=3.0)
    proxies.append(proxy)
    db = enrolled(hq, tmp_path / "t.sqlite", "S1", FixedClock(STORE_T0), url=proxy.url)
    proxy.plan = lambda path, n: "delay_response" if path == "/v1/pull" and n >= 4 else "pass"
    command = [sys.executable, "-m", "posloyalty.cli", "sync", "now", "--db", str(db.path)]
    child = subprocess.Popen(
        [*command, "--pull-limit", "10"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while proxy.forwarded["/v1/pull"] < 4 and time.monotonic() < deadline:
        assert child.poll() is None
        time.sleep(0.005)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    with db.read() as session:
        cursor = inbound.get_cursor(session)
        members_then = session.query(TerminalMember).count()
    assert cursor > 0 and 0 < members_then < 40  # three pages applied, the fourth lost
    seen: list[int] = []

    def record(response: requests.Response, *_a: Any, **_k: Any) -> None:
        if response.url.endswith("/v1/pull") and response.status_code == 200:
            seen.extend(c.seq for c in PullResponse.model_validate_json(response.content).changes)

    proxy.plan = lambda _p, _n: "pass"
    http = requests.Session()
    http.hooks["response"].append(record)
    assert client(db, http=http, pull_limit=10).sync().last_error is None
    assert seen and min(seen) > cursor  # resumed after what was applied, nothing twice
    fresh = enrolled(hq, tmp_path / "fresh.sqlite", "S1", FixedClock(STORE_T0))
    client(fresh).sync()
    for table in ("members", "products", "rule_documents", "member_coupons"):
        rows = []
        for each in (db, fresh):
            with each.read() as session:
                rows.append(
                    session.connection().exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1").all()
                )
        assert rows[0] == rows[1], table

"""Backoff with jitter, retries and their limits, enrolment and the credential, the background
worker and the ``posloyalty sync`` commands."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sync_helpers import (
    STORE_T0,
    FaultProxy,
    Hq,
    assert_converged,
    client,
    enrolled,
    new_terminal,
    pending,
    sell,
)

from posloyalty import cli
from posloyalty.clock import FixedClock
from posloyalty.hq.services import HqConfig
from posloyalty.sync.client import Backoff, SyncClient, SyncState, credential_file, enroll
from posloyalty.sync.errors import Refused
from posloyalty.sync.worker import SyncWorker
from posloyalty.tilldb import repo
from posloyalty.tilldb.phone_key import phone_key_path


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[Hq]:
    server = Hq(f"sqlite:///{tmp_path / 'hq.sqlite'}").start()
    server.setup_chain("S1", 2)
    yield server
    server.close()


@pytest.fixture
def proxy(hq: Hq) -> Iterator[FaultProxy]:
    p = FaultProxy(hq.port)
    yield p
    p.close()


def scripted(*faults: str) -> Callable[[str, int], str]:
    queue = list(faults)
    lock = threading.Lock()

    def plan(_path: str, _n: int) -> str:
        with lock:
            return queue.pop(0) if queue else "pass"

    return plan


# --------------------------------------------------------------------------- backoff


def test_full_jitter_spreads_waits_under_an_exponential_cap() -> None:
    b = Backoff(base=0.5, cap=8.0, attempts=5)
    assert [b.delay(n, lambda: 0.5) for n in range(7)] == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert [b.delay(n, lambda: 0.0) for n in range(3)] == [0.0, 0.0, 0.0]
    assert b.delay(3, lambda: 0.999) == pytest.approx(3.996)
    assert b.delay(10_000, lambda: 0.5) == 4.0  # no overflow for a long outage


def test_network_faults_are_retried_with_backoff(hq: Hq, proxy: FaultProxy, tmp_path: Path) -> None:
    db = enrolled(hq, tmp_path / "t.sqlite", "S1", FixedClock(STORE_T0), url=proxy.url)
    sleeps: list[float] = []
    rolls = iter([0.1, 0.9, 0.5, 0.3])
    c = SyncClient(
        db,
        backoff=Backoff(base=1.0, cap=3.0, attempts=5),
        sleep=sleeps.append,
        random=lambda: next(rolls),
    )
    proxy.plan = scripted("reset", "drop_mid_body", "unavailable", "truncate_response")
    state = c.sync()
    assert state.online and state.last_error is None
    assert sleeps == pytest.approx([0.1 * 1, 0.9 * 2, 0.5 * 3, 0.3 * 3])


def test_retries_end_offline_and_nothing_is_lost(hq: Hq, proxy: FaultProxy, tmp_path: Path) -> None:
    db = enrolled(hq, tmp_path / "t.sqlite", "S1", FixedClock(STORE_T0), url=proxy.url)
    client(db).sync()
    sell(db, None)
    sleeps: list[float] = []
    proxy.plan = lambda _p, _n: "reset"
    c = SyncClient(db, backoff=Backoff(attempts=4), sleep=sleeps.append, random=lambda: 0.5)
    before = sum(proxy.counts.values())
    state = c.sync()
    assert state.connection == "offline" and not state.online and state.pending == 1
    assert state.last_error == "HQ cannot be reached (ConnectionError); tried 4 times"
    assert len(sleeps) == 3 and sum(proxy.counts.values()) == before + 4
    proxy.plan = lambda _p, _n: "pass"
    state = c.sync()
    assert state.online and state.pending == 0 and state.last_success is not None
    assert_converged(hq, [db])


def test_a_rate_limit_answer_is_honoured(tmp_path: Path) -> None:
    hq = Hq(f"sqlite:///{tmp_path / 'hq.sqlite'}", config=HqConfig(rate_per_s=0.01, rate_burst=2))
    hq.start()
    try:
        hq.setup_chain("S1", 1)
        db = enrolled(hq, tmp_path / "t.sqlite", "S1", FixedClock(STORE_T0))
        sleeps: list[float] = []
        c = SyncClient(
            db, backoff=Backoff(attempts=3, cap=30), sleep=sleeps.append, random=lambda: 0.0
        )
        # An empty outbox: one request (a pull) per sync; the third is over the limit.
        assert c.sync().online and c.sync().online
        state = c.sync()
        assert state.connection == "offline" and "slow down" in (state.last_error or "")
        assert sleeps and all(s >= 30 for s in sleeps)  # Retry-After (capped), not 0 jitter
    finally:
        hq.close()


# --------------------------------------------------------------------------- enrolment


def test_enrolment_keeps_the_credential_private(hq: Hq, tmp_path: Path) -> None:
    db = new_terminal(tmp_path / "t.sqlite", FixedClock(STORE_T0))
    result = enroll(db, hq.url, hq.svc.make_enrolment_code("S1"), name="till 1", key_store="file")
    assert result.store_id == "S1" and result.credential_store == "file" and not result.warnings
    path = credential_file(db.path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with db.read() as session:
        assert repo.get_setting(session, "terminal") == result.terminal_id
        assert repo.get_setting(session, "store") == "S1"
        key = repo.phone_key(session)
        dump = str(session.connection().exec_driver_sql("SELECT * FROM settings").all())
    token = json.loads(path.read_text())["token"]
    assert token not in dump and key and key not in dump  # the chain's key, kept outside
    assert stat.S_IMODE(phone_key_path(db.path).stat().st_mode) == 0o600
    with pytest.raises(Refused, match="unknown, used or expired"):
        enroll(db, hq.url, "AAAA-BBBB-CCCC", key_store="file")
    os.chmod(path, 0o644)
    assert "readable by others" in (client(db).sync().last_error or "")


class MemoryKeyring:
    """A keyring backend (the keyring package's interface) holding passwords in memory."""

    priority = 1

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, user: str, password: str) -> None:
        self.items[service, user] = password

    def get_password(self, service: str, user: str) -> str | None:
        return self.items.get((service, user))

    def delete_password(self, service: str, user: str) -> None:
        self.items.pop((service, user), None)


def test_the_credential_goes_to_a_usable_keyring(hq: Hq, tmp_path: Path) -> None:
    db = new_terminal(tmp_path / "t.sqlite", FixedClock(STORE_T0))
    ring = MemoryKeyring()
    result = enroll(db, hq.url, hq.svc.make_enrolment_code("S1"), keyring_backend=ring)
    assert result.credential_store == "keyring" and not credential_file(db.path).exists()
    assert ("posloyalty-sync", result.terminal_id) in ring.items
    assert SyncClient(db, keyring_backend=ring).sync().online
    assert client(db).sync().connection == "not_enrolled"  # no keyring in this process


# --------------------------------------------------------------------------- worker


def wait_for(check: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_the_worker_syncs_on_schedule_on_demand_and_through_an_outage(
    hq: Hq, proxy: FaultProxy, tmp_path: Path
) -> None:
    db = enrolled(hq, tmp_path / "t.sqlite", "S1", FixedClock(STORE_T0), url=proxy.url)
    states: list[SyncState] = []
    worker = SyncWorker(
        client(db, backoff=Backoff(base=0.01, cap=0.05, attempts=2)),
        interval=0.2,
        on_state=states.append,
    )
    worker.start()
    try:
        wait_for(lambda: bool(states) and states[-1].online)  # first round: the snapshot
        sell(db, None)
        wait_for(lambda: states[-1].pending == 0 and pending(db) == 0)  # on schedule
        worker.interval = 3600.0
        hq.stop()  # HQ goes away
        sell(db, None)
        worker.request_sync()
        wait_for(lambda: states[-1].connection == "offline")
        assert states[-1].pending == 1 and "HQ" in (states[-1].last_error or "")
        hq.start()  # back, on another port behind the same address
        proxy.upstream_port = hq.port
        worker.request_sync()
        wait_for(lambda: states[-1].online and states[-1].pending == 0)
        assert_converged(hq, [db])
    finally:
        assert worker.stop(timeout=10)


def test_the_worker_stops_promptly_mid_backoff(hq: Hq, proxy: FaultProxy, tmp_path: Path) -> None:
    db = enrolled(hq, tmp_path / "t.sqlite", "S1", FixedClock(STORE_T0), url=proxy.url)
    proxy.plan = lambda _p, _n: "reset"
    worker = SyncWorker(SyncClient(db, backoff=Backoff(base=30, cap=60, attempts=10)))
    worker.start()
    wait_for(lambda: sum(proxy.counts.values()) >= 1)
    started = time.monotonic()
    assert worker.stop(timeout=10)
    assert time.monotonic() - started < 5


def test_a_revoked_terminal_waits_the_refused_interval(
    hq: Hq, proxy: FaultProxy, tmp_path: Path
) -> None:
    db = enrolled(hq, tmp_path / "t.sqlite", "S1", FixedClock(STORE_T0), url=proxy.url)
    with db.read() as session:
        terminal = repo.get_setting(session, "terminal")
    assert terminal
    hq.svc.revoke_terminal(terminal)
    states: list[SyncState] = []
    worker = SyncWorker(client(db), interval=0.05, refused_interval=3600, on_state=states.append)
    worker.start()
    try:
        wait_for(lambda: bool(states))
        time.sleep(0.5)
        assert worker.rounds == 1 and states[-1].connection == "revoked"
        assert proxy.counts["/v1/pull"] == 1 and proxy.counts["/v1/push"] == 0
    finally:
        assert worker.stop()


# --------------------------------------------------------------------------- CLI


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = cli.main(["sync", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else None, err


def test_the_sync_commands(hq: Hq, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.sqlite"
    db = new_terminal(path, FixedClock(STORE_T0))
    code, out, _ = run_cli(capsys, "status", "--db", str(path))
    assert code == 0 and out["connection"] == "not_enrolled" and out["online"] is False
    code, out, err = run_cli(
        capsys, "enroll", "--db", str(path), "--hq", hq.url, "--code", "NOPE-NOPE-NOPE"
    )
    assert code == 2 and out is None and "posloyalty sync enroll: HQ refused" in err
    code, out, _ = run_cli(
        capsys,
        "enroll",
        "--db",
        str(path),
        "--hq",
        hq.url,
        "--code",
        hq.svc.make_enrolment_code("S1"),
        "--credential-store",
        "file",
    )
    assert code == 0 and out["store_id"] == "S1" and out["credential_store"] == "file"
    code, out, _ = run_cli(capsys, "now", "--db", str(path))
    assert code == 0 and out["online"] and out["pending"] == 0 and out["pulled"] > 0
    sell(db, None)
    code, out, _ = run_cli(capsys, "status", "--db", str(path))
    assert code == 0 and out["pending"] == 1 and out["last_success"] is not None
    code, out, _ = run_cli(capsys, "now", "--db", str(path), "--batch-items", "1")
    assert code == 0 and out["pending"] == 0 and out["pushed"] == 1
    code, _, err = run_cli(capsys, "now", "--db", str(path), "--batch-items", "0")
    assert code == 2 and "--batch-items" in err

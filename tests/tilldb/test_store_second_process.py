"""Other processes beside the till on its database: nothing committed is lost, no file is
deleted under the till (sqlite.org, "How To Corrupt An SQLite Database File", 2.2: closing any
descriptor of the database file drops every POSIX lock this process holds on it)."""

from __future__ import annotations

import gc
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from store_helpers import T0, add_member, earn_entry, make_sale, run_second_process, sale_outbox

from posloyalty.clock import FixedClock
from posloyalty.tilldb import repo
from posloyalty.tilldb.backup import restore
from posloyalty.tilldb.db import Database, _FileGuard, inspect_file
from posloyalty.tilldb.errors import DatabaseFileAccessError
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.till_lock import TillRunningError, till_running


def _new_database(path: Path, clock: FixedClock) -> None:
    db = Database.open(path, clock=clock, create=True)
    with db.write() as session:
        repo.ensure_phone_key(session)
    add_member(db, "M1", "13812345678")
    add_member(db, "M2", "13912345678")
    db.close()


def _open_as_the_till(path: Path, clock: FixedClock) -> Database:
    """As ``posloyalty run`` does: background checkpointer, held connections, start-up scan."""
    db = Database.open(path, clock=clock, background_checkpoint=0.05)
    with db.snapshot() as conn:
        conn.execute("SELECT count(*) FROM members").fetchone()
    inspect_file(path, integrity="quick_check")  # the window's start-up integrity scan
    return db


def _deleted_files_held(path: Path) -> list[str]:
    held = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(path)) and target.endswith("(deleted)"):
            held.append(target)
    return held


def _stored_sales(path: Path, member: str) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return {r[0] for r in conn.execute("SELECT id FROM sales WHERE member = ?", (member,))}
    finally:
        conn.close()


def test_other_processes_beside_the_till_lose_nothing(tmp_path: Path, clock: FixedClock) -> None:
    path = tmp_path / "terminal.db"
    _new_database(path, clock)
    till = _open_as_the_till(path, clock)
    ids = Uuid7(clock)
    till_sales: list[str] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def sell() -> None:
        try:
            while not stop.is_set():
                sale = make_sale(ids, clock.advance(seconds=1), amounts=(1000, 2550))
                with till.transaction() as conn:
                    repo.insert_sale(conn, sale, [earn_entry(ids, sale, 35)], sale_outbox(sale))
                till_sales.append(sale.id)
                time.sleep(0.002)  # hundreds of sales a second, yet room for the others' locks
        except BaseException as exc:
            errors.append(exc)

    seller = threading.Thread(target=sell)
    seller.start()
    others: list[str] = []
    try:
        for run in range(8):
            others += run_second_process(path, run, 5)
            assert _deleted_files_held(path) == []
    finally:
        stop.set()
        seller.join()
    assert errors == []
    assert _deleted_files_held(path) == []
    with till.read() as session:
        assert repo.ledger_sum(session, "M2") == 7 * len(others)
    till.close()
    assert len(till_sales) > 0 and len(others) == 40
    assert _stored_sales(path, "M1") == set(till_sales)
    assert _stored_sales(path, "M2") == set(others)


def test_opening_an_open_database_file_outside_sqlite_is_refused(
    tmp_path: Path, clock: FixedClock
) -> None:
    path = tmp_path / "terminal.db"
    _new_database(path, clock)
    till = _open_as_the_till(path, clock)
    other = tmp_path / "other.db"
    try:
        for attempt in (
            path.read_bytes,
            lambda: open(path, "rb").close(),
            lambda: os.close(os.open(f"{path}-wal", os.O_RDONLY)),
            lambda: os.close(os.open(tmp_path / "." / "terminal.db-shm", os.O_RDONLY)),
            lambda: shutil.copyfile(path, other),
            lambda: hashlib.file_digest(open(path, "rb"), "sha256"),  # noqa: SIM115
        ):
            with pytest.raises(DatabaseFileAccessError, match="outside SQLite"):
                attempt()
        (tmp_path / "terminal.db.txt").write_text("a neighbour is not the database")
        assert inspect_file(path) == inspect_file(path, integrity="none")
        assert _deleted_files_held(path) == []
    finally:
        till.close()
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"  # closed: an ordinary file again


def test_a_database_never_closed_stops_guarding_once_collected(
    tmp_path: Path, clock: FixedClock
) -> None:
    path = tmp_path / "terminal.db"
    _new_database(path, clock)
    db = Database.open(path, clock=clock)
    db.engine.dispose()
    del db
    gc.collect()
    assert path.read_bytes()[:6] == b"SQLite"


def test_the_readme_code_step_beside_a_running_till_is_safe(tmp_path: Path) -> None:
    """README: with the till open, `posloyalty codes demo-code --db var/terminal.db M000000001`."""
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    with subprocess.Popen(
        [
            *(
                sys.executable,
                "-m",
                "posloyalty.cli",
                "run",
                "--demo",
                "--quit-after",
                "60",
                "--no-hq",
            ),
            *("--demo-members", "100", "--no-customer-display", "--lang", "en"),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as till:
        _code_steps_beside(till, tmp_path, env)


def _code_steps_beside(till: subprocess.Popen[str], tmp_path: Path, env: dict[str, str]) -> None:
    try:
        assert till.stdout is not None
        assert "ready to scan" in till.stdout.readline()
        time.sleep(1.5)  # the window's background integrity scan has run
        for _ in range(3):
            code = subprocess.run(
                [
                    *(sys.executable, "-m", "posloyalty.cli", "codes", "demo-code"),
                    *("--db", "var/terminal.db", "M000000001"),
                ],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                env=env,
                timeout=60,
                check=False,
            )
            assert code.returncode == 0, code.stderr
            held = [
                os.readlink(f"/proc/{till.pid}/fd/{fd}")
                for fd in os.listdir(f"/proc/{till.pid}/fd")
            ]
            assert [f for f in held if "terminal.db" in f and "(deleted)" in f] == []
            assert any(f.endswith("terminal.db-wal") for f in held)
    finally:
        till.terminate()
        till.wait(timeout=30)


def test_a_second_till_or_a_restore_beside_a_running_till_is_refused(tmp_path: Path) -> None:
    env = {"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    run = [
        *(sys.executable, "-m", "posloyalty.cli", "run", "--demo", "--no-hq"),
        "--no-customer-display",
        *("--demo-members", "100", "--lang", "en"),
    ]
    with subprocess.Popen(
        [*run, "--quit-after", "60"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as till:
        try:
            assert till.stdout is not None
            assert "ready to scan" in till.stdout.readline()
            db = tmp_path / "var" / "terminal.db"
            assert (
                till_running(db) == f"{db}: a till is running on this database (process {till.pid})"
            )
            second = subprocess.run(
                [*run, "--quit-after", "0.5"],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                env=env,
                timeout=60,
                check=False,
            )
            assert second.returncode == 2
            assert f"a till is already running on this database (process {till.pid})" in (
                second.stderr
            )
            with pytest.raises(TillRunningError, match="close it first"):
                restore(db, tmp_path / "nowhere.db", now=T0)
        finally:
            till.terminate()
            till.wait(timeout=30)
    assert till_running(tmp_path / "var" / "terminal.db") is None


def test_a_close_from_a_finaliser_while_the_guard_is_busy_does_not_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Database collected without close() is forgotten by a finaliser, which the garbage
    collector may run on a thread that is inside the guard already (any allocation in add()):
    that close is applied, never waited for on the lock its own thread holds."""
    guard = _FileGuard()
    first = guard.add(tmp_path / "first.db")
    basename = os.path.basename
    fired: list[bool] = []

    def basename_with_a_finaliser(path: str) -> str:
        # Runs while add() below holds the guard's lock, as a finaliser would.
        if not fired and threading.current_thread().name == "adder":
            fired.append(True)
            guard.remove(first)
        return basename(path)

    monkeypatch.setattr(os.path, "basename", basename_with_a_finaliser)
    worker = threading.Thread(
        target=guard.add, args=(tmp_path / "second.db",), name="adder", daemon=True
    )
    worker.start()
    worker.join(timeout=10)
    monkeypatch.undo()
    assert fired and not worker.is_alive(), "the guard deadlocked on its own lock"
    assert guard._names == frozenset({"second.db"})

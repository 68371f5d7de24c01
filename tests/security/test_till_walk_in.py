"""Walking into a till: the launcher writes no demo data into a production, enrolled or
damaged database, and the production till starts only on an enrolled database with staff.
Every refusal leaves the file byte for byte as it was (hashed by another process)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from till_helpers import T0, file_hash, make_till, run_till

from posloyalty.clock import FixedClock
from posloyalty.resources import resources_dir
from posloyalty.terminal.demo_setup import ensure_demo_terminal
from posloyalty.terminal.launch import LaunchRefused, check_demo, check_production
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.preflight import startup_check, vouch_clean_close, voucher_path

RULES = (resources_dir() / "rules" / "miniso.toml").read_text(encoding="utf-8")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


def _damage(path: Path) -> None:
    """Overwrite a page in the middle of the file (the header stays valid)."""
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek(size // 2 // 4096 * 4096)
        fh.write(b"\xa5" * 4096)


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_demo_refuses_an_enrolled_production_database(tmp_path: Path, clock: FixedClock) -> None:
    db = tmp_path / "var" / "terminal.db"
    db.parent.mkdir()
    make_till(db, clock)
    before = file_hash(db)
    done = run_till(tmp_path, "--demo", "--no-hq", "--demo-members", "50")
    assert done.returncode == 2
    line = _one_line(done.stderr)
    assert "enrolled with HQ at https://hq.example.com" in line
    assert "the demo never writes into an enrolled database" in line
    assert file_hash(db) == before
    assert "ready to scan" not in done.stdout


def test_demo_refuses_a_database_with_other_data_or_damage(
    tmp_path: Path, clock: FixedClock
) -> None:
    plain = tmp_path / "plain.db"
    make_till(plain, clock, enrolled=False)
    before = file_hash(plain)
    with pytest.raises(LaunchRefused, match="holds data that is not the demo's"):
        ensure_demo_terminal(plain, clock=clock, rules_text=RULES, members=10, sales=0)
    assert file_hash(plain) == before

    damaged = tmp_path / "damaged.db"
    ensure_demo_terminal(damaged, clock=clock, rules_text=RULES, members=300, sales=0).db.close()
    _damage(damaged)
    before = file_hash(damaged)
    with pytest.raises(LaunchRefused, match="integrity check"):
        check_demo(damaged)
    done = run_till(tmp_path, "--demo", "--no-hq", "--db", str(damaged))
    assert done.returncode == 2
    assert "fails its integrity check" in _one_line(done.stderr)
    assert file_hash(damaged) == before


def test_a_demo_database_enrolled_beyond_this_machine_is_refused_too(
    tmp_path: Path, clock: FixedClock
) -> None:
    path = tmp_path / "demo.db"
    demo = ensure_demo_terminal(path, clock=clock, rules_text=RULES, members=20, sales=0)
    with demo.db.write() as session:
        repo.set_setting(session, "sync_hq_url", "https://hq.example.com")
        repo.set_setting(session, "sync_credential_store", "file")
    demo.db.close()
    before = file_hash(path)
    with pytest.raises(LaunchRefused, match="enrolled with HQ"):
        ensure_demo_terminal(path, clock=clock, rules_text=RULES, members=20, sales=0)
    assert file_hash(path) == before


def test_demo_reopens_its_own_database_and_marks_it(tmp_path: Path, clock: FixedClock) -> None:
    path = tmp_path / "demo.db"
    first = ensure_demo_terminal(path, clock=clock, rules_text=RULES, members=20, sales=0)
    assert first.created
    first.db.close()
    assert check_demo(path) is True
    again = ensure_demo_terminal(path, clock=clock, rules_text=RULES, members=20, sales=0)
    assert not again.created
    again.db.close()
    with pytest.raises(LaunchRefused, match="demo database; start it with `posloyalty run --demo`"):
        check_production(path, "demo")


def test_production_refuses_what_it_must_not_start_on(tmp_path: Path, clock: FixedClock) -> None:
    missing = tmp_path / "var" / "terminal.db"
    done = run_till(tmp_path, "--cashier", "c1")
    assert done.returncode == 2
    assert "no terminal database here" in _one_line(done.stderr)
    assert not missing.exists() and not missing.parent.exists()

    unenrolled = tmp_path / "unenrolled.db"
    make_till(unenrolled, clock, enrolled=False)
    before = file_hash(unenrolled)
    done = run_till(tmp_path, "--db", str(unenrolled), "--cashier", "c1")
    assert done.returncode == 2
    assert "not enrolled with HQ" in _one_line(done.stderr)
    assert file_hash(unenrolled) == before

    damaged = tmp_path / "damaged.db"
    make_till(damaged, clock)
    with sqlite3.connect(damaged) as conn:  # enough pages to damage one in the middle
        conn.execute("CREATE TABLE filler (x)")
        conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,) for _ in range(200)])
    conn.close()
    _damage(damaged)
    before = file_hash(damaged)
    done = run_till(tmp_path, "--db", str(damaged), "--cashier", "c1")
    assert done.returncode == 2
    assert "the database is damaged" in _one_line(done.stderr)
    assert file_hash(damaged) == before

    no_cashier = tmp_path / "ok.db"
    make_till(no_cashier, clock)
    before = file_hash(no_cashier)
    with pytest.raises(LaunchRefused, match="no staff account 'demo'"):
        check_production(no_cashier, "demo")
    done = run_till(tmp_path, "--db", str(no_cashier))
    assert done.returncode == 2
    assert "--cashier ID" in _one_line(done.stderr)
    assert file_hash(no_cashier) == before


def test_production_refuses_staff_with_the_published_demo_pins(
    tmp_path: Path, clock: FixedClock
) -> None:
    path = tmp_path / "terminal.db"
    make_till(path, clock)
    db = Database.open(path, clock=clock)
    with db.write() as session:
        repo.create_cashier(
            session, cashier_id="boss", name="x", role="manager", pin="9999", at=clock.now()
        )
    db.close()
    before = file_hash(path)
    with pytest.raises(LaunchRefused, match="boss still have the published demo PIN"):
        check_production(path, "c1")
    assert file_hash(path) == before


def test_production_starts_on_an_enrolled_database_with_staff(
    tmp_path: Path, clock: FixedClock
) -> None:
    path = tmp_path / "terminal.db"
    make_till(path, clock)
    done = run_till(tmp_path, "--db", str(path), "--cashier", "c1")
    assert done.returncode == 0, done.stderr
    assert "ready to scan" in done.stdout
    assert "demo" not in done.stdout and "PIN" not in done.stdout
    db = Database.open(path, clock=clock)
    try:
        with db.read() as session:
            assert repo.member_by_id(session, "M000000001") is None  # no demo data
            assert repo.get_setting(session, "terminal") == "T7"
    finally:
        db.close()


def test_a_clean_close_vouches_for_the_file_and_any_change_undoes_it(
    tmp_path: Path, clock: FixedClock
) -> None:
    # Issue 11: after a clean close that followed a passed full check, the next start checks
    # only lightly before the window (the full check runs behind it). A file changed since
    # (here damaged) is no longer vouched for: it gets the full check and is refused.
    path = tmp_path / "demo.db"
    ensure_demo_terminal(path, clock=clock, rules_text=RULES, members=300, sales=0).db.close()
    assert startup_check(path) == "quick_check"  # never vouched for
    done = run_till(tmp_path, "--demo", "--no-hq", "--db", str(path))
    assert done.returncode == 0, done.stderr
    assert "ready to scan" in done.stdout
    assert voucher_path(path).exists()
    assert startup_check(path) == "light"
    done = run_till(tmp_path, "--demo", "--no-hq", "--db", str(path))
    assert done.returncode == 0, done.stderr
    assert startup_check(path) == "light"

    _damage(path)
    assert startup_check(path) == "quick_check"
    before = file_hash(path)
    done = run_till(tmp_path, "--demo", "--no-hq", "--db", str(path))
    assert done.returncode == 2
    assert "fails its integrity check" in _one_line(done.stderr)
    assert file_hash(path) == before


def test_the_light_check_still_refuses_a_cut_short_file(tmp_path: Path, clock: FixedClock) -> None:
    path = tmp_path / "demo.db"
    ensure_demo_terminal(path, clock=clock, rules_text=RULES, members=300, sales=0).db.close()
    with path.open("r+b") as fh:
        fh.truncate(path.stat().st_size - 8192)
    vouch_clean_close(path)  # as if it had been cut short after a clean close
    assert startup_check(path) == "light"
    before = file_hash(path)
    with pytest.raises(LaunchRefused, match="the database is damaged"):
        check_demo(path)
    assert file_hash(path) == before


def test_the_light_check_still_refuses_damage_where_the_launcher_reads(
    tmp_path: Path, clock: FixedClock
) -> None:
    path = tmp_path / "demo.db"
    ensure_demo_terminal(path, clock=clock, rules_text=RULES, members=300, sales=0).db.close()
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'cashiers'").fetchone()
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with path.open("r+b") as fh:
        fh.seek((int(root[0]) - 1) * int(page_size))
        fh.write(b"\xa5" * int(page_size))
    vouch_clean_close(path)  # damaged after a clean close: the fingerprint cannot tell
    assert startup_check(path) == "light"
    before = file_hash(path)
    with pytest.raises(LaunchRefused, match="fails its integrity check"):
        check_demo(path)
    assert file_hash(path) == before

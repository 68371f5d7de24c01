"""Member identification at the counter with 1,000,000 members in the local slice.

Figures (p50/p99, each call in its own transaction as the till does):

- verify + lookup: a dynamic code parsed, the member's sealed secret read and opened
  (AES-GCM), the code verified (HMAC, window), the member row read; read-only;
- identify(): the whole service call, which also records the use in the persisted replay cache
  (BEGIN IMMEDIATE ... COMMIT, synchronous=FULL);
- identify() + member_view(): what the counter does per scan (ledger replayed for the points).

The database (demo members, every member given a sealed secret) is cached under /tmp and
reused while its schema is current.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from posloyalty.clock import FixedClock
from posloyalty.domain import codes
from posloyalty.domain.ids import MemberId
from posloyalty.terminal.member_scan import identify, member_view
from posloyalty.tilldb import member_codes, repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.demo import generate_demo, member_id
from posloyalty.tilldb.migrations import SCHEMA_VERSION
from posloyalty.tilldb.types import parse_ts
from posloyalty.tilldb.vault import Vault, open_vault

MEMBERS = 1_000_000
CACHE = Path("/tmp/posloyalty-bench-identify-1m.db")
SAMPLES = 2000
T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {p50 * 1000:.3f} ms  p99 {p99 * 1000:.3f} ms  (n={len(ordered)})"


def _cached_ok(clock: FixedClock) -> bool:
    if not CACHE.exists():
        return False
    try:
        db = Database.open(CACHE, clock=clock, integrity="none")
    except Exception:
        return False
    try:
        if db.schema_version() != SCHEMA_VERSION:
            return False
        with db.read() as session:
            conn = session.connection()
            n = conn.exec_driver_sql("SELECT count(*) FROM member_secrets").scalar_one()
        return int(n) == MEMBERS and open_vault(db, create=False) is not None
    except Exception:
        return False
    finally:
        db.close()


def _build(clock: FixedClock) -> None:
    for suffix in ("", "-wal", "-shm", ".key"):
        Path(f"{CACHE}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    db = Database.open(CACHE, clock=clock, create=True)
    with db.write() as session:
        repo.set_setting(session, "store", "S1")
        repo.set_setting(session, "terminal", "T1")
    generate_demo(db, members=MEMBERS, products=1000, sales=200_000, until=T0)
    vault = open_vault(db, key_store="file")
    assert vault is not None
    batch = 50_000
    for first in range(1, MEMBERS + 1, batch):
        ids = [member_id(n) for n in range(first, min(first + batch, MEMBERS + 1))]
        with db.write() as session:
            member_codes.put_member_secrets(
                session, vault, ((m, member_codes.demo_secret(m)) for m in ids), T0
            )
    db.close()
    print(
        f"   built {MEMBERS:,} members with sealed secrets in {time.perf_counter() - start:.1f} s"
    )


def _codes(members: list[int], clock: FixedClock) -> list[tuple[str, str]]:
    at = int(clock.now().timestamp())
    out = []
    for n in members:
        m = member_id(n)
        out.append((m, codes.make_dynamic(MemberId(m), member_codes.demo_secret(m), at)))
    return out


def _timed(items: list[tuple[str, str]], fn: Callable[[str, str], object]) -> list[float]:
    samples = []
    for m, code in items:
        start = time.perf_counter()
        fn(m, code)
        samples.append(time.perf_counter() - start)
    return samples


def run() -> None:
    clock = FixedClock(T0)
    if not _cached_ok(clock):
        _build(clock)
    else:
        print(f"   reusing {CACHE}")
    # As the till does: it opens without the scan and runs quick_check once the window is up,
    # which also reads the file into the OS page cache. Without it the first lookups of a run
    # measure the disk, not the code.
    db = Database.open(CACHE, clock=clock, integrity="quick_check")
    vault = open_vault(db, create=False)
    assert isinstance(vault, Vault)
    rng = random.Random(11)
    # A time step no earlier run used: its codes are in the persisted replay cache.
    with db.read() as session:
        last = session.connection().exec_driver_sql("SELECT max(used_at) FROM used_codes")
        last_used = last.scalar_one()
    now = dt.datetime.now(dt.UTC)
    if last_used is not None:
        now = max(now, parse_ts(last_used) + dt.timedelta(seconds=2 * codes.DEFAULT_STEP_S))
    clock.set(now)
    at_unix = int(clock.now().timestamp())

    def read_path(m: str, code: str) -> None:
        with db.read() as session:
            secret = member_codes.member_secret(session, vault, m)
            assert secret is not None
            result = codes.verify_dynamic(code, secret, at_unix)
            assert result.ok, result
            assert repo.member_by_id(session, m) is not None

    def full(m: str, code: str) -> None:
        outcome = identify(code, db=db, vault=vault)
        assert getattr(outcome, "may_redeem", False), outcome

    def with_view(m: str, code: str) -> None:
        full(m, code)
        assert member_view(db, m) is not None

    # Distinct members: one member's code is used once per time step.
    picked = rng.sample(range(1, MEMBERS + 1), 3 * SAMPLES + 200)
    batches = [_codes(picked[i : i + SAMPLES], clock) for i in range(200, len(picked), SAMPLES)]
    _timed(_codes(picked[:200], clock), read_path)
    print(f"   verify + lookup (read):     {_percentiles(_timed(batches[0], read_path))}")
    print(f"   identify() incl. replay row: {_percentiles(_timed(batches[1], full))}")
    print(f"   identify() + member_view():  {_percentiles(_timed(batches[2], with_view))}")
    db.close()


if __name__ == "__main__":
    run()

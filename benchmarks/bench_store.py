"""Terminal store: demo generation at chain scale, lookups, and sale commits.

Figures: time to build 1,000,000 members / 20,000 products / 100,000 sales; open time (with
``quick_check``); member lookup by id and by phone, product by EAN (p50/p99, each in its own
read transaction as the till does); ``record_sale`` commits per second (sale + 2 lines +
payment + ledger entry + outbox row + cache refresh, each its own BEGIN IMMEDIATE ... COMMIT
with synchronous=FULL) as a ratio to a bare sqlite3 loop committing one row per transaction
with the same pragmas, measured in the same run.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from posloyalty.clock import FixedClock, SystemClock
from posloyalty.domain.ids import CashierId, EntryId, LotId, MemberId, SaleId, StoreId, TerminalId
from posloyalty.domain.money import Fen
from posloyalty.domain.points import LedgerEntry
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.demo import generate_demo, member_id, member_phone, product_ean
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.records import OutboxMessage, PaymentRecord, SaleLineRecord, SaleRecord


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {p50 * 1000:.3f} ms  p99 {p99 * 1000:.3f} ms  (n={len(ordered)})"


def _time_each(keys: list[str], fn: Callable[[str], object]) -> list[float]:
    out = []
    for key in keys:
        start = time.perf_counter()
        fn(key)
        out.append(time.perf_counter() - start)
    return out


def _bare_commits(path: Path, n: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)")
    start = time.perf_counter()
    for i in range(n):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (v) VALUES (?)", (f"row {i}",))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return n / elapsed


def _store_commits(db: Database, n: int, members: int) -> float:
    clock = SystemClock()
    ids = Uuid7(clock)
    rng = random.Random(5)
    start = time.perf_counter()
    for _ in range(n):
        at = clock.now()
        sale_id = SaleId(ids.new())
        member = MemberId(member_id(rng.randrange(1, members + 1)))
        lines = (
            SaleLineRecord(
                0, "SKU000001", 1, Fen(1000), Fen(1000), Fen(950), discounts={"tier": 50}
            ),
            SaleLineRecord(1, "SKU000002", 2, Fen(500), Fen(1000), Fen(1000)),
        )
        sale = SaleRecord(
            sale_id,
            TerminalId("T1"),
            StoreId("S1"),
            CashierId("c1"),
            member,
            at,
            Fen(2000),
            Fen(1950),
            f"B-{sale_id}",
            lines,
            (PaymentRecord("cash", Fen(1950)),),
        )
        entry = LedgerEntry(
            EntryId(ids.new()),
            "earn",
            19,
            at,
            LotId(sale_id),
            at,
            at + dt.timedelta(days=365),
            sale_id,
        )
        with db.write() as session:
            repo.record_sale(
                session, sale, [entry], [OutboxMessage("sale", sale_id, {"id": sale_id})]
            )
    return n / (time.perf_counter() - start)


def run(
    members: int = 1_000_000,
    products: int = 20_000,
    sales: int = 100_000,
    lookups: int = 5_000,
    commits: int = 500,
) -> None:
    with tempfile.TemporaryDirectory(prefix="bench_store_") as tmp:
        path = Path(tmp) / "terminal.db"
        clock = FixedClock(dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
        db = Database.open(path, clock=clock, create=True)
        start = time.perf_counter()
        counts = generate_demo(db, members=members, products=products, sales=sales, seed=1)
        took = time.perf_counter() - start
        db.close()
        size = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
        print(
            f"store: demo {counts.members:,} members / {counts.products:,} products / "
            f"{counts.sales:,} sales ({counts.sale_lines:,} lines, {counts.ledger_entries:,} "
            f"ledger entries): {took:.1f} s, {size:.0f} MB"
        )
        start = time.perf_counter()
        db = Database.open(path, clock=clock)
        print(f"store: open with quick_check: {time.perf_counter() - start:.2f} s")
        rng = random.Random(2)
        keys = [member_id(rng.randrange(1, members + 1)) for _ in range(lookups)]

        def by_id(key: str) -> object:
            with db.read() as session:
                return repo.member_by_id(session, key)

        def by_phone(key: str) -> object:
            with db.read() as session:
                return repo.members_by_phone(session, member_phone(int(key[1:])))

        def by_ean(key: str) -> object:
            n = int(key[1:]) % products + 1
            with db.read() as session:
                return repo.product_by_ean(session, product_ean(n))

        _time_each(keys[:200], by_id)  # warm the cache a little, as a running till has
        print(f"store: member lookup by id    {_percentiles(_time_each(keys, by_id))}")
        print(f"store: member lookup by phone {_percentiles(_time_each(keys, by_phone))}")
        print(f"store: product lookup by EAN  {_percentiles(_time_each(keys, by_ean))}")
        bare = _bare_commits(Path(tmp) / "bare.db", commits)
        rate = _store_commits(db, commits, members)
        db.close()
        print(
            f"store: record_sale {rate:,.0f} sales/s vs bare sqlite {bare:,.0f} commits/s "
            f"(ratio {rate / bare:.2f}; bar 0.25, aim 0.5)"
        )


if __name__ == "__main__":
    run()

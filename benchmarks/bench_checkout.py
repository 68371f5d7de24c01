"""Checkout service at chain scale: a full checkout against the demo database.

Database: 1,000,000 members / 20,000 products / 100,000 past sales (``store.demo``), generated
once and cached under /tmp; each run works on a fresh copy of the closed file. One checkout =
identify a member by id (row + ledger replay), scan 3 products by EAN, quote after each
change, take a cash payment and commit (sale + lines + payment + ledger + outbox + tier, one
BEGIN IMMEDIATE ... COMMIT with synchronous=FULL). Figures: p50/p99 per checkout and of the
commit alone, checkouts/s, and the ratio to a bare ``repo.record_sale`` loop (sale + 2 lines
+ payment + ledger entry + outbox row) and to a bare sqlite3 one-row commit loop, all
measured in the same run.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from posloyalty.clock import FixedClock, SystemClock
from posloyalty.resources import load_preset
from posloyalty.store import repo
from posloyalty.store.db import Database
from posloyalty.store.demo import generate_demo, member_id, product_ean
from posloyalty.store.ids import Uuid7
from posloyalty.store.migrations import SCHEMA_VERSION
from posloyalty.terminal.checkout import CheckoutSession
from posloyalty.terminal.context import context_from_store
from posloyalty.terminal.identity import Identified

CACHE = Path(tempfile.gettempdir()) / "posloyalty-bench"


def _demo_file(members: int, products: int, sales: int) -> Path:
    """The cached demo database (built on first use; rebuilt when the schema changes)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"demo-{members}-{products}-{sales}-v{SCHEMA_VERSION}.db"
    if path.exists():
        return path
    tmp = path.with_suffix(".building")
    for p in CACHE.glob(tmp.name + "*"):
        p.unlink()
    clock = FixedClock(dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    start = time.perf_counter()
    db = Database.open(tmp, clock=clock, create=True)
    with db.write() as session:
        repo.set_setting(session, "store", "S1")
        repo.set_setting(session, "terminal", "T1")
        repo.create_cashier(
            session, cashier_id="bench", name="Bench", role="cashier", pin="1234", at=clock.now()
        )
    generate_demo(db, members=members, products=products, sales=sales, seed=1)
    db.close()  # the last connection checkpoints the WAL into the file
    if tmp.with_name(tmp.name + "-wal").exists():
        raise RuntimeError(f"{tmp}: the WAL was not checkpointed on close")
    tmp.rename(path)
    print(f"checkout: built the demo database in {time.perf_counter() - start:.1f} s -> {path}")
    return path


def _pct(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {p50 * 1000:.2f} ms  p99 {p99 * 1000:.2f} ms  (n={len(ordered)})"


def _bare_sqlite(path: Path, n: int) -> float:
    import sqlite3

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


def _bare_record_sale(db: Database, n: int, members: int) -> float:
    from posloyalty.domain.ids import (
        CashierId,
        EntryId,
        LotId,
        MemberId,
        SaleId,
        StoreId,
        TerminalId,
    )
    from posloyalty.domain.money import Fen
    from posloyalty.domain.points import LedgerEntry
    from posloyalty.store.records import (
        OutboxMessage,
        PaymentRecord,
        SaleLineRecord,
        SaleRecord,
    )

    clock = SystemClock()
    ids = Uuid7(clock)
    rng = random.Random(5)
    start = time.perf_counter()
    for _ in range(n):
        at = clock.now()
        sale_id = SaleId(ids.new())
        lines = (
            SaleLineRecord(0, "SKU000001", 1, Fen(1000), Fen(1000), Fen(950), discounts={"t": 50}),
            SaleLineRecord(1, "SKU000002", 2, Fen(500), Fen(1000), Fen(1000)),
        )
        sale = SaleRecord(
            sale_id, TerminalId("T1"), StoreId("S1"), CashierId("bench"),
            MemberId(member_id(rng.randrange(1, members + 1))), at, Fen(2000), Fen(1950),
            f"B-{sale_id}", lines, (PaymentRecord("cash", Fen(1950)),),
        )  # fmt: skip
        entry = LedgerEntry(
            EntryId(ids.new()), "earn", 19, at, LotId(sale_id), at,
            at + dt.timedelta(days=365), sale_id,
        )  # fmt: skip
        with db.write() as session:
            repo.record_sale(
                session, sale, [entry], [OutboxMessage("sale", sale_id, {"id": sale_id})]
            )
    return n / (time.perf_counter() - start)


def run(
    members: int = 1_000_000,
    products: int = 20_000,
    sales: int = 100_000,
    checkouts: int = 400,
) -> None:
    source = _demo_file(members, products, sales)
    with tempfile.TemporaryDirectory(prefix="bench_checkout_") as tmp:
        path = Path(tmp) / "terminal.db"
        shutil.copyfile(source, path)  # a closed file: copying it is safe
        clock = SystemClock()
        db = Database.open(path, clock=clock, integrity="none")
        ctx = context_from_store(db, "bench", rules=load_preset("miniso"))
        rng = random.Random(3)
        plan = [
            (
                member_id(rng.randrange(1, members + 1)),
                [product_ean(rng.randrange(1, products + 1)) for _ in range(3)],
            )
            for _ in range(checkouts + 50)
        ]

        def checkout(member: str, eans: list[str]) -> float:
            s = CheckoutSession(ctx)
            s.identify(Identified(member, "dynamic", may_redeem=True))
            for ean in eans:
                s.scan(ean)
            s.begin_payment()
            s.add_payment("cash", tendered=s.due + 1000)
            start = time.perf_counter()
            s.commit()
            return time.perf_counter() - start

        for member, eans in plan[:50]:  # warm up, as a running till is
            checkout(member, eans)
        whole: list[float] = []
        commits: list[float] = []
        started = time.perf_counter()
        for member, eans in plan[50:]:
            t0 = time.perf_counter()
            commits.append(checkout(member, eans))
            whole.append(time.perf_counter() - t0)
        rate = checkouts / (time.perf_counter() - started)
        bare_sale = _bare_record_sale(db, checkouts, members)
        db.close()
        bare_sqlite = _bare_sqlite(Path(tmp) / "bare.db", checkouts)
    print(f"checkout: identify + 3 scans + quote + pay + commit  {_pct(whole)}")
    print(f"checkout: commit alone (one write transaction)       {_pct(commits)}")
    commit_rate = len(commits) / sum(commits)
    print(
        f"checkout: commit alone {commit_rate:,.0f} sales/s: ratio {commit_rate / bare_sale:.2f} "
        f"to bare record_sale, {commit_rate / bare_sqlite:.2f} to bare sqlite "
        "(issue bar 0.25, aim 0.5)"
    )
    print(
        f"checkout: {rate:,.0f} checkouts/s vs bare record_sale {bare_sale:,.0f} sales/s "
        f"(ratio {rate / bare_sale:.2f}) vs bare sqlite {bare_sqlite:,.0f} commits/s "
        f"(ratio {rate / bare_sqlite:.2f})"
    )


if __name__ == "__main__":
    run()

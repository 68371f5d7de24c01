"""Checkout at chain scale: the issue's two bars, measured in one run.

Database: 1,000,000 members (each with a sealed dynamic-code secret) / 20,000 products /
100,000 past sales (``tilldb.demo``, seed 1, fixed clock), built once and cached under /tmp;
every run works on a fresh copy of the closed file (and its key file).

1. Member lookup by code and a 20-line quote (bar: p99 <= 5 ms). A basket of 20 scanned
   products is open (not timed); the member shows a dynamic code: ``identify()`` verifies it
   offline (sealed secret opened, MAC and time window checked, replay row written) and
   ``CheckoutSession.identify`` reads the member (row + ledger) and re-prices the 20 lines
   with them. Also shown: scanning the 20th line (product read + re-quote).
2. Checkout commit (bar: sales/s >= 0.25 of a bare SQLite loop committing one row per
   transaction with the same pragmas; aim 0.5). A full ``CheckoutSession.commit`` (member
   and ledger read again, price check, sale + 3 lines + payment + earn entry + outbox row +
   member balance, growth and tier, one BEGIN IMMEDIATE ... COMMIT with synchronous=FULL)
   and a bare ``repo.record_sale`` (sale + 2 lines + payment + entry + outbox row) against
   the bare loop. The disk is shared and its speed drifts by 10x within minutes, so the
   three loops run interleaved in short blocks and each ratio is taken per round against
   the bare blocks around it; printed: the median round with the range, and all rounds.

3. A frequent shopper (no bar; shows that a long history stays cheap): on a small database, one
   member buys N times, a day and a half apart (a rolling 12-month validity under the Vancl
   rules renews on every purchase; MINISO's lots expire one by one); then identifying them
   (ledger read, balance replayed) and committing a sale (balance, tier from the history) are
   timed against the same for a member with no history.

Latencies are wall time; the CPU time of the same calls is shown beside them, with the
machine's load average, because a shared 2-CPU box adds scheduling waits to the tail.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from posloyalty.clock import FixedClock, SystemClock
from posloyalty.domain import codes
from posloyalty.domain.ids import CashierId, EntryId, LotId, MemberId, SaleId, StoreId, TerminalId
from posloyalty.domain.money import Fen
from posloyalty.domain.points import LedgerEntry
from posloyalty.resources import load_preset
from posloyalty.terminal.checkout import CheckoutSession
from posloyalty.terminal.context import TerminalContext, context_from_store
from posloyalty.terminal.identified import Identified
from posloyalty.terminal.member_scan import identify
from posloyalty.tilldb import member_codes, repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.demo import generate_demo, member_id, product_ean
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.migrations import SCHEMA_VERSION
from posloyalty.tilldb.records import OutboxMessage, PaymentRecord, SaleLineRecord, SaleRecord
from posloyalty.tilldb.vault import Vault, key_file_path, open_vault

MEMBERS, PRODUCTS, SALES = 1_000_000, 20_000, 100_000
CACHE = Path(tempfile.gettempdir()) / "posloyalty-bench"
BUILT_AT = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
#: Seconds between the till's background WAL checkpoints (posloyalty run uses the same).
CHECKPOINT_EVERY = 0.5


# --------------------------------------------------------------------------- database


def _demo_file() -> Path:
    """The cached database (built on first use, deterministically; rebuilt for a new schema)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"demo-{MEMBERS}-{PRODUCTS}-{SALES}-codes-v{SCHEMA_VERSION}.db"
    if path.exists() and key_file_path(path).exists():
        return path
    tmp = path.with_name(path.name + ".building")
    for p in CACHE.glob(tmp.name + "*"):
        p.unlink()
    clock = FixedClock(BUILT_AT)
    start = time.perf_counter()
    db = Database.open(tmp, clock=clock, create=True)
    with db.write() as session:
        repo.set_setting(session, "store", "S1")
        repo.set_setting(session, "terminal", "T1")
        repo.create_cashier(
            session, cashier_id="bench", name="Bench", role="cashier", pin="1234", at=BUILT_AT
        )
    generate_demo(db, members=MEMBERS, products=PRODUCTS, sales=SALES, seed=1, until=BUILT_AT)
    vault = open_vault(db, key_store="file")
    assert vault is not None
    batch = 50_000
    for first in range(1, MEMBERS + 1, batch):
        ids = [member_id(n) for n in range(first, min(first + batch, MEMBERS + 1))]
        with db.write() as session:
            member_codes.put_member_secrets(
                session, vault, ((m, member_codes.demo_secret(m)) for m in ids), BUILT_AT
            )
    db.close()  # the last connection checkpoints the WAL into the file
    if tmp.with_name(tmp.name + "-wal").exists():
        raise RuntimeError(f"{tmp}: the WAL was not checkpointed on close")
    key_file_path(tmp).rename(key_file_path(path))
    tmp.rename(path)
    print(f"checkout: built the database in {time.perf_counter() - start:.1f} s -> {path}")
    return path


def _copy(source: Path, folder: Path) -> Path:
    path = folder / "terminal.db"
    shutil.copyfile(source, path)  # a closed file: copying it is safe
    shutil.copy(key_file_path(source), key_file_path(path))  # keeps its 0600 mode
    return path


# --------------------------------------------------------------------------- figures


def _pct(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _show(
    label: str, samples: list[float], bar_ms: float | None = None, cpu: list[float] | None = None
) -> None:
    p50, p99 = _pct(samples)
    extra = ""
    if cpu is not None:
        c50, c99 = _pct(cpu)
        extra += f"  [CPU time p50 {c50 * 1000:.2f} p99 {c99 * 1000:.2f} ms]"
    if bar_ms is not None:
        extra += f"  bar p99 <= {bar_ms:g} ms: {'met' if p99 * 1000 <= bar_ms else 'MISSED'}"
    print(
        f"checkout: {label:<38} p50 {p50 * 1000:6.2f} ms  p99 {p99 * 1000:6.2f} ms"
        f"  (n={len(samples)}){extra}"
    )


def _load() -> str:
    try:
        return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "load average unknown"


# --------------------------------------------------------------------------- 1. lookup + quote


def _lookup_and_quote(ctx: TerminalContext, vault: Vault, samples: int, rng: random.Random) -> None:
    db = ctx.db
    picked = rng.sample(range(1, MEMBERS + 1), samples + 50)  # one code per member
    scans: list[float] = []
    lookups: list[float] = []
    cpu: list[float] = []
    for i, n in enumerate(picked):
        s = CheckoutSession(ctx)
        products = rng.sample(range(1, PRODUCTS + 1), 20)
        for p in products[:-1]:
            s.scan(product_ean(p))
        t0 = time.perf_counter()
        s.scan(product_ean(products[-1]))
        t1 = time.perf_counter()
        m = member_id(n)
        code = codes.make_dynamic(
            MemberId(m), member_codes.demo_secret(m), int(db.clock.now().timestamp())
        )
        c2, t2 = time.thread_time(), time.perf_counter()
        outcome = identify(code, db=db, vault=vault)
        assert isinstance(outcome, Identified) and outcome.may_redeem, outcome
        s.identify(outcome)
        t3, c3 = time.perf_counter(), time.thread_time()
        assert s.quote is not None and len(s.quote.lines) == 20
        if i >= 50:  # the first ones warm the caches, as a running till has
            scans.append(t1 - t0)
            lookups.append(t3 - t2)
            cpu.append(c3 - c2)
    _show("member lookup by code + 20-line quote", lookups, bar_ms=5, cpu=cpu)
    _show("scan the 20th line + re-quote", scans)


# --------------------------------------------------------------------------- 2. commit ratios


def _bare_loop(path: Path) -> Callable[[int], float]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")  # the same pragmas as the till's database
    conn.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)")
    count = 0

    def block(n: int) -> float:
        nonlocal count
        start = time.perf_counter()
        for _ in range(n):
            count += 1
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (v) VALUES (?)", (f"row {count}",))
            conn.execute("COMMIT")
        return time.perf_counter() - start

    return block


def _record_sale_loop(db: Database, rng: random.Random) -> Callable[[int], float]:
    clock = SystemClock()
    ids = Uuid7(clock)

    def block(n: int) -> float:
        elapsed = 0.0
        for _ in range(n):
            at = clock.now()
            sale_id = SaleId(ids.new())
            lines = (
                SaleLineRecord(
                    0, "SKU000001", 1, Fen(1000), Fen(1000), Fen(950), discounts={"tier": 50}
                ),
                SaleLineRecord(1, "SKU000002", 2, Fen(500), Fen(1000), Fen(1000)),
            )
            sale = SaleRecord(
                sale_id, TerminalId("T1"), StoreId("S1"), CashierId("bench"),
                MemberId(member_id(rng.randrange(1, MEMBERS + 1))), at, Fen(2000), Fen(1950),
                f"B-{sale_id}", lines, (PaymentRecord("cash", Fen(1950)),),
            )  # fmt: skip
            entry = LedgerEntry(
                EntryId(ids.new()), "earn", 19, at, LotId(sale_id), at,
                at + dt.timedelta(days=365), sale_id,
            )  # fmt: skip
            start = time.perf_counter()
            with db.write() as session:
                repo.record_sale(
                    session, sale, [entry], [OutboxMessage("sale", sale_id, {"id": sale_id})]
                )
            elapsed += time.perf_counter() - start
        return elapsed

    return block


def _checkout_loop(
    ctx: TerminalContext, rng: random.Random, commits: list[float], commit_cpu: list[float]
) -> Callable[[int], float]:
    def ready() -> CheckoutSession:
        s = CheckoutSession(ctx)
        s.identify(
            Identified(
                MemberId(member_id(rng.randrange(1, MEMBERS + 1))), "dynamic", may_redeem=True
            )
        )
        for _ in range(3):
            s.scan(product_ean(rng.randrange(1, PRODUCTS + 1)))
        s.begin_payment()
        s.add_payment("cash", tendered=Fen(s.due + 1000))
        return s

    def block(n: int) -> float:
        sessions = [ready() for _ in range(n)]  # the basket work is not the commit
        elapsed = 0.0
        for s in sessions:
            cpu, start = time.thread_time(), time.perf_counter()
            s.commit()
            took = time.perf_counter() - start
            commits.append(took)
            commit_cpu.append(time.thread_time() - cpu)
            elapsed += took
        return elapsed

    return block


def _verdict(value: float, threshold: float) -> str:
    return "met" if value >= threshold else "NOT met"


def _ratios(ctx: TerminalContext, bare_path: Path, rounds: int, block: int) -> None:
    rng = random.Random(5)
    commits: list[float] = []
    commit_cpu: list[float] = []
    bare = _bare_loop(bare_path)
    full = _checkout_loop(ctx, rng, commits, commit_cpu)
    store = _record_sale_loop(ctx.db, rng)
    full(20), store(20), bare(20)  # warm up, as a running till is
    commits.clear()
    commit_cpu.clear()
    totals = {"bare": 0.0, "full": 0.0, "store": 0.0}
    per_round: dict[str, list[float]] = {"full": [], "store": []}
    for r in range(rounds):
        # Rotate the order so no loop always follows a checkpoint-heavy one.
        before = bare(block)
        order = (
            [("full", full), ("store", store)] if r % 2 == 0 else [("store", store), ("full", full)]
        )
        took = {name: fn(block) for name, fn in order}
        after = bare(block)
        bare_rate = 2 * block / (before + after)
        totals["bare"] += before + after
        for name, seconds in took.items():
            totals[name] += seconds
            per_round[name].append((block / seconds) / bare_rate)
    n = rounds * block
    bare_rate = 2 * n / totals["bare"]
    _show("commit (CheckoutSession.commit)", commits, cpu=commit_cpu)
    for name, label in (("full", "checkout commit"), ("store", "record_sale alone")):
        rate = n / totals[name]
        ratios = per_round[name]
        median = statistics.median(ratios)
        print(
            f"checkout: {label:<18} {rate:7,.0f} sales/s  ratio to bare sqlite: median round "
            f"{median:.2f} (rounds {min(ratios):.2f}-{max(ratios):.2f}), "
            f"all rounds {rate / bare_rate:.2f}  (bar 0.25: {_verdict(median, 0.25)}, "
            f"aim 0.5: {_verdict(median, 0.5)})"
        )
    print(
        f"checkout: bare sqlite loop   {bare_rate:7,.0f} commits/s (one row per BEGIN IMMEDIATE "
        f"... COMMIT, WAL, synchronous=FULL; {rounds} rounds of {block}, interleaved)"
    )


# --------------------------------------------------------------------------- 3. frequent shopper


def _frequent_shopper(folder: Path, preset: str, purchases: int, samples: int = 40) -> None:
    clock = FixedClock(BUILT_AT)
    db = Database.open(folder / f"shopper-{preset}.db", clock=clock, create=True)
    try:
        with db.write() as session:
            repo.set_setting(session, "store", "S1")
            repo.set_setting(session, "terminal", "T1")
            repo.create_cashier(
                session, cashier_id="bench", name="Bench", role="cashier", pin="1234", at=BUILT_AT
            )
        generate_demo(db, members=100, products=200, sales=0, seed=1, until=BUILT_AT)
        ctx = context_from_store(db, "bench", rules=load_preset(preset))
        rng = random.Random(7)

        def sale(member: str) -> tuple[float, float]:
            s = CheckoutSession(ctx)
            start = time.perf_counter()
            s.identify(Identified(MemberId(member), "dynamic", may_redeem=True))
            identified = time.perf_counter()
            for _ in range(3):
                s.scan(product_ean(rng.randrange(1, 201)))
            s.begin_payment()
            s.add_payment("cash", tendered=Fen(s.due + 1000))
            before = time.perf_counter()
            s.commit()
            return identified - start, time.perf_counter() - before

        regular, newcomer = member_id(1), member_id(2)
        for _ in range(purchases):
            clock.advance(hours=36)
            sale(regular)
        with db.read() as session:
            entries = len(repo.ledger_for_member(session, regular))
        timed: dict[str, list[tuple[float, float]]] = {regular: [], newcomer: []}
        for _ in range(samples):
            for m, history in timed.items():
                clock.advance(minutes=5)
                history.append(sale(m))
        (ri, rc), (ni, nc) = (
            (statistics.median(x[0] for x in v), statistics.median(x[1] for x in v))
            for v in timed.values()
        )
        print(
            f"checkout: {preset} shopper with {entries:,} ledger entries: identify p50 "
            f"{ri * 1000:.2f} ms, commit p50 {rc * 1000:.2f} ms  (no history: {ni * 1000:.2f} / "
            f"{nc * 1000:.2f} ms)"
        )
    finally:
        db.close()


def run(lookups: int = 3000, rounds: int = 60, block: int = 20) -> None:
    source = _demo_file()
    with tempfile.TemporaryDirectory(prefix="bench_checkout_", dir=CACHE) as tmp:
        path = _copy(source, Path(tmp))
        # As the till runs it: WAL checkpoints in a background thread, not inside a sale.
        db = Database.open(
            path, clock=SystemClock(), integrity="none", background_checkpoint=CHECKPOINT_EVERY
        )
        try:
            vault = open_vault(db, create=False)
            assert vault is not None
            ctx = context_from_store(db, "bench", rules=load_preset("miniso"))
            print(
                f"checkout: {MEMBERS:,} members with code secrets / {PRODUCTS:,} products / "
                f"{SALES:,} past sales; rules: miniso preset"
            )
            print(f"checkout: machine {_load()} on {os.cpu_count()} CPUs (shared)")
            _lookup_and_quote(ctx, vault, lookups, random.Random(3))
            _ratios(ctx, Path(tmp) / "bare.db", rounds, block)
            print(f"checkout: machine {_load()}")
        finally:
            db.close()
        for preset in ("vancl", "miniso"):
            _frequent_shopper(Path(tmp), preset, purchases=1000)


if __name__ == "__main__":
    run()

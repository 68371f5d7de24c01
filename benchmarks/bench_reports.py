"""Back office reports at chain scale on PostgreSQL: each report's p50 / p95 over the rollups
(``hq.rollup``), the first full refresh, and the incremental refresh per 10,000 new events.

Generates ``POSLOYALTY_BENCH_REPORT_MEMBERS`` members (default 2,000,000) over
``POSLOYALTY_BENCH_REPORT_STORES`` stores (default 2,000), and ``POSLOYALTY_BENCH_REPORT_ENTRIES``
ledger entries (default 20,000,000: half earn entries of as many member sales, half redemptions
and bonuses) spread over three years, with server-side ``INSERT ... SELECT generate_series``
(queue triggers off), then rebuilds the rollups once. Then it times the incremental refresh of
10,000 new events (sales and entries) and of 10,000 member events (joins, tier changes), and
runs each report ``RUNS`` times over the last month and the last quarter, chain-wide, for two
stores and for one tier. The birthday list is left out: it opens sealed personal data, which
generated rows do not have. ``POSLOYALTY_BENCH_REPORTS`` / ``POSLOYALTY_BENCH_SCOPES``:
comma-separated subsets of reports and scopes (month, quarter, q-store, q-tier);
``POSLOYALTY_BENCH_RUNS``: runs per report and scope (7).
Environment: ``POSLOYALTY_BENCH_PG`` (default ``postgresql://postgres@127.0.0.1:5432/test``).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import statistics
import time

import psycopg
from sqlalchemy import text

from posloyalty.hq.db import HqDb
from posloyalty.hq.reports import REPORTS, Scope, run_report
from posloyalty.hq.rollup import rebuild, refresh
from posloyalty.hq.services import HqService
from posloyalty.resources import resources_dir

ADMIN = os.environ.get("POSLOYALTY_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
MEMBERS = int(os.environ.get("POSLOYALTY_BENCH_REPORT_MEMBERS", "2000000"))
STORES = int(os.environ.get("POSLOYALTY_BENCH_REPORT_STORES", "2000"))
ENTRIES = int(os.environ.get("POSLOYALTY_BENCH_REPORT_ENTRIES", "20000000"))
RUNS = int(os.environ.get("POSLOYALTY_BENCH_RUNS", "7"))
END = dt.date(2026, 11, 30)
DAYS = 3 * 365

_MEMBERS_SQL = """
INSERT INTO members (id, phone_index, pii_key_id, pii_key, pii, home_store, registered_at,
                     dirty, state)
SELECT 'M' || i, md5(i::text), 'bench', '\\x00', '\\x00', 'S' || (i % :stores),
       :end - make_interval(days => ((i::bigint * 7919) % :days)::int), false,
       json_build_object('tier', (ARRAY['regular','silver','gold'])[1 + i % 3],
                         'growth', (i::bigint * 31) % 10000)
FROM generate_series(1, :n) AS i;
INSERT INTO member_aliases (alias, member_id) SELECT 'M' || i, 'M' || i
FROM generate_series(1, :n) AS i;
"""

# Sale j: member j % members, at a spread instant; a tenth are returns of the previous sale.
_SALES_SQL = """
INSERT INTO sales (id, store_id, terminal_id, member_ref, at, total_fen, growth,
                   original_sale_id, full_return, payload, received_at)
SELECT 'x' || :tag || j, 'S' || (j % :stores), 'T1', 'M' || (1 + j % :members),
       :end - make_interval(secs => (j::bigint * 104729) % (:days * 86400)),
       CASE WHEN j % 10 = 0 THEN -1000 ELSE 1000 + j % 50000 END, 0,
       CASE WHEN j % 10 = 0 THEN 'x' || :tag || (j - 1) END, false, '{}',
       :end
FROM generate_series(1, :n) AS j;
INSERT INTO ledger_entries (id, member_ref, kind, points, lot, at, available_at, expires_at,
                            renews_until, sale_id, reason, store_id, terminal_id, received_at)
SELECT 'e' || :tag || j, 'M' || (1 + j % :members),
       (ARRAY['earn','redeem','bonus'])[1 + (j % 3)],
       CASE WHEN j % 3 = 1 THEN -(j % 500) ELSE j % 500 END, 'lot' || j,
       :end - make_interval(secs => (j::bigint * 104729) % (:days * 86400)),
       :end, NULL, NULL, NULL, '', 'S' || (j % :stores), 'T1', :end
FROM generate_series(1, :n) AS j;
"""


def _sql(db: HqDb, sql: str, **params: object) -> None:
    with db.transaction() as s:
        for statement in (part for part in sql.split(";") if part.strip()):
            s.execute(text(statement), params)


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


_NEW_MEMBERS_SQL = """
INSERT INTO members (id, phone_index, pii_key_id, pii_key, pii, home_store, registered_at,
                     dirty, state)
SELECT 'N' || :tag || i, md5(:tag || i), 'bench', '\\x00', '\\x00', 'S' || (i % :stores),
       :end, false, json_build_object('tier', 'regular', 'growth', 0)
FROM generate_series(1, :n) AS i;
UPDATE members SET state = json_build_object('tier', 'gold', 'growth', 20000 + :k)
WHERE id IN (SELECT 'M' || (1 + (i::bigint * 7907) % :members)
             FROM generate_series(1, :updates) AS i);
"""


def _generate(db: HqDb, end: dt.datetime) -> None:
    """Members, sales and entries in bulk with the queue triggers off, then one full rebuild
    of the rollups (what they would hold after refreshing every row one by one)."""
    started = time.perf_counter()
    tables = ("members", "member_aliases", "sales", "ledger_entries")
    for table in tables:
        _sql(db, f"ALTER TABLE {table} DISABLE TRIGGER USER")
    _sql(db, _MEMBERS_SQL, n=MEMBERS, stores=STORES, end=end, days=DAYS)
    _sql(
        db, _SALES_SQL, n=ENTRIES // 2, stores=STORES, members=MEMBERS, end=end, days=DAYS, tag="a"
    )
    for table in tables:
        _sql(db, f"ALTER TABLE {table} ENABLE TRIGGER USER")
    print(
        f"   generated {MEMBERS:,} members, {STORES:,} stores, {ENTRIES // 2:,} sales and "
        f"{ENTRIES // 2:,} ledger entries (total {ENTRIES:,} rows of events) over {DAYS} days "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    started = time.perf_counter()
    db.run(rebuild)
    print(f"   full rebuild of the rollups: {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    with db.transaction() as s:
        s.execute(text("ANALYZE"))
    print(f"   analyze: {time.perf_counter() - started:.0f} s", flush=True)


def _work(url: str, *, fresh: bool) -> None:
    db = HqDb(url)
    end = dt.datetime.combine(END, dt.time(), tzinfo=dt.UTC)
    if fresh:
        svc = HqService(db)
        svc.publish_rules((resources_dir() / "rules" / "miniso.toml").read_text("utf-8"))
        _generate(db, end)
    else:
        # Opening an older database migrated it; a new rollup may be counted on first refresh.
        started = time.perf_counter()
        db.run(refresh)
        print(f"   first refresh after opening: {time.perf_counter() - started:.0f} s", flush=True)
    run_tag = secrets.token_hex(3)
    for k in range(3):
        _sql(
            db,
            _SALES_SQL,
            n=5000,
            stores=STORES,
            members=MEMBERS,
            end=end + dt.timedelta(days=1),
            days=2,
            tag=f"{run_tag}{k}-",
        )
        started = time.perf_counter()
        events = db.run(refresh)
        print(
            f"   incremental refresh of {events:,} new events (sales + entries): "
            f"{time.perf_counter() - started:.2f} s",
            flush=True,
        )
    for k in range(3):
        # 2,000 joins and 8,000 tier / growth changes: 18,000 queued member changes.
        _sql(
            db,
            _NEW_MEMBERS_SQL,
            n=2000,
            updates=8000,
            k=k,
            stores=STORES,
            members=MEMBERS,
            end=end + dt.timedelta(days=1),
            tag=f"{run_tag}{k}-",
        )
        started = time.perf_counter()
        changes = db.run(refresh)
        print(
            f"   incremental refresh of 10,000 member events ({changes:,} key changes): "
            f"{time.perf_counter() - started:.2f} s",
            flush=True,
        )
    scopes = {
        "month": Scope(END.replace(day=1), END),
        "quarter": Scope(dt.date(2026, 9, 1), END),
        "q-store": Scope(dt.date(2026, 9, 1), END, stores=frozenset({"S7", "S8"})),
        "q-tier": Scope(dt.date(2026, 9, 1), END, tier="gold"),
    }
    labels = os.environ.get("POSLOYALTY_BENCH_SCOPES", "")
    scopes = {k: v for k, v in scopes.items() if not labels or k in labels.split(",")}
    wanted = os.environ.get("POSLOYALTY_BENCH_REPORTS", "")
    for name in REPORTS:
        if name == "birthdays" or (wanted and name not in wanted.split(",")):
            continue
        for label, scope in scopes.items():
            if scope.by_member and name in ("member_share", "points"):
                continue  # kept per store and day: no member filter
            times = []
            for _ in range(RUNS):
                started = time.perf_counter()
                with db.transaction(writer=False) as s:
                    run_report(s, name, scope, end)
                times.append(time.perf_counter() - started)
            print(
                f"   {name:<14} {label:<8} p50 {statistics.median(times):7.3f} s  "
                f"p95 {_p(times, 0.95):7.3f} s",
                flush=True,
            )


def run() -> None:
    """``POSLOYALTY_BENCH_REPORT_DB``: keep the generated database under that name and, when it
    exists already, measure on it again without generating (dropped otherwise)."""
    keep = os.environ.get("POSLOYALTY_BENCH_REPORT_DB", "")
    name = keep or f"posloyalty_bench_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        _work(f"{base}/{name}", fresh=not exists)
    finally:
        if not keep:
            with psycopg.connect(ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    run()

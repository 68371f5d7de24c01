"""Terminal sync: drain a week of offline sales to a local HQ in one go.

A real ``posloyalty hq serve`` process (uvicorn, jobs off) on loopback over a fresh SQLite file,
and over PostgreSQL when it is reachable (``POSLOYALTY_BENCH_PG``, default
``postgresql://postgres@127.0.0.1:5432/test``). A terminal database enrolled with it pulls its
first snapshot (``MEMBERS`` members), then records ``SALES`` sales spread over seven days (80%
to members, each with its earn entry) and drains the outbox with :class:`SyncClient` in
500-item batches. Printed: items/s and batches of the drain, and the snapshot pull.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import requests

from posloyalty.clock import FixedClock
from posloyalty.domain import points as pts
from posloyalty.domain.ids import CashierId, EntryId, LotId, MemberId, SaleId, StoreId, TerminalId
from posloyalty.domain.money import Fen
from posloyalty.hq import admin
from posloyalty.hq.db import HqDb
from posloyalty.hq.services import HqService
from posloyalty.resources import load_preset, resources_dir
from posloyalty.sync.client import SyncClient, enroll
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.records import OutboxMessage, PaymentRecord, SaleLineRecord, SaleRecord

SALES = int(os.environ.get("POSLOYALTY_BENCH_SALES", "5000"))
MEMBERS = 500
BATCH = 500
ADMIN = os.environ.get("POSLOYALTY_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
PRODUCTS = [
    {"sku": f"P{i:03d}", "name": f"Product {i}", "price": f"{5 + i % 40}.90"} for i in range(50)
]
START = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serve(url: str) -> Iterator[str]:
    port = _free_port()
    command = [sys.executable, "-m", "posloyalty.cli", "hq", "serve", "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--jobs-interval", "0", "--db", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{base}/v1/health", timeout=1).raise_for_status()
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise RuntimeError("hq serve did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _prepare_hq(url: str) -> tuple[str, list[str]]:
    db = HqDb(url)
    svc = HqService(db)
    svc.publish_rules((resources_dir() / "rules" / "miniso.toml").read_text(encoding="utf-8"))
    db.run(lambda s: admin.import_catalog(s, PRODUCTS))
    ids = [
        svc.register_member("S1", f"1380{n:07d}", f"M{n}", None, True, START).member_id
        for n in range(MEMBERS)
    ]
    code = svc.make_enrolment_code("S1")
    db.dispose()
    return code, ids


def _record_week(db: Database, members: list[str], terminal: str) -> int:
    """``SALES`` sales over seven days, as the checkout stores them (sale, earn, outbox row)."""
    rules = load_preset("miniso")
    clock = FixedClock(START)
    ids = Uuid7(clock)
    step = dt.timedelta(days=7) / SALES
    items = 0
    for chunk in range(0, SALES, 250):
        with db.write() as session:
            for n in range(chunk, min(chunk + 250, SALES)):
                at = clock.advance(step)
                member = members[n % len(members)] if n % 5 else None
                price = 590 + (n % 40) * 100
                qty = 1 + n % 3
                sale_id = SaleId(ids.new())
                earned = pts.earn(
                    rules.points,
                    entry_id=EntryId(ids.new()),
                    lot=LotId(ids.new()),
                    points=price * qty // 100,
                    at=at,
                    sale_id=sale_id,
                )
                total = Fen(price * qty)
                sale = SaleRecord(
                    id=sale_id,
                    terminal=TerminalId(terminal),
                    store=StoreId("S1"),
                    cashier=CashierId("c1"),
                    member=MemberId(member) if member else None,
                    at=at,
                    subtotal_fen=total,
                    total_fen=total,
                    receipt_code=f"S1-{terminal}-{n:06d}",
                    lines=(SaleLineRecord(0, f"P{n % 40:03d}", qty, Fen(price), total, total),),
                    payments=(PaymentRecord("card", total),),
                )
                entries = earned if member else []
                repo.record_sale(
                    session, sale, entries, [OutboxMessage("sale", sale_id, {"sale": sale_id})]
                )
                items += 1 + len(entries)
    return items


def _drain(url: str, label: str) -> None:
    code, members = _prepare_hq(url)
    with _serve(url) as base, tempfile.TemporaryDirectory() as tmp:
        db = Database.open(Path(tmp) / "till.sqlite", create=True)
        result = enroll(db, base, code, key_store="file")
        client = SyncClient(db, batch_items=BATCH)
        started = time.perf_counter()
        pulled = client.pull()
        snapshot = time.perf_counter() - started
        started = time.perf_counter()
        items = _record_week(db, members, result.terminal_id)
        recorded = time.perf_counter() - started
        started = time.perf_counter()
        report = client.push()
        took = time.perf_counter() - started
        with db.read() as session:
            left = repo.outbox_pending_count(session)
        client.close()
        db.close()
    print(
        f"   {label}: snapshot {pulled.changes} changes in {snapshot:.2f} s ({pulled.pages} pages)"
    )
    print(f"   {label}: recorded {SALES} sales ({items} items) in {recorded:.1f} s")
    print(
        f"   {label}: drained {report.items} items in {report.batches} batches of <= {BATCH} "
        f"in {took:.2f} s: {report.items / took:,.0f} items/s, "
        f"{report.sent_rows / took:,.0f} sales/s; {left} left pending, "
        f"{len(report.problems)} problems"
    )


def run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _drain(f"sqlite:///{Path(tmp) / 'hq.sqlite'}", "SQLite HQ")
    name = f"posloyalty_bench_sync_{secrets.token_hex(4)}"
    try:
        admin_conn = psycopg.connect(ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        print(f"   PostgreSQL HQ: skipped ({exc})")
        return
    with admin_conn:
        admin_conn.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        _drain(f"{base}/{name}", "PostgreSQL HQ")
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    run()

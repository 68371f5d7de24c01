"""HQ ingest on PostgreSQL: events/s from concurrent terminals pushing 500-item batches.

A real ``posloyalty hq serve`` process (uvicorn, one worker) on loopback over a fresh
PostgreSQL database; ``PUSHERS`` threads, each an enrolled terminal of its own store, push
``BATCHES`` batches of 500 items (a sale and its earn entry per purchase, for members of the
store) through ``requests``. Printed beside it, in the same run: the raw COPY rate of the same
ledger rows into a bare table of the same shape, and a pull of the first snapshot.
Environment: ``POSLOYALTY_BENCH_PG`` (default ``postgresql://postgres@127.0.0.1:5432/test``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
from typing import Any

import psycopg
import requests

from posloyalty.hq.db import HqDb
from posloyalty.hq.services import HqService
from posloyalty.sync.protocol import request_headers

ADMIN = os.environ.get("POSLOYALTY_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
PUSHERS = 4
BATCHES = 10
BATCH = 500
MEMBERS_PER_STORE = 200


def _uuid7(ms: int) -> str:
    rand = int.from_bytes(os.urandom(10), "big")
    value = (
        (ms << 80) | (0x7 << 76) | ((rand >> 68) << 64) | (0b10 << 62) | (rand & ((1 << 62) - 1))
    )
    return str(uuid.UUID(int=value))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _items(store: str, terminal: str, members: list[str], n: int, start: dt.datetime) -> list[Any]:
    out: list[Any] = []
    for i in range(n // 2):
        at = start + dt.timedelta(seconds=i)
        ms = int(at.timestamp() * 1000)
        member = members[i % len(members)]
        sale_id, entry_id = _uuid7(ms), _uuid7(ms)
        base = {"store_id": store, "terminal_id": terminal, "member_id": member}
        out.append(
            {
                "kind": "sale",
                "id": sale_id,
                "payload": base
                | {
                    "at": at.isoformat(),
                    "total_fen": 12_800,
                    "lines": [{"sku": "SKU1", "qty": 2, "net_fen": 12_800, "points": 256}],
                },
            }
        )
        out.append(
            {
                "kind": "ledger_entry",
                "id": entry_id,
                "payload": base
                | {
                    "kind": "earn",
                    "points": 256,
                    "at": at.isoformat(),
                    "lot": entry_id,
                    "available_at": at.isoformat(),
                    "sale_id": sale_id,
                },
            }
        )
    return out


def _copy_rate(url: str, batches: list[list[Any]]) -> float:
    rows = [
        (
            i["id"],
            p["member_id"],
            p["kind"],
            p["points"],
            p["lot"],
            p["at"],
            p["available_at"],
            p["sale_id"],
            p["store_id"],
            p["terminal_id"],
        )
        for b in batches
        for i in b
        if i["kind"] == "ledger_entry"
        for p in [i["payload"]]
    ]
    sales = [
        (
            i["id"],
            p["store_id"],
            p["terminal_id"],
            p["member_id"],
            p["at"],
            p["total_fen"],
            json.dumps(p),
        )
        for b in batches
        for i in b
        if i["kind"] == "sale"
        for p in [i["payload"]]
    ]
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        conn.execute(
            "CREATE TABLE raw_ledger (id varchar(40) primary key, member_ref varchar(40),"
            " kind varchar(8), points bigint, lot varchar(64), at timestamptz,"
            " available_at timestamptz, sale_id varchar(40), store_id varchar(32),"
            " terminal_id varchar(12))"
        )
        conn.execute(
            "CREATE TABLE raw_sales (id varchar(40) primary key, store_id varchar(32),"
            " terminal_id varchar(12), member_ref varchar(40), at timestamptz, total_fen bigint,"
            " payload json)"
        )
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cur:
            with cur.copy("COPY raw_ledger FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            with cur.copy("COPY raw_sales FROM STDIN") as copy:
                for row in sales:
                    copy.write_row(row)
        conn.commit()
        return (len(rows) + len(sales)) / (time.perf_counter() - started)


def run() -> None:
    name = f"posloyalty_bench_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{name}"
    proc: subprocess.Popen[bytes] | None = None
    try:
        db = HqDb(url)
        svc = HqService(db)
        stores = [f"S{i}" for i in range(PUSHERS)]
        members: dict[str, list[str]] = {}
        started = time.perf_counter()
        for store in stores:
            members[store] = [
                svc.register_member(
                    store, f"139{int(store[1:]):02d}{j:06d}", "", None, True
                ).member_id
                for j in range(MEMBERS_PER_STORE)
            ]
        print(
            f"   set-up: {PUSHERS * MEMBERS_PER_STORE} members registered in "
            f"{time.perf_counter() - started:.1f} s"
        )
        svc.run_jobs()
        codes = [svc.make_enrolment_code(store) for store in stores]
        db.dispose()
        port = _free_port()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "posloyalty.cli",
                "hq",
                "serve",
                "--port",
                str(port),
                "--jobs-interval",
                "0",
                "--db",
                url,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{base}/v1/health", timeout=1).raise_for_status()
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise RuntimeError("hq serve did not start") from None
                time.sleep(0.1)
        terminals = [
            requests.post(
                f"{base}/v1/enroll", json={"code": c}, headers=request_headers(), timeout=10
            ).json()
            for c in codes
        ]
        start = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        work = {
            t["terminal_id"]: [
                _items(
                    t["store_id"],
                    t["terminal_id"],
                    members[t["store_id"]],
                    BATCH,
                    start + dt.timedelta(hours=b),
                )
                for b in range(BATCHES)
            ]
            for t in terminals
        }
        accepted = [0] * len(terminals)

        def pusher(index: int, terminal: dict[str, Any]) -> None:
            with requests.Session() as http:
                http.headers.update(request_headers(terminal["token"]))
                for items in work[terminal["terminal_id"]]:
                    body = {
                        "terminal_id": terminal["terminal_id"],
                        "batch_id": _uuid7(0),
                        "items": items,
                    }
                    r = http.post(f"{base}/v1/push", json=body, timeout=120)
                    r.raise_for_status()
                    accepted[index] += sum(x["status"] == "accepted" for x in r.json()["results"])

        threads = [threading.Thread(target=pusher, args=(i, t)) for i, t in enumerate(terminals)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        total = PUSHERS * BATCHES * BATCH
        assert sum(accepted) == total, f"{sum(accepted)} of {total} accepted"
        ingest = total / elapsed
        copy_rate = _copy_rate(url, [b for bs in work.values() for b in bs])
        print(
            f"   ingest: {total} events from {PUSHERS} terminals in {BATCH}-item batches: "
            f"{elapsed:.2f} s, {ingest:,.0f} events/s"
        )
        print(
            f"   raw COPY of the same rows: {copy_rate:,.0f} rows/s; "
            f"ingest is {ingest / copy_rate:.0%} of COPY"
        )
        token = terminals[0]["token"]
        started = time.perf_counter()
        cursor, size, count, more = 0, 0, 0, True
        with requests.Session() as http:
            http.headers.update(request_headers(token))
            while more:
                r = http.post(f"{base}/v1/pull", json={"cursor": cursor, "limit": 5000}, timeout=60)
                r.raise_for_status()
                size += len(r.content)
                page = r.json()
                count += len(page["changes"])
                cursor, more = page["next_cursor"], page["more"]
        print(
            f"   first snapshot of store S0: {count} changes, {size / 1e6:.2f} MB, "
            f"{time.perf_counter() - started:.2f} s"
        )
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    run()

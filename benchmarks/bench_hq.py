"""HQ ingest on PostgreSQL: events/s from concurrent terminals pushing 500-item batches.

A real ``posloyalty hq serve`` process (uvicorn, ``POSLOYALTY_BENCH_WORKERS`` workers, default
one) on loopback over a fresh PostgreSQL database; ``PUSHERS`` threads, each an enrolled
terminal of its own store, push ``BATCHES`` batches of 500 items (a sale and its earn entry per
purchase, for members of the store) through ``requests``. Printed beside it, in the same run:
the server's CPU per event (every item carries its link of the till's hash chain, which HQ
verifies), the raw COPY rate of the same rows (ledger entries and sales) into
bare tables of the same shape, and a pull of the first snapshot; then a store of
``POSLOYALTY_BENCH_SNAPSHOT`` members (default 1,000,000; 0 skips it) pulled from cursor 0,
plain and compact (``PullRequest.compact``): seconds, JSON bytes and gzip bytes.
Environment: ``POSLOYALTY_BENCH_PG`` (default ``postgresql://postgres@127.0.0.1:5432/test``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import requests
from sqlalchemy import event

from posloyalty.domain.chain import GENESIS, link
from posloyalty.hq import ingest
from posloyalty.hq.db import HqDb
from posloyalty.hq.keys import Keyring
from posloyalty.hq.pii import Pii, index_of, seal_member
from posloyalty.hq.services import HqService
from posloyalty.resources import resources_dir
from posloyalty.sync.protocol import PAYLOAD_MODELS, PushBatch, chain_digest, request_headers

ADMIN = os.environ.get("POSLOYALTY_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
PUSHERS = 4
BATCHES = 20
BATCH = 500
MEMBERS_PER_STORE = 200
#: Figures recorded on this machine (2026-12-06): before the two-phase push (commit 48023c7)
#: and before the CPU work of issue 10 (commit 23640dc, a quiet machine, 1 and 2 workers);
#: 2026-12-07, load 1.8-2.5, bodies encoded before the clock: 77b1fe2 (13 statements under
#: the writer lock) beside the rows-before-the-lock push (7 statements), 1 worker.
BEFORE = (
    "48023c7: 5,229 events/s, 122 us/event of server CPU, 2% of COPY (246,000 rows/s); "
    "23640dc: 1 worker 5,656 events/s (153 us/event), 2 workers 8,292 events/s, 2-3% of COPY; "
    "77b1fe2: 1 worker 10,835-11,483 events/s (67-72 us/event), rows before the writer lock: "
    "11,940-12,812 events/s (62-64 us/event), 4-5% of COPY"
)
WORKERS = int(os.environ.get("POSLOYALTY_BENCH_WORKERS", "1"))
#: Members in the store whose first snapshot is pulled (the issue's figure is 1,000,000).
SNAPSHOT_MEMBERS = int(os.environ.get("POSLOYALTY_BENCH_SNAPSHOT", "1000000"))


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
                    "lines": [
                        {
                            "index": 0,
                            "sku": "SKU1",
                            "qty": 2,
                            "unit_price_fen": 6_400,
                            "gross_fen": 12_800,
                            "net_fen": 12_800,
                            "points": 256,
                            "growth": 0,
                        }
                    ],
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


def _chained(items: list[list[Any]], key: bytes) -> list[dict[str, Any]]:
    """The batches' chain parts, as a till sends them: every item linked under the till's key
    (``posloyalty.domain.chain``), the first batch carrying the key."""
    out: list[dict[str, Any]] = []
    prev, seq = GENESIS, 0
    for n, batch in enumerate(items):
        links = []
        for item in batch:
            seq += 1
            model = PAYLOAD_MODELS[item["kind"]].model_validate(item["payload"])
            digest = chain_digest(item["kind"], model, item["payload"])
            hashed = link(key, seq, item["kind"], item["id"], prev, digest)
            links.append(
                {
                    "seq": seq,
                    "kind": item["kind"],
                    "id": item["id"],
                    "prev": prev,
                    "digest": digest,
                    "hash": hashed,
                }
            )
            prev = hashed
        out.append({"chain": links} | ({"chain_key": key.hex()} if n == 0 else {}))
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
                for sale in sales:
                    copy.write_row(sale)
        conn.commit()
        return (len(rows) + len(sales)) / (time.perf_counter() - started)


def _profile_push(url: str, store: str, members: list[str]) -> None:
    """One terminal's pushes in this process: SQL statements per batch (a SQLAlchemy event
    listener) and how long each holds the writer lock (from taking it to commit)."""
    db = HqDb(url)
    svc = HqService(db)
    try:
        enrolled = svc.enroll(svc.make_enrolment_code(store))
        caller = svc.authenticate(f"Bearer {enrolled.token}")
        start = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
        n = 5
        batches = [
            _items(store, caller.terminal_id, members, BATCH, start + dt.timedelta(hours=b))
            for b in range(n)
        ]
        statements: list[str] = []
        locked: list[float] = []

        def seen(*args: Any) -> None:
            statements.append(args[2])
            if "pg_advisory_xact_lock(%(key)s)" in args[2]:  # hq.db.lock_writer
                locked.append(time.perf_counter())

        event.listen(db.engine, "before_cursor_execute", seen)
        counts, held, whole, prep = [], 0.0, 0.0, 0.0
        for items, chained in zip(batches, _chained(batches, os.urandom(32)), strict=True):
            batch = PushBatch.model_validate(
                {"terminal_id": caller.terminal_id, "batch_id": _uuid7(0), "items": items} | chained
            )
            statements.clear()
            started = time.perf_counter()
            svc.push(caller, batch)
            ended = time.perf_counter()
            prepared = time.perf_counter()
            ingest.prepare(caller, batch)
            prep += time.perf_counter() - prepared
            counts.append(len(statements))
            held += ended - locked[-1]
            whole += ended - started
        event.remove(db.engine, "before_cursor_execute", seen)
        print(
            f"   one terminal alone, in process: {sum(counts) / n:.0f} SQL statements per "
            f"{BATCH}-item push; {whole * 1e3 / n:.0f} ms a push, of which the writer lock is "
            f"held {held * 1e3 / n:.0f} ms ({BATCH * n / held:,.0f} events/s of lock time) and "
            f"{prep * 1e3 / n:.0f} ms is checking before any lock"
        )
    finally:
        db.dispose()


def _start_server(url: str) -> tuple[subprocess.Popen[bytes], str]:
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
            "--workers",
            str(WORKERS),
            "--db",
            url,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # workers import the app each: slow on a busy machine
    while True:
        try:
            requests.get(f"{base}/v1/health", timeout=1).raise_for_status()
            return proc, base
        except requests.RequestException:
            if time.monotonic() > deadline:
                proc.terminate()
                raise RuntimeError("hq serve did not start") from None
            time.sleep(0.1)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its descendants (the uvicorn workers; Linux
    /proc, 0 elsewhere)."""
    parent: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        parent[int(entry.name)] = int(fields[1])
        ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += ticks.get(current, 0)
        todo += [child for child, up in parent.items() if up == current]
    return total / os.sysconf("SC_CLK_TCK")


def _hash(i: int) -> str:
    return hashlib.sha256(f"bench:{i}".encode()).hexdigest()


def _fill_store(url: str, n: int, keyring: Keyring) -> None:
    """``n`` members of store S0 with their member and secret change rows, by COPY."""
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with psycopg.connect(url.replace("+psycopg", "")) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY members (id, phone_index, pii_key_id, pii_key, pii, home_store, registered_at,"
            " dirty, state) FROM STDIN"
        ) as copy:
            for i in range(n):
                mid = f"B{i:09d}"
                clear = Pii(f"138{i:08d}", "", None, os.urandom(20))
                sealed = seal_member(keyring, mid, clear)
                copy.write_row(
                    (
                        mid,
                        index_of(keyring, clear.phone),
                        sealed.key_id,
                        sealed.wrapped_key,
                        sealed.ciphertext,
                        "S0",
                        at,
                        False,
                        "{}",
                    )
                )
        with cur.copy(
            "COPY member_stores (member_id, store_id, home, last_seen_at) FROM STDIN"
        ) as copy:
            for i in range(n):
                copy.write_row((f"B{i:09d}", "S0", True, at))
        with cur.copy("COPY changes (kind, key, seq, member_id, data) FROM STDIN") as copy:
            for i in range(n):
                mid = f"B{i:09d}"
                view: dict[str, object] = {
                    "id": mid,
                    "phone_masked": f"138****{i % 10000:04d}",
                    "phone_hash": _hash(i),
                    "name_masked": "",
                    "birthday": None,
                    "home_store": "S0",
                    "registered_at": at.isoformat(),
                    "aliases": [],
                    "merged_into": None,
                    "tier": "regular",
                    "tier_valid_until": None,
                    "growth": i % 5000,
                    "points_available": i % 3000,
                    "points_pending": 0,
                    "next_expiry": None,
                    "expiring_points": 0,
                    "last_purchase_at": None,
                }
                copy.write_row(("member", mid, 2 * i + 1, mid, json.dumps(view)))
                secret = {"member_id": mid, "secret": ""}  # filled in at pull (hq.pii)
                copy.write_row(("member_secret", mid, 2 * i + 2, mid, json.dumps(secret)))
        cur.execute("UPDATE counters SET value = %s WHERE name = 'change'", (2 * n,))
        conn.commit()


def _snapshot(url: str) -> None:
    db = HqDb(url)
    code = HqService(db).make_enrolment_code("S0")
    db.dispose()
    started = time.perf_counter()
    _fill_store(url, SNAPSHOT_MEMBERS, db.keyring)
    print(
        f"   snapshot set-up: {SNAPSHOT_MEMBERS:,} members loaded by COPY in "
        f"{time.perf_counter() - started:.1f} s"
    )
    proc, base = _start_server(url)
    try:
        token = requests.post(
            f"{base}/v1/enroll", json={"code": code}, headers=request_headers(), timeout=10
        ).json()["token"]
        counts = [_pull_snapshot(base, token, compact) for compact in (False, True)]
        assert counts[0] == counts[1], f"plain and compact snapshots differ: {counts}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _pull_snapshot(base: str, token: str, compact: bool) -> int:
    """Pull a whole first snapshot (plain or compact pages); prints seconds and bytes."""
    started = time.perf_counter()
    cursor, raw, wire, count, more = 0, 0, 0, 0, True
    with requests.Session() as http:
        http.headers.update(request_headers(token))
        while more:
            r = http.post(
                f"{base}/v1/pull",
                json={"cursor": cursor, "limit": 5000, "compact": compact},
                timeout=120,
            )
            r.raise_for_status()
            raw += len(r.content)
            wire += int(r.headers.get("content-length", len(r.content)))
            page = r.json()
            count += len(page["changes"]) + sum(len(t["seqs"]) for t in page.get("tables", []))
            cursor, more = page["next_cursor"], page["more"]
    elapsed = time.perf_counter() - started
    label = "compact" if compact else "plain  "
    print(
        f"   first snapshot ({label}), {SNAPSHOT_MEMBERS:,} members: {count:,} changes in "
        f"{elapsed:.1f} s; {raw / 1e6:,.0f} MB JSON, {wire / 1e6:,.0f} MB on the wire (gzip)"
    )
    return count


def run() -> None:
    name = f"posloyalty_bench_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{name}"
    proc: subprocess.Popen[bytes] | None = None
    try:
        db = HqDb(url)
        svc = HqService(db)
        # Vancl's 2 points per yuan: each 128.00 sale derives exactly its 256 points, so every
        # entry passes HQ's verification (hq/authority.py) and is credited.
        svc.publish_rules((resources_dir() / "rules" / "vancl.toml").read_text("utf-8"))
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
        proc, base = _start_server(url)
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
        chains = {t: _chained(batches, os.urandom(32)) for t, batches in work.items()}
        # The request bodies are encoded before the clock starts: a till encodes its own
        # batches; what is timed is HQ's part (as the COPY figure times only the COPY).
        bodies = {
            t: [
                json.dumps({"terminal_id": t, "batch_id": _uuid7(0), "items": items} | chained)
                for items, chained in zip(batches, chains[t], strict=True)
            ]
            for t, batches in work.items()
        }
        accepted = [0] * len(terminals)

        def pusher(index: int, terminal: dict[str, Any]) -> None:
            with requests.Session() as http:
                http.headers.update(request_headers(terminal["token"]))
                http.headers["Content-Type"] = "application/json"
                for body in bodies[terminal["terminal_id"]]:
                    r = http.post(f"{base}/v1/push", data=body, timeout=120)
                    r.raise_for_status()
                    accepted[index] += sum(x["status"] == "accepted" for x in r.json()["results"])

        threads = [threading.Thread(target=pusher, args=(i, t)) for i, t in enumerate(terminals)]
        cpu_before = _cpu_seconds(proc.pid)
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        cpu = _cpu_seconds(proc.pid) - cpu_before
        total = PUSHERS * BATCHES * BATCH
        assert sum(accepted) == total, f"{sum(accepted)} of {total} accepted"
        with psycopg.connect(url.replace("+psycopg", "")) as conn:
            held = conn.execute("SELECT count(*) FROM conflicts").fetchone()
        assert held is not None
        assert held[0] == 0, f"{held[0]} conflicts: verification held items"
        with psycopg.connect(url.replace("+psycopg", "")) as conn:
            heads = conn.execute("SELECT count(*), min(seq) FROM till_chains").fetchone()
        assert heads == (PUSHERS, BATCHES * BATCH), f"chains at HQ: {heads}"
        ingest = total / elapsed
        copy_rate = _copy_rate(url, [b for bs in work.values() for b in bs])
        print(
            f"   ingest with verification (every item checked against its till's hash chain, "
            f"every entry against its sale and the rules, all credited): {total} events from {PUSHERS} terminals in "
            f"{BATCH}-item batches: {elapsed:.2f} s, {ingest:,.0f} events/s"
        )
        print(
            f"   server CPU (all {WORKERS} worker(s)): {cpu * 1e6 / total:.0f} us/event "
            f"({cpu / elapsed:.0%} of a core)"
        )
        print(
            f"   raw COPY of the same rows: {copy_rate:,.0f} rows/s; "
            f"ingest is {ingest / copy_rate:.0%} of COPY"
        )
        print(
            f"   SUMMARY ingest, {WORKERS} worker(s): {ingest:,.0f} events/s, "
            f"{cpu * 1e6 / total:.0f} us server CPU/event; COPY {copy_rate:,.0f} rows/s; "
            f"ingest/COPY {ingest / copy_rate:.1%} (bar: 10,000 events/s; aim: 25% of COPY)"
        )
        print(f"   recorded before: {BEFORE}")
        _profile_push(url, stores[0], members[stores[0]])
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
    if SNAPSHOT_MEMBERS > 0:
        _with_database(_snapshot)


def _with_database(work: Callable[[str], None]) -> None:
    name = f"posloyalty_bench_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        work(f"{base}/{name}")
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    run()

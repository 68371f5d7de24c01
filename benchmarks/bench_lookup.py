"""Online member lookup: from a scanned phone code to the counter's member panel, via HQ.

HQ: a real ``posloyalty hq serve`` process on a fresh PostgreSQL database holding
``POSLOYALTY_BENCH_LOOKUP_MEMBERS`` members (default 1,000,000; loaded by COPY with their
member and secret change rows), all at home in store S0. The till is enrolled at store S1, so
none of them is in its slice. Between the till and HQ a loopback proxy delays every chunk by
25 ms each way (:data:`ROUND_TRIP_S`, 50 ms of injected round trip). Each sample scans a
different member's fresh phone code through :meth:`Counter.scan`: the local miss, the lookup
(HQ verifies the code, links the member to S1 and answers with the member's rows), storing
them in one transaction, the local re-verification and the new :class:`CounterView` with the
member panel (what the window paints; Qt's own paint is not included). Printed: p50 / p99
(target p99 <= 300 ms) and, for reference, the bare round trip through the proxy.
Environment: ``POSLOYALTY_BENCH_PG`` (default ``postgresql://postgres@127.0.0.1:5432/test``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import heapq
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import requests

from posloyalty.clock import SystemClock
from posloyalty.domain.codes import make_dynamic
from posloyalty.domain.ids import MemberId
from posloyalty.hq.db import HqDb
from posloyalty.hq.services import HqService
from posloyalty.resources import resources_dir
from posloyalty.sync.client import SyncClient, enroll
from posloyalty.sync.lookup import MemberLookup
from posloyalty.terminal.context import context_from_store
from posloyalty.terminal.counter import Counter
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database

ADMIN = os.environ.get("POSLOYALTY_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
MEMBERS = int(os.environ.get("POSLOYALTY_BENCH_LOOKUP_MEMBERS", "1000000"))
SAMPLES = 400
ROUND_TRIP_S = 0.050


def _secret(i: int) -> bytes:
    return hashlib.sha256(f"bench-secret:{i}".encode()).digest()[:20]


def _member(i: int) -> str:
    return f"B{i:09d}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _fill(url: str, n: int) -> None:
    """``n`` members of store S0 with their member and secret change rows, by COPY."""
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with psycopg.connect(url.replace("+psycopg", "")) as conn, conn.cursor() as cur:
        counter = cur.execute("SELECT value FROM counters WHERE name = 'change'").fetchone()
        assert counter is not None
        top = int(counter[0])
        with cur.copy(
            "COPY members (id, phone, phone_hash, name, home_store, registered_at, secret,"
            " dirty, state) FROM STDIN"
        ) as copy:
            for i in range(n):
                state = {"tier": "gold", "growth": 7000, "available": 500}
                copy.write_row(
                    (_member(i), f"138{i:08d}", f"{i:064x}", "", "S0", at, _secret(i), False,
                     json.dumps(state))
                )  # fmt: skip
        with cur.copy("COPY member_aliases (alias, member_id) FROM STDIN") as copy:
            for i in range(n):
                copy.write_row((_member(i), _member(i)))
        with cur.copy(
            "COPY member_stores (member_id, store_id, home, last_seen_at) FROM STDIN"
        ) as copy:
            for i in range(n):
                copy.write_row((_member(i), "S0", True, at))
        with cur.copy("COPY changes (kind, key, seq, member_id, data) FROM STDIN") as copy:
            for i in range(n):
                mid = _member(i)
                view: dict[str, object] = {
                    "id": mid,
                    "phone_masked": f"138****{i % 10000:04d}",
                    "phone_hash": f"{i:064x}",
                    "name_masked": "",
                    "birthday": None,
                    "home_store": "S0",
                    "registered_at": at.isoformat(),
                    "aliases": [],
                    "merged_into": None,
                    "tier": "gold",
                    "growth": 7000,
                    "points_available": 500,
                    "points_pending": 0,
                }
                copy.write_row(("member", mid, top + 2 * i + 1, mid, json.dumps(view)))
                secret = {"member_id": mid, "secret": _secret(i).hex()}
                copy.write_row(("member_secret", mid, top + 2 * i + 2, mid, json.dumps(secret)))
        cur.execute("UPDATE counters SET value = %s WHERE name = 'change'", (top + 2 * n,))
        conn.commit()
        cur.execute("ANALYZE")


class _DelayProxy:
    """A loopback TCP proxy that holds every chunk ``one_way`` seconds in each direction."""

    def __init__(self, upstream: int, one_way: float) -> None:
        self.upstream, self.one_way = upstream, one_way
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._stop.set()
        self.sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            for src, dst in ((client, server), (server, client)):
                self._pipe(src, dst)

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        queue: list[tuple[float, int, bytes]] = []
        ready = threading.Condition()
        count = 0

        def read() -> None:
            nonlocal count
            while True:
                try:
                    data = src.recv(65536)
                except OSError:
                    data = b""
                with ready:
                    count += 1
                    heapq.heappush(queue, (time.monotonic() + self.one_way, count, data))
                    ready.notify()
                if not data:
                    return

        def write() -> None:
            while True:
                with ready:
                    while not queue:
                        ready.wait()
                    due, _, data = queue[0]
                    wait = due - time.monotonic()
                    if wait > 0:
                        ready.wait(wait)
                        continue
                    heapq.heappop(queue)
                if not data:
                    with contextlib.suppress(OSError):
                        dst.shutdown(socket.SHUT_WR)
                    return
                try:
                    dst.sendall(data)
                except OSError:
                    return

        threading.Thread(target=read, daemon=True).start()
        threading.Thread(target=write, daemon=True).start()


def _serve(url: str) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "posloyalty.cli", "hq", "serve", "--port", str(port),
         "--jobs-interval", "0", "--db", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).raise_for_status()
            return proc, port
        except requests.RequestException:
            if time.monotonic() > deadline:
                proc.terminate()
                raise RuntimeError("hq serve did not start") from None
            time.sleep(0.2)


def _pct(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {p50 * 1000:.1f} ms  p99 {p99 * 1000:.1f} ms  (n={len(ordered)})"


def _bench(url: str) -> None:
    db = HqDb(url)
    svc = HqService(db)
    svc.publish_rules((resources_dir() / "rules" / "miniso.toml").read_text(encoding="utf-8"))
    code = svc.make_enrolment_code("S1")
    db.dispose()
    started = time.perf_counter()
    _fill(url, MEMBERS)
    print(f"   set-up: {MEMBERS:,} members at HQ (PostgreSQL) by COPY in "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    proc, port = _serve(url)
    proxy = _DelayProxy(port, ROUND_TRIP_S / 2)
    base = f"http://127.0.0.1:{proxy.port}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            till = Database.open(Path(tmp) / "till.sqlite", clock=SystemClock(), create=True)
            with till.write() as session:
                repo.set_setting(session, "zone", "Asia/Shanghai")
                repo.create_cashier(
                    session, cashier_id="c1", name="C", role="cashier", pin="1111",
                    at=till.clock.now(),
                )  # fmt: skip
            enroll(till, base, code, key_store="file")
            assert SyncClient(till).sync().online
            counter = Counter(context_from_store(till, "c1"), None, MemberLookup(till))
            with requests.Session() as http:
                bare = []
                for _ in range(50):
                    t0 = time.perf_counter()
                    http.get(f"{base}/v1/health", timeout=5).raise_for_status()
                    bare.append(time.perf_counter() - t0)
            picked = random.Random(7).sample(range(MEMBERS), SAMPLES)
            samples: list[float] = []
            for i in picked:
                text = make_dynamic(MemberId(_member(i)), _secret(i), int(time.time()))
                t0 = time.perf_counter()
                view = counter.scan(text).view
                samples.append(time.perf_counter() - t0)
                assert view.member is not None and view.member.confirmed, view.member
                counter.cancel()
            till.close()
        print(f"   bare round trip through the proxy: {_pct(bare)}")
        print(f"   scan -> HQ lookup -> stored -> member panel, {MEMBERS:,} members at HQ, "
              f"{ROUND_TRIP_S * 1000:.0f} ms injected round trip: {_pct(samples)}")  # fmt: skip
    finally:
        proxy.close()
        proc.terminate()
        proc.wait(timeout=30)


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


def run() -> None:
    _with_database(_bench)


if __name__ == "__main__":
    run()

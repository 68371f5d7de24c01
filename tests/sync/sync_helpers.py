"""Helpers for the sync tests: a restartable HQ on loopback, a fault-injecting HTTP proxy,
terminals enrolled with HQ, and comparisons of what terminals committed with what HQ holds."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import random
import socket
import struct
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import uvicorn
from hq_helpers import member_pii
from sqlalchemy import select

from posloyalty.clock import Clock, FixedClock
from posloyalty.domain.codes import make_dynamic
from posloyalty.domain.ids import MemberId
from posloyalty.hq.api import create_app
from posloyalty.hq.db import HqDb
from posloyalty.hq.models import LedgerEntry, PushedItem, Sale
from posloyalty.hq.services import HqConfig, HqService
from posloyalty.resources import resources_dir
from posloyalty.sync.client import Backoff, SyncClient, enroll
from posloyalty.sync.outbound import WIRE_PENDING_UNTIL_CONFIRMED
from posloyalty.terminal.checkout import CheckoutSession
from posloyalty.terminal.context import TerminalContext, context_from_store
from posloyalty.terminal.identified import Identified
from posloyalty.tilldb import repo
from posloyalty.tilldb.confirmation import STORED_PENDING_UNTIL_CONFIRMED
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.ids import Uuid7

_HQ_CONFTEST = Path(__file__).resolve().parents[1] / "hq" / "conftest.py"
if str(_HQ_CONFTEST.parent) not in sys.path:  # it imports hq_server from its directory
    sys.path.append(str(_HQ_CONFTEST.parent))
_spec = importlib.util.spec_from_file_location("posloyalty_hq_test_conftest", _HQ_CONFTEST)
assert _spec is not None and _spec.loader is not None
hq_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hq_conftest)
#: A fresh PostgreSQL database URL per use (generator), from tests/hq/conftest.py.
postgres_database = hq_conftest.postgres_database
free_port = hq_conftest.free_port

SHANGHAI = ZoneInfo("Asia/Shanghai")
HQ_T0 = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
#: A Tuesday morning in the store (no member day under the miniso preset).
STORE_T0 = dt.datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)
RULES = "miniso"
FAST = Backoff(base=0.02, cap=0.3, attempts=12)

PRODUCTS = [
    {"sku": "A1", "ean": "6900000000011", "name": "Tote bag", "price": "10.00"},
    {"sku": "B2", "ean": "6900000000028", "name": "Notebook", "price": "25.50"},
    {"sku": "C3", "ean": "6900000000035", "name": "Snack box", "price": "39.90"},
]


# --------------------------------------------------------------------------- HQ


class Hq:
    """HQ on a database URL, served by uvicorn on loopback; :meth:`restart` starts a new
    service and server on the same database (as a restarted HQ process would)."""

    def __init__(
        self, url: str, clock: FixedClock | None = None, config: HqConfig | None = None
    ) -> None:
        self.db_url = url
        self.clock = clock or FixedClock(HQ_T0)
        self.config = config or HqConfig(rate_per_s=5000, rate_burst=5000)
        self.db = HqDb(url, pool_size=4)
        self.svc = HqService(self.db, self.clock, self.config)
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Hq:
        self.port = free_port()
        config = uvicorn.Config(
            create_app(self.svc),
            host="127.0.0.1",
            port=self.port,
            log_level="critical",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(timeout=20)
            self.server = None

    def restart(self) -> None:
        """Stop serving, drop the service (and its connections), serve again on a new port."""
        self.stop()
        self.db.dispose()
        self.db = HqDb(self.db_url, pool_size=4, upgrade=False)
        self.svc = HqService(self.db, self.clock, self.config)
        self.start()

    def close(self) -> None:
        self.stop()
        self.db.dispose()

    def setup_chain(self, store: str, members: int) -> list[str]:
        """Rules, catalog and ``members`` members registered at ``store``; returns their ids."""
        text = (resources_dir() / "rules" / f"{RULES}.toml").read_text(encoding="utf-8")
        self.svc.publish_rules(text)
        from posloyalty.hq import admin

        self.db.run(lambda s: admin.import_catalog(s, PRODUCTS))
        ids = []
        for n in range(members):
            reg = self.svc.register_member(
                store, f"1390000{n:04d}", f"Member {n}", None, True, HQ_T0 - dt.timedelta(days=30)
            )
            ids.append(reg.member_id)
        return ids

    def ledger(self) -> dict[str, tuple[Any, ...]]:
        """Terminal-written ledger entries at HQ by id."""
        with self.db.transaction() as s:
            rows = s.scalars(select(LedgerEntry).where(LedgerEntry.terminal_id.is_not(None)))
            return {
                r.id: (r.member_ref, r.kind, r.points, r.lot, r.at, r.available_at, r.sale_id)
                for r in rows
            }

    def sales(self) -> dict[str, tuple[Any, ...]]:
        with self.db.transaction() as s:
            return {r.id: (r.member_ref, r.total_fen, r.at) for r in s.scalars(select(Sale))}

    def pushed(self) -> Counter[str]:
        with self.db.transaction() as s:
            return Counter(s.scalars(select(PushedItem.kind)))


# --------------------------------------------------------------------------- proxy


@dataclass
class FaultProxy:
    """An HTTP-aware TCP proxy on loopback that injects one fault per request from a plan.

    Faults: ``pass``; ``reset`` (RST before forwarding); ``drop_mid_body`` (half the request
    body reaches HQ, then both sides are cut); ``delay`` (wait ``delay_s`` first);
    ``duplicate`` (the request reaches HQ twice, concurrently); ``delay_response`` (HQ
    answers at once, the answer is held ``delay_s``); ``drop_response`` (HQ
    processes the request, the answer is lost: RST); ``truncate_response`` (half the answer,
    then close); ``unavailable`` (a 503 from the proxy). Each request to HQ opens its own upstream connection, so an HQ restart on
    another port only needs :attr:`upstream_port` changed.
    """

    upstream_port: int
    plan: Callable[[str, int], str] = field(default=lambda _path, _n: "pass")
    delay_s: float = 0.3
    counts: Counter[str] = field(default_factory=Counter)
    #: Requests HQ answered / answers that reached the client, by path.
    forwarded: Counter[str] = field(default_factory=Counter)
    delivered: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._closing = False
        self._clients: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._closing = True
        with contextlib.suppress(OSError):
            self._listener.close()
        for c in list(self._clients):
            _rst(c)

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self._clients.add(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(60)
        buf = b""
        try:
            while not self._closing:
                head, buf = _read_head(client, buf)
                if head is None:
                    return
                length = _content_length(head)
                body, buf = _read_exact(client, buf, length)
                path = head.split(b" ", 2)[1].decode("latin-1")
                with self._lock:
                    self.counts[path] += 1
                    fault = self.plan(path, self.counts[path])
                    self.faults[fault] += 1
                request = head + body
                if fault == "reset":
                    _rst(client)
                    return
                if fault == "unavailable":
                    client.sendall(UNAVAILABLE)
                    continue
                if fault == "drop_mid_body":
                    with contextlib.suppress(OSError):
                        up = socket.create_connection(("127.0.0.1", self.upstream_port), 5)
                        up.sendall(head + body[: max(len(body) // 2, 1)])
                        time.sleep(0.05)
                        _rst(up)
                    _rst(client)
                    return
                if fault == "delay":
                    time.sleep(self.delay_s)
                if fault == "duplicate":
                    answers: list[bytes | None] = [None, None]

                    def send(i: int, request: bytes = request, answers: Any = answers) -> None:
                        answers[i] = self._forward(request)

                    threads = [threading.Thread(target=send, args=(i,)) for i in (0, 1)]
                    for t in threads:
                        t.start()
                    for t in threads:
                        t.join()
                    response = answers[0] or answers[1]
                else:
                    response = self._forward(request)
                if response is None:  # HQ down
                    _rst(client)
                    return
                with self._lock:
                    self.forwarded[path] += 1
                if fault == "delay_response":
                    time.sleep(self.delay_s)
                if fault == "drop_response":
                    _rst(client)
                    return
                if fault == "truncate_response":
                    client.sendall(response[: len(response) // 2])
                    client.close()
                    return
                client.sendall(response)
                with self._lock:
                    self.delivered[path] += 1
        except OSError:
            _rst(client)
        finally:
            self._clients.discard(client)
            with contextlib.suppress(OSError):
                client.close()

    def _forward(self, request: bytes) -> bytes | None:
        try:
            up = socket.create_connection(("127.0.0.1", self.upstream_port), 5)
        except OSError:
            return None
        try:
            up.settimeout(60)
            up.sendall(request)
            head, rest = _read_head(up, b"")
            if head is None:
                return None
            if b"transfer-encoding: chunked" in head.lower():
                while not rest.endswith(b"0\r\n\r\n"):
                    chunk = up.recv(65536)
                    if not chunk:
                        return None
                    rest += chunk
                return head + rest
            body, _ = _read_exact(up, rest, _content_length(head))
            return head + body
        except OSError:
            return None
        finally:
            up.close()


UNAVAILABLE = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
    b'content-length: 29\r\n\r\n{"detail":"HQ is restarting"}'
)


def _rst(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


def _read_head(sock: socket.socket, buf: bytes) -> tuple[bytes | None, bytes]:
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        buf += chunk
    end = buf.index(b"\r\n\r\n") + 4
    return buf[:end], buf[end:]


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def _read_exact(sock: socket.socket, buf: bytes, n: int) -> tuple[bytes, bytes]:
    while len(buf) < n:
        chunk = sock.recv(65536)
        if not chunk:
            raise OSError("connection closed mid-body")
        buf += chunk
    return buf[:n], buf[n:]


def random_plan(seed: int, weights: dict[str, float]) -> Callable[[str, int], str]:
    """Every fault once on the first pushes (in a seeded order), then faults at random by
    ``weights`` on every request."""
    rng = random.Random(seed)
    names = list(weights)
    values = [weights[n] for n in names]
    first = deque(rng.sample(names, len(names)))
    lock = threading.Lock()

    def plan(path: str, _n: int) -> str:
        with lock:
            if first and path == "/v1/push":
                return first.popleft()
            return rng.choices(names, values)[0]

    return plan


# --------------------------------------------------------------------------- terminals


def new_terminal(path: Path, clock: Clock) -> Database:
    """An empty terminal database with a zone and cashier c1 (the rest comes from HQ)."""
    db = Database.open(path, clock=clock, create=True)
    with db.write() as session:
        repo.set_setting(session, "zone", "Asia/Shanghai")
        repo.create_cashier(
            session, cashier_id="c1", name="Cashier", role="cashier", pin="1111", at=clock.now()
        )
    return db


def enrolled(hq: Hq, path: Path, store: str, clock: Clock, *, url: str | None = None) -> Database:
    db = new_terminal(path, clock)
    enroll(db, url or hq.url, hq.svc.make_enrolment_code(store), key_store="file")
    return db


def client(db: Database, **kwargs: Any) -> SyncClient:
    kwargs.setdefault("backoff", FAST)
    kwargs.setdefault("timeout", (2.0, 10.0))
    return SyncClient(db, **kwargs)


_IDS: dict[int, Uuid7] = {}


def ctx(db: Database) -> TerminalContext:
    ids = _IDS.setdefault(id(db), Uuid7(db.clock))
    return context_from_store(db, "c1", ids=ids)


def sell(
    db: Database,
    member: str | None,
    *,
    skus: tuple[str, ...] = ("A1", "B2"),
    redeem: int = 0,
    may_redeem: bool = False,
    confirmed: bool = True,
    code: str = "",
) -> str:
    """One real checkout (paid by card); returns the sale id. ``code``: the member's phone
    code as scanned (sent to HQ with the sale as proof of presence)."""
    s = CheckoutSession(ctx(db))
    for sku in skus:
        s.scan(sku)
    if member is not None:
        may = (may_redeem or bool(redeem)) and confirmed
        s.identify(
            Identified(MemberId(member), "dynamic", may_redeem=may, confirmed=confirmed, code=code)
        )
    if redeem:
        s.redeem(redeem)
    s.begin_payment()
    s.add_payment("card")
    return s.commit().sale_id


def phone_code(hq: Hq, member: str, at: dt.datetime) -> str:
    """The member's phone code at ``at``, made with the secret HQ holds (as the phone does)."""
    secret = member_pii(hq.db, member).secret
    return make_dynamic(MemberId(member), secret, int(at.timestamp()))


def terminal_ledger(db: Database) -> dict[str, tuple[Any, ...]]:
    """The ledger entries this terminal wrote (not those it pulled from HQ)."""
    with db.read() as session:
        rows = session.connection().exec_driver_sql(
            "SELECT id, member, kind, points, lot, at, available_at, sale_id FROM ledger_entries"
            " WHERE terminal = (SELECT value FROM settings WHERE key = 'terminal')"
        )
        # Points parked until HQ confirms the member travel with the protocol's latest date.
        wire = {STORED_PENDING_UNTIL_CONFIRMED: WIRE_PENDING_UNTIL_CONFIRMED}
        return {
            r[0]: (r[1], r[2], r[3], r[4], _ts(r[5]), _ts(cast(str, wire.get(r[6], r[6]))), r[7])
            for r in rows
        }


def terminal_sales(db: Database) -> dict[str, tuple[Any, ...]]:
    with db.read() as session:
        rows = session.connection().exec_driver_sql("SELECT id, member, total_fen, at FROM sales")
        return {r[0]: (r[1], r[2], _ts(r[3])) for r in rows}


def pending(db: Database) -> int:
    with db.read() as session:
        return repo.outbox_pending_count(session)


def _ts(text: str) -> dt.datetime:
    from posloyalty.tilldb.types import parse_ts

    return parse_ts(text)


def assert_converged(hq: Hq, terminals: list[Database]) -> None:
    """HQ's ledger and sales equal the union of what the terminals committed, exactly."""
    union: dict[str, tuple[Any, ...]] = {}
    sales: dict[str, tuple[Any, ...]] = {}
    for db in terminals:
        assert pending(db) == 0
        mine = terminal_ledger(db)
        assert not set(mine) & set(union)
        union |= mine
        sales |= terminal_sales(db)
    assert hq.ledger() == union
    assert hq.sales() == sales


@contextlib.contextmanager
def running_hq(url: str) -> Iterator[Hq]:
    hq = Hq(url).start()
    try:
        yield hq
    finally:
        hq.close()


def hq_on(backend: str, tmp_path: Path, clock: FixedClock) -> Iterator[Hq]:
    """A started HQ on SQLite or on a fresh PostgreSQL database (a fixture's ``sqlite`` /
    ``postgres`` variants), closed (and the database dropped) afterwards."""
    if backend == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path / 'hq.sqlite'}"])
    else:
        urls = postgres_database()
    for url in urls:
        server = Hq(url, clock=clock).start()
        try:
            yield server
        finally:
            server.close()

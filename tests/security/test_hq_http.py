"""HQ's HTTP edge under attack, against real uvicorn servers (threads and separate processes):
no personal data in any log, malformed Unicode refused with 400, API docs only in development,
rate limits that hold across worker processes sharing Redis and that a forged
X-Forwarded-For does not get around."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from hq_chain import Chain
from hq_helpers import batch, registration
from hq_server import RunningServer, free_port
from pgtest import postgres_database
from sqlalchemy import func, select

from posloyalty.hq.db import HqDb
from posloyalty.hq.edge import EdgeConfig, LocalLimiter, client_address, make_limiter
from posloyalty.hq.models import Member, PushedItem
from posloyalty.hq.services import HqService
from posloyalty.sync.protocol import request_headers

TIMEOUT = 10
REDIS_URL = os.environ.get("POSLOYALTY_TEST_REDIS", "redis://127.0.0.1:6379/0")


def _counts(db: HqDb) -> tuple[int, int]:
    with db.transaction(writer=False) as s:
        return (
            s.scalar(select(func.count()).select_from(Member)) or 0,
            s.scalar(select(func.count()).select_from(PushedItem)) or 0,
        )


def _raw_post(url: str, body: bytes, token: str | None) -> requests.Response:
    headers = request_headers(token) | {"Content-Type": "application/json"}
    return requests.post(url, data=body, headers=headers, timeout=TIMEOUT)


def _enrol(url: str, svc: HqService, store: str) -> tuple[str, str]:
    code = svc.make_enrolment_code(store)
    r = requests.post(
        f"{url}/v1/enroll", json={"code": code}, headers=request_headers(), timeout=TIMEOUT
    )
    assert r.status_code == 200, r.text
    return r.json()["terminal_id"], r.json()["token"]


# --------------------------------------------------------------------------- malformed unicode


def test_malformed_unicode_gets_400_and_nothing_is_stored(chain: Chain) -> None:
    with RunningServer(chain.svc) as server:
        terminal, token = _enrol(server.url, chain.svc, "S1")
        before = _counts(chain.svc.db)
        at = dt.datetime.now(dt.UTC)
        item = registration("S1", terminal, "P-uni", "13811112222", at, name="NAME_MARK")
        text = json.dumps(batch(terminal, [item]))
        lone = text.replace("NAME_MARK", "\\ud800")
        assert "\\ud800" in lone
        r = _raw_post(f"{server.url}/v1/push", lone.encode(), token)
        assert r.status_code == 400 and "surrogate" in r.json()["detail"]
        low = text.replace("NAME_MARK", "x\\udc00y")
        assert _raw_post(f"{server.url}/v1/push", low.encode(), token).status_code == 400
        bad_bytes = text.encode().replace(b"NAME_MARK", b"\xff\xfe\xc3")
        r = _raw_post(f"{server.url}/v1/push", bad_bytes, token)
        assert r.status_code == 400 and "UTF-8" in r.json()["detail"]
        r = _raw_post(f"{server.url}/v1/enroll", b'{"code": "\\udfff"}', None)
        assert r.status_code == 400
        assert _counts(chain.svc.db) == before
        # A real surrogate pair is a character (an emoji): accepted as any name.
        pair = text.replace("NAME_MARK", "\\ud83d\\ude00")
        r = _raw_post(f"{server.url}/v1/push", pair.encode(), token)
        assert r.status_code == 200 and r.json()["results"][0]["status"] == "accepted"


def test_nan_and_infinity_get_400_and_nothing_is_stored(chain: Chain) -> None:
    # Found by the ingest work: Python's JSON reader takes NaN, and the 422 that FastAPI then
    # builds cannot be encoded, so the till got a 500.
    with RunningServer(chain.svc) as server:
        terminal, token = _enrol(server.url, chain.svc, "S1")
        before = _counts(chain.svc.db)
        at = dt.datetime.now(dt.UTC)
        item = registration("S1", terminal, "P-nan", "13811113333", at, name="NaN Infinity")
        text = json.dumps(batch(terminal, [item]))
        for constant in ("NaN", "Infinity", "-Infinity"):
            body = text.replace('"consent": true', f'"consent": {constant}')
            assert body != text
            r = _raw_post(f"{server.url}/v1/push", body.encode(), token)
            assert r.status_code == 400, r.text
            assert (
                constant.lstrip("-") in r.json()["detail"] and "JSON number" in r.json()["detail"]
            )
        assert _counts(chain.svc.db) == before
        # The words inside a string are only words: the name "NaN Infinity" is accepted.
        r = _raw_post(f"{server.url}/v1/push", text.encode(), token)
        assert r.status_code == 200 and r.json()["results"][0]["status"] == "accepted"


# --------------------------------------------------------------------------- docs


def test_api_docs_are_off_in_production_and_on_in_development(chain: Chain) -> None:
    with RunningServer(chain.svc, edge=EdgeConfig.from_env({})) as server:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert requests.get(server.url + path, timeout=TIMEOUT).status_code == 404, path
        assert requests.get(server.url + "/v1/health", timeout=TIMEOUT).status_code == 200
    with RunningServer(chain.svc, edge=EdgeConfig.from_env({"POSLOYALTY_HQ_DEV": "1"})) as server:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert requests.get(server.url + path, timeout=TIMEOUT).status_code == 200, path
        assert (
            "/v1/push"
            in requests.get(server.url + "/openapi.json", timeout=TIMEOUT).json()["paths"]
        )


# --------------------------------------------------------------------------- processes


@pytest.fixture(params=["sqlite", "postgres"])
def hq_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hq.sqlite'}"
        return
    yield from postgres_database()


@contextmanager
def hq_process(url: str, log: Path, **env: str) -> Iterator[str]:
    """``posloyalty hq serve`` in its own process (its whole output goes to ``log``)."""
    port = free_port()
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("POSLOYALTY_HQ_") or k == "POSLOYALTY_HQ_KEY_FILE"
    }
    environ = inherited | env
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "posloyalty.cli",
                "hq",
                "serve",
                "--db",
                url,
                "--port",
                str(port),
                "--jobs-interval",
                "0",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=environ,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/v1/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, "HQ did not start"
            time.sleep(0.1)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


PHONES = ("13855501234", "13855506789", "13855504321", "13855508765", "13855500000")
NAMES = ("LOGNAME_ALPHA", "LOGNAME_BRAVO", "LOGNAME_CHARLIE", "LOGNAME_DELTA", "LOGNAME_ECHO")


def test_no_personal_data_in_hq_logs_even_on_errors(hq_url: str, tmp_path: Path) -> None:
    log = tmp_path / "hq.log"
    db = HqDb(hq_url)
    svc = HqService(db)
    try:
        with hq_process(hq_url, log, POSLOYALTY_HQ_DEV="1") as url:
            terminal, token = _enrol(url, svc, "S1")
            at = dt.datetime.now(dt.UTC)

            def push(body: Any) -> requests.Response:
                return requests.post(
                    f"{url}/v1/push", json=body, headers=request_headers(token), timeout=TIMEOUT
                )

            ok = registration("S1", terminal, "P-log-1", PHONES[0], at, name=NAMES[0])
            assert push(batch(terminal, [ok])).status_code == 200
            # Refused inside the batch (no consent), and a schema violation (422).
            no_consent = registration(
                "S1", terminal, "P-log-2", PHONES[1], at, name=NAMES[1], consent=False
            )
            r = push(batch(terminal, [no_consent]))
            assert r.status_code == 200 and r.json()["results"][0]["status"] == "rejected"
            bad = batch(terminal, [registration("S1", terminal, "P-log-3", PHONES[2], at)])
            bad["items"][0]["payload"]["name"] = NAMES[2]
            bad["batch_id"] = {"phone": PHONES[2]}
            assert push(bad).status_code == 422
            # Malformed unicode beside a phone and a name: 400.
            text = json.dumps(
                batch(
                    terminal,
                    [registration("S1", terminal, "P-log-4", PHONES[3], at, name=NAMES[3])],
                )
            ).replace(NAMES[3], NAMES[3] + "\\ud800")
            assert _raw_post(f"{url}/v1/push", text.encode(), token).status_code == 400
            # The database breaks under a registration: 500, and the log says so.
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ALTER TABLE member_aliases RENAME TO member_aliases_gone")
            broken = registration("S1", terminal, "P-log-5", PHONES[4], at, name=NAMES[4])
            r = push(batch(terminal, [broken]))
            assert r.status_code == 500
            assert PHONES[4] not in r.text and NAMES[4] not in r.text
            with db.engine.begin() as conn:
                conn.exec_driver_sql("ALTER TABLE member_aliases_gone RENAME TO member_aliases")
    finally:
        db.dispose()
    written = log.read_text(errors="replace")
    for secret in (*PHONES, *NAMES, *(p[3:] for p in PHONES)):
        assert secret not in written, f"{secret} is in the log:\n{written}"
    assert "POST /v1/push failed" in written, written
    assert "OperationalError" in written or "ProgrammingError" in written, written
    # Its type and place only: an error's message (here the SQL naming the table) may quote
    # what a request carried, so it never reaches the log.
    assert "member_aliases" not in written, written


# --------------------------------------------------------------------------- rate limits


def _redis_prefix() -> str:
    return f"posloyalty-test:{secrets.token_hex(6)}:"


def _attempts(base: str, n: int, forwarded: str | None = None) -> list[int]:
    headers = request_headers()
    statuses = []
    for i in range(n):
        extra = {"X-Forwarded-For": forwarded.format(i=i)} if forwarded else {}
        r = requests.post(
            f"{base}/v1/enroll",
            json={"code": "AAAA-BBBB-CCCC"},
            headers=headers | extra,
            timeout=TIMEOUT,
        )
        statuses.append(r.status_code)
    return statuses


def test_the_enrolment_limit_holds_across_two_hq_processes_sharing_redis(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'hq.sqlite'}"
    HqDb(url).dispose()  # migrated once before two processes open it
    prefix = _redis_prefix()
    shared = {"POSLOYALTY_HQ_REDIS_URL": REDIS_URL, "POSLOYALTY_HQ_REDIS_PREFIX": prefix}
    log = tmp_path / "hq.log"
    try:
        with hq_process(url, log, **shared) as one, hq_process(url, log, **shared) as two:
            # The burst is 10 per client: 7 tries at each process make 14 against one bucket.
            seen = [
                s for pair in zip(_attempts(one, 7), _attempts(two, 7), strict=True) for s in pair
            ]
            assert seen.count(403) <= 11 and seen.count(429) >= 3, seen
            # A forged X-Forwarded-For (the peer is no trusted proxy) changes nothing.
            forged = _attempts(one, 4, "203.0.113.{i}") + _attempts(two, 4, "198.51.100.{i}")
            assert forged == [429] * 8, forged
    finally:
        _drop(prefix)


def test_a_trusted_proxy_forwards_the_client_address(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hq.sqlite'}"
    prefix = _redis_prefix()
    env = {
        "POSLOYALTY_HQ_REDIS_URL": REDIS_URL,
        "POSLOYALTY_HQ_REDIS_PREFIX": prefix,
        "POSLOYALTY_HQ_TRUSTED_PROXIES": "127.0.0.1/32, ::1",
    }
    try:
        with hq_process(url, tmp_path / "hq.log", **env) as base:
            one = _attempts(base, 12, "203.0.113.9")
            assert one.count(429) >= 1, one  # that client ran out
            # Another client behind the same proxy has its own allowance.
            assert _attempts(base, 3, "203.0.113.10") == [403] * 3
            # A client that prepends a made-up address is still known by the proxy's entry.
            assert _attempts(base, 2, "10.9.9.{i}, 203.0.113.9")[-1] == 429
    finally:
        _drop(prefix)


def _drop(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def test_client_address_believes_forwarding_only_from_trusted_proxies() -> None:
    none = EdgeConfig()
    proxy = EdgeConfig.from_env({"POSLOYALTY_HQ_TRUSTED_PROXIES": "10.0.0.0/8"})
    assert client_address("127.0.0.1", "203.0.113.5", none) == "127.0.0.1"
    assert client_address("10.1.2.3", "203.0.113.5", proxy) == "203.0.113.5"
    assert client_address("10.1.2.3", "1.1.1.1, 203.0.113.5, 10.4.4.4", proxy) == "203.0.113.5"
    assert client_address("10.1.2.3", "not-an-ip", proxy) == "10.1.2.3"
    assert client_address("192.0.2.1", "203.0.113.5", proxy) == "192.0.2.1"
    with pytest.raises(ValueError, match="not an IP"):
        EdgeConfig.from_env({"POSLOYALTY_HQ_TRUSTED_PROXIES": "example.com"})


def test_an_unreachable_redis_falls_back_to_the_process_limit() -> None:
    port = free_port()  # nothing listens there
    limiter = make_limiter(EdgeConfig(redis_url=f"redis://127.0.0.1:{port}/0"), "t", 0.001, 2)
    assert [limiter.take("k") > 0 for _ in range(3)] == [False, False, True]
    local = LocalLimiter(0.001, 2)
    assert [local.take("k") > 0 for _ in range(3)] == [False, False, True]


def _ask_code(base: str, phone: str) -> int:
    r = requests.post(f"{base}/v1/members/sign-in/code", json={"phone": phone}, timeout=TIMEOUT)
    return r.status_code


def test_sms_code_limits_hold_across_two_hq_processes_sharing_redis(tmp_path: Path) -> None:
    """Per phone (one a minute) and per address (20 an hour, the defaults): a client that
    spreads its requests over two HQ workers gets no more codes than from one."""
    url = f"sqlite:///{tmp_path / 'hq.sqlite'}"
    HqDb(url).dispose()
    prefix = _redis_prefix()
    shared = {"POSLOYALTY_HQ_REDIS_URL": REDIS_URL, "POSLOYALTY_HQ_REDIS_PREFIX": prefix}
    log = tmp_path / "hq.log"
    try:
        with hq_process(url, log, **shared) as one, hq_process(url, log, **shared) as two:
            assert _ask_code(one, "13900000000") == 202
            assert _ask_code(two, "13900000000") == 429  # the same phone at the other worker
            assert _ask_code(one, "13900000000") == 429
            sent = [_ask_code((one, two)[i % 2], f"139000001{i:02d}") for i in range(19)]
            assert sent == [202] * 19, sent  # 20 codes asked from this address in all
            assert _ask_code(two, "13900000200") == 429
            assert _ask_code(one, "13900000201") == 429
        # The shared store counts phones by HQ's keyed blind index: no number, no plain hash.
        client = redis.Redis.from_url(REDIS_URL)
        try:
            keys = " ".join(k.decode() for k in client.scan_iter(match=prefix + "*"))
        finally:
            client.close()
        assert "sms-phone" in keys and "sms-address" in keys
        plain = hashlib.sha256(b"13900000000").hexdigest()
        assert "13900000000" not in keys and plain not in keys
        # Without Redis each worker counts alone: the same spread gets past the limit.
        alone = {"POSLOYALTY_HQ_REDIS_PREFIX": prefix}
        with hq_process(url, log, **alone) as one, hq_process(url, log, **alone) as two:
            assert [_ask_code(one, "13900000300"), _ask_code(two, "13900000300")] == [202, 202]
    finally:
        _drop(prefix)

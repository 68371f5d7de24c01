"""The HQ API through a real uvicorn on loopback, with requests as the client."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import requests
from hq_helpers import batch, earned, entry, registration, sale
from hq_server import RunningServer

from posloyalty.clock import FixedClock
from posloyalty.hq.services import HqConfig, HqService
from posloyalty.resources import resources_dir
from posloyalty.sync.protocol import (
    MAX_BATCH_ITEMS,
    MAX_BODY_BYTES,
    VERSION_HEADER,
    request_headers,
)

TIMEOUT = 10


def enroll(server: RunningServer, svc: HqService, store: str) -> dict[str, Any]:
    code = svc.make_enrolment_code(store)
    r = requests.post(
        f"{server.url}/v1/enroll", json={"code": code}, headers=request_headers(), timeout=TIMEOUT
    )
    assert r.status_code == 200, r.text
    assert r.headers[VERSION_HEADER] == "1"
    body: dict[str, Any] = r.json()
    return body


def post(server: RunningServer, path: str, body: Any, token: str | None) -> requests.Response:
    return requests.post(
        f"{server.url}{path}", json=body, headers=request_headers(token), timeout=TIMEOUT
    )


def test_enrol_push_pull_round_trip(
    server: RunningServer, svc: HqService, clock: FixedClock
) -> None:
    r = requests.get(f"{server.url}/v1/health", timeout=TIMEOUT)
    assert r.status_code == 200 and r.json()["protocol_version"] == 1
    till = enroll(server, svc, "S1")
    assert till["store_id"] == "S1" and len(till["phone_key"]) == 64
    t, token = till["terminal_id"], till["token"]
    at = clock.now()
    svc.publish_rules((resources_dir() / "rules" / "miniso.toml").read_text("utf-8"))
    items = [registration("S1", t, "P-1", "13800000001", at), *earned("S1", t, "P-1", 99, at)]
    r = post(server, "/v1/push", batch(t, items), token)
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["results"]] == ["accepted"] * 3
    # Replay: acknowledged, nothing changes.
    r = post(server, "/v1/push", batch(t, items), token)
    assert [x["status"] for x in r.json()["results"]] == ["duplicate"] * 3
    # Same id, another payload: refused as a conflict for that item.
    changed = {**items[2], "payload": {**items[2]["payload"], "points": 999}}
    r = post(server, "/v1/push", batch(t, [changed]), token)
    assert r.json()["results"][0]["status"] == "conflict"
    svc.run_jobs()
    r = post(server, "/v1/pull", {"cursor": 0, "limit": 1}, token)
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["more"] is True and len(first["changes"]) == 1
    r = post(server, "/v1/pull", {"cursor": first["next_cursor"]}, token)
    rest = r.json()
    kinds = [c["kind"] for c in first["changes"] + rest["changes"]]
    assert sorted(kinds) == ["member", "member_secret", "rule_document"]
    member = next(c["data"] for c in first["changes"] + rest["changes"] if c["kind"] == "member")
    assert member["phone_masked"] == "138****0001" and member["points_available"] == 99
    assert "13800000001" not in r.text + str(first)


def test_authorisation_matrix(server: RunningServer, svc: HqService, clock: FixedClock) -> None:
    s1 = enroll(server, svc, "S1")
    s2 = enroll(server, svc, "S2")
    at = clock.now()
    reg = registration("S1", s1["terminal_id"], "P-1", "13800000001", at)
    assert post(server, "/v1/push", batch(s1["terminal_id"], [reg]), s1["token"]).status_code == 200
    body = batch(s1["terminal_id"], [])
    # Unenrolled: no credential, a malformed one, an unknown one.
    assert post(server, "/v1/push", body, None).status_code == 401
    assert post(server, "/v1/pull", {"cursor": 0}, None).status_code == 401
    r = requests.post(
        f"{server.url}/v1/pull",
        json={"cursor": 0},
        headers={**request_headers(), "Authorization": "Basic abc"},
        timeout=TIMEOUT,
    )
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert post(server, "/v1/pull", {"cursor": 0}, "not-a-token").status_code == 401
    # Cross-store write: a batch in another terminal's name, an item for another store.
    r = post(server, "/v1/push", batch(s1["terminal_id"], []), s2["token"])
    assert r.status_code == 403
    foreign = sale("S1", s1["terminal_id"], None, 100, at)
    r = post(server, "/v1/push", batch(s2["terminal_id"], [foreign]), s2["token"])
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "rejected"
    # Cross-store read: store 2 never receives store 1's member.
    r = post(server, "/v1/pull", {"cursor": 0}, s2["token"])
    assert r.status_code == 200
    assert [c for c in r.json()["changes"] if c["kind"] in ("member", "member_secret")] == []
    # Revoked: refused with 403 on push and pull.
    assert svc.revoke_terminal(s1["terminal_id"])
    assert post(server, "/v1/push", body, s1["token"]).status_code == 403
    assert post(server, "/v1/pull", {"cursor": 0}, s1["token"]).status_code == 403
    # An enrolment code works once.
    code = svc.make_enrolment_code("S3")
    first = post(server, "/v1/enroll", {"code": code}, None)
    second = post(server, "/v1/enroll", {"code": code}, None)
    assert (first.status_code, second.status_code) == (200, 403)


def test_protocol_version_header(server: RunningServer, svc: HqService) -> None:
    till = enroll(server, svc, "S1")
    url = f"{server.url}/v1/pull"
    auth = {"Authorization": f"Bearer {till['token']}"}
    r = requests.post(url, json={"cursor": 0}, headers=auth, timeout=TIMEOUT)
    assert r.status_code == 400 and VERSION_HEADER in r.json()["detail"]
    r = requests.post(
        url, json={"cursor": 0}, headers={**auth, VERSION_HEADER: "2"}, timeout=TIMEOUT
    )
    assert r.status_code == 400 and "newer than this HQ understands" in r.json()["detail"]
    r = requests.post(
        url, json={"cursor": 0}, headers={**auth, VERSION_HEADER: "1"}, timeout=TIMEOUT
    )
    assert r.status_code == 200


def test_request_limits(server: RunningServer, svc: HqService, clock: FixedClock) -> None:
    till = enroll(server, svc, "S1")
    t, token = till["terminal_id"], till["token"]
    big = "x" * (MAX_BODY_BYTES + 1)
    r = requests.post(
        f"{server.url}/v1/push", data=big, headers=request_headers(token), timeout=TIMEOUT
    )
    assert r.status_code == 413

    def chunks() -> Any:  # no Content-Length: the size is counted as it streams
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b"x" * 65536

    r = requests.post(
        f"{server.url}/v1/push", data=chunks(), headers=request_headers(token), timeout=TIMEOUT
    )
    assert r.status_code == 413
    at = clock.now()
    too_many = [entry("S1", t, "M1", "earn", 1, at) for _ in range(MAX_BATCH_ITEMS + 1)]
    assert post(server, "/v1/push", batch(t, too_many), token).status_code == 422
    huge_payload = entry("S1", t, "M1", "earn", 1, at)
    huge_payload["payload"]["reason_extra"] = "y" * 40_000
    assert post(server, "/v1/push", batch(t, [huge_payload]), token).status_code == 422
    assert post(server, "/v1/pull", {"cursor": 0, "limit": 100_000}, token).status_code == 422
    assert post(server, "/v1/pull", {"cursor": -1}, token).status_code == 422


@pytest.fixture
def strict_svc(svc: HqService) -> HqService:
    return HqService(
        svc.db,
        svc.clock,
        HqConfig(rate_per_s=0.01, rate_burst=3, enroll_rate_per_s=0.01, enroll_burst=2),
    )


def test_rate_limits(strict_svc: HqService) -> None:
    with RunningServer(strict_svc) as server:
        codes = [strict_svc.make_enrolment_code("S1") for _ in range(3)]
        statuses = [post(server, "/v1/enroll", {"code": c}, None).status_code for c in codes]
        assert statuses == [200, 200, 429]
        token = strict_svc.enroll(strict_svc.make_enrolment_code("S1")).token
        statuses = [post(server, "/v1/pull", {"cursor": 0}, token).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        r = post(server, "/v1/pull", {"cursor": 0}, token)
        assert int(r.headers["retry-after"]) >= 1


def test_openapi_schema_lists_the_sync_endpoints(server: RunningServer) -> None:
    schema = requests.get(f"{server.url}/openapi.json", timeout=TIMEOUT).json()
    assert {"/v1/enroll", "/v1/push", "/v1/pull", "/v1/health"} <= set(schema["paths"])


def test_time_is_reported_by_hq(server: RunningServer, clock: FixedClock) -> None:
    r = requests.get(f"{server.url}/v1/health", timeout=TIMEOUT)
    assert dt.datetime.fromisoformat(r.json()["server_time"]) == clock.now()


def test_large_pull_pages_are_compressed(
    server: RunningServer, svc: HqService, tmp_path: Any
) -> None:
    catalog = tmp_path / "catalog.json"
    rows = [{"sku": f"SKU{i}", "name": f"Item {i}", "price": "1.00"} for i in range(200)]
    catalog.write_text(json.dumps(rows), encoding="utf-8")
    svc.import_catalog(catalog)
    till = enroll(server, svc, "S1")
    r = post(server, "/v1/pull", {"cursor": 0}, till["token"])
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert len(r.json()["changes"]) == 200

"""Revoking cards and rotating secrets from HQ: the ``hq`` commands and the operator API."""

from __future__ import annotations

import hashlib

import pytest
import requests
from hq_server import RunningServer
from sqlalchemy.orm import Session

from posloyalty.cli import main
from posloyalty.hq.db import HqDb
from posloyalty.hq.members import secret_of
from posloyalty.hq.models import Member, MemberCard, Revocation
from posloyalty.hq.services import HqService

TIMEOUT = 10


def _card(svc: HqService, member: str, n: int) -> str:
    digest = hashlib.sha256(f"card {n}".encode()).hexdigest()
    at = svc.clock.now()

    def add(s: Session) -> None:
        s.add(
            MemberCard(
                digest=digest, member_id=member, store_id="S1", terminal_id="T1", issued_at=at
            )
        )

    svc.db.run(add)
    return digest


def test_hq_commands_revoke_cards_and_rotate_secrets(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = HqDb(db_url)
    svc = HqService(db)
    member = svc.register_member("S1", "13800000001", "Li", None, True).member_id
    first, second = _card(svc, member, 1), _card(svc, member, 2)
    with db.transaction() as s:
        row = s.get(Member, member)
        assert row is not None
        old_secret = secret_of(s, row)
    assert main(["hq", "revoke-card", "--db", db_url, "--digest", first]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1 card(s) revoked") and first in out
    assert main(["hq", "revoke-card", "--db", db_url, "--member", member]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [second]
    assert main(["hq", "revoke-card", "--db", db_url, "--member", "NOSUCH"]) == 2
    assert "no member" in capsys.readouterr().err
    assert main(["hq", "revoke-card", "--db", db_url, "--digest", "xyz"]) == 2
    assert "64 lower-case hex" in capsys.readouterr().err
    assert main(["hq", "rotate-secret", "--db", db_url, member]) == 0
    with db.transaction() as s:
        assert {r.digest for r in s.query(Revocation)} == {first, second}
        row = s.get(Member, member)
        assert row is not None and secret_of(s, row) != old_secret and len(secret_of(s, row)) >= 20
    assert main(["hq", "rotate-secret", "--db", db_url, "NOSUCH"]) == 2
    db.dispose()


def test_operator_api(svc: HqService, monkeypatch: pytest.MonkeyPatch) -> None:
    member = svc.register_member("S1", "13800000001", "Li", None, True).member_id
    digest = _card(svc, member, 1)
    base_headers = {"Authorization": "Bearer op-secret-token"}
    with RunningServer(svc) as off:  # no operator token configured: the API refuses
        r = requests.post(
            f"{off.url}/v1/admin/cards/revoke",
            json={"digest": digest},
            headers=base_headers,
            timeout=TIMEOUT,
        )
        assert r.status_code == 403 and "POSLOYALTY_HQ_OPERATOR_TOKEN" in r.json()["detail"]
    monkeypatch.setenv("POSLOYALTY_HQ_OPERATOR_TOKEN", "op-secret-token")
    with RunningServer(svc) as server:
        url = f"{server.url}/v1/admin"
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            r = requests.post(
                f"{url}/cards/revoke", json={"digest": digest}, headers=headers, timeout=TIMEOUT
            )
            assert r.status_code == 401
        r = requests.post(
            f"{url}/cards/revoke", json={"member_id": member}, headers=base_headers, timeout=10
        )
        assert r.status_code == 200 and r.json() == {"revoked": [digest]}
        r = requests.post(f"{url}/cards/revoke", json={}, headers=base_headers, timeout=TIMEOUT)
        assert r.status_code == 400
        r = requests.post(
            f"{url}/members/{member}/rotate-secret", headers=base_headers, timeout=TIMEOUT
        )
        assert r.status_code == 200 and r.json() == {"rotated": True}
        r = requests.post(
            f"{url}/members/NOSUCH/rotate-secret", headers=base_headers, timeout=TIMEOUT
        )
        assert r.status_code == 404

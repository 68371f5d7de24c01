"""The back office in tests: a small chain (two stores, members, sales, a quarantined entry),
operators of each role, and a signed-in ``requests`` session against a real HQ."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import requests
from hq_helpers import batch, earned, entry, registration, sale
from sqlalchemy import select

from posloyalty.hq.backoffice.auth import create_operator
from posloyalty.hq.enrolment import Caller
from posloyalty.hq.models import Conflict, MemberAlias
from posloyalty.hq.services import HqService
from posloyalty.resources import resources_dir
from posloyalty.sync.protocol import PushBatch

PASSWORD = "correct horse battery"
MINISO = resources_dir() / "rules" / "miniso.toml"
TIMEOUT = 15


def enrol(svc: HqService, store: str) -> Caller:
    enrolled = svc.enroll(svc.make_enrolment_code(store), f"till {store}")
    return svc.authenticate(f"Bearer {enrolled.token}")


def push(svc: HqService, caller: Caller, items: list[dict[str, Any]]) -> list[str]:
    result = svc.push(caller, PushBatch.model_validate(batch(caller.terminal_id, items)))
    return [r.status for r in result.results]


@dataclass(frozen=True, slots=True)
class Chain:
    s1: Caller
    s2: Caller
    #: Member ids: Li Lei at store S1 (phone 13800000001), Han Meimei at S2 (13900000002).
    li: str
    han: str
    #: The open conflict: an earn entry of Li's at S1 claiming more than its sale earns.
    conflict: int
    #: Points that entry claimed (cancelled by HQ on arrival).
    claimed: int


def make_chain(svc: HqService) -> Chain:
    at = svc.clock.now()
    svc.publish_rules(MINISO.read_text(encoding="utf-8"))
    s1, s2 = enrol(svc, "S1"), enrol(svc, "S2")
    assert (
        push(
            svc,
            s1,
            [
                registration("S1", s1.terminal_id, "P1", "13800000001", at, name="李雷"),
                *earned("S1", s1.terminal_id, "P1", 120, at),
            ],
        )
        == ["accepted"] * 3
    )
    assert (
        push(
            svc,
            s2,
            [
                registration("S2", s2.terminal_id, "P2", "13900000002", at, name="Han Meimei"),
                *earned("S2", s2.terminal_id, "P2", 80, at),
            ],
        )
        == ["accepted"] * 3
    )
    # A sale of 10 yuan whose till claims 500 points: HQ holds the entry back (quarantined).
    greedy = sale("S1", s1.terminal_id, "P1", 1000, at)
    push(
        svc, s1, [greedy, entry("S1", s1.terminal_id, "P1", "earn", 500, at, sale_id=greedy["id"])]
    )
    svc.run_jobs()
    with svc.db.transaction() as s:
        ids = dict(s.execute(select(MemberAlias.alias, MemberAlias.member_id)).all())
        conflict = s.scalars(select(Conflict).where(Conflict.kind == "quarantined")).one()
        conflict_id = conflict.id
    return Chain(s1, s2, ids["P1"], ids["P2"], conflict_id, 500)


def add_operator(svc: HqService, username: str, role: str, stores: list[str] | None = None) -> None:
    at = svc.clock.now()
    svc.db.run(lambda s: create_operator(s, username, PASSWORD, role, at, stores))


class Office:
    """A browser-like client of /office: cookies, and the CSRF token of the last page."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/") + "/office"
        self.http = requests.Session()
        self.csrf = ""

    def sign_in(self, username: str, password: str = PASSWORD, totp: str = "") -> requests.Response:
        r = self.http.post(
            f"{self.base}/login",
            data={"username": username, "password": password, "totp": totp},
            timeout=TIMEOUT,
        )
        self._remember(r)
        return r

    def _remember(self, r: requests.Response) -> None:
        m = re.search(r'name="csrf" value="([^"]+)"', r.text)
        if m:
            self.csrf = m.group(1)

    def get(self, path: str, **params: Any) -> requests.Response:
        r = self.http.get(f"{self.base}{path}", params=params, timeout=TIMEOUT)
        self._remember(r)
        return r

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **headers: str
    ) -> requests.Response:
        form = dict(data or {})
        if csrf:
            form["csrf"] = self.csrf
        return self.http.post(f"{self.base}{path}", data=form, headers=headers, timeout=TIMEOUT)


def signed_in(base: str, username: str) -> Office:
    office = Office(base)
    r = office.sign_in(username)
    assert r.status_code == 200 and "/office/members" in r.url, r.text[:500]
    return office


def now(svc: HqService) -> dt.datetime:
    return svc.clock.now()

"""The stores and tills page over real HTTP (SQLite and PostgreSQL): enrolment codes shown
once with a QR code (and they enrol a till), regions (and reports filtered by region), revoking
a till, clearing a till whose hash chain broke. HQ admins only, each with a reason where it
changes a till or a store, audited; a store manager gets 403 even for their own store."""

from __future__ import annotations

import pytest
from hq_server import RunningServer
from office import Chain, add_operator, make_chain, now, signed_in
from sqlalchemy import select

from posloyalty.hq.models import AuditEvent, Store, Terminal, TillChain
from posloyalty.hq.services import HqService


@pytest.fixture
def chain(svc: HqService) -> Chain:
    chain = make_chain(svc)
    add_operator(svc, "boss", "hq_admin")
    add_operator(svc, "sam", "store_manager", ["S2"])
    return chain


def audits(svc: HqService, action: str) -> list[AuditEvent]:
    with svc.db.transaction() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def figures(page: str) -> str:
    """A report page without its filter form (whose store list names every store)."""
    return page.split('class="row filters"')[1].split("</form>", 1)[1]


def break_chain(svc: HqService, terminal_id: str) -> None:
    with svc.db.transaction() as s:
        row = s.get(TillChain, terminal_id) or TillChain(
            terminal_id=terminal_id, chain_key="0" * 64
        )
        s.add(row)
        row.broken_at, row.broken_seq, row.broken_reason = now(svc), 7, "link 7 does not follow"


def test_an_enrolment_code_is_shown_once_as_qr_and_enrols_a_till(
    server: RunningServer, svc: HqService, chain: Chain
) -> None:
    office = signed_in(server.url, "boss")
    office.get("/stores")
    shown = office.post("/stores/S1/code")
    assert shown.status_code == 200
    section = shown.text.split('id="issued-code"')[1]
    assert "<svg" in section and "<path" in section
    code = section.split('id="code">')[1].split("<")[0]
    assert len(code.replace("-", "")) >= 12
    assert "<svg" not in office.get("/stores").text  # shown once
    enrolled = svc.enroll(code, "new till")
    assert enrolled.store_id == "S1"
    assert [e.target for e in audits(svc, "enrolment_code")] == ["store:S1"]
    assert office.post("/stores/NOPE/code").status_code == 404


def test_regions_and_reports_by_region(server: RunningServer, svc: HqService, chain: Chain) -> None:
    office = signed_in(server.url, "boss")
    office.get("/stores")
    assert office.post("/stores/S1/region", {"region": "east", "reason": "new map"}).ok
    with svc.db.transaction() as s:
        assert s.get_one(Store, "S1").region == "east"
    (event,) = audits(svc, "store_region")
    assert event.detail == {"from": None, "to": "east"}
    # Bad input: refused, nothing changed.
    assert office.post("/stores/S1/region", {"region": "a b", "reason": "typo"}).status_code == 400
    assert office.post("/stores/S1/region", {"region": "west", "reason": ""}).status_code == 400
    with svc.db.transaction() as s:
        assert s.get_one(Store, "S1").region == "east"
    day = now(svc).date().isoformat()
    period = {"from": day, "to": day}
    east = figures(office.get("/reports", name="joins", region="east", **period).text)
    assert ">S1<" in east and ">S2<" not in east
    chain_wide = figures(office.get("/reports", name="joins", **period).text)
    assert ">S1<" in chain_wide and ">S2<" in chain_wide
    # A store manager of S2 asking for the east region sees none of S1's figures.
    sam = signed_in(server.url, "sam")
    theirs = sam.get("/reports", name="joins", region="east", **period)
    assert theirs.status_code == 200 and ">S1<" not in figures(theirs.text)


def test_revoke_a_till(server: RunningServer, svc: HqService, chain: Chain) -> None:
    office = signed_in(server.url, "boss")
    office.get("/stores")
    till = chain.s2.terminal_id
    assert office.post(f"/tills/{till}/revoke", {"reason": "x"}).status_code == 400
    done = office.post(f"/tills/{till}/revoke", {"reason": "stolen on Monday"})
    assert done.status_code == 200
    with svc.db.transaction() as s:
        assert s.get_one(Terminal, till).revoked_at is not None
    (event,) = audits(svc, "revoke_till")
    assert event.reason == "stolen on Monday" and event.target == f"terminal:{till}"
    again = office.post(f"/tills/{till}/revoke", {"reason": "stolen on Monday"})
    assert again.status_code == 400
    assert office.post("/tills/NOPE/revoke", {"reason": "stolen"}).status_code == 404


def test_clear_a_broken_chain(server: RunningServer, svc: HqService, chain: Chain) -> None:
    office = signed_in(server.url, "boss")
    till = chain.s1.terminal_id
    assert office.post(f"/tills/{till}/clear-chain", {"reason": "looked at it"}).status_code == 404
    break_chain(svc, till)
    page = office.get("/stores").text
    assert "link 7 does not follow" in page and f"/office/tills/{till}/clear-chain" in page
    assert office.post(f"/tills/{till}/clear-chain", {"reason": ""}).status_code == 400
    done = office.post(f"/tills/{till}/clear-chain", {"reason": "restored from backup, checked"})
    assert done.status_code == 200
    with svc.db.transaction() as s:
        assert s.get_one(TillChain, till).broken_at is None
    assert [e.reason for e in audits(svc, "clear_chain_break")] == ["restored from backup, checked"]


def test_a_store_manager_gets_403_even_for_their_own_store(
    server: RunningServer, svc: HqService, chain: Chain
) -> None:
    till = chain.s2.terminal_id
    break_chain(svc, till)
    sam = signed_in(server.url, "sam")
    page = sam.get("/stores").text
    assert "/code" not in page and "/revoke" not in page and "clear-chain" not in page
    for path, data in (
        ("/stores/S2/code", {}),
        ("/stores/S2/region", {"region": "east", "reason": "new map"}),
        (f"/tills/{till}/revoke", {"reason": "stolen on Monday"}),
        (f"/tills/{till}/clear-chain", {"reason": "looked at it"}),
    ):
        assert sam.post(path, data).status_code == 403, path
    with svc.db.transaction() as s:
        assert s.get_one(Terminal, till).revoked_at is None
        assert s.get_one(TillChain, till).broken_at is not None
        assert s.get_one(Store, "S2").region is None
        changes = ("enrolment_code", "store_region", "revoke_till", "clear_chain_break")
        assert not list(s.scalars(select(AuditEvent).where(AuditEvent.action.in_(changes))))

"""The members desk over real HTTP (uvicorn on loopback), on SQLite and PostgreSQL: search,
the masked member file, reveals (a role and a reason, audited), bounded point adjustments
through HQ's ledger, and a store manager kept to their own stores."""

from __future__ import annotations

import pytest
from hq_server import RunningServer
from office import Chain, add_operator, make_chain, signed_in
from sqlalchemy import select

from posloyalty.domain.codes import make_static
from posloyalty.domain.ids import MemberId
from posloyalty.hq.models import AuditEvent, LedgerEntry, Member
from posloyalty.hq.services import HqService
from posloyalty.sync.protocol import PullRequest


@pytest.fixture
def chain(svc: HqService) -> Chain:
    chain = make_chain(svc)
    add_operator(svc, "boss", "hq_admin")
    add_operator(svc, "mia", "marketing")
    add_operator(svc, "sam", "store_manager", ["S2"])
    add_operator(svc, "aud", "auditor")
    return chain


def audits(svc: HqService, action: str) -> list[AuditEvent]:
    with svc.db.transaction() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_search_by_phone_id_card_and_name(
    server: RunningServer, svc: HqService, chain: Chain
) -> None:
    office = signed_in(server.url, "boss")
    card = make_static(MemberId(chain.li), b"\x01" * 10)
    for query in (
        "13800000001",
        "+86 138 0000 0001",
        chain.li,
        chain.li.lower(),
        "P1",
        card,
        "李雷",
    ):
        page = office.get("/members", q=query)
        assert page.status_code == 200
        assert f"/office/members/{chain.li}" in page.text, query
        assert f"/office/members/{chain.han}" not in page.text, query
    assert "138****0001" in office.get("/members", q="13800000001").text
    # The results are masked (the phone typed stays only in the search box).
    rows = office.get("/members", q="13800000001").text.split('id="results"')[1]
    assert "13800000001" not in rows
    assert office.get("/members", q="meimei").text.count("/office/members/") == 1
    none = office.get("/members", q="13700000000")
    assert chain.li not in none.text and chain.han not in none.text


def test_member_page_is_masked_and_shows_the_whole_file(
    server: RunningServer, svc: HqService, chain: Chain
) -> None:
    office = signed_in(server.url, "boss")
    page = office.get(f"/members/{chain.li}")
    assert page.status_code == 200
    assert "138****0001" in page.text and "13800000001" not in page.text
    assert "李*" in page.text and "李雷" not in page.text
    # Tier and what is still needed (MINISO: silver at 3,000 growth, 10 per yuan).
    assert 'id="needed"' in page.text
    assert "silver" in page.text
    # Ledger, lots, the sales of both stores' tills, and the quarantine.
    assert "quarantined" in page.text
    assert 'id="available">120<' in page.text


def test_reveal_needs_a_reason_and_is_audited(
    server: RunningServer, svc: HqService, chain: Chain
) -> None:
    office = signed_in(server.url, "boss")
    office.get(f"/members/{chain.li}")
    refused = office.post(f"/members/{chain.li}/reveal", {"reason": " "})
    assert refused.status_code == 400 and "13800000001" not in refused.text
    assert audits(svc, "reveal") == []
    shown = office.post(f"/members/{chain.li}/reveal", {"reason": "customer called about points"})
    assert shown.status_code == 200
    assert "13800000001" in shown.text and "李雷" in shown.text
    (event,) = audits(svc, "reveal")
    assert (event.operator, event.target, event.reason) == (
        "boss",
        f"member:{chain.li}",
        "customer called about points",
    )


def test_an_auditor_reads_but_neither_reveals_nor_adjusts(
    server: RunningServer, svc: HqService, chain: Chain
) -> None:
    office = signed_in(server.url, "aud")
    assert office.get(f"/members/{chain.li}").status_code == 200
    assert office.post(f"/members/{chain.li}/reveal", {"reason": "curious"}).status_code == 403
    assert (
        office.post(f"/members/{chain.li}/adjust", {"points": "5", "reason": "because"}).status_code
        == 403
    )
    assert office.get("/audit").status_code == 200
    assert audits(svc, "reveal") == [] and audits(svc, "adjust_points") == []


def test_adjust_points_is_bounded_and_written_as_an_hq_entry(
    server: RunningServer, svc: HqService, chain: Chain
) -> None:
    office = signed_in(server.url, "boss")
    office.get(f"/members/{chain.li}")
    for data in (
        {"points": "10001", "reason": "too generous"},
        {"points": "-121", "reason": "more than available"},
        {"points": "0", "reason": "nothing"},
        {"points": "12.5", "reason": "half points"},
        {"points": "50", "reason": ""},
    ):
        assert office.post(f"/members/{chain.li}/adjust", data).status_code == 400, data
    with svc.db.transaction() as s:
        before = s.scalars(select(LedgerEntry).where(LedgerEntry.reason.like("back office%"))).all()
    assert before == []
    done = office.post(
        f"/members/{chain.li}/adjust", {"points": "200", "reason": "apology for a late delivery"}
    )
    assert done.status_code == 200 and 'id="available">320<' in done.text
    with svc.db.transaction() as s:
        (row,) = s.scalars(select(LedgerEntry).where(LedgerEntry.reason.like("back office%"))).all()
        assert (row.kind, row.points, row.store_id, row.terminal_id) == ("adjust", 200, None, None)
        assert s.get_one(Member, chain.li).state["available"] == 320
    (event,) = audits(svc, "adjust_points")
    assert event.detail["points"] == 200 and event.reason == "apology for a late delivery"
    # The member's till pulls the HQ entry like any other.
    page = svc.pull(chain.s1, PullRequest(cursor=0, limit=1000, ledger=True))
    assert any(c.kind == "ledger_entry" and c.key == row.id for c in page.changes)
    taken = office.post(f"/members/{chain.li}/adjust", {"points": "-20", "reason": "double credit"})
    assert 'id="available">300<' in taken.text


MEMBER_ENDPOINTS = [
    ("get", "/members/{m}", None),
    ("post", "/members/{m}/reveal", {"reason": "checking the phone"}),
    ("post", "/members/{m}/adjust", {"points": "10", "reason": "goodwill gesture"}),
]


@pytest.mark.parametrize(("method", "path", "data"), MEMBER_ENDPOINTS)
def test_a_store_manager_gets_403_on_another_stores_member(
    server: RunningServer,
    chain: Chain,
    method: str,
    path: str,
    data: dict[str, str] | None,
) -> None:
    office = signed_in(server.url, "sam")  # manages S2: Han's store, not Li's
    office.get("/members")
    url = path.format(m=chain.li)
    answer = office.get(url) if method == "get" else office.post(url, data)
    assert answer.status_code == 403
    assert "13800000001" not in answer.text and "138****0001" not in answer.text
    own = path.format(m=chain.han)
    assert (office.get(own) if method == "get" else office.post(own, data)).status_code == 200


def test_a_store_manager_searches_only_their_stores(
    server: RunningServer, svc: HqService, chain: Chain
) -> None:
    office = signed_in(server.url, "sam")
    assert chain.li not in office.get("/members", q="13800000001").text
    assert chain.han in office.get("/members", q="13900000002").text

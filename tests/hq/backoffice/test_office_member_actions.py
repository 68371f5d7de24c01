"""Member actions on the member page over real HTTP (SQLite and PostgreSQL): revoke cards,
rotate the code secret, text the member their card link, merge a duplicate, erase on request. Each needs the HQ admin role (a
store manager gets 403 even at their own store) and a reason, is audited, and reaches tills by
pull; a refusal changes nothing."""

from __future__ import annotations

import pytest
from hq_server import RunningServer
from office import Chain, add_operator, make_chain, now, signed_in
from sqlalchemy import func, select

from posloyalty.clock import FixedClock
from posloyalty.hq.backoffice import member_actions
from posloyalty.hq.models import (
    AuditEvent,
    LedgerEntry,
    Member,
    MemberAlias,
    MemberCard,
    MemberNameToken,
    Revocation,
)
from posloyalty.hq.pii import pii_of
from posloyalty.hq.services import HqService
from posloyalty.hq.sms import SmsError
from posloyalty.sync.protocol import PullRequest

DIGEST = "ab" * 32


@pytest.fixture
def chain(svc: HqService) -> Chain:
    chain = make_chain(svc)
    add_operator(svc, "boss", "hq_admin")
    add_operator(svc, "sam", "store_manager", ["S1", "S2"])
    add_operator(svc, "aud", "auditor")
    at = now(svc)
    with svc.db.transaction() as s:
        s.add(
            MemberCard(
                digest=DIGEST, member_id=chain.li, store_id="S1", terminal_id="T", issued_at=at
            )
        )
    return chain


def audits(svc: HqService, action: str) -> list[AuditEvent]:
    with svc.db.transaction() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def secret_of(svc: HqService, member_id: str) -> bytes:
    with svc.db.transaction() as s:
        member = s.get(Member, member_id)
        assert member is not None
        return pii_of(s, member).secret


ACTIONS = [
    ("/members/{m}/act/revoke_cards", {}),
    ("/members/{m}/act/rotate_secret", {}),
    ("/members/{m}/merge", {"duplicate": "{han}"}),
    ("/members/{m}/act/erase", {}),
    ("/members/{m}/send-link", {}),
]


@pytest.mark.parametrize(("path", "extra"), ACTIONS)
@pytest.mark.parametrize("who", ["sam", "aud"])
def test_other_roles_get_403_and_nothing_changes(  # noqa: PLR0917 (fixtures and parameters)
    server: RunningServer, svc: HqService, chain: Chain, path: str, extra: dict[str, str], who: str
) -> None:
    office = signed_in(server.url, who)
    office.get(f"/members/{chain.li}")
    data = {k: v.format(han=chain.han) for k, v in extra.items()} | {"reason": "member asked"}
    answer = office.post(path.format(m=chain.li), data)
    assert answer.status_code == 403
    assert "act/erase" not in office.get(f"/members/{chain.li}").text
    with svc.db.transaction() as s:
        assert s.get(Revocation, DIGEST) is None
        assert s.get_one(Member, chain.han).merged_into is None
        assert s.get_one(Member, chain.li).erased_at is None
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.action.in_(
                        ("revoke_cards", "rotate_secret", "merge", "erase", "send_card_link")
                    )
                )
            )
            == 0
        )
    assert server.sms.links == []


@pytest.mark.parametrize(("path", "extra"), ACTIONS)
def test_every_action_needs_a_reason(
    server: RunningServer, svc: HqService, chain: Chain, path: str, extra: dict[str, str]
) -> None:
    office = signed_in(server.url, "boss")
    office.get(f"/members/{chain.li}")
    before = secret_of(svc, chain.li)
    data = {k: v.format(han=chain.han) for k, v in extra.items()} | {"reason": " x "}
    assert office.post(path.format(m=chain.li), data).status_code == 400
    assert secret_of(svc, chain.li) == before
    with svc.db.transaction() as s:
        assert s.get(Revocation, DIGEST) is None
        assert s.get_one(Member, chain.han).merged_into is None
        assert s.get_one(Member, chain.li).erased_at is None
    assert server.sms.links == []


def test_revoke_cards_reaches_the_tills(
    server: RunningServer, svc: HqService, chain: Chain
) -> None:
    office = signed_in(server.url, "boss")
    office.get(f"/members/{chain.li}")
    done = office.post(f"/members/{chain.li}/act/revoke_cards", {"reason": "card reported lost"})
    assert done.status_code == 200 and "done=revoke_cards" in done.url
    (event,) = audits(svc, "revoke_cards")
    assert event.detail == {"cards": [DIGEST]} and event.reason == "card reported lost"
    page = svc.pull(chain.s2, PullRequest(cursor=0, limit=1000))
    assert any(c.kind == "revocation" and c.key == DIGEST for c in page.changes)


def test_rotate_secret_gives_a_new_one(server: RunningServer, svc: HqService, chain: Chain) -> None:
    office = signed_in(server.url, "boss")
    office.get(f"/members/{chain.li}")
    before = secret_of(svc, chain.li)
    assert office.post(f"/members/{chain.li}/act/rotate_secret", {"reason": "codes leaked"}).ok
    assert secret_of(svc, chain.li) != before
    assert [e.target for e in audits(svc, "rotate_secret")] == [f"member:{chain.li}"]


def test_merge_a_duplicate(server: RunningServer, svc: HqService, chain: Chain) -> None:
    office = signed_in(server.url, "boss")
    office.get(f"/members/{chain.li}")
    ok = office.post(
        f"/members/{chain.li}/merge", {"duplicate": chain.han, "reason": "same person"}
    )
    assert ok.status_code == 200
    with svc.db.transaction() as s:
        assert s.get_one(Member, chain.han).merged_into == chain.li
        assert s.get_one(MemberAlias, "P2").member_id == chain.li
    (event,) = audits(svc, "merge")
    assert event.detail == {"merged": chain.han}
    # Into itself, or an unknown member: refused.
    same = office.post(f"/members/{chain.li}/merge", {"duplicate": chain.li, "reason": "again"})
    assert same.status_code == 400
    gone = office.post(f"/members/{chain.li}/merge", {"duplicate": "NOPE", "reason": "again"})
    assert gone.status_code == 404


def test_erase_removes_personal_data_and_keeps_the_ledger(
    server: RunningServer, svc: HqService, chain: Chain
) -> None:
    with svc.db.transaction() as s:
        entries = s.scalar(
            select(func.count()).select_from(LedgerEntry).where(LedgerEntry.member_ref == "P1")
        )
        old_index = s.get_one(Member, chain.li).phone_index
    office = signed_in(server.url, "boss")
    office.get(f"/members/{chain.li}")
    assert office.get("/members", q="13800000001").text.count(f"/office/members/{chain.li}") == 1
    done = office.post(f"/members/{chain.li}/act/erase", {"reason": "member's written request"})
    assert done.status_code == 200 and 'id="erased"' in done.text, done.text[-1500:]
    # No longer found by phone or name; the page shows no personal data.
    for query in ("13800000001", "李雷"):
        assert f"/office/members/{chain.li}" not in office.get("/members", q=query).text, query
    assert "138****0001" not in done.text
    with svc.db.transaction() as s:
        member = s.get(Member, chain.li)
        assert member is not None and member.erased_at is not None
        clear = pii_of(s, member)
        assert (clear.phone, clear.name, clear.birthday) == ("", "", None)
        assert member.phone_index != old_index
        assert (
            s.scalar(
                select(func.count())
                .select_from(MemberNameToken)
                .where(MemberNameToken.member_id == chain.li)
            )
            == 0
        )
        assert s.get(Revocation, DIGEST) is not None
        assert (
            s.scalar(
                select(func.count()).select_from(LedgerEntry).where(LedgerEntry.member_ref == "P1")
            )
            == entries
        )
    (event,) = audits(svc, "erase")
    assert event.reason == "member's written request" and event.operator == "boss"
    # Tills drop the member on their next pull, even after the jobs run again.
    svc.run_jobs()
    page = svc.pull(chain.s1, PullRequest(cursor=0, limit=1000))
    gone = {c.kind: c.data for c in page.changes if c.key == chain.li}
    assert gone.get("member", "missing") is None and gone.get("member_secret", "missing") is None
    # Erased is erased: no further action on it.
    again = office.post(f"/members/{chain.li}/act/rotate_secret", {"reason": "try again"})
    assert again.status_code == 400


def test_send_card_link_texts_the_members_own_phone_a_few_times_a_day(
    server: RunningServer, svc: HqService, chain: Chain
) -> None:
    office = signed_in(server.url, "boss")
    page = office.get(f"/members/{chain.li}")
    assert "send_card_link-form" in page.text
    for _ in range(member_actions.LINKS_PER_DAY):
        done = office.post(f"/members/{chain.li}/send-link", {"reason": "lost the receipt"})
        assert done.status_code == 200 and "done=send_card_link" in done.url
    card = server.url.rstrip("/") + "/m/"
    assert server.sms.links == [("13800000001", card)] * member_actions.LINKS_PER_DAY
    events = audits(svc, "send_card_link")
    assert [(e.target, e.reason, e.detail) for e in events] == [
        (f"member:{chain.li}", "lost the receipt", {"url": card})
    ] * member_actions.LINKS_PER_DAY
    # One more within 24 hours: refused, nothing sent, nothing audited.
    again = office.post(f"/members/{chain.li}/send-link", {"reason": "lost the receipt"})
    assert again.status_code == 409 and "24 hours" in again.text
    assert len(server.sms.links) == member_actions.LINKS_PER_DAY
    assert len(audits(svc, "send_card_link")) == member_actions.LINKS_PER_DAY
    assert isinstance(svc.clock, FixedClock)
    svc.clock.advance(hours=24, seconds=1)
    office = signed_in(server.url, "boss")  # the session of a day ago has expired
    office.get(f"/members/{chain.li}")
    done = office.post(f"/members/{chain.li}/send-link", {"reason": "lost it again"})
    assert "done=send_card_link" in done.url
    assert len(server.sms.links) == member_actions.LINKS_PER_DAY + 1


def test_a_link_the_provider_refuses_is_reported_and_not_audited(
    server: RunningServer, svc: HqService, chain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(phone: str, url: str) -> None:
        raise SmsError("Aliyun SMS refused the message: isv.BUSINESS_LIMIT_CONTROL")

    monkeypatch.setattr(server.sms, "send_link", refuse)
    office = signed_in(server.url, "boss")
    office.get(f"/members/{chain.li}")
    answer = office.post(f"/members/{chain.li}/send-link", {"reason": "lost the receipt"})
    assert answer.status_code == 502
    assert "BUSINESS_LIMIT_CONTROL" in answer.text
    assert audits(svc, "send_card_link") == []


def test_no_link_for_an_erased_member(server: RunningServer, svc: HqService, chain: Chain) -> None:
    office = signed_in(server.url, "boss")
    office.get(f"/members/{chain.li}")
    assert office.post(f"/members/{chain.li}/act/erase", {"reason": "member asked"}).ok
    office.get(f"/members/{chain.li}")
    answer = office.post(f"/members/{chain.li}/send-link", {"reason": "lost the receipt"})
    assert answer.status_code == 400
    assert server.sms.links == []

"""The conflicts queue and the rules desk over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from hq_server import RunningServer
from office import MINISO, Chain, add_operator, make_chain, signed_in
from sqlalchemy import select

from posloyalty.hq.backoffice.rules_desk import check_text
from posloyalty.hq.models import (
    AuditEvent,
    Conflict,
    ConflictResolution,
    LedgerEntry,
    Member,
    RuleDocument,
)
from posloyalty.hq.services import HqService
from posloyalty.sync.protocol import PullRequest


@pytest.fixture
def chain(svc: HqService) -> Chain:
    chain = make_chain(svc)
    add_operator(svc, "boss", "hq_admin")
    add_operator(svc, "mia", "marketing")
    add_operator(svc, "sam", "store_manager", ["S2"])
    add_operator(svc, "sally", "store_manager", ["S1"])
    return chain


def available(svc: HqService, member_id: str) -> int:
    with svc.db.transaction() as s:
        member = s.get(Member, member_id)
        assert member is not None
        return int(member.state["available"])


def test_accepting_a_quarantined_entry_credits_it_with_an_hq_entry(
    server: RunningServer, svc: HqService, chain: Chain
) -> None:
    office = signed_in(server.url, "boss")
    queue = office.get("/conflicts")
    assert f'id="conflict-{chain.conflict}"' in queue.text and "not_derived" in queue.text
    assert available(svc, chain.li) == 120  # the greedy claim was cancelled on arrival
    assert (
        office.post(
            f"/conflicts/{chain.conflict}/resolve", {"action": "accept", "reason": ""}
        ).status_code
        == 400
    )
    done = office.post(
        f"/conflicts/{chain.conflict}/resolve",
        {"action": "accept", "reason": "promotion the till knew of: checked the receipt"},
    )
    assert done.status_code == 200 and "checked the receipt" in done.text
    assert available(svc, chain.li) == 120 + chain.claimed
    with svc.db.transaction() as s:
        conflict = s.get(Conflict, chain.conflict)
        assert conflict is not None and conflict.resolved_at == svc.clock.now()
        (history,) = s.scalars(select(ConflictResolution)).all()
        assert (history.action, history.operator) == ("accept", "boss")
        (credit,) = [s.get(LedgerEntry, e) for e in history.entries]
        assert credit is not None and (credit.points, credit.store_id) == (chain.claimed, None)
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "conflict_accept")).one()
    # Resolved once: a second resolution is refused and credits nothing more.
    again = office.post(
        f"/conflicts/{chain.conflict}/resolve", {"action": "accept", "reason": "once more"}
    )
    assert again.status_code == 400
    assert available(svc, chain.li) == 120 + chain.claimed
    # The till pulls the credit.
    page = svc.pull(chain.s1, PullRequest(cursor=0, limit=1000, ledger=True))
    assert any(c.kind == "ledger_entry" and c.key == credit.id for c in page.changes)


def test_rejecting_keeps_the_entry_reversed(
    server: RunningServer, svc: HqService, chain: Chain
) -> None:
    office = signed_in(server.url, "boss")
    office.get("/conflicts")
    done = office.post(
        f"/conflicts/{chain.conflict}/resolve",
        {"action": "reject", "reason": "the till was tampered with"},
    )
    assert done.status_code == 200
    assert available(svc, chain.li) == 120
    with svc.db.transaction() as s:
        (history,) = s.scalars(select(ConflictResolution)).all()
        assert (history.action, history.entries) == ("reject", [])
    assert f'id="conflict-{chain.conflict}"' not in office.get("/conflicts").text


def test_only_an_admin_resolves_and_a_manager_sees_only_their_stores_conflicts(
    server: RunningServer, svc: HqService, chain: Chain
) -> None:
    sam = signed_in(server.url, "sam")  # S2: the conflict is S1's
    assert f'id="conflict-{chain.conflict}"' not in sam.get("/conflicts").text
    assert (
        sam.post(
            f"/conflicts/{chain.conflict}/resolve", {"action": "accept", "reason": "let me"}
        ).status_code
        == 403
    )
    sally = signed_in(server.url, "sally")
    assert f'id="conflict-{chain.conflict}"' in sally.get("/conflicts").text
    assert (
        sally.post(
            f"/conflicts/{chain.conflict}/resolve", {"action": "accept", "reason": "let me"}
        ).status_code
        == 403
    )
    assert available(svc, chain.li) == 120


def test_stores_page_shows_each_tills_health_within_scope(
    server: RunningServer, svc: HqService, chain: Chain
) -> None:
    boss = signed_in(server.url, "boss").get("/stores").text
    assert chain.s1.terminal_id in boss and chain.s2.terminal_id in boss
    sam = signed_in(server.url, "sam").get("/stores").text
    assert chain.s2.terminal_id in sam and chain.s1.terminal_id not in sam


def test_rule_problems_are_shown_at_their_key_path_and_line() -> None:
    text = MINISO.read_text(encoding="utf-8")
    check = check_text(text.replace("min_growth = 6000", "min_growth = -5"))
    assert check.rules is None and check.path == "tiers.levels[2].min_growth"
    assert text.splitlines()[check.line - 1].strip() == "min_growth = 6000"
    check = check_text(text.replace("per_yuan = 10", 'per_yuan = "x"'))
    assert check.path == "growth.per_yuan" and text.splitlines()[check.line - 1].startswith(
        "per_yuan"
    )
    broken = check_text(text + "\n[[[")
    assert broken.rules is None and broken.line == len(text.splitlines()) + 2


def test_edit_check_preview_publish_and_roll_back(
    server: RunningServer, svc: HqService, chain: Chain
) -> None:
    office = signed_in(server.url, "mia")
    original = MINISO.read_text(encoding="utf-8")
    assert "revision = 1" in office.get("/rules/edit").text
    bad = original.replace("min_growth = 6000", "min_growth = -5")
    checked = office.post("/rules/check", {"text": bad})
    assert checked.status_code == 200 and 'id="check-problem"' in checked.text
    assert "tiers.levels[2].min_growth" in checked.text and "第 27 行" in checked.text
    refused = office.post("/rules/publish", {"text": bad})
    assert refused.status_code == 400
    edited = original.replace("revision = 1", "revision = 2").replace(
        "per_yuan = 10", "per_yuan = 20"
    )
    edited = edited.replace('regular = "1"', 'regular = "2"')  # twice the points on regular
    checked = office.post("/rules/check", {"text": edited})
    assert 'id="check-ok"' in checked.text
    assert "-revision = 1" in checked.text and "+revision = 2" in checked.text
    # The preview: 59.90 for a regular member earns 59 points in force, 119 edited.
    preview = checked.text.split('id="preview"')[1]
    assert re.search(
        r"<td>59\.90</td><td>regular</td><td[^>]*>59\.90</td><td[^>]*>59</td>"
        r"<td[^>]*>59\.90</td><td[^>]*>119</td>",
        preview,
    )
    published = office.post("/rules/publish", {"text": edited})
    assert published.status_code == 200
    with svc.db.transaction() as s:
        active = s.scalars(select(RuleDocument).where(RuleDocument.active.is_(True))).one()
        assert active.revision == 2
    # A till picks the new revision up on its next pull.
    page = svc.pull(chain.s1, PullRequest(cursor=0, limit=1000))
    (doc,) = [c for c in page.changes if c.kind == "rule_document"]
    assert doc.data is not None and doc.data["revision"] == 2
    assert office.post("/rules/miniso/1/activate").status_code == 200
    with svc.db.transaction() as s:
        active = s.scalars(select(RuleDocument).where(RuleDocument.active.is_(True))).one()
        assert active.revision == 1
        assert {e.action for e in s.scalars(select(AuditEvent))} >= {
            "rules_published",
            "rules_rolled_back",
        }
    # A store manager may not touch the rules.
    sam = signed_in(server.url, "sam")
    assert sam.get("/rules/edit").status_code == 403
    assert sam.post("/rules/publish", {"text": edited}).status_code == 403
    assert sam.post("/rules/miniso/2/activate").status_code == 403


def test_a_scheduled_revision_waits_and_is_not_offered_as_a_roll_back(
    server: RunningServer, svc: HqService, chain: Chain
) -> None:
    office = signed_in(server.url, "mia")
    office.get("/rules/edit")
    edited = MINISO.read_text(encoding="utf-8").replace("revision = 1", "revision = 2")
    later = office.post(
        "/rules/publish", {"text": edited, "effective_at": "2030-01-01T00:00+08:00"}
    )
    assert later.status_code == 200, later.text[:300]
    page = office.get("/rules").text
    assert 'action="/office/rules/miniso/2/activate"' not in page
    assert 'action="/office/rules/scheduled/' in page
    # The page's title is words, not the scheduled table (found in review).
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "<" not in title and "scheduled" not in title
    with svc.db.transaction() as s:
        active = s.scalars(select(RuleDocument).where(RuleDocument.active.is_(True))).one()
        assert active.revision == 1

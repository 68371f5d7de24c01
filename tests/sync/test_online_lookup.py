"""Members across the chain: a member the till's slice does not hold is looked up at HQ online.

Two stores, a till each, one real HQ (uvicorn on loopback; SQLite and PostgreSQL). A Gold
member of S1 scanning their phone code at S2 for the first time is confirmed through HQ within
the budget: Gold tier, the Gold member-day amount, and points spendable there. Offline, slow or
unknown: the unconfirmed path, and the counter says which.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sync_helpers import (
    SHANGHAI,
    Hq,
    client,
    ctx,
    enrolled,
    hq_on,
    phone_code,
)

from posloyalty.clock import FixedClock
from posloyalty.domain.codes import make_dynamic
from posloyalty.domain.ids import MemberId
from posloyalty.domain.privacy import mask_phone
from posloyalty.hq import admin
from posloyalty.hq.members import members_by_phone_index, phone_digest
from posloyalty.hq.models import Conflict, LedgerEntry, MemberStore
from posloyalty.sync.client import load_credential
from posloyalty.sync.lookup import BUDGET_KEY, MemberLookup
from posloyalty.sync.protocol import LookupRequest
from posloyalty.terminal.counter import Counter
from posloyalty.terminal.errors import CheckoutError
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database

#: A Wednesday (the miniso preset's member day: 68 minus 10 for Gold, 6 for Regular).
WEDNESDAY = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
GOLD_PHONE = "13912340001"
OTHER_PHONE = "13912340002"


@pytest.fixture(params=["sqlite", "postgres"])
def hq(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Hq]:
    yield from hq_on(request.param, tmp_path, FixedClock(WEDNESDAY))


def gold_members(hq: Hq) -> tuple[str, str]:
    """Two Gold members of S1 with 500 points each (a go-live import), HQ's jobs run."""
    hq.setup_chain("S1", 0)
    at = hq.clock.now() - dt.timedelta(days=60)
    rows = [
        {
            "phone": phone,
            "name": "Gold",
            "store": "S1",
            "consent": "yes",
            "points": "500",
            "tier": "gold",
            "growth": "7000",
            "registered_at": at.isoformat(),
        }
        for phone in (GOLD_PHONE, OTHER_PHONE)
    ]
    report = hq.db.run(lambda s: admin.import_members(s, rows, at))
    assert report.created == 2, report.errors
    hq.svc.run_jobs()
    with hq.db.transaction() as s:
        first, second = (
            members_by_phone_index(s, phone_digest(s, p))[0] for p in (GOLD_PHONE, OTHER_PHONE)
        )
    return first, second


def two_tills(hq: Hq, tmp_path: Path) -> tuple[Database, Database]:
    clock = hq.clock
    assert isinstance(clock, FixedClock)
    a = enrolled(hq, tmp_path / "s1.sqlite", "S1", clock)
    b = enrolled(hq, tmp_path / "s2.sqlite", "S2", clock)
    for db in (a, b):
        assert client(db).sync().online
        # A budget no loaded test machine misses: these tests are about what HQ answers.
        # The slow-HQ test sets its own short one.
        with db.write() as session:
            repo.set_setting(session, BUDGET_KEY, "10000")
    return a, b


def test_a_gold_member_of_s1_is_gold_at_s2_on_a_first_visit_and_spends_points_there(
    hq: Hq, tmp_path: Path
) -> None:
    member, _ = gold_members(hq)
    _, b = two_tills(hq, tmp_path)
    with b.read() as session:
        assert repo.member_by_id(session, member) is None  # not in S2's slice
    counter = Counter(ctx(b), None, MemberLookup(b))
    for sku in ("C3", "C3"):  # 79.80 yuan: over the member day's 68
        counter.scan(sku)
    scanned = counter.scan(phone_code(hq, member, hq.clock.now()))
    panel = scanned.view.member
    assert panel is not None and panel.confirmed and panel.may_redeem
    assert (panel.tier, panel.unverified) == ("gold", "")
    assert panel.points_available == 500
    assert dict(scanned.view.savings_by_kind)["member_day"] == 1000  # Gold's 10 yuan
    # HQ linked the member to S2 (the code was the proof), and S2's till holds their rows.
    with hq.db.transaction() as s:
        assert s.get(MemberStore, (member, "S2")) is not None
    counter.session.redeem(300)
    counter.session.begin_payment()
    counter.session.add_payment("card")
    sale_id = counter.commit().sale_id
    with b.read() as session:
        assert repo.member_balance(session, member, hq.clock.now()).available < 500
    hq.clock.advance(minutes=1)
    state = client(b).sync()
    assert state.pending == 0 and state.last_error is None and state.conflicts == 0
    with hq.db.transaction() as s:
        redeemed = s.scalars(
            select(LedgerEntry.points).where(
                LedgerEntry.sale_id == sale_id, LedgerEntry.kind == "redeem"
            )
        ).all()
        assert list(redeemed) == [-300]
        assert s.scalars(select(Conflict)).all() == []  # nothing quarantined


def test_offline_slow_and_unknown_fall_back_to_unconfirmed_with_the_right_reason(
    hq: Hq, tmp_path: Path
) -> None:
    member, other = gold_members(hq)
    _, b = two_tills(hq, tmp_path)
    lookup = MemberLookup(b)
    # Unknown to HQ: a well-formed code of a member id HQ never issued.
    counter = Counter(ctx(b), None, lookup)
    stranger = make_dynamic(MemberId("ZZZZZZZZZZ"), b"k" * 20, int(hq.clock.now().timestamp()))
    panel = counter.scan(stranger).view.member
    assert panel is not None and not panel.confirmed and panel.unverified == "not_found"
    # HQ slow: a listener that never answers, a 200 ms budget.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        cred = load_credential(b)
        slow = MemberLookup(
            b,
            credential=type(cred)(
                f"http://127.0.0.1:{silent.getsockname()[1]}",
                cred.store_id,
                cred.terminal_id,
                cred.token,
            ),
        )
        with b.write() as session:
            repo.set_setting(session, BUDGET_KEY, "200")
        counter = Counter(ctx(b), None, slow)
        result = counter.scan(phone_code(hq, other, hq.clock.now()))
        assert result.view.member is not None
        assert not result.view.member.confirmed and result.view.member.unverified == "slow"
        assert slow.ask("code", phone_code(hq, other, hq.clock.now())).elapsed < 1.0
    # A code as a wedge scanner types it (spaces, full-width) is asked in its plain spelling.
    spaced = " ".join(phone_code(hq, other, hq.clock.now())) + "   " * 20
    panel = Counter(ctx(b), None, lookup).scan(spaced).view.member
    assert panel is not None and panel.confirmed and panel.member_id == other
    assert lookup.ask("code", "X" * 100).outcome == "not_found"  # nothing HQ could be asked
    # HQ down: offline, even though the last sync was online (never "offline" when online).
    hq.stop()
    counter = Counter(ctx(b), None, lookup)
    panel = counter.scan(phone_code(hq, member, hq.clock.now())).view.member
    assert panel is not None and not panel.confirmed and panel.unverified == "offline"
    assert panel.tier == "regular"  # the unconfirmed path: the lowest tier
    with b.read() as session:
        assert repo.member_by_id(session, member) is None


def test_a_phone_proves_nothing_and_reveals_nothing(hq: Hq, tmp_path: Path) -> None:
    member, _ = gold_members(hq)
    a, b = two_tills(hq, tmp_path)
    till_b = hq.svc.authenticate(f"Bearer {load_credential(b).token}")
    till_a = hq.svc.authenticate(f"Bearer {load_credential(a).token}")
    known = hq.svc.lookup(till_b, LookupRequest(by="phone", value=GOLD_PHONE))
    unknown = hq.svc.lookup(till_b, LookupRequest(by="phone", value="13700000000"))
    by_id = hq.svc.lookup(till_b, LookupRequest(by="member_id", value=member))
    for answer in (known, unknown, by_id):
        assert (answer.status, answer.member_id, answer.changes) == ("needs_code", None, [])
    with hq.db.transaction() as s:
        assert s.get(MemberStore, (member, "S2")) is None  # not pulled into S2
    # At the member's own store the phone finds them (S1 holds them already).
    home = hq.svc.lookup(till_a, LookupRequest(by="phone", value=GOLD_PHONE))
    assert home.status == "found" and home.member_id == member
    assert {c.kind for c in home.changes} >= {"member", "member_secret", "ledger_entry"}
    # F2 at S2 says the same for a member and a stranger.
    counter = Counter(ctx(b), None, MemberLookup(b))
    messages = []
    for phone in (GOLD_PHONE, "13700000000"):
        with pytest.raises(CheckoutError) as refused:
            counter.identify_by_phone(phone)
        messages.append(str(refused.value).replace(mask_phone(phone), "…"))
    assert messages[0] == messages[1] and "phone code" in messages[0]


def test_a_forged_or_expired_code_is_refused_and_links_nothing(hq: Hq, tmp_path: Path) -> None:
    member, _ = gold_members(hq)
    _, b = two_tills(hq, tmp_path)
    till_b = hq.svc.authenticate(f"Bearer {load_credential(b).token}")
    forged = make_dynamic(MemberId(member), b"x" * 20, int(hq.clock.now().timestamp()))
    old = phone_code(hq, member, hq.clock.now() - dt.timedelta(hours=1))
    for code in (forged, old):
        answer = hq.svc.lookup(till_b, LookupRequest(by="code", value=code))
        assert answer.status == "refused" and answer.changes == []
    with hq.db.transaction() as s:
        assert s.get(MemberStore, (member, "S2")) is None
    counter = Counter(ctx(b), None, MemberLookup(b))
    with pytest.raises(CheckoutError, match="not genuine"):
        counter.scan(forged)
    with b.read() as session:
        assert repo.member_by_id(session, member) is None


def test_the_lookup_answer_is_what_the_next_pull_brings(hq: Hq, tmp_path: Path) -> None:
    member, _ = gold_members(hq)
    _, b = two_tills(hq, tmp_path)
    assert MemberLookup(b).ask("code", phone_code(hq, member, hq.clock.now())).found

    def snapshot() -> list[tuple[object, ...]]:
        with b.read() as session:
            conn = session.connection()
            return [
                *conn.exec_driver_sql(
                    "SELECT id, tier, growth, birthday, hq_version FROM members ORDER BY id"
                ),
                *conn.exec_driver_sql("SELECT id, points FROM ledger_entries ORDER BY id"),
                *conn.exec_driver_sql("SELECT member FROM member_secrets ORDER BY member"),
            ]

    before = snapshot()
    assert client(b).sync().last_error is None
    assert snapshot() == before


def test_a_typed_member_id_is_asked_of_hq_which_wants_a_code_outside_the_slice(
    hq: Hq, tmp_path: Path
) -> None:
    member, _ = gold_members(hq)
    a, b = two_tills(hq, tmp_path)
    # At S2 the id of S1's member proves no presence: unconfirmed, and the banner says HQ
    # wants the member's phone code; HQ links nothing and sends nothing.
    counter = Counter(ctx(b), None, MemberLookup(b))
    panel = counter.identify_typed(f" {member.lower()} ").member
    assert panel is not None and panel.member_id == member
    assert not panel.confirmed and not panel.may_redeem and panel.unverified == "needs_code"
    assert panel.tier == "regular"  # the unconfirmed path
    with hq.db.transaction() as s:
        assert s.get(MemberStore, (member, "S2")) is None
    with b.read() as session:
        assert repo.member_by_id(session, member) is None
    # An id nobody has gets the very same answer (no way to find out who is a member).
    stranger = Counter(ctx(b), None, MemberLookup(b)).identify_typed("ZZZZZZZZZZ").member
    assert stranger is not None and (stranger.confirmed, stranger.unverified) == (
        False,
        "needs_code",
    )
    # At S1 a member HQ holds for S1 but this till has not pulled yet is found through HQ.
    fresh = hq.svc.register_member("S1", "13912340099", "New", None, True).member_id
    with a.read() as session:
        assert repo.member_by_id(session, fresh) is None
    panel = Counter(ctx(a), None, MemberLookup(a)).identify_typed(fresh).member
    assert panel is not None and panel.confirmed and panel.unverified == ""
    assert not panel.may_redeem  # typed: no points spending without the phone code
    with a.read() as session:
        assert repo.member_by_id(session, fresh) is not None
    # A phone still goes the phone way; junk is refused with a clear message.
    with pytest.raises(CheckoutError, match="another store"):
        Counter(ctx(b), None, MemberLookup(b)).identify_typed("139 1234 0001")
    with pytest.raises(CheckoutError, match="member id"):
        Counter(ctx(b), None, MemberLookup(b)).identify_typed("M-1!")
    # HQ down: unconfirmed, and the banner says offline.
    hq.stop()
    panel = Counter(ctx(b), None, MemberLookup(b)).identify_typed(member).member
    assert panel is not None and not panel.confirmed and panel.unverified == "offline"

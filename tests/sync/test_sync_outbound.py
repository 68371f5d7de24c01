"""Outbox rows become push items built from the stored rows; unusable rows stay pending."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sync_helpers import STORE_T0, Hq, assert_converged, client, ctx, enrolled, pending, sell

from posloyalty.clock import FixedClock
from posloyalty.domain.ids import MemberId
from posloyalty.hq.models import Conflict
from posloyalty.hq.models import Member as HqMember
from posloyalty.hq.pii import phone_index
from posloyalty.sync import outbound
from posloyalty.sync.protocol import PAYLOAD_MODELS
from posloyalty.terminal.adjustments import adjust_points, expire_points
from posloyalty.terminal.checkout import CheckoutSession
from posloyalty.terminal.identified import Identified
from posloyalty.terminal.registration import RegistrationForm, register
from posloyalty.terminal.returns import process_return
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.models import MemberCoupon
from posloyalty.tilldb.records import OutboxMessage
from posloyalty.tilldb.vault import open_vault

SENDER = outbound.Sender("S1", "TX")


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[Hq]:
    server = Hq(f"sqlite:///{tmp_path / 'hq.sqlite'}").start()
    yield server
    server.close()


@pytest.fixture
def setup(hq: Hq, tmp_path: Path) -> tuple[Database, list[str], FixedClock]:
    ids = hq.setup_chain("S1", 3)
    clock = FixedClock(STORE_T0)
    db = enrolled(hq, tmp_path / "t.sqlite", "S1", clock)
    client(db).sync()
    return db, ids, clock


def build(db: Database) -> tuple[list[outbound.OutboundRow], list[outbound.RowProblem]]:
    with db.read() as session:
        rows = outbound.pending_rows(session, limit=1000)
        sender = outbound.Sender(
            repo.get_setting(session, "store") or "", repo.get_setting(session, "terminal") or ""
        )
        return outbound.build(session, rows, sender, open_vault(db, create=False))


def test_a_sale_carries_its_entries_and_coupons(
    setup: tuple[Database, list[str], FixedClock],
) -> None:
    db, ids, clock = setup
    with db.write() as session:
        session.add(
            MemberCoupon(
                code="CPN000000009",
                member=ids[0],
                template="new_member_5",
                valid_from=clock.now(),
                valid_until=clock.now().replace(year=2027),
            )
        )
    session_ = CheckoutSession(ctx(db))
    session_.scan("C3")
    session_.identify(Identified(MemberId(ids[0]), "dynamic", may_redeem=True))
    session_.add_coupon("CPN000000009")
    session_.begin_payment()
    session_.add_payment("card")
    sale_id = session_.commit().sale_id
    built, problems = build(db)
    assert problems == []
    (row,) = built
    kinds = [i.kind for i in row.items]
    assert kinds == ["sale", "ledger_entry", "coupon_use"]
    sale, entry, use = row.items
    assert sale.id == sale_id and sale.payload["member_id"] == ids[0]
    assert (
        sale.payload["lines"][0]["sku"] == "C3" and sale.payload["payments"][0]["method"] == "card"
    )
    assert entry.payload["sale_id"] == sale_id and entry.payload["kind"] == "earn"
    assert use.payload["coupon"] == "CPN000000009" and use.payload["sale_id"] == sale_id
    for item in row.items:
        PAYLOAD_MODELS[item.kind].model_validate(item.payload)
    # Built again (a retry): the very same items, so HQ sees duplicates, never conflicts.
    again, _ = build(db)
    assert [(i.id, i.canonical_payload) for i in again[0].items] == [
        (i.id, i.canonical_payload) for i in row.items
    ]
    assert use.id == outbound.derived_id(sale_id, "coupon:CPN000000009")


def test_a_return_carries_its_reversal_entries(
    setup: tuple[Database, list[str], FixedClock],
) -> None:
    db, ids, clock = setup
    sale_id = sell(db, ids[1], skus=("A1", "B2"))
    client(db).sync()
    clock.advance(hours=1)
    back = process_return(ctx(db), sale_id=sale_id, lines={0: 1})
    (row,) = build(db)[0]
    assert row.items[0].kind == "sale" and row.items[0].id == back.return_id
    assert row.items[0].payload["original_sale_id"] == sale_id
    reversals = [i for i in row.items if i.kind == "ledger_entry"]
    assert reversals and all(i.payload["sale_id"] == sale_id for i in reversals)
    assert sum(i.payload["points"] for i in reversals) == -back.points_reversed


def test_a_sealed_registration_is_opened_for_hq(
    setup: tuple[Database, list[str], FixedClock], hq: Hq
) -> None:
    db, _ids, _clock = setup
    reg = register(
        db,
        ctx(db).rules,
        RegistrationForm(phone="13712345678", consent=True, name="Li Lei"),
        vault=open_vault(db),
        cashier="c1",
    )
    built, problems = build(db)
    assert problems == []
    item = built[0].items[0]
    assert item.kind == "registration"
    assert (item.payload["phone"], item.payload["name"]) == ("13712345678", "Li Lei")
    assert item.payload["provisional_id"] == reg.member_id
    with db.read() as session:
        stored = session.connection().exec_driver_sql("SELECT payload FROM outbox").scalar()
    assert "13712345678" not in str(stored)  # in clear only in memory, on the way to HQ
    # Without the terminal key it cannot be pushed: reported, kept pending.
    with db.read() as session:
        rows = outbound.pending_rows(session)
        _, problems = outbound.build(session, rows, SENDER, None)
    assert problems and "no key" in problems[0].reason
    assert client(db).sync().pending == 0
    with hq.db.transaction() as s:
        index = phone_index(s, "13712345678")
        assert s.query(HqMember).filter(HqMember.phone_index == index).count() == 1


def test_unusable_rows_stay_pending_and_the_rest_drain(
    setup: tuple[Database, list[str], FixedClock], hq: Hq
) -> None:
    db, ids, clock = setup
    sell(db, ids[0])
    with db.write() as session:
        repo.queue(
            session,
            [
                # Refers to nothing stored.
                OutboxMessage("mystery", "nothing-here", {"x": 1}),
                # Valid in form, refused by HQ (no consent).
                OutboxMessage(
                    "registration",
                    ctx(db).new_id(),
                    {
                        "provisional_id": "P1ZZ",
                        "phone": "13700000009",
                        "consent": False,
                        "at": clock.now().isoformat(),
                    },
                ),
            ],
            at=clock.now(),
        )
    sell(db, None)
    state = client(db).sync()
    assert state.online and state.errors == 2 and state.pending == 2
    assert state.last_error is not None and "could not be sent" in state.last_error
    assert hq.pushed()["sale"] == 2
    with db.read() as session:
        left = (
            session.connection()
            .exec_driver_sql("SELECT kind FROM outbox WHERE sent_at IS NULL ORDER BY id")
            .all()
        )
    assert [k for (k,) in left] == ["mystery", "registration"]
    # Another sync tries them again; they still do not go, nothing else is disturbed.
    assert client(db).sync().pending == 2
    assert pending(db) == 2


def test_a_sale_of_another_store_is_reported(setup: tuple[Database, list[str], FixedClock]) -> None:
    db, ids, _clock = setup
    sell(db, ids[0])
    with db.read() as session:
        rows = outbound.pending_rows(session)
        built, problems = outbound.build(session, rows, outbound.Sender("S9", "TX"), None)
    assert built == [] and "recorded for store S1" in problems[0].reason


def test_a_conflict_is_marked_sent_and_recorded_for_the_ui(
    setup: tuple[Database, list[str], FixedClock], hq: Hq
) -> None:
    db, ids, _clock = setup
    sale_id = sell(db, ids[0])
    assert client(db).sync().pending == 0
    # The stored sale changed after HQ took it (a repaired row), and it is queued again.
    with db.write() as session:
        conn = session.connection()
        conn.exec_driver_sql("UPDATE sales SET cashier = 'c9' WHERE id = ?", (sale_id,))
        conn.exec_driver_sql("UPDATE outbox SET sent_at = NULL WHERE ref_id = ?", (sale_id,))
    state = client(db).sync()
    assert state.pending == 0 and state.conflicts == 1 and state.last_error is None
    (conflict,) = state.recent_conflicts
    assert (conflict.kind, conflict.item_id) == ("sale", sale_id)
    assert "different payload" in conflict.reason
    assert state.to_json()["recent_conflicts"][0]["item_id"] == sale_id
    with hq.db.transaction() as s:
        assert s.query(Conflict).filter(Conflict.item_id == sale_id).count() == 1


def test_an_adjustment_and_an_expiry_carry_their_entries(
    setup: tuple[Database, list[str], FixedClock], hq: Hq
) -> None:
    db, ids, clock = setup
    with db.write() as session:
        repo.create_cashier(
            session, cashier_id="m1", name="Manager", role="manager", pin="4321", at=clock.now()
        )
    adjusted = adjust_points(
        ctx(db),
        member_id=ids[2],
        points=250,
        reason="goodwill",
        manager_id="m1",
        manager_pin="4321",
    )
    clock.advance(days=800)  # every lot of the member is past its expiry now
    expired = expire_points(ctx(db), [ids[2]])
    built, problems = build(db)
    assert problems == []
    entry_ids = [i.id for row in built for i in row.items]
    assert set(adjusted.entry_ids) <= set(entry_ids) and expired.entries == 1
    assert {i.payload["kind"] for row in built for i in row.items} == {"adjust", "expire"}
    assert client(db).sync().pending == 0
    assert_converged(hq, [db])

"""What tilldb hands out: frozen records (never ORM rows) for coupons, cashiers, new members,
stored sales and audit rows, and the refusals that keep what is stored intact."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import text
from store_helpers import T0, add_member, make_sale, sale_outbox

from posloyalty.domain.monthday import MonthDay
from posloyalty.tilldb import audit_log, repo
from posloyalty.tilldb.day_figures import day_figures
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.errors import StoreDataError
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.models import Base


def _frozen(record: object) -> None:
    assert dataclasses.is_dataclass(record) and not isinstance(record, Base)
    field = dataclasses.fields(record)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, field, "changed")


def test_coupons_are_found_listed_and_a_taken_code_is_refused(db: Database) -> None:
    add_member(db, "M1")
    with db.write() as session:
        issued = repo.issue_coupon(
            session,
            code="C1",
            member_id="M1",
            template="t10",
            valid_from=T0,
            valid_until=T0 + dt.timedelta(days=30),
        )
        repo.issue_coupon(
            session,
            code="C2",
            member_id="M1",
            template="t10",
            valid_from=T0,
            valid_until=T0 + dt.timedelta(days=30),
        )
    _frozen(issued)
    with pytest.raises(StoreDataError, match="already taken"), db.write() as session:
        repo.issue_coupon(
            session, code="C1", member_id="M1", template="other", valid_from=T0, valid_until=T0
        )
    with db.read() as session:
        found = repo.coupon_by_code(session, "C1")
        assert found == issued and found.template == "t10"  # the refused one changed nothing
        assert found.valid_until == T0 + dt.timedelta(days=30)
        assert repo.coupon_by_code(session, "nope") is None
        assert sorted(c.code for c in repo.held_coupons(session, "M1")) == ["C1", "C2"]
        assert repo.held_coupons(session, "M2") == []


def test_a_used_coupon_is_no_longer_held(db: Database) -> None:
    add_member(db, "M1")
    sale = make_sale(Uuid7(db.clock), T0)
    with db.write() as session:
        repo.record_sale(session, sale, [], sale_outbox(sale))
        for code in ("U1", "U2"):
            repo.issue_coupon(
                session, code=code, member_id="M1", template="t", valid_from=T0, valid_until=T0
            )
        session.execute(
            text("UPDATE member_coupons SET used_sale = :s WHERE code = 'U1'"), {"s": sale.id}
        )
    with db.read() as session:
        assert [c.code for c in repo.held_coupons(session, "M1")] == ["U2"]
        used = repo.coupon_by_code(session, "U1")
        assert used is not None and used.used_sale == sale.id


def test_a_new_member_is_stored_as_given_and_an_id_taken_is_refused(db: Database) -> None:
    member = repo.MemberRecord(
        id="P-T1-1",
        phone_masked="138****5678",
        phone_hash="h" * 64,
        display_name="L*",
        tier="regular",
        growth=0,
        cached_points=0,
        cached_pending=0,
        birthday=MonthDay(2, 29),
        last_purchase_at=None,
        registered_at=T0,
        hq_version=0,
        provisional=True,
    )
    with db.write() as session:
        repo.add_member(session, member)
    with db.read() as session:
        assert repo.member_by_id(session, "P-T1-1") == member
    with pytest.raises(StoreDataError, match="already taken"), db.write() as session:
        repo.add_member(session, dataclasses.replace(member, display_name="other"))
    with db.read() as session:
        assert repo.member_by_id(session, "P-T1-1") == member


def test_a_stored_sale_comes_back_whole_and_frozen(db: Database) -> None:
    add_member(db, "M1")
    sale = make_sale(Uuid7(db.clock), T0)
    with db.write() as session:
        repo.record_sale(session, sale, [], sale_outbox(sale))
    with db.read() as session:
        by_id = repo.sale_by_id(session, sale.id)
        by_receipt = repo.sale_by_receipt(session, sale.receipt_code)
        assert repo.sale_by_id(session, "nope") is None
        assert repo.sale_by_receipt(session, "nope") is None
    assert by_id == by_receipt
    assert by_id is not None
    _frozen(by_id)
    assert [ln.sku for ln in by_id.lines] == [ln.sku for ln in sale.lines]
    assert [(p.method, p.amount_fen) for p in by_id.payments] == [
        (p.method, p.amount_fen) for p in sale.payments
    ]
    assert (by_id.total_fen, by_id.member, by_id.at) == (sale.total_fen, "M1", T0)


def test_cashiers_come_back_without_pin_material(db: Database) -> None:
    with db.write() as session:
        made = repo.create_cashier(
            session, cashier_id="c9", name="C", role="cashier", pin="2468", at=T0
        )
    with db.read() as session:
        assert repo.cashier_by_id(session, "c9") == made
        assert repo.cashier_by_id(session, "nobody") is None
    _frozen(made)


def test_audit_rows_are_counted_and_the_latest_read(db: Database) -> None:
    with db.write() as session:
        for i in range(4):
            repo.audit(session, at=T0, cashier="c1", action="conflict", detail={"i": i})
        repo.audit(session, at=T0, cashier="c1", action="other", detail={})
    with db.read() as session:
        assert audit_log.audit_count(session, "conflict") == 4
        assert audit_log.audit_count(session, "nothing") == 0
        latest = audit_log.recent_audit(session, "conflict", 2)
    assert [r.detail for r in latest] == [{"i": 3}, {"i": 2}]
    assert all(r.at == T0 and r.cashier == "c1" for r in latest)


def test_the_day_figures_of_an_empty_day_are_zero(db: Database) -> None:
    with db.read() as session:
        f = day_figures(session, T0, T0 + dt.timedelta(days=1))
    assert f.sales_count == f.returns_count == f.points_issued == f.new_members == 0
    assert f.discounts_by_kind == {}

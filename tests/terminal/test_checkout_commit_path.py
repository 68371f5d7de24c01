"""The commit's short cuts keep its guarantees: the quote is reused only when nothing it reads
moved, receipt numbers follow the day's highest, growth uses the member read in the commit."""

from __future__ import annotations

from dataclasses import replace

import pytest
from checkout_helpers import counts, ledger_consistent, make_ctx

from posloyalty.clock import FixedClock
from posloyalty.domain.ids import MemberId, SaleId
from posloyalty.domain.money import Fen
from posloyalty.domain.rules import RuleSet
from posloyalty.resources import load_preset
from posloyalty.sync import outbound
from posloyalty.terminal.checkout import CheckoutSession
from posloyalty.terminal.errors import CheckoutError
from posloyalty.terminal.identified import Identified
from posloyalty.terminal.members import load_member
from posloyalty.terminal.receipt_codes import next_receipt_code
from posloyalty.terminal.tier_growth import TierProgress, apply_growth
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.records import PaymentRecord, SaleLineRecord, SaleRecord

REGULAR = Identified(MemberId("M2"), "dynamic", may_redeem=True)


def vancl_at_once() -> RuleSet:
    rules = load_preset("vancl")
    return replace(rules, tiers=replace(rules.tiers, credit_after_days=0))


def _paying(
    db: Database, rules: str | RuleSet, member: Identified | None, *scans: str
) -> CheckoutSession:
    s = CheckoutSession(make_ctx(db, rules))
    if member is not None:
        s.identify(member)
    for code in scans:
        s.scan(code)
    s.begin_payment()
    return s


def test_a_tier_change_on_the_same_day_is_priced_again_at_commit(
    db: Database, clock: FixedClock
) -> None:
    # Vancl: VIP after 2,000 yuan of spend, and a VIP pays 98%; credited at once here (the
    # preset's 30-day credit window has its own tests in test_tier_credit_till.py).
    at_once = vancl_at_once()
    waiting = _paying(db, at_once, REGULAR, "A1")
    waiting.add_payment("cash", tendered=Fen(2000))
    assert waiting.due == 1000
    big = CheckoutSession(make_ctx(db, at_once))
    big.identify(REGULAR)
    big.scan("B2", 80)  # 2,040.00 yuan
    big.begin_payment()
    big.add_payment("card")
    upgraded = big.commit()
    assert upgraded.tier is not None and upgraded.tier.tier == "vip"
    stored = counts(db)
    with pytest.raises(CheckoutError, match=r"changed from 10\.00 to 9\.80"):
        waiting.commit()
    assert counts(db) == stored and waiting.due == 1000
    waiting.back_to_basket()
    waiting.identify(REGULAR)  # the session shows the member as read when identified
    waiting.begin_payment()
    waiting.add_payment("cash", tendered=Fen(2000))
    assert waiting.commit().total == 980
    ledger_consistent(db, clock.now())


def test_the_stored_quote_shows_the_payments_taken(db: Database) -> None:
    s = _paying(db, "miniso", REGULAR, "B2", "C3")
    s.add_payment("card", Fen(3000))
    s.add_payment("cash", tendered=Fen(5000))
    r = s.commit()
    with db.read() as session:
        sale = repo.sale_by_id(session, r.sale_id)
        assert sale is not None
        assert sale.quote["payments"] == [
            {"method": "card", "amount": "30.00"},
            {"method": "cash", "amount": "35.40"},
        ]
        assert sale.quote["points_earned"] == r.points_earned
        (row,) = repo.outbox_pending(session)
    # The outbox row only names the sale: the push is built from the stored sale and entries.
    assert (row.kind, row.ref_id, row.payload) == ("sale", r.sale_id, {})
    with db.read() as session:
        built, problems = outbound.build(
            session, outbound.pending_rows(session), outbound.Sender("S1", "T1"), None
        )
    assert problems == []
    items = {i.kind: i.payload for i in built[0].items}
    assert items["sale"]["total_fen"] == r.total and "quote" not in items["sale"]
    assert items["ledger_entry"]["points"] == r.points_earned


def _store_code(db: Database, ctx_ids: CheckoutSession, code: str) -> None:
    ctx = ctx_ids.ctx
    sale_id = SaleId(ctx.new_id())
    line = SaleLineRecord(0, "A1", 1, Fen(1000), Fen(1000), Fen(1000))
    record = SaleRecord(
        sale_id, ctx.terminal, ctx.store, ctx.cashier, None, ctx.now(), Fen(1000), Fen(1000),
        code, (line,), (PaymentRecord("cash", Fen(1000)),),
    )  # fmt: skip
    with db.write() as session:
        repo.record_sale(session, record)


def test_receipt_numbers_follow_the_days_highest_in_any_width(db: Database) -> None:
    s = CheckoutSession(make_ctx(db))
    ctx = s.ctx

    def next_code() -> str:
        with db.read() as session:
            return next_receipt_code(session, ctx, ctx.now())

    assert next_code() == "S1-T1-20261124-0001"
    _store_code(db, s, "S1-T1-20261124-0001")
    _store_code(db, s, "S1-T1-20261124-0007")  # a gap: numbers are never reused
    _store_code(db, s, "S1-T1-20261123-0042")  # another day
    _store_code(db, s, "S9-T1-20261124-0050")  # another store
    assert next_code() == "S1-T1-20261124-0008"
    _store_code(db, s, "S1-T1-20261124-9999")
    assert next_code() == "S1-T1-20261124-10000"
    _store_code(db, s, "S1-T1-20261124-10000")
    _store_code(db, s, "S1-T1-20261124-10001")
    assert next_code() == "S1-T1-20261124-10002"
    sale = _paying(db, "miniso", None, "A1")
    sale.add_payment("cash")
    assert sale.commit().receipt_code == "S1-T1-20261124-10002"


def test_growth_from_the_member_read_in_the_commit_matches_a_fresh_read(db: Database) -> None:
    ctx = make_ctx(db)
    progress: list[TierProgress | None] = []
    rows: list[tuple[str, int]] = []
    for known in (False, True):
        with pytest.raises(RuntimeError), db.write() as session:  # rolled back
            member = load_member(
                session, ctx, MemberId("M2"), confirmed=True, may_redeem=True, at=ctx.now()
            )
            progress.append(
                apply_growth(session, ctx, "M2", 3520, ctx.now(), member=member if known else None)
            )
            row = repo.member_by_id(session, "M2")
            assert row is not None
            rows.append((row.tier, row.growth))
            raise RuntimeError("roll back")
    (fresh, reused), (fresh_row, reused_row) = progress, rows
    assert fresh == reused and fresh is not None and fresh.tier == "silver"
    assert fresh_row == reused_row == ("silver", 3520)
    with db.read() as session:
        stored = repo.member_by_id(session, "M2")
        assert stored is not None and (stored.tier, stored.growth) == ("regular", 0)

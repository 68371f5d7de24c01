"""Stateful property test: sales, returns, redemptions, expiries and adjustments on a real store.

A model counts, per member, the points each operation reported (earned, redeemed, taken back,
refunded, adjusted, expired); after every step the ledger must hold exactly that, balances
must be the ledger replayed, and no sale may be refunded or reversed beyond what it had.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from checkout_helpers import MANAGER_PIN, fixed, make_ctx, setup_store
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from posloyalty.domain import points as pts
from posloyalty.domain.ids import MemberId
from posloyalty.domain.money import Fen
from posloyalty.terminal.adjustments import adjust_points, expire_points
from posloyalty.terminal.checkout import CheckoutSession, State
from posloyalty.terminal.context import TerminalContext
from posloyalty.terminal.errors import CheckoutError
from posloyalty.terminal.identified import Identified
from posloyalty.terminal.returns import process_return
from posloyalty.tilldb import repo
from posloyalty.tilldb.models import Member

MEMBERS = ("M1", "M2")
SKUS = ("A1", "B2", "C3", "SP", "MP")
KINDS = ("earn", "redeem", "taken", "refunded", "adjust", "expire")


@dataclasses.dataclass
class SaleModel:
    member: str | None
    total: int
    earned: int
    redeemed: int
    sold: dict[int, int]
    returned: dict[int, int]
    refunded: int = 0
    reversed: int = 0
    points_back: int = 0


def _note(what: str) -> None:
    """Count it in ``--hypothesis-show-statistics`` (the hand-driven run has no context)."""
    if currently_in_test_context():
        event(what)


class CheckoutMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory(prefix="checkout_sm_")
        self.clock = fixed()
        self.db = setup_store(Path(self.tmp.name) / "t.db", self.clock)
        self.ctx: TerminalContext | None = None
        self.model = {m: dict.fromkeys(KINDS, 0) for m in MEMBERS}
        self.sales: list[tuple[str, SaleModel]] = []
        self.last_write = {m: self.clock.now() for m in MEMBERS}

    def teardown(self) -> None:
        self.db.close()
        self.tmp.cleanup()

    @initialize(preset=st.sampled_from(["miniso", "vancl"]))
    def choose_rules(self, preset: str) -> None:
        # The offline cap is tested on its own; here it must not hide the ledger arithmetic.
        self.ctx = make_ctx(self.db, preset, offline_allowance_points=10**9)

    def _ctx(self) -> TerminalContext:
        assert self.ctx is not None
        return self.ctx

    def _touch(self, member: str | None) -> None:
        if member is not None:
            self.last_write[member] = self.clock.now()

    # ------------------------------------------------------------------ operations
    @rule(
        member=st.sampled_from([*MEMBERS, None]),
        lines=st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 4)), min_size=1, max_size=4),
        redeem=st.integers(0, 100),
        gift=st.integers(0, 100),
    )
    def sale(
        self, member: str | None, lines: list[tuple[str, int]], redeem: int, gift: int
    ) -> None:
        s = CheckoutSession(self._ctx())
        if member is not None:
            s.identify(Identified(MemberId(member), "dynamic", may_redeem=True))
        for sku, qty in lines:
            s.scan(sku, qty)
        if redeem and member is not None and s.member is not None:
            # ``redeem`` percent of what the member may spend on this sale (rules permitting).
            rules = self._ctx().rules.points
            cap = s.due * rules.max_redeem_percent // 100 * rules.value_points // rules.value_fen
            n = min(max(s.member.balance.available, 0), cap) * redeem // 100
            n -= n % rules.redeem_step
            before = (s.state, s.lines, s.quote, s.redeem_points)
            try:
                s.redeem(n + (redeem == 100))  # one over the limit now and then: refused
            except CheckoutError:
                assert (s.state, s.lines, s.quote, s.redeem_points) == before
                if n:
                    s.redeem(n)
        s.begin_payment()
        if gift and s.remaining:
            s.add_payment("gift_card", Fen(s.remaining * gift // 100 or 1))
        if s.remaining:
            s.add_payment("cash", tendered=Fen(s.remaining + 50))
        r = s.commit()
        if r.points_redeemed:
            _note("sale redeemed points")
        assert s.state is State.COMMITTED
        assert sum(p.amount for p in r.payments) == r.total
        if member is not None:
            self.model[member]["earn"] += r.points_earned
            self.model[member]["redeem"] += r.points_redeemed
            self._touch(member)
        sold = {ln.index: ln.qty for ln in r.lines}
        self.sales.append(
            (
                r.sale_id,
                SaleModel(member, r.total, r.points_earned, r.points_redeemed, sold, {}),
            )
        )

    @precondition(lambda self: bool(self.sales))
    @rule(data=st.data())
    def return_(self, data: st.DataObject) -> None:
        sale_id, sale = data.draw(st.sampled_from(self.sales))
        left = {i: q - sale.returned.get(i, 0) for i, q in sale.sold.items()}
        left = {i: q for i, q in left.items() if q > 0}
        if not left:
            return
        if data.draw(st.booleans()):
            wanted = None
        else:
            picked = data.draw(st.lists(st.sampled_from(sorted(left)), min_size=1, unique=True))
            wanted = {i: data.draw(st.integers(1, left[i])) for i in picked}
        # A manager approves: some refunds are above the manager limit (the default).
        ret = process_return(
            self._ctx(), sale_id=sale_id, lines=wanted, manager_id="m1", manager_pin=MANAGER_PIN
        )
        _note("full return" if ret.full else "partial return")
        if ret.points_refunded:
            _note("return refunded redeemed points")
        for ln in ret.lines:
            sale.returned[ln.index] = sale.returned.get(ln.index, 0) + ln.qty
        assert {ln.index: ln.qty for ln in ret.lines} == (wanted or left)
        sale.refunded += ret.refund_total
        sale.reversed += ret.points_reversed
        sale.points_back += ret.points_refunded
        if sale.member is not None:
            self.model[sale.member]["taken"] += ret.points_reversed
            self.model[sale.member]["refunded"] += ret.points_refunded
            self._touch(sale.member)
        else:
            assert ret.points_reversed == ret.points_refunded == 0

    @rule(member=st.sampled_from(MEMBERS), points=st.integers(-3000, 3000).filter(bool))
    def adjust(self, member: str, points: int) -> None:
        try:
            result = adjust_points(
                self._ctx(),
                member_id=member,
                points=points,
                reason="stateful test",
                manager_id="m1",
                manager_pin=MANAGER_PIN,
            )
        except CheckoutError as exc:
            assert points < 0 and "cannot deduct" in str(exc)
            return
        assert result.points == points
        self.model[member]["adjust"] += points
        self._touch(member)

    @rule(days=st.integers(0, 200), hours=st.integers(0, 23))
    def advance(self, days: int, hours: int) -> None:
        self.clock.advance(days=days, hours=hours, minutes=1)

    @rule(member=st.sampled_from(MEMBERS))
    def expire(self, member: str) -> None:
        result = expire_points(self._ctx(), [member])
        self.model[member]["expire"] += result.points
        if result.points:
            _note("points expired")
        if result.entries:
            self._touch(member)

    # ------------------------------------------------------------------ invariants
    @invariant()
    def ledger_matches_the_model(self) -> None:
        with self.db.read() as session:
            for m in MEMBERS:
                by_kind = dict.fromkeys(KINDS, 0)
                entries = repo.ledger_for_member(session, m)
                for e in entries:
                    if e.kind in ("earn", "bonus"):
                        by_kind["earn"] += e.points
                    elif e.kind == "redeem":
                        by_kind["redeem"] -= e.points
                    elif e.kind == "reverse":
                        by_kind["taken" if e.points < 0 else "refunded"] += abs(e.points)
                    elif e.kind == "adjust":
                        by_kind["adjust"] += e.points
                    else:
                        by_kind["expire"] -= e.points
                assert by_kind == self.model[m]
                # No point created or lost.
                model = self.model[m]
                total = (
                    model["earn"] - model["redeem"] - model["taken"] + model["refunded"]
                    + model["adjust"] - model["expire"]
                )  # fmt: skip
                assert repo.ledger_sum(session, m) == total
                now = self.clock.now()
                bal = pts.balance(entries, now)
                assert bal.total == total == bal.available + bal.pending + bal.lapsed
                # The cache is the ledger replayed when it was last written.
                row = session.get(Member, m)
                assert row is not None
                then = max([self.last_write[m], *(e.at for e in entries)])
                cached = pts.balance(entries, then)
                assert (row.cached_points, row.cached_pending) == (
                    cached.available,
                    cached.pending,
                )

    @invariant()
    def returns_stay_within_the_sale(self) -> None:
        with self.db.read() as session:
            for sale_id, sale in self.sales:
                assert 0 <= sale.refunded <= sale.total
                assert 0 <= sale.reversed <= sale.earned
                assert 0 <= sale.points_back <= sale.redeemed
                if all(sale.returned.get(i, 0) == q for i, q in sale.sold.items()):
                    assert sale.refunded == sale.total
                    assert sale.points_back == sale.redeemed
                entries = [r.entry for r in repo.ledger_for_sale(session, sale_id)]
                taken = -sum(e.points for e in entries if e.kind == "reverse" and e.points < 0)
                earned = sum(e.points for e in entries if e.kind == "earn")
                assert taken == sale.reversed <= earned == sale.earned


CheckoutMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestCheckoutMachine = CheckoutMachine.TestCase


def test_machine_can_be_driven_by_hand() -> None:
    """One fixed run through every rule, so a broken rule fails even on an unlucky draw."""
    m = CheckoutMachine()
    try:
        m.choose_rules("vancl")
        m.sale("M1", [("A1", 2), ("MP", 1)], 0, 0)
        m.advance(40, 0)
        m.sale("M1", [("B2", 3)], 50, 50)
        m.adjust("M1", 500)
        m.adjust("M2", -5)
        m.ledger_matches_the_model()
        m.advance(400, 0)
        m.expire("M1")
        m.ledger_matches_the_model()
        m.returns_stay_within_the_sale()
        assert m.model["M1"]["expire"] > 0 and m.model["M1"]["redeem"] == 108  # half of 216
    finally:
        m.teardown()

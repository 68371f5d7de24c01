"""The counter: what the cashier window drives, over one :class:`CheckoutSession` at a time.

It routes any scan (member code, product barcode, coupon) to the session, looks members up by
phone, and builds :class:`CounterView`, an immutable picture of the sale and the member that
the window and the customer display only paint: no Qt here, and no decision in the widgets.
Every action raises :class:`CheckoutError` (or a subclass) with a message for the cashier and
leaves the sale as it was.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Literal

from posloyalty.domain.codes import CouponCode, ProductBarcode, normalise_scan
from posloyalty.domain.ids import CashierId, MemberId, TierId
from posloyalty.domain.money import Fen
from posloyalty.domain.pricing import LineQuote, max_redeemable, schedule_matches
from posloyalty.domain.pricing import birthday_in_window as _birthday_in_window
from posloyalty.domain.privacy import mask_phone
from posloyalty.sync.client import HQ_URL_KEY, Enrolment, enroll, load_hq_key, read_state
from posloyalty.sync.lookup import LookupResult, MemberLookup
from posloyalty.terminal.allowance import offline_allowance
from posloyalty.terminal.checkout import CartLine, CheckoutSession, Receipt, State
from posloyalty.terminal.context import TerminalContext
from posloyalty.terminal.errors import CheckoutError, StorageRefused
from posloyalty.terminal.identified import Identified
from posloyalty.terminal.member_scan import IdentifyError, identify
from posloyalty.terminal.members import MemberState, load_member
from posloyalty.terminal.staff import PinRefused, check_staff_pin
from posloyalty.terminal.tier_growth import member_tier_status
from posloyalty.tilldb import repo
from posloyalty.tilldb.errors import StoreError
from posloyalty.tilldb.vault import Vault

#: Why a member stays unconfirmed after a scan, for the banner: HQ was not asked or could
#: not be reached (``offline``), did not answer within the budget (``slow``), does not know
#: the code (``not_found``), wants the member's phone code (``needs_code``: a card or a
#: phone number proves no presence), or no HQ is set up for this till (``unverified``).
UNVERIFIED_REASONS = ("offline", "slow", "not_found", "needs_code", "unverified")
#: What F2 takes as a typed member id (HQ's ids are base-36, at most 16 characters).
_MEMBER_ID = re.compile(r"[0-9A-Z]{4,16}")


@dataclass(frozen=True, slots=True)
class MemberPanel:
    """The member as the counter shows them (personal data masked)."""

    member_id: MemberId
    phone_masked: str
    name: str
    tier: TierId
    tier_name: str
    points_available: int
    points_pending: int
    growth: int
    next_tier_name: str | None
    #: Spend still needed for the next tier (0: none needed or no next tier).
    needed_spend: Fen
    needed_growth: int
    #: False: identified offline from a well-formed code HQ has not confirmed.
    confirmed: bool
    may_redeem: bool
    by: str
    member_day: str | None
    birthday: bool
    #: "first_purchase", "dormant" or "" (nothing to say).
    lifecycle: str
    coupons: tuple[tuple[str, str], ...] = ()
    #: Tier credit not final yet (the rules' ``credit_after_days``) and when the next is.
    pending_spend: Fen = Fen(0)
    credit_final_at: dt.datetime | None = None
    #: "dormant": days without a purchase (the rules' ``greeting_after_days`` or more).
    days_away: int = 0
    #: Why an unconfirmed member is not verified (:data:`UNVERIFIED_REASONS`); "" when
    #: confirmed.
    unverified: str = ""


@dataclass(frozen=True, slots=True)
class CartRow:
    line: CartLine
    quoted: LineQuote | None


@dataclass(frozen=True, slots=True)
class RedeemInfo:
    """What points can pay now: ``max_points`` honours balance, cap, step and allowance."""

    available: int
    max_points: int
    max_value: Fen
    cap_percent: int
    step: int
    minimum: int
    #: Today's offline allowance left (None: confirmed online recently, no cap).
    allowance_left: int | None
    allowance_limit: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CounterView:
    state: State
    allowed: frozenset[str]
    rows: tuple[CartRow, ...]
    subtotal: Fen
    total: Fen
    savings: Fen
    savings_by_kind: tuple[tuple[str, Fen], ...]
    points_to_earn: int
    points_redeemed: int
    points_value: Fen
    member: MemberPanel | None
    paid: Fen
    remaining: Fen
    payments: tuple[tuple[str, Fen, Fen], ...]
    coupons: tuple[str, ...]
    member_day: str | None
    receipt: Receipt | None = None
    #: Cash handed back: what was tendered beyond the amounts applied (0: none).
    change: Fen = Fen(0)
    #: What points can pay now (None: no member, or points cannot be used in this state).
    redeem: RedeemInfo | None = None
    #: The points key does something now: redeem the most allowed, or take it back.
    points_key: bool = False


@dataclass(frozen=True, slots=True)
class ScanResult:
    """What a scan did: ``kind`` is member, product or coupon; ``text`` is what was added."""

    kind: str
    text: str
    view: CounterView


@dataclass
class Counter:
    ctx: TerminalContext
    vault: Vault | None
    #: Asks HQ about members the slice does not hold (None: never; the till is offline-only).
    lookup: MemberLookup | None = None
    session: CheckoutSession = field(init=False)
    #: Why this session's member is unconfirmed (see :data:`UNVERIFIED_REASONS`).
    _unverified: tuple[CheckoutSession, str] | None = field(init=False, default=None, repr=False)

    #: The member as stored after this session's sale committed (fresh balance and growth).
    _after_sale: tuple[CheckoutSession, MemberState] | None = field(
        init=False, default=None, repr=False
    )
    #: The view's context with HQ's public key read once (the offline allowance verifies
    #: HQ's balance confirmations with it; reading it is ~1/4 of a member scan's work).
    _view_ctx: tuple[TerminalContext, TerminalContext] | None = field(
        init=False, default=None, repr=False
    )

    def __post_init__(self) -> None:
        self.session = CheckoutSession(self.ctx)

    def idle_view(self) -> CounterView:
        """The picture of a new, empty sale, built without reading the store (a window's
        first paint before its worker answers)."""
        s = CheckoutSession(self.ctx)
        return CounterView(
            state=s.state,
            allowed=s.allowed(),
            rows=(),
            subtotal=Fen(0),
            total=Fen(0),
            savings=Fen(0),
            savings_by_kind=(),
            points_to_earn=0,
            points_redeemed=0,
            points_value=Fen(0),
            member=None,
            paid=Fen(0),
            remaining=Fen(0),
            payments=(),
            coupons=(),
            member_day=self._member_day_today(),
        )

    def commit(self) -> Receipt:
        """Store the sale (:meth:`CheckoutSession.commit`) and read its member back, so the
        view shows the balance, growth and tier the sale left (not the ones before it)."""
        session = self.session
        receipt = session.commit()
        m = session.member
        if m is not None and receipt.member_id == m.member_id:
            try:
                with self.ctx.db.snapshot() as conn:
                    fresh = load_member(
                        conn,
                        self.ctx,
                        m.member_id,
                        confirmed=m.confirmed,
                        may_redeem=m.may_redeem,
                        at=self.ctx.now(),
                    )
            except (StoreError, CheckoutError):
                fresh = None  # the sale is stored; the panel then shows the receipt's figures
            if fresh is not None:
                self._after_sale = (session, fresh)
        return receipt

    def _member_now(self) -> MemberState | None:
        after = self._after_sale
        if after is not None and after[0] is self.session:
            return after[1]
        return self.session.member

    def void_line(self, index: int, reason: str = "cashier void") -> tuple[str, CounterView]:
        """Void cart line ``index``: the voided line's name and the view after."""
        lines = self.session.lines
        if self.session.state in (State.COMMITTED, State.CANCELLED) or not lines:
            raise CheckoutError("there is no line to void")
        if not 0 <= index < len(lines):
            raise CheckoutError(f"there is no line {index + 1}")
        name = lines[index].name
        self.session.void_line(index, reason)
        return name, self.view()

    # ------------------------------------------------------------------ sale lifecycle
    def new_sale(self) -> CounterView:
        """Start over after a committed or cancelled sale (a live sale is cancelled first)."""
        return self.cancel("new sale")

    def cancel(self, reason: str = "") -> CounterView:
        """Abandon the sale in progress (audited when it had anything) and start a new one."""
        live = self.session.state in (State.OPEN, State.QUOTED, State.PAYING)
        if live and (self.session.lines or self.session.member):
            self.session.cancel(reason)
        self.session = CheckoutSession(self.ctx)
        return self.view()

    # ------------------------------------------------------------------ scans
    def scan(self, text: str) -> ScanResult:
        """Route a scan: a member code identifies, a product adds a line, a coupon applies."""
        text = text.strip()
        if self.session.state in (State.COMMITTED, State.CANCELLED):
            self.session = CheckoutSession(self.ctx)
        if not text:
            raise CheckoutError("nothing was scanned")
        try:
            outcome = identify(text, db=self.ctx.db, vault=self.lookup_vault())
        except IdentifyError as exc:
            # A plain SKU typed by hand is not a scan format; try it as a product.
            if exc.reason in ("unknown_format", "bad_check") and text.isalnum():
                try:
                    return self._product(text)
                except CheckoutError:
                    pass
            raise CheckoutError(exc.message) from None
        except StoreError as exc:
            raise StorageRefused(f"cannot read the member directory: {exc}") from None
        if isinstance(outcome, Identified):
            if not outcome.confirmed:
                outcome = self._ask_hq(text, outcome)
            self.session.identify(outcome)
            return ScanResult("member", outcome.member_id, self.view())
        if isinstance(outcome, ProductBarcode):
            return self._product(outcome.payload)
        assert isinstance(outcome, CouponCode)
        self.session.add_coupon(outcome.coupon)
        return ScanResult("coupon", outcome.coupon, self.view())

    def _product(self, code: str) -> ScanResult:
        index = self.session.scan(code)
        return ScanResult("product", self.session.lines[index].name, self.view())

    def identify_by_phone(self, phone: str) -> CounterView:
        """F2: find a member by the full phone number (no points spending: no phone code).

        A number the slice does not hold is asked of HQ, which answers only for a member
        already at this store: a typed phone proves nothing, so a member of another store must
        show their phone code (the message says so, the same whether or not they exist)."""
        digits = "".join(c for c in phone if c.isdigit())
        if len(digits) < 11:
            raise CheckoutError("type the member's full 11-digit phone number")
        with self.ctx.db.read() as session:
            found = [m.id for m in repo.members_by_phone(session, digits[-11:])]
        if not found and self.lookup is not None:
            result = self.lookup.ask("phone", digits[-11:])
            if result.found and result.member_id is not None:
                found = [result.member_id]
            elif result.outcome in ("offline", "slow"):
                raise CheckoutError(
                    f"no member with phone {mask_phone(digits[-11:])} here, and HQ "
                    f"{'cannot be reached' if result.outcome == 'offline' else 'is slow'}: "
                    "scan the member's phone code"
                )
            else:
                raise CheckoutError(
                    f"no member with phone {mask_phone(digits[-11:])} here; a member of "
                    "another store: scan their phone code"
                )
        if not found:
            raise CheckoutError(f"no member with phone {mask_phone(digits[-11:])} here")
        self.session.identify(Identified(MemberId(found[0]), by="manual", may_redeem=False))
        return self.view()

    def identify_typed(self, typed: str) -> CounterView:
        """F2's one box: 11 or more digits are a phone number, anything else a member id."""
        digits = "".join(c for c in typed if c.isdigit())
        looks_like_phone = len(digits) >= 11 and not any(c.isalpha() for c in typed)
        return (
            self.identify_by_phone(typed) if looks_like_phone else self.identify_by_member_id(typed)
        )

    def identify_by_member_id(self, typed: str) -> CounterView:
        """F2 with a member id typed (no points spending: no phone code). A member in the
        slice is identified; otherwise HQ is asked, which answers only for a member already at
        this store (a typed id proves no presence). Else the member stays unconfirmed (points
        pending, HQ checks the sale) and the banner says why: HQ wants the member's phone code
        (``needs_code``, the same whether or not the id exists), or HQ is offline or slow."""
        member_id = "".join(typed.split()).upper()
        if not _MEMBER_ID.fullmatch(member_id):
            raise CheckoutError(
                "type the member's 11-digit phone number or their member id (letters and digits)"
            )
        if self.session.state in (State.COMMITTED, State.CANCELLED):
            self.session = CheckoutSession(self.ctx)
        with self.ctx.db.read() as session:
            held = repo.member_by_id(session, member_id) is not None
        reason = ""
        if not held and self.lookup is None:
            reason = "unverified"
        elif not held and self.lookup is not None:
            result = self.lookup.ask("member_id", member_id)
            if result.outcome == "refused" and result.reason:
                raise CheckoutError(f"HQ refuses this member id: {result.reason}")
            if not result.found:
                reason = {"not_enrolled": "unverified"}.get(result.outcome, result.outcome)
        identified = Identified(
            MemberId(member_id), by="manual", may_redeem=False, confirmed=not reason
        )
        self.session.identify(identified)
        self._unverified = (self.session, reason) if reason else None
        return self.view()

    def _ask_hq(self, text: str, outcome: Identified) -> Identified:
        """An unconfirmed member: ask HQ (within the lookup's budget) and, when HQ proves the
        member here, identify the scan again against the rows it sent (verified offline, the
        code's use recorded); otherwise note why the member stays unconfirmed."""
        if self.lookup is None:
            self._unverified = (self.session, "unverified")
            return outcome
        result: LookupResult = self.lookup.ask("code", normalise_scan(text))
        if result.found:
            try:
                again = identify(text, db=self.ctx.db, vault=self.lookup_vault())
            except IdentifyError as exc:
                raise CheckoutError(exc.message) from None
            if isinstance(again, Identified) and again.confirmed:
                self._unverified = None
                return again
        if result.outcome == "refused" and result.reason:
            raise CheckoutError(f"HQ refuses this member code: {result.reason}")
        reason = {"found": "needs_code", "not_enrolled": "unverified"}.get(
            result.outcome, result.outcome
        )
        self._unverified = (self.session, reason)
        return outcome

    def lookup_vault(self) -> Vault | None:
        """The terminal key: the counter's, or (with a lookup) the one the till holds now,
        made when HQ's first member secret arrived."""
        if self.vault is None and self.lookup is not None:
            self.vault = self.lookup.vault
        return self.vault

    def unverified_reason(self) -> str:
        note = self._unverified
        return note[1] if note is not None and note[0] is self.session else "unverified"

    def identify(self, identified: Identified) -> CounterView:
        if self.session.state in (State.COMMITTED, State.CANCELLED):
            self.session = CheckoutSession(self.ctx)
        self.session.identify(identified)
        return self.view()

    # ------------------------------------------------------------------ cart lines
    def set_qty(self, index: int, qty: int) -> CounterView:
        """Change the quantity of cart line ``index`` (0-based); refused when the sale is
        being paid (go back to the basket) or the quantity is not 1..9999."""
        if self.session.state in (State.COMMITTED, State.CANCELLED) or not self.session.lines:
            raise CheckoutError("there is no line to change")
        self.session.set_qty(index, qty)
        return self.view()

    def step_qty(self, index: int, step: int) -> CounterView:
        """The + and - keys: one more or one fewer of cart line ``index``; below one is
        refused (the line is voided with its own key, so a slip cannot drop it)."""
        lines = self.session.lines
        if self.session.state in (State.COMMITTED, State.CANCELLED) or not lines:
            raise CheckoutError("there is no line to change")
        if not 0 <= index < len(lines):
            raise CheckoutError(f"there is no line {index + 1}")
        qty = lines[index].qty + step
        if qty < 1:
            raise CheckoutError("the quantity is already 1; void the line to take it off")
        return self.set_qty(index, qty)

    # ------------------------------------------------------------------ points
    def redeem_info(self) -> RedeemInfo:
        s = self.session
        rules = self.ctx.rules.points
        member = s.member
        limit = (
            self.ctx.offline_allowance_points
            if self.ctx.offline_allowance_points is not None
            else rules.offline_allowance_points
        )
        if member is None:
            return RedeemInfo(
                0,
                0,
                Fen(0),
                rules.max_redeem_percent,
                rules.redeem_step,
                rules.min_redeem_points,
                None,
                limit,
                "no member identified",
            )
        available = max(member.balance.available, 0)
        if not member.may_redeem:
            reason = (
                "HQ has not confirmed this member yet"
                if not member.confirmed
                else "points can only be spent with the member's dynamic code (phone app)"
            )
            return RedeemInfo(
                available,
                0,
                Fen(0),
                rules.max_redeem_percent,
                rules.redeem_step,
                rules.min_redeem_points,
                None,
                limit,
                reason,
            )
        with self.ctx.db.snapshot() as conn:
            allowance = offline_allowance(
                conn, self._allowance_ctx(), member.member_id, self.ctx.now()
            )
        q = s.quote
        due_before_points = (q.total + q.points_value) if q is not None else 0
        spendable = available if allowance.left is None else min(available, allowance.left)
        best = max_redeemable(rules, due_before_points, spendable)
        return RedeemInfo(
            available,
            best,
            Fen(rules.points_value(best)) if best else Fen(0),
            rules.max_redeem_percent,
            max(rules.redeem_step, 1),
            rules.min_redeem_points,
            allowance.left,
            allowance.limit,
        )

    def _allowance_ctx(self) -> TerminalContext:
        """The context with HQ's key, read once per counter. Without a key (not enrolled) the
        plain context is kept, and the allowance looks for the key itself each time, so an
        enrolment counts at once. A key replaced while the till runs (a new enrolment) is
        read again after :meth:`forget_hq_key`, which the window's enrolment paths call;
        until then confirmations signed by the new key do not verify, the stricter way."""
        ctx = self.ctx
        if ctx.hq_key is not None:
            return ctx
        cached = self._view_ctx
        if cached is not None and cached[0] is ctx:
            return cached[1]
        key = load_hq_key(ctx.db)
        with_key = replace(ctx, hq_key=key) if key is not None else ctx
        self._view_ctx = (ctx, with_key)
        return with_key

    def forget_hq_key(self) -> None:
        """HQ's key may have changed (an enrolment): read it again for the next view."""
        self._view_ctx = None

    # ------------------------------------------------------------------ the picture
    def view(self) -> CounterView:
        s = self.session
        q = s.quote
        rows: tuple[CartRow, ...]
        if q is not None and len(q.lines) == len(s.lines):
            rows = tuple(CartRow(ln, lq) for ln, lq in zip(s.lines, q.lines, strict=True))
        else:
            rows = tuple(CartRow(ln, None) for ln in s.lines)
        kinds: dict[str, int] = {}
        if q is not None:
            for d in q.discounts:
                if d.kind != "points":
                    kinds[d.kind] = kinds.get(d.kind, 0) + d.amount
        receipt = s.receipt
        member = self._panel() if s.member else None
        allowed = s.allowed()
        redeem: RedeemInfo | None = None
        if member is not None and "redeem" in allowed:
            redeem = self.redeem_info()
        redeemed = q.points_redeemed if q else 0
        return CounterView(
            state=s.state,
            allowed=allowed,
            rows=rows,
            subtotal=q.subtotal if q else Fen(0),
            total=q.total if q else Fen(0),
            savings=Fen(sum(kinds.values())),
            savings_by_kind=tuple((k, Fen(v)) for k, v in kinds.items()),
            points_to_earn=q.points_earned if q and s.member else 0,
            points_redeemed=redeemed,
            points_value=q.points_value if q else Fen(0),
            member=member,
            paid=s.paid,
            remaining=s.remaining,
            payments=tuple((p.method, p.amount, p.tendered) for p in s.payments),
            coupons=s.coupons,
            member_day=self._member_day_name(q.member_day) if q else self._member_day_today(),
            receipt=receipt,
            change=Fen(sum(p.change for p in s.payments)),
            redeem=redeem,
            points_key=redeem is not None and (redeemed > 0 or redeem.max_points > 0),
        )

    def _member_day_name(self, member_day: str | None) -> str | None:
        if member_day is None:
            return None
        names = {md.id: md.name for md in self.ctx.rules.member_days}
        return names.get(member_day, member_day)

    def _member_day_today(self) -> str | None:
        today = self.ctx.now().date()
        for md in self.ctx.rules.member_days:
            if schedule_matches(md.schedule, today):
                return md.name
        return None

    def _panel(self) -> MemberPanel:
        m = self._member_now()
        assert m is not None
        ctx = self.ctx
        at = ctx.now()
        tiers = ctx.rules.tiers
        tier_name = tiers.level(m.tier).name if m.tier in tiers.ids() else str(m.tier)
        next_name: str | None = None
        needed_spend, needed_growth = Fen(0), 0
        birthday = False
        lifecycle = ""
        days_away = 0
        pending_spend, credit_final_at = Fen(0), None
        coupons: tuple[tuple[str, str], ...] = ()
        with ctx.db.read() as session:
            row = repo.member_by_id(session, m.member_id) if m.stored else None
            if row is not None and m.confirmed:
                status = member_tier_status(session, ctx, m.member_id, at)
                pending_spend, credit_final_at = status.pending_spend, status.next_credit_at
                current = tiers.level(m.tier)
                if (
                    status.next_tier is not None
                    and tiers.level(status.next_tier).rank > current.rank
                ):
                    next_name = tiers.level(status.next_tier).name
                    needed_spend, needed_growth = status.needed_spend, status.needed_growth
                if row.birthday is not None:
                    birthday = _birthday_in_window(
                        row.birthday, at.date(), ctx.rules.points.birthday_window
                    )
                last = row.last_purchase_at
                if last is None:
                    lifecycle = "first_purchase"
                elif (at - last).days >= ctx.rules.lifecycle.greeting_days:
                    lifecycle = "dormant"
                    days_away = (at - last).days
                held = repo.held_coupons(session, m.member_id)
                coupons = tuple(
                    (
                        c.code,
                        ctx.rules.coupons[c.template].name
                        if c.template in ctx.rules.coupons
                        else c.template,
                    )
                    for c in held
                    if c.valid_until >= at
                )
        q = self.session.quote
        return MemberPanel(
            member_id=m.member_id,
            phone_masked=m.phone_masked,
            name=m.display_name,
            tier=m.tier,
            tier_name=tier_name,
            points_available=m.balance.available,
            points_pending=m.balance.pending,
            growth=m.growth,
            next_tier_name=next_name,
            needed_spend=needed_spend,
            needed_growth=needed_growth,
            confirmed=m.confirmed,
            may_redeem=m.may_redeem,
            by=self.session_identified_by(),
            member_day=self._member_day_name(q.member_day) if q else self._member_day_today(),
            birthday=birthday,
            lifecycle=lifecycle,
            coupons=coupons,
            pending_spend=pending_spend,
            credit_final_at=credit_final_at,
            days_away=days_away,
            unverified="" if m.confirmed else self.unverified_reason(),
        )

    def session_identified_by(self) -> str:
        ident = self.session._cart.identified
        return ident.by if ident is not None else ""


def sign_in(ctx: TerminalContext, cashier: str, pin: str) -> TerminalContext:
    """The context for ``cashier`` if the PIN is theirs; refused (:class:`PinRefused`,
    audited, counted towards the account's lock-out) otherwise."""
    from dataclasses import replace

    cashier = cashier.strip()
    try:
        who = check_staff_pin(ctx, cashier, pin, purpose="sign_in")
    except PinRefused:
        _audit_sign_in(ctx, cashier, "sign_in_refused")
        raise
    _audit_sign_in(ctx, who.id, "sign_in")
    return replace(ctx, cashier=CashierId(who.id))


def _audit_sign_in(ctx: TerminalContext, cashier: str, action: str) -> None:
    try:
        with ctx.db.write() as session:
            repo.audit(
                session,
                at=ctx.clock.now(),
                cashier=cashier or "?",
                action=action,
                detail={"terminal": ctx.terminal},
            )
    except StoreError as exc:
        raise StorageRefused(f"cannot record the sign-in: {exc}") from None


# --------------------------------------------------------------------------- settings, enrolment

#: What the settings dialog says of the terminal's enrolment with HQ.
ENROLLED, NOT_ENROLLED, REVOKED = "enrolled", "not_enrolled", "revoked"


@dataclass(frozen=True, slots=True)
class TerminalSettings:
    """The terminal's settings as the settings dialog shows them."""

    store_id: str
    terminal_id: str
    hq_url: str
    #: :data:`ENROLLED`, :data:`NOT_ENROLLED` or :data:`REVOKED` (from the sync state).
    enrolment: str
    #: The sync state's connection: online, offline, not_enrolled or revoked.
    connection: str
    last_error: str | None


def terminal_settings(ctx: TerminalContext) -> TerminalSettings:
    """Store and terminal ids, HQ address and enrolment state, read from the database."""
    try:
        state = read_state(ctx.db)
        with ctx.db.read() as session:
            url = repo.get_setting(session, HQ_URL_KEY) or ""
            store = repo.get_setting(session, "store") or ctx.store
            terminal = repo.get_setting(session, "terminal") or ctx.terminal
    except StoreError as exc:
        raise StorageRefused(f"cannot read the terminal settings: {exc}") from None
    enrolment = {"not_enrolled": NOT_ENROLLED, "revoked": REVOKED}.get(state.connection, ENROLLED)
    return TerminalSettings(store, terminal, url, enrolment, state.connection, state.last_error)


def verify_manager(ctx: TerminalContext, manager_id: str, pin: str) -> str:
    """The manager's id if ``pin`` is theirs and they are a manager; refused
    (:class:`PinRefused`, audited, counted towards the lock-out) otherwise."""
    who = check_staff_pin(ctx, manager_id, pin, purpose="manager", role="manager", by=ctx.cashier)
    return who.id


def enrol_terminal(
    ctx: TerminalContext,
    *,
    manager_id: str,
    manager_pin: str,
    hq_url: str,
    code: str,
    name: str = "",
    key_store: Literal["auto", "keyring", "file"] = "auto",
    timeout: float = 15.0,
) -> Enrolment:
    """Enrol this terminal with HQ, approved by a manager's PIN; audited.

    Raises :class:`CheckoutError` (wrong PIN, not a manager, empty code) or
    :class:`SyncError` (bad address, HQ unreachable, code unknown, used or expired); in
    both cases nothing stored changed."""
    manager = verify_manager(ctx, manager_id, manager_pin)
    url = hq_url.strip()
    if not code.strip():
        raise CheckoutError("type the one-time enrolment code from HQ")
    done = enroll(ctx.db, url, code.strip(), name=name, key_store=key_store, timeout=timeout)
    try:
        with ctx.db.write() as session:
            repo.audit(
                session,
                at=ctx.clock.now(),
                cashier=manager,
                action="terminal_enrolled",
                detail={"hq_url": url, "store": done.store_id, "terminal": done.terminal_id},
            )
    except StoreError:
        pass  # the enrolment itself is stored; a missing audit row must not undo it
    return done

"""What every terminal service is given: the database, rules, clock, zone and who is selling.

Also the small store-side facts the checkout, returns and adjustments share: the member as
the counter sees it (tier, balance replayed from the ledger), the HQ balance confirmation that
lifts the offline redemption cap, and receipt codes.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from posloyalty.clock import Clock
from posloyalty.domain import points as pts
from posloyalty.domain.ids import CashierId, MemberId, StoreId, TerminalId, TierId
from posloyalty.domain.money import Fen
from posloyalty.domain.monthday import MonthDay
from posloyalty.domain.points import Balance, LedgerEntry
from posloyalty.domain.pricing import MemberSnapshot
from posloyalty.domain.rules import RuleError, RuleSet, TierRules, parse_rules_text
from posloyalty.domain.tiers import Purchase, TierStart, TierStatus, tier_status
from posloyalty.sync import confirmations
from posloyalty.sync.client import load_hq_key
from posloyalty.terminal.errors import CheckoutError
from posloyalty.terminal.zone import DEFAULT_ZONE, ZONE_KEY, zone_named
from posloyalty.tilldb import repo
from posloyalty.tilldb.confirmation import CONFIRMED_PREFIX
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.ledger_cache import LedgerCache
from posloyalty.tilldb.models import Cashier
from posloyalty.tilldb.types import format_ts, parse_ts

#: A session of ``db.write()`` / ``db.read()``, or the DBAPI connection of
#: ``db.transaction()`` (the sale's hot path): the helpers below take either.
Conn = Session | sqlite3.Connection

#: Settings key lowering the rules' offline redemption allowance on this terminal.
ALLOWANCE_KEY = "offline_allowance_points"


@dataclass(frozen=True, slots=True)
class TerminalContext:
    db: Database
    rules: RuleSet
    clock: Clock
    zone: dt.tzinfo
    terminal: TerminalId
    store: StoreId
    cashier: CashierId
    ids: Uuid7
    #: Per member and local day; None: the terminal setting, else the rules' value.
    offline_allowance_points: int | None = None
    #: A balance HQ confirmed longer ago than this counts as unconfirmed (offline).
    confirmation_max_age: dt.timedelta = dt.timedelta(minutes=15)
    #: HQ's public key (balance confirmations); None: read from the credential when needed.
    hq_key: bytes | None = None
    #: Members' parsed ledgers, reused while unchanged (identification, then the sale).
    ledgers: LedgerCache = field(default_factory=LedgerCache, compare=False, repr=False)

    def now(self) -> dt.datetime:
        """Now, store-local (its date decides member days, birthdays and business days)."""
        return self.clock.now().astimezone(self.zone)

    def new_id(self) -> str:
        return self.ids.new()


def context_from_store(
    db: Database,
    cashier: str,
    *,
    rules: RuleSet | None = None,
    clock: Clock | None = None,
    ids: Uuid7 | None = None,
) -> TerminalContext:
    """A context from the terminal's settings (store, terminal, zone) and active rule document.

    Refused (:class:`CheckoutError`) for an unknown cashier, a terminal without store or
    terminal id, an unknown zone, or no rules given and none active in the store.
    """
    clock = clock or db.clock
    with db.read() as session:
        if session.get(Cashier, cashier) is None:
            raise CheckoutError(f"unknown cashier {cashier!r}")
        store = repo.get_setting(session, "store")
        terminal = repo.get_setting(session, "terminal")
        zone_name = repo.get_setting(session, ZONE_KEY) or DEFAULT_ZONE
        allowance = repo.get_setting(session, ALLOWANCE_KEY)
        if rules is None:
            doc = repo.active_rule_document(session)
            if doc is None:
                raise CheckoutError("no active rule document in the store; give rules or a preset")
            try:
                rules = parse_rules_text(doc.text)
            except RuleError as exc:
                raise CheckoutError(f"the active rule document is invalid: {exc}") from None
    if not store or not terminal:
        raise CheckoutError("the terminal has no store or terminal id; run `terminal init`")
    zone = zone_named(zone_name)
    return TerminalContext(
        db=db,
        rules=rules,
        clock=clock,
        zone=zone,
        terminal=TerminalId(terminal),
        store=StoreId(store),
        cashier=CashierId(cashier),
        ids=ids or Uuid7(clock),
        # The setting may lower the rules' allowance, never raise it (the file is editable).
        offline_allowance_points=min(int(allowance), rules.points.offline_allowance_points)
        if allowance and allowance.isdigit()
        else None,
    )


# --------------------------------------------------------------------------- members


@dataclass(frozen=True, slots=True)
class MemberState:
    """A member as the counter prices them, with the ledger replayed now."""

    member_id: MemberId
    display_name: str
    phone_masked: str
    #: The tier used for pricing (the lowest tier for an unconfirmed member).
    tier: TierId
    confirmed: bool
    may_redeem: bool
    balance: Balance
    snapshot: MemberSnapshot
    entries: tuple[LedgerEntry, ...]
    #: The member row exists in the local slice.
    stored: bool
    growth: int
    registered_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class _MemberRow:
    display_name: str
    phone_masked: str
    tier: str
    growth: int
    birthday: MonthDay | None
    registered_at: dt.datetime
    #: HQ's last stated tier standing (JSON), None before one arrived.
    tier_anchor: str | None = None
    hq_version: int = 0


def _member_row(session: Conn, member_id: str) -> _MemberRow | None:
    # Plain SQL: this runs in every checkout's write transaction, where the ORM's identity
    # map and flushes cost more than the SQLite work.
    row = (
        repo.raw_connection(session)
        .execute(
            "SELECT display_name, phone_masked, tier, growth, birthday, registered_at,"
            " tier_anchor, hq_version FROM members WHERE id = ?",
            (member_id,),
        )
        .fetchone()
    )
    if row is None:
        return None
    name, phone, tier, growth, birthday, registered, anchor, hq_version = row
    return _MemberRow(
        name,
        phone,
        tier,
        int(growth),
        MonthDay.parse(birthday) if birthday else None,
        parse_ts(registered),
        anchor,
        int(hq_version or 0),
    )


def load_member(
    session: Conn,
    ctx: TerminalContext,
    member_id: MemberId,
    *,
    confirmed: bool,
    may_redeem: bool,
    at: dt.datetime,
) -> MemberState:
    row = _member_row(session, member_id)
    if row is None and confirmed:
        raise CheckoutError(f"member {member_id} is not in this terminal's member directory")
    entries = ctx.ledgers.entries(session, member_id, ctx.zone) if row else ()
    balance = pts.balance(entries, at)
    tiers = ctx.rules.tiers
    tier = tiers.lowest.id
    if confirmed and row is not None:
        # The tier now: HQ's last standing with this till's own later sales and any review
        # that fell due since (not only the row's cached tier).
        tier = member_tier_status(session, ctx, member_id, at, row=row).tier
    growth = row.growth if row is not None else 0
    snapshot = MemberSnapshot(
        tier=tier,
        points=max(balance.available, 0) if may_redeem else 0,
        growth=max(growth, 0),
        birthday=row.birthday if row is not None and confirmed else None,
    )
    return MemberState(
        member_id=member_id,
        display_name=row.display_name if row else "",
        phone_masked=row.phone_masked if row else "",
        tier=tier,
        confirmed=confirmed,
        may_redeem=may_redeem,
        balance=balance,
        snapshot=snapshot,
        entries=entries,
        stored=row is not None,
        growth=growth,
        registered_at=row.registered_at if row is not None else None,
    )


def ensure_provisional_member(session: Conn, ctx: TerminalContext, member_id: str) -> None:
    """A placeholder row for a member HQ has not confirmed yet (the ledger needs one)."""
    repo.raw_connection(session).execute(
        "INSERT INTO members (id, phone_masked, phone_hash, display_name, tier, growth,"
        " cached_points, cached_pending, registered_at, hq_version, provisional)"
        " VALUES (?, '', '', '', ?, 0, 0, 0, ?, 0, 1) ON CONFLICT (id) DO NOTHING",
        (member_id, str(ctx.rules.tiers.lowest.id), format_ts(ctx.clock.now())),
    )


# --------------------------------------------------------------------------- HQ confirmation


def mark_balance_confirmed(session: Session, member_id: str, at: dt.datetime) -> None:
    """Record that the till applied HQ's state of this member at ``at`` (informational: the
    offline cap reads only HQ-signed confirmations, :func:`balance_confirmed_at`)."""
    repo.set_setting(session, CONFIRMED_PREFIX + member_id, format_ts(at))


def balance_confirmed_at(
    session: Conn, member_id: str, ctx: TerminalContext | None = None
) -> dt.datetime | None:
    """When HQ last confirmed the member's balance by a signature that verifies with HQ's key
    (kept with the terminal credential) for this terminal; None otherwise. Without ``ctx``:
    the terminal and key from the database's settings and credential."""
    raw = repo.raw_connection(session)
    if ctx is not None:
        terminal: str | None = ctx.terminal
        db = ctx.db
    else:
        terminal = repo.setting(raw, "terminal")
        db = None
    if not terminal:
        return None
    key = ctx.hq_key if ctx is not None else None
    if key is None and db is not None:
        key = load_hq_key(db)
    return confirmations.confirmed_at(raw, member_id, key, terminal)


def day_bounds(day: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The local business day ``day`` as a half-open UTC interval."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class OfflineAllowance:
    """The offline redemption cap for one member today; ``left`` None: not capped (online)."""

    limit: int
    used_today: int
    left: int | None
    confirmed_at: dt.datetime | None


def offline_allowance(
    session: Conn, ctx: TerminalContext, member_id: str, at: dt.datetime
) -> OfflineAllowance:
    limit = (
        ctx.offline_allowance_points
        if ctx.offline_allowance_points is not None
        else ctx.rules.points.offline_allowance_points
    )
    confirmed = balance_confirmed_at(session, member_id, ctx)
    if confirmed is not None and confirmed > at:
        confirmed = None  # from this till's future (its clock is behind HQ's): proves nothing
    if confirmed is not None and dt.timedelta(0) <= at - confirmed <= ctx.confirmation_max_age:
        return OfflineAllowance(limit, 0, None, confirmed)
    start, _ = day_bounds(at.astimezone(ctx.zone).date(), ctx.zone)
    since = max(start, confirmed) if confirmed is not None else start
    used = -int(
        repo.raw_connection(session)
        .execute(
            "SELECT coalesce(sum(points), 0) FROM ledger_entries"
            " WHERE member = ? AND kind = 'redeem' AND at >= ?",
            (member_id, format_ts(since)),
        )
        .fetchone()[0]
    )
    return OfflineAllowance(limit, used, max(limit - used, 0), confirmed)


def check_offline_allowance(
    session: Conn, ctx: TerminalContext, member_id: str, wanted: int, at: dt.datetime
) -> None:
    """Refuse a redemption beyond today's offline allowance, saying why and what is left."""
    if wanted <= 0:
        return
    allowance = offline_allowance(session, ctx, member_id, at)
    if allowance.left is None or wanted <= allowance.left:
        return
    why = (
        "has never been confirmed with HQ"
        if allowance.confirmed_at is None
        else "has not been confirmed with HQ since "
        + allowance.confirmed_at.astimezone(ctx.zone).strftime("%Y-%m-%d %H:%M")
    )
    raise CheckoutError(
        f"offline redemption limit: the balance of member {member_id} {why}, so at most "
        f"{allowance.limit} points a day may be redeemed; {allowance.used_today} already "
        f"redeemed today, {allowance.left} still allowed (asked for {wanted})"
    )


# --------------------------------------------------------------------------- receipt codes


def next_receipt_code(session: Conn, ctx: TerminalContext, at: dt.datetime) -> str:
    """``STORE-TERMINAL-YYYYMMDD-NNNN``: the terminal's running number for the local day.

    Call inside the write transaction (BEGIN IMMEDIATE), so two sales never draw one number.
    The number follows the highest one of the day, found through the unique index on the
    code (a few index steps, however many sales the day already has).
    """
    day = at.astimezone(ctx.zone).date()
    prefix = f"{ctx.store}-{ctx.terminal}-{day:%Y%m%d}-"
    raw = repo.raw_connection(session)
    last = 0
    width = 4
    while True:
        # Codes of one width sort like their numbers; walk down from the highest of that width.
        row = raw.execute(
            "SELECT receipt_code FROM sales WHERE receipt_code BETWEEN ? AND ?"
            " AND length(receipt_code) = ? ORDER BY receipt_code DESC LIMIT 1",
            (prefix + "0" * width, prefix + "9" * width, len(prefix) + width),
        ).fetchone()
        if row is None or not row[0][len(prefix) :].isdigit():
            break
        last = int(row[0][len(prefix) :])
        if last < 10**width - 1:
            break
        width += 1
    n = last
    while True:
        n += 1
        code = f"{prefix}{n:04d}"
        taken = raw.execute(
            "SELECT EXISTS (SELECT 1 FROM sales WHERE receipt_code = ?)", (code,)
        ).fetchone()[0]
        if not taken:
            return code


# --------------------------------------------------------------------------- tiers


@dataclass(frozen=True, slots=True)
class TierProgress:
    tier: TierId
    tier_name: str
    #: The tier changed with this operation (an upgrade).
    changed: bool
    growth: int
    next_tier: TierId | None
    needed_spend: Fen
    needed_count: int
    needed_growth: int
    valid_until: dt.datetime | None
    #: Credit not final yet (the rules' ``credit_after_days``) and when the next becomes final.
    pending_spend: Fen = Fen(0)
    next_credit_at: dt.datetime | None = None


_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _history(
    session: Conn, member_id: str, baseline_growth: int, *, anchored: bool = False
) -> list[Purchase]:
    """The member's sales at this till as tier history (sale ids link returns to sales).

    Unless ``anchored`` (HQ's standing carries the growth), growth HQ reported beyond the
    local sales' is added as already-final growth before the first sale."""
    # Only a return's quote is opened (for "full"): a sale's quote JSON is kilobytes.
    rows = repo.raw_connection(session).execute(
        "SELECT s.at, s.total_fen, s.original_sale_id,"
        " CASE WHEN s.original_sale_id IS NULL THEN NULL"
        " ELSE json_extract(s.quote, '$.full') END,"
        " (SELECT coalesce(sum(growth), 0) FROM sale_lines WHERE sale = s.id), s.id"
        " FROM sales s WHERE s.member = ? AND s.status = 'committed'",
        (member_id,),
    )
    history: list[Purchase] = []
    local_growth = 0
    first: dt.datetime | None = None
    for at_text, total, original, full, growth, sale_id in rows:
        at = parse_ts(at_text)
        first = at if first is None or at < first else first
        count = (-1 if full else 0) if original is not None else 1
        history.append(
            Purchase(at, Fen(int(total)), int(growth), count, str(sale_id), original or "")
        )
        local_growth += int(growth)
    # Growth HQ knows of but this terminal has no sales for (bought elsewhere).
    extra = baseline_growth - local_growth
    if extra > 0 and not anchored:
        start = (first or _EPOCH) - dt.timedelta(seconds=1)
        history.append(Purchase(start, Fen(0), extra, 0, final=True))
    return history


def _ts(value: object) -> dt.datetime | None:
    return parse_ts(value) if isinstance(value, str) and value else None


def tier_start(row: _MemberRow, rules: TierRules) -> TierStart | None:
    """What the till replays its own sales on: HQ's last stated standing; for a member HQ
    confirmed before standings were sent, its tier as a floor (never reviewed here); None for
    a member only this till knows (its own history is all there is)."""
    if row.tier_anchor:
        try:
            data = json.loads(row.tier_anchor)
            return TierStart(
                tier=TierId(str(data["tier"])),
                at=_ts(data.get("as_of")) or _EPOCH,
                since=_ts(data.get("since")),
                spend=Fen(int(data.get("spend", 0))),
                count=int(data.get("count", 0)),
                growth=int(data.get("growth", 0)),
                valid_until=_ts(data.get("valid_until")),
            )
        except (ValueError, KeyError, TypeError):
            pass  # a damaged anchor: fall back to the tier as a floor
    if row.hq_version > 0 and row.tier in rules.ids():
        return TierStart(tier=TierId(row.tier), at=_EPOCH)
    return None


def member_tier_status(
    session: Conn,
    ctx: TerminalContext,
    member_id: str,
    at: dt.datetime,
    *,
    row: _MemberRow | None = None,
    growth: int | None = None,
) -> TierStatus:
    """The member's tier at ``at`` as this till can know it (``domain.tiers.tier_status``):
    HQ's standing, this till's sales credited when the rules say (``credit_after_days``),
    reviews run when a validity period ends. HQ's next answer replaces the standing."""
    row = row if row is not None else _member_row(session, member_id)
    rules = ctx.rules.tiers
    if row is None:
        return tier_status(rules, [], at, growth_per_yuan=ctx.rules.growth.per_yuan)
    start = tier_start(row, rules)
    anchored = start is not None and bool(row.tier_anchor)
    history = _history(
        session, member_id, row.growth if growth is None else growth, anchored=anchored
    )
    if start is not None and not anchored and rules.family == "growth":
        start = None  # the baseline growth in the history carries HQ's growth
        if row.tier in rules.ids():
            # Keep HQ's tier as a floor.
            floor = rules.level(row.tier)
            status = tier_status(rules, history, at, growth_per_yuan=ctx.rules.growth.per_yuan)
            if rules.level(status.tier).rank < floor.rank:
                return replace(status, tier=floor.id, next_tier=None)
            return status
    return tier_status(rules, history, at, growth_per_yuan=ctx.rules.growth.per_yuan, start=start)


def apply_growth(
    session: Conn,
    ctx: TerminalContext,
    member_id: str,
    growth: int,
    at: dt.datetime,
    *,
    member: MemberState | None = None,
) -> TierProgress | None:
    """Add ``growth`` to the member's cached growth and store the tier the history now gives.

    Call after the sale (or return) is recorded: it is part of the history. The tier follows
    :func:`member_tier_status` (HQ's standing, this till's sales once credited, reviews due);
    ``changed`` says whether this operation raised it. ``member``: the confirmed member as
    :func:`load_member` read them earlier in this same transaction (saves nothing but the
    check that the row exists).
    """
    tiers = ctx.rules.tiers
    if (
        member is not None
        and member.member_id == member_id
        and member.confirmed
        and not member.stored
    ):
        return None
    row = _member_row(session, member_id)
    if row is None:
        return None
    old_tier = member.tier if member is not None and member.member_id == member_id else row.tier
    new_growth = row.growth + growth
    status = member_tier_status(session, ctx, member_id, at, row=row, growth=new_growth)
    current = tiers.level(old_tier) if old_tier in tiers.ids() else tiers.lowest
    level = tiers.level(status.tier)
    changed = level.rank > current.rank
    next_tier = status.next_tier
    if next_tier is not None and tiers.level(next_tier).rank <= level.rank:
        next_tier = None
    repo.raw_connection(session).execute(
        "UPDATE members SET growth = ?, tier = ? WHERE id = ?",
        (new_growth, str(level.id), member_id),
    )
    return TierProgress(
        tier=level.id,
        tier_name=level.name,
        changed=changed,
        growth=new_growth,
        next_tier=next_tier,
        needed_spend=status.needed_spend if next_tier else Fen(0),
        needed_count=status.needed_count if next_tier else 0,
        needed_growth=status.needed_growth if next_tier else 0,
        valid_until=status.valid_until,
        pending_spend=status.pending_spend,
        next_credit_at=status.next_credit_at,
    )

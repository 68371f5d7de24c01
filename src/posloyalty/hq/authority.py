"""What HQ credits of a push: every ledger entry needs an authority HQ can check.

A till is trusted with nothing it could invent. Before a batch's entries are credited, each one
is checked here; one that fails is **quarantined**: stored as pushed (the evidence), cancelled
by an HQ entry of its own (:func:`compensations`: the same points the other way, so HQ's balance
is the sum of its ledger and the pushing till's view is corrected by its next pull), and
recorded as a conflict with the reason. A sale always stands (the money was taken); only what
it claims is held back.

The checks, in order (the first that fails is the reason):

- ``unknown_member``: the member id resolves to no member.
- ``bad_sign``: earn and bonus add points, redeem and expire take them.
- ``beyond_bounds``: more than :data:`MAX_ENTRY_POINTS` either way in one entry.
- ``member_not_present``: the member was never at the pushing store (not its home store, not
  linked to it by a proof of presence: a phone code HQ verified, :func:`prove_by_codes`; not
  registered there new). Naming a member, or typing their phone, does not make them present.
- ``no_sale``: an earn or redeem entry names no sale this till pushed for this member; a
  refund of points (a positive reverse) names no sale of the member.
- ``not_derived``: a sale's earn entries come to more than HQ's own pricing of the sale's
  basket gives (:func:`derive_sale`: the rule revision the till quoted with, HQ's catalogue
  prices, the member's tier and birthday at HQ); for a sale pushed without its basket (a
  return, an older till), more than any basket paying its total earns under any published
  revision (:mod:`posloyalty.domain.verification`); or refunds come to more than the sale
  redeemed.
- ``welcome_repeated`` / ``welcome_too_large``: welcome points go once per member, at most the
  rules' welcome amount.
- ``over_budget``: manual adjustments adding points beyond the store's daily budget
  (:data:`ADJUST_BUDGET_SETTING`, per store and UTC day).
- ``no_authority``: any other bonus; HQ grants those itself.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from posloyalty.domain import codes, tiers
from posloyalty.domain.basket_codec import BasketError, basket_from_json
from posloyalty.domain.monthday import MonthDay
from posloyalty.domain.pricing import QuoteError, quote
from posloyalty.domain.rollout import Publication, accepted
from posloyalty.domain.rules import RuleSet
from posloyalty.domain.verification import max_growth, max_points
from posloyalty.hq.bulk import one_of
from posloyalty.hq.enrolment import Caller
from posloyalty.hq.ledger import parse_published, purchases_for
from posloyalty.hq.members import link_store
from posloyalty.hq.models import (
    CodeUse,
    Conflict,
    LedgerEntry,
    Member,
    MemberStore,
    Product,
    RuleDocument,
    Sale,
    Setting,
    Store,
)
from posloyalty.hq.pii import pii_of
from posloyalty.hq.rollout import publications
from posloyalty.sync.protocol import SalePayload

__all__ = [
    "ADJUST_BUDGET_SETTING",
    "DEFAULT_ADJUST_BUDGET",
    "MAX_ENTRY_POINTS",
    "Catalogue",
    "Derived",
    "Quarantine",
    "RuleBook",
    "check_entries",
    "check_growth",
    "compensations",
    "derive_sale",
    "preload_members",
    "present_members",
    "prove_by_codes",
    "rule_book",
    "rule_revisions",
]

#: Points one pushed entry may move either way (100,000 points are 1,000 yuan at 1 fen each).
MAX_ENTRY_POINTS = 100_000
#: Setting holding the points manual adjustments may add per store and day (``adjust_budget``
#: for every store, ``adjust_budget:<store>`` for one).
ADJUST_BUDGET_SETTING = "adjust_budget"
DEFAULT_ADJUST_BUDGET = 5_000

_QUARANTINE_NS = uuid.UUID("0b4c9f7e-5d1a-4e0f-8a6b-3c2d1e0f9a8b")
_SIGN = {"earn": 1, "bonus": 1, "redeem": -1, "expire": -1}


@dataclass(frozen=True, slots=True)
class Quarantine:
    """A pushed entry HQ does not credit, and why."""

    entry_id: str
    reason: str
    words: str


@dataclass(frozen=True, slots=True)
class RuleBook:
    """Every published rule revision, the one in force chain-wide and the publications (which
    revisions a store's sales may carry: :meth:`accepted`), read
    for a push in one query each (each text parsed once per process:
    :func:`posloyalty.hq.ledger.parse_published`)."""

    by_ref: dict[tuple[str, int], RuleSet]
    active: RuleSet | None
    publications: list[Publication] = field(default_factory=list)
    #: Store regions looked up so far (a store at a time, as sales name them).
    regions: dict[str, str | None] = field(default_factory=dict)

    @property
    def revisions(self) -> list[RuleSet]:
        return list(self.by_ref.values())

    def accepted(
        self, session: Session, store_id: str, at: dt.datetime
    ) -> frozenset[tuple[str, int]]:
        """The revisions a sale at ``store_id`` at ``at`` may carry
        (:func:`posloyalty.domain.rollout.accepted`; the store's region as HQ has it now)."""
        if store_id not in self.regions:
            self.regions[store_id] = session.scalar(
                select(Store.region).where(Store.id == store_id)
            )
        return accepted(self.publications, store_id, self.regions[store_id], at)


def rule_book(session: Session) -> RuleBook:
    """The published rules as a :class:`RuleBook`."""
    by_ref: dict[tuple[str, int], RuleSet] = {}
    active = None
    for doc_id, revision, is_active, text in session.execute(
        select(RuleDocument.id, RuleDocument.revision, RuleDocument.active, RuleDocument.text)
    ):
        rules = by_ref[(doc_id, int(revision))] = parse_published(text)
        if is_active:
            active = rules
    return RuleBook(by_ref, active, publications(session))


def rule_revisions(session: Session) -> list[RuleSet]:
    """Every published rule revision (parsed once each): a till may quote with any it pulled."""
    return rule_book(session).revisions


def preload_members(session: Session, member_ids: Iterable[str]) -> None:
    """Load these members into the session in one query (later ``session.get`` calls for them,
    per code or basket, then need no round trip)."""
    ids = set(member_ids)
    if ids:
        session.scalars(select(Member).where(one_of(session, Member.id, ids))).all()


class Catalogue:
    """HQ's catalogue rows for the SKUs of a batch's baskets, read in one query; a SKU not
    seen up front (a basket HQ could not read ahead) is looked up when asked for."""

    def __init__(self, session: Session, sales: Iterable[SalePayload]) -> None:
        self._session = session
        self._rows: dict[str, Product | None] = {}
        skus: set[str] = set()
        for sale in sales:
            lines = sale.basket.get("lines") if isinstance(sale.basket, dict) else None
            for ln in lines if isinstance(lines, list) else []:
                if isinstance(ln, dict) and isinstance(ln.get("sku"), str):
                    skus.add(ln["sku"])
        self._load(skus)

    def _load(self, skus: set[str]) -> None:
        wanted = skus - set(self._rows)
        if not wanted:
            return
        self._rows |= dict.fromkeys(wanted)
        for p in self._session.scalars(
            select(Product).where(one_of(self._session, Product.sku, wanted))
        ):
            self._rows[p.sku] = p

    def products(self, skus: set[str]) -> dict[str, Product]:
        """The catalogue rows among ``skus`` (unknown SKUs left out)."""
        self._load(skus)
        return {sku: p for sku in skus if (p := self._rows.get(sku)) is not None}


def present_members(session: Session, store_id: str, member_ids: Iterable[str]) -> set[str]:
    """The members among ``member_ids`` who have been at ``store_id`` (home or linked)."""
    ids = set(member_ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            select(MemberStore.member_id).where(
                MemberStore.store_id == store_id, one_of(session, MemberStore.member_id, ids)
            )
        )
    )


def prove_by_codes(
    session: Session,
    caller: Caller,
    claims: Iterable[tuple[str, str, dt.datetime, str]],
    members: Mapping[str, str],
    *,
    present: set[str],
    recent_days: int,
    at: dt.datetime,
) -> tuple[set[str], dict[str, Conflict]]:
    """Members shown to be at the pushing store by the phone code scanned for a sale, and the
    codes used before (by sale id).

    ``claims``: (member ref, scanned code, sale time, sale id). A code proves presence when it
    is the member's own (HQ holds the secret that signs it) and was valid at the sale's time;
    a member not ``present`` yet then joins the store's slice
    (:func:`posloyalty.hq.members.link_store`). A code that does not verify proves nothing and
    is not an error: the sale stands unlinked. Every verified code is recorded per member and
    time step (:class:`CodeUse`): the same code for another sale (at a second till, or a
    replay) is a ``code_reused`` conflict.
    """
    proven: set[str] = set()
    uses: list[tuple[str, int, str, dt.datetime]] = []
    for ref, code, when, sale_id in claims:
        member_id = members.get(ref)
        if member_id is None:
            continue
        member = session.get(Member, member_id)
        if member is None:
            continue
        result = codes.verify_dynamic(code, pii_of(session, member).secret, int(when.timestamp()))
        if not result.ok or members.get(str(result.member_id)) != member_id:
            continue
        if result.counter is not None:
            uses.append((member_id, result.counter, sale_id, when))
        if member_id not in present and member_id not in proven:
            link_store(session, member_id, caller.store_id, when, recent_days=recent_days)
            proven.add(member_id)
    return proven, _code_reuse(session, caller, uses, at)


def _code_reuse(
    session: Session,
    caller: Caller,
    uses: list[tuple[str, int, str, dt.datetime]],
    at: dt.datetime,
) -> dict[str, Conflict]:
    """Record first uses of codes; a conflict by sale id for each code used before."""
    if not uses:
        return {}
    first: dict[tuple[str, int], tuple[str, str]] = {
        (m, int(c)): (t, s)
        for m, c, t, s in session.execute(
            select(CodeUse.member_id, CodeUse.counter, CodeUse.terminal_id, CodeUse.sale_id).where(
                one_of(session, CodeUse.member_id, {u[0] for u in uses}),
                CodeUse.counter.in_(sorted({u[1] for u in uses})),
            )
        )
    }
    found: dict[str, Conflict] = {}
    for member_id, counter, sale_id, when in uses:
        before = first.get((member_id, counter))
        if before is None:
            first[(member_id, counter)] = (caller.terminal_id, sale_id)
            session.add(
                CodeUse(
                    member_id=member_id,
                    counter=counter,
                    terminal_id=caller.terminal_id,
                    sale_id=sale_id,
                    at=when,
                )
            )
            continue
        if before[1] == sale_id:
            continue  # the same sale again (a replayed push)
        conflict = Conflict(
            kind="code_reused",
            store_id=caller.store_id,
            terminal_id=caller.terminal_id,
            item_kind="sale",
            item_id=sale_id,
            member_id=member_id,
            detail={
                "counter": counter,
                "first_terminal": before[0],
                "first_sale": before[1],
                "problem": f"member {member_id}'s code of time step {counter} was used for "
                f"sale {before[1]} at till {before[0]} already",
            },
            at=at,
        )
        session.add(conflict)
        found[sale_id] = conflict
    session.flush()
    return found


@dataclass(frozen=True, slots=True)
class Derived:
    """What HQ's own pricing of a sale's basket gives (``problem``: why it could not)."""

    points: int = 0
    growth: int = 0
    problem: str = ""


def _tier_rank(
    session: Session,
    rules: RuleSet,
    member: Member,
    earlier: list[tiers.Purchase],
    at: dt.datetime,
    *,
    pending: Collection[str] = (),
) -> int:
    """The highest tier the member can hold at ``at`` by HQ's knowledge: what HQ's jobs last
    computed, or what HQ's sales (and this batch's earlier ones) give at that instant (a till
    may upgrade a member from sales HQ has not yet recomputed)."""
    ids = list(rules.tiers.ids())
    held = (member.state or {}).get("tier")
    rank = ids.index(held) if held in ids else 0
    purchases = sorted(
        [
            *(
                p
                for p in purchases_for(session, member.id, rules.growth.per_yuan)
                if p.ref not in pending  # this batch's sales: they count as ``earlier``
            ),
            *earlier,
        ],
        key=lambda p: p.at,
    )
    status = tiers.tier_status(rules.tiers, purchases, at, growth_per_yuan=rules.growth.per_yuan)
    return max(rank, ids.index(status.tier) if status.tier in ids else 0)


def derive_sale(
    session: Session,
    payload: SalePayload,
    member_id: str | None,
    earlier: list[tiers.Purchase] | None = None,
    *,
    book: RuleBook | None = None,
    catalogue: Catalogue | None = None,
    pending: Collection[str] = (),
) -> Derived:
    """Price the sale's basket again with the rule revision the till quoted with.

    HQ's facts replace the till's where HQ has them: the member's birthday, and prices of
    products in HQ's catalogue must match; the tier the till priced with may not be above the
    member's tier at HQ. The total must come out as the till recorded it. ``book`` and
    ``catalogue``: the batch's rules and catalogue rows, read once (read here when not given);
    ``pending``: ids of the batch's sales, which may be stored already and are left out of the
    member's history (the batch's earlier ones come as ``earlier``).
    """
    assert payload.basket is not None and payload.rules is not None
    book = book or rule_book(session)
    ref = (payload.rules.id, payload.rules.revision)
    rules = book.by_ref.get(ref)
    if rules is None:
        return Derived(problem=f"rules {payload.rules.id}@{payload.rules.revision} unknown at HQ")
    if ref not in book.accepted(session, payload.store_id, payload.at):
        return Derived(
            problem=f"rules {payload.rules.id}@{payload.rules.revision} were not published to "
            f"store {payload.store_id} by the sale's time"
        )
    try:
        basket = basket_from_json(payload.basket, rules)
    except BasketError as exc:
        return Derived(problem=f"the basket does not read: {exc}")
    if basket.at != payload.at:
        return Derived(problem="the basket's time is not the sale's")
    if basket.member is not None:
        if member_id is None:
            return Derived(problem="a member's basket on a sale without a member")
        member = session.get(Member, member_id)
        if member is None:
            return Derived(problem=f"member {member_id} is not known at HQ")
        ids = list(rules.tiers.ids())
        claimed = ids.index(basket.member.tier) if basket.member.tier in ids else len(ids)
        if claimed > 0:
            most = _tier_rank(session, rules, member, earlier or [], payload.at, pending=pending)
            if claimed > most:
                return Derived(
                    problem=f"priced at tier {basket.member.tier}, above the member's "
                    f"{ids[most]} at HQ"
                )
        birthday = pii_of(session, member).birthday
        basket = replace(
            basket,
            member=replace(
                basket.member, birthday=None if birthday is None else MonthDay.of(birthday)
            ),
        )
    catalogue = catalogue or Catalogue(session, [])
    products = catalogue.products({ln.sku for ln in basket.lines})
    for ln in basket.lines:
        p = products.get(ln.sku)
        if p is not None and (
            ln.unit_price != p.price_fen
            or ln.member_price != p.member_price_fen
            or ln.special_price != p.special_price
        ):
            return Derived(
                problem=f"line {ln.sku}: priced {ln.unit_price} fen, HQ's catalogue says "
                f"{p.price_fen}"
            )
    try:
        q = quote(rules, basket)
    except QuoteError as exc:
        return Derived(problem=f"the basket does not price: {exc}")
    if q.total != payload.total_fen:
        return Derived(
            problem=f"the basket comes to {q.total} fen, the sale says {payload.total_fen}"
        )
    return Derived(points=q.points_earned, growth=q.growth_earned)


def check_growth(revisions: list[RuleSet], total_fen: int, growth: int) -> str:
    """Why a sale's claimed growth cannot be credited ("" when it can)."""
    if growth < 0 < total_fen or growth > max(max_growth(revisions, total_fen), 0):
        return (
            f"growth {growth} is more than a sale of {total_fen} fen earns under any "
            "published rules"
        )
    return ""


def _budget(session: Session, store_id: str) -> int:
    for key in (f"{ADJUST_BUDGET_SETTING}:{store_id}", ADJUST_BUDGET_SETTING):
        row = session.get(Setting, key)
        if row is not None:
            return int(row.value)
    return DEFAULT_ADJUST_BUDGET


class _Facts:
    """What the checks need from HQ's tables for one batch, loaded with a few queries."""

    def __init__(
        self,
        session: Session,
        caller: Caller,
        entries: list[dict[str, Any]],
        batch_sales: list[dict[str, Any]],
        members: Mapping[str, str],
    ) -> None:
        sale_ids = {e["sale_id"] for e in entries if e["sale_id"]}
        self.sales: dict[str, tuple[str | None, int, str]] = {
            s["id"]: (s["member_ref"], s["total_fen"], caller.terminal_id) for s in batch_sales
        }
        stored = sale_ids - set(self.sales)
        if stored:
            for sale_id, ref, total, terminal in session.execute(
                select(Sale.id, Sale.member_ref, Sale.total_fen, Sale.terminal_id).where(
                    one_of(session, Sale.id, stored)
                )
            ):
                self.sales[sale_id] = (ref, total, terminal)
        # This batch's own entries may be in the table already (``hq.ingest`` inserts them
        # before the writer lock): what is held before the batch is everything else.
        own = {e["id"] for e in entries}
        self.prior: dict[str, list[tuple[str, int]]] = defaultdict(list)
        if sale_ids:
            for entry_id, of_sale, kind, points in session.execute(
                select(
                    LedgerEntry.id, LedgerEntry.sale_id, LedgerEntry.kind, LedgerEntry.points
                ).where(one_of(session, LedgerEntry.sale_id, sale_ids))
            ):
                if of_sale is not None and entry_id not in own:
                    self.prior[of_sale].append((kind, points))
        welcomed = {
            members[e["member_ref"]]
            for e in entries
            if e["kind"] == "bonus" and e["member_ref"] in members
        }
        self.welcomed: set[str] = set()
        if welcomed:
            refs = {ref for ref, m in members.items() if m in welcomed}
            self.welcomed = {
                members[ref]
                for entry_id, ref in session.execute(
                    select(LedgerEntry.id, LedgerEntry.member_ref).where(
                        LedgerEntry.kind == "bonus",
                        LedgerEntry.reason == "welcome",
                        one_of(session, LedgerEntry.member_ref, refs),
                    )
                )
                if entry_id not in own
            }
        self.adjusted: dict[dt.date, int] = defaultdict(int)
        days = {e["at"].date() for e in entries if e["kind"] == "adjust" and e["points"] > 0}
        for day in days:
            start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
            self.adjusted[day] = int(
                session.scalar(
                    select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
                        LedgerEntry.store_id == caller.store_id,
                        LedgerEntry.kind == "adjust",
                        LedgerEntry.points > 0,
                        LedgerEntry.at >= start,
                        LedgerEntry.at < start + dt.timedelta(days=1),
                        ~one_of(session, LedgerEntry.id, own),
                    )
                )
                or 0
            )


def check_entries(  # noqa: PLR0917 (one batch's facts)
    session: Session,
    caller: Caller,
    entries: list[dict[str, Any]],
    batch_sales: list[dict[str, Any]],
    members: Mapping[str, str],
    present: set[str],
    derived: Mapping[str, Derived] | None = None,
    *,
    book: RuleBook | None = None,
) -> dict[str, Quarantine]:
    """The entries of a batch that must not be credited, by entry id (see the module).
    ``derived``: HQ's pricing of this batch's sales that carry their basket (by sale id);
    ``book``: the published rules (read here when not given)."""
    derived = derived or {}
    facts = _Facts(session, caller, entries, batch_sales, members)
    book = book or rule_book(session)
    revisions, rules = book.revisions, book.active
    most_for: dict[int, int] = {}  # max_points by sale total: the same for every equal total
    # Read only when a batch adjusts points (most carry sales and their entries only).
    budget = (
        _budget(session, caller.store_id)
        if any(e["kind"] == "adjust" and e["points"] > 0 for e in entries)
        else DEFAULT_ADJUST_BUDGET
    )
    tally = _Tally()
    for sale_id, rows in facts.prior.items():
        for kind, pts in rows:
            tally.add(sale_id, kind, pts)
    earned, refunded, redeemed = tally.earned, tally.refunded, tally.redeemed
    out: dict[str, Quarantine] = {}

    def hold(e: dict[str, Any], reason: str, words: str) -> None:
        out[e["id"]] = Quarantine(e["id"], reason, words[:240])

    for e in entries:
        kind, pts, member = e["kind"], int(e["points"]), members.get(e["member_ref"])
        sale_id = e["sale_id"]
        if member is None:
            hold(e, "unknown_member", f"member {e['member_ref']} is not known at HQ")
            continue
        if _SIGN.get(kind, 0) * pts < 0 or (kind in ("earn", "bonus", "adjust") and pts == 0):
            hold(e, "bad_sign", f"a {kind} entry of {pts} points")
            continue
        if abs(pts) > MAX_ENTRY_POINTS:
            hold(e, "beyond_bounds", f"{pts} points in one entry (at most {MAX_ENTRY_POINTS})")
            continue
        if member not in present:
            hold(e, "member_not_present", f"member {member} was never at store {caller.store_id}")
            continue
        sale = facts.sales.get(sale_id) if sale_id else None
        sale_member = members.get(sale[0] or "") if sale is not None else None
        if kind in ("earn", "redeem") and (
            sale is None or sale[2] != caller.terminal_id or sale_member != member
        ):
            hold(e, "no_sale", f"{kind} names no sale of member {member} by this till")
            continue
        if kind == "reverse" and pts > 0 and (sale is None or sale_member != member):
            hold(e, "no_sale", f"a refund of {pts} points names no sale of member {member}")
            continue
        if kind == "earn" and sale is not None:
            priced = derived.get(sale_id)
            if priced is not None:
                if earned[sale_id] + pts > priced.points:
                    why = priced.problem or f"HQ's pricing of its basket gives {priced.points}"
                    hold(
                        e, "not_derived", f"sale {sale_id}: {why}; {earned[sale_id] + pts} claimed"
                    )
                    continue
            else:
                most = most_for.get(sale[1])
                if most is None:
                    most = most_for[sale[1]] = max_points(revisions, sale[1])
                if earned[sale_id] + pts > most:
                    hold(
                        e,
                        "not_derived",
                        f"sale {sale_id} ({sale[1]} fen) earns at most {most} points under the "
                        f"published rules; {earned[sale_id] + pts} claimed",
                    )
                    continue
        if kind == "reverse" and pts > 0 and refunded[sale_id] + pts > redeemed[sale_id]:
            hold(
                e,
                "not_derived",
                f"refund of {pts} points for sale {sale_id}, which redeemed {redeemed[sale_id]}",
            )
            continue
        if kind == "bonus":
            welcome_most = rules.welcome.points if rules is not None else 0
            if e["reason"] != "welcome":
                hold(e, "no_authority", "bonus points are granted by HQ, not by a till")
                continue
            if member in facts.welcomed:
                hold(e, "welcome_repeated", f"member {member} already had welcome points")
                continue
            if pts > welcome_most:
                hold(e, "welcome_too_large", f"{pts} welcome points; the rules give {welcome_most}")
                continue
            facts.welcomed.add(member)
        if kind == "adjust" and pts > 0:
            day = e["at"].date()
            if facts.adjusted[day] + pts > budget:
                hold(
                    e,
                    "over_budget",
                    f"store {caller.store_id} adjustments on {day} would add "
                    f"{facts.adjusted[day] + pts} points (budget {budget})",
                )
                continue
            facts.adjusted[day] += pts
        if sale_id:
            tally.add(sale_id, kind, pts)
    return out


class _Tally:
    """Per sale: net points earned (earn less negative reverses), redeemed, refunded."""

    def __init__(self) -> None:
        self.earned: dict[str, int] = defaultdict(int)
        self.redeemed: dict[str, int] = defaultdict(int)
        self.refunded: dict[str, int] = defaultdict(int)

    def add(self, sale_id: str, kind: str, pts: int) -> None:
        if kind == "earn" or (kind == "reverse" and pts < 0):
            self.earned[sale_id] += pts
        elif kind == "reverse":
            self.refunded[sale_id] += pts
        elif kind == "redeem":
            self.redeemed[sale_id] -= pts


def compensations(
    entries: list[dict[str, Any]], held: Mapping[str, Quarantine], at: dt.datetime
) -> list[dict[str, Any]]:
    """HQ's own entries cancelling each quarantined one (ids derived: a replay adds none).

    Points added are taken back from their own lot at the entry's time, so they never
    existed; points taken are given back as a lot of their own."""
    out = []
    for e in entries:
        q = held.get(e["id"])
        pts = int(e["points"])
        if q is None or pts == 0:
            continue
        new_id = str(uuid.uuid5(_QUARANTINE_NS, e["id"]))
        out.append(
            {
                "id": new_id,
                "member_ref": e["member_ref"],
                "kind": "reverse",
                "points": -pts,
                "lot": e["lot"] if pts > 0 else f"q-{new_id}",
                "at": e["at"],
                "available_at": e["at"],
                "expires_at": None,
                "renews_until": None,
                "sale_id": e["sale_id"],
                "reason": f"quarantined: {q.reason}",
                "store_id": None,
                "terminal_id": None,
                "received_at": at,
            }
        )
    return out

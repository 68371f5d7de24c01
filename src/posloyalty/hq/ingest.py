"""Push ingest: idempotent, per-item outcomes, and a sale is never refused for business reasons.

Each item is keyed by (kind, client id) in ``pushed_items`` for ever. A replay with the same
payload (compared by SHA-256 of its canonical JSON) is a ``duplicate`` and changes nothing; the
same key with another payload is a ``conflict``: refused and recorded for the back office.
Redemptions are posted even when they overdraw the member (offline terminals cannot know), and
the overdraft is recorded as a conflict. Such business conflicts (overdraft, unknown or reused
coupon, a terminal's coupon code already taken) leave the item ``accepted`` with a ``reason``
starting ``conflict:`` (also on a later ``duplicate`` of it), so the terminal learns of them.
Registrations are handled first in a batch so the sales and entries that follow can name the
provisional member; the coupons a registration carries are recorded as issued to the member.
New ledger entries of known members go into the change feed (``hq.ledger``).

A push runs in three phases so that HQ's single writer lock is held only for shared state:
:func:`prepare` (no database, no lock), then under the till's own advisory lock its chain, item
keys and the rows of its sales and entries as pushed, then under the writer lock the checks and
the rest (see :func:`push` and ``hq.db``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from posloyalty.domain import points, tiers
from posloyalty.domain.money import Fen
from posloyalty.hq.authority import (
    Catalogue,
    Derived,
    RuleBook,
    check_entries,
    check_growth,
    compensations,
    derive_sale,
    preload_members,
    prove_by_codes,
    rule_book,
)
from posloyalty.hq.bulk import JsonText, insert_rows, select_by_keys
from posloyalty.hq.cards import register_card
from posloyalty.hq.chain import ChainItem, Verified, advance, check_push, preverify
from posloyalty.hq.db import lock_terminal, lock_writer
from posloyalty.hq.enrolment import Caller
from posloyalty.hq.errors import BadRequest, Forbidden
from posloyalty.hq.ledger import entries_for_many, publish_new_entries
from posloyalty.hq.members import (
    DEFAULT_RECENT_DAYS,
    link_stores,
    mark_dirty,
    publish_coupon,
    register_member,
    resolve,
    resolve_at_store,
)
from posloyalty.hq.models import Conflict, Coupon, LedgerEntry, PushedItem, Sale, Terminal
from posloyalty.sync.protocol import (
    CONFLICT_REASON_PREFIX,
    PAYLOAD_MODELS,
    CardPayload,
    CouponUsePayload,
    ItemResult,
    ItemStatus,
    LedgerEntryPayload,
    PushBatch,
    PushItem,
    RegistrationPayload,
    SalePayload,
    chain_digest,
)

#: Kinds whose pushed-item keys are recorded before the writer lock (always accepted).
_EARLY_KEYS = frozenset({"sale", "ledger_entry"})
#: Kinds in processing order: registrations first, so later items can refer to them.
_ORDER = {"registration": 0, "sale": 1, "ledger_entry": 2, "coupon_use": 3, "card": 4}


def payload_hash(item: PushItem) -> str:
    """SHA-256 of the item's canonical payload JSON: what idempotency compares."""
    return hashlib.sha256(item.canonical_payload.encode("utf-8")).hexdigest()


def _problem(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "payload"
    return f"invalid payload: {where}: {first['msg']}"[:300]


@dataclass(slots=True)
class _Item:
    index: int
    item: PushItem
    payload: Any
    digest: str


@dataclass(frozen=True, slots=True)
class Prepared:
    """What a push needs no database for, done before the writer lock (:func:`prepare`):
    payloads validated, hashed and digested, link hashes checked under the till's key."""

    rejected: dict[int, str]
    valid: list[_Item]
    chained: list[ChainItem]
    verified: Verified | None


def prepare(caller: Caller, batch: PushBatch) -> Prepared:
    """The CPU work of a push, run outside the writer lock (pure: safe to reuse on a retry)."""
    if batch.terminal_id != caller.terminal_id:
        raise Forbidden(
            f"this credential belongs to terminal {caller.terminal_id}, not {batch.terminal_id}"
        )
    rejected: dict[int, str] = {}
    valid: list[_Item] = []
    for i, item in enumerate(batch.items):
        try:
            payload = PAYLOAD_MODELS[item.kind].model_validate(item.payload)
        except ValidationError as exc:
            rejected[i] = _problem(exc)
            continue
        if payload.store_id != caller.store_id or payload.terminal_id != caller.terminal_id:
            rejected[i] = "cross-store write refused: the item names another store or terminal"
            continue
        valid.append(_Item(i, item, payload, payload_hash(item)))
    return Prepared(rejected, valid, _chained_items(valid), preverify(caller.terminal_id, batch))


def push(
    session: Session,
    caller: Caller,
    batch: PushBatch,
    at: dt.datetime,
    *,
    recent_days: int | None = DEFAULT_RECENT_DAYS,
    prepared: Prepared | None = None,
) -> list[ItemResult]:
    """Ingest a batch for the calling terminal; one result per item, in order.

    Set-based: one lookup of the stored (kind, id) keys for the whole batch and one INSERT per
    table (see :mod:`posloyalty.hq.bulk`); only registrations and coupon uses go item by item.
    ``prepared``: :func:`prepare` of this batch, done before the transaction took the writer
    lock (done here when not given). Run it in a transaction begun without the writer lock
    (``HqDb.run(..., writer=False)``): it takes the till's lock, then the writer lock itself
    (in a transaction that holds the writer lock already, everything runs under it).
    ``recent_days``: the slice window; None: the active rules' ``lifecycle.slice_days``.
    """
    if prepared is None:
        prepared = prepare(caller, batch)
    results: list[ItemResult | None] = [None] * len(batch.items)

    def done(i: int, status: ItemStatus, reason: str = "") -> None:
        item = batch.items[i]
        # Validated in pydantic's core: cheaper than model_construct's Python path.
        results[i] = ItemResult(kind=item.kind, id=item.id, status=status, reason=reason)

    for i, reason in prepared.rejected.items():
        done(i, "rejected", reason)
    valid = prepared.valid
    # Phase 1, under this till's own lock only: its chain and its items' keys (rows only its
    # own pushes write), beside other tills' pushes and the writer.
    lock_terminal(session, caller.terminal_id)
    head = check_push(session, caller, batch, lambda: prepared.chained, prepared.verified)
    stored = _stored_hashes(session, {(v.item.kind, v.item.id) for v in valid})
    fresh: list[_Item] = []
    seen: dict[tuple[str, str], str] = {}
    for v in valid:
        key = (v.item.kind, v.item.id)
        before = stored.get(key) or seen.get(key)
        if before is None:
            seen[key] = v.digest
            fresh.append(v)
        elif before == v.digest:
            done(v.index, "duplicate")
        else:
            _payload_conflict(session, caller, batch.batch_id, v, before=before, at=at)
            done(v.index, "conflict", "this id was pushed before with a different payload")

    dup: dict[tuple[str, str], int] = {
        (r.kind, r.id): i
        for i, r in enumerate(results)
        if r is not None and r.status == "duplicate"
    }
    for found, reason in _recorded_conflicts(session, caller, set(dup)).items():
        done(dup[found], "duplicate", reason)

    written = {"store_id": caller.store_id, "terminal_id": caller.terminal_id, "received_at": at}
    # A fresh sale or ledger entry is always accepted (what it claims may be held back below).
    insert_rows(
        session,
        PushedItem,
        [
            {"kind": v.item.kind, "id": v.item.id, "payload_hash": v.digest}
            for v in fresh
            if v.item.kind in _EARLY_KEYS
        ],
        written | {"batch_id": batch.batch_id},
    )
    fresh.sort(key=lambda v: (_ORDER[v.item.kind], v.index))
    sales = [_sale_row(v, v.payload) for v in fresh if isinstance(v.payload, SalePayload)]
    entries = [_entry_row(v, v.payload) for v in fresh if isinstance(v.payload, LedgerEntryPayload)]
    # Sales and entries are stored whatever their checks find (a sale stands; an entry that
    # does not verify is cancelled by an entry of HQ's own, inserted under the writer lock),
    # so they go in here, before that lock: nothing is credited before this transaction
    # commits, the checks leave this batch's own rows out of what they read, and a sale the
    # checks change is corrected under the lock (:func:`_correct_sales`). Not when the batch
    # registers members: a registration publishes the entries already held under its
    # provisional id, which must not include this batch's (they are published below).
    early = not any(isinstance(v.payload, RegistrationPayload) for v in fresh)
    if early:
        insert_rows(session, Sale, sales, written)
        insert_rows(session, LedgerEntry, entries, written)
    as_pushed = {r["id"]: (r["member_ref"], r["growth"]) for r in sales}
    # The published rules, read before the writer lock (one round trip less while it is
    # held): revisions are only ever added or activated, and a push racing a publish has no order anyway.
    book = rule_book(session)
    if recent_days is None:
        recent_days = book.active.lifecycle.slice_days if book.active else DEFAULT_RECENT_DAYS
    # Phase 2, under the writer lock: everything that reads or writes what other writers
    # share (members, slices, balances' ledgers, the change feed, coupons, the chain head).
    lock_writer(session)
    advance(session, head)
    index_of = {(v.item.kind, v.item.id): v.index for v in fresh}
    accepted: list[_Item] = []
    seen_members: dict[str, dt.datetime] = {}
    coupon_uses: list[_Item] = []
    cards: list[_Item] = []
    for v in fresh:
        p = v.payload
        reason = ""
        if isinstance(p, RegistrationPayload):
            try:
                registered = register_member(
                    session,
                    caller.store_id,
                    p.phone,
                    p.name,
                    p.birthday,
                    p.consent,
                    p.at,
                    provisional_id=p.provisional_id,
                    joined_by=p.cashier or None,
                )
            except BadRequest as exc:
                done(v.index, "rejected", str(exc))
                continue
            reason = _issue_coupons(
                session, caller, v, registered.member_id, at, repeat=not registered.created
            )
        elif isinstance(p, SalePayload | LedgerEntryPayload):
            pass  # its row is in ``sales`` or ``entries`` already
        elif isinstance(p, CouponUsePayload):
            coupon_uses.append(v)
        elif isinstance(p, CardPayload):
            cards.append(v)
            continue  # answered below, once registrations' ids resolve
        accepted.append(v)
        done(v.index, "accepted", reason)

    refs = {r["member_ref"] for r in (*sales, *entries) if r["member_ref"] is not None}
    refs |= {v.payload.member_id for v in coupon_uses if v.payload.member_id}
    # Registrations above have linked the members they created; a verified phone code links
    # its member; nothing else does.
    members, links = resolve_at_store(session, refs, caller.store_id)
    present = set(links)
    claims = [
        (v.payload.member_id, v.payload.member_code, v.payload.at, v.item.id)
        for v in accepted
        if isinstance(v.payload, SalePayload) and v.payload.member_id and v.payload.member_code
    ]
    # The members whose secret, tier or birthday this batch's codes and baskets need: one query.
    preload_members(
        session,
        {
            members[v.payload.member_id]
            for v in accepted
            if isinstance(v.payload, SalePayload)
            and v.payload.member_id in members
            and (v.payload.member_code or v.payload.basket is not None)
        },
    )
    proven, reused = prove_by_codes(
        session, caller, claims, members, present=present, recent_days=recent_days, at=at
    )
    present |= proven
    for sale_id, conflict in reused.items():
        done(index_of[("sale", sale_id)], "accepted", _describe(conflict))
    payloads = {v.item.id: v.payload for v in accepted if isinstance(v.payload, SalePayload)}
    derived: dict[str, Derived] = {}
    checked = _check_sales(session, caller, sales, payloads, members, present, derived, at, book)
    for sale_id, problem in checked.items():
        done(index_of[("sale", sale_id)], "accepted", problem)
    held = check_entries(session, caller, entries, sales, members, present, derived, book=book)
    if early:
        _correct_sales(session, sales, as_pushed)
    else:
        insert_rows(session, Sale, sales, written)
        insert_rows(session, LedgerEntry, entries, written)
    cancelled = compensations(entries, held, at)
    insert_rows(session, LedgerEntry, cancelled, {})
    for row in (*sales, *entries):
        member = members.get(row["member_ref"] or "")
        if member in present and row["at"] > seen_members.get(member, row["at"] - dt.timedelta(1)):
            seen_members[member] = row["at"]
    mark_dirty(session, set(members.values()))
    link_stores(session, caller.store_id, seen_members, recent_days=recent_days, links=links)
    publish_new_entries(session, [e | _written_by(caller) for e in entries] + cancelled, members)
    for entry_id, q in held.items():
        conflict = Conflict(
            kind="quarantined",
            store_id=caller.store_id,
            terminal_id=caller.terminal_id,
            item_kind="ledger_entry",
            item_id=entry_id,
            member_id=members.get(next(e["member_ref"] for e in entries if e["id"] == entry_id)),
            detail={"reason": q.reason, "problem": q.words},
            at=at,
        )
        session.add(conflict)
        done(index_of[("ledger_entry", entry_id)], "accepted", _describe(conflict))
    for v in coupon_uses:
        problem = _use_coupon(session, caller, v, members, at)
        if problem:
            done(v.index, "accepted", problem)
    for entry_id, problem in _check_overdrafts(session, caller, entries, members, at, book).items():
        done(index_of[("ledger_entry", entry_id)], "accepted", problem)
    accepted += _register_cards(session, caller, cards, at, done)
    insert_rows(
        session,
        PushedItem,
        [
            {"kind": v.item.kind, "id": v.item.id, "payload_hash": v.digest}
            for v in accepted
            if v.item.kind not in _EARLY_KEYS
        ],
        written | {"batch_id": batch.batch_id},
    )
    session.execute(
        update(Terminal).where(Terminal.id == caller.terminal_id).values(last_push_at=at)
    )
    return [r for r in results if r is not None]


def _correct_sales(
    session: Session, sales: list[dict[str, Any]], as_pushed: dict[str, tuple[str | None, int]]
) -> None:
    """Store what the checks changed of sales inserted as pushed (a member not credited,
    growth HQ's own): one statement, and none when every sale verified as pushed."""
    changed = [
        {"k": r["id"], "m": r["member_ref"], "g": r["growth"]}
        for r in sales
        if as_pushed[r["id"]] != (r["member_ref"], r["growth"])
    ]
    if changed:
        table = cast(Table, Sale.__table__)
        session.execute(
            update(table)
            .where(table.c.id == bindparam("k"))
            .values(member_ref=bindparam("m"), growth=bindparam("g")),
            changed,
        )


def _chained_items(valid: list[_Item]) -> list[ChainItem]:
    out = []
    for v in valid:
        if v.item.kind in ("sale", "ledger_entry"):
            try:
                digest: str | None = chain_digest(v.item.kind, v.payload, v.item.payload)
            except (KeyError, TypeError, ValueError):
                digest = None  # malformed lines or payments: matches no link
            out.append(ChainItem(v.item.kind, v.item.id, digest))
    return out


def _register_cards(
    session: Session,
    caller: Caller,
    cards: list[_Item],
    at: dt.datetime,
    done: Callable[..., None],
) -> list[_Item]:
    """Register pushed cards (hq.cards); a card of an unknown member is rejected."""
    members = resolve(session, {v.payload.member_id for v in cards})
    kept = []
    for v in cards:
        member = members.get(v.payload.member_id)
        if member is None:
            done(v.index, "rejected", f"member {v.payload.member_id} is not known at HQ")
            continue
        problem = register_card(session, caller, v.payload, member, at)
        done(v.index, "accepted", f"{CONFLICT_REASON_PREFIX}card: {problem}" if problem else "")
        kept.append(v)
    return kept


def _stored_hashes(session: Session, keys: set[tuple[str, str]]) -> dict[tuple[str, str], str]:
    rows = select_by_keys(session, PushedItem, ("kind", "id"), keys, "payload_hash")
    return {(kind, id_): digest for kind, id_, digest in rows}


def _payload_conflict(
    session: Session, caller: Caller, batch_id: str, v: _Item, *, before: str, at: dt.datetime
) -> None:
    detail: dict[str, Any] = {"batch_id": batch_id, "stored_hash": before, "pushed_hash": v.digest}
    if v.item.kind != "registration":  # a registration carries a phone number: not kept twice
        detail["pushed_payload"] = v.item.payload
    session.add(
        Conflict(
            kind="payload_mismatch",
            store_id=caller.store_id,
            terminal_id=caller.terminal_id,
            item_kind=v.item.kind,
            item_id=v.item.id,
            member_id=v.item.payload.get("member_id")
            if isinstance(v.item.payload.get("member_id"), str)
            else None,
            detail=detail,
            at=at,
        )
    )


def _check_sales(  # noqa: PLR0917 (one batch's facts)
    session: Session,
    caller: Caller,
    sales: list[dict[str, Any]],
    payloads: dict[str, SalePayload],
    members: dict[str, str],
    present: set[str],
    derived: dict[str, Derived],
    at: dt.datetime,
    book: RuleBook,
) -> dict[str, str]:
    """Sales stand, but what they claim is checked: a member who was never at this store is
    not credited with the sale (nor taken into the store's slice by it); a sale carrying its
    basket is priced again (``derived`` gets HQ's figures; one that does not price as the till
    says counts for no member's tier), and its growth is HQ's; without a basket, growth beyond
    what the total earns under any published rules is not credited (the tier job then
    derives it from the total). The conflict reason by sale id."""
    revisions = book.revisions
    catalogue = Catalogue(session, [payloads[r["id"]] for r in sales])
    found: dict[str, str] = {}
    earlier: dict[str, list[tiers.Purchase]] = defaultdict(list)  # this batch's, per member
    pending = frozenset(payloads)
    for row in sorted(sales, key=lambda r: r["at"]):
        problems: list[tuple[str, str]] = []
        member = members.get(row["member_ref"] or "")
        if row["member_ref"] is not None and member not in present:
            problems.append(
                (
                    "member_not_present",
                    f"member {row['member_ref']} was never at store {caller.store_id}",
                )
            )
            row["member_ref"] = None
        payload = payloads[row["id"]]
        if payload.basket is not None and payload.rules is not None:
            who = member if row["member_ref"] is not None else None
            priced = derived[row["id"]] = derive_sale(
                session,
                payload,
                who,
                earlier[who] if who else None,
                book=book,
                catalogue=catalogue,
                pending=pending,
            )
            if priced.problem:
                problems.append(("not_derived", priced.problem))
                row["member_ref"], row["growth"] = None, 0
            else:
                if row["growth"] > priced.growth:  # claiming less harms nobody: not reported
                    problems.append(
                        (
                            "growth_not_derived",
                            f"growth {row['growth']} claimed, HQ's pricing gives {priced.growth}",
                        )
                    )
                row["growth"] = priced.growth
        elif row["growth"]:
            words = check_growth(revisions, row["total_fen"], row["growth"])
            if words:
                problems.append(("growth_not_derived", words))
                row["growth"] = 0
        if row["member_ref"] is not None and member is not None and row["total_fen"] > 0:
            earlier[member].append(
                tiers.Purchase(row["at"], Fen(row["total_fen"]), row["growth"], 1)
            )
        for kind, words in problems:
            conflict = Conflict(
                kind=kind,
                store_id=caller.store_id,
                terminal_id=caller.terminal_id,
                item_kind="sale",
                item_id=row["id"],
                member_id=member,
                detail={"problem": words},
                at=at,
            )
            session.add(conflict)
            found.setdefault(row["id"], _describe(conflict))
    return found


def _sale_row(v: _Item, p: SalePayload) -> dict[str, Any]:
    # store_id, terminal_id and received_at are the same for the whole batch: see push().
    return {
        "id": v.item.id,
        "member_ref": p.member_id,
        "at": p.at,
        "total_fen": p.total_fen,
        "growth": sum(line.growth for line in p.lines),
        "original_sale_id": p.original_sale_id,
        "full_return": p.full_return,
        "payload": JsonText(v.item.canonical_payload),
    }


def _entry_row(v: _Item, p: LedgerEntryPayload) -> dict[str, Any]:
    return {
        "id": v.item.id,
        "member_ref": p.member_id,
        "kind": p.kind,
        "points": p.points,
        "lot": p.lot,
        "at": p.at,
        "available_at": p.available_at,
        "expires_at": p.expires_at,
        "renews_until": p.renews_until,
        "sale_id": p.sale_id,
        "reason": p.reason,
    }


def _written_by(caller: Caller) -> dict[str, Any]:
    return {"store_id": caller.store_id, "terminal_id": caller.terminal_id}


def conflict_reason(kind: str, words: str) -> str:
    """An accepted item's reason for a conflict HQ recorded (see sync.protocol)."""
    return f"{CONFLICT_REASON_PREFIX}{kind}: {words}"[:300]


def _describe(conflict: Conflict) -> str:
    d = conflict.detail or {}
    if conflict.kind == "overdraft":
        words = (
            f"member {conflict.member_id} has {d.get('available_after')} points available "
            f"after redeeming {d.get('redeemed_in_batch')} (offline allowance "
            f"{d.get('offline_allowance_points')})"
        )
    elif conflict.kind == "unknown_coupon":
        words = f"coupon {d.get('coupon')} is unknown at HQ (used by sale {d.get('sale_id')})"
    elif conflict.kind == "coupon_reused":
        words = (
            f"coupon {d.get('coupon')} was already used by sale {d.get('first_sale_id')} "
            f"(used again by sale {d.get('sale_id')})"
        )
    elif conflict.kind == "coupon_sale_unknown":
        words = f"coupon {d.get('coupon')} names sale {d.get('sale_id')}, not a sale of its member"
    elif conflict.kind == "coupon_code_taken":
        words = f"coupon code {d.get('coupon')} is already another member's at HQ"
    elif conflict.kind == "welcome_repeated":
        words = (
            f"member {conflict.member_id} joined again ({d.get('provisional_id')}); welcome "
            f"coupons {', '.join(d.get('coupons', []))} recorded void"
        )
    else:
        words = str(d.get("problem") or "recorded for the back office")
    return conflict_reason(conflict.kind, words)


def describe_conflict(conflict: Conflict) -> str:
    """A conflict in words, as the pushing till was told (for the back office's queue)."""
    return _describe(conflict)


_BUSINESS = (
    "code_reused",
    "quarantined",
    "not_derived",
    "member_not_present",
    "growth_not_derived",
    "coupon_sale_unknown",
    "overdraft",
    "ledger_inconsistent",
    "unknown_coupon",
    "coupon_reused",
    "coupon_code_taken",
    "welcome_repeated",
)


def _recorded_conflicts(
    session: Session, caller: Caller, keys: set[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """Reasons of business conflicts recorded for these items (a replay is told again: the
    first answer may have been lost)."""
    if not keys:
        return {}
    rows = session.scalars(
        select(Conflict)
        .where(
            Conflict.terminal_id == caller.terminal_id,
            Conflict.kind.in_(_BUSINESS),
            Conflict.item_id.in_(sorted({i for _, i in keys})),
        )
        .order_by(Conflict.id)
    )
    out: dict[tuple[str, str], str] = {}
    for c in rows:
        key = (str(c.item_kind), str(c.item_id))
        if key in keys:
            out.setdefault(key, _describe(c))
    return out


def _issue_coupons(
    session: Session,
    caller: Caller,
    v: _Item,
    member_id: str,
    at: dt.datetime,
    *,
    repeat: bool = False,
) -> str:
    """Record the coupons a terminal gave a new member as issued to the member (idempotent:
    a code already the member's is left alone); a code another member holds is a conflict.

    ``repeat``: the phone was already a member (a sign-up again, source 001: "algunas personas
    también solicitaron tarjetas de membresía repetidamente para obtener más obsequios"): the welcome coupons are not issued a second time; they are recorded
    void (so the till that gave them learns it) and a ``welcome_repeated`` conflict is raised."""
    p: RegistrationPayload = v.payload
    reason = ""
    voided: list[str] = []
    for c in p.coupons:
        coupon = session.get(Coupon, c.code)
        if coupon is None:
            if c.valid_until <= c.valid_from:
                continue  # nothing to record: it was never usable
            coupon = Coupon(
                code=c.code,
                member_id=member_id,
                template=c.template,
                valid_from=c.valid_from,
                valid_until=c.valid_from if repeat else c.valid_until,
                issued_at=p.at,
            )
            if repeat:
                voided.append(c.code)
            session.add(coupon)
            session.flush()
            publish_coupon(session, coupon)
        elif coupon.member_id != member_id:
            conflict = Conflict(
                kind="coupon_code_taken",
                store_id=caller.store_id,
                terminal_id=caller.terminal_id,
                item_kind="registration",
                item_id=v.item.id,
                member_id=member_id,
                detail={"coupon": c.code, "holder": coupon.member_id},
                at=at,
            )
            session.add(conflict)
            reason = reason or _describe(conflict)
    if voided:
        conflict = Conflict(
            kind="welcome_repeated",
            store_id=caller.store_id,
            terminal_id=caller.terminal_id,
            item_kind="registration",
            item_id=v.item.id,
            member_id=member_id,
            detail={"coupons": voided, "provisional_id": p.provisional_id},
            at=at,
        )
        session.add(conflict)
        reason = reason or _describe(conflict)
    return reason


def _use_coupon(
    session: Session, caller: Caller, v: _Item, members: dict[str, str], at: dt.datetime
) -> str:
    """Mark the coupon used; the conflict reason when it is unknown, used by another sale, or
    the sale named is not a sale of the coupon's member pushed by this till."""
    p: CouponUsePayload = v.payload
    coupon = session.get(Coupon, p.coupon)
    problem = None
    sale = session.get(Sale, p.sale_id)
    if coupon is None:
        problem = "unknown_coupon"
    elif (
        sale is None
        or sale.terminal_id != caller.terminal_id
        or members.get(sale.member_ref or "") != coupon.member_id
    ):
        problem = "coupon_sale_unknown"
    elif coupon.used_sale_id is None:
        coupon.used_sale_id, coupon.used_at, coupon.used_store = p.sale_id, p.at, caller.store_id
        session.flush()
        publish_coupon(session, coupon)
    elif coupon.used_sale_id != p.sale_id:
        problem = "coupon_reused"
    if problem is None:
        return ""
    conflict = Conflict(
        kind=problem,
        store_id=caller.store_id,
        terminal_id=caller.terminal_id,
        item_kind="coupon_use",
        item_id=v.item.id,
        member_id=p.member_id,
        detail={
            "coupon": p.coupon,
            "sale_id": p.sale_id,
            "first_sale_id": coupon.used_sale_id if coupon else None,
        },
        at=at,
    )
    session.add(conflict)
    return _describe(conflict)


def _check_overdrafts(  # noqa: PLR0917 (one batch's facts)
    session: Session,
    caller: Caller,
    entries: list[dict[str, Any]],
    members: dict[str, str],
    at: dt.datetime,
    book: RuleBook,
) -> dict[str, str]:
    """Record a conflict for every member a redemption in this batch left below zero; the
    reason by the id of the member's first redemption entry in the batch (what it names)."""
    redeemed: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in entries:
        member = members.get(row["member_ref"])
        if row["kind"] == "redeem" and member is not None:
            redeemed[member].append(row)
    found: dict[str, str] = {}
    if not redeemed:
        return found
    rules = book.active
    allowance = rules.points.offline_allowance_points if rules else 0
    histories = entries_for_many(session, set(redeemed))
    for member, rows in sorted(redeemed.items()):
        history = histories[member]  # holds at least this batch's redemptions
        latest = max(e.at for e in history)
        try:
            available = points.balance(history, latest).available
        except points.PointsError as exc:
            available, broken = 0, str(exc)
        else:
            broken = ""
        if available >= 0 and not broken:
            continue
        spent = -sum(r["points"] for r in rows)
        conflict = Conflict(
            kind="overdraft" if not broken else "ledger_inconsistent",
            store_id=caller.store_id,
            terminal_id=caller.terminal_id,
            item_kind="ledger_entry",
            item_id=rows[0]["id"],
            member_id=member,
            detail={
                "available_after": available,
                "redeemed_in_batch": spent,
                "sale_ids": sorted({r["sale_id"] for r in rows if r["sale_id"]}),
                "offline_allowance_points": allowance,
                "beyond_allowance": -available > allowance,
                "problem": broken,
            },
            at=at,
        )
        session.add(conflict)
        found[rows[0]["id"]] = _describe(conflict)
    return found

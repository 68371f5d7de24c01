"""Members at HQ: ids, phone hashes, registration, store slices, merges, coupons, the pulled view.

HQ issues member ids (upper-case base 36, 10 characters, fits the 16 that member codes carry)
and a random per-member secret for dynamic codes. A member's records may carry other ids
(a terminal's provisional id, a merged member's id): :class:`MemberAlias` maps each to the
member, so merging never rewrites the ledger.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
from dataclasses import dataclass, replace
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from posloyalty.domain import privacy
from posloyalty.domain.codes import ScanError, parse_scan, to_base36
from posloyalty.domain.privacy import mask_name, mask_phone
from posloyalty.hq import pii
from posloyalty.hq.bulk import one_of
from posloyalty.hq.changes import Page, bump_member, emit
from posloyalty.hq.errors import BadRequest, NotFound
from posloyalty.hq.ledger import publish_ledger
from posloyalty.hq.models import (
    Coupon,
    Member,
    MemberAlias,
    MemberMerge,
    MemberNameToken,
    MemberStore,
    Setting,
)
from posloyalty.sync.protocol import RawTable

MEMBER_ID_CHARS = 10
SECRET_BYTES = 20
PHONE_KEY = "sealed:phone_key"
#: Placeholder for a member's code secret in the change feed (hq.services fills it at pull).
SEALED_SECRET = ""


def sealed_marker(member: Member) -> str:
    """What the change feed holds instead of a member's secret: a digest of the sealed record
    (random ciphertext, so it tells nothing), which changes whenever the secret does."""
    return "sealed-" + hashlib.sha256(bytes(member.pii)).hexdigest()[:16]


#: A member seen at a store within this many days is in that store's slice.
DEFAULT_RECENT_DAYS = 180


# --------------------------------------------------------------------------- phones


def normalize_phone(phone: str) -> str:
    """Digits only, without a leading +86 / 0086 (domain.privacy; HTTP-level error here)."""
    try:
        return privacy.normalize_phone(phone)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


def phone_hash(key: str, phone: str) -> str:
    """The terminals' phone lookup hash: HMAC-SHA256 of the normalised number under the chain's
    phone key (domain.privacy)."""
    try:
        return privacy.phone_hash(key, phone)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


def chain_phone_key(session: Session) -> str:
    """The chain-wide phone key (hex), made on first use, handed to terminals at enrolment and
    stored at HQ sealed under the master key (the database alone does not hold it)."""
    row = session.get(Setting, PHONE_KEY)
    if row is None:
        key = os.urandom(32).hex()
        session.add(
            Setting(key=PHONE_KEY, value=pii.seal_text(pii.keyring_of(session), PHONE_KEY, key))
        )
        session.flush()
        session.info["phone_key"] = key
        return key
    cached = session.info.get("phone_key")
    if cached is None:
        cached = pii.open_text(pii.keyring_of(session), PHONE_KEY, row.value)
        session.info["phone_key"] = cached
    return str(cached)


def phone_digest(session: Session, phone: str) -> str:
    """What HQ finds a phone by: its blind index (hq.pii); BadRequest for a malformed number."""
    return pii.phone_index(session, phone)


def members_by_phone_index(session: Session, digest: str) -> list[str]:
    """Ids of the (unmerged) members registered with this phone (:func:`phone_digest`),
    earliest first."""
    return list(
        session.scalars(
            select(Member.id)
            .where(Member.phone_index == digest, Member.merged_into.is_(None))
            .order_by(Member.registered_at, Member.id)
        )
    )


def secret_of(session: Session, member: Member) -> bytes:
    """The key of the member's dynamic codes (sealed with the member's personal data)."""
    return pii.pii_of(session, member).secret


def set_secret(session: Session, member: Member, secret: bytes) -> None:
    """Seal a new key for the member's dynamic codes."""
    pii.set_pii(session, member, replace(pii.pii_of(session, member), secret=secret))


# --------------------------------------------------------------------------- ids and views


def new_member_id(session: Session) -> str:
    while True:
        candidate = to_base36(secrets.randbits(51), MEMBER_ID_CHARS)
        if session.get(MemberAlias, candidate) is None:
            return candidate


def resolve(session: Session, refs: set[str]) -> dict[str, str]:
    """Member id for each known alias among ``refs`` (unknown ones are left out)."""
    if not refs:
        return {}
    rows = session.execute(
        select(MemberAlias.alias, MemberAlias.member_id).where(
            one_of(session, MemberAlias.alias, refs)
        )
    )
    return {alias: member for alias, member in rows}


def resolve_at_store(
    session: Session, refs: set[str], store_id: str
) -> tuple[dict[str, str], dict[str, tuple[bool, dt.datetime]]]:
    """:func:`resolve` and, in the same query, the resolved members' links to ``store_id``
    (home, last seen) for those who have one: the members present at the store."""
    if not refs:
        return {}, {}
    rows = session.execute(
        select(MemberAlias.alias, MemberAlias.member_id, MemberStore.home, MemberStore.last_seen_at)
        .outerjoin(
            MemberStore,
            (MemberStore.member_id == MemberAlias.member_id) & (MemberStore.store_id == store_id),
        )
        .where(one_of(session, MemberAlias.alias, refs))
    )
    members: dict[str, str] = {}
    links: dict[str, tuple[bool, dt.datetime]] = {}
    for alias, member, home, last_seen_at in rows:
        members[alias] = member
        if last_seen_at is not None:
            links[member] = (bool(home), last_seen_at)
    return members, links


def aliases_of(session: Session, member_id: str) -> list[str]:
    return sorted(
        session.scalars(select(MemberAlias.alias).where(MemberAlias.member_id == member_id))
    )


def member_view(session: Session, member: Member, aliases: list[str]) -> dict[str, Any]:
    """What a terminal receives about a member: masked phone and name, never the number."""
    state = member.state or {}
    clear = pii.pii_of(session, member)
    return {
        "id": member.id,
        "phone_masked": mask_phone(clear.phone),
        "phone_hash": phone_hash(chain_phone_key(session), clear.phone),
        "name_masked": mask_name(clear.name) if clear.name.strip() else "",
        # Month and day only (the year stands in as 2000, a leap year): the till keeps no year
        # of birth, and the change feed at HQ holds no full birthday.
        "birthday": clear.birthday.replace(year=2000).isoformat() if clear.birthday else None,
        "home_store": member.home_store,
        "registered_at": member.registered_at.isoformat(),
        "aliases": [a for a in aliases if a != member.id],
        "merged_into": None,
        "tier": state.get("tier"),
        "tier_valid_until": state.get("tier_valid_until"),
        # The standing a till replays its own later sales on (hq.jobs.tier_anchor).
        "tier_since": state.get("tier_since"),
        "tier_spend": state.get("tier_spend", 0),
        "tier_count": state.get("tier_count", 0),
        "tier_as_of": state.get("tier_as_of"),
        "growth": state.get("growth", 0),
        "points_available": state.get("available", 0),
        "points_pending": state.get("pending", 0),
        "next_expiry": state.get("next_expiry"),
        "expiring_points": state.get("expiring_points", 0),
        "last_purchase_at": state.get("last_purchase_at"),
    }


def publish_member(session: Session, member: Member) -> None:
    """Emit the member's current view and secret (no-ops when unchanged); an erased member
    is gone (tills drop it)."""
    if member.erased_at is not None:
        emit(session, "member", member.id, None, member_id=member.id)
        emit(session, "member_secret", member.id, None, member_id=member.id)
        return
    if member.merged_into is not None:
        emit(
            session,
            "member",
            member.id,
            {"id": member.id, "merged_into": member.merged_into},
            member_id=member.id,
        )
        emit(session, "member_secret", member.id, None, member_id=member.id)
        return
    emit(
        session,
        "member",
        member.id,
        member_view(session, member, aliases_of(session, member.id)),
        member_id=member.id,
    )
    emit(
        session,
        "member_secret",
        member.id,
        # The secret itself is not kept in the change feed: the pull fills it in (hq.pii). The
        # placeholder names the sealed record, so a new secret is a new change tills pull.
        {"member_id": member.id, "secret": sealed_marker(member)},
        member_id=member.id,
    )


def with_secrets(session: Session, page: Page) -> Page:
    """The page with each member-secret change's secret filled in from the member's sealed
    data (the change feed itself keeps none)."""
    wanted = {key for _, kind, key, data in page.changes if kind == "member_secret" and data}
    for kind, _, rows in page.tables or []:
        if kind == "member_secret":
            wanted.update(key for _, key, _ in rows)
    if not wanted:
        return page
    keyring = pii.keyring_of(session)
    found = session.execute(
        select(Member.id, Member.pii_key_id, Member.pii_key, Member.pii).where(
            one_of(session, Member.id, wanted)
        )
    )
    secrets_hex = {
        member_id: pii.open_member(
            keyring, member_id, pii.Sealed(key_id, bytes(wrapped), bytes(sealed))
        ).secret.hex()
        for member_id, key_id, wrapped, sealed in found
    }

    def filled(key: str, data: Any) -> Any:
        if isinstance(data, dict) and "secret" in data and key in secrets_hex:
            data["secret"] = secrets_hex[key]
        return data

    plain = [
        (seq, kind, key, json.dumps(filled(key, json.loads(data)), ensure_ascii=False))
        if kind == "member_secret" and data
        else (seq, kind, key, data)
        for seq, kind, key, data in page.changes
    ]
    tables: list[RawTable] | None = None
    if page.tables is not None:
        tables = []
        for kind, fields, rows in page.tables:
            names = json.loads(fields) if kind == "member_secret" else []
            if "secret" not in names:
                tables.append((kind, fields, rows))
                continue
            at = names.index("secret")
            tables.append(
                (
                    kind,
                    fields,
                    [(seq, key, _with(v, at, secrets_hex.get(key))) for seq, key, v in rows],
                )
            )
    return Page(plain, page.next_cursor, page.more, tables)


def _with(values: str, at: int, secret: str | None) -> str:
    """A table row's values (a JSON array) with the secret put in at ``at``."""
    if secret is None:
        return values
    row = json.loads(values)
    row[at] = secret
    return json.dumps(row, ensure_ascii=False)


def link_store(
    session: Session,
    member_id: str,
    store_id: str,
    at: dt.datetime,
    *,
    recent_days: int = DEFAULT_RECENT_DAYS,
    home: bool = False,
) -> bool:
    """Record that ``store_id`` saw the member at ``at``; True when the store newly took the
    member into its slice (its rows are then re-stamped so the store's terminals pull them)."""
    link = session.get(MemberStore, (member_id, store_id))
    if link is None:
        session.add(MemberStore(member_id=member_id, store_id=store_id, home=home, last_seen_at=at))
        session.flush()
        bump_member(session, member_id)
        return True
    entering = not link.home and link.last_seen_at < at - dt.timedelta(days=recent_days)
    link.last_seen_at = max(link.last_seen_at, at)
    if home and not link.home:
        link.home = True
    session.flush()
    if entering:
        bump_member(session, member_id)
    return entering


#: last_seen_at is rewritten only when it moves by more than this (saves a write per sale).
_SEEN_GRANULARITY = dt.timedelta(hours=12)


def link_stores(
    session: Session,
    store_id: str,
    seen: dict[str, dt.datetime],
    *,
    recent_days: int = DEFAULT_RECENT_DAYS,
    links: dict[str, tuple[bool, dt.datetime]] | None = None,
) -> int:
    """:func:`link_store` for many members at once (one query when nothing is new).

    ``links``: the members' links to the store as read earlier in this transaction
    (:func:`resolve_at_store`; a member without one is looked up again by :func:`link_store`).
    Returns how many members newly entered the store's slice.
    """
    if not seen:
        return 0
    if links is None:
        links = {
            member_id: (home, last_seen_at)
            for member_id, home, last_seen_at in session.execute(
                select(MemberStore.member_id, MemberStore.home, MemberStore.last_seen_at).where(
                    MemberStore.store_id == store_id, one_of(session, MemberStore.member_id, seen)
                )
            )
        }
    entered = 0
    moved: list[dict[str, Any]] = []
    for member_id, at in sorted(seen.items()):
        link = links.get(member_id)
        if link is None or (not link[0] and link[1] < at - dt.timedelta(days=recent_days)):
            # New to the store's slice (or back after a long absence): its rows are re-stamped.
            entered += link_store(session, member_id, store_id, at, recent_days=recent_days)
        elif at - link[1] > _SEEN_GRANULARITY:
            moved.append({"m": member_id, "at": at})
    if moved:
        # One statement for the members already in the slice; never moves a date backwards.
        table = cast(Table, MemberStore.__table__)
        session.execute(
            update(table)
            .where(
                table.c.member_id == bindparam("m"),
                table.c.store_id == store_id,
                table.c.last_seen_at < bindparam("at"),
            )
            .values(last_seen_at=bindparam("at")),
            moved,
        )
    return entered


def mark_dirty(session: Session, member_ids: set[str]) -> None:
    if member_ids:
        session.execute(
            update(Member)
            .where(one_of(session, Member.id, member_ids), Member.dirty.is_(False))
            .values(dirty=True)
        )


# --------------------------------------------------------------------------- registration


@dataclass(frozen=True, slots=True)
class Registration:
    member_id: str
    #: A new member was created (False: the phone was already registered).
    created: bool


def register_member(  # noqa: PLR0917 (the registration page calls it positionally)
    session: Session,
    store: str,
    phone: str,
    name: str,
    birthday: dt.date | None,
    consent: bool,
    at: dt.datetime,
    *,
    provisional_id: str | None = None,
    link_existing: bool = False,
    channel: str = "till",
    joined_by: str | None = None,
) -> Registration:
    """Register a member at ``store`` (terminal push, import, or the self-service page).

    A phone already registered gets no second member: the registration resolves to the
    existing one (and a terminal's provisional id becomes its alias, recorded as a merge).
    A phone typed at a till or on a page proves nothing, so that existing member is not taken
    into ``store``'s slice (their data stays where they were seen) unless ``link_existing``
    (an operator's import). ``joined_by``: the cashier who signed the member up at a till.
    """
    if not consent:
        raise BadRequest("a member can only be registered with their consent")
    if len(name) > 64 or any(ord(c) < 32 or c == "\x7f" for c in name):
        raise BadRequest("the name must be at most 64 printable characters")
    digest = pii.phone_index(session, phone)
    if provisional_id is not None:
        known = resolve(session, {provisional_id})
        if known:
            return Registration(known[provisional_id], created=False)
    existing = session.scalar(
        select(Member)
        .where(Member.phone_index == digest, Member.merged_into.is_(None))
        .order_by(Member.registered_at, Member.id)
        .limit(1)
    )
    if existing is not None:
        if provisional_id is not None:
            session.add(MemberAlias(alias=provisional_id, member_id=existing.id))
            session.add(
                MemberMerge(
                    survivor_id=existing.id,
                    merged_id=provisional_id,
                    reason="the same phone was registered again",
                    at=at,
                    detail={"store": store},
                )
            )
        if link_existing:
            link_store(session, existing.id, store, at)
        existing.dirty = True
        session.flush()
        publish_member(session, existing)
        if provisional_id is not None:  # entries pushed under the provisional id, if any
            publish_ledger(session, existing.id)
        return Registration(existing.id, created=False)
    member = Member(
        id=new_member_id(session),
        channel=channel,
        joined_by=joined_by,
        consent_at=at,
        home_store=store,
        registered_at=at,
        dirty=True,
        state={},
    )
    pii.set_pii(
        session,
        member,
        pii.Pii(normalize_phone(phone), name.strip(), birthday, secrets.token_bytes(SECRET_BYTES)),
    )
    session.add(member)
    session.flush()
    session.add(MemberAlias(alias=member.id, member_id=member.id))
    if provisional_id is not None and provisional_id != member.id:
        session.add(MemberAlias(alias=provisional_id, member_id=member.id))
    session.add(MemberStore(member_id=member.id, store_id=store, home=True, last_seen_at=at))
    session.flush()
    publish_member(session, member)
    if provisional_id is not None:  # entries pushed under the provisional id, if any
        publish_ledger(session, member.id)
    return Registration(member.id, created=True)


# --------------------------------------------------------------------------- merges


def merge_members(
    session: Session, survivor_id: str, merged_id: str, at: dt.datetime, reason: str
) -> None:
    """Merge ``merged_id`` into ``survivor_id``: the survivor keeps both histories.

    The ledger is not touched: every alias of the merged member now resolves to the survivor.
    """
    if survivor_id == merged_id:
        raise BadRequest("cannot merge a member into itself")
    survivor = session.get(Member, survivor_id)
    merged = session.get(Member, merged_id)
    if survivor is None or merged is None:
        raise NotFound(f"no member {survivor_id if survivor is None else merged_id!r}")
    if survivor.merged_into is not None or merged.merged_into is not None:
        raise BadRequest("one of these members was already merged into another")
    session.execute(
        update(MemberAlias).where(MemberAlias.member_id == merged_id).values(member_id=survivor_id)
    )
    for link in list(
        session.scalars(select(MemberStore).where(MemberStore.member_id == merged_id))
    ):
        link_store(session, survivor_id, link.store_id, link.last_seen_at)
    coupons = list(session.scalars(select(Coupon).where(Coupon.member_id == merged_id)))
    for coupon in coupons:
        coupon.member_id = survivor_id
    merged.merged_into = survivor_id
    survivor.dirty = True
    kept, gone = pii.pii_of(session, survivor), pii.pii_of(session, merged)
    if gone.birthday and not kept.birthday:
        pii.set_pii(session, survivor, replace(kept, birthday=gone.birthday))
    session.add(
        MemberMerge(
            survivor_id=survivor_id,
            merged_id=merged_id,
            reason=reason,
            at=at,
            detail={"merged_registered_at": merged.registered_at.isoformat()},
        )
    )
    session.flush()
    publish_member(session, merged)
    publish_member(session, survivor)
    publish_ledger(session, survivor_id)  # the merged member's entries are the survivor's now
    for coupon in coupons:
        publish_coupon(session, coupon)


def merge_duplicates(session: Session, at: dt.datetime) -> list[tuple[str, str]]:
    """Merge members that share a phone (registered offline at two stores, or imported twice)
    into the earliest registered; returns the (survivor, merged) pairs. Rerunning finds none."""
    dup_hashes = session.scalars(
        select(Member.phone_index)
        .where(Member.merged_into.is_(None))
        .group_by(Member.phone_index)
        .having(func.count() > 1)
    ).all()
    pairs: list[tuple[str, str]] = []
    for digest in dup_hashes:
        group = list(
            session.scalars(
                select(Member)
                .where(Member.phone_index == digest, Member.merged_into.is_(None))
                .order_by(Member.registered_at, Member.id)
            )
        )
        for other in group[1:]:
            merge_members(session, group[0].id, other.id, at, "the same phone at two stores")
            pairs.append((group[0].id, other.id))
    return pairs


# --------------------------------------------------------------------------- coupons


def coupon_view(coupon: Coupon) -> dict[str, Any]:
    return {
        "code": coupon.code,
        "member_id": coupon.member_id,
        "template": coupon.template,
        "valid_from": coupon.valid_from.isoformat(),
        "valid_until": coupon.valid_until.isoformat(),
        "used_sale_id": coupon.used_sale_id,
        "used_at": coupon.used_at.isoformat() if coupon.used_at else None,
    }


def publish_coupon(session: Session, coupon: Coupon) -> None:
    emit(session, "coupon", coupon.code, coupon_view(coupon), member_id=coupon.member_id)


def issue_coupon(
    session: Session,
    member_id: str,
    *,
    template: str,
    valid_from: dt.datetime,
    valid_until: dt.datetime,
    at: dt.datetime,
) -> Coupon:
    """Issue a coupon of ``template`` to a member; it reaches the member's stores by pull."""
    member = session.get(Member, member_id)
    if member is None or member.merged_into is not None:
        raise NotFound(f"no member {member_id!r}")
    if valid_until <= valid_from:
        raise BadRequest("a coupon must be valid for some time")
    coupon = Coupon(
        code=to_base36(secrets.randbits(62), 12),
        member_id=member_id,
        template=template,
        valid_from=valid_from,
        valid_until=valid_until,
        issued_at=at,
    )
    session.add(coupon)
    session.flush()
    publish_coupon(session, coupon)
    return coupon


# --------------------------------------------------------------------------- back office


@dataclass(frozen=True, slots=True)
class MemberProfile:
    """A member's personal data, unmasked: shown only after a reveal (see hq.backoffice)."""

    member_id: str
    phone: str
    name: str
    birthday: dt.date | None
    home_store: str | None
    registered_at: dt.datetime
    merged_into: str | None


def member_profile(session: Session, member_id: str) -> MemberProfile | None:
    """The one place the back office reads a member's personal data (phone, name, birthday).

    Kept to one function so that a change of how personal data is stored (encrypted columns)
    changes only this function.
    """
    member = session.get(Member, member_id)
    if member is None:
        return None
    clear = pii.pii_of(session, member)
    return MemberProfile(
        member_id=member.id,
        phone=clear.phone,
        name=clear.name,
        birthday=clear.birthday,
        home_store=member.home_store,
        registered_at=member.registered_at,
        merged_into=member.merged_into,
    )


def find_members(session: Session, text: str, *, limit: int = 50) -> list[str]:
    """Member ids matching ``text``: a member id or alias, a phone number (by its blind index),
    a scanned card or phone code (its member id), or a word of a name or the whole name (by the
    name's blind index: names are sealed, so no part-word search). Merged members resolve to
    their survivor."""
    text = text.strip()
    if not text:
        return []
    found: list[str] = []
    known = resolve(session, {text, text.upper()})
    found += known.values()
    try:
        digest: str | None = pii.index_of(pii.keyring_of(session), text)
    except BadRequest:
        digest = None
    if digest is not None:
        found += session.scalars(
            select(Member.id).where(Member.phone_index == digest).order_by(Member.id)
        )
    try:
        scan = parse_scan(text)
    except ScanError:
        scan = None
    code_member = getattr(scan, "member_id", None)
    if code_member is not None:
        found += resolve(session, {str(code_member)}).values()
    name_key = pii.name_query_index(session, text)
    if name_key is not None:
        found += session.scalars(
            select(MemberNameToken.member_id)
            .join(Member, Member.id == MemberNameToken.member_id)
            .where(MemberNameToken.token == name_key, Member.merged_into.is_(None))
            .order_by(Member.registered_at)
            .limit(limit)
        )
    out: list[str] = []
    for member_id in found:
        member = session.get(Member, member_id)
        while member is not None and member.merged_into is not None:
            member = session.get(Member, member.merged_into)
        if member is not None and member.id not in out:
            out.append(member.id)
    return out[:limit]


def members_born_in(
    session: Session, month: int, stores: set[str] | None = None
) -> list[MemberProfile]:
    """Members (not merged) whose birthday falls in ``month`` (1-12), by home store when
    ``stores`` is given, ordered by day then id: the birthday list (business rules 5)."""
    if not 1 <= month <= 12:
        raise BadRequest("a month is 1 to 12")
    # Birthdays are sealed with the rest of a member's personal data: each is opened here.
    query = select(Member).where(Member.merged_into.is_(None))
    if stores is not None:
        query = query.where(Member.home_store.in_(stores))
    out = []
    for member in session.scalars(query):
        profile = member_profile(session, member.id)
        if profile is not None and profile.birthday is not None and profile.birthday.month == month:
            out.append(profile)
    return sorted(out, key=lambda p: (p.birthday.day if p.birthday else 0, p.member_id))

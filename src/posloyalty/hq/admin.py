"""Operator services: rule publishing, catalog and member imports, revocations, sync health."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from posloyalty.domain.money import MoneyError, parse_yuan
from posloyalty.domain.rules import RuleError, parse_rules_text
from posloyalty.hq import chain, golive
from posloyalty.hq.changes import emit, high_water
from posloyalty.hq.enrolment import ensure_store
from posloyalty.hq.errors import BadRequest, NotFound
from posloyalty.hq.ledger import active_rules
from posloyalty.hq.members import register_member
from posloyalty.hq.models import (
    AuditEvent,
    Conflict,
    Member,
    Product,
    Revocation,
    RuleDocument,
    RulePublication,
    Store,
    Terminal,
    TillChain,
)
from posloyalty.hq.rollout import settle

_SKU_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_DIGEST_RE = re.compile(r"^[0-9a-f]{64}$")


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class Published:
    id: str
    revision: int
    changed: bool
    #: The publication made (None when nothing changed).
    publication: int | None = None


_SCOPE_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def _scope_names(names: Iterable[str], what: str) -> list[str]:
    out = sorted({n.strip() for n in names if n.strip()})
    for n in out:
        if not _SCOPE_RE.match(n):
            raise BadRequest(f"{what} {n[:40]!r}: 1-32 letters, digits, _ or -")
    return out


def check_scope(
    session: Session, stores: Iterable[str], regions: Iterable[str]
) -> tuple[list[str], list[str]]:
    """The scope's store ids and region names, sorted; unknown ones are refused by name."""
    store_ids, region_names = _scope_names(stores, "store"), _scope_names(regions, "region")
    known = set(session.scalars(select(Store.id).where(Store.id.in_(store_ids))))
    if missing := [s for s in store_ids if s not in known]:
        raise BadRequest(f"no store {missing[0]!r} at HQ")
    regions_known = set(
        session.scalars(select(Store.region).where(Store.region.in_(region_names)).distinct())
    )
    if missing := [r for r in region_names if r not in regions_known]:
        raise BadRequest(f"no store is in region {missing[0]!r}")
    return store_ids, region_names


def publish_rules(
    session: Session,
    text: str,
    at: dt.datetime,
    *,
    effective_at: dt.datetime | None = None,
    stores: Iterable[str] = (),
    regions: Iterable[str] = (),
    by: str = "",
) -> Published:
    """Validate and publish a rule document: in force from ``effective_at`` (default: now,
    ``at``) at ``stores`` and every store of ``regions`` (both empty: the whole chain).

    Publishing the revision in force chain-wide again, now and chain-wide, changes nothing; a
    revision already published with other text, or one older than the newest of its id, is
    refused; so is an instant in the past.
    """
    try:
        rules = parse_rules_text(text)
    except RuleError as exc:
        raise BadRequest(f"invalid rule document: {exc}") from None
    store_ids, region_names = check_scope(session, stores, regions)
    when = at if effective_at is None else effective_at
    if when.tzinfo is None or when.utcoffset() is None:
        raise BadRequest("the instant needs a time zone offset")
    if when < at:
        raise BadRequest(f"{when.isoformat()} is in the past; publish now or at a later time")
    settle(session, at)
    same = session.get(RuleDocument, (rules.id, rules.revision))
    if same is not None:
        if same.text != text:
            raise BadRequest(
                f"revision {rules.revision} of {rules.id!r} is already published with other "
                "text; raise the revision"
            )
        if same.active and when == at and not store_ids and not region_names:
            return Published(rules.id, rules.revision, changed=False)
    newest = session.scalar(
        select(func.max(RuleDocument.revision)).where(RuleDocument.id == rules.id)
    )
    if same is None and newest is not None and rules.revision < newest:
        raise BadRequest(f"{rules.id!r} already has revision {newest}; raise the revision")
    if same is None:
        session.add(
            RuleDocument(
                id=rules.id, revision=rules.revision, text=text, published_at=at, active=False
            )
        )
    row = RulePublication(
        doc_id=rules.id,
        revision=rules.revision,
        effective_at=when,
        published_at=at,
        stores=store_ids,
        regions=region_names,
        by=by,
    )
    session.add(row)
    session.flush()
    settle(session, at)
    if store_ids or region_names:
        # Tills of the scope get it with their next pull (the store's revision rides on it).
        session.execute(update(Member).where(Member.merged_into.is_(None)).values(dirty=True))
    return Published(rules.id, rules.revision, changed=True, publication=row.id)


def cancel_publication(session: Session, publication: int, at: dt.datetime) -> RulePublication:
    """Cancel a publication that has not taken effect yet."""
    row = session.get(RulePublication, publication)
    if row is None:
        raise NotFound(f"no rule publication {publication}")
    if row.cancelled_at is not None:
        raise BadRequest(f"publication {publication} is already cancelled")
    if row.effective_at <= at:
        raise BadRequest(f"publication {publication} took effect already; roll back instead")
    row.cancelled_at = at
    session.flush()
    return row


# --------------------------------------------------------------------------- imports


def read_table(path: Path) -> list[dict[str, Any]]:
    """Rows of a CSV file (with a header) or a JSON file (a list of objects)."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadRequest(f"cannot read {str(path)!r}: {exc}") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise BadRequest(f"{path.name} is not valid JSON: {exc}") from None
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise BadRequest(f"{path.name} must hold a list of objects")
        return data
    if path.suffix.lower() != ".csv":
        raise BadRequest(f"{path.name}: give a .csv or .json file")
    return [dict(r) for r in csv.DictReader(io.StringIO(raw))]


@dataclass(slots=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def _text(row: dict[str, Any], key: str, default: str = "") -> str:
    value = row.get(key, default)
    return default if value is None else str(value).strip()


def _flag(row: dict[str, Any], key: str) -> bool:
    value = row.get(key, False)
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "y")


def _fen(row: dict[str, Any], key: str, *, required: bool) -> int | None:
    value = row.get(key)
    if value is None or value == "":
        if required:
            raise BadRequest(f"{key} is required")
        return None
    try:
        return int(parse_yuan(value if isinstance(value, str) else str(value), what=key))
    except MoneyError as exc:
        raise BadRequest(str(exc)) from None


def _product(row: dict[str, Any]) -> dict[str, Any]:
    sku = _text(row, "sku")
    if not _SKU_RE.match(sku):
        raise BadRequest(f"sku {sku!r} must be 1-64 letters, digits, . _ or -")
    ean = _text(row, "ean") or None
    if ean is not None and (not ean.isdigit() or len(ean) not in (8, 12, 13, 14)):
        raise BadRequest(f"ean {ean!r} must be 8, 12, 13 or 14 digits")
    name = _text(row, "name")
    if not name:
        raise BadRequest("name is required")
    return {
        "sku": sku,
        "ean": ean,
        "name": name,
        "price_fen": _fen(row, "price", required=True),
        "category": _text(row, "category"),
        "special_price": _flag(row, "special_price"),
        "member_price_fen": _fen(row, "member_price", required=False),
    }


def import_catalog(session: Session, rows: list[dict[str, Any]]) -> ImportReport:
    """Upsert products (sku, ean, name, price in yuan, category, special_price, member_price).

    Bad rows are reported by number and skipped; the rest are imported.
    """
    report = ImportReport()
    for number, row in enumerate(rows, start=1):
        try:
            values = _product(row)
        except BadRequest as exc:
            report.errors.append(f"row {number}: {exc}")
            continue
        product = session.get(Product, values["sku"])
        if product is None:
            session.add(Product(**values))
            report.created += 1
        elif all(getattr(product, k) == v for k, v in values.items()):
            report.unchanged += 1
        else:
            for k, v in values.items():
                setattr(product, k, v)
            report.updated += 1
        emit(session, "product", values["sku"], values)
    session.flush()
    return report


def import_members(session: Session, rows: list[dict[str, Any]], at: dt.datetime) -> ImportReport:
    """Register members from rows (phone, name, birthday, store, consent, registered_at) and,
    at go-live (source 004), their opening standing: ``points`` (an opening lot), ``tier``,
    ``tier_since``, ``tier_spend`` (yuan counted in the tier's period), ``tier_count`` and
    ``growth`` (see :mod:`posloyalty.hq.golive`; importing again grants nothing twice).

    A phone already registered keeps its member (``unchanged``, or ``updated`` when the row
    brings an opening it did not have); rows without consent are refused.
    """
    report = ImportReport()
    rules = active_rules(session)
    for number, row in enumerate(rows, start=1):
        try:
            golive.check_opening(row, rules)
            store = _text(row, "store")
            if not store:
                raise BadRequest("store is required")
            ensure_store(session, store, at)
            birthday_text = _text(row, "birthday")
            registered_text = _text(row, "registered_at")
            try:
                birthday = dt.date.fromisoformat(birthday_text) if birthday_text else None
                when = dt.datetime.fromisoformat(registered_text) if registered_text else at
            except ValueError as exc:
                raise BadRequest(f"bad date: {exc}") from None
            if when.tzinfo is None:
                raise BadRequest("registered_at needs a UTC offset")
            with session.begin_nested():
                result = register_member(
                    session,
                    store,
                    _text(row, "phone"),
                    _text(row, "name"),
                    birthday,
                    _flag(row, "consent"),
                    when,
                    link_existing=True,
                    channel="import",
                )
                member = session.get(Member, result.member_id)
                opened = member is not None and golive.apply_opening(
                    session, member, row, rules, at
                )
        except BadRequest as exc:
            report.errors.append(f"row {number}: {exc}")
            continue
        if result.created:
            report.created += 1
        elif opened:
            report.updated += 1
        else:
            report.unchanged += 1
    return report


# --------------------------------------------------------------------------- revocations


def revoke_card(session: Session, digest: str, at: dt.datetime, reason: str = "") -> bool:
    """Revoke a static card token by its digest; terminals receive it by pull."""
    if not _DIGEST_RE.match(digest):
        raise BadRequest("a card token digest is 64 lower-case hex characters")
    if session.get(Revocation, digest) is not None:
        return False
    session.add(Revocation(digest=digest, at=at, reason=reason))
    emit(session, "revocation", digest, {"digest": digest, "at": at.isoformat()})
    return True


# --------------------------------------------------------------------------- health


@dataclass(frozen=True, slots=True)
class TerminalHealth:
    store_id: str
    terminal_id: str
    name: str
    revoked: bool
    last_push_at: dt.datetime | None
    last_pull_at: dt.datetime | None
    last_cursor: int
    #: Change sequence numbers HQ has issued since the terminal's cursor (all stores).
    behind: int
    store_open_conflicts: int
    #: Why HQ stopped the terminal's sync (its hash chain broke, hq/chain.py); None: it did not.
    chain_broken: str | None = None


def health(session: Session) -> list[TerminalHealth]:
    """Sync health per store and terminal: last push and pull, cursor, open conflicts."""
    top = high_water(session)
    conflicts = dict(
        session.execute(
            select(Conflict.store_id, func.count())
            .where(Conflict.resolved_at.is_(None))
            .group_by(Conflict.store_id)
        ).all()
    )
    terminals = session.scalars(select(Terminal).order_by(Terminal.store_id, Terminal.id)).all()
    broken = {
        c.terminal_id: f"{c.broken_reason} (since {c.broken_at.isoformat(timespec='seconds')})"
        for c in session.scalars(select(TillChain).where(TillChain.broken_at.is_not(None)))
        if c.broken_at is not None
    }
    return [
        TerminalHealth(
            store_id=t.store_id,
            terminal_id=t.id,
            name=t.name,
            revoked=t.revoked_at is not None,
            last_push_at=t.last_push_at,
            last_pull_at=t.last_pull_at,
            last_cursor=t.last_cursor,
            behind=max(top - t.last_cursor, 0),
            store_open_conflicts=int(conflicts.get(t.store_id, 0)),
            chain_broken=broken.get(t.id),
        )
        for t in terminals
    ]


def clear_chain_break(
    session: Session, terminal_id: str, *, reason: str, at: dt.datetime, operator: str | None = None
) -> None:
    """Let a till whose chain broke push again, after the operator has looked at it; the
    decision is kept in the audit trail (what was broken, who cleared it and why)."""
    reason = " ".join(reason.split())
    if not reason:
        raise BadRequest("say why the chain break is cleared (--reason)")
    state = session.get(TillChain, terminal_id)
    broken = state.broken_reason if state is not None else None
    chain.clear_break(session, terminal_id)
    session.add(
        AuditEvent(
            at=at,
            operator=operator,
            action="clear_chain_break",
            target=f"terminal:{terminal_id}",
            reason=reason,
            detail={"broken": broken or ""},
        )
    )
    session.flush()


def open_conflicts(session: Session, store_id: str | None = None) -> list[Conflict]:
    query = select(Conflict).where(Conflict.resolved_at.is_(None)).order_by(Conflict.id)
    if store_id is not None:
        query = query.where(Conflict.store_id == store_id)
    return list(session.scalars(query))

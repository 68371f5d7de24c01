"""The rules desk: revisions, checking an edited document (problems at their key path and
line), a diff against the revision in force, a preview pricing sample baskets under both,
publishing now or at a later instant, to the chain or to regions and/or stores (tills pull
it once it is in force, as with ``hq publish-rules``), cancelling a scheduled publication and
rolling back to an earlier revision."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from posloyalty.domain.ids import Sku, TierId
from posloyalty.domain.money import Fen
from posloyalty.domain.pricing import Basket, BasketLine, MemberSnapshot, QuoteError, quote
from posloyalty.domain.rules import RuleError, RuleSet, parse_rules_text
from posloyalty.hq import admin
from posloyalty.hq.backoffice import audit
from posloyalty.hq.backoffice.auth import Signed
from posloyalty.hq.backoffice.roles import allowed
from posloyalty.hq.errors import BadRequest, Forbidden, NotFound
from posloyalty.hq.models import Product, RuleDocument, RulePublication

__all__ = [
    "Check",
    "Preview",
    "PreviewRow",
    "active_document",
    "cancel",
    "check_text",
    "diff_lines",
    "parse_instant",
    "preview",
    "publish",
    "revisions",
    "roll_back",
    "scheduled",
]


def revisions(session: Session) -> list[RuleDocument]:
    return list(
        session.scalars(
            select(RuleDocument).order_by(
                RuleDocument.published_at.desc(), RuleDocument.revision.desc()
            )
        )
    )


def active_document(session: Session) -> RuleDocument | None:
    return session.scalar(select(RuleDocument).where(RuleDocument.active.is_(True)))


@dataclass(frozen=True, slots=True)
class Check:
    """An edited document checked: ``rules`` when valid, else the problem at ``path``
    (a dotted key path, ``""`` for the whole document) and the ``line`` it is on (0: unknown)."""

    rules: RuleSet | None
    path: str = ""
    problem: str = ""
    line: int = 0


_SEGMENT = re.compile(r"^([A-Za-z0-9_-]+)(?:\[(\d+)\])?$")


def _line_of(text: str, path: str) -> int:
    """The line holding the key at ``path`` (``tiers.levels[2].min_growth``), best effort:
    the n-th ``[[table]]`` header of an indexed segment, then the key after it."""
    lines = text.splitlines()
    parts = path.split(".") if path else []
    start, table = 0, []
    for part in parts[:-1]:
        m = _SEGMENT.match(part)
        if m is None:
            return 0
        table.append(m.group(1))
        header = re.compile(r"^\s*\[\[?\s*" + re.escape(".".join(table)) + r"\s*\]\]?\s*(#.*)?$")
        seen = -1
        for i in range(start, len(lines)):
            if header.match(lines[i]):
                seen += 1
                if seen == int(m.group(2) or 0):
                    start = i
                    break
    if not parts:
        return 0
    key = _SEGMENT.match(parts[-1])
    if key is None:
        return 0
    pattern = re.compile(r"^\s*" + re.escape(key.group(1)) + r"\s*=")
    for i in range(start, len(lines)):
        if pattern.match(lines[i]):
            return i + 1
    return start + 1 if parts[:-1] else 0


def check_text(text: str) -> Check:
    try:
        return Check(parse_rules_text(text))
    except RuleError as exc:
        line = 0
        m = re.search(r"at line (\d+)", exc.problem)
        if m:
            line = int(m.group(1))
        elif exc.path:
            line = _line_of(text, exc.path)
        return Check(None, exc.path, exc.problem, line)


def diff_lines(old: str, new: str) -> list[tuple[str, str]]:
    """A unified diff as (kind, line): kind ``+``, ``-``, ``@`` (hunk) or `` `` (context)."""
    out = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        out.append((line[:1] if line[:1] in "+-@" else " ", line))
    return out


@dataclass(frozen=True, slots=True)
class PreviewRow:
    basket: str
    who: str
    old_total: Fen | None
    old_points: int | None
    new_total: Fen | None
    new_points: int | None
    problem: str = ""


@dataclass(frozen=True, slots=True)
class Preview:
    rows: list[PreviewRow]
    at: dt.datetime


def _samples(session: Session) -> list[tuple[str, tuple[BasketLine, ...]]]:
    """Sample baskets: from HQ's catalogue (its first products), or fixed ones without one."""
    products = list(session.scalars(select(Product).order_by(Product.sku).limit(3)))
    if products:
        lines = tuple(
            BasketLine(
                Sku(p.sku),
                p.name,
                1 + i,
                Fen(p.price_fen),
                p.special_price,
                p.category,
                Fen(p.member_price_fen) if p.member_price_fen is not None else None,
            )
            for i, p in enumerate(products)
        )
        first = lines[:1]
        return [(f"{first[0].sku} x1", first), ("+".join(ln.sku for ln in lines), lines)]
    return [
        ("59.90", (BasketLine(Sku("SAMPLE-1"), "sample", 1, Fen(5990)),)),
        (
            "2 x 15.00 + 129.00",
            (
                BasketLine(Sku("SAMPLE-2"), "sample", 2, Fen(1500)),
                BasketLine(Sku("SAMPLE-3"), "sample", 1, Fen(12900)),
            ),
        ),
        ("300.00", (BasketLine(Sku("SAMPLE-4"), "sample", 1, Fen(30000)),)),
    ]


def _price(
    rules: RuleSet | None, basket: Basket, tier: str | None
) -> tuple[Fen | None, int | None, str]:
    if rules is None:
        return None, None, ""
    if tier is not None and tier not in rules.tiers.ids():
        return None, None, ""
    try:
        q = quote(rules, basket)
    except QuoteError as exc:
        return None, None, str(exc)
    return q.total, q.points_earned, ""


def preview(session: Session, new: RuleSet, at: dt.datetime) -> Preview:
    """Each sample basket, for a non-member and a member of each tier, priced under the rules
    in force and under ``new``, side by side."""
    current = active_document(session)
    old = parse_rules_text(current.text) if current is not None else None
    tiers: list[str | None] = [None, *new.tiers.ids()]
    rows = []
    for name, lines in _samples(session):
        for tier in tiers:
            member = None if tier is None else MemberSnapshot(TierId(tier), 0, 0)
            basket = Basket(at=at, member=member, lines=lines)
            ot, op, oproblem = _price(old, basket, tier)
            nt, np, nproblem = _price(new, basket, tier)
            rows.append(PreviewRow(name, tier or "", ot, op, nt, np, nproblem or oproblem))
    return Preview(rows, at)


def _must_edit(who: Signed) -> None:
    if not allowed(who.role, "edit_rules"):
        raise Forbidden("your role may not change the rules")


def parse_instant(text: str) -> dt.datetime | None:
    """The publish form's instant: ISO 8601 with an offset (``2026-12-24T00:00+08:00``);
    empty: now."""
    text = text.strip()
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(
            f"{text[:40]!r} is not a date and time like 2026-12-24T00:00+08:00"
        ) from None
    if when.tzinfo is None or when.utcoffset() is None:
        raise BadRequest(f"{text[:40]!r} needs a time zone offset, e.g. +08:00")
    return when


def _scope_detail(stores: list[str], regions: list[str]) -> dict[str, object]:
    return {"stores": stores, "regions": regions} if stores or regions else {}


def publish(
    session: Session,
    who: Signed,
    text: str,
    at: dt.datetime,
    *,
    effective_at: dt.datetime | None = None,
    stores: tuple[str, ...] = (),
    regions: tuple[str, ...] = (),
) -> admin.Published:
    """Publish an edited document now or at ``effective_at``, to the chain or to ``stores``
    and ``regions`` (``hq publish-rules``' path: tills pull it once it is in force)."""
    _must_edit(who)
    done = admin.publish_rules(
        session,
        text,
        at,
        effective_at=effective_at,
        stores=stores,
        regions=regions,
        by=who.username,
    )
    detail: dict[str, object] = {"changed": done.changed}
    if done.publication is not None:
        row = session.get(RulePublication, done.publication)
        assert row is not None
        detail |= _scope_detail(list(row.stores), list(row.regions))
        if row.effective_at > at:
            detail["effective_at"] = row.effective_at.isoformat()
    audit.record(
        session,
        at,
        who.username,
        "rules_scheduled" if "effective_at" in detail else "rules_published",
        f"rules:{done.id}@{done.revision}",
        detail=detail,
    )
    return done


def roll_back(
    session: Session,
    who: Signed,
    doc_id: str,
    revision: int,
    at: dt.datetime,
    *,
    stores: tuple[str, ...] = (),
    regions: tuple[str, ...] = (),
) -> admin.Published:
    """Put an earlier published revision back in force now, chain-wide or in a scope (it is
    published again as it was)."""
    _must_edit(who)
    doc = session.get(RuleDocument, (doc_id, revision))
    if doc is None:
        raise NotFound(f"no revision {revision} of {doc_id!r}")
    if doc.active and not stores and not regions:
        raise BadRequest(f"{doc_id}@{revision} is already in force")
    done = admin.publish_rules(
        session, doc.text, at, stores=stores, regions=regions, by=who.username
    )
    audit.record(
        session,
        at,
        who.username,
        "rules_rolled_back",
        f"rules:{doc_id}@{revision}",
        detail=_scope_detail(*admin.check_scope(session, stores, regions)) or None,
    )
    return done


def scheduled(session: Session, at: dt.datetime) -> list[RulePublication]:
    """Publications still to take effect (not cancelled), soonest first."""
    return list(
        session.scalars(
            select(RulePublication)
            .where(RulePublication.effective_at > at, RulePublication.cancelled_at.is_(None))
            .order_by(RulePublication.effective_at, RulePublication.id)
        )
    )


def cancel(session: Session, who: Signed, publication: int, at: dt.datetime) -> None:
    """Cancel a scheduled publication before it takes effect."""
    _must_edit(who)
    row = admin.cancel_publication(session, publication, at)
    audit.record(
        session,
        at,
        who.username,
        "rules_schedule_cancelled",
        f"rules:{row.doc_id}@{row.revision}",
        detail={"publication": row.id, "effective_at": row.effective_at.isoformat()},
    )

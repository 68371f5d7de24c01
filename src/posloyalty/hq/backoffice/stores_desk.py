"""The stores and tills desk: enrolment codes (shown once, with a QR code a till's camera
reads), regions, revoking a till, and clearing a till whose hash chain broke. HQ admins only;
each change is audited with its reason in the same transaction."""

from __future__ import annotations

import datetime as dt
import io
import re

import qrcode  # type: ignore[import-untyped]  # no stubs shipped
import qrcode.image.svg  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session

from posloyalty.hq import admin, enrolment
from posloyalty.hq.backoffice import audit
from posloyalty.hq.backoffice.auth import Signed
from posloyalty.hq.backoffice.members_desk import reason_of
from posloyalty.hq.backoffice.roles import allowed
from posloyalty.hq.errors import BadRequest, Forbidden, NotFound
from posloyalty.hq.models import Store, StoreRegion, Terminal

__all__ = [
    "clear_chain",
    "issue_code",
    "qr_svg",
    "regions",
    "revoke_till",
    "set_region",
]

_REGION_RE = re.compile(r"^[\w-]{1,32}$")


def _need(who: Signed) -> None:
    if not allowed(who.role, "manage_stores"):
        raise Forbidden("your role may not manage stores and tills")


def issue_code(session: Session, who: Signed, store_id: str, at: dt.datetime) -> str:
    """A new single-use enrolment code for an existing store (valid for the default time)."""
    _need(who)
    if session.get(Store, store_id) is None:
        raise NotFound(f"no store {store_id!r}")
    code = enrolment.make_enrolment_code(session, store_id, at)
    audit.record(session, at, who.username, "enrolment_code", f"store:{store_id}")
    return code


def qr_svg(text: str) -> str:
    """``text`` as a QR code, an inline SVG element (the ``qrcode`` package draws it)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg") :]  # without the XML declaration: it sits inside HTML


def set_region(  # noqa: PLR0917 (who, which store, which region, why, when)
    session: Session, who: Signed, store_id: str, region: str, reason: str, at: dt.datetime
) -> None:
    """Put a store in a region (letters, digits, _ or -, up to 32) from this UTC day on (its
    earlier days stay where they were: ``store_regions``); empty takes it out."""
    _need(who)
    store = session.get(Store, store_id)
    if store is None:
        raise NotFound(f"no store {store_id!r}")
    region = region.strip()
    if region and not _REGION_RE.match(region):
        raise BadRequest("a region is 1-32 letters, digits, _ or -")
    why = reason_of(reason)
    before = store.region
    store.region = region or None
    # From this UTC day on: the days before stay in the region the store was in.
    history = session.get(StoreRegion, (store_id, at.astimezone(dt.UTC).date()))
    if history is None:
        session.add(
            StoreRegion(store_id=store_id, since=at.astimezone(dt.UTC).date(), region=store.region)
        )
    else:
        history.region = store.region
    audit.record(
        session,
        at,
        who.username,
        "store_region",
        f"store:{store_id}",
        why,
        {"from": before, "to": store.region},
    )


def regions(session: Session) -> list[str]:
    return [
        r
        for r in session.scalars(select(Store.region).distinct().order_by(Store.region))
        if r is not None
    ]


def _terminal(session: Session, terminal_id: str) -> Terminal:
    terminal = session.get(Terminal, terminal_id)
    if terminal is None:
        raise NotFound(f"no till {terminal_id!r}")
    return terminal


def revoke_till(
    session: Session, who: Signed, terminal_id: str, reason: str, at: dt.datetime
) -> None:
    """Revoke a till's credential: HQ refuses its pushes and pulls from now on."""
    _need(who)
    _terminal(session, terminal_id)
    why = reason_of(reason)
    if not enrolment.revoke_terminal(session, terminal_id, at):
        raise BadRequest(f"till {terminal_id} was already revoked")
    audit.record(session, at, who.username, "revoke_till", f"terminal:{terminal_id}", why)


def clear_chain(
    session: Session, who: Signed, terminal_id: str, reason: str, at: dt.datetime
) -> None:
    """Let a till whose hash chain broke push again (:func:`hq.admin.clear_chain_break`),
    after the operator looked at it and says why."""
    _need(who)
    _terminal(session, terminal_id)
    why = reason_of(reason)
    # Audited there (action clear_chain_break, with what was broken), as from the CLI.
    admin.clear_chain_break(session, terminal_id, reason=why, at=at, operator=who.username)

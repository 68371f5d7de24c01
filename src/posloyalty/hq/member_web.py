"""A member signing in with phone + one-time SMS code, and reading their own account.

- ``POST /v1/members/sign-in/code`` ``{"phone"}``: sends a sign-in code to a member's phone.
  The answer is the same for every number (``{"sent": true}``): whether a number is a member
  is told only to its owner, by the SMS. 429 over the limits, 502 the SMS provider failed.
- ``POST /v1/members/sign-in`` ``{"phone", "code"}``: a session token for the member
  (``hq.member_sessions``); 401 for a wrong, used or expired code.
- ``GET /v1/members/me`` (``Authorization: Bearer <session token>``): the member's own
  standing: tier and what the next tier still needs, growth, points available, pending points
  with their release dates, points expiring within 90 days with their dates, held coupons,
  recent activity (sales, returns, points). A session whose device was replaced by a newer
  sign-in gets 401 with ``X-Session-Ended: replaced`` (``hq.member_sessions``).
- ``GET /v1/members/me/card``: that and the secret the card page makes member codes with.
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoint annotations.
import datetime as dt
import math
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from posloyalty.domain import points, tiers
from posloyalty.domain.codes import DEFAULT_STEP_S
from posloyalty.hq import member_sessions
from posloyalty.hq.jobs import opening_start
from posloyalty.hq.ledger import active_rules, entries_for, purchases_for
from posloyalty.hq.members import aliases_of, secret_of
from posloyalty.hq.models import Coupon, LedgerEntry, Member, Sale
from posloyalty.hq.phone_codes import PhoneCodes, TooManyCodes
from posloyalty.hq.selfreg import FormProblem, clean_phone
from posloyalty.hq.services import HqService
from posloyalty.hq.sms import SmsError
from posloyalty.sync.protocol import ErrorBody

__all__ = [
    "ACTIVITY_ROWS",
    "EXPIRING_WITHIN",
    "REPLACED_HEADER",
    "Activity",
    "MemberAccount",
    "MemberCard",
    "PointsLot",
    "account_of",
    "mount",
]

#: How far ahead "points expiring soon" looks, and how many activity rows the card shows.
EXPIRING_WITHIN = dt.timedelta(days=90)
ACTIVITY_ROWS = 12
#: Set (to ``replaced``) on the 401 of a session whose device was replaced by a new sign-in.
REPLACED_HEADER = "X-Session-Ended"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CodeRequest(_Body):
    phone: str = Field(min_length=1, max_length=40)


class SignInRequest(_Body):
    phone: str = Field(min_length=1, max_length=40)
    code: str = Field(min_length=1, max_length=12)


class SignedIn(BaseModel):
    token: str
    member_id: str


class PointsLot(BaseModel):
    points: int
    #: When pending points become spendable, or when points expire (ISO 8601).
    at: str


class Activity(BaseModel):
    #: ``sale``, ``return`` or ``points`` (a ledger entry: earn, redeem, expire, adjust...).
    kind: str
    at: str
    store_id: str | None = None
    #: Sales and returns: the amount in fen (a return's is negative).
    total_fen: int | None = None
    #: Points entries: the points (negative when spent or expired) and the entry's kind.
    points: int | None = None
    entry_kind: str | None = None


class MemberAccount(BaseModel):
    member_id: str
    tier: str | None
    tier_name: str | None = None
    #: End of the current tier's period (None: it does not lapse).
    tier_valid_until: str | None = None
    #: The next tier up and what is still needed for it (an "or" rule: either part suffices).
    next_tier: str | None = None
    next_tier_name: str | None = None
    needed_spend_fen: int = 0
    needed_count: int = 0
    needed_growth: int = 0
    growth: int
    points_available: int
    points_pending: int
    #: Pending points by the date they become spendable, earliest first.
    pending_lots: list[PointsLot] = Field(default_factory=list)
    next_expiry: str | None
    expiring_points: int
    #: Points that expire within :data:`EXPIRING_WITHIN`, by expiry date, earliest first.
    expiring_soon: list[PointsLot] = Field(default_factory=list)
    coupons: list[dict[str, Any]]
    #: The latest sales, returns and points entries, newest first.
    activity: list[Activity] = Field(default_factory=list)


class MemberCard(BaseModel):
    member_id: str
    #: Hex: the key of the member's dynamic codes.
    secret: str
    step: int
    account: MemberAccount


def mount(
    app: FastAPI,
    service: HqService,
    codes: PhoneCodes,
    ip_limits: Callable[[str], float],
    phone_pattern: str,
    *,
    client_of: Callable[[Request], str] | None = None,
) -> None:
    """Add the member sign-in endpoints to ``app``; ``client_of`` names the client (the socket
    peer, or the forwarded address behind a trusted proxy: hq.edge)."""
    bearer = HTTPBearer(auto_error=False, description="a member session token")

    def address(request: Request) -> str:
        if client_of is not None:
            host = client_of(request)
        else:
            host = request.client.host if request.client else "?"
        wait = ip_limits(host)
        if wait:
            raise HTTPException(
                429, "too many requests; wait", headers={"Retry-After": str(math.ceil(wait))}
            )
        return host

    def phone_of(text: str) -> str | None:
        try:
            return clean_phone(text, phone_pattern)
        except FormProblem:
            return None

    errors: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorBody} for code in (401, 429, 502)
    }

    @app.post("/v1/members/sign-in/code", status_code=202, responses=errors)
    def send_code(body: CodeRequest, request: Request) -> dict[str, bool]:
        where = address(request)
        phone = phone_of(body.phone)
        if phone is None:  # no member has it: the same answer, and no SMS
            return {"sent": True}
        try:
            codes.send(phone, "sign_in", where)
        except TooManyCodes as exc:
            raise HTTPException(
                429, "too many codes asked for", headers={"Retry-After": str(int(exc.wait_s) + 1)}
            ) from None
        except SmsError:
            raise HTTPException(502, "the code could not be sent; try again shortly") from None
        return {"sent": True}

    @app.post("/v1/members/sign-in", response_model=SignedIn, responses=errors)
    def sign_in(body: SignInRequest, request: Request) -> SignedIn:
        address(request)
        phone = phone_of(body.phone)
        at = service.clock.now()
        token = (
            service.db.run(lambda s: member_sessions.sign_in(s, phone, body.code, at))
            if phone is not None
            else None
        )
        if token is None:
            raise HTTPException(401, "wrong or expired code; ask for a new one")
        return SignedIn(token=token, member_id=token.split(".", 1)[0])

    def member(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> str:
        at = service.clock.now()
        token = credentials.credentials if credentials else ""
        try:
            with service.db.transaction(writer=False) as session:
                found = member_sessions.member_of_session(session, token, at)
        except member_sessions.DeviceReplaced as exc:
            # The page tells this apart from an expired session: it forgets the card and says
            # the member signed in on another device.
            raise HTTPException(
                401, str(exc), headers={"WWW-Authenticate": "Bearer", REPLACED_HEADER: "replaced"}
            ) from None
        if found is None:
            raise HTTPException(401, "sign in again", headers={"WWW-Authenticate": "Bearer"})
        return found

    @app.get("/v1/members/me", response_model=MemberAccount, responses=errors)
    def me(member_id: Annotated[str, Depends(member)]) -> MemberAccount:
        at = service.clock.now()
        with service.db.transaction(writer=False) as session:
            return account_of(session, member_id, at)

    @app.get("/v1/members/me/card", response_model=MemberCard, responses=errors)
    def card(member_id: Annotated[str, Depends(member)]) -> MemberCard:
        """What the member's card page keeps on the phone: the secret its codes are made with
        (the tills verify them with the same) and the account to show without signal."""
        at = service.clock.now()
        with service.db.transaction(writer=False) as session:
            row = session.get(Member, member_id)
            assert row is not None
            return MemberCard(
                member_id=member_id,
                secret=secret_of(session, row).hex(),
                step=DEFAULT_STEP_S,
                account=account_of(session, member_id, at),
            )


def account_of(session: Session, member_id: str, at: dt.datetime) -> MemberAccount:
    """The member's own standing: the balance and tier HQ's jobs last computed, the lots and
    what the next tier needs replayed now with the domain rules, coupons and recent activity."""
    row = session.get(Member, member_id)
    assert row is not None
    state = row.state or {}
    rules = active_rules(session)
    tier = state.get("tier")
    tier_name = tier
    names: dict[str, str] = {}
    standing: dict[str, Any] = {}
    if rules is not None:
        if tier in rules.tiers.ids():
            tier_name = rules.tiers.level(tier).name
        names = {c.id: c.name for c in rules.coupons.values()}
        status = tiers.tier_status(
            rules.tiers,
            purchases_for(session, member_id, rules.growth.per_yuan),
            at,
            growth_per_yuan=rules.growth.per_yuan,
            start=opening_start(state.get("opening")),
        )
        standing = {
            "tier_valid_until": _iso(status.valid_until) if status.valid_until else None,
            "next_tier": status.next_tier,
            "next_tier_name": rules.tiers.level(status.next_tier).name
            if status.next_tier
            else None,
            "needed_spend_fen": int(status.needed_spend),
            "needed_count": status.needed_count,
            "needed_growth": status.needed_growth,
        }
    held = session.scalars(
        select(Coupon)
        .where(Coupon.member_id == member_id, Coupon.used_at.is_(None), Coupon.valid_until > at)
        .order_by(Coupon.valid_until)
    ).all()
    live = [lot for lot in points.lots(entries_for(session, member_id), at) if lot.remaining > 0]
    pending = _by_date(
        (lot.available_at, lot.remaining) for lot in live if lot.pending(at) and lot.available_at
    )
    soon = at + EXPIRING_WITHIN
    expiring = _by_date(
        (lot.expires_at, lot.remaining)
        for lot in live
        if lot.expires_at is not None and at < lot.expires_at <= soon
    )
    return MemberAccount(
        member_id=member_id,
        tier=tier,
        tier_name=tier_name,
        growth=int(state.get("growth", 0)),
        points_available=int(state.get("available", 0)),
        points_pending=int(state.get("pending", 0)),
        pending_lots=pending,
        next_expiry=state.get("next_expiry"),
        expiring_points=int(state.get("expiring_points", 0)),
        expiring_soon=expiring,
        coupons=[
            {
                "code": c.code,
                "template": c.template,
                "name": names.get(c.template, c.template),
                "valid_until": _iso(c.valid_until),
            }
            for c in held
        ],
        activity=_activity(session, member_id, at),
        **standing,
    )


def _by_date(pairs: Iterable[tuple[dt.datetime, int]]) -> list[PointsLot]:
    totals: dict[dt.datetime, int] = {}
    for when, amount in pairs:
        totals[when] = totals.get(when, 0) + amount
    return [PointsLot(points=totals[when], at=_iso(when)) for when in sorted(totals)]


def _activity(session: Session, member_id: str, at: dt.datetime) -> list[Activity]:
    refs = aliases_of(session, member_id) or [member_id]
    sales = session.scalars(
        select(Sale)
        .where(Sale.member_ref.in_(refs), Sale.at <= at)
        .order_by(Sale.at.desc(), Sale.id.desc())
        .limit(ACTIVITY_ROWS)
    ).all()
    entries = session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.member_ref.in_(refs), LedgerEntry.at <= at, LedgerEntry.points != 0)
        .order_by(LedgerEntry.at.desc(), LedgerEntry.id.desc())
        .limit(ACTIVITY_ROWS)
    ).all()
    rows = [
        (
            sale.at,
            Activity(
                kind="return" if sale.original_sale_id else "sale",
                at=_iso(sale.at),
                store_id=sale.store_id,
                total_fen=-abs(sale.total_fen) if sale.original_sale_id else sale.total_fen,
            ),
        )
        for sale in sales
    ] + [
        (
            e.at,
            Activity(
                kind="points",
                at=_iso(e.at),
                store_id=e.store_id,
                points=e.points,
                entry_kind=e.kind,
            ),
        )
        for e in entries
    ]
    rows.sort(key=lambda pair: pair[0], reverse=True)
    return [activity for _, activity in rows[:ACTIVITY_ROWS]]


def _iso(value: dt.datetime) -> str:
    return value.isoformat()

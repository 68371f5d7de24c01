"""A member signing in with phone + one-time SMS code, and reading their own account.

- ``POST /v1/members/sign-in/code`` ``{"phone"}``: sends a sign-in code to a member's phone.
  The answer is the same for every number (``{"sent": true}``): whether a number is a member
  is told only to its owner, by the SMS. 429 over the limits, 502 the SMS provider failed.
- ``POST /v1/members/sign-in`` ``{"phone", "code"}``: a session token for the member
  (``hq.member_sessions``); 401 for a wrong, used or expired code.
- ``GET /v1/members/me`` (``Authorization: Bearer <session token>``): the member's own
  standing: tier, growth, points available and pending, points expiring next, held coupons.
- ``GET /v1/members/me/card``: that and the secret the card page makes member codes with.
"""

# No ``from __future__ import annotations``: FastAPI reads the endpoint annotations.
import datetime as dt
import math
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from posloyalty.domain.codes import DEFAULT_STEP_S
from posloyalty.hq import member_sessions
from posloyalty.hq.ledger import active_rules
from posloyalty.hq.members import secret_of
from posloyalty.hq.models import Coupon, Member
from posloyalty.hq.phone_codes import PhoneCodes, TooManyCodes
from posloyalty.hq.selfreg import FormProblem, clean_phone
from posloyalty.hq.services import HqService
from posloyalty.hq.sms import SmsError
from posloyalty.sync.protocol import ErrorBody

__all__ = ["MemberAccount", "MemberCard", "account_of", "mount"]


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


class MemberAccount(BaseModel):
    member_id: str
    tier: str | None
    tier_name: str | None = None
    growth: int
    points_available: int
    points_pending: int
    next_expiry: str | None
    expiring_points: int
    coupons: list[dict[str, Any]]


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
        with service.db.transaction(writer=False) as session:
            found = member_sessions.member_of_session(session, token, at)
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
    """The member's own standing, as HQ's jobs last computed it."""
    row = session.get(Member, member_id)
    assert row is not None
    state = row.state or {}
    rules = active_rules(session)
    tier = state.get("tier")
    tier_name = tier
    names: dict[str, str] = {}
    if rules is not None:
        if tier in rules.tiers.ids():
            tier_name = rules.tiers.level(tier).name
        names = {c.id: c.name for c in rules.coupons.values()}
    held = session.scalars(
        select(Coupon)
        .where(Coupon.member_id == member_id, Coupon.used_at.is_(None), Coupon.valid_until > at)
        .order_by(Coupon.valid_until)
    ).all()
    return MemberAccount(
        member_id=member_id,
        tier=tier,
        tier_name=tier_name,
        growth=int(state.get("growth", 0)),
        points_available=int(state.get("available", 0)),
        points_pending=int(state.get("pending", 0)),
        next_expiry=state.get("next_expiry"),
        expiring_points=int(state.get("expiring_points", 0)),
        coupons=[
            {
                "code": c.code,
                "template": c.template,
                "name": names.get(c.template, c.template),
                "valid_until": _iso(c.valid_until),
            }
            for c in held
        ],
    )


def _iso(value: dt.datetime) -> str:
    return value.isoformat()

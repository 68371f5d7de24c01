"""Coupons a member holds at the till (``member_coupons``): found, listed, handed out.

A sale marks the ones it uses (:mod:`.repo`); HQ's slice writes its own (:mod:`.pulled`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from posloyalty.tilldb.errors import StoreDataError
from posloyalty.tilldb.models import MemberCoupon

__all__ = ["CouponRecord", "coupon_by_code", "held_coupons", "issue_coupon"]


@dataclass(frozen=True, slots=True)
class CouponRecord:
    code: str
    member: str
    #: The rules' coupon template it is an instance of.
    template: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    #: The sale that used it; None while it is still to be used.
    used_sale: str | None


def _record(c: MemberCoupon) -> CouponRecord:
    return CouponRecord(c.code, c.member, c.template, c.valid_from, c.valid_until, c.used_sale)


def coupon_by_code(session: Session, code: str) -> CouponRecord | None:
    coupon = session.get(MemberCoupon, code)
    return _record(coupon) if coupon is not None else None


def held_coupons(session: Session, member_id: str) -> list[CouponRecord]:
    """The member's coupons not used yet (expired ones included: the caller knows the time)."""
    found = session.scalars(
        select(MemberCoupon).where(
            MemberCoupon.member == member_id, MemberCoupon.used_sale.is_(None)
        )
    )
    return [_record(c) for c in found]


def issue_coupon(
    session: Session,
    *,
    code: str,
    member_id: str,
    template: str,
    valid_from: dt.datetime,
    valid_until: dt.datetime,
) -> CouponRecord:
    """Hand ``member_id`` a new coupon; a code already taken is refused."""
    if session.get(MemberCoupon, code) is not None:
        raise StoreDataError(f"coupon code {code!r} is already taken")
    coupon = MemberCoupon(
        code=code,
        member=member_id,
        template=template,
        valid_from=valid_from,
        valid_until=valid_until,
        used_sale=None,
    )
    session.add(coupon)
    session.flush()
    return _record(coupon)

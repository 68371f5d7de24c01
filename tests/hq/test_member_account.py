"""The member's own account over HTTP (what the card page shows): balance, pending points with
their release dates, points expiring soon with their dates, tier and what the next tier still
needs, held coupons, recent activity; and one device at a time (a new sign-in ends the old
device's session and rotates the member's secret)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hq_server import RunningServer
from test_self_registration import MINISO

from posloyalty.clock import FixedClock
from posloyalty.domain import codes
from posloyalty.domain.ids import MemberId
from posloyalty.hq.member_web import REPLACED_HEADER
from posloyalty.hq.members import issue_coupon, secret_of
from posloyalty.hq.models import LedgerEntry, Member, Sale
from posloyalty.hq.phone_codes import SmsLimits
from posloyalty.hq.selfreg import SelfRegConfig
from posloyalty.hq.services import HqService

TIMEOUT = 10
PHONE = "13812345678"
DAY = dt.timedelta(days=1)


def _sign_in(server: RunningServer, phone: str = PHONE) -> str:
    base = f"{server.url}/v1/members"
    r = requests.post(f"{base}/sign-in/code", json={"phone": phone}, timeout=TIMEOUT)
    assert r.status_code == 202
    code = server.sms.last_code(phone)
    assert code is not None
    r = requests.post(f"{base}/sign-in", json={"phone": phone, "code": code}, timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    token: str = r.json()["token"]
    return token


def _get(server: RunningServer, path: str, token: str) -> requests.Response:
    return requests.get(
        f"{server.url}/v1/members/{path}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )


def _entry(member: str, n: int, points: int, at: dt.datetime, **more: Any) -> LedgerEntry:
    values: dict[str, Any] = {
        "id": f"E-{n}",
        "member_ref": member,
        "kind": "earn",
        "points": points,
        "lot": f"L-{n}",
        "at": at,
        "available_at": at,
        "expires_at": None,
        "renews_until": None,
        "sale_id": None,
        "reason": "",
        "store_id": "S1",
        "terminal_id": "T1",
        "received_at": at,
    }
    return LedgerEntry(**(values | more))


def _sale(member: str, sale_id: str, at: dt.datetime, fen: int, **more: Any) -> Sale:
    values: dict[str, Any] = {
        "id": sale_id,
        "store_id": "S2",
        "terminal_id": "T2",
        "member_ref": member,
        "at": at,
        "total_fen": fen,
        "growth": fen // 10,
        "payload": {},
        "received_at": at,
    }
    return Sale(**(values | more))


def member_with_history(svc: HqService, clock: FixedClock) -> str:
    svc.publish_rules(MINISO.read_text(encoding="utf-8"))
    member = svc.register_member("S1", PHONE, "Li", None, True).member_id
    now = clock.now()
    with svc.db.transaction() as s:
        s.add_all(
            [
                _sale(member, "SALE-1", now - 40 * DAY, 12_000),  # 120.00: growth 1,200
                _sale(member, "SALE-2", now - 35 * DAY, 2_000),
                _sale(
                    member,
                    "RET-1",
                    now - 34 * DAY,
                    -2_000,
                    growth=-200,
                    original_sale_id="SALE-2",
                    full_return=True,
                ),
            ]
        )
        s.flush()
        s.add_all(
            [
                # Spendable, expires in 20 days.
                _entry(member, 1, 300, now - 40 * DAY, expires_at=now + 20 * DAY),
                # Spendable, expires in a year: not "soon".
                _entry(member, 2, 50, now - 36 * DAY, expires_at=now + 365 * DAY),
                # Pending for another 5 days, then expires in 60.
                _entry(
                    member,
                    3,
                    80,
                    now - 2 * DAY,
                    available_at=now + 5 * DAY,
                    expires_at=now + 60 * DAY,
                ),
                _entry(member, 4, -100, now - DAY, kind="redeem", lot="L-1"),
            ]
        )
        issue_coupon(
            s,
            member,
            template="spend_99_minus_20",
            valid_from=now - DAY,
            valid_until=now + 10 * DAY,
            at=now - DAY,
        )
    svc.run_jobs(full=True)
    return member


def test_the_account_has_every_figure_of_the_card(
    svc: HqService, clock: FixedClock, server: RunningServer
) -> None:
    member = member_with_history(svc, clock)
    now = clock.now()
    me = _get(server, "me", _sign_in(server))
    assert me.status_code == 200, me.text
    a = me.json()
    assert a["member_id"] == member
    assert (a["points_available"], a["points_pending"]) == (250, 80)
    assert a["pending_lots"] == [{"points": 80, "at": (now + 5 * DAY).isoformat()}]
    # Within 90 days: lot 1 (200 left after the redemption) and the pending lot's expiry.
    assert a["expiring_soon"] == [
        {"points": 200, "at": (now + 20 * DAY).isoformat()},
        {"points": 80, "at": (now + 60 * DAY).isoformat()},
    ]
    # Growth family (miniso): 1,200 growth counts (the returned sale's is undone): Regular,
    # 1,800 still needed for Silver.
    assert (a["tier"], a["tier_name"], a["growth"]) == ("regular", "普通卡", 1200)
    assert (a["next_tier"], a["next_tier_name"], a["needed_growth"]) == ("silver", "银卡", 1800)
    assert a["needed_spend_fen"] == 18_000  # the same 1,800 growth as spend (10 a yuan)
    (coupon,) = a["coupons"]
    assert coupon["template"] == "spend_99_minus_20"
    assert coupon["valid_until"] == (now + 10 * DAY).isoformat()
    kinds = [
        (r["kind"], r.get("total_fen"), r.get("points"), r.get("entry_kind")) for r in a["activity"]
    ]
    assert kinds == [
        ("points", None, -100, "redeem"),
        ("points", None, 80, "earn"),
        ("return", -2_000, None, None),
        ("sale", 2_000, None, None),
        ("points", None, 50, "earn"),
        ("sale", 12_000, None, None),
        ("points", None, 300, "earn"),
    ]
    assert a["activity"][2]["store_id"] == "S2"
    # The card carries the same account beside the secret.
    card = _get(server, "me/card", _sign_in_again(server, clock)).json()
    assert card["account"]["pending_lots"] == a["pending_lots"]


def _sign_in_again(server: RunningServer, clock: FixedClock) -> str:
    clock.advance(seconds=61)
    return _sign_in(server)


@pytest.fixture
def server(svc: HqService) -> Iterator[RunningServer]:
    """HQ with no SMS limits worth the name (a sign-in twice a minute from one phone)."""
    lax = SelfRegConfig(sms_limits=SmsLimits(interval_s=0, per_phone_hour=100))
    with RunningServer(svc, lax) as running:
        yield running


def test_a_new_device_ends_the_old_one_and_rotates_the_secret(
    svc: HqService, clock: FixedClock, server: RunningServer
) -> None:
    svc.publish_rules(MINISO.read_text(encoding="utf-8"))
    member = svc.register_member("S1", PHONE, "Li", None, True).member_id
    first = _sign_in(server)
    old = _get(server, "me/card", first)
    assert old.status_code == 200
    old_secret = bytes.fromhex(old.json()["secret"])
    at = int(clock.now().timestamp())
    old_code = codes.make_dynamic(MemberId(member), old_secret, at)
    assert codes.verify_dynamic(old_code, old_secret, at).ok
    second = _sign_in_again(server, clock)
    # The old device: a clear "signed in on another device", not a plain expiry.
    gone = _get(server, "me/card", first)
    assert gone.status_code == 401 and gone.headers[REPLACED_HEADER] == "replaced"
    assert gone.json()["detail"] == "signed in on another device"
    assert _get(server, "me", first).status_code == 401
    # The new device has a new secret; the old device's codes no longer verify with it.
    new = _get(server, "me/card", second)
    assert new.status_code == 200
    new_secret = bytes.fromhex(new.json()["secret"])
    assert new_secret != old_secret
    with svc.db.transaction() as s:
        row = s.get(Member, member)
        assert row is not None and secret_of(s, row) == new_secret
    assert not codes.verify_dynamic(old_code, new_secret, at).ok
    # A forged token naming the new device's id under another MAC reads nothing (no 'replaced').
    parts = second.split(".")
    forged = ".".join([*parts[:3], "A" * 32])
    bad = _get(server, "me", forged)
    assert bad.status_code == 401 and REPLACED_HEADER not in bad.headers
    assert _get(server, "me", second).status_code == 200

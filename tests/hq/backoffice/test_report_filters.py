"""Report filters by tier and channel, computed by hand on the chain of test_reports (October
2026: A gold, B silver, C regular, D no tier; C and D joined through a self-registration link
here, B at a till, A before HQ recorded channels), and the channel each way of joining records."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update
from test_reports import OCT, chain, report  # noqa: F401 (the chain fixture)

from posloyalty.hq import admin
from posloyalty.hq.errors import BadRequest
from posloyalty.hq.models import Member
from posloyalty.hq.reports import Scope
from posloyalty.hq.services import HqService


@pytest.fixture
def channels(chain: HqService) -> HqService:  # noqa: F811 (the imported fixture)
    with chain.db.transaction() as s:
        s.execute(update(Member).where(Member.id.in_(("C", "D"))).values(channel="link"))
        s.execute(update(Member).where(Member.id == "B").values(channel="till"))
    return chain


def by(tier: str | None = None, channel: str | None = None) -> Scope:
    return Scope(OCT.start, OCT.end, None, tier, channel)


def test_member_reports_by_tier(channels: HqService) -> None:
    gold = report(channels, "members", by(tier="gold"))
    assert gold.figures == {"members": 1, "joined": 0, "growth_pct": 0.0}
    assert report(channels, "tiers", by(tier="silver")).rows == [["silver", 1, 100.0]]
    # A bought twice in October (250.00, 21 days before Nov 1); B's net 200.00 once.
    assert report(channels, "rfm", by(tier="gold")).rows == [[5, 2, 1, "250.00"]]
    assert report(channels, "rfm", by(tier="silver")).rows == [[5, 1, 1, "200.00"]]
    assert report(channels, "concentration", by(tier="silver")).figures == {
        "top_20_share_pct": 100.0
    }
    # Repurchase: to Oct 31, the gold member has 3 orders.
    rows = {r[0]: r[1:] for r in report(channels, "repurchase", by(tier="gold")).rows}
    assert rows["period"] == [1, 1, 100.0] and rows["order_3"] == [1, 0, 0.0]


def test_member_reports_by_channel(channels: HqService) -> None:
    assert report(channels, "joins_channel").rows == [["link", 2], ["till", 1]]
    assert report(channels, "joins", by(channel="link")).rows == [["S2", 2]]
    # C bought once in October, D never.
    lifecycle = dict((r[0], r[1]) for r in report(channels, "lifecycle", by(channel="link")).rows)
    assert (lifecycle["growth"], lifecycle["introduction"]) == (1, 1)
    assert report(channels, "members", by(channel="import")).figures["members"] == 0


@pytest.mark.parametrize("name", ["member_share", "points"])
def test_store_day_figures_take_no_member_filter(channels: HqService, name: str) -> None:
    with pytest.raises(BadRequest):
        report(channels, name, by(tier="gold"))


def test_each_way_of_joining_records_its_channel(svc: HqService) -> None:
    at = svc.clock.now()
    till = svc.register_member("S1", "13800009901", "", None, True)
    with svc.db.transaction() as s:
        admin.import_members(
            s, [{"store": "S1", "phone": "13800009902", "consent": "1"}], at + dt.timedelta(0)
        )
        imported = s.query(Member).filter(Member.id != till.member_id).one()
        assert (s.get_one(Member, till.member_id).channel, imported.channel) == ("till", "import")

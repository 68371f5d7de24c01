"""Joins per store, channel and cashier, computed by hand on the chain of test_reports
(October 2026: B joined at a till in S1, C and D through a link in S2) with two more till
joins in S1: G by cashier c7 (as B), H from a till too old to name its cashier."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from test_reports import OCT, _member, chain, noon, report  # noqa: F401 (the chain fixture)

from posloyalty.hq.models import Member
from posloyalty.hq.reports import Scope
from posloyalty.hq.services import HqService


@pytest.fixture
def cashiers(chain: HqService) -> HqService:  # noqa: F811 (the imported fixture)
    with chain.db.transaction() as s:
        _member(s, "G", noon(10, 4), "S1")
        _member(s, "H", noon(10, 5), "S1")
        s.flush()
        s.execute(update(Member).where(Member.id.in_(("C", "D"))).values(channel="link"))
        s.execute(update(Member).where(Member.id.in_(("B", "G", "H"))).values(channel="till"))
        s.execute(update(Member).where(Member.id.in_(("B", "G"))).values(joined_by="c7"))
    return chain


def test_joins_per_store_channel_and_cashier(cashiers: HqService) -> None:
    table = report(cashiers, "joins_cashier")
    assert table.columns == ["store", "channel", "cashier", "joined"]
    assert table.rows == [
        ["S1", "till", "c7", 2],  # B, G
        ["S1", "till", "-", 1],  # H: the till did not say
        ["S2", "link", "-", 2],  # C, D: not at a till
    ]
    assert table.figures == {"joined": 5}


def test_joins_per_cashier_take_the_store_filter(cashiers: HqService) -> None:
    s1 = report(cashiers, "joins_cashier", Scope(OCT.start, OCT.end, frozenset({"S1"})))
    assert s1.rows == [["S1", "till", "c7", 2], ["S1", "till", "-", 1]]

"""A region's figures count a store's days in the region it was in on that day: a store that
moves region does not take its history along (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from posloyalty.hq.backoffice.auth import Signed
from posloyalty.hq.backoffice.stores_desk import set_region
from posloyalty.hq.models import Member, MemberAlias, Sale, Store
from posloyalty.hq.reports import Scope, Table, run_report
from posloyalty.hq.services import HqService

_START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
_ADMIN = Signed(1, "ada", "hq_admin", (), "csrf", "hash")


def _sale(s: Session, n: int, ref: str | None, *, day: dt.date, fen: int) -> None:
    at = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
    s.add(
        Sale(
            id=f"rg-{n}",
            store_id="S1",
            terminal_id="T1",
            member_ref=ref,
            at=at,
            total_fen=fen,
            original_sale_id=None,
            full_return=False,
            payload={},
            received_at=at,
        )
    )


@pytest.fixture
def moved(svc: HqService) -> HqService:
    """S0 in east all along; S1 in east from January, in west from March 1st. M0 (home S0)
    bought at S1 on February 10th (10 yuan), M1 (home S1) at S1 on March 10th (20 yuan); a
    guest at S1 on February 11th (5 yuan)."""
    with svc.db.transaction() as s:
        s.add_all(Store(id=f"S{k}", name="", created_at=_START) for k in range(2))
        for k in range(2):
            s.add(
                Member(
                    id=f"M{k}",
                    phone_index="x",
                    pii_key_id="t",
                    pii_key=b"",
                    pii=b"",
                    home_store=f"S{k}",
                    registered_at=_START,
                    dirty=False,
                    state={},
                )
            )
        s.flush()
        s.add_all(MemberAlias(alias=f"M{k}", member_id=f"M{k}") for k in range(2))
        for store in ("S0", "S1"):
            set_region(s, _ADMIN, store, "east", "new map", _START)
    with svc.db.transaction() as s:
        set_region(s, _ADMIN, "S1", "west", "moved", dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC))
        _sale(s, 1, "M0", day=dt.date(2026, 2, 10), fen=1000)
        _sale(s, 2, "M1", day=dt.date(2026, 3, 10), fen=2000)
        _sale(s, 3, None, day=dt.date(2026, 2, 11), fen=500)
    return svc


def _report(svc: HqService, name: str, region: str) -> Table:
    scope = Scope(dt.date(2026, 2, 1), dt.date(2026, 3, 31), region=region)
    with svc.db.transaction() as s:
        return run_report(s, name, scope, _START)


def test_sales_stay_in_the_region_of_their_day(moved: HqService) -> None:
    east = _report(moved, "member_share", "east").rows
    assert east == [["all_sales", "15.00"], ["member_sales", "10.00"]]
    west = _report(moved, "member_share", "west").rows
    assert west == [["all_sales", "20.00"], ["member_sales", "20.00"]]


def test_buyers_stay_in_the_region_of_their_purchase_day(moved: HqService) -> None:
    assert _report(moved, "rfm", "east").figures["buyers"] == 1
    assert _report(moved, "concentration", "east").rows[0][:3] == ["top_20", 1, "10.00"]
    assert _report(moved, "concentration", "west").rows[0][:3] == ["top_20", 1, "20.00"]


def test_stages_read_members_of_the_region_now_and_their_purchases_there(
    moved: HqService,
) -> None:
    """East's members now: M0 (home S0), who bought in east (S1 in February): 30-60 days
    before the end (49 days). West's: M1 (home S1), who bought there in March (21 days)."""
    east = dict(_report(moved, "dormant", "east").rows)
    assert (east["30-60"], east["never"]) == (1, 0)
    west = {k: n for k, n, _ in _report(moved, "lifecycle", "west").rows}
    assert (west["growth"], west["introduction"]) == (1, 0)

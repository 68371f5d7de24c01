"""Every report figure computed by hand on a small chain (SQLite and PostgreSQL), and the
report pages: filters, exports, and a store manager kept to their stores' figures.

The chain (period: October 2026 unless said otherwise):

- members A (joined 2026-09-10, S1, gold, born 10-05), B (10-03, S1, silver, born 10-20),
  C (10-15, S2, regular, born 03-01), D (10-20, S2, no tier yet), E (08-01, S1, merged into
  A, born 10-01), F (11-05, S1: after the period);
- sales: A 100.00 on 09-15, A 200.00 on 10-02, E (so A) 50.00 on 10-10, B 300.00 on 10-05
  and a return of 100.00 of it on 10-06, C 40.00 on 10-16, a non-member 60.00 on 10-07,
  A 10.00 on 11-03, C 20.00 on 12-01 (all at noon UTC);
- ledger: A earn 100 (09-15), A earn 200, A redeem 50, B earn 300, B reverse -100, A expire
  20 (HQ), C adjust +30 and -10 (S2) in October, A bonus 50 (11-03).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import secrets

import pytest
from hq_server import RunningServer
from office import MINISO, add_operator, signed_in
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from posloyalty.hq import reports
from posloyalty.hq.backoffice.i18n import LANGS, catalogue
from posloyalty.hq.models import LedgerEntry, Member, MemberAlias, Sale
from posloyalty.hq.pii import Pii, set_pii
from posloyalty.hq.reports import REPORTS, Scope, Table, run_report
from posloyalty.hq.services import HqService

OCT = Scope(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
_IDS = itertools.count(1)


def noon(month: int, day: int, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=dt.UTC)


def _member(s: Session, mid: str, joined: dt.datetime, store: str, **extra: object) -> None:
    member = Member(
        id=mid,
        home_store=store,
        registered_at=joined,
        merged_into=extra.pop("merged_into", None),
        dirty=False,
        state=extra.pop("state", {}),
    )
    birthday = extra.pop("birthday", None)
    assert birthday is None or isinstance(birthday, dt.date)
    set_pii(
        s,
        member,
        Pii(
            phone=f"1380000{secrets.randbelow(10**4):04d}",
            name=str(extra.pop("name", "")),
            birthday=birthday,
            secret=b"s" * 20,
        ),
    )
    s.add(member)
    s.flush()


def _sale(  # noqa: PLR0917 (a sale's columns)
    s: Session, ref: str | None, store: str, at: dt.datetime, fen: int, original: str | None = None
) -> str:
    sid = f"sale-{next(_IDS)}"
    s.add(
        Sale(
            id=sid,
            store_id=store,
            terminal_id="T1",
            member_ref=ref,
            at=at,
            total_fen=fen,
            original_sale_id=original,
            full_return=False,
            payload={},
            received_at=at,
        )
    )
    s.flush()
    return sid


def _entry(  # noqa: PLR0917 (an entry's columns)
    s: Session, ref: str, kind: str, pts: int, at: dt.datetime, store: str | None
) -> None:
    eid = f"e-{next(_IDS)}"
    s.add(
        LedgerEntry(
            id=eid,
            member_ref=ref,
            kind=kind,
            points=pts,
            lot=eid,
            at=at,
            available_at=at,
            expires_at=None,
            renews_until=None,
            sale_id=None,
            reason="",
            store_id=store,
            terminal_id=None,
            received_at=at,
        )
    )


@pytest.fixture
def chain(svc: HqService) -> HqService:
    svc.publish_rules(MINISO.read_text(encoding="utf-8"))
    with svc.db.transaction() as s:
        _member(
            s,
            "A",
            noon(9, 10),
            "S1",
            name="王小明",
            birthday=dt.date(1990, 10, 5),
            state={"tier": "gold", "growth": 7000},
        )
        _member(
            s,
            "B",
            noon(10, 3),
            "S1",
            name="Li Na",
            birthday=dt.date(1985, 10, 20),
            state={"tier": "silver", "growth": 3500},
        )
        _member(
            s,
            "C",
            noon(10, 15),
            "S2",
            birthday=dt.date(1992, 3, 1),
            state={"tier": "regular", "growth": 1000},
        )
        _member(s, "D", noon(10, 20), "S2")
        _member(s, "E", noon(8, 1), "S1", birthday=dt.date(1990, 10, 1), merged_into="A")
        _member(s, "F", noon(11, 5), "S1")
        for alias, mid in (("A", "A"), ("B", "B"), ("C", "C"), ("D", "D"), ("E", "A"), ("F", "F")):
            s.add(MemberAlias(alias=alias, member_id=mid))
        s.flush()
        _sale(s, "A", "S1", noon(9, 15), 10000)
        _sale(s, "A", "S1", noon(10, 2), 20000)
        _sale(s, "E", "S1", noon(10, 10), 5000)
        b = _sale(s, "B", "S1", noon(10, 5), 30000)
        _sale(s, "B", "S1", noon(10, 6), -10000, original=b)
        _sale(s, "C", "S2", noon(10, 16), 4000)
        _sale(s, None, "S1", noon(10, 7), 6000)
        _sale(s, "A", "S1", noon(11, 3), 1000)
        _sale(s, "C", "S2", noon(12, 1), 2000)
        _entry(s, "A", "earn", 100, noon(9, 15), "S1")
        _entry(s, "A", "earn", 200, noon(10, 2), "S1")
        _entry(s, "A", "redeem", -50, noon(10, 12), "S1")
        _entry(s, "B", "earn", 300, noon(10, 5), "S1")
        _entry(s, "B", "reverse", -100, noon(10, 6), "S1")
        _entry(s, "A", "expire", -20, noon(10, 20), None)
        _entry(s, "C", "adjust", 30, noon(10, 16), "S2")
        _entry(s, "C", "adjust", -10, noon(10, 17), "S2")
        _entry(s, "A", "bonus", 50, noon(11, 3), "S1")
    return svc


def report(svc: HqService, name: str, scope: Scope = OCT) -> Table:
    with svc.db.transaction() as s:
        return run_report(s, name, scope, svc.clock.now())


def test_member_count_and_growth(chain: HqService) -> None:
    t = report(chain, "members")
    # A, B, C, D (E merged, F later); B, C, D joined in October; 1 member at the start.
    assert t.figures == {"members": 4, "joined": 3, "growth_pct": 300.0}
    assert t.rows == [["2026-10", 3]]
    # Before anyone had joined there is no base for a growth rate.
    first = report(chain, "members", Scope(dt.date(2026, 9, 1), dt.date(2026, 9, 30)))
    assert first.figures == {"members": 1, "joined": 1, "growth_pct": "-"}


def test_joins_per_store(chain: HqService) -> None:
    assert report(chain, "joins").rows == [["S2", 2], ["S1", 1]]
    assert report(chain, "joins", Scope(OCT.start, OCT.end, frozenset({"S1"}))).rows == [["S1", 1]]


def test_tier_distribution(chain: HqService) -> None:
    t = report(chain, "tiers")
    assert t.rows == [["regular", 1, 25.0], ["silver", 1, 25.0], ["gold", 1, 25.0], ["-", 1, 25.0]]
    # Growth 0, 1000, 3500, 7000: the top 40% start at 3,500, the top 10% at 7,000; of the
    # three with growth, the top 20% (one) at 7,000.
    assert t.figures == {
        "members": 4,
        "suggested_60_30_10": "3500 / 7000",
        "suggested_top_20": 7000,
    }


def test_member_share_of_sales(chain: HqService) -> None:
    t = report(chain, "member_share")
    # 200 + 50 + 300 - 100 + 40 + 60 (non-member) = 550; members 490.
    assert t.rows == [["all_sales", "550.00"], ["member_sales", "490.00"]]
    assert t.figures == {"member_share_pct": 89.1}
    s2 = report(chain, "member_share", Scope(OCT.start, OCT.end, frozenset({"S2"})))
    assert s2.figures == {"member_share_pct": 100.0}


def test_points_issued_redeemed_expired_outstanding_and_liability(chain: HqService) -> None:
    t = report(chain, "points")
    assert dict((k, v) for k, v in t.rows) == {
        "issued": 200 + 300 + 30,
        "redeemed": 50,
        "expired": 20,
        "reversed": -100,
        "deducted": 10,
        "outstanding": 100 + 200 - 50 + 300 - 100 - 20 + 30 - 10,
    }
    # 450 points at 100 points a yuan.
    assert t.figures == {"outstanding": 450, "liability_yuan": "4.50"}
    s2 = report(chain, "points", Scope(OCT.start, OCT.end, frozenset({"S2"})))
    assert s2.figures == {"outstanding": 20, "liability_yuan": "0.20"}


def test_rfm_grid(chain: HqService) -> None:
    # At Nov 1: A bought twice (250.00, last 21 days ago), B once (200.00, 26), C once (40.00,
    # 15). MINISO's default boundaries: recency 180/90/60/30 days, frequency 2/3/5/8.
    assert report(chain, "rfm").rows == [[5, 2, 1, "250.00"], [5, 1, 2, "240.00"]]
    summer = report(chain, "rfm", Scope(dt.date(2026, 7, 1), dt.date(2026, 11, 30)))
    # At Dec 1: A 4 purchases (360.00, last 11-03: 27 days), B once (10-05: 56), C once (45).
    assert summer.rows == [[5, 3, 1, "360.00"], [4, 1, 2, "240.00"]]


def test_lifecycle_stages(chain: HqService) -> None:
    # At Nov 1: A bought 3 times in the year (maturity), B and C once (growth), D never.
    assert report(chain, "lifecycle").rows == [
        ["introduction", 1, 25.0],
        ["growth", 2, 50.0],
        ["maturity", 1, 25.0],
        ["pre_churn", 0, 0.0],
        ["dormant", 0, 0.0],
    ]


def test_repurchase_rates_as_source_004_defines_them(chain: HqService) -> None:
    t = report(chain, "repurchase")
    assert t.rows == [
        ["period", 3, 1, 33.3],  # A twice, B and C once
        ["next_month", 1, 1, 100.0],  # September's buyer A bought again in October
        ["next_quarter", 1, 1, 100.0],  # Q3's buyer A bought again in Q4
        ["order_1", 3, 1, 33.3],  # to Oct 31: A 3 orders, B 1, C 1
        ["order_2", 1, 1, 100.0],
        ["order_3", 1, 0, 0.0],
        ["order_4", 0, 0, 0.0],
    ]


def test_cohort_retention(chain: HqService) -> None:
    # October's joiners B, C, D: B and C bought in October, C again in December.
    assert report(chain, "cohorts").rows == [["2026-10", 3, 66.7, 0.0, 33.3, 0.0, 0.0, 0.0]]


def test_80_20_concentration(chain: HqService) -> None:
    t = report(chain, "concentration")
    # Buyers by spend: A 250, B 200, C 40; the top 20% rounded up is A alone.
    assert t.rows == [["top_20", 1, "250.00", 51.0], ["other_80", 2, "240.00", 49.0]]


def test_the_top_fifth_is_counted_in_whole_numbers() -> None:
    # In floats 15 x 0.2 is 3.0000000000000004, which rounds up to a top "fifth" of 4.
    assert [reports._ceil_percent(n, 20) for n in (0, 1, 5, 15, 16)] == [0, 1, 1, 3, 4]
    assert reports._top_share({g: 1 for g in range(1, 16)}, 20) == 13  # growth 15, 14, 13


def test_dormant_segments(chain: HqService) -> None:
    t = report(chain, "dormant", Scope(dt.date(2027, 1, 1), dt.date(2027, 1, 10)))
    # To Jan 11 00:00: C last bought 12-01 (40 days), A 11-03 (68), B 10-05 (97); D, F never.
    assert t.rows == [["30-60", 1], ["60-90", 1], ["90+", 1], ["never", 2]]


def test_birthday_list_of_a_month(chain: HqService) -> None:
    t = report(chain, "birthdays")
    # E (born in October) was merged into A: listed once, as A.
    assert t.rows == [["A", "王**", "10-05", "S1"], ["B", "L* N*", "10-20", "S1"]]
    assert report(chain, "birthdays", Scope(OCT.start, OCT.end, frozenset({"S2"}))).rows == []


def test_every_column_and_figure_has_words_in_each_language(chain: HqService) -> None:
    for name in REPORTS:
        t = report(chain, name)
        for lang in LANGS:
            words = catalogue(lang)
            assert all(f"col_{c}" in words for c in t.columns), (name, lang)
            assert all(f"fig_{f}" in words for f in t.figures), (name, lang)


def test_report_pages_exports_and_store_scope(server: RunningServer, chain: HqService) -> None:
    add_operator(chain, "boss", "hq_admin")
    add_operator(chain, "sam", "store_manager", ["S2"])
    boss = signed_in(server.url, "boss")
    for name in REPORTS:
        page = boss.get("/reports", name=name, **{"from": "2026-10-01", "to": "2026-10-31"})
        assert page.status_code == 200, name
        assert 'id="report"' in page.text
    page = boss.get("/reports", name="points", **{"from": "2026-10-01", "to": "2026-10-31"})
    assert 'id="fig-liability_yuan">4.50<' in page.text
    csv = boss.get("/reports/joins.csv", **{"from": "2026-10-01", "to": "2026-10-31"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.content.decode("utf-8-sig").splitlines() == ["门店,新增", "S2,2", "S1,1"]
    xlsx = boss.get("/reports/points.xlsx", **{"from": "2026-10-01", "to": "2026-10-31"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and [c.value for c in sheet[7]] == ["未使用", 450]
    assert (
        boss.get(
            "/reports", name="members", **{"from": "2026-10-31", "to": "2026-10-01"}
        ).status_code
        == 400
    )
    assert boss.get("/reports", name="members", **{"from": "yesterday"}).status_code == 400
    # A store manager: their stores by default, another store's figures refused everywhere.
    sam = signed_in(server.url, "sam")
    mine = sam.get("/reports/joins.csv", **{"from": "2026-10-01", "to": "2026-10-31"})
    assert mine.content.decode("utf-8-sig").splitlines() == ["门店,新增", "S2,2"]
    for name in REPORTS:
        for path in ("/reports", f"/reports/{name}.csv", f"/reports/{name}.xlsx"):
            params = {"name": name, "store": "S1", "from": "2026-10-01", "to": "2026-10-31"}
            assert sam.get(path, **params).status_code == 403, (name, path)

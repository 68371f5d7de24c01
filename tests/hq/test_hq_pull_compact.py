"""Compact pulls (same-shaped changes as tables) carry exactly what plain pulls carry."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from posloyalty.clock import FixedClock
from posloyalty.hq import members
from posloyalty.hq.enrolment import Caller
from posloyalty.hq.services import HqService
from posloyalty.resources import resources_dir
from posloyalty.sync.protocol import Change, PullRequest, PullResponse

RULES = resources_dir() / "rules"


def enrol(svc: HqService, store: str) -> Caller:
    enrolled = svc.enroll(svc.make_enrolment_code(store))
    return svc.authenticate(f"Bearer {enrolled.token}")


def _pages(
    svc: HqService, caller: Caller, *, compact: bool, limit: int, raw: bool = False
) -> list[PullResponse]:
    pages, cursor, more = [], 0, True
    while more:
        request = PullRequest(cursor=cursor, limit=limit, compact=compact)
        if raw:
            page = PullResponse.model_validate_json(svc.pull_json(caller, request))
        else:
            page = svc.pull(caller, request)
        pages.append(page)
        cursor, more = page.next_cursor, page.more
    return pages


def _flat(pages: list[PullResponse]) -> list[Change]:
    return [c for p in pages for c in p.all_changes()]


def test_compact_pages_hold_the_same_changes(
    svc: HqService, clock: FixedClock, tmp_path: Path
) -> None:
    till = enrol(svc, "S1")
    catalog = tmp_path / "catalog.csv"
    catalog.write_text(
        "sku,ean,name,price,category\n"
        + "".join(f"SKU{i},,茶 {i},{i}.50,food\n" for i in range(9)),
        encoding="utf-8",
    )
    svc.import_catalog(catalog)
    svc.publish_rules((RULES / "miniso.toml").read_text(encoding="utf-8"))
    ids = [
        svc.register_member("S1", f"1380000060{i}", f"Name{i}", dt.date(1990, 1, 1 + i), True)
        for i in range(8)
    ]
    # A merged member: its view has another shape, its secret is deleted (data None).
    at = clock.now()
    svc.db.run(lambda s: members.merge_members(s, ids[0].member_id, ids[1].member_id, at, "test"))
    for limit in (5, 1000):
        plain = _pages(svc, till, compact=False, limit=limit)
        compact = _pages(svc, till, compact=True, limit=limit)
        raw = _pages(svc, till, compact=True, limit=limit, raw=True)
        assert _flat(compact) == _flat(plain) == _flat(raw)
        assert [p.next_cursor for p in compact] == [p.next_cursor for p in plain]
        assert [p.more for p in compact] == [p.more for p in plain]
        assert all(p.tables == [] for p in plain)
        assert [p.tables for p in raw] == [p.tables for p in compact]
        seqs = [c.seq for c in _flat(compact)]
        assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
    # One big page: members, secrets and products travel as tables; the merged rows do not.
    (page,) = _pages(svc, till, compact=True, limit=1000)
    kinds = {t.kind: t for t in page.tables}
    assert {"member", "member_secret", "product"} <= set(kinds)
    assert ids[1].member_id not in kinds["member"].keys
    assert {c.key for c in page.changes if c.kind == "member"} == {ids[1].member_id}
    secret = next(c for c in page.changes if c.kind == "member_secret")
    assert secret.key == ids[1].member_id and secret.data is None
    plain_json = svc.pull_json(till, PullRequest(cursor=0, limit=1000))
    compact_json = svc.pull_json(till, PullRequest(cursor=0, limit=1000, compact=True))
    assert len(compact_json) < 0.8 * len(plain_json)
    assert "tables" not in json.loads(plain_json)

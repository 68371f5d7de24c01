"""Rule revisions published for a later instant or to some stores reach exactly those tills,
and HQ credits a sale only under the revision in force at its store then: real tills and a
real HQ (uvicorn on loopback)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sync_helpers import HQ_T0, Hq, client, ctx, enrolled, hq_on, sell

from posloyalty.clock import FixedClock
from posloyalty.hq.errors import BadRequest
from posloyalty.hq.ledger import active_rules
from posloyalty.hq.models import Conflict, Sale, Store
from posloyalty.resources import resources_dir
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database

MINISO = (resources_dir() / "rules" / "miniso.toml").read_text(encoding="utf-8")


def revision(n: int) -> str:
    return MINISO.replace("revision = 1\n", f"revision = {n}\n", 1)


@pytest.fixture(params=["sqlite", "postgres"])
def hq(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Hq]:
    yield from hq_on(request.param, tmp_path, FixedClock(HQ_T0))


def in_force(db: Database) -> str:
    with db.read() as session:
        doc = repo.active_rule_document(session)
    return f"{doc.id}@{doc.revision}" if doc is not None else ""


def two_stores(hq: Hq, tmp_path: Path) -> tuple[Database, Database]:
    """Tills in S1 (region east) and S2 (region west), on HQ's clock, synced."""
    hq.setup_chain("S1", 0)
    hq.setup_chain("S2", 0)
    a = enrolled(hq, tmp_path / "a.sqlite", "S1", hq.clock)
    b = enrolled(hq, tmp_path / "b.sqlite", "S2", hq.clock)
    for db in (a, b):
        client(db).sync()
    return a, b


def test_a_revision_scoped_to_a_store_reaches_its_tills_only(hq: Hq, tmp_path: Path) -> None:
    a, b = two_stores(hq, tmp_path)
    done = hq.svc.publish_rules(revision(2), stores=["S2"])
    assert done.changed and done.publication is not None
    for db in (a, b):
        client(db).sync()
    assert in_force(a) == "miniso@1"
    assert in_force(b) == "miniso@2"
    # Each till sells under its own store's revision: HQ prices both again without a word.
    for db in (a, b):
        sell(db, None)
        client(db).sync()
    with hq.db.transaction() as s:
        assert len(s.scalars(select(Sale)).all()) == 2
        assert s.scalars(select(Conflict)).all() == []
    # HQ's own (chain-wide) rules stay where they were.
    assert hq.db.run(active_rules).revision == 1  # type: ignore[union-attr]


def test_a_sale_under_another_stores_revision_is_not_credited(hq: Hq, tmp_path: Path) -> None:
    a, _b = two_stores(hq, tmp_path)
    hq.svc.publish_rules(revision(2), stores=["S2"])
    # Till A gets hold of S2's revision somehow and prices with it.
    with a.write() as session:
        repo.save_rule_document(
            session, doc_id="miniso", revision=2, text_=revision(2), activate=True
        )
    sell(a, None)
    client(a).sync()
    with hq.db.transaction() as s:
        (conflict,) = s.scalars(select(Conflict)).all()
    assert conflict.kind == "not_derived"
    assert "miniso@2 were not published to store S1" in conflict.detail["problem"]


def test_a_revision_for_a_region_reaches_its_stores(hq: Hq, tmp_path: Path) -> None:
    a, b = two_stores(hq, tmp_path)
    with hq.db.transaction() as s:
        s.get(Store, "S1").region = "east"  # type: ignore[union-attr]
    with pytest.raises(BadRequest, match="no store is in region 'west'"):
        hq.svc.publish_rules(revision(2), regions=["west"])
    hq.svc.publish_rules(revision(2), regions=["east"])
    for db in (a, b):
        client(db).sync()
    assert (in_force(a), in_force(b)) == ("miniso@2", "miniso@1")


def test_a_scheduled_revision_takes_effect_at_its_instant(hq: Hq, tmp_path: Path) -> None:
    a, b = two_stores(hq, tmp_path)
    clock = hq.clock
    assert isinstance(clock, FixedClock)
    start = clock.now()
    hq.svc.publish_rules(revision(2), effective_at=start + dt.timedelta(hours=2))
    for db in (a, b):
        client(db).sync()
    assert (in_force(a), in_force(b)) == ("miniso@1", "miniso@1")
    sell(a, None)  # still under revision 1: accepted
    clock.set(start + dt.timedelta(hours=2))
    for db in (a, b):
        client(db).sync()
    assert (in_force(a), in_force(b)) == ("miniso@2", "miniso@2")
    assert hq.db.run(active_rules).revision == 2  # type: ignore[union-attr]
    sell(b, None)
    client(b).sync()
    with hq.db.transaction() as s:
        assert len(s.scalars(select(Sale)).all()) == 2
        assert s.scalars(select(Conflict)).all() == []


def test_a_scheduled_revision_may_not_be_used_before_its_instant(hq: Hq, tmp_path: Path) -> None:
    a, _b = two_stores(hq, tmp_path)
    start = hq.clock.now()
    hq.svc.publish_rules(revision(2), effective_at=start + dt.timedelta(hours=2))
    with a.write() as session:
        repo.save_rule_document(
            session, doc_id="miniso", revision=2, text_=revision(2), activate=True
        )
    sell(a, None)
    client(a).sync()
    with hq.db.transaction() as s:
        (conflict,) = s.scalars(select(Conflict)).all()
    assert conflict.kind == "not_derived"
    assert (
        "miniso@2 were not published to store S1 by the sale's time" in (conflict.detail["problem"])
    )


def test_rolling_back_puts_the_earlier_revision_back_at_the_tills(hq: Hq, tmp_path: Path) -> None:
    a, b = two_stores(hq, tmp_path)
    hq.svc.publish_rules(revision(2))
    for db in (a, b):
        client(db).sync()
    assert (in_force(a), in_force(b)) == ("miniso@2", "miniso@2")
    assert hq.svc.publish_rules(revision(1)).changed  # published again, as it was
    for db in (a, b):
        client(db).sync()
    assert (in_force(a), in_force(b)) == ("miniso@1", "miniso@1")
    # Rolled back for one store only.
    hq.svc.publish_rules(revision(2), stores=["S1"])
    for db in (a, b):
        client(db).sync()
    assert (in_force(a), in_force(b)) == ("miniso@2", "miniso@1")
    assert ctx(a).rules.revision == 2

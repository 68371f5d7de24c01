"""A real HQ with published rules, two stores with an enrolled till each, and a member at
home in each store: the setting of the HQ security tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from posloyalty.clock import FixedClock
from posloyalty.hq.db import HqDb
from posloyalty.hq.enrolment import Caller
from posloyalty.hq.services import HqConfig, HqService
from posloyalty.resources import resources_dir

T0 = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


@dataclass
class Chain:
    svc: HqService
    clock: FixedClock
    till1: Caller
    till2: Caller
    #: Member at home in S1 (phone 13800000001) and in S2 (13800000002).
    m1: str
    m2: str


@contextmanager
def chain_on(url: str) -> Iterator[Chain]:
    db = HqDb(url, pool_size=4)
    clock = FixedClock(T0)
    svc = HqService(db, clock, HqConfig(rate_per_s=1000, rate_burst=1000))
    try:
        svc.publish_rules((resources_dir() / "rules" / "miniso.toml").read_text("utf-8"))
        tills = []
        for store in ("S1", "S2"):
            token = svc.enroll(svc.make_enrolment_code(store)).token
            tills.append(svc.authenticate(f"Bearer {token}"))
        m1 = svc.register_member("S1", "13800000001", "Home One", None, True).member_id
        m2 = svc.register_member("S2", "13800000002", "Home Two", None, True).member_id
        yield Chain(svc, clock, tills[0], tills[1], m1, m2)
    finally:
        db.dispose()

"""One HQ worker process for the concurrency proof: ``push`` (a terminal pushing batches of
sales with earn and redeem entries for the plan's members) or ``jobs`` (HQ's jobs, over and
over, until the stop file appears). Each process has its own engine and connection pool."""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "support"))

from hq_helpers import batch, entry, sale

from posloyalty.clock import FixedClock
from posloyalty.hq.db import HqDb
from posloyalty.hq.enrolment import Caller
from posloyalty.hq.services import HqConfig, HqService
from posloyalty.sync.protocol import PushBatch

T0 = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


def _push(svc: HqService, plan: dict[str, Any], index: int, batches: int) -> None:
    terminal = plan["terminals"][index]
    caller = Caller(terminal["id"], terminal["store"])
    members = plan["members"][terminal["store"]]
    rng = random.Random(index)
    for n in range(batches):
        items = []
        for k in range(rng.randint(1, 8)):
            member = rng.choice(members)
            at = T0 + dt.timedelta(minutes=n, seconds=k)
            s = sale(caller.store_id, caller.terminal_id, member, 1000, at)
            items.append(s)
            items.append(
                entry(caller.store_id, caller.terminal_id, member, "earn", 10, at, sale_id=s["id"])
            )
        result = svc.push(caller, PushBatch.model_validate(batch(caller.terminal_id, items)))
        assert all(r.status == "accepted" for r in result.results), result.results


def _jobs(svc: HqService, stop: Path) -> None:
    while not stop.exists():
        svc.run_jobs()
        time.sleep(0.005)


def main(url: str, plan_file: str, role: str, arg: str) -> None:
    plan = json.loads(Path(plan_file).read_text())
    db = HqDb(url, upgrade=False, pool_size=2)
    svc = HqService(db, FixedClock(T0 + dt.timedelta(hours=2)), HqConfig())
    try:
        if role == "push":
            _push(svc, plan, int(arg), int(plan["batches"]))
        else:
            _jobs(svc, Path(arg))
    finally:
        db.dispose()


if __name__ == "__main__":
    main(*sys.argv[1:5])

"""Balances that are always right: HQ's member state equals its ledger after any interleaving
of pushes and jobs in several HQ worker processes, with no deadlock along the way."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pgtest import postgres_database

from posloyalty.clock import FixedClock
from posloyalty.domain import points
from posloyalty.hq.db import HqDb
from posloyalty.hq.ledger import entries_for
from posloyalty.hq.models import Conflict, Member
from posloyalty.hq.services import HqConfig, HqService
from posloyalty.resources import resources_dir

T0 = dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
CHILD = Path(__file__).resolve().parent / "concurrency_child.py"
PUSHERS = 4
BATCHES = 40


def _plan(svc: HqService, tmp_path: Path) -> Path:
    svc.publish_rules((resources_dir() / "rules" / "miniso.toml").read_text("utf-8"))
    terminals = []
    members: dict[str, list[str]] = {}
    for store in ("S1", "S2"):
        members[store] = [
            svc.register_member(store, f"1380000{store[-1]}{n:03d}", "", None, True, T0).member_id
            for n in range(40)
        ]
        for _ in range(PUSHERS // 2):
            token = svc.enroll(svc.make_enrolment_code(store)).token
            caller = svc.authenticate(f"Bearer {token}")
            terminals.append({"id": caller.terminal_id, "store": store})
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"terminals": terminals, "members": members, "batches": BATCHES}))
    return plan


def _child(url: str, plan: Path, role: str, arg: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), url, str(plan), role, arg],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.postgres
def test_balances_match_the_ledger_after_concurrent_pushes_and_jobs(tmp_path: Path) -> None:
    for url in postgres_database():
        db = HqDb(url, pool_size=2)
        svc = HqService(db, FixedClock(T0 + dt.timedelta(hours=2)), HqConfig())
        try:
            plan = _plan(svc, tmp_path)
            stop = tmp_path / "stop"
            jobs = [_child(url, plan, "jobs", str(stop)) for _ in range(2)]
            pushers = [_child(url, plan, "push", str(i)) for i in range(PUSHERS)]
            for p in pushers:
                _out, err = p.communicate(timeout=300)
                assert p.returncode == 0, err
            stop.touch()
            for p in jobs:
                _out, err = p.communicate(timeout=120)
                assert p.returncode == 0, err
                assert "deadlock" not in err
            svc.run_jobs()
            at = svc.clock.now()
            with db.transaction() as session:
                checked = 0
                for member in session.query(Member).filter(Member.merged_into.is_(None)):
                    history = entries_for(session, member.id)
                    want = points.balance(history, at).available
                    assert (member.state or {}).get("available", 0) == want, member.id
                    assert not member.dirty
                    checked += bool(history)
                assert checked > 40
                kinds = {c.kind for c in session.query(Conflict)}
                assert not kinds & {"ledger_inconsistent", "quarantined"}
        finally:
            db.dispose()

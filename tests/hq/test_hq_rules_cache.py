"""Parsed rule documents are cached by their text: two databases served by one process may
each have a revision 2 of the same id with different text (the back office tests publish one,
the self-registration tests another); a cache keyed by (id, revision) handed the first
database's rules to the second."""

from __future__ import annotations

from pathlib import Path

from posloyalty.clock import FixedClock
from posloyalty.hq.authority import rule_revisions
from posloyalty.hq.db import HqDb
from posloyalty.hq.ledger import active_rules
from posloyalty.hq.services import HqService
from posloyalty.resources import resources_dir

MINISO = (resources_dir() / "rules" / "miniso.toml").read_text(encoding="utf-8")


def test_two_databases_with_one_revision_number_keep_their_own_rules(
    tmp_path: Path, clock: FixedClock
) -> None:
    welcome = {}
    for points in (0, 50):
        db = HqDb(f"sqlite:///{tmp_path / f'hq{points}.sqlite'}")
        try:
            svc = HqService(db, clock)
            text = MINISO.replace("revision = 1", "revision = 2", 1)
            svc.publish_rules(text.replace("points = 0\n", f"points = {points}\n", 1))
            with db.transaction() as s:
                rules = active_rules(s)
                assert rules is not None
                welcome[points] = rules.welcome.points
                assert [r.welcome.points for r in rule_revisions(s)] == [points]
        finally:
            db.dispose()
    assert welcome == {0: 0, 50: 50}

"""HQ migration 0011 keeps the revisions published before as chain-wide publications: the
one in force stays in force (even when it was rolled back to, older than another)."""

from __future__ import annotations

import datetime as dt

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.orm import Session

from posloyalty.domain.rollout import in_force
from posloyalty.hq.db import MIGRATIONS, make_engine, migrate
from posloyalty.hq.keys import resolve_keyring
from posloyalty.hq.rollout import publications


def test_revisions_published_before_become_chain_wide_publications(db_url: str) -> None:
    engine = make_engine(db_url)
    keyring = resolve_keyring(db_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        config.attributes["keyring"] = keyring
        command.upgrade(config, "0009")
    sqlite = engine.dialect.name == "sqlite"

    def day(n: int) -> dt.datetime:
        at = dt.datetime(2026, 11, n, 10, tzinfo=dt.UTC)
        return at.replace(tzinfo=None) if sqlite else at

    # Revision 3 was published on the 3rd, then revision 2 (of the 2nd) put back in force.
    with engine.begin() as conn:
        for revision, n, active in ((1, 1, False), (2, 2, True), (3, 3, False)):
            conn.execute(
                text(
                    "INSERT INTO rule_documents (id, revision, text, published_at, active) "
                    "VALUES ('miniso', :r, 'text', :at, :a)"
                ),
                {"r": revision, "at": day(n), "a": active},
            )
    migrate(engine, keyring)
    try:
        with Session(engine) as s:
            pubs = publications(s)
        assert sorted((p.revision, p.effective_at.day) for p in pubs) == [(1, 1), (2, 3), (3, 3)]
        assert all(p.chain_wide and not p.scheduled and not p.cancelled for p in pubs)
        now = dt.datetime(2026, 11, 4, tzinfo=dt.UTC)
        found = in_force(pubs, "S1", None, now)
        assert found is not None and found.revision == 2
        with engine.connect() as conn:
            assert conn.execute(text("SELECT joined_by FROM members")).all() == []
    finally:
        engine.dispose()

"""Alembic environment: HQ runs migrations programmatically on a connection it passes in."""

from __future__ import annotations

from alembic import context

from posloyalty.hq.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run HQ migrations through posloyalty.hq.db.migrate (it passes a connection)"
    )
context.configure(connection=connection, target_metadata=Base.metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()

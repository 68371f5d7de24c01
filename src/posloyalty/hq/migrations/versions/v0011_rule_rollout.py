"""Rule publications (``rule_publications``): a revision published now or for a later
instant, to the chain or to regions and/or stores; the revisions published before are kept as
chain-wide publications at their publishing time, the one in force last. The cashier who
signed a member up at a till (``members.joined_by``).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rule_publications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("doc_id", sa.String(32), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("effective_at", _TS, nullable=False),
        sa.Column("published_at", _TS, nullable=False),
        sa.Column("stores", sa.JSON, nullable=False),
        sa.Column("regions", sa.JSON, nullable=False),
        sa.Column("by", sa.String(64), nullable=False, server_default=""),
        sa.Column("cancelled_at", _TS, nullable=True),
    )
    op.add_column("members", sa.Column("joined_by", sa.String(64), nullable=True))
    docs = sa.table(
        "rule_documents",
        sa.column("id", sa.String),
        sa.column("revision", sa.Integer),
        sa.column("published_at", _TS),
        sa.column("active", sa.Boolean),
    )
    pubs = sa.table(
        "rule_publications",
        sa.column("doc_id", sa.String),
        sa.column("revision", sa.Integer),
        sa.column("effective_at", _TS),
        sa.column("published_at", _TS),
        sa.column("stores", sa.JSON),
        sa.column("regions", sa.JSON),
        sa.column("by", sa.String),
    )
    bind = op.get_bind()
    rows = list(
        bind.execute(
            sa.select(docs.c.id, docs.c.revision, docs.c.published_at, docs.c.active).order_by(
                docs.c.published_at, docs.c.id, docs.c.revision
            )
        )
    )
    last = max((r.published_at for r in rows), default=None)
    history = [r for r in rows if not r.active] + [r for r in rows if r.active]
    for r in history:
        at = last if r.active else r.published_at
        bind.execute(
            pubs.insert().values(
                doc_id=r.id,
                revision=r.revision,
                effective_at=at,
                published_at=at,
                stores=[],
                regions=[],
                by="migration",
            )
        )


def downgrade() -> None:
    raise NotImplementedError("HQ migrations only go forward; restore a backup instead")

"""Tamper evidence: each till's hash chain and verified links; code uses per time step.

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "till_chains",
        sa.Column("terminal_id", sa.String(12), primary_key=True),
        sa.Column("chain_key", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=True),
        sa.Column("broken_at", _TS, nullable=True),
        sa.Column("broken_seq", sa.BigInteger, nullable=True),
        sa.Column("broken_reason", sa.Text, nullable=True),
    )
    op.create_table(
        "chain_links",
        sa.Column("terminal_id", sa.String(12), primary_key=True),
        sa.Column("seq", sa.BigInteger, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref_id", sa.String(40), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
    )
    op.create_index("ix_chain_links_ref", "chain_links", ["ref_id"])
    op.create_table(
        "code_uses",
        sa.Column("member_id", sa.String(16), primary_key=True),
        sa.Column("counter", sa.BigInteger, primary_key=True),
        sa.Column("terminal_id", sa.String(12), nullable=False),
        sa.Column("sale_id", sa.String(40), nullable=False),
        sa.Column("at", _TS, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("HQ migrations only go forward; restore a backup instead")

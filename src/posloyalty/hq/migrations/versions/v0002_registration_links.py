"""Self-service registration: used registration links.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "registration_link_uses",
        sa.Column("nonce", sa.String(16), primary_key=True),
        sa.Column("terminal_id", sa.String(12), nullable=False),
        sa.Column("store_id", sa.String(32), nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("used_at", _TS, nullable=False),
        sa.Column("member_id", sa.String(16), nullable=False),
        sa.Column("created", sa.Boolean, nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("consent_version", sa.String(16), nullable=False),
    )
    op.create_index(
        "ix_registration_link_uses_terminal_id", "registration_link_uses", ["terminal_id"]
    )


def downgrade() -> None:
    raise NotImplementedError("HQ migrations only go forward; restore a backup instead")

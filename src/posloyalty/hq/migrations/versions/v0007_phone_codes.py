"""One-time SMS codes (self-registration and member sign-in); member cards registered at HQ.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "phone_codes",
        sa.Column("phone_hash", sa.String(64), primary_key=True),
        sa.Column("purpose", sa.String(16), primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("sent_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
    )
    op.create_table(
        "member_cards",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("member_id", sa.String(16), nullable=False),
        sa.Column("store_id", sa.String(32), nullable=False),
        sa.Column("terminal_id", sa.String(12), nullable=False),
        sa.Column("issued_at", _TS, nullable=False),
    )
    op.create_index("ix_member_cards_member_id", "member_cards", ["member_id"])


def downgrade() -> None:
    raise NotImplementedError("HQ migrations only go forward; restore a backup instead")

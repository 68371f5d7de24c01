"""Members found by name while names stay sealed: a blind index of each name's words.

Every member's name is opened once here and its words (and the whole name) stored as HMACs
under HQ's index key (hq.pii.name_tokens); nothing in clear is written.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from posloyalty.hq.keys import Keyring
from posloyalty.hq.pii import Sealed, name_tokens, open_member

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    keyring = context.config.attributes.get("keyring")
    if not isinstance(keyring, Keyring):
        raise RuntimeError("this migration reads sealed names: run it through hq.db.migrate")
    op.create_table(
        "member_name_tokens",
        sa.Column("member_id", sa.String(16), primary_key=True),
        sa.Column("token", sa.String(64), primary_key=True),
    )
    op.create_index("ix_member_name_tokens_token", "member_name_tokens", ["token"])
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, pii_key_id, pii_key, pii FROM members")).all()
    for member_id, key_id, wrapped, ciphertext in rows:
        pii = open_member(keyring, member_id, Sealed(key_id, bytes(wrapped), bytes(ciphertext)))
        tokens = sorted(name_tokens(keyring, pii.name))
        if tokens:
            bind.execute(
                sa.text("INSERT INTO member_name_tokens (member_id, token) VALUES (:m, :t)"),
                [{"m": member_id, "t": t} for t in tokens],
            )


def downgrade() -> None:
    op.drop_table("member_name_tokens")

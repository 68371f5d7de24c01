"""Back office: operators, their sessions, the audit trail, conflict resolutions.

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)

_AUDIT_APPEND_ONLY_PG = """
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = 'audit_events is append-only: ' || TG_OP || ' refused';
END $$;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""

_AUDIT_APPEND_ONLY_SQLITE = [
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit_events is append-only (UPDATE refused)'); END""",
    """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit_events is append-only (DELETE refused)'); END""",
]


def upgrade() -> None:
    op.create_table(
        "operators",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("stores", sa.JSON, nullable=False),
        sa.Column("totp_secret", sa.String(64)),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", _TS),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "operator_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("operator_id", sa.Integer, sa.ForeignKey("operators.id"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
    )
    op.create_index("ix_operator_sessions_operator_id", "operator_sessions", ["operator_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", _TS, nullable=False),
        sa.Column("operator", sa.String(64)),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_table(
        "conflict_resolutions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conflict_id", sa.Integer, sa.ForeignKey("conflicts.id"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("operator", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("entries", sa.JSON, nullable=False),
        sa.Column("at", _TS, nullable=False),
    )
    op.create_index("ix_conflict_resolutions_conflict_id", "conflict_resolutions", ["conflict_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_AUDIT_APPEND_ONLY_PG)
    else:
        for statement in _AUDIT_APPEND_ONLY_SQLITE:
            op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("HQ migrations only go forward; restore a backup instead")

"""Initial HQ schema.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)

_APPEND_ONLY_PG = """
CREATE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING MESSAGE = 'ledger_entries is append-only: ' || TG_OP || ' refused';
END $$;
CREATE TRIGGER ledger_no_update BEFORE UPDATE OR DELETE ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
"""

_APPEND_ONLY_SQLITE = [
    """CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger_entries
       BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only (UPDATE refused)'); END""",
    """CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger_entries
       BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only (DELETE refused)'); END""",
]


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "counters",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "stores",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "terminals",
        sa.Column("id", sa.String(12), primary_key=True),
        sa.Column("store_id", sa.String(32), sa.ForeignKey("stores.id"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("revoked_at", _TS),
        sa.Column("last_push_at", _TS),
        sa.Column("last_pull_at", _TS),
        sa.Column("last_cursor", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_terminals_store_id", "terminals", ["store_id"])
    op.create_table(
        "enrolment_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("store_id", sa.String(32), sa.ForeignKey("stores.id"), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("used_at", _TS),
        sa.Column("terminal_id", sa.String(12)),
    )
    op.create_table(
        "changes",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
        sa.Column("store_id", sa.String(32)),
        sa.Column("member_id", sa.String(16)),
        sa.Column("data", sa.JSON),
    )
    op.create_index("ix_changes_member_id", "changes", ["member_id"])
    op.create_table(
        "members",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("phone_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("birthday", sa.Date),
        sa.Column("consent_at", _TS),
        sa.Column("home_store", sa.String(32)),
        sa.Column("registered_at", _TS, nullable=False),
        sa.Column("secret", sa.LargeBinary, nullable=False),
        sa.Column("merged_into", sa.String(16)),
        sa.Column("dirty", sa.Boolean, nullable=False),
        sa.Column("next_event_at", _TS),
        sa.Column("state", sa.JSON, nullable=False),
    )
    op.create_index("ix_members_phone_hash", "members", ["phone_hash"])
    op.create_index("ix_members_dirty", "members", ["dirty"])
    op.create_index("ix_members_next_event_at", "members", ["next_event_at"])
    op.create_table(
        "member_aliases",
        sa.Column("alias", sa.String(40), primary_key=True),
        sa.Column("member_id", sa.String(16), sa.ForeignKey("members.id"), nullable=False),
    )
    op.create_index("ix_member_aliases_member_id", "member_aliases", ["member_id"])
    op.create_table(
        "member_stores",
        sa.Column("member_id", sa.String(16), sa.ForeignKey("members.id"), primary_key=True),
        sa.Column("store_id", sa.String(32), primary_key=True),
        sa.Column("home", sa.Boolean, nullable=False),
        sa.Column("last_seen_at", _TS, nullable=False),
    )
    op.create_index("ix_member_stores_store", "member_stores", ["store_id", "last_seen_at"])
    op.create_table(
        "member_merges",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("survivor_id", sa.String(16), nullable=False),
        sa.Column("merged_id", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("ix_member_merges_survivor_id", "member_merges", ["survivor_id"])
    op.create_table(
        "pushed_items",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("payload_hash", sa.String(64), nullable=False),
        sa.Column("store_id", sa.String(32), nullable=False),
        sa.Column("terminal_id", sa.String(12), nullable=False),
        sa.Column("batch_id", sa.String(64), nullable=False),
        sa.Column("received_at", _TS, nullable=False),
    )
    op.create_table(
        "sales",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("store_id", sa.String(32), nullable=False),
        sa.Column("terminal_id", sa.String(12), nullable=False),
        sa.Column("member_ref", sa.String(40)),
        sa.Column("at", _TS, nullable=False),
        sa.Column("total_fen", sa.BigInteger, nullable=False),
        sa.Column("growth", sa.BigInteger, nullable=False),
        sa.Column("original_sale_id", sa.String(40)),
        sa.Column("full_return", sa.Boolean, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("received_at", _TS, nullable=False),
    )
    op.create_index("ix_sales_store_id", "sales", ["store_id"])
    op.create_index("ix_sales_member_ref", "sales", ["member_ref"])
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("member_ref", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("points", sa.BigInteger, nullable=False),
        sa.Column("lot", sa.String(64), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("available_at", _TS, nullable=False),
        sa.Column("expires_at", _TS),
        sa.Column("renews_until", _TS),
        sa.Column("sale_id", sa.String(40)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("store_id", sa.String(32)),
        sa.Column("terminal_id", sa.String(12)),
        sa.Column("received_at", _TS, nullable=False),
    )
    op.create_index("ix_ledger_entries_member_ref", "ledger_entries", ["member_ref"])
    op.create_table(
        "coupons",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("member_id", sa.String(16), sa.ForeignKey("members.id"), nullable=False),
        sa.Column("template", sa.String(32), nullable=False),
        sa.Column("valid_from", _TS, nullable=False),
        sa.Column("valid_until", _TS, nullable=False),
        sa.Column("issued_at", _TS, nullable=False),
        sa.Column("used_sale_id", sa.String(40)),
        sa.Column("used_at", _TS),
        sa.Column("used_store", sa.String(32)),
    )
    op.create_index("ix_coupons_member_id", "coupons", ["member_id"])
    op.create_table(
        "products",
        sa.Column("sku", sa.String(64), primary_key=True),
        sa.Column("ean", sa.String(14)),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("price_fen", sa.BigInteger, nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("special_price", sa.Boolean, nullable=False),
        sa.Column("member_price_fen", sa.BigInteger),
    )
    op.create_table(
        "rule_documents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("published_at", _TS, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_table(
        "revocations",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("at", _TS, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_table(
        "conflicts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("store_id", sa.String(32)),
        sa.Column("terminal_id", sa.String(12)),
        sa.Column("item_kind", sa.String(16)),
        sa.Column("item_id", sa.String(40)),
        sa.Column("member_id", sa.String(40)),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("resolved_at", _TS),
    )
    op.create_index("ix_conflicts_store_id", "conflicts", ["store_id"])
    op.execute(sa.text("INSERT INTO counters (name, value) VALUES ('change', 0)"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_APPEND_ONLY_PG)
    else:
        for statement in _APPEND_ONLY_SQLITE:
            op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("HQ migrations only go forward; restore a backup instead")

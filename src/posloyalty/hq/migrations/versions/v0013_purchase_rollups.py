"""Purchase rollups for repurchase and cohorts (``hq.purchase_rollup``): each member's purchase days
(keyed by the resolved member id) and three small tables of counts kept from them; triggers
queue the members whose purchases or key change in ``report_purchase_queue``: a member sale, a
change of alias (a merge re-points them), a change of tier, channel or registration instant.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger
_QUEUE = "INSERT INTO report_purchase_queue (member_ref) "

_PG = f"""
CREATE FUNCTION report_purchase_queue_sales() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {_QUEUE} SELECT member_ref FROM new_rows WHERE member_ref IS NOT NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER sales_purchase_queue AFTER INSERT ON sales
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_purchase_queue_sales();
CREATE FUNCTION report_purchase_queue_alias() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN {_QUEUE} VALUES (OLD.member_id); END IF;
  IF TG_OP <> 'DELETE' THEN {_QUEUE} VALUES (NEW.member_id); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER member_aliases_purchase_queue AFTER INSERT OR UPDATE OR DELETE ON member_aliases
  FOR EACH ROW EXECUTE FUNCTION report_purchase_queue_alias();
CREATE FUNCTION report_purchase_queue_member() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  {_QUEUE} VALUES (NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER members_purchase_queue AFTER UPDATE ON members
  FOR EACH ROW WHEN (OLD.state->>'tier' IS DISTINCT FROM NEW.state->>'tier'
    OR OLD.channel IS DISTINCT FROM NEW.channel
    OR OLD.registered_at IS DISTINCT FROM NEW.registered_at)
  EXECUTE FUNCTION report_purchase_queue_member();
"""

_SQLITE = [
    f"""CREATE TRIGGER sales_purchase_queue AFTER INSERT ON sales
        WHEN NEW.member_ref IS NOT NULL
        BEGIN {_QUEUE} VALUES (NEW.member_ref); END""",
    f"""CREATE TRIGGER member_aliases_purchase_insert AFTER INSERT ON member_aliases
        BEGIN {_QUEUE} VALUES (NEW.member_id); END""",
    f"""CREATE TRIGGER member_aliases_purchase_update AFTER UPDATE ON member_aliases
        BEGIN {_QUEUE} VALUES (OLD.member_id); {_QUEUE} VALUES (NEW.member_id); END""",
    f"""CREATE TRIGGER member_aliases_purchase_delete AFTER DELETE ON member_aliases
        BEGIN {_QUEUE} VALUES (OLD.member_id); END""",
    f"""CREATE TRIGGER members_purchase_queue AFTER UPDATE ON members
        WHEN json_extract(OLD.state, '$.tier') IS NOT json_extract(NEW.state, '$.tier')
          OR OLD.channel IS NOT NEW.channel OR OLD.registered_at IS NOT NEW.registered_at
        BEGIN {_QUEUE} VALUES (NEW.id); END""",
]


def _key() -> list[sa.Column[str]]:
    return [
        sa.Column("tier", sa.String(32), primary_key=True),
        sa.Column("channel", sa.String(8), primary_key=True),
    ]


def upgrade() -> None:
    op.create_table(
        "report_purchase_queue",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("member_ref", sa.String(40), nullable=False),
        sa.Column("batch", sa.Integer),
    )
    op.create_index("ix_report_purchase_queue_batch", "report_purchase_queue", ["batch"])
    op.create_table(
        "report_purchase_days",
        sa.Column("member_id", sa.String(40), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("orders", sa.Integer, nullable=False),
        sa.Column("earlier", sa.Integer, nullable=False),
        sa.Column("prev_day", sa.Date),
        sa.Column("next_day", sa.Date),
        sa.Column("tier", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("joined", sa.Date, nullable=False),
    )
    op.create_index("ix_report_purchase_days_day", "report_purchase_days", ["day"])
    op.create_table(
        "report_buyer_months",
        sa.Column("month", sa.Integer, primary_key=True),
        sa.Column("prev_month", sa.Integer, primary_key=True),
        sa.Column("next_month", sa.Integer, primary_key=True),
        sa.Column("multi", sa.Integer, primary_key=True),
        *_key(),
        sa.Column("members", _BIG, nullable=False),
    )
    op.create_table(
        "report_order_days",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("x", sa.Integer, primary_key=True),
        *_key(),
        sa.Column("members", _BIG, nullable=False),
    )
    op.create_table(
        "report_cohort_buys",
        sa.Column("joined", sa.Date, primary_key=True),
        sa.Column("month", sa.Integer, primary_key=True),
        *_key(),
        sa.Column("members", _BIG, nullable=False),
    )
    # Repurchase for a few stores reads their members' all-time purchases per store.
    op.create_index("ix_report_member_stores_store", "report_member_stores", ["store_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG)
    else:
        for statement in _SQLITE:
            op.execute(statement)
    # The members HQ already holds go into the first refresh.
    op.execute(f"{_QUEUE} SELECT id FROM members WHERE merged_into IS NULL")


def downgrade() -> None:
    raise NotImplementedError("HQ migrations only go forward; restore a backup instead")

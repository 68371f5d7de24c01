"""Members erased on request (``members.erased_at``); how members joined
(``members.channel``); stores in regions (``stores.region``);
report rollups: daily per-store and per-member aggregates kept up to date from the ledger
entries and sales an insert trigger queues (``hq.rollup``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)
_BIG = sa.BigInteger

_QUEUE_PG = """
CREATE FUNCTION report_queue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_pending (kind, ref) VALUES (TG_ARGV[0], NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER ledger_report_queue AFTER INSERT ON ledger_entries
  FOR EACH ROW EXECUTE FUNCTION report_queue('e');
CREATE TRIGGER sales_report_queue AFTER INSERT ON sales
  FOR EACH ROW EXECUTE FUNCTION report_queue('s');
"""

_QUEUE_SQLITE = [
    """CREATE TRIGGER ledger_report_queue AFTER INSERT ON ledger_entries
       BEGIN INSERT INTO report_pending (kind, ref) VALUES ('e', NEW.id); END""",
    """CREATE TRIGGER sales_report_queue AFTER INSERT ON sales
       BEGIN INSERT INTO report_pending (kind, ref) VALUES ('s', NEW.id); END""",
]


def upgrade() -> None:
    op.add_column("members", sa.Column("erased_at", _TS))
    op.add_column("members", sa.Column("channel", sa.String(8)))
    op.add_column("stores", sa.Column("region", sa.String(32)))
    op.create_index("ix_stores_region", "stores", ["region"])
    op.create_table(
        "report_pending",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(1), nullable=False),
        sa.Column("ref", sa.String(40), nullable=False),
        sa.Column("batch", sa.Integer),
    )
    op.create_index("ix_report_pending_batch", "report_pending", ["batch"])
    op.create_table(
        "report_store_days",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("store_id", sa.String(32), primary_key=True),
        *(
            sa.Column(name, _BIG, nullable=False)
            for name in (
                "sales_fen",
                "member_sales_fen",
                "issued",
                "redeemed",
                "expired",
                "reversed",
                "deducted",
                "net_points",
            )
        ),
    )
    op.create_table(
        "report_member_days",
        sa.Column("member_ref", sa.String(40), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("store_id", sa.String(32), primary_key=True),
        sa.Column("orders", sa.Integer, nullable=False),
        sa.Column("spend_fen", _BIG, nullable=False),
        sa.Column("last_order_at", _TS),
    )
    op.create_index("ix_report_member_days_day", "report_member_days", ["day", "store_id"])
    op.create_table(
        "report_member_stores",
        sa.Column("member_ref", sa.String(40), primary_key=True),
        sa.Column("store_id", sa.String(32), primary_key=True),
        sa.Column("orders", sa.Integer, nullable=False),
        sa.Column("first_order_at", _TS),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_QUEUE_PG)
    else:
        for statement in _QUEUE_SQLITE:
            op.execute(statement)
    # What HQ already holds goes into the first refresh.
    op.execute("INSERT INTO report_pending (kind, ref) SELECT 'e', id FROM ledger_entries")
    op.execute("INSERT INTO report_pending (kind, ref) SELECT 's', id FROM sales")


def downgrade() -> None:
    raise NotImplementedError("HQ migrations only go forward; restore a backup instead")

"""Ingest at scale: an index on ``ledger_entries.sale_id`` (every push reads the entries
already held for its sales: without it a full scan of the ledger under the writer lock), and
on PostgreSQL the report queue's insert triggers fire once per statement with a transition
table (a 500-row push queued its rows with 500 PL/pgSQL calls).

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0011"
branch_labels = None
depends_on = None

_QUEUE_PG = """
DROP TRIGGER ledger_report_queue ON ledger_entries;
DROP TRIGGER sales_report_queue ON sales;
CREATE FUNCTION report_queue_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_pending (kind, ref) SELECT TG_ARGV[0], id FROM new_rows;
  RETURN NULL;
END $$;
CREATE TRIGGER ledger_report_queue AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_queue_rows('e');
CREATE TRIGGER sales_report_queue AFTER INSERT ON sales
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION report_queue_rows('s');
DROP FUNCTION report_queue();
"""


def upgrade() -> None:
    op.create_index("ix_ledger_entries_sale_id", "ledger_entries", ["sale_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_QUEUE_PG)


def downgrade() -> None:
    raise NotImplementedError("HQ migrations only go forward; restore a backup instead")

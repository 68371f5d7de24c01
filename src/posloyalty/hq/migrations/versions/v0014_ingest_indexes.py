"""Ingest at scale: an index on ``ledger_entries.sale_id`` (every push reads the entries
already held for its sales: without it a full scan of the ledger under the writer lock), and
on PostgreSQL the report queue's insert triggers fire once per statement with a transition
table (a 500-row push queued its rows with 500 PL/pgSQL calls), and the member-key trigger of
``0010`` runs PL/pgSQL only when a column of the key changes (a push marks every member it
names dirty: an UPDATE of each).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
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
DROP TRIGGER members_report_delta ON members;
CREATE TRIGGER members_report_delta AFTER INSERT OR DELETE ON members
  FOR EACH ROW EXECUTE FUNCTION report_member_delta();
CREATE TRIGGER members_report_delta_update AFTER UPDATE ON members
  FOR EACH ROW WHEN (OLD.registered_at IS DISTINCT FROM NEW.registered_at
    OR OLD.home_store IS DISTINCT FROM NEW.home_store
    OR OLD.channel IS DISTINCT FROM NEW.channel
    OR OLD.merged_into IS DISTINCT FROM NEW.merged_into
    OR OLD.state->>'tier' IS DISTINCT FROM NEW.state->>'tier'
    OR OLD.state->>'growth' IS DISTINCT FROM NEW.state->>'growth')
  EXECUTE FUNCTION report_member_delta();
"""


def upgrade() -> None:
    op.create_index("ix_ledger_entries_sale_id", "ledger_entries", ["sale_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_QUEUE_PG)


def downgrade() -> None:
    raise NotImplementedError("HQ migrations only go forward; restore a backup instead")

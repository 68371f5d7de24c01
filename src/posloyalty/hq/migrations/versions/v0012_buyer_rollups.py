"""Member rollups keyed by the resolved member (``hq.buyers``): purchases per member, day and
store (``report_buyer_days``), lifecycle stage and dormant segment changes per day
(``report_stage_days``, counted on the first refresh), what they were counted with
(``report_buyers``, ``report_settings``), the members to recompute (``report_dirty_members``,
queued by triggers on ``members`` and ``member_aliases``); the chain's figures per day
(``report_days``); stores' regions by day (``store_regions``).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger
_FLOWS = (
    "sales_fen",
    "member_sales_fen",
    "issued",
    "redeemed",
    "expired",
    "reversed",
    "deducted",
    "net_points",
)

# A member is recomputed when what its rows are keyed by changes: tier, channel, registration,
# merge; or when an alias moves to or from it (its purchases move with the alias).
_PG = """
CREATE FUNCTION report_dirty_member() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO report_dirty_members (member_id) VALUES (OLD.id);
  ELSE
    INSERT INTO report_dirty_members (member_id) VALUES (NEW.id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER members_report_dirty AFTER INSERT OR DELETE ON members
  FOR EACH ROW EXECUTE FUNCTION report_dirty_member();
-- Pushes update members all the time (dirty, last seen): the WHEN keeps PL/pgSQL out of those.
CREATE TRIGGER members_report_dirty_update AFTER UPDATE ON members
  FOR EACH ROW WHEN (OLD.registered_at IS DISTINCT FROM NEW.registered_at
    OR OLD.channel IS DISTINCT FROM NEW.channel
    OR OLD.merged_into IS DISTINCT FROM NEW.merged_into
    OR (OLD.state->>'tier') IS DISTINCT FROM (NEW.state->>'tier'))
  EXECUTE FUNCTION report_dirty_member();
CREATE FUNCTION report_dirty_alias() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO report_dirty_members (member_id) VALUES (OLD.member_id);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO report_dirty_members (member_id) VALUES (NEW.member_id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER aliases_report_dirty AFTER INSERT OR UPDATE OR DELETE ON member_aliases
  FOR EACH ROW EXECUTE FUNCTION report_dirty_alias();
"""

_QUEUE = "INSERT INTO report_dirty_members (member_id) VALUES"
_SQLITE = [
    f"""CREATE TRIGGER members_report_dirty_insert AFTER INSERT ON members
        BEGIN {_QUEUE} (NEW.id); END""",
    f"""CREATE TRIGGER members_report_dirty_delete AFTER DELETE ON members
        BEGIN {_QUEUE} (OLD.id); END""",
    f"""CREATE TRIGGER members_report_dirty_update AFTER UPDATE ON members
        WHEN OLD.registered_at IS NOT NEW.registered_at OR OLD.channel IS NOT NEW.channel
          OR OLD.merged_into IS NOT NEW.merged_into
          OR json_extract(OLD.state, '$.tier') IS NOT json_extract(NEW.state, '$.tier')
        BEGIN {_QUEUE} (NEW.id); END""",
    f"""CREATE TRIGGER aliases_report_dirty_insert AFTER INSERT ON member_aliases
        BEGIN {_QUEUE} (NEW.member_id); END""",
    f"""CREATE TRIGGER aliases_report_dirty_delete AFTER DELETE ON member_aliases
        BEGIN {_QUEUE} (OLD.member_id); END""",
    f"""CREATE TRIGGER aliases_report_dirty_update AFTER UPDATE ON member_aliases
        BEGIN {_QUEUE} (OLD.member_id); {_QUEUE} (NEW.member_id); END""",
]

_PG_DAY = "(registered_at AT TIME ZONE 'UTC')::date"
_PG_TIER = "coalesce(m.state->>'tier', '')"
_SQLITE_DAY = "date(registered_at)"
_SQLITE_TIER = "coalesce(json_extract(m.state, '$.tier'), '')"


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "report_days",
        sa.Column("day", sa.Date, primary_key=True),
        *(sa.Column(name, _BIG, nullable=False) for name in _FLOWS),
    )
    op.create_table(
        "report_buyer_days",
        sa.Column("member_id", sa.String(16), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("store_id", sa.String(32), primary_key=True),
        sa.Column("tier", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("orders", sa.Integer, nullable=False),
        sa.Column("spend_fen", _BIG, nullable=False),
        sa.Column("last_order_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "report_buyers",
        sa.Column("member_id", sa.String(16), primary_key=True),
        sa.Column("reg_day", sa.Date, nullable=False),
        sa.Column("tier", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
    )
    op.create_table(
        "report_stage_days",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("family", sa.String(1), primary_key=True),
        sa.Column("name", sa.String(16), primary_key=True),
        sa.Column("tier", sa.String(32), primary_key=True),
        sa.Column("channel", sa.String(8), primary_key=True),
        sa.Column("delta", _BIG, nullable=False),
    )
    op.create_table(
        "report_dirty_members",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.String(16), nullable=False),
        sa.Column("batch", sa.Integer),
    )
    op.create_index("ix_report_dirty_members_batch", "report_dirty_members", ["batch"])
    op.create_table(
        "report_settings",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "store_regions",
        sa.Column("store_id", sa.String(32), primary_key=True),
        sa.Column("since", sa.Date, primary_key=True),
        sa.Column("region", sa.String(32)),
    )
    op.create_index("ix_store_regions_region", "store_regions", ["region"])
    # What HQ holds so far: a store has been in its region all along (no history was kept).
    op.execute(
        "INSERT INTO store_regions (store_id, since, region) "
        "SELECT id, '1970-01-01', region FROM stores WHERE region IS NOT NULL"
    )
    flows = ", ".join(_FLOWS)
    sums = ", ".join(f"sum({f})" for f in _FLOWS)
    op.execute(
        f"INSERT INTO report_days (day, {flows}) "
        f"SELECT day, {sums} FROM report_store_days GROUP BY day"
    )
    tier = _PG_TIER if pg else _SQLITE_TIER
    op.execute(
        "INSERT INTO report_buyer_days (member_id, day, store_id, tier, channel, orders, "
        "spend_fen, last_order_at) "
        f"SELECT a.member_id, d.day, d.store_id, {tier}, coalesce(m.channel, ''), "
        "sum(d.orders), sum(d.spend_fen), max(d.last_order_at) "
        "FROM report_member_days d JOIN member_aliases a ON a.alias = d.member_ref "
        "JOIN members m ON m.id = a.member_id "
        f"GROUP BY a.member_id, d.day, d.store_id, {tier}, coalesce(m.channel, '') "
        "ORDER BY d.day"
    )
    op.create_index("ix_report_buyer_days_day", "report_buyer_days", ["day"])
    op.create_index("ix_report_buyer_days_store", "report_buyer_days", ["store_id", "day"])
    day = _PG_DAY if pg else _SQLITE_DAY
    op.execute(
        "INSERT INTO report_buyers (member_id, reg_day, tier, channel) "
        f"SELECT id, {day}, {tier}, coalesce(channel, '') FROM members m "
        "WHERE merged_into IS NULL"
    )
    # report_stage_days: counted by the first refresh (no report_settings 'stage_rules' yet).
    if pg:
        op.execute(_PG)
    else:
        for statement in _SQLITE:
            op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("HQ migrations only go forward; restore a backup instead")

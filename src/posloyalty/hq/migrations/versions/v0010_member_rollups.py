"""Member rollups for the reports (``hq.rollup``): joins per UTC day x store x tier x channel,
members per store x tier x channel, members per tier x channel x growth, and net points per
store (all time), kept up to date
from the changes triggers on ``members`` queue in ``report_member_deltas``; indexes on
``members.registered_at`` and ``members.home_store`` for the few figures still read there.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_BIG = sa.BigInteger

# A member counts while not merged, under the key (UTC day of registration, home store,
# tier, channel, growth); "" for a missing store, tier or channel; growth 0 when missing or
# not an integer. Each change of key queues -1 for the old key and +1 for the new one.
_PG = """
CREATE FUNCTION report_member_delta() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  o record;
  n record;
  has_o boolean := TG_OP <> 'INSERT' AND OLD.merged_into IS NULL;
  has_n boolean := TG_OP <> 'DELETE' AND NEW.merged_into IS NULL;
BEGIN
  IF has_o THEN
    SELECT (OLD.registered_at AT TIME ZONE 'UTC')::date AS day,
           coalesce(OLD.home_store, '') AS store_id,
           coalesce(OLD.state->>'tier', '') AS tier, coalesce(OLD.channel, '') AS channel,
           CASE WHEN OLD.state->>'growth' ~ '^-?[0-9]{1,18}$'
                THEN (OLD.state->>'growth')::bigint ELSE 0 END AS growth INTO o;
  END IF;
  IF has_n THEN
    SELECT (NEW.registered_at AT TIME ZONE 'UTC')::date AS day,
           coalesce(NEW.home_store, '') AS store_id,
           coalesce(NEW.state->>'tier', '') AS tier, coalesce(NEW.channel, '') AS channel,
           CASE WHEN NEW.state->>'growth' ~ '^-?[0-9]{1,18}$'
                THEN (NEW.state->>'growth')::bigint ELSE 0 END AS growth INTO n;
  END IF;
  IF has_o AND has_n THEN
    IF o.day = n.day AND o.store_id = n.store_id AND o.tier = n.tier
       AND o.channel = n.channel AND o.growth = n.growth THEN
      RETURN NULL;
    END IF;
  END IF;
  IF has_o THEN
    INSERT INTO report_member_deltas (day, store_id, tier, channel, growth, delta)
    VALUES (o.day, o.store_id, o.tier, o.channel, o.growth, -1);
  END IF;
  IF has_n THEN
    INSERT INTO report_member_deltas (day, store_id, tier, channel, growth, delta)
    VALUES (n.day, n.store_id, n.tier, n.channel, n.growth, 1);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER members_report_delta AFTER INSERT OR UPDATE OR DELETE ON members
  FOR EACH ROW EXECUTE FUNCTION report_member_delta();
"""

_PG_KEY = (
    "(registered_at AT TIME ZONE 'UTC')::date, coalesce(home_store, ''), "
    "coalesce(state->>'tier', ''), coalesce(channel, ''), "
    "CASE WHEN state->>'growth' ~ '^-?[0-9]{1,18}$' THEN (state->>'growth')::bigint ELSE 0 END"
)


def _sqlite_parts(row: str) -> list[str]:
    growth = f"json_extract({row}.state, '$.growth')"
    return [
        f"date({row}.registered_at)",
        f"coalesce({row}.home_store, '')",
        f"coalesce(json_extract({row}.state, '$.tier'), '')",
        f"coalesce({row}.channel, '')",
        f"CASE WHEN typeof({growth}) = 'integer' THEN {growth} ELSE 0 END",
    ]


def _sqlite_key(row: str) -> str:
    return ", ".join(_sqlite_parts(row))


_INSERT = "INSERT INTO report_member_deltas (day, store_id, tier, channel, growth, delta) "
_CHANGED = " OR ".join(
    f"({a}) IS NOT ({b})" for a, b in zip(_sqlite_parts("OLD"), _sqlite_parts("NEW"), strict=True)
)

_SQLITE = [
    f"""CREATE TRIGGER members_report_insert AFTER INSERT ON members
        WHEN NEW.merged_into IS NULL
        BEGIN {_INSERT} SELECT {_sqlite_key("NEW")}, 1; END""",
    f"""CREATE TRIGGER members_report_delete AFTER DELETE ON members
        WHEN OLD.merged_into IS NULL
        BEGIN {_INSERT} SELECT {_sqlite_key("OLD")}, -1; END""",
    f"""CREATE TRIGGER members_report_update AFTER UPDATE ON members
        WHEN (OLD.merged_into IS NULL) IS NOT (NEW.merged_into IS NULL)
          OR (NEW.merged_into IS NULL AND ({_CHANGED}))
        BEGIN
          {_INSERT} SELECT {_sqlite_key("OLD")}, -1 WHERE OLD.merged_into IS NULL;
          {_INSERT} SELECT {_sqlite_key("NEW")}, 1 WHERE NEW.merged_into IS NULL;
        END""",
]


def upgrade() -> None:
    op.create_table(
        "report_member_deltas",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("store_id", sa.String(32), nullable=False),
        sa.Column("tier", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("growth", _BIG, nullable=False),
        sa.Column("delta", sa.Integer, nullable=False),
        sa.Column("batch", sa.Integer),
    )
    op.create_index("ix_report_member_deltas_batch", "report_member_deltas", ["batch"])
    op.create_table(
        "report_joins",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("store_id", sa.String(32), primary_key=True),
        sa.Column("tier", sa.String(32), primary_key=True),
        sa.Column("channel", sa.String(8), primary_key=True),
        sa.Column("members", _BIG, nullable=False),
    )
    op.create_table(
        "report_member_totals",
        sa.Column("store_id", sa.String(32), primary_key=True),
        sa.Column("tier", sa.String(32), primary_key=True),
        sa.Column("channel", sa.String(8), primary_key=True),
        sa.Column("members", _BIG, nullable=False),
    )
    op.create_table(
        "report_growth",
        sa.Column("tier", sa.String(32), primary_key=True),
        sa.Column("channel", sa.String(8), primary_key=True),
        sa.Column("growth", _BIG, primary_key=True),
        sa.Column("members", _BIG, nullable=False),
    )
    op.create_table(
        "report_store_points",
        sa.Column("store_id", sa.String(32), primary_key=True),
        sa.Column("net_points", _BIG, nullable=False),
    )
    # What the store-day rollup holds so far, per store (later entries add up in refresh).
    op.execute(
        "INSERT INTO report_store_points (store_id, net_points) "
        "SELECT store_id, sum(net_points) FROM report_store_days GROUP BY store_id"
    )
    op.create_index("ix_members_registered_at", "members", ["registered_at"])
    op.create_index("ix_members_home_store", "members", ["home_store"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG)
    else:
        for statement in _SQLITE:
            op.execute(statement)
    # The members HQ already holds go into the first refresh.
    key = _PG_KEY if op.get_bind().dialect.name == "postgresql" else _sqlite_key("members")
    op.execute(f"{_INSERT} SELECT {key}, 1 FROM members WHERE merged_into IS NULL")


def downgrade() -> None:
    raise NotImplementedError("HQ migrations only go forward; restore a backup instead")

"""Members' personal data encrypted at rest; phones found through a blind index.

Every member's phone, name, birthday and code secret are sealed under HQ's keys (hq.pii) and
the clear columns are dropped. The chain's phone salt becomes the sealed phone key (the same
value, now an HMAC key); the change feed's member rows get the keyed phone hash (re-stamped, so
terminals pull them again) and its member-secret rows lose the secret (filled in at pull).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import datetime as dt
import json
import os

import sqlalchemy as sa
from alembic import context, op

from posloyalty.domain import privacy
from posloyalty.hq.keys import Keyring
from posloyalty.hq.pii import Pii, index_of, seal_member, seal_text

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_NEW = (
    ("phone_index", sa.String(64), "''"),
    ("pii_key_id", sa.String(32), "''"),
    ("pii_key", sa.LargeBinary, "X''"),
    ("pii", sa.LargeBinary, "X''"),
)
_CLEAR = ("phone", "phone_hash", "name", "birthday", "secret")


def _date(value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def upgrade() -> None:
    keyring = context.config.attributes.get("keyring")
    if not isinstance(keyring, Keyring):
        raise RuntimeError("this migration encrypts members: run it through hq.db.migrate")
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    for name, type_, empty in _NEW:
        default = "'\\x'::bytea" if postgres and empty == "X''" else empty
        op.add_column(
            "members",
            sa.Column(name, type_, nullable=False, server_default=sa.text(default)),
        )

    salt = bind.execute(sa.text("SELECT value FROM settings WHERE key = 'phone_salt'")).scalar()
    phone_key = str(salt) if salt else os.urandom(32).hex()
    bind.execute(sa.text("DELETE FROM settings WHERE key = 'phone_salt'"))
    bind.execute(
        sa.text("INSERT INTO settings (key, value) VALUES ('sealed:phone_key', :v)"),
        {"v": seal_text(keyring, "sealed:phone_key", phone_key)},
    )

    hashes: dict[str, str] = {}
    rows = bind.execute(sa.text("SELECT id, phone, name, birthday, secret FROM members"))
    for member_id, phone, name, birthday, secret in rows.all():
        sealed = seal_member(
            keyring, member_id, Pii(phone, name or "", _date(birthday), bytes(secret))
        )
        bind.execute(
            sa.text(
                "UPDATE members SET phone_index = :i, pii_key_id = :k, pii_key = :w, pii = :c "
                "WHERE id = :id"
            ),
            {
                "i": index_of(keyring, phone),
                "k": sealed.key_id,
                "w": sealed.wrapped_key,
                "c": sealed.ciphertext,
                "id": member_id,
            },
        )
        hashes[member_id] = privacy.phone_hash(phone_key, phone)
    _rewrite_feed(bind, hashes)

    op.drop_index("ix_members_phone_hash", table_name="members")
    for name in _CLEAR:
        op.execute(f"ALTER TABLE members DROP COLUMN {name}")
    if postgres:
        for name, _, _ in _NEW:
            op.execute(f"ALTER TABLE members ALTER COLUMN {name} DROP DEFAULT")
    op.create_index("ix_members_phone_index", "members", ["phone_index"])
    op.create_index("ix_members_pii_key_id", "members", ["pii_key_id"])


def _rewrite_feed(bind: sa.Connection, hashes: dict[str, str]) -> None:
    """Member rows get the keyed hash and a new seq (terminals pull them again); secret rows
    lose the secret."""
    changes = bind.execute(
        sa.text(
            "SELECT kind, key, CAST(data AS TEXT) FROM changes "
            "WHERE kind IN ('member', 'member_secret') ORDER BY seq"
        )
    ).all()
    if not changes:
        return
    top = bind.execute(sa.text("SELECT value FROM counters WHERE name = 'change'")).scalar()
    seq = int(top or 0)
    cast = "CAST(:d AS JSON)" if bind.dialect.name == "postgresql" else ":d"
    for kind, key, text in changes:
        data = json.loads(text) if text is not None else None
        if isinstance(data, dict) and kind == "member" and "phone_hash" in data:
            data["phone_hash"] = hashes.get(key, data["phone_hash"])
        elif isinstance(data, dict) and kind == "member_secret":
            data["secret"] = ""
        seq += 1
        bind.execute(
            sa.text(
                f"UPDATE changes SET seq = :s{', data = ' + cast if data else ''} "
                "WHERE kind = :k AND key = :key"
            ),
            {"s": seq, "d": json.dumps(data, ensure_ascii=False), "k": kind, "key": key},
        )
    bind.execute(sa.text("UPDATE counters SET value = :v WHERE name = 'change'"), {"v": seq})


def downgrade() -> None:
    raise NotImplementedError("HQ migrations only go forward; restore a backup instead")

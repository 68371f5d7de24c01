"""Schema versions as explicit steps: ``MIGRATIONS[n - 1]`` takes a database from n-1 to n.

The version is SQLite's ``PRAGMA user_version``; each step runs in its own transaction
together with the version bump (SQLite DDL is transactional), so a step is applied fully or
not at all. Steps are frozen once released: never edit one, append a new one.

The steps are the history; the schema of the current version is described once, in
:mod:`posloyalty.tilldb.models`. A new database is created from that description
(:func:`create_current`, one transaction); an older one is upgraded by the steps. A test
checks that every upgrade ends where :func:`create_current` does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Connection

from posloyalty.tilldb.models import Base

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Migration",
    "create_current",
]

#: ``PRAGMA application_id`` of a posloyalty terminal database ("POSL").
APPLICATION_ID = 0x504F534C

Migration = Callable[[Connection], None]

_V1 = [
    f"PRAGMA application_id = {APPLICATION_ID}",
    """CREATE TABLE settings (
        "key" VARCHAR NOT NULL PRIMARY KEY,
        value TEXT NOT NULL)""",
    """CREATE TABLE products (
        sku VARCHAR NOT NULL PRIMARY KEY,
        ean VARCHAR UNIQUE,
        name TEXT NOT NULL,
        price_fen INTEGER NOT NULL CHECK (price_fen >= 0),
        category VARCHAR NOT NULL,
        special_price BOOLEAN NOT NULL,
        member_price_fen INTEGER CHECK (member_price_fen >= 0))""",
    """CREATE TABLE members (
        id VARCHAR NOT NULL PRIMARY KEY,
        phone_masked VARCHAR NOT NULL,
        phone_hash VARCHAR NOT NULL,
        display_name TEXT NOT NULL,
        tier VARCHAR NOT NULL,
        growth INTEGER NOT NULL,
        cached_points INTEGER NOT NULL,
        cached_pending INTEGER NOT NULL,
        birthday VARCHAR(10),
        last_purchase_at VARCHAR(27),
        registered_at VARCHAR(27) NOT NULL,
        hq_version INTEGER NOT NULL,
        provisional BOOLEAN NOT NULL)""",
    "CREATE INDEX ix_members_phone_hash ON members (phone_hash)",
    """CREATE TABLE rule_documents (
        id VARCHAR NOT NULL,
        revision INTEGER NOT NULL,
        text TEXT NOT NULL,
        active BOOLEAN NOT NULL,
        PRIMARY KEY (id, revision))""",
    """CREATE TABLE sales (
        id VARCHAR NOT NULL PRIMARY KEY,
        terminal VARCHAR NOT NULL,
        store VARCHAR NOT NULL,
        cashier VARCHAR NOT NULL,
        member VARCHAR REFERENCES members (id),
        at VARCHAR(27) NOT NULL,
        subtotal_fen INTEGER NOT NULL,
        total_fen INTEGER NOT NULL,
        status VARCHAR NOT NULL,
        original_sale_id VARCHAR REFERENCES sales (id),
        receipt_code VARCHAR NOT NULL UNIQUE,
        quote TEXT NOT NULL,
        CONSTRAINT sales_status CHECK (status IN ('committed', 'cancelled')))""",
    "CREATE INDEX ix_sales_member ON sales (member)",
    "CREATE INDEX ix_sales_original_sale_id ON sales (original_sale_id)",
    "CREATE INDEX ix_sales_at ON sales (at)",
    """CREATE TABLE sale_lines (
        sale VARCHAR NOT NULL REFERENCES sales (id),
        "index" INTEGER NOT NULL,
        sku VARCHAR NOT NULL,
        name TEXT NOT NULL,
        qty INTEGER NOT NULL,
        unit_price_fen INTEGER NOT NULL,
        gross_fen INTEGER NOT NULL,
        net_fen INTEGER NOT NULL,
        discounts TEXT NOT NULL,
        points INTEGER NOT NULL,
        growth INTEGER NOT NULL,
        PRIMARY KEY (sale, "index"),
        CONSTRAINT sale_lines_qty CHECK (qty <> 0))""",
    """CREATE TABLE payments (
        id INTEGER NOT NULL PRIMARY KEY,
        sale VARCHAR NOT NULL REFERENCES sales (id),
        method VARCHAR NOT NULL,
        amount_fen INTEGER NOT NULL,
        reference VARCHAR NOT NULL,
        CONSTRAINT payments_method
            CHECK (method IN ('cash', 'card', 'gift_card', 'points', 'coupon', 'other')))""",
    "CREATE INDEX ix_payments_sale ON payments (sale)",
    """CREATE TABLE member_coupons (
        code VARCHAR NOT NULL PRIMARY KEY,
        member VARCHAR NOT NULL REFERENCES members (id),
        template VARCHAR NOT NULL,
        valid_from VARCHAR(27) NOT NULL,
        valid_until VARCHAR(27) NOT NULL,
        used_sale VARCHAR REFERENCES sales (id))""",
    "CREATE INDEX ix_member_coupons_member ON member_coupons (member)",
    """CREATE TABLE ledger_entries (
        id VARCHAR NOT NULL PRIMARY KEY,
        member VARCHAR NOT NULL REFERENCES members (id),
        kind VARCHAR NOT NULL,
        points INTEGER NOT NULL,
        lot VARCHAR NOT NULL,
        at VARCHAR(27) NOT NULL,
        available_at VARCHAR(27) NOT NULL,
        expires_at VARCHAR(27),
        renews_until VARCHAR(27),
        sale_id VARCHAR REFERENCES sales (id),
        terminal VARCHAR NOT NULL,
        store VARCHAR NOT NULL,
        cashier VARCHAR NOT NULL,
        reason TEXT NOT NULL,
        created_at VARCHAR(27) NOT NULL,
        CONSTRAINT ledger_kind
            CHECK (kind IN ('earn', 'redeem', 'expire', 'reverse', 'adjust', 'bonus')))""",
    "CREATE INDEX ix_ledger_entries_member ON ledger_entries (member)",
    "CREATE INDEX ix_ledger_entries_sale_id ON ledger_entries (sale_id)",
    """CREATE TABLE outbox (
        id INTEGER NOT NULL PRIMARY KEY,
        kind VARCHAR NOT NULL,
        ref_id VARCHAR NOT NULL,
        payload TEXT NOT NULL,
        created_at VARCHAR(27) NOT NULL,
        sent_at VARCHAR(27),
        CONSTRAINT outbox_kind_ref UNIQUE (kind, ref_id))""",
    """CREATE TABLE sync_cursors (
        name VARCHAR NOT NULL PRIMARY KEY,
        value TEXT NOT NULL)""",
    """CREATE TABLE cashiers (
        id VARCHAR NOT NULL PRIMARY KEY,
        name TEXT NOT NULL,
        role VARCHAR NOT NULL,
        pin_salt BLOB NOT NULL,
        pin_hash BLOB NOT NULL,
        member_id VARCHAR,
        created_at VARCHAR(27) NOT NULL,
        CONSTRAINT cashiers_role CHECK (role IN ('cashier', 'manager')))""",
    """CREATE TABLE audit_log (
        id INTEGER NOT NULL PRIMARY KEY,
        at VARCHAR(27) NOT NULL,
        cashier VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        detail TEXT NOT NULL)""",
]

_V2 = [
    # The points ledger and the audit log are append-only.
    """CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
       BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
       BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only: DELETE refused'); END""",
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END""",
    # The sync client drains pending rows in id order.
    "CREATE INDEX ix_outbox_pending ON outbox (id) WHERE sent_at IS NULL",
    # At most one active rule document.
    "CREATE UNIQUE INDEX ix_rule_documents_one_active ON rule_documents (active) WHERE active",
]


_V3 = [
    # Dynamic-code secrets of the members in this terminal's slice, sealed (AES-GCM) under the
    # terminal key, which lives outside the database (see store/vault.py).
    """CREATE TABLE member_secrets (
        member VARCHAR NOT NULL PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
        key_id VARCHAR NOT NULL,
        sealed BLOB NOT NULL,
        updated_at VARCHAR(27) NOT NULL)""",
    # Static cards: only the digest of the token is kept (domain.codes.token_digest).
    """CREATE TABLE card_tokens (
        digest VARCHAR NOT NULL PRIMARY KEY,
        member VARCHAR NOT NULL REFERENCES members (id) ON DELETE CASCADE,
        issued_at VARCHAR(27) NOT NULL)""",
    "CREATE INDEX ix_card_tokens_member ON card_tokens (member)",
    """CREATE TABLE code_revocations (
        digest VARCHAR NOT NULL PRIMARY KEY,
        kind VARCHAR NOT NULL,
        revoked_at VARCHAR(27) NOT NULL,
        reason TEXT NOT NULL,
        CONSTRAINT code_revocations_kind CHECK (kind IN ('card', 'provisional')))""",
    # Dynamic codes already accepted here (the replay cache survives a restart).
    """CREATE TABLE used_codes (
        member VARCHAR NOT NULL,
        counter INTEGER NOT NULL,
        used_at VARCHAR(27) NOT NULL,
        PRIMARY KEY (member, counter))""",
    """CREATE TABLE provisional_sequences (
        terminal VARCHAR NOT NULL PRIMARY KEY,
        last_seq INTEGER NOT NULL CHECK (last_seq >= 0))""",
    # Welcome benefits are granted once per member.
    """CREATE TABLE welcome_grants (
        member VARCHAR NOT NULL PRIMARY KEY REFERENCES members (id),
        granted_at VARCHAR(27) NOT NULL,
        detail TEXT NOT NULL)""",
]


_V4 = [
    # Fewer b-trees written per sale: lines, payments and ledger entries are stored in the
    # order of their natural keys (WITHOUT ROWID), so no separate primary-key index is kept.
    # Each table is renamed away, recreated under its name, filled and dropped; nothing
    # references these tables, so foreign keys stay on throughout.
    "ALTER TABLE sale_lines RENAME TO sale_lines_v3",
    """CREATE TABLE sale_lines (
        sale VARCHAR NOT NULL REFERENCES sales (id),
        "index" INTEGER NOT NULL,
        sku VARCHAR NOT NULL,
        name TEXT NOT NULL,
        qty INTEGER NOT NULL,
        unit_price_fen INTEGER NOT NULL,
        gross_fen INTEGER NOT NULL,
        net_fen INTEGER NOT NULL,
        discounts TEXT NOT NULL,
        points INTEGER NOT NULL,
        growth INTEGER NOT NULL,
        PRIMARY KEY (sale, "index"),
        CONSTRAINT sale_lines_qty CHECK (qty <> 0)) WITHOUT ROWID""",
    "INSERT INTO sale_lines SELECT * FROM sale_lines_v3",
    "DROP TABLE sale_lines_v3",
    # A payment's id orders it within its sale (the rows of v3 keep their ids).
    "ALTER TABLE payments RENAME TO payments_v3",
    "DROP INDEX ix_payments_sale",
    """CREATE TABLE payments (
        id INTEGER NOT NULL,
        sale VARCHAR NOT NULL REFERENCES sales (id),
        method VARCHAR NOT NULL,
        amount_fen INTEGER NOT NULL,
        reference VARCHAR NOT NULL,
        PRIMARY KEY (sale, id),
        CONSTRAINT payments_method
            CHECK (method IN ('cash', 'card', 'gift_card', 'points', 'coupon', 'other')))
        WITHOUT ROWID""",
    "INSERT INTO payments SELECT * FROM payments_v3",
    "DROP TABLE payments_v3",
    "ALTER TABLE ledger_entries RENAME TO ledger_entries_v3",
    "DROP TRIGGER ledger_entries_no_update",
    "DROP TRIGGER ledger_entries_no_delete",
    "DROP INDEX ix_ledger_entries_member",
    "DROP INDEX ix_ledger_entries_sale_id",
    """CREATE TABLE ledger_entries (
        id VARCHAR NOT NULL PRIMARY KEY,
        member VARCHAR NOT NULL REFERENCES members (id),
        kind VARCHAR NOT NULL,
        points INTEGER NOT NULL,
        lot VARCHAR NOT NULL,
        at VARCHAR(27) NOT NULL,
        available_at VARCHAR(27) NOT NULL,
        expires_at VARCHAR(27),
        renews_until VARCHAR(27),
        sale_id VARCHAR REFERENCES sales (id),
        terminal VARCHAR NOT NULL,
        store VARCHAR NOT NULL,
        cashier VARCHAR NOT NULL,
        reason TEXT NOT NULL,
        created_at VARCHAR(27) NOT NULL,
        CONSTRAINT ledger_kind
            CHECK (kind IN ('earn', 'redeem', 'expire', 'reverse', 'adjust', 'bonus')))
        WITHOUT ROWID""",
    # Indexes before the rows: filled in entry order they keep room for new entries, where
    # an index built at once is packed full and splits a page on nearly every sale at first.
    "CREATE INDEX ix_ledger_entries_member ON ledger_entries (member)",
    "CREATE INDEX ix_ledger_entries_sale_id ON ledger_entries (sale_id)",
    "INSERT INTO ledger_entries SELECT * FROM ledger_entries_v3",
    "DROP TABLE ledger_entries_v3",
    """CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
       BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
       BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only: DELETE refused'); END""",
    # Only returns have an original sale: index just those.
    "DROP INDEX ix_sales_original_sale_id",
    "CREATE INDEX ix_sales_original_sale_id ON sales (original_sale_id)"
    " WHERE original_sale_id IS NOT NULL",
]


_V5 = [
    # Birthdays keep only month and day (MM-DD): the year of birth is personal data the till
    # has no use for (birthday benefits read the month and day).
    "UPDATE members SET birthday = substr(birthday, 6, 5)"
    " WHERE birthday GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'",
    """CREATE TRIGGER members_birthday_month_day_insert BEFORE INSERT ON members
       WHEN NEW.birthday IS NOT NULL AND NEW.birthday NOT GLOB '[0-1][0-9]-[0-3][0-9]'
       BEGIN SELECT RAISE(ABORT, 'members.birthday holds month and day only (MM-DD)'); END""",
    """CREATE TRIGGER members_birthday_month_day_update BEFORE UPDATE OF birthday ON members
       WHEN NEW.birthday IS NOT NULL AND NEW.birthday NOT GLOB '[0-1][0-9]-[0-3][0-9]'
       BEGIN SELECT RAISE(ABORT, 'members.birthday holds month and day only (MM-DD)'); END""",
    # Registrations HQ already has need no birthday any more (new ones seal it with the PII).
    "UPDATE outbox SET payload = json_remove(payload, '$.birthday')"
    " WHERE kind = 'registration' AND sent_at IS NOT NULL"
    " AND json_type(payload, '$.birthday') IS NOT NULL",
    # Failed PIN attempts per staff account (back-off and lock-out survive a restart).
    """CREATE TABLE pin_attempts (
        cashier VARCHAR NOT NULL PRIMARY KEY REFERENCES cashiers (id) ON DELETE CASCADE,
        failures INTEGER NOT NULL,
        last_failure_at VARCHAR(27),
        locked_until VARCHAR(27),
        CONSTRAINT pin_attempts_failures CHECK (failures >= 0))""",
]


def _v5(conn: Connection) -> None:
    # The rewritten birthdays must not linger in freed page space of the file.
    conn.exec_driver_sql("PRAGMA secure_delete = ON")
    try:
        _steps(_V5)(conn)
    finally:
        conn.exec_driver_sql("PRAGMA secure_delete = OFF")


def _steps(statements: Sequence[str]) -> Migration:
    def apply(conn: Connection) -> None:
        for statement in statements:
            conn.exec_driver_sql(statement)

    return apply


#: v1: tables; v2: append-only triggers, partial indexes; v3: member codes (sealed secrets,
#: card digests, revocations, replay cache, provisional sequences, welcome grants); v4: sale
#: lines, payments and ledger entries WITHOUT ROWID, returns-only original-sale index; v5:
#: birthdays as month and day (the year dropped), failed PIN attempts per staff account; v6:
#: the tier standing HQ last stated per member (``tier_anchor``, JSON), which the till's own
#: sales and reviews are replayed on.
_V6 = ["ALTER TABLE members ADD COLUMN tier_anchor TEXT"]

#: v7: tamper evidence (store/chain.py): the ``chain`` of this till's sales, ledger entries
#: and audit log rows
#: (a row per sale and per entry the till writes (pulled entries, cashier 'hq', are not), numbered by triggers in the writing
#: transaction; existing rows chained in time order, sealed once the key is at hand) and the
#: balance confirmations HQ signed (terminal/confirmations.py).
_V7 = [
    """CREATE TABLE chain (
        seq INTEGER NOT NULL PRIMARY KEY,
        kind VARCHAR NOT NULL,
        ref_id VARCHAR NOT NULL,
        hash VARCHAR(64),
        CONSTRAINT chain_kind CHECK (kind IN ('sale', 'ledger_entry', 'audit')),
        CONSTRAINT chain_row UNIQUE (kind, ref_id))""",
    "CREATE INDEX ix_chain_unsealed ON chain (seq) WHERE hash IS NULL",
    """INSERT INTO chain (kind, ref_id)
       SELECT kind, id FROM (
           SELECT 'sale' AS kind, id, at, 0 AS o FROM sales
           UNION ALL
           SELECT 'ledger_entry', id, at, 1 FROM ledger_entries
           WHERE cashier <> 'hq'
           UNION ALL
           SELECT 'audit', CAST(id AS TEXT), at, 2 FROM audit_log)
       ORDER BY at, o, id""",
    """CREATE TRIGGER chain_sales AFTER INSERT ON sales
       BEGIN INSERT INTO chain (kind, ref_id) VALUES ('sale', NEW.id); END""",
    # Entries this till writes, not those pulled from HQ (cashier 'hq': other tills', HQ's own).
    """CREATE TRIGGER chain_ledger_entries AFTER INSERT ON ledger_entries
       WHEN NEW.cashier <> 'hq'
       BEGIN INSERT INTO chain (kind, ref_id) VALUES ('ledger_entry', NEW.id); END""",
    """CREATE TRIGGER chain_audit_log AFTER INSERT ON audit_log
       BEGIN INSERT INTO chain (kind, ref_id) VALUES ('audit', CAST(NEW.id AS TEXT)); END""",
    """CREATE TABLE balance_confirmations (
        member VARCHAR NOT NULL PRIMARY KEY,
        balance INTEGER NOT NULL,
        as_of VARCHAR(27) NOT NULL,
        terminal VARCHAR NOT NULL,
        signature VARCHAR NOT NULL)""",
]

#: v8: the cash drawer's movements (opening
#: float, cash in and out with a reason, blind counts), append-only; WeChat Pay and Alipay
#: payments; parked sales.
_V8 = [
    """CREATE TABLE drawer_movements (
        id VARCHAR NOT NULL PRIMARY KEY,
        at VARCHAR(27) NOT NULL,
        terminal VARCHAR NOT NULL,
        cashier VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        amount_fen INTEGER NOT NULL,
        reason TEXT NOT NULL,
        CONSTRAINT drawer_movements_kind CHECK (kind IN ('float', 'cash_in', 'cash_out', 'count')),
        CONSTRAINT drawer_movements_amount CHECK (amount_fen >= 0))""",
    "CREATE INDEX ix_drawer_movements_at ON drawer_movements (at)",
    """CREATE TRIGGER drawer_movements_no_update BEFORE UPDATE ON drawer_movements
       BEGIN SELECT RAISE(ABORT, 'drawer_movements is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER drawer_movements_no_delete BEFORE DELETE ON drawer_movements
       BEGIN SELECT RAISE(ABORT, 'drawer_movements is append-only: DELETE refused'); END""",
    # WeChat Pay and Alipay as tenders (taken on the store's payment device, kept like card).
    "ALTER TABLE payments RENAME TO payments_v8",
    """CREATE TABLE payments (
        id INTEGER NOT NULL,
        sale VARCHAR NOT NULL REFERENCES sales (id),
        method VARCHAR NOT NULL,
        amount_fen INTEGER NOT NULL,
        reference VARCHAR NOT NULL,
        PRIMARY KEY (sale, id),
        CONSTRAINT payments_method CHECK (method IN
            ('cash', 'card', 'gift_card', 'wechat', 'alipay', 'points', 'coupon', 'other')))
        WITHOUT ROWID""",
    "INSERT INTO payments SELECT * FROM payments_v8",
    "DROP TABLE payments_v8",
    # Parked sales (挂单): the basket and its member, recalled later (取单), across restarts.
    """CREATE TABLE parked_sales (
        id VARCHAR NOT NULL PRIMARY KEY,
        at VARCHAR(27) NOT NULL,
        terminal VARCHAR NOT NULL,
        cashier VARCHAR NOT NULL,
        label TEXT NOT NULL,
        basket TEXT NOT NULL)""",
]

#: v9: fewer b-trees written per sale. The chain's unique key is ``(ref_id, kind)``: a sale's
#: row and its ledger entries' rows (ids of one generator, made together) land in one leaf
#: of the index, where ``(kind, ref_id)`` put them in two. The partial index of unsealed chain
#: rows goes: the seal finds the rows its transaction wrote by ``seq``, the key of the table.
#: The chain's triggers are dropped and made again around the rebuild (a rename would point
#: them at the old table).
_V9 = [
    "DROP INDEX ix_chain_unsealed",
    "DROP TRIGGER chain_sales",
    "DROP TRIGGER chain_ledger_entries",
    "DROP TRIGGER chain_audit_log",
    "ALTER TABLE chain RENAME TO chain_v8",
    """CREATE TABLE chain (
        seq INTEGER NOT NULL PRIMARY KEY,
        kind VARCHAR NOT NULL,
        ref_id VARCHAR NOT NULL,
        hash VARCHAR(64),
        CONSTRAINT chain_kind CHECK (kind IN ('sale', 'ledger_entry', 'audit')),
        CONSTRAINT chain_row UNIQUE (ref_id, kind))""",
    "INSERT INTO chain (seq, kind, ref_id, hash) SELECT seq, kind, ref_id, hash FROM chain_v8",
    "DROP TABLE chain_v8",
    """CREATE TRIGGER chain_sales AFTER INSERT ON sales
       BEGIN INSERT INTO chain (kind, ref_id) VALUES ('sale', NEW.id); END""",
    """CREATE TRIGGER chain_ledger_entries AFTER INSERT ON ledger_entries
       WHEN NEW.cashier <> 'hq'
       BEGIN INSERT INTO chain (kind, ref_id) VALUES ('ledger_entry', NEW.id); END""",
    """CREATE TRIGGER chain_audit_log AFTER INSERT ON audit_log
       BEGIN INSERT INTO chain (kind, ref_id) VALUES ('audit', CAST(NEW.id AS TEXT)); END""",
]

MIGRATIONS: tuple[Migration, ...] = (
    _steps(_V1),
    _steps(_V2),
    _steps(_V3),
    _steps(_V4),
    _v5,
    _steps(_V6),
    _steps(_V7),
    _steps(_V8),
    _steps(_V9),
)
SCHEMA_VERSION = len(MIGRATIONS)


def create_current(conn: Connection) -> None:
    """Create the current schema (:data:`SCHEMA_VERSION`) in an empty database, from
    :mod:`~posloyalty.tilldb.models`; the caller sets ``user_version`` in the same transaction."""
    conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
    Base.metadata.create_all(conn, checkfirst=False)

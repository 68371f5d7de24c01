"""A copy of HQ's database (a stolen backup, a read-only SQL account) gives no phone, name,
birthday or member code secret: they are sealed under keys kept outside the database, phones
are found through a keyed blind index, keys rotate, and the migration seals existing rows."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from hq_chain import Chain
from hq_helpers import batch, member_pii, registration
from pgtest import postgres_database
from sqlalchemy import Engine, inspect, select, text

from posloyalty.domain.privacy import phone_hash
from posloyalty.hq import members, pii
from posloyalty.hq.db import MIGRATIONS, HqDb, make_engine, migrate
from posloyalty.hq.keys import (
    ENV_FILE,
    ENV_INDEX,
    ENV_MASTER,
    KeyringError,
    add_master_key,
    create_key_file,
    load_key_file,
    resolve_keyring,
)
from posloyalty.hq.models import Base, Change, Member, Setting
from posloyalty.hq.rotation import rotate_keys
from posloyalty.hq.services import HqService
from posloyalty.sync.protocol import PullRequest, PushBatch

PHONE, NAME, BIRTHDAY = "13912345678", "Zhang Sanfeng", dt.date(1987, 3, 14)


def _everything(engine: Engine) -> bytes:
    """Every value of every table, as one blob (what a stolen database shows)."""
    out: list[bytes] = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(text(f"SELECT * FROM {table.name}")):
                for value in row:
                    out.append(value if isinstance(value, bytes) else str(value).encode())
    return b"\x00".join(out)


def _findable(blob: bytes, secret: bytes) -> list[str]:
    needles = {
        "phone": PHONE.encode(),
        "phone tail": PHONE[3:].encode(),
        "name": NAME.encode(),
        "birthday": BIRTHDAY.isoformat().encode(),
        "secret": secret,
        "secret hex": secret.hex().encode(),
        "unkeyed phone hash": hashlib.sha256(PHONE.encode()).hexdigest().encode(),
    }
    return [what for what, needle in needles.items() if needle in blob]


def test_no_personal_data_in_the_database(chain: Chain) -> None:
    t = chain.till1
    item = registration(
        t.store_id,
        t.terminal_id,
        "P-rest",
        PHONE,
        chain.clock.now(),
        name=NAME,
        birthday=BIRTHDAY.isoformat(),
    )
    result = chain.svc.push(t, PushBatch.model_validate(batch(t.terminal_id, [item])))
    assert [r.status for r in result.results] == ["accepted"]
    chain.svc.run_jobs()
    with chain.svc.db.transaction() as s:
        member = s.scalar(select(Member).where(Member.phone_index == pii.phone_index(s, PHONE)))
        assert member is not None
        member_id = member.id
    clear = member_pii(chain.svc.db, member_id)
    assert (clear.phone, clear.name, clear.birthday) == (PHONE, NAME, BIRTHDAY)
    assert len(clear.secret) >= 20
    assert _findable(_everything(chain.svc.db.engine), clear.secret) == []
    if chain.svc.db.dialect == "sqlite":  # the files themselves, WAL included
        path = Path(str(chain.svc.db.engine.url.database))
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert _findable(raw, clear.secret) == []
    # The till still gets what it needs: the secret (filled in at pull) and a masked phone.
    page = chain.svc.pull(t, PullRequest(cursor=0, limit=1000))
    got = {c.kind: c.data for c in page.all_changes() if c.key == member_id}
    assert got["member_secret"] == {"member_id": member_id, "secret": clear.secret.hex()}
    shown = got["member"]
    assert shown is not None and shown["phone_masked"] == "139****5678"


def test_the_phone_index_is_keyed_not_a_plain_hash(chain: Chain) -> None:
    with chain.svc.db.transaction() as s:
        index = pii.phone_index(s, PHONE)
        keyring = pii.keyring_of(s)
    assert index == pii.index_of(keyring, "+86 139-1234-5678")  # one normalised number
    assert index not in {hashlib.sha256(f"{p}".encode()).hexdigest() for p in (PHONE, "86" + PHONE)}
    other = create_key_file(Path(os.environ[ENV_FILE]).with_name(f"other-{os.getpid()}.keys"))
    try:
        assert pii.index_of(other, PHONE) != index
    finally:
        Path(other.source).unlink()


def test_a_sealed_record_does_not_open_on_another_row(chain: Chain) -> None:
    with chain.svc.db.transaction() as s:
        m1, m2 = s.get(Member, chain.m1), s.get(Member, chain.m2)
        assert m1 is not None and m2 is not None
        m2.pii_key_id, m2.pii_key, m2.pii = m1.pii_key_id, m1.pii_key, m1.pii
    with chain.svc.db.transaction() as s, pytest.raises(KeyringError, match="does not open"):
        member = s.get(Member, chain.m2)
        assert member is not None
        pii.pii_of(s, member)


# --------------------------------------------------------------------------- keys


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hq.sqlite'}"
        return
    yield from postgres_database()


def test_keys_rotate_and_old_records_open_until_re_wrapped(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = tmp_path / "rotating.keys"
    monkeypatch.setenv(ENV_FILE, str(keys))
    db = HqDb(url)
    first = db.keyring.current
    svc = HqService(db)
    old = svc.register_member("S1", PHONE, NAME, BIRTHDAY, True).member_id
    db.dispose()

    second = add_master_key(keys)  # a new current key; nothing re-wrapped yet
    db = HqDb(url)
    assert db.keyring.current == second.current != first
    new = HqService(db).register_member("S1", "13900000002", "New", None, True).member_id
    with db.transaction() as s:
        ids = {m: k for m, k in s.execute(select(Member.id, Member.pii_key_id))}
    assert ids == {old: first, new: second.current}
    assert member_pii(db, old).name == NAME  # sealed under the old key, still opens
    db.dispose()

    done = rotate_keys(url, {ENV_FILE: str(keys)}, new_key=True, retire=True)
    assert done.rewrapped >= 2 and set(done.retired) == {first, second.current}
    assert set(load_key_file(keys).masters) == {done.current}
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    db = HqDb(url)
    try:
        with db.transaction() as s:
            assert set(s.scalars(select(Member.pii_key_id))) == {done.current}
            assert members.chain_phone_key(s)  # the sealed setting moved too
        assert member_pii(db, old) == member_pii(db, old)
        assert (member_pii(db, old).phone, member_pii(db, new).name) == (PHONE, "New")
    finally:
        db.dispose()


def test_without_the_old_key_records_do_not_open_and_say_why(url: str, tmp_path: Path) -> None:
    keys = tmp_path / "a.keys"
    db = HqDb(url, keyring=create_key_file(keys))
    member = HqService(db).register_member("S1", PHONE, NAME, None, True).member_id
    db.dispose()
    db = HqDb(url, keyring=create_key_file(tmp_path / "b.keys"))
    try:
        with db.transaction() as s, pytest.raises(KeyringError, match="not in HQ's keys"):
            row = s.get(Member, member)
            assert row is not None
            pii.pii_of(s, row)
    finally:
        db.dispose()


def test_keys_from_the_environment(url: str) -> None:
    import base64

    env = {
        ENV_MASTER: "env1:" + base64.b64encode(b"m" * 32).decode(),
        ENV_INDEX: base64.b64encode(b"i" * 32).decode(),
    }
    keyring = resolve_keyring(url, env)
    assert (keyring.current, keyring.source) == ("env1", "environment")
    db = HqDb(url, keyring=keyring)
    try:
        member = HqService(db).register_member("S1", PHONE, NAME, None, True).member_id
        assert member_pii(db, member).phone == PHONE
    finally:
        db.dispose()
    with pytest.raises(KeyringError, match=ENV_INDEX):
        resolve_keyring(url, {ENV_MASTER: env[ENV_MASTER]})
    with pytest.raises(KeyringError, match="32 bytes"):
        resolve_keyring(url, {**env, ENV_MASTER: "k:" + base64.b64encode(b"short").decode()})


def test_postgres_hq_refuses_to_start_without_keys() -> None:
    with pytest.raises(KeyringError, match=ENV_FILE):
        resolve_keyring("postgresql+psycopg://postgres@127.0.0.1:5432/x", {})


def test_embedded_hq_keeps_its_keys_in_a_private_file_beside_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_FILE, raising=False)
    old_umask = os.umask(0o022)
    try:
        path = tmp_path / "posloyalty-hq.sqlite"
        db = HqDb(str(path))
        member = HqService(db).register_member("S1", PHONE, NAME, None, True).member_id
        db.dispose()
    finally:
        os.umask(old_umask)
    keys = tmp_path / "posloyalty-hq.sqlite.keys"
    assert keys.exists() and stat.S_IMODE(keys.stat().st_mode) == 0o600
    db = HqDb(str(path))  # the same keys again
    try:
        assert member_pii(db, member).name == NAME
    finally:
        db.dispose()
    keys.rename(tmp_path / "elsewhere.keys")  # a database copied without its keys
    db = HqDb(str(path))  # a new key file is made, and the old records say so
    try:
        with db.transaction() as s, pytest.raises(KeyringError):
            row = s.get(Member, member)
            assert row is not None
            pii.pii_of(s, row)
    finally:
        db.dispose()


# --------------------------------------------------------------------------- migration 0003


def _at_0002(url: str) -> Engine:
    engine = make_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002")
    return engine


def test_migration_0003_seals_existing_members_and_drops_the_clear_columns(url: str) -> None:
    engine = _at_0002(url)
    at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    secret = os.urandom(20)
    naive = at.replace(tzinfo=None) if engine.dialect.name == "sqlite" else at
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO settings VALUES ('phone_salt', 'old-salt')"))
        conn.execute(text("UPDATE counters SET value = 2 WHERE name = 'change'"))
        conn.execute(
            text(
                "INSERT INTO members (id, phone, phone_hash, name, birthday, registered_at, "
                "secret, dirty, state, home_store) VALUES ('M1', :p, :h, :n, :b, :at, :s, "
                ":dirty, :state, 'S1')"
            ),
            {
                "p": PHONE,
                "h": hashlib.sha256(f"old-salt:{PHONE}".encode()).hexdigest(),
                "n": NAME,
                "b": BIRTHDAY,
                "at": naive,
                "s": secret,
                "dirty": False,
                "state": "{}",
            },
        )
        view = {"id": "M1", "phone_masked": "139****5678", "phone_hash": "old"}
        cast = "CAST(:d AS JSON)" if engine.dialect.name == "postgresql" else ":d"
        for seq, kind, data in (
            (1, "member", view),
            (2, "member_secret", {"member_id": "M1", "secret": secret.hex()}),
        ):
            conn.execute(
                text(
                    "INSERT INTO changes (kind, key, seq, member_id, data) "
                    f"VALUES (:k, 'M1', :s, 'M1', {cast})"
                ),
                {"k": kind, "s": seq, "d": json.dumps(data)},
            )
    keyring = resolve_keyring(url)
    migrate(engine, keyring)

    columns = {c["name"] for c in inspect(engine).get_columns("members")}
    assert not columns & {"phone", "phone_hash", "name", "birthday", "secret"}
    assert _findable(_everything(engine), secret) == []
    engine.dispose()
    db = HqDb(url, keyring=keyring)
    try:
        clear = member_pii(db, "M1")
        assert clear == pii.Pii(PHONE, NAME, BIRTHDAY, secret)
        with db.transaction() as s:
            assert s.get(Setting, "phone_salt") is None
            assert members.chain_phone_key(s) == "old-salt"  # the chain's key is kept
            rows: dict[str, Any] = {c.kind: c for c in s.scalars(select(Change))}
            assert rows["member"].data["phone_hash"] == phone_hash("old-salt", PHONE)
            assert rows["member"].seq > 2  # re-stamped: terminals pull the new hash
            assert rows["member_secret"].data == {"member_id": "M1", "secret": ""}
        # The blind index finds the migrated member: the same phone is no second member.
        again = HqService(db).register_member("S2", PHONE, "Someone", None, True)
        assert (again.member_id, again.created) == ("M1", False)
    finally:
        db.dispose()


def test_the_migrated_schema_matches_the_models(url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = _at_0002(url)
    migrate(engine, resolve_keyring(url))
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    engine.dispose()


def test_rotate_keys_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from posloyalty.cli import main

    keys = tmp_path / "cli.keys"
    monkeypatch.setenv(ENV_FILE, str(keys))
    db_file = tmp_path / "hq.sqlite"
    db = HqDb(str(db_file))
    first = db.keyring.current
    member = HqService(db).register_member("S1", PHONE, NAME, None, True).member_id
    db.dispose()
    assert main(["hq", "rotate-keys", "--db", str(db_file), "--retire"]) == 0
    out = capsys.readouterr().out
    current = load_key_file(keys).current
    assert current != first and f"retired {first}" in out and "2 records re-wrapped" in out
    db = HqDb(str(db_file))
    try:
        assert member_pii(db, member).name == NAME
    finally:
        db.dispose()
    monkeypatch.setenv(ENV_FILE, str(tmp_path / "missing" / "x.keys"))
    assert main(["hq", "rotate-keys", "--db", str(db_file)]) == 2
    assert "no HQ key file" in capsys.readouterr().err


@pytest.mark.parametrize("compact", [False, True])
def test_pulled_secrets_are_the_sealed_ones(chain: Chain, compact: bool) -> None:
    more = [
        chain.svc.register_member("S1", f"1390000000{i}", "", None, True).member_id
        for i in range(3)
    ]
    secrets_pulled: dict[str, str] = {}
    cursor = 0
    while True:
        page = chain.svc.pull(chain.till1, PullRequest(cursor=cursor, limit=1000, compact=compact))
        if compact:
            assert any(t.kind == "member_secret" for t in page.tables or [])  # a table of them
        for change in page.all_changes():
            if change.kind == "member_secret" and change.data:
                secrets_pulled[change.key] = change.data["secret"]
        cursor = page.next_cursor
        if not page.more:
            break
    assert secrets_pulled == {
        m: member_pii(chain.svc.db, m).secret.hex() for m in (chain.m1, *more)
    }

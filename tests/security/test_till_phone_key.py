"""A till's database file alone no longer gives phone numbers back: the lookup hashes are
HMACs under a key kept beside the database (``<db>.phonekey``, 0600), never in it. Before,
masked phone + salted hash + the salt in the same file gave every number in at most 10^4
hashes."""

from __future__ import annotations

import hashlib
import hmac
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from hq_chain import Chain
from hq_server import RunningServer
from till_helpers import T0, make_till

from posloyalty.clock import FixedClock
from posloyalty.domain.privacy import phone_hash
from posloyalty.hq.members import chain_phone_key
from posloyalty.sync.client import SyncClient, enroll
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.demo import KNOWN_MEMBERS, generate_demo
from posloyalty.tilldb.errors import StoreDataError
from posloyalty.tilldb.phone_key import LEGACY_SETTING, phone_key_path


def _candidates(masked: str) -> list[str]:
    """Every number a masked phone (``138****0001``) can be: 10^4 for a mainland number."""
    head, _, tail = masked.partition("****")
    return [f"{head}{i:04d}{tail}" for i in range(10_000)]


def _attack(db_file: Path) -> dict[str, list[str]]:
    """What a thief with only the database file recovers: for each member's masked phone and
    hash, the numbers some hash built from the file's own contents matches."""
    conn = sqlite3.connect(db_file)
    try:
        members = conn.execute("SELECT phone_masked, phone_hash FROM members").fetchall()
        values = [str(v) for (v,) in conn.execute("SELECT value FROM settings")]
    finally:
        conn.close()
    recovered: dict[str, list[str]] = {}
    for masked, digest in members:
        hits = []
        for number in _candidates(masked):
            guesses = {hashlib.sha256(number.encode()).hexdigest()}
            for v in values:  # any setting as a salt (the old scheme) or as an HMAC key
                guesses.add(hashlib.sha256(f"{v}:{number}".encode()).hexdigest())
                guesses.add(hmac.new(v.encode(), number.encode(), hashlib.sha256).hexdigest())
            if digest in guesses:
                hits.append(number)
        recovered[masked] = hits
    return recovered


def test_the_database_file_alone_gives_no_phone_back(tmp_path: Path) -> None:
    path = tmp_path / "till.db"
    make_till(path, FixedClock(T0))  # member M1, phone 13800000001
    stolen = tmp_path / "stolen"
    stolen.mkdir()
    for side in path.parent.glob("till.db*"):
        if not side.name.endswith(".phonekey"):
            shutil.copy(side, stolen / side.name)
    assert not phone_key_path(stolen / "till.db").exists()
    assert _attack(stolen / "till.db") == {"138****0001": []}  # 10^4 tries, nothing
    # The key beside the database is what protects the numbers: with it, the same search
    # finds the one number (so the attack above is a real one).
    key = phone_key_path(path)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    secret = key.read_text()
    found = [
        n
        for n in _candidates("138****0001")
        if hmac.new(secret.encode(), n.encode(), hashlib.sha256).hexdigest()
        == phone_hash(secret, "13800000001")
    ]
    assert found == ["13800000001"]
    raw = (path.read_bytes(), *(p.read_bytes() for p in path.parent.glob("till.db-*")))
    assert not any(secret.encode() in part for part in raw)


def test_a_legacy_salt_leaves_the_database_for_the_key_file(tmp_path: Path) -> None:
    path = tmp_path / "till.db"
    db = Database.open(path, clock=FixedClock(T0), create=True)
    try:
        with db.write() as session:
            repo.set_setting(session, LEGACY_SETTING, "pepper")  # as an older version kept it
        with db.write() as session:
            assert repo.ensure_phone_key(session) == "pepper"  # members' hashes still match
            assert repo.get_setting(session, LEGACY_SETTING) is None
        assert phone_key_path(path).read_text() == "pepper"
        assert stat.S_IMODE(phone_key_path(path).stat().st_mode) == 0o600
    finally:
        db.close()


def test_a_till_without_its_key_says_so(tmp_path: Path) -> None:
    path = tmp_path / "till.db"
    make_till(path, FixedClock(T0), enrolled=False)
    phone_key_path(path).unlink()
    db = Database.open(path, clock=FixedClock(T0))
    try:
        with db.read() as session, pytest.raises(StoreDataError, match="no phone key"):
            repo.members_by_phone(session, "13800000001")
    finally:
        db.close()


def test_an_enrolled_till_keeps_the_chains_key_beside_its_database(
    chain: Chain, tmp_path: Path
) -> None:
    path = tmp_path / "till.db"
    db = Database.open(path, clock=FixedClock(T0), create=True)
    try:
        with db.write() as session:
            repo.set_setting(session, "zone", "Asia/Shanghai")
        with RunningServer(chain.svc) as server:
            code = chain.svc.make_enrolment_code("S1")
            result = enroll(db, server.url, code, key_store="file")
            assert not result.warnings
            SyncClient(db, timeout=(2.0, 10.0)).pull()
        key = phone_key_path(path).read_text()
        with chain.svc.db.transaction() as s:
            assert key == chain_phone_key(s)
        with db.read() as session:
            assert [m.id for m in repo.members_by_phone(session, "13800000001")] == [chain.m1]
            assert repo.get_setting(session, LEGACY_SETTING) is None
    finally:
        db.close()
    assert key.encode() not in path.read_bytes()
    assert _attack(path) == {"138****0001": []}


def test_demo_data_hashes_under_the_key_file(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    db = Database.open(path, clock=FixedClock(T0), create=True)
    try:
        generate_demo(db, members=50, products=10, sales=10, seed=3)
        with db.read() as session:
            member_id, phone, _, _ = KNOWN_MEMBERS[0]
            assert [m.id for m in repo.members_by_phone(session, phone)] == [member_id]
    finally:
        db.close()
    assert stat.S_IMODE(phone_key_path(path).stat().st_mode) == 0o600

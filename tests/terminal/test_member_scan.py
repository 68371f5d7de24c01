"""identify(): member codes verified offline against the local slice; refusals change nothing."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from keyring.backend import KeyringBackend
from member_codes_helpers import SECRET, T0, add_member, dump, file_bytes, open_terminal

from posloyalty.clock import FixedClock
from posloyalty.domain import codes
from posloyalty.domain.codes import B36, CouponCode, ProductBarcode, check_char
from posloyalty.domain.ids import CashierId, EntryId, LotId, MemberId, StoreId, TerminalId
from posloyalty.domain.ids import CouponCode as CouponId
from posloyalty.domain.points import LedgerEntry
from posloyalty.resources import load_preset
from posloyalty.terminal.identified import Identified
from posloyalty.terminal.member_scan import IdentifyError, identify, member_view
from posloyalty.tilldb import member_codes, repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.migrations import MIGRATIONS, SCHEMA_VERSION
from posloyalty.tilldb.records import LedgerRecord
from posloyalty.tilldb.vault import Vault, VaultError, key_file_path, open_vault

M1 = "7K2M9QX4"
M2 = "M000000002"
NOW = int(T0.timestamp())


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "terminal.db"


@pytest.fixture
def db(db_path: Path, clock: FixedClock) -> Iterator[Database]:
    database = open_terminal(db_path, clock)
    add_member(database, M1, birthday=dt.date(1990, 3, 4), tier="gold")
    add_member(database, M2, "13900000002")
    yield database
    database.close()


@pytest.fixture
def vault(db: Database) -> Vault:
    v = open_vault(db, key_store="file")
    assert v is not None
    with db.write() as session:
        member_codes.put_member_secret(session, v, M1, SECRET, T0)
    return v


def _dynamic(member: str = M1, secret: bytes = SECRET, at: int = NOW) -> str:
    return codes.make_dynamic(MemberId(member), secret, at)


def _refused(
    scan: str, db: Database, db_path: Path, vault: Vault | None, reason: str
) -> IdentifyError:
    before = dump(db_path)
    with pytest.raises(IdentifyError) as info:
        identify(scan, db=db, vault=vault)
    assert info.value.reason == reason, info.value.message
    assert dump(db_path) == before
    return info.value


# --------------------------------------------------------------------------- dynamic codes


def test_dynamic_code_identifies_a_member_who_may_redeem(db: Database, vault: Vault) -> None:
    assert identify(_dynamic(), db=db, vault=vault) == Identified(
        MemberId(M1), by="dynamic", may_redeem=True, confirmed=True, code=_dynamic()
    )


def test_use_is_recorded_in_the_same_write(db: Database, db_path: Path, vault: Vault) -> None:
    identify(_dynamic(), db=db, vault=vault)
    rows = sqlite3.connect(db_path).execute("SELECT member, counter FROM used_codes").fetchall()
    assert rows == [(M1, NOW // codes.DEFAULT_STEP_S)]


def test_forged_code_is_refused(db: Database, db_path: Path, vault: Vault) -> None:
    err = _refused(_dynamic(secret=b"x" * 32), db, db_path, vault, "forged")
    assert "not genuine" in err.message


def test_altered_code_is_refused(db: Database, db_path: Path, vault: Vault) -> None:
    code = _dynamic()
    # One character changed: the check character catches it before any lookup.
    i = 6
    altered = code[:i] + ("0" if code[i] != "0" else "1") + code[i + 1 :]
    err = _refused(altered, db, db_path, vault, "bad_check")
    assert altered in err.message
    # Changed with a correct check character (a deliberate alteration): the MAC catches it.
    body = altered[:-1]
    _refused(body + check_char(body), db, db_path, vault, "forged")
    # Another member's id on a genuine code.
    with db.write() as session:
        member_codes.put_member_secret(session, vault, M2, b"2" * 32, T0)
    other = code[:16] + M2
    _refused(other + check_char(other), db, db_path, vault, "forged")


def test_expired_and_future_codes_are_refused(db: Database, db_path: Path, vault: Vault) -> None:
    err = _refused(_dynamic(at=NOW - 130), db, db_path, vault, "expired")
    assert "expired" in err.message
    _refused(_dynamic(at=NOW + 130), db, db_path, vault, "future")


def test_screenshot_stops_working_within_two_minutes(
    db: Database, db_path: Path, vault: Vault, clock: FixedClock
) -> None:
    code = _dynamic()
    clock.advance(seconds=120)
    _refused(code, db, db_path, vault, "expired")


def test_replayed_code_is_refused(db: Database, db_path: Path, vault: Vault) -> None:
    code = _dynamic()
    identify(code, db=db, vault=vault)
    err = _refused(code, db, db_path, vault, "replayed")
    assert code in err.message


def test_replay_is_refused_across_a_reopen(
    db: Database, db_path: Path, vault: Vault, clock: FixedClock
) -> None:
    code = _dynamic()
    identify(code, db=db, vault=vault)
    db.close()
    clock.advance(seconds=20)
    reopened = Database.open(db_path, clock=clock)
    try:
        again = open_vault(reopened, create=False)
        _refused(code, reopened, db_path, again, "replayed")
        # The next time step's code is fresh.
        clock.advance(seconds=30)
        fresh = _dynamic(at=int(clock.now().timestamp()))
        assert identify(fresh, db=reopened, vault=again).may_redeem
    finally:
        reopened.close()


def test_replay_write_puts_full_durability_back(db: Database, vault: Vault) -> None:
    identify(_dynamic(), db=db, vault=vault)
    with pytest.raises(IdentifyError):
        identify(_dynamic(), db=db, vault=vault)
    for _ in range(3):  # whichever pooled connection comes next
        with db.write() as session:
            sync = session.connection().exec_driver_sql("PRAGMA synchronous").scalar_one()
            assert sync == 2  # FULL, for the money-bearing writes that follow


def test_old_replay_rows_are_dropped(
    db: Database, db_path: Path, vault: Vault, clock: FixedClock
) -> None:
    identify(_dynamic(), db=db, vault=vault)
    clock.advance(minutes=10)
    identify(_dynamic(at=int(clock.now().timestamp())), db=db, vault=vault)
    rows = sqlite3.connect(db_path).execute("SELECT count(*) FROM used_codes").fetchone()
    assert rows == (1,)


def test_wrong_version_and_unknown_format_are_refused(
    db: Database, db_path: Path, vault: Vault
) -> None:
    code = _dynamic()
    body = "M2" + code[2:-1]
    err = _refused(body + check_char(body), db, db_path, vault, "wrong_version")
    assert "version 2" in err.message
    err = _refused("hello world", db, db_path, vault, "unknown_format")
    assert "HELLO" in err.message.upper()
    _refused("", db, db_path, vault, "empty")


def test_member_not_in_the_slice_is_unconfirmed(db: Database, db_path: Path, vault: Vault) -> None:
    before = dump(db_path)
    code = _dynamic("ZZ99", b"q" * 32)
    outcome = identify(code, db=db, vault=vault)
    # The code goes to HQ with the sale, which verifies it: the proof the member was here.
    assert outcome == Identified(
        MemberId("ZZ99"), by="dynamic", may_redeem=False, confirmed=False, code=code
    )
    # A member in the slice whose secret has not arrived yet is not confirmed either.
    code = _dynamic(M2, b"q" * 32)
    outcome = identify(code, db=db, vault=vault)
    assert outcome == Identified(
        MemberId(M2), by="dynamic", may_redeem=False, confirmed=False, code=code
    )
    assert dump(db_path) == before


def test_terminal_without_a_key_treats_dynamic_codes_as_unconfirmed(
    db: Database,
) -> None:
    assert open_vault(db, create=False) is None
    outcome = identify(_dynamic(), db=db, vault=None)
    assert isinstance(outcome, Identified) and not outcome.confirmed


def test_tampered_sealed_secret_is_refused(db: Database, db_path: Path, vault: Vault) -> None:
    conn = sqlite3.connect(db_path)
    with conn:
        (sealed,) = conn.execute("SELECT sealed FROM member_secrets").fetchone()
        flipped = bytes([sealed[0]]) + bytes([sealed[1] ^ 1]) + sealed[2:]
        conn.execute("UPDATE member_secrets SET sealed = ?", (flipped,))
    conn.close()
    err = _refused(_dynamic(), db, db_path, vault, "unreadable_secret")
    assert "does not open" in err.message


def test_a_secret_moved_to_another_member_does_not_open(
    db: Database, db_path: Path, vault: Vault
) -> None:
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE member_secrets SET member = ?", (M2,))
    conn.close()
    _refused(_dynamic(M2), db, db_path, vault, "unreadable_secret")


# --------------------------------------------------------------------------- static cards


def _card(member: str = M1, token: bytes = b"\x01" * 10) -> str:
    return codes.make_static(MemberId(member), token)


def _put_card(db: Database, member: str, payload: str) -> str:
    parsed = codes.parse_scan(payload)
    assert isinstance(parsed, codes.StaticCardCode)
    digest = codes.token_digest(parsed.token)
    with db.write() as session:
        member_codes.add_card_digest(session, member, digest, T0)
    return digest


def test_static_card_identifies_but_cannot_redeem(db: Database) -> None:
    card = _card()
    _put_card(db, M1, card)
    assert identify(card, db=db, vault=None) == Identified(
        MemberId(M1), by="static", may_redeem=False, confirmed=True
    )


def test_revoked_card_is_refused(db: Database, db_path: Path) -> None:
    card = _card()
    digest = _put_card(db, M1, card)
    with db.write() as session:
        assert member_codes.revoke(session, digest, "card", T0, "lost")
        assert not member_codes.revoke(session, digest, "card", T0, "again")
    err = _refused(card, db, db_path, None, "revoked")
    assert "lost" in err.message
    # Revoked even for a member this terminal does not hold.
    stranger = _card("ABC", b"\x02" * 10)
    stranger_code = codes.parse_scan(stranger)
    assert isinstance(stranger_code, codes.StaticCardCode)
    with db.write() as session:
        member_codes.revoke(session, codes.token_digest(stranger_code.token), "card", T0)
    _refused(stranger, db, db_path, None, "revoked")


def test_card_token_not_on_file_is_refused(db: Database, db_path: Path) -> None:
    _put_card(db, M1, _card())
    # A token this member never had.
    _refused(_card(M1, b"\x09" * 10), db, db_path, None, "forged")
    # M1's token presented with M2's id.
    stolen = _card(M2, b"\x01" * 10)
    _refused(stolen, db, db_path, None, "forged")


def test_card_of_a_member_without_cards_on_file_is_unconfirmed(db: Database) -> None:
    outcome = identify(_card("Q7", b"\x03" * 10), db=db, vault=None)
    assert outcome == Identified(MemberId("Q7"), by="static", may_redeem=False, confirmed=False)


def test_revocation_list_matches_the_domain_list(db: Database) -> None:
    card = _card()
    digest = _put_card(db, M1, card)
    with db.write() as session:
        member_codes.revoke(session, digest, "card", T0)
        listed = member_codes.revocation_list(session)
    assert codes.parse_scan(card) in listed


# --------------------------------------------------------------------------- provisional, routing


def test_provisional_codes(db: Database, db_path: Path) -> None:
    with db.write() as session:
        seq = member_codes.next_provisional_seq(session, "T1")
    issued = codes.make_provisional(TerminalId("T1"), seq)
    add_member(db, issued, "13700000000")
    assert identify(issued, db=db, vault=None) == Identified(
        MemberId(issued), by="provisional", may_redeem=False, confirmed=True
    )
    # Never issued here.
    _refused(codes.make_provisional(TerminalId("T1"), seq + 5), db, db_path, None, "forged")
    # Another terminal's new member: not in this slice.
    other = codes.make_provisional(TerminalId("T9"), 1)
    assert identify(other, db=db, vault=None) == Identified(
        MemberId(other), by="provisional", may_redeem=False, confirmed=False
    )
    with db.write() as session:
        member_codes.revoke(session, member_codes.provisional_digest(issued), "provisional", T0)
    _refused(issued, db, db_path, None, "revoked")


def test_products_and_coupons_are_routed(db: Database) -> None:
    product = identify("6901234567892", db=db, vault=None)
    assert isinstance(product, ProductBarcode) and product.symbology == "EAN13"
    coupon = identify(codes.make_coupon(CouponId("WELCOME5")), db=db, vault=None)
    assert isinstance(coupon, CouponCode) and coupon.coupon == "WELCOME5"
    with pytest.raises(IdentifyError) as info:
        identify("6901234567891", db=db, vault=None)
    assert info.value.reason == "bad_check"


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=60))
def test_fuzzed_scans_never_crash_and_change_nothing(
    db: Database, db_path: Path, vault: Vault, text: str
) -> None:
    before = dump(db_path)
    try:
        outcome = identify(text, db=db, vault=vault)
    except IdentifyError as err:
        assert err.reason and err.message
    else:
        # Random text is never a verified member (no false accept).
        assert not (isinstance(outcome, Identified) and outcome.may_redeem)
    assert dump(db_path) == before


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_genuine_codes_are_never_accepted(
    db: Database, db_path: Path, vault: Vault, data: st.DataObject
) -> None:
    code = _dynamic()
    i = data.draw(st.integers(0, len(code) - 1))
    c = data.draw(st.sampled_from(B36).filter(lambda ch: ch != code[i]))
    recheck = data.draw(st.booleans())
    mutated = code[:i] + c + code[i + 1 :]
    if recheck and i < len(code) - 1:
        mutated = mutated[:-1] + check_char(mutated[:-1])
    before = dump(db_path)
    try:
        outcome = identify(mutated, db=db, vault=vault)
    except IdentifyError:
        assert dump(db_path) == before
    else:
        # At most some other, unknown member (or another kind of code): never M1 verified.
        if isinstance(outcome, Identified):
            assert not outcome.may_redeem and not outcome.confirmed


# --------------------------------------------------------------------------- secrets at rest


def test_secrets_are_never_on_disk_in_clear(db: Database, db_path: Path, vault: Vault) -> None:
    identify(_dynamic(), db=db, vault=vault)
    data = file_bytes(db_path)
    assert SECRET not in data and SECRET.hex().encode() not in data
    assert base64.b64encode(SECRET) not in data
    with db.read() as session:
        assert member_codes.member_secret(session, vault, M1) == SECRET


def test_key_file_is_private_and_outside_the_database(db: Database, db_path: Path) -> None:
    v = open_vault(db, key_store="file")
    assert v is not None and v.store == "file"
    key_file = key_file_path(db_path)
    assert key_file.parent == db_path.parent
    assert os.stat(key_file).st_mode & 0o777 == 0o600
    key = base64.b64decode(json.loads(key_file.read_text())["key"])
    assert key not in file_bytes(db_path)
    # The same key on the next open.
    again = open_vault(db)
    assert again is not None and again.key_id == v.key_id
    assert again.open(v.seal(b"abc", b"x"), b"x") == b"abc"


def test_missing_or_exposed_key_file_is_reported(db: Database, db_path: Path) -> None:
    assert open_vault(db, key_store="file") is not None
    key_file = key_file_path(db_path)
    os.chmod(key_file, 0o644)
    with pytest.raises(VaultError, match="chmod 600"):
        open_vault(db)
    key_file.unlink()
    with pytest.raises(VaultError, match="missing"):
        open_vault(db)


class _MemoryKeyring(KeyringBackend):
    """An in-process keyring backend (stands in for the desktop's Secret Service)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # keyring leaves it unannotated
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


def test_key_goes_to_a_usable_keyring(db: Database, db_path: Path) -> None:
    ring: Any = _MemoryKeyring()
    v = open_vault(db, keyring_backend=ring)
    assert v is not None and v.store == "keyring"
    assert not key_file_path(db_path).exists()
    assert len(ring.items) == 1
    again = open_vault(db, keyring_backend=ring)
    assert again is not None and again.open(v.seal(b"s", b"a"), b"a") == b"s"
    ring.items.clear()
    with pytest.raises(VaultError, match="no terminal key"):
        open_vault(db, keyring_backend=ring)


# --------------------------------------------------------------------------- member view, schema


def test_member_view_masks_and_reads_the_ledger(db: Database) -> None:
    at = T0
    earned = LedgerEntry(
        EntryId("e1"),
        "earn",
        300,
        at - dt.timedelta(days=40),
        LotId("e1"),
        at - dt.timedelta(days=40),
        None,
    )
    pending = LedgerEntry(
        EntryId("e2"),
        "earn",
        50,
        at - dt.timedelta(days=1),
        LotId("e2"),
        at + dt.timedelta(days=6),
        None,
    )
    with db.write() as session:
        repo.append_ledger(
            session,
            [
                LedgerRecord(e, MemberId(M1), TerminalId("T1"), StoreId("S1"), CashierId("c"), at)
                for e in (earned, pending)
            ],
            at=at,
        )
    rules = load_preset("miniso")
    view = member_view(db, M1, rules=rules)
    assert view is not None
    assert view.phone_masked == "138****5678"
    assert view.name_masked == "张**"
    assert view.tier == "gold" and view.tier_name == rules.tiers.level("gold").name
    assert (view.points_available, view.points_pending) == (300, 50)
    assert view.growth == 1234
    assert view.birthday  # 1990-03-04, and T0 is 2026-03-04 in Shanghai
    assert "13812345678" not in json.dumps(view.as_json(), ensure_ascii=False)
    other = member_view(db, M2)
    assert other is not None and not other.birthday and other.tier_name == "regular"
    assert member_view(db, "NOPE") is None


def test_schema_v3_migrates_a_v2_database_keeping_members(
    tmp_path: Path, clock: FixedClock
) -> None:
    path = tmp_path / "old.db"
    old = Database.open(path, clock=clock, create=True, migrations=MIGRATIONS[:2])
    with old.write() as session:
        repo.ensure_phone_key(session)
    add_member(old, M1)
    old.close()
    db = Database.open(path, clock=clock)
    try:
        assert db.schema_version() == SCHEMA_VERSION >= 3
        with db.read() as session:
            assert repo.member_by_id(session, M1) is not None
            assert member_codes.last_provisional_seq(session, "T1") == 0
    finally:
        db.close()

"""Registration at the counter: validation, consent, duplicates, welcome once, no clear PII."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from member_codes_helpers import SECRET, T0, add_member, dump, file_bytes, open_terminal

from posloyalty.clock import FixedClock
from posloyalty.domain import codes
from posloyalty.domain.rules import RuleSet, parse_rules_text
from posloyalty.resources import resources_dir
from posloyalty.sync import outbound
from posloyalty.sync.protocol import LedgerEntryPayload, RegistrationPayload
from posloyalty.terminal.identified import Identified
from posloyalty.terminal.member_scan import identify, member_view
from posloyalty.terminal.registration import (
    DEFAULT_PHONE_PATTERN,
    DuplicatePhoneError,
    Registered,
    RegistrationError,
    RegistrationForm,
    WelcomeAlreadyGivenError,
    grant_welcome,
    parse_birthday,
    register,
    registration_wire_payload,
    validate_phone,
)
from posloyalty.tilldb import member_codes, repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.vault import Vault, open_vault

PHONE = "13912345678"


def _rules(welcome_points: int = 50) -> RuleSet:
    text = (resources_dir() / "rules" / "miniso.toml").read_text(encoding="utf-8")
    marker = "[welcome]\n"
    head, tail = text.split(marker, 1)
    tail = tail.replace("points = 0", f"points = {welcome_points}", 1)
    return parse_rules_text(head + marker + tail)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "terminal.db"


@pytest.fixture
def db(db_path: Path, clock: FixedClock) -> Iterator[Database]:
    database = open_terminal(db_path, clock)
    yield database
    database.close()


@pytest.fixture
def vault(db: Database) -> Vault:
    v = open_vault(db, key_store="file")
    assert v is not None
    return v


def _register(
    db: Database,
    vault: Vault,
    form: RegistrationForm,
    *,
    rules: RuleSet | None = None,
    phone_pattern: str = DEFAULT_PHONE_PATTERN,
) -> Registered:
    return register(
        db, rules or _rules(), form, vault=vault, cashier="c1", phone_pattern=phone_pattern
    )


def _counts(db_path: Path) -> dict[str, int]:
    conn = sqlite3.connect(db_path)
    try:
        tables = [
            "members",
            "member_coupons",
            "ledger_entries",
            "outbox",
            "welcome_grants",
            "audit_log",
        ]
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        conn.close()


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "phone",
    ["1391234567", "139123456789", "12912345678", "23912345678", "1391234567a", "", "+1 415 555"],
)
def test_bad_phone_numbers_are_refused(
    db: Database, db_path: Path, vault: Vault, phone: str
) -> None:
    before = dump(db_path)
    with pytest.raises(RegistrationError) as info:
        _register(db, vault, RegistrationForm(phone=phone, consent=True))
    assert info.value.field == "phone"
    assert dump(db_path) == before


@pytest.mark.parametrize(
    "typed",
    [
        "139 1234 5678",
        "139-1234-5678",
        "+86 139 1234 5678",
        "008613912345678",
        "１３９１２３４５６７８",
    ],
)
def test_phone_as_typed_is_normalised(typed: str) -> None:
    assert validate_phone(typed) == PHONE


def test_phone_format_is_configurable(db: Database, vault: Vault) -> None:
    hong_kong = r"[5-9]\d{7}"
    with pytest.raises(RegistrationError):
        validate_phone("51234567")
    assert validate_phone("5123 4567", hong_kong) == "51234567"
    done = _register(
        db, vault, RegistrationForm(phone="51234567", consent=True), phone_pattern=hong_kong
    )
    assert done.phone_masked == "****4567"


def test_consent_is_required(db: Database, db_path: Path, vault: Vault) -> None:
    before = dump(db_path)
    with pytest.raises(RegistrationError) as info:
        _register(db, vault, RegistrationForm(phone=PHONE))
    assert info.value.field == "consent"
    assert dump(db_path) == before


def test_name_and_birthday_are_checked(db: Database, db_path: Path, vault: Vault) -> None:
    before = dump(db_path)
    for form, field in [
        (RegistrationForm(PHONE, True, name="x" * 65), "name"),
        (RegistrationForm(PHONE, True, name="a\x00b"), "name"),
        (RegistrationForm(PHONE, True, birthday=dt.date(2030, 1, 1)), "birthday"),
        (RegistrationForm(PHONE, True, birthday=dt.date(1850, 1, 1)), "birthday"),
    ]:
        with pytest.raises(RegistrationError) as info:
            _register(db, vault, form)
        assert info.value.field == field
    assert dump(db_path) == before
    assert parse_birthday("1990-03-04") == parse_birthday("19900304") == dt.date(1990, 3, 4)
    assert parse_birthday("  ") is None
    for bad in ("1990-02-30", "March 4", "90-3-4"):
        with pytest.raises(RegistrationError):
            parse_birthday(bad)


def test_terminal_id_must_fit_member_codes(db: Database, db_path: Path, vault: Vault) -> None:
    with db.write() as session:
        repo.set_setting(session, "terminal", "DEMO-T1")
    before = dump(db_path)
    with pytest.raises(RegistrationError) as info:
        _register(db, vault, RegistrationForm(PHONE, True))
    assert info.value.field == "terminal" and "DEMO-T1" in info.value.message
    assert dump(db_path) == before


# --------------------------------------------------------------------------- the registration


def test_new_member_can_buy_at_once_with_the_provisional_code(db: Database, vault: Vault) -> None:
    done = _register(
        db, vault, RegistrationForm(PHONE, True, name="张三丰", birthday=dt.date(1991, 3, 4))
    )
    parsed = codes.parse_scan(done.code)
    assert isinstance(parsed, codes.ProvisionalCode)
    assert (parsed.terminal_id, parsed.seq) == ("T1", 1)
    assert done.member_id == done.code
    assert done.phone_masked == "139****5678" and done.name_masked == "张**"
    expected = Identified(done.member_id, by="provisional", may_redeem=False, confirmed=True)
    assert done.identified == expected
    assert identify(done.code, db=db, vault=vault) == expected
    view = member_view(db, done.member_id, rules=_rules())
    assert view is not None and view.provisional and view.birthday
    assert view.tier == _rules().tiers.lowest.id
    assert view.points_available == 50


def test_sequence_continues_across_a_reopen(
    db: Database, db_path: Path, vault: Vault, clock: FixedClock
) -> None:
    first = _register(db, vault, RegistrationForm(PHONE, True))
    db.close()
    again = Database.open(db_path, clock=clock)
    try:
        v = open_vault(again, create=False)
        assert v is not None
        second = _register(again, v, RegistrationForm("13812340000", True))
    finally:
        again.close()
    first_scan, second_scan = codes.parse_scan(first.code), codes.parse_scan(second.code)
    assert isinstance(first_scan, codes.ProvisionalCode) and first_scan.seq == 1
    assert isinstance(second_scan, codes.ProvisionalCode) and second_scan.seq == 2


def test_duplicate_phone_is_found_locally(db: Database, db_path: Path, vault: Vault) -> None:
    done = _register(db, vault, RegistrationForm(PHONE, True))
    before = dump(db_path)
    with pytest.raises(DuplicatePhoneError) as info:
        _register(db, vault, RegistrationForm("+86 139-1234-5678", True))
    assert info.value.member_id == done.member_id
    assert "139****5678" in info.value.message and PHONE not in info.value.message
    # A member that came from HQ (or an import) with the same number.
    add_member(db, "HQ1", "13700000001")
    with pytest.raises(DuplicatePhoneError) as info:
        _register(db, vault, RegistrationForm("13700000001", True))
    assert info.value.member_id == "HQ1"
    after = dump(db_path)
    assert [r for r in after if "HQ1" not in r] == before


def test_welcome_benefits_are_granted_once(
    db: Database, db_path: Path, vault: Vault, clock: FixedClock
) -> None:
    rules = _rules()
    done = _register(db, vault, RegistrationForm(PHONE, True), rules=rules)
    welcome = done.welcome
    assert welcome.newly_granted and welcome.gift == rules.welcome.gift
    assert welcome.points == 50
    assert [c.template for c in welcome.coupons] == list(rules.welcome.coupons)
    coupon = welcome.coupons[0]
    template = rules.coupon(coupon.template)
    assert coupon.valid_until - T0 == dt.timedelta(days=template.valid_days)
    assert isinstance(codes.parse_scan(coupon.scan_code), codes.CouponCode)
    with db.read() as session:
        rows = repo.ledger_records(session, done.member_id)
    assert [(r.entry.kind, r.entry.points) for r in rows] == [("bonus", 50)]
    counts = _counts(db_path)
    assert counts["member_coupons"] == len(rules.welcome.coupons)
    # A retry grants nothing more and says what was granted.
    clock.advance(minutes=5)
    with db.write() as session:
        again = grant_welcome(
            session,
            rules,
            done.member_id,
            clock.now(),
            terminal="T1",
            store="S1",
            cashier="c1",
            new_id=Uuid7(clock).new,
        )
    assert not again.newly_granted
    assert (again.gift, again.points, again.coupons) == (welcome.gift, 50, welcome.coupons)
    assert _counts(db_path) == counts


def test_outbox_carries_the_registration_sealed(db: Database, db_path: Path, vault: Vault) -> None:
    done = _register(db, vault, RegistrationForm(PHONE, True, name="张三丰"))
    with db.read() as session:
        rows = repo.outbox_pending(session)
    kinds = [r.kind for r in rows]
    assert kinds == ["registration", "ledger_entry"]  # the member reaches HQ first
    reg = rows[0].payload
    assert PHONE not in str(reg) and "张三丰" not in str(reg)
    wire = registration_wire_payload(reg, vault)
    parsed = RegistrationPayload.model_validate(wire)
    assert (parsed.phone, parsed.name, parsed.provisional_id) == (PHONE, "张三丰", done.code)
    assert parsed.consent is True
    # The welcome coupons travel with it, so HQ knows them when one is used.
    assert done.welcome.coupons
    assert [(c.code, c.template, c.valid_until) for c in parsed.coupons] == [
        (c.code, c.template, c.valid_until) for c in done.welcome.coupons
    ]
    # The welcome points' row only names the entry: the push is built from the stored row.
    assert (rows[1].kind, rows[1].payload) == ("ledger_entry", {})
    with db.read() as session:
        built, problems = outbound.build(
            session, outbound.pending_rows(session), outbound.Sender("S1", "T1"), vault
        )
    assert problems == []
    (item,) = built[1].items
    entry = LedgerEntryPayload.model_validate(item.payload)
    assert (entry.member_id, entry.kind, entry.points) == (done.code, "bonus", 50)


def test_registration_is_audited_with_the_masked_phone(db: Database, vault: Vault) -> None:
    done = _register(db, vault, RegistrationForm(PHONE, True))
    with db.read() as session:
        rows = (
            session.connection()
            .exec_driver_sql("SELECT cashier, action, detail FROM audit_log")
            .all()
        )
    assert len(rows) == 1
    cashier, action, detail = rows[0]
    assert (cashier, action) == ("c1", "member.register")
    assert done.code in detail and "139****5678" in detail and PHONE not in detail


def test_no_clear_phone_name_or_secret_in_the_database_file(
    db: Database, db_path: Path, vault: Vault
) -> None:
    phones = ["13912345678", "13812340000", "15000000042"]
    done = [
        _register(db, vault, RegistrationForm(phone, True, name=f"王小明{i}"))
        for i, phone in enumerate(phones)
    ]
    with db.write() as session:
        member_codes.put_member_secret(session, vault, done[0].member_id, SECRET, T0)
    data = file_bytes(db_path)
    for phone in phones:
        assert phone.encode() not in data
    for i in range(len(phones)):
        assert f"王小明{i}".encode() not in data
    assert SECRET not in data and SECRET.hex().encode() not in data


def test_a_phone_welcomed_here_before_is_refused_even_out_of_the_directory(
    db: Database, db_path: Path, vault: Vault, clock: FixedClock
) -> None:
    """001: "algunas personas también solicitaron tarjetas de membresía repetidamente para
    obtener más obsequios porque tenían obsequios por unirse a la membresía": a number that got
    the welcome gift at this till does not get it again, even once its member row no longer
    carries the number (it moved under HQ's id, outside this store's slice)."""
    rules = _rules()
    done = _register(db, vault, RegistrationForm(PHONE, True), rules=rules)
    with db.raw_write() as raw:
        raw.execute("UPDATE members SET phone_hash = '' WHERE id = ?", (done.member_id,))
    before = dump(db_path)
    clock.advance(days=40)
    with pytest.raises(WelcomeAlreadyGivenError) as info:
        _register(db, vault, RegistrationForm("+86 139 1234 5678", True), rules=rules)
    assert info.value.member_id == done.member_id
    assert "welcome gift given" in info.value.message and PHONE not in info.value.message
    assert dump(db_path) == before
    # Another number still joins.
    assert _register(db, vault, RegistrationForm("13912340000", True), rules=rules).welcome

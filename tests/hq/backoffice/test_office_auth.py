"""Operators: argon2 passwords, sign-in, lockout, TOTP, sessions with CSRF, the audit trail,
roles, languages, and ``hq create-admin``; over real HTTP where HTTP is involved."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pyotp
import pytest
from hq_server import RunningServer
from office import PASSWORD, Office, add_operator, signed_in
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from posloyalty.cli import main
from posloyalty.clock import FixedClock
from posloyalty.hq.backoffice import auth
from posloyalty.hq.backoffice.i18n import LANGS, catalogue, choose_lang
from posloyalty.hq.backoffice.roles import ACTIONS, ROLES, allowed
from posloyalty.hq.db import HqDb
from posloyalty.hq.errors import BadRequest
from posloyalty.hq.models import AuditEvent, Operator
from posloyalty.hq.reports import REPORTS
from posloyalty.hq.services import HqService
from posloyalty.resources import resources_dir

TEMPLATES = resources_dir() / "backoffice" / "templates"
SRC = Path(__file__).resolve().parents[3] / "src" / "posloyalty" / "hq" / "backoffice"


def events(svc: HqService) -> list[tuple[str | None, str, str]]:
    with svc.db.transaction() as s:
        return [
            (e.operator, e.action, e.target)
            for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]


def test_passwords_are_stored_as_argon2id_and_weak_ones_refused(svc: HqService) -> None:
    add_operator(svc, "boss", "hq_admin")
    with svc.db.transaction() as s:
        row = s.scalars(select(Operator)).one()
        assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
        for name, password, role, stores in (
            ("x", PASSWORD, "hq_admin", None),
            ("short", "tiny", "hq_admin", None),
            ("nobody", PASSWORD, "emperor", None),
            ("sm", PASSWORD, "store_manager", None),
            ("mk", PASSWORD, "marketing", ["S1"]),
            ("boss", PASSWORD, "auditor", None),
        ):
            with pytest.raises(BadRequest):
                auth.create_operator(s, name, password, role, svc.clock.now(), stores)


def test_create_admin_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'hq.sqlite'}"
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["hq", "create-admin", "--db", db, "root"]) == 0
    assert "root (hq_admin) created" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["hq", "create-admin", "--db", db, "other"]) == 2
    assert "at least 12 characters" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["hq", "create-admin", "--db", db, "root"]) == 2
    hq = HqDb(db)
    try:
        with hq.transaction() as s:
            assert [o.username for o in s.scalars(select(Operator))] == ["root"]
    finally:
        hq.dispose()


def test_sign_in_wrong_password_lockout_and_unlock(
    server: RunningServer, svc: HqService, clock: FixedClock
) -> None:
    add_operator(svc, "boss", "hq_admin")
    office = Office(server.url)
    assert office.get("/members").url.endswith("/office/login?next=/office/members")
    for _ in range(auth.LOCK_AFTER):
        r = office.sign_in("boss", "wrong password!!")
        assert r.status_code == 401 and 'role="alert"' in r.text
    # Locked: even the right password is refused until the lock passes.
    assert office.sign_in("boss").status_code == 423
    assert office.get("/members").url.endswith("/office/login?next=/office/members")
    clock.advance(auth.LOCK_FOR + dt.timedelta(seconds=1))
    assert office.sign_in("boss").status_code == 200
    assert "/office/members" in office.get("/members").url
    actions = [a for _, a, _ in events(svc)]
    assert actions.count("sign_in_failed") == auth.LOCK_AFTER
    assert (
        "operator_locked" in actions and "sign_in_locked" in actions and actions[-1] == "signed_in"
    )
    # An unknown user gets the same answer as a wrong password.
    assert Office(server.url).sign_in("ghost").status_code == 401


def test_totp_second_factor(server: RunningServer, svc: HqService, clock: FixedClock) -> None:
    add_operator(svc, "boss", "hq_admin")
    office = signed_in(server.url, "boss")
    page = office.get("/account")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text)
    assert secret is not None
    code = pyotp.TOTP(secret.group(1)).at(clock.now())
    assert (
        office.post("/account/totp", {"secret": secret.group(1), "code": "000000"}).status_code
        == 400
    )
    assert (
        office.post("/account/totp", {"secret": secret.group(1), "code": code}).status_code == 200
    )
    again = Office(server.url)
    assert again.sign_in("boss").status_code == 401  # the code is now needed
    assert again.sign_in("boss", totp="123456").status_code == 401
    assert (
        again.sign_in("boss", totp=pyotp.TOTP(secret.group(1)).at(clock.now())).status_code == 200
    )
    assert ("boss", "totp_enabled", "operator:boss") in events(svc)


def test_forms_need_the_sessions_csrf_token_and_this_site(
    server: RunningServer, svc: HqService
) -> None:
    add_operator(svc, "boss", "hq_admin")
    office = signed_in(server.url, "boss")
    office.get("/operators")
    new = {"username": "eve", "password": PASSWORD, "role": "hq_admin", "stores": ""}
    assert office.post("/operators", new, csrf=False).status_code == 403
    assert office.post("/operators", {**new, "csrf": "forged"}, csrf=False).status_code == 403
    assert office.post("/operators", new, Origin="http://evil.example").status_code == 403
    with svc.db.transaction() as s:
        assert [o.username for o in s.scalars(select(Operator))] == ["boss"]
    assert office.post("/operators", new).status_code == 200
    # Another session's token does not do either.
    other = signed_in(server.url, "eve")
    other.csrf = office.csrf
    assert other.post("/logout").status_code == 403


def test_sessions_expire_and_sign_out_ends_them(
    server: RunningServer, svc: HqService, clock: FixedClock
) -> None:
    add_operator(svc, "boss", "hq_admin")
    office = signed_in(server.url, "boss")
    clock.advance(auth.SESSION_TTL + dt.timedelta(seconds=1))
    assert "/office/login" in office.get("/members").url
    office = signed_in(server.url, "boss")
    cookie = office.http.cookies.get("posl_office")
    assert office.post("/logout").status_code == 200
    replay = Office(server.url)
    replay.http.cookies.set("posl_office", cookie or "")
    assert "/office/login" in replay.get("/members").url


def test_the_audit_trail_is_append_only(svc: HqService) -> None:
    add_operator(svc, "boss", "hq_admin")
    for statement in ("UPDATE audit_events SET reason = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), svc.db.transaction() as s:
            s.execute(text(statement))
    assert events(svc) == [(None, "operator_created", "operator:boss")]


def test_roles() -> None:
    assert all(allowed("hq_admin", a) for a in ACTIONS)
    assert not any(
        allowed("auditor", a)
        for a in ("reveal", "adjust_points", "resolve_conflicts", "edit_rules", "manage_operators")
    )
    assert allowed("auditor", "view_audit") and allowed("auditor", "chain_wide")
    assert not allowed("store_manager", "chain_wide") and allowed("store_manager", "adjust_points")
    assert allowed("marketing", "edit_rules") and not allowed("marketing", "adjust_points")
    assert not allowed("emperor", "view")
    assert set(ROLES) == {"hq_admin", "marketing", "store_manager", "auditor"}


def test_pages_by_role(server: RunningServer, svc: HqService) -> None:
    for name, role, stores in (
        ("boss", "hq_admin", None),
        ("aud", "auditor", None),
        ("sam", "store_manager", ["S1"]),
        ("mia", "marketing", None),
    ):
        add_operator(svc, name, role, stores)
    expect = {
        "boss": {"/audit": 200, "/operators": 200, "/rules/edit": 200},
        "aud": {"/audit": 200, "/operators": 403, "/rules/edit": 403},
        "sam": {"/audit": 403, "/operators": 403, "/rules/edit": 403},
        "mia": {"/audit": 403, "/operators": 403, "/rules/edit": 200},
    }
    for name, pages in expect.items():
        office = signed_in(server.url, name)
        for path, status in pages.items():
            assert office.get(path).status_code == status, (name, path)


def test_catalogues_have_the_same_keys_and_cover_every_word_used() -> None:
    keys = [set(catalogue(lang)) for lang in LANGS]
    assert keys[0] == keys[1] == keys[2]
    used = set()
    for path in [*TEMPLATES.glob("*.html"), *SRC.glob("*.py")]:
        used |= set(re.findall(r"\bt\('([a-z0-9_]+)'", path.read_text(encoding="utf-8")))
        used |= set(re.findall(r'ctx\.t\("([a-z0-9_]+)"', path.read_text(encoding="utf-8")))
    # Keys made from a prefix: each kind checked here (report columns in test_reports).
    used = {k for k in used if not k.endswith("_")}
    used |= {f"{p}_{n}" for n in REPORTS for p in ("report", "help")}
    used |= {f"role_{r}" for r in ROLES} | {"resolve_accept", "resolve_reject"}
    used |= {f"login_{p}" for p in ("bad_credentials", "locked", "need_totp", "bad_totp")}
    assert used <= keys[0], used - keys[0]
    for lang in LANGS:
        assert all(v.strip() for v in catalogue(lang).values())
    assert (
        json.loads(
            (resources_dir() / "backoffice" / "i18n" / "zh.json").read_text(encoding="utf-8")
        )["nav_members"]
        == "会员"
    )


def test_language_switch(server: RunningServer, svc: HqService) -> None:
    add_operator(svc, "boss", "hq_admin")
    office = signed_in(server.url, "boss")
    assert ">会员<" in office.get("/members").text
    for lang, word in (("en", ">Members<"), ("es", ">Socios<"), ("zh", ">会员<")):
        page = office.get(f"/lang/{lang}", next="/office/members")
        assert word in page.text and page.headers["Content-Language"] == lang
    assert choose_lang(None, None, "es-ES,es;q=0.9") == "es"
    assert choose_lang("xx", None, None) == "zh"

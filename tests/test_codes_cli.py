"""``posloyalty codes ...``: verify (exit 0 JSON / exit 1 reason), card, demo-code, register."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from posloyalty.cli import main
from posloyalty.domain import codes
from posloyalty.domain.ids import CouponCode, MemberId


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object], str]:
    code = main(["codes", *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else {}), err


@pytest.fixture(autouse=True)
def _key_file(monkeypatch: pytest.MonkeyPatch) -> None:
    # Never put test keys into a developer's desktop keyring.
    monkeypatch.setenv("POSLOYALTY_KEY_STORE", "file")


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    path = str(tmp_path / "t.db")
    assert main(["terminal", "init", "--db", path, "--store", "S1", "--terminal", "T1"]) == 0
    assert (
        main(
            [
                "terminal",
                "demo",
                "--db",
                path,
                "--members",
                "30",
                "--products",
                "5",
                "--sales",
                "20",
            ]
        )
        == 0
    )
    capsys.readouterr()
    return path


def test_demo_code_verifies_once(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = _run(capsys, "demo-code", "--db", db, "M000000001")
    assert code == 0 and out["member_id"] == "M000000001"
    scan = str(out["code"])
    assert isinstance(codes.parse_scan(scan), codes.DynamicMemberCode)
    code, out, err = _run(capsys, "verify", "--db", db, scan, "--preset", "miniso")
    assert code == 0 and err == ""
    assert out["by"] == "dynamic" and out["may_redeem"] is True and out["confirmed"] is True
    member = out["member"]
    assert isinstance(member, dict)
    assert member["phone"] == "138****0001" and member["name"] == "张*"
    assert member["tier_name"] == "金卡"
    code, out, err = _run(capsys, "verify", "--db", db, scan)
    assert code == 1 and out == {}
    assert err.startswith("posloyalty codes verify: replayed: ") and err.count("\n") == 1


@pytest.mark.parametrize(
    ("scan", "reason"),
    [
        ("hello", "unknown_format"),
        ("6901234567892", "not_member"),
        (codes.make_coupon(CouponCode("WELCOME5")), "not_member"),
        ("M2" + "0" * 14 + "M1" + codes.check_char("M2" + "0" * 14 + "M1"), "wrong_version"),
    ],
)
def test_verify_refusals_exit_1_with_the_reason(
    capsys: pytest.CaptureFixture[str], db: str, scan: str, reason: str
) -> None:
    code, out, err = _run(capsys, "verify", "--db", db, scan)
    assert code == 1 and out == {}
    assert err.startswith(f"posloyalty codes verify: {reason}: ")


def test_forged_code_exits_1(capsys: pytest.CaptureFixture[str], db: str) -> None:
    _run(capsys, "demo-code", "--db", db, "M000000002")  # gives the demo members secrets
    now = int(dt.datetime.now(dt.UTC).timestamp())
    forged = codes.make_dynamic(MemberId("M000000002"), b"f" * 32, now)
    code, _, err = _run(capsys, "verify", "--db", db, forged)
    assert code == 1 and err.startswith("posloyalty codes verify: forged: ")


def test_unknown_member_is_unconfirmed(capsys: pytest.CaptureFixture[str], db: str) -> None:
    card = codes.make_static(MemberId("NOTHERE"), b"\x05" * 10)
    code, out, _ = _run(capsys, "verify", "--db", db, card)
    assert code == 0
    assert out == {
        "member_id": "NOTHERE",
        "by": "static",
        "may_redeem": False,
        "confirmed": False,
        "member": None,
    }


def test_card_prints_a_code_that_verifies(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    out_file = tmp_path / "card.png"
    code, out, _ = _run(
        capsys, "card", "--db", db, "M000000003", "--out", str(out_file), "--preset", "miniso"
    )
    assert code == 0 and out["kind"] == "static"
    decoded = zxingcpp.read_barcodes(
        Image.open(out_file), formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    payload = decoded[0].text
    assert isinstance(codes.parse_scan(payload), codes.StaticCardCode)
    code, out, _ = _run(capsys, "verify", "--db", db, payload)
    assert code == 0 and out["by"] == "static" and out["may_redeem"] is False
    assert out["confirmed"] is True


def test_register_then_verify(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    code, _, err = _run(
        capsys, "register", "--db", db, "--phone", "13912345678", "--preset", "miniso"
    )
    assert code == 2 and "consent" in err
    code, out, _ = _run(
        capsys,
        "register",
        "--db",
        db,
        "--phone",
        "139 1234 5678",
        "--name",
        "Li Lei",
        "--birthday",
        "1990-05-06",
        "--consent",
        "--preset",
        "miniso",
    )
    assert code == 0 and out["phone"] == "139****5678" and out["name"] == "L* L**"
    welcome = out["welcome"]
    assert isinstance(welcome, dict) and welcome["gift"] and welcome["coupons"]
    member_code = str(out["code"])
    code, out, _ = _run(capsys, "verify", "--db", db, member_code)
    assert code == 0 and out["by"] == "provisional" and out["confirmed"] is True
    code, _, err = _run(
        capsys, "register", "--db", db, "--phone", "13912345678", "--consent", "--preset", "miniso"
    )
    assert code == 2 and "already a member" in err and "13912345678" not in err
    card = tmp_path / "p.png"
    code, out, _ = _run(capsys, "card", "--db", db, member_code, "--out", str(card))
    assert code == 0 and out["kind"] == "provisional"
    assert zxingcpp.read_barcodes(Image.open(card))[0].text == member_code


def test_key_goes_to_a_private_file_next_to_the_database(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    assert _run(capsys, "demo-code", "--db", db, "M000000001")[0] == 0
    key_file = Path(db + ".key")
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_bad_input_exits_2(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    code, _, err = _run(capsys, "demo-code", "--db", db, "M000000004")
    assert code == 2 and "not a demo member" in err
    code, _, err = _run(capsys, "verify", "--db", str(tmp_path / "none.db"), "X")
    assert code == 2 and "no terminal database" in err
    code, _, err = _run(capsys, "register", "--db", db, "--phone", "13912345678", "--consent")
    assert code == 2 and "--preset" in err
    code, _, err = _run(capsys, "card", "--db", db, "NOPE", "--out", str(tmp_path / "x.png"))
    assert code == 2 and not (tmp_path / "x.png").exists()

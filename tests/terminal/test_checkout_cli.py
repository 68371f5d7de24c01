"""``posloyalty terminal checkout | return | eod``: JSON out, exit 2 with one line, nothing changed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from checkout_helpers import setup_store, snapshot
from hq_signing import confirm_balance
from ledger_grants import grant

from posloyalty.cli import main
from posloyalty.clock import SystemClock
from posloyalty.resources import resources_dir
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "cli.db"
    db = setup_store(path, SystemClock())
    grant(db, "M1", 5000, SystemClock())
    confirm_balance(db, "M1", SystemClock().now())
    db.close()
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    code = main(["terminal", *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else {}), err


def _state(path: Path) -> object:
    db = Database.open(path)
    try:
        return snapshot(db)
    finally:
        db.close()


def test_scripted_checkout_return_and_eod(capsys: pytest.CaptureFixture[str], store: Path) -> None:
    db = str(store)
    code, sale, err = _run(
        capsys,
        "checkout", "--db", db, "--cashier", "c1", "--member", "M1", "--line", "A1x2",
        "--line", "6900000000035", "--open-amount", "5.50", "--redeem", "500",
        "--pay", "card:10.00", "--pay", "cash:100", "--preset", "miniso",
    )  # fmt: skip
    assert code == 0, err
    assert sale["member"] == "M1" and sale["points_redeemed"] == 500
    assert [ln["sku"] for ln in sale["lines"]] == ["A1", "C3", "OPEN"]
    assert sale["total"] == "60.40" and sale["change"] == "49.60"
    code, ret, err = _run(
        capsys, "return", "--db", db, "--cashier", "c1", "--receipt", str(sale["receipt_code"]),
        "--line", "0x1", "--preset", "miniso",
    )  # fmt: skip
    assert code == 0, err
    assert ret["original_sale_id"] == sale["sale_id"] and ret["lines"][0]["qty"] == 1
    rules = resources_dir() / "rules" / "miniso.toml"
    code, anon, err = _run(
        capsys, "checkout", "--db", db, "--cashier", "c1", "--line", "B2", "--rules", str(rules)
    )
    assert code == 0, err
    assert anon["member"] is None and anon["payments"] == [
        {"method": "cash", "amount": "25.50", "tendered": "25.50"}
    ]
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    code, eod, err = _run(capsys, "eod", "--db", db, "--date", today.isoformat())
    assert code == 0, err
    assert eod["sales_count"] == 2 and eod["returns_count"] == 1
    assert eod["points"]["redeemed"] == 500
    code, eod_now, _ = _run(capsys, "eod", "--db", db)
    assert code == 0 and eod_now["day"] in (today.isoformat(), str(today - dt.timedelta(days=1)))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["checkout", "--cashier", "c1", "--line", "NOPE", "--preset", "miniso"],
            "unknown product",
        ),
        (["checkout", "--cashier", "zz", "--line", "A1", "--preset", "miniso"], "unknown cashier"),
        (["checkout", "--cashier", "c1", "--line", "A1"], "no active rule document"),
        (["checkout", "--cashier", "c1", "--preset", "miniso"], "no lines"),
        (["checkout", "--cashier", "c1", "--line", "A1", "--preset", "nope"], "no preset named"),
        (
            ["checkout", "--cashier", "c1", "--open-amount", "1.234", "--preset", "miniso"],
            "more than two decimals",
        ),
        (
            [
                "checkout",
                "--cashier",
                "c1",
                "--line",
                "A1",
                "--pay",
                "card:99.00",
                "--preset",
                "miniso",
            ],
            "exceeds",
        ),
        (
            [
                "checkout",
                "--cashier",
                "c1",
                "--line",
                "A1",
                "--pay",
                "card:5.00",
                "--preset",
                "miniso",
            ],
            "5.00 yuan unpaid",
        ),
        (
            ["checkout", "--cashier", "c1", "--line", "A1", "--pay", "cash", "--preset", "miniso"],
            "METHOD:YUAN",
        ),
        (
            [
                "checkout",
                "--cashier",
                "c1",
                "--line",
                "A1",
                "--redeem",
                "100",
                "--preset",
                "miniso",
            ],
            "only an identified member",
        ),
        (
            [
                "checkout",
                "--cashier",
                "c1",
                "--member",
                "M1",
                "--line",
                "A1",
                "--redeem",
                "9000",
                "--preset",
                "miniso",
            ],
            "cannot redeem",
        ),
        (
            [
                "checkout",
                "--cashier",
                "c1",
                "--member",
                "M1",
                "--line",
                "A1",
                "--coupon",
                "X",
                "--preset",
                "miniso",
            ],
            "not held by member",
        ),
        (["return", "--cashier", "c1", "--sale", "nope", "--preset", "miniso"], "no sale nope"),
        (
            ["return", "--cashier", "c1", "--sale", "x", "--line", "ax1", "--preset", "miniso"],
            "INDEXxQTY",
        ),
    ],
)
def test_bad_input_exits_2_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], store: Path, args: list[str], message: str
) -> None:
    before = _state(store)
    command = args[0]
    code, out, err = _run(capsys, command, "--db", str(store), *args[1:])
    assert code == 2 and out == {}
    assert err.count("\n") == 1 and err.startswith(f"posloyalty terminal {command}: ")
    assert message in err
    assert _state(store) == before


def test_a_bad_date_is_a_usage_error(capsys: pytest.CaptureFixture[str], store: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["terminal", "eod", "--db", str(store), "--date", "2026-13-01"])
    assert exit_.value.code == 2 and "invalid fromisoformat value" in capsys.readouterr().err


def test_a_missing_database_is_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(
        capsys, "checkout", "--db", str(tmp_path / "none.db"), "--cashier", "c1", "--line", "A1"
    )
    assert code == 2 and "no terminal database here" in err
    assert not (tmp_path / "none.db").exists()


def test_repo_state_is_unchanged_helper_sees_changes(store: Path) -> None:
    before = _state(store)
    db = Database.open(store)
    with db.write() as session:
        repo.set_cursor(session, "x", "1")
    db.close()
    assert _state(store) != before

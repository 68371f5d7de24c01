"""``posloyalty quote``: JSON in on stdin, JSON out; bad input exits 2 with one stderr line."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from posloyalty.resources import resources_dir

BASKET: dict[str, Any] = {
    "at": "2026-11-25T14:30:00+08:00",
    "member": {"tier": "gold", "points": 300, "growth": 7000, "birthday": "1990-01-01"},
    "lines": [
        {
            "sku": "A1",
            "name": "香薰蜡烛",
            "qty": 2,
            "unit_price": "29.90",
            "special_price": False,
            "category": "home",
        },
        {
            "sku": "F1",
            "name": "薯片",
            "qty": 3,
            "unit_price": "6.50",
            "special_price": True,
            "category": "food",
        },
    ],
    "coupons": [],
    "redeem_points": 100,
    "payments": [{"method": "card", "amount": "10.00"}],
}


def run(args: list[str], stdin: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "posloyalty.cli", "quote", *args],
        input=stdin.encode("utf-8"),
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_quote_prints_the_contract() -> None:
    res = run(["--preset", "miniso"], json.dumps(BASKET))
    assert res.returncode == 0, res.stderr
    assert res.stderr == b""
    text = res.stdout.decode("utf-8")
    assert "香薰蜡烛" in text  # ensure_ascii=False
    out = json.loads(text)
    assert out["subtotal"] == "79.30"
    # Wednesday member day, gold: 79.30 - 10.00 = 69.30; 100 points = 1.00 -> 68.30.
    assert out["discounts"] == [
        {"kind": "member_day", "rule": "wednesday", "amount": "10.00"},
        {"kind": "points", "rule": "points", "amount": "1.00"},
    ]
    assert out["total"] == "68.30"
    assert out["points_earned"] == 68 and out["growth_earned"] == 683
    assert out["points_redeemed"] == 100 and out["points_value"] == "1.00"
    assert out["member_day"] == "wednesday" and out["birthday"] is False
    assert [ln["sku"] for ln in out["lines"]] == ["A1", "F1"]
    assert sum(ln["points"] for ln in out["lines"]) == 68
    assert out["payments"] == [
        {"method": "card", "amount": "10.00"},
        {"method": "cash", "amount": "58.30"},
    ]
    assert out["rejected_coupons"] == []


def test_quote_with_a_rule_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        (resources_dir() / "rules" / "vancl.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    basket = {
        "at": "2026-11-24T10:00:00+08:00",
        "member": {"tier": "svip", "points": 0, "growth": 0},
        "lines": [
            {
                "sku": "T",
                "name": "T-shirt",
                "qty": 1,
                "unit_price": "100.00",
                "special_price": False,
                "category": "",
            }
        ],
    }
    res = run(["--rules", str(path)], json.dumps(basket))
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["total"] == "95.00" and out["points_earned"] == 380


def _bad(**changes: Any) -> str:
    doc = json.loads(json.dumps(BASKET))
    for key, value in changes.items():
        if key == "line0":
            doc["lines"][0].update(value)
        elif key == "member":
            doc["member"].update(value)
        else:
            doc[key] = value
    return json.dumps(doc)


@pytest.mark.parametrize(
    ("args", "stdin", "needle"),
    [
        (["--preset", "miniso"], '{"at": ', "stdin is not valid JSON"),
        (["--preset", "miniso"], "[" * 100_000 + "]" * 100_000, "stdin is not valid JSON"),
        (["--preset", "miniso"], "[1, 2]", "basket: must be an object"),
        (["--preset", "miniso"], _bad(line0={"qty": 0}), "lines[0].qty: must be at least 1"),
        (
            ["--preset", "miniso"],
            _bad(line0={"unit_price": "1.234"}),
            "lines[0].unit_price: '1.234' has more than two decimals",
        ),
        (
            ["--preset", "miniso"],
            _bad(member={"tier": "diamond"}),
            "member.tier: unknown tier 'diamond'",
        ),
        (
            ["--preset", "miniso"],
            _bad(redeem_points=301),
            "redeem_points: cannot redeem 301 points",
        ),
        (
            ["--preset", "miniso"],
            _bad(at="Wednesday afternoon"),
            "at: 'Wednesday afternoon' is not an ISO 8601",
        ),
        (
            ["--preset", "miniso"],
            _bad(member={"points": 10000}, redeem_points=4000),
            "at most 50% of the amount due",
        ),
        (["--preset", "nope"], _bad(), "no preset named 'nope'"),
    ],
    ids=[
        "malformed-json",
        "deep-json",
        "not-an-object",
        "qty-0",
        "three-decimals",
        "unknown-tier",
        "over-redeem",
        "bad-at",
        "over-cap",
        "unknown-preset",
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], stdin: str, needle: str) -> None:
    res = run(args, stdin)
    assert res.returncode == 2
    assert res.stdout == b""
    err = res.stderr.decode("utf-8")
    assert err.startswith("posloyalty quote: ")
    assert err.count("\n") == 1 and err.endswith("\n")
    assert needle in err


def test_bad_rule_file_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('format = "posloyalty.rules"\nschema = 1\n', encoding="utf-8")
    res = run(["--rules", str(path)], _bad())
    assert (res.returncode, res.stdout) == (2, b"")
    assert res.stderr.decode().startswith("posloyalty quote: bad rules: tiers: is required")
    missing = run(["--rules", str(tmp_path / "missing.toml")], _bad())
    assert (missing.returncode, missing.stdout) == (2, b"")
    assert "cannot read rule document" in missing.stderr.decode()


def test_preset_and_rules_are_mutually_exclusive_and_one_is_required(tmp_path: Path) -> None:
    both = run(["--preset", "miniso", "--rules", str(tmp_path / "x.toml")], _bad())
    neither = run([], _bad())
    assert both.returncode == 2 and neither.returncode == 2
    assert both.stdout == neither.stdout == b""


def test_quote_does_not_load_qt() -> None:
    code = (
        "import sys; from posloyalty.cli import build_parser, AREAS; "
        "build_parser({'quote': AREAS['quote']}); "
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt loaded'"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60, check=False)
    assert res.returncode == 0, res.stderr

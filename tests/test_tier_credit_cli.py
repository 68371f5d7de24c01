"""Issue 14 through the real terminal commands with ``--at``: tier credit 30 days after the sale
(Vancl), a full return inside the window, the till's own year-end review, the clock's guard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from posloyalty.cli import main


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any, str]:
    code = main(["terminal", *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else {}), err


@pytest.fixture
def till(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> str:
    db = str(tmp_path / "t.db")
    assert _run(capsys, "init", "--db", db, "--store", "S1", "--terminal", "T1")[0] == 0
    catalog = tmp_path / "c.csv"
    catalog.write_text(
        "sku,name,price\nBIG,Coat,2100.00\nTEE,Tee,100.00\nMID,Jacket,500.00\nSV,Suit,2600.00\n"
        "K,Knit,1140.00\n"
    )
    assert _run(capsys, "import-catalog", "--db", db, str(catalog))[0] == 0
    members = tmp_path / "m.json"
    members.write_text(
        json.dumps([{"id": f"M{n}", "phone": f"1350000000{n}", "tier": "regular"} for n in "123"])
    )
    assert _run(capsys, "import-members", "--db", db, str(members))[0] == 0
    args = ("--id", "c1", "--name", "Ann", "--role", "manager", "--pin", "2468")
    assert _run(capsys, "add-cashier", "--db", db, *args)[0] == 0
    return db


def buy(
    capsys: pytest.CaptureFixture[str], db: str, member: str, sku: str, at: str
) -> dict[str, Any]:
    code, out, err = _run(
        capsys,
        "checkout",
        "--db",
        db,
        "--cashier",
        "c1",
        "--preset",
        "vancl",
        "--member",
        member,
        "--line",
        sku,
        "--at",
        at,
    )
    assert code == 0, err
    return dict(out)


def test_vip_only_once_the_sale_is_final(capsys: pytest.CaptureFixture[str], till: str) -> None:
    """002: 「所有積分、會員資格的獲得以交易成功為標準,即發貨後30天」: a regular member who buys
    2,100.00 is not VIP the same day nor the next; the credit is pending until day 30."""
    first = buy(capsys, till, "M1", "BIG", "2024-01-10T10:00")
    assert first["tier"]["tier"] == "regular"
    assert first["tier"]["pending_spend"] == "2100.00"
    assert first["tier"]["credit_final_at"].startswith("2024-02-09T")
    nxt = buy(capsys, till, "M1", "TEE", "2024-01-11T10:00")
    assert (nxt["total"], nxt["tier"]["tier"]) == ("100.00", "regular")
    later = buy(capsys, till, "M1", "TEE", "2024-02-10T10:00")
    assert (later["total"], later["tier"]["tier"]) == ("98.00", "vip")  # 「VIP:98%」


def test_svip_sale_on_day_80_is_svip_on_day_110(
    capsys: pytest.CaptureFixture[str], till: str
) -> None:
    buy(capsys, till, "M2", "BIG", "2024-01-10T10:00")
    buy(capsys, till, "M2", "SV", "2024-03-30T10:00")  # day 80
    assert buy(capsys, till, "M2", "TEE", "2024-04-19T10:00")["total"] == "98.00"  # day 100
    assert buy(capsys, till, "M2", "TEE", "2024-04-29T11:00")["total"] == "95.00"  # day 110


def test_buy_2100_and_return_it_all_stays_regular(
    capsys: pytest.CaptureFixture[str], till: str
) -> None:
    sale = buy(capsys, till, "M3", "BIG", "2024-01-10T10:00")
    ret = ("return", "--db", till, "--cashier", "c1", "--preset", "vancl")
    refused = _run(capsys, *ret, "--sale", str(sale["sale_id"]), "--at", "2024-01-15T10:00")
    assert refused[0] == 2 and "needs a manager's id and PIN" in refused[2]
    code, _, err = _run(
        capsys,
        "return",
        "--db",
        till,
        "--cashier",
        "c1",
        "--preset",
        "vancl",
        "--sale",
        str(sale["sale_id"]),
        "--at",
        "2024-01-15T10:00",
        # A refund above the till's limit (default ¥200) needs a manager's PIN.
        "--manager",
        "c1",
        "--manager-pin",
        "2468",
    )
    assert code == 0, err
    after = buy(capsys, till, "M3", "TEE", "2024-03-01T10:00")
    assert (after["total"], after["tier"]["tier"]) == ("100.00", "regular")
    # The returned sale is not subtracted from anything: 2,000.00 still needed.
    assert after["tier"]["needed_spend"] == "2000.00"


def test_the_till_reviews_at_the_end_of_the_validity_year(
    capsys: pytest.CaptureFixture[str], till: str
) -> None:
    """002: 「VIP:有效期1年,有效期內購物不足1000元,降為普通會員」; 「SVIP:...不足2500降為VIP」."""
    buy(capsys, till, "M1", "BIG", "2024-01-10T10:00")
    buy(capsys, till, "M2", "BIG", "2024-01-10T10:05")
    buy(capsys, till, "M2", "SV", "2024-02-20T10:00")  # SVIP from 2024-03-21
    vip = buy(capsys, till, "M1", "MID", "2024-03-01T10:00")  # 490.00 in the VIP year
    assert vip["tier"]["tier"] == "vip"
    assert vip["tier"]["valid_until"] is not None
    buy(capsys, till, "M2", "K", "2024-06-01T10:00")  # 1,140.00 in the SVIP year
    svip = buy(capsys, till, "M2", "TEE", "2024-08-01T10:00")
    assert (svip["total"], svip["tier"]["tier"]) == ("95.00", "svip")
    day_420 = buy(capsys, till, "M1", "TEE", "2025-03-05T10:00")
    assert (day_420["total"], day_420["tier"]["tier"]) == ("100.00", "regular")
    day_480 = buy(capsys, till, "M2", "TEE", "2025-05-05T10:00")
    assert (day_480["total"], day_480["tier"]["tier"]) == ("98.00", "vip")


def test_at_is_refused_before_the_last_sale(capsys: pytest.CaptureFixture[str], till: str) -> None:
    buy(capsys, till, "M1", "TEE", "2024-01-10T10:00+08:00")
    code, out, err = _run(
        capsys,
        "checkout",
        "--db",
        till,
        "--cashier",
        "c1",
        "--preset",
        "vancl",
        "--line",
        "TEE",
        "--at",
        "2024-01-10T01:59Z",
    )
    assert code == 2 and out == {}
    assert "last sale" in err and err.count("\n") == 1
    code, _, err = _run(
        capsys, "checkout", "--db", till, "--cashier", "c1", "--line", "TEE", "--at", "soon"
    )
    assert code == 2 and "--at 'soon'" in err
    # Store-local: 10:00 in Asia/Shanghai is 02:00Z, so 02:00Z itself is allowed.
    ok = _run(
        capsys,
        "checkout",
        "--db",
        till,
        "--cashier",
        "c1",
        "--preset",
        "vancl",
        "--line",
        "TEE",
        "--at",
        "2024-01-10T02:00Z",
    )
    assert ok[0] == 0 and ok[1]["at"].startswith("2024-01-10T")

"""``posloyalty terminal ...``: JSON summaries, exit 2 with one stderr line, nothing changed."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
from pathlib import Path

import pytest

from posloyalty.cli import main
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.migrations import SCHEMA_VERSION


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object], str]:
    code = main(["terminal", *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else {}), err


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fails(capsys: pytest.CaptureFixture[str], command: str, *args: str) -> str:
    code, out, err = _run(capsys, command, *args)
    assert code == 2 and out == {}
    assert err.count("\n") == 1 and err.startswith(f"posloyalty terminal {command}: ")
    return err


def test_operator_flow(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    code, out, _ = _run(capsys, "init", "--db", db, "--store", "S1", "--terminal", "T1")
    assert code == 0 and out["store"] == "S1" and out["schema_version"] == SCHEMA_VERSION
    code, out, _ = _run(
        capsys, "demo", "--db", db, "--members", "300", "--products", "40", "--sales", "100"
    )
    assert code == 0 and out["members"] == 300 and out["sales"] == 100
    catalog = tmp_path / "c.csv"
    catalog.write_text("sku,name,price\nX1,Extra,9.90\n")
    assert _run(capsys, "import-catalog", "--db", db, str(catalog))[1] == {"imported_products": 1}
    members = tmp_path / "m.json"
    members.write_text(json.dumps([{"id": "X1", "phone": "13500000000", "tier": "gold"}]))
    assert _run(capsys, "import-members", "--db", db, str(members))[1] == {"imported_members": 1}
    code, out, _ = _run(
        capsys,
        "add-cashier",
        "--db",
        db,
        "--id",
        "c1",
        "--name",
        "Ann",
        "--role",
        "manager",
        "--pin",
        "2468",
    )
    assert code == 0 and out == {"cashier": "c1", "role": "manager"}
    backup = tmp_path / "backup.db"
    code, out, _ = _run(capsys, "backup", "--db", db, "--out", str(backup))
    assert code == 0 and out["backup"] == str(backup)
    catalog.write_text("sku,name,price\nX2,Later,1.00\n")
    _run(capsys, "import-catalog", "--db", db, str(catalog))
    code, out, _ = _run(capsys, "restore", "--db", db, "--from", str(backup))
    assert code == 0 and out["damaged_copy"] is None
    with Database.open(db) as database, database.read() as session:
        assert repo.product_by_sku(session, "X1") is not None
        assert repo.product_by_sku(session, "X2") is None  # imported after the backup
        assert repo.verify_pin(session, "c1", "2468") is not None


def test_bad_input_exits_2_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.db"
    db = str(path)
    _run(capsys, "init", "--db", db, "--store", "S1")
    _run(capsys, "demo", "--db", db, "--members", "20", "--products", "5", "--sales", "5")
    Database.open(path).close()  # checkpoint, so the file alone holds everything
    before = _hash(path)
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,name,price\nY1,Fine,1.00\nY2,Bad,1.001\n")
    err = _fails(capsys, "import-catalog", "--db", db, str(bad))
    assert f"{bad}: row 2, field 'price'" in err
    assert "already belongs to store 'S1'" in _fails(capsys, "init", "--db", db, "--store", "S2")
    assert "empty database" in _fails(
        capsys, "demo", "--db", db, "--members", "1", "--products", "1", "--sales", "1"
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    assert "4 to 12 digits" in _fails(
        capsys,
        "add-cashier",
        "--db",
        db,
        "--id",
        "c",
        "--name",
        "C",
        "--role",
        "cashier",
        "--pin",
        "-",
    )
    assert "must not overwrite" in _fails(capsys, "backup", "--db", db, "--out", db)
    assert _hash(path) == before

    missing = tmp_path / "missing.db"
    assert "posloyalty terminal init" in _fails(
        capsys, "import-catalog", "--db", str(missing), str(bad)
    )
    assert not missing.exists()

    noise = tmp_path / "noise.db"
    noise.write_bytes(b"\x00garbage" * 1000)
    noise_hash = _hash(noise)
    assert "not a SQLite database" in _fails(capsys, "backup", "--db", str(noise), "--out", "x")
    assert "not a SQLite database" in _fails(capsys, "restore", "--db", db, "--from", str(noise))
    assert _hash(noise) == noise_hash and _hash(path) == before

    with pytest.raises(SystemExit) as exit_info:
        main(["terminal", "demo", "--db", db, "--members", "-1", "--products", "1", "--sales", "1"])
    assert exit_info.value.code == 2


def test_restore_refused_while_open(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    _run(capsys, "init", "--db", db)
    backup = tmp_path / "b.db"
    _run(capsys, "backup", "--db", db, "--out", str(backup))
    holder = sqlite3.connect(db)
    holder.execute("SELECT count(*) FROM settings").fetchall()
    try:
        assert "open in another program" in _fails(
            capsys, "restore", "--db", db, "--from", str(backup)
        )
    finally:
        holder.close()

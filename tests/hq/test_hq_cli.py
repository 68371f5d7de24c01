"""``posloyalty hq ...``: the operator commands, and ``serve`` as a real process."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from hq_helpers import batch, earned, registration
from hq_server import free_port

from posloyalty.cli import main
from posloyalty.resources import resources_dir
from posloyalty.sync.protocol import request_headers


def hq(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["hq", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_publish_rules_at_an_instant_to_a_scope(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", db_url]
    text = (resources_dir() / "rules" / "miniso.toml").read_text(encoding="utf-8")
    hq(capsys, "publish-rules", *db, str(resources_dir() / "rules" / "miniso.toml"))
    people = tmp_path / "people.csv"
    people.write_text("phone,name,store,consent\n13800000001,Li,S1,yes\n", "utf-8")
    hq(capsys, "import-members", *db, str(people))
    second = tmp_path / "r2.toml"
    second.write_text(text.replace("revision = 1\n", "revision = 2\n", 1), encoding="utf-8")
    code, out, _ = hq(
        capsys,
        "publish-rules",
        *db,
        str(second),
        "--at",
        "2099-01-01T00:00+08:00",
        "--scope",
        "store:S1",
    )
    assert (code, out) == (
        0,
        "miniso revision 2: scheduled for 2099-01-01T00:00:00+08:00 (store:S1)\n",
    )
    for args, words in (
        (["--scope", "store:S9"], "no store 'S9' at HQ"),
        (["--scope", "shop:S1"], "give store:ID or region:NAME"),
        (["--scope", "region:east"], "no store is in region 'east'"),
        (["--at", "tomorrow"], "is not a date and time"),
        (["--at", "2099-01-01T00:00"], "needs a time zone offset"),
        (["--at", "2001-01-01T00:00+08:00"], "is in the past"),
    ):
        code, out, err = hq(capsys, "publish-rules", *db, str(second), *args)
        assert (code, out) == (2, "") and words in err, args


def test_operator_commands(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", db_url]
    rules = str(resources_dir() / "rules" / "miniso.toml")
    assert hq(capsys, "publish-rules", *db, rules)[1] == "miniso revision 1: published\n"
    assert "already in force" in hq(capsys, "publish-rules", *db, rules)[1]
    bad = tmp_path / "bad.toml"
    bad.write_text("format = 1", encoding="utf-8")
    code, _, err = hq(capsys, "publish-rules", *db, str(bad))
    assert code == 2 and err.startswith("posloyalty hq: invalid rule document")
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps([{"sku": "A", "name": "Tea", "price": "3.50"}]), "utf-8")
    assert hq(capsys, "import-catalog", *db, str(catalog))[1].startswith("products: 1 created")
    people = tmp_path / "people.csv"
    people.write_text("phone,name,store,consent\n13800000001,Li,S1,yes\nbad,X,S1,yes\n", "utf-8")
    code, out, err = hq(capsys, "import-members", *db, str(people))
    assert code == 2 and out.startswith("members: 1 created") and "row 2" in err
    code, out, _ = hq(capsys, "enroll-code", *db, "--store", "S1", "--ttl-minutes", "5")
    assert code == 0 and len(out.strip()) == 14
    code, out, _ = hq(capsys, "run-jobs", *db)
    assert code == 0 and out.startswith("1 members recomputed")
    assert hq(capsys, "run-jobs", *db)[1].startswith("0 members recomputed")
    assert hq(capsys, "health", *db)[1] == "no terminals enrolled\n"
    assert hq(capsys, "revoke-terminal", *db, "TNONE")[0] == 2
    code, _, err = hq(capsys, "health", "--db", "mysql://h/x")
    assert code == 2 and "unsupported database" in err


def test_serve_runs_a_real_hq(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", db_url]
    _, code, _ = hq(capsys, "enroll-code", *db, "--store", "S1")
    hq(capsys, "publish-rules", *db, str(resources_dir() / "rules" / "miniso.toml"))
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "posloyalty.cli",
            "hq",
            "serve",
            "--port",
            str(port),
            "--jobs-interval",
            "0.2",
            "--workers",
            "2",  # worker processes; the jobs run in the parent
            *db,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{url}/v1/health", timeout=1).raise_for_status()
                break
            except requests.RequestException:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "hq serve did not come up"
                time.sleep(0.1)
        enrolled = requests.post(
            f"{url}/v1/enroll", json={"code": code.strip()}, headers=request_headers(), timeout=5
        ).json()
        t, token = enrolled["terminal_id"], enrolled["token"]
        at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        items = [
            registration("S1", t, "P-1", "13800000001", at),
            *earned("S1", t, "P-1", 42, at),
        ]
        r = requests.post(
            f"{url}/v1/push", json=batch(t, items), headers=request_headers(token), timeout=5
        )
        assert [x["reason"] for x in r.json()["results"]] == ["", "", ""]
        # The background jobs compute the balance; it arrives by pull within seconds.
        deadline = time.monotonic() + 20
        while True:
            changes = requests.post(
                f"{url}/v1/pull", json={"cursor": 0}, headers=request_headers(token), timeout=5
            ).json()["changes"]
            member = next((c["data"] for c in changes if c["kind"] == "member"), None)
            if member and member["points_available"] == 42:
                break
            assert time.monotonic() < deadline, f"balance never arrived: {member}"
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGINT)
        out = proc.communicate(timeout=30)[0].decode()
    assert proc.returncode == 0, out
    assert "13800000001" not in out and token not in out
    code_, text, _ = hq(capsys, "health", *db)
    assert code_ == 0 and t in text

"""The cashier who signs a member up at the till travels with the registration and HQ keeps
it on the member; a till too old to send it still registers members (cashier unknown)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sync_helpers import HQ_T0, Hq, client, ctx, enrolled, hq_on

from posloyalty.clock import FixedClock
from posloyalty.hq.models import Member, MemberAlias
from posloyalty.terminal.registration import RegistrationForm, register
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.vault import open_vault


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[Hq]:
    yield from hq_on("sqlite", tmp_path, FixedClock(HQ_T0))


def sign_up(db: Database, phone: str, cashier: str) -> str:
    done = register(
        db,
        ctx(db).rules,
        RegistrationForm(phone, True),
        vault=open_vault(db, create=True),
        cashier=cashier,
    )
    return str(done.member_id)


def joined_by(hq: Hq, provisional: str) -> str | None:
    with hq.db.transaction() as s:
        member_id = s.scalar(select(MemberAlias.member_id).where(MemberAlias.alias == provisional))
        member = s.get(Member, member_id)
        assert member is not None and member.channel == "till"
        return member.joined_by


def test_hq_keeps_the_cashier_who_signed_the_member_up(hq: Hq, tmp_path: Path) -> None:
    hq.setup_chain("S1", 0)
    till = enrolled(hq, tmp_path / "a.sqlite", "S1", hq.clock)
    client(till).sync()
    provisional = sign_up(till, "13912345678", "c1")
    client(till).sync()
    assert joined_by(hq, provisional) == "c1"


def test_a_registration_without_a_cashier_is_still_taken(hq: Hq, tmp_path: Path) -> None:
    hq.setup_chain("S1", 0)
    till = enrolled(hq, tmp_path / "a.sqlite", "S1", hq.clock)
    client(till).sync()
    provisional = sign_up(till, "13912345679", "c1")
    with till.write() as session:  # what an older till queued: no cashier field
        (row,) = [r for r in repo.outbox_pending(session) if r.kind == "registration"]
        old = {k: v for k, v in row.payload.items() if k != "cashier"}
        repo.set_outbox_payload(session, "registration", row.ref_id, old)
    client(till).sync()
    assert joined_by(hq, provisional) is None

"""Helpers for the store tests: sale and ledger builders, file hashes, read-only files."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
from pathlib import Path

from posloyalty.domain.ids import (
    CashierId,
    EntryId,
    LotId,
    MemberId,
    SaleId,
    StoreId,
    TerminalId,
)
from posloyalty.domain.money import Fen
from posloyalty.domain.points import LedgerEntry
from posloyalty.domain.privacy import mask_phone
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.ids import Uuid7
from posloyalty.tilldb.models import Member
from posloyalty.tilldb.records import OutboxMessage, PaymentRecord, SaleLineRecord, SaleRecord

T0 = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_member(db: Database, member_id: str = "M1", phone: str = "13812345678") -> None:
    with db.write() as session:
        salt = repo.phone_key(session)
        session.add(
            Member(
                id=member_id,
                phone_masked=mask_phone(phone),
                phone_hash=repo.hash_phone(salt, phone),
                display_name="Test",
                tier="regular",
                growth=0,
                cached_points=0,
                cached_pending=0,
                registered_at=T0,
                hq_version=0,
                provisional=False,
            )
        )


def make_sale(
    ids: Uuid7,
    at: dt.datetime,
    *,
    member: str | None = "M1",
    receipt: str | None = None,
    amounts: tuple[int, ...] = (1000, 2550),
) -> SaleRecord:
    sale_id = SaleId(ids.new())
    lines = tuple(
        SaleLineRecord(
            index=i,
            sku=f"SKU{i}",
            qty=1,
            unit_price_fen=Fen(a),
            gross_fen=Fen(a),
            net_fen=Fen(a),
            discounts={"tier": 0} if i == 0 else {},
            points=a // 100,
        )
        for i, a in enumerate(amounts)
    )
    total = Fen(sum(amounts))
    return SaleRecord(
        id=sale_id,
        terminal=TerminalId("T1"),
        store=StoreId("S1"),
        cashier=CashierId("c1"),
        member=MemberId(member) if member else None,
        at=at,
        subtotal_fen=total,
        total_fen=total,
        receipt_code=receipt or f"R-{sale_id}",
        lines=lines,
        payments=(PaymentRecord("cash", total),),
        quote={"total": total},
    )


def earn_entry(ids: Uuid7, sale: SaleRecord, points: int, *, pending_days: int = 0) -> LedgerEntry:
    return LedgerEntry(
        id=EntryId(ids.new()),
        kind="earn",
        points=points,
        at=sale.at,
        lot=LotId(f"lot-{sale.id}"),
        available_at=sale.at + dt.timedelta(days=pending_days),
        expires_at=sale.at + dt.timedelta(days=365),
        sale_id=sale.id,
    )


def sale_outbox(sale: SaleRecord) -> list[OutboxMessage]:
    return [OutboxMessage("sale", sale.id, {"id": sale.id, "total": sale.total_fen})]


SECOND_PROCESS = Path(__file__).resolve().parent / "second_process_child.py"


def run_second_process(path: Path, run: int, count: int) -> list[str]:
    """Another program on the database: opens it, records ``count`` one-line sales for M2
    (7 points each), closes; the ids of the sales it committed."""
    done = subprocess.run(
        [sys.executable, str(SECOND_PROCESS), str(path), str(run), str(count)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()

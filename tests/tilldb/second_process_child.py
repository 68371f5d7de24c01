"""A second process on the till's database, as a CLI, a backup or the ``sqlite3`` shell is:
open it, read, record ``count`` sales for member M2 (printing each id once committed), close."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from store_helpers import T0, earn_entry, make_sale, sale_outbox

from posloyalty.clock import FixedClock
from posloyalty.tilldb import repo
from posloyalty.tilldb.db import Database
from posloyalty.tilldb.ids import Uuid7


def main(path: str, run: int, count: int) -> None:
    clock = FixedClock(T0 + dt.timedelta(days=1, hours=run))
    db = Database.open(path, clock=clock)
    try:
        ids = Uuid7(clock)
        with db.read() as session:
            repo.ledger_sum(session, "M2")
        for _ in range(count):
            sale = make_sale(ids, clock.advance(seconds=1), member="M2", amounts=(700,))
            with db.write() as session:
                repo.record_sale(session, sale, [earn_entry(ids, sale, 7)], sale_outbox(sale))
            sys.stdout.write(sale.id + "\n")
            sys.stdout.flush()
    finally:
        db.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))

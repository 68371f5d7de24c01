"""Child process for the crash test: records sales in a loop, printing each id once committed."""

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


def main(path: str, hour: int) -> None:
    clock = FixedClock(T0 + dt.timedelta(hours=hour))
    db = Database.open(path, clock=clock, integrity="none")
    ids = Uuid7(clock)
    n = 0
    while True:
        n += 1
        sale = make_sale(ids, clock.advance(seconds=1), amounts=(1000, 2550, 99))
        with db.write() as session:
            repo.record_sale(session, sale, [earn_entry(ids, sale, 36)], sale_outbox(sale))
        sys.stdout.write(sale.id + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))

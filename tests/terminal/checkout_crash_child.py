"""Child process for the checkout crash test: real checkouts in a loop, each id printed once
committed. Members M1/M2 take turns; every third sale redeems points, every fifth is anonymous."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from checkout_helpers import TUESDAY, make_ctx
from hq_signing import confirm_balance

from posloyalty.clock import FixedClock
from posloyalty.domain.ids import MemberId
from posloyalty.domain.money import Fen
from posloyalty.terminal.checkout import CheckoutSession
from posloyalty.terminal.identified import Identified
from posloyalty.tilldb.db import Database


def main(path: str, trial: int) -> None:
    clock = FixedClock(TUESDAY + dt.timedelta(hours=trial))
    db = Database.open(path, clock=clock, integrity="none")
    ctx = make_ctx(db)
    n = 0
    while True:
        n += 1
        clock.advance(seconds=1)
        s = CheckoutSession(ctx)
        member = None if n % 5 == 0 else ("M1", "M2")[n % 2]
        if member is not None:
            s.identify(Identified(MemberId(member), "dynamic", may_redeem=True))
        s.scan("A1", 1 + n % 3)
        s.scan("B2")
        s.scan("MP")
        if member is not None and n % 3 == 0 and s.member and s.member.balance.available >= 100:
            confirm_balance(db, member, clock.now())
            s.redeem(100)
        s.begin_payment()
        s.add_payment("cash", tendered=Fen(s.due + 1000))
        receipt = s.commit()
        sys.stdout.write(receipt.sale_id + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))

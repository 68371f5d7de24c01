"""Tenders at the counter: which quick cash amounts to offer for what is due."""

from __future__ import annotations

from posloyalty.domain.money import Fen

__all__ = ["NOTES", "quick_cash_amounts"]

#: Renminbi notes in fen (¥1, ¥5, ¥10, ¥20, ¥50, ¥100).
NOTES: tuple[int, ...] = (100, 500, 1000, 2000, 5000, 10000)


def quick_cash_amounts(due: int, count: int = 4) -> tuple[Fen, ...]:
    """What a customer is likely to hand over for ``due`` fen: the exact amount first, then
    ``due`` rounded up to ¥10, ¥20, ¥50 and ¥100 notes (and more ¥100 notes), ascending,
    without repeats, at most ``count`` amounts (nothing when nothing is due)."""
    if due <= 0 or count <= 0:
        return ()
    found = {due}
    for note in (1000, 2000, 5000, 10000, 20000, 50000):
        found.add(-(-due // note) * note)
    return tuple(Fen(x) for x in sorted(found)[:count])

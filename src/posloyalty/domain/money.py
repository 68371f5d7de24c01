"""Money as integer fen inside the core; yuan strings with exactly two decimals at the edges."""

from __future__ import annotations

import re
from typing import NewType

Fen = NewType("Fen", int)

_YUAN_RE = re.compile(r"^(-?)(\d{1,12})(?:\.(\d{1,2}))?$")


class MoneyError(ValueError):
    """A money value at an edge is not an acceptable yuan amount."""


def parse_yuan(value: object, *, allow_negative: bool = False, what: str = "amount") -> Fen:
    """Parse a yuan amount given as a string ("12.30", "12", "12.3") into fen.

    Floats are refused outright (they cannot carry fen exactly); so are NaN, exponents,
    more than two decimals and, unless allowed, negative amounts.
    """
    if isinstance(value, bool) or not isinstance(value, str):
        if isinstance(value, float):
            raise MoneyError(f'{what}: {value!r} is a float; give yuan as a string like "12.30"')
        raise MoneyError(f'{what}: expected a yuan string like "12.30", got {value!r}')
    text = value.strip()
    match = _YUAN_RE.match(text)
    if match is None:
        if re.match(r"^-?\d+\.\d{3,}$", text):
            raise MoneyError(f"{what}: {value!r} has more than two decimals")
        raise MoneyError(f'{what}: {value!r} is not a yuan amount like "12.30"')
    sign, whole, frac = match.groups()
    fen = int(whole) * 100 + int((frac or "0").ljust(2, "0"))
    if sign:
        fen = -fen
    if fen < 0 and not allow_negative:
        raise MoneyError(f"{what}: {value!r} is negative")
    return Fen(fen)


def format_yuan(fen: int) -> str:
    """Format fen as a yuan string with exactly two decimals ("-1.05", "0.00")."""
    sign = "-" if fen < 0 else ""
    whole, frac = divmod(abs(fen), 100)
    return f"{sign}{whole}.{frac:02d}"


def yuan(fen: int) -> str:
    """Money as people read it at the counter: ``¥12.30`` (negative: ``-¥12.30``)."""
    return ("-¥" if fen < 0 else "¥") + format_yuan(abs(fen))


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` fen across ``weights`` proportionally, exactly (largest remainder).

    The parts always sum to ``total``; each part is floor or ceil of its exact share. Ties in
    the remainder go to the earlier position, so the result is deterministic. With all-zero
    weights the total is split as evenly as possible.
    """
    if not weights:
        if total != 0:
            raise ValueError("cannot allocate a non-zero amount over no lines")
        return []
    if any(w < 0 for w in weights):
        raise ValueError("allocation weights must not be negative")
    base = sum(weights)
    if base == 0:
        weights = [1] * len(weights)
        base = len(weights)
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    parts = [magnitude * w // base for w in weights]
    remainders = [(magnitude * w % base, -i) for i, w in enumerate(weights)]
    short = magnitude - sum(parts)
    for _, neg_i in sorted(remainders, reverse=True)[:short]:
        parts[-neg_i] += 1
    return [sign * p for p in parts]

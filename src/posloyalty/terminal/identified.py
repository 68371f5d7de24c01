"""How a member was identified at the counter, as the checkout needs to know it.

Produced by the scan/identification service from a member code (or a manual lookup) and
consumed by the checkout session: only a verified dynamic code may redeem points, and a member
absent from the local slice (unconfirmed) earns points that stay pending until HQ confirms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from posloyalty.domain.ids import MemberId

IdentifiedBy = Literal["dynamic", "static", "provisional", "manual"]


@dataclass(frozen=True, slots=True)
class Identified:
    member_id: MemberId
    by: IdentifiedBy
    #: Only a verified dynamic code on the member's phone may spend points.
    may_redeem: bool
    #: False when the member is not in the local slice (offline, well-formed code): no tier
    #: discount, no redemption, and points earned stay pending until HQ confirms.
    confirmed: bool = True
    #: The scanned phone code itself (dynamic codes only): it goes to HQ with the sale as the
    #: member's proof of presence at this store.
    code: str = ""

    def __post_init__(self) -> None:
        if self.may_redeem and (self.by != "dynamic" or not self.confirmed):
            raise ValueError("only a confirmed member with a dynamic code may redeem points")

"""Typed, named identifiers shared by every layer."""

from __future__ import annotations

from typing import NewType

MemberId = NewType("MemberId", str)
TierId = NewType("TierId", str)
TerminalId = NewType("TerminalId", str)
StoreId = NewType("StoreId", str)
CashierId = NewType("CashierId", str)
SaleId = NewType("SaleId", str)
EntryId = NewType("EntryId", str)
LotId = NewType("LotId", str)
Sku = NewType("Sku", str)
CouponCode = NewType("CouponCode", str)

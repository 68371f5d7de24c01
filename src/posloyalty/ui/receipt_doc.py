"""A committed sale as a receipt document in the window's language (see devices.receipt)."""

from __future__ import annotations

from posloyalty.devices.receipt import ReceiptDoc, ReceiptRow
from posloyalty.domain.rules import RuleSet
from posloyalty.terminal.checkout import Receipt
from posloyalty.ui.models import yuan
from posloyalty.ui.qt import QCoreApplication


def _t(text: str) -> str:
    return QCoreApplication.translate("Receipt", text)


def kind_name(kind: str) -> str:
    names = {
        "member_price": _t("Member prices"),
        "tier": _t("Tier discount"),
        "member_day": _t("Member day"),
        "coupon": _t("Coupons"),
        "birthday": _t("Birthday"),
    }
    return names.get(kind, kind)


def method_name(method: str) -> str:
    names = {"cash": _t("Cash"), "card": _t("Card"), "gift_card": _t("Gift card")}
    return names.get(method, method)


def receipt_doc(
    receipt: Receipt, rules: RuleSet, *, store: str, new_member_code: str = ""
) -> ReceiptDoc:
    rows: list[ReceiptRow] = [
        ReceiptRow(rules.name, style="bold"),
        ReceiptRow(f"{_t('Store')} {store} · {receipt.receipt_code}"),
        ReceiptRow(receipt.at.strftime("%Y-%m-%d %H:%M"), f"{_t('Cashier')} {receipt.cashier}"),
        ReceiptRow("", style="rule"),
    ]
    for line in receipt.lines:
        rows.append(ReceiptRow(f"{line.name} ×{line.qty}", yuan(line.gross)))
        for kind, amount in line.discounts.items():
            if amount:
                rows.append(ReceiptRow(f"   {kind_name(kind)}", f"-{yuan(amount)}"))
    rows += [ReceiptRow("", style="rule"), ReceiptRow(_t("Subtotal"), yuan(receipt.subtotal))]
    for kind, amount in receipt.savings.items():
        rows.append(ReceiptRow(f"{_t('Saved')}: {kind_name(kind)}", f"-{yuan(amount)}"))
    if receipt.points_redeemed:
        rows.append(
            ReceiptRow(
                f"{_t('Points used')} {receipt.points_redeemed}", f"-{yuan(receipt.points_value)}"
            )
        )
    rows.append(ReceiptRow(_t("Total"), yuan(receipt.total), style="bold"))
    for p in receipt.payments:
        rows.append(ReceiptRow(method_name(p.method), yuan(p.tendered)))
    if receipt.change:
        rows.append(ReceiptRow(_t("Change"), yuan(receipt.change)))
    total_saved = sum(receipt.savings.values())
    if total_saved:
        rows.append(ReceiptRow(f"{_t('You saved')} {yuan(total_saved)}", style="center"))
    if receipt.member_id:
        rows.append(ReceiptRow("", style="rule"))
        rows.append(ReceiptRow(_t("Member"), receipt.member_id))
        earned = f"+{receipt.points_earned}"
        if receipt.points_earned_pending:
            earned += f" ({_t('pending')})"
        rows.append(ReceiptRow(_t("Points earned"), earned))
        if receipt.balance_available is not None:
            rows.append(ReceiptRow(_t("Points balance"), f"{receipt.balance_available:,}"))
        if receipt.balance_pending:
            rows.append(ReceiptRow(_t("Points pending"), f"{receipt.balance_pending:,}"))
        tier = receipt.tier
        if tier is not None:
            rows.append(ReceiptRow(_t("Tier"), tier.tier_name + (" ↑" if tier.changed else "")))
            if tier.next_tier and tier.needed_spend:
                nxt = (
                    rules.tiers.level(tier.next_tier).name
                    if tier.next_tier in rules.tiers.ids()
                    else tier.next_tier
                )
                rows.append(
                    ReceiptRow(
                        _t("Spend %1 more for %2")
                        .replace("%1", yuan(tier.needed_spend))
                        .replace("%2", nxt)
                    )
                )
    return ReceiptDoc(
        tuple(rows),
        barcode=receipt.receipt_code,
        qr=new_member_code,
        qr_caption=_t("Your member card") if new_member_code else "",
        footer=(_t("Keep this receipt for returns"),),
    )

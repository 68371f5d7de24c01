"""A committed sale as a receipt document in the window's language (see devices.receipt)."""

from __future__ import annotations

from posloyalty.devices.receipt import ReceiptDoc, ReceiptRow
from posloyalty.domain.money import yuan
from posloyalty.domain.rules import RuleSet
from posloyalty.terminal.checkout import Receipt
from posloyalty.ui.qt import QCoreApplication


def kind_name(kind: str) -> str:
    names = {
        "member_price": QCoreApplication.translate("Receipt", "Member prices"),
        "tier": QCoreApplication.translate("Receipt", "Tier discount"),
        "member_day": QCoreApplication.translate("Receipt", "Member day"),
        "coupon": QCoreApplication.translate("Receipt", "Coupons"),
        "birthday": QCoreApplication.translate("Receipt", "Birthday"),
        "points": QCoreApplication.translate("Receipt", "Points"),
    }
    return names.get(kind, kind)


def method_name(method: str) -> str:
    names = {
        "cash": QCoreApplication.translate("Receipt", "Cash"),
        "card": QCoreApplication.translate("Receipt", "Card"),
        "gift_card": QCoreApplication.translate("Receipt", "Gift card"),
        "wechat": QCoreApplication.translate("Receipt", "WeChat Pay"),
        "alipay": QCoreApplication.translate("Receipt", "Alipay"),
    }
    return names.get(method, method)


def receipt_doc(
    receipt: Receipt,
    rules: RuleSet,
    *,
    store: str,
    new_member_code: str = "",
    card_url: str = "",
) -> ReceiptDoc:
    """``card_url``: the member's card page at HQ (terminal.card_link), printed for a member's
    sale as a QR (when the QR is not taken by a new member's card) and as text."""
    rows: list[ReceiptRow] = [
        ReceiptRow(rules.name, style="bold"),
        ReceiptRow(
            QCoreApplication.translate("Receipt", "Store") + f" {store} · {receipt.receipt_code}"
        ),
        ReceiptRow(
            receipt.at.strftime("%Y-%m-%d %H:%M"),
            QCoreApplication.translate("Receipt", "Cashier") + f" {receipt.cashier}",
        ),
        ReceiptRow("", style="rule"),
    ]
    for line in receipt.lines:
        rows.append(ReceiptRow(f"{line.name} ×{line.qty}", yuan(line.gross)))
        for kind, amount in line.discounts.items():
            if amount:
                rows.append(ReceiptRow(f"   {kind_name(kind)}", f"-{yuan(amount)}"))
    rows += [
        ReceiptRow("", style="rule"),
        ReceiptRow(QCoreApplication.translate("Receipt", "Subtotal"), yuan(receipt.subtotal)),
    ]
    for kind, amount in receipt.savings.items():
        rows.append(
            ReceiptRow(
                QCoreApplication.translate("Receipt", "Saved") + f": {kind_name(kind)}",
                f"-{yuan(amount)}",
            )
        )
    if receipt.points_redeemed:
        rows.append(
            ReceiptRow(
                QCoreApplication.translate("Receipt", "Points used")
                + f" {receipt.points_redeemed}",
                f"-{yuan(receipt.points_value)}",
            )
        )
    rows.append(
        ReceiptRow(
            QCoreApplication.translate("Receipt", "Total"), yuan(receipt.total), style="bold"
        )
    )
    for p in receipt.payments:
        rows.append(ReceiptRow(method_name(p.method), yuan(p.tendered)))
    if receipt.change:
        rows.append(
            ReceiptRow(QCoreApplication.translate("Receipt", "Change"), yuan(receipt.change))
        )
    total_saved = sum(receipt.savings.values())
    if total_saved:
        rows.append(
            ReceiptRow(
                QCoreApplication.translate("Receipt", "You saved") + f" {yuan(total_saved)}",
                style="center",
            )
        )
    if receipt.member_id:
        rows.append(ReceiptRow("", style="rule"))
        rows.append(ReceiptRow(QCoreApplication.translate("Receipt", "Member"), receipt.member_id))
        earned = f"+{receipt.points_earned}"
        if receipt.points_earned_pending:
            earned += " (" + QCoreApplication.translate("Receipt", "pending") + ")"
        rows.append(ReceiptRow(QCoreApplication.translate("Receipt", "Points earned"), earned))
        if receipt.balance_available is not None:
            rows.append(
                ReceiptRow(
                    QCoreApplication.translate("Receipt", "Points balance"),
                    f"{receipt.balance_available:,}",
                )
            )
        if receipt.balance_pending:
            rows.append(
                ReceiptRow(
                    QCoreApplication.translate("Receipt", "Points pending"),
                    f"{receipt.balance_pending:,}",
                )
            )
        tier = receipt.tier
        if tier is not None:
            rows.append(
                ReceiptRow(
                    QCoreApplication.translate("Receipt", "Tier"),
                    tier.tier_name + (" ↑" if tier.changed else ""),
                )
            )
            if tier.next_tier and tier.needed_spend:
                nxt = (
                    rules.tiers.level(tier.next_tier).name
                    if tier.next_tier in rules.tiers.ids()
                    else tier.next_tier
                )
                rows.append(
                    ReceiptRow(
                        QCoreApplication.translate("Receipt", "Spend %1 more for %2")
                        .replace("%1", yuan(tier.needed_spend))
                        .replace("%2", nxt)
                    )
                )
    link = card_url if receipt.member_id else ""
    if link:
        rows.append(
            ReceiptRow(
                QCoreApplication.translate("Receipt", "Your points and card online:"),
                style="center",
            )
        )
        rows.append(ReceiptRow(link, style="center"))
    qr, caption = new_member_code, ""
    if new_member_code:
        caption = QCoreApplication.translate("Receipt", "Your member card")
    elif link:
        qr, caption = link, QCoreApplication.translate("Receipt", "Scan for your member card")
    return ReceiptDoc(
        tuple(rows),
        barcode=receipt.receipt_code,
        qr=qr,
        qr_caption=caption,
        footer=(QCoreApplication.translate("Receipt", "Keep this receipt for returns"),),
    )

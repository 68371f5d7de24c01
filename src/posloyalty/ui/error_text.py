"""Refusals in the cashier's language.

The terminal's services refuse in plain English sentences (they are also what the CLI and the
logs print). The window shows them through :func:`translated`: each known sentence is matched
by its pattern, and its figures and names (groups ``%1``, ``%2``, ... in order) are put into
the translated template (context ``Errors``). A sentence no pattern knows is shown as it is.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from posloyalty.terminal.errors import CheckoutError
from posloyalty.terminal.registration import RegistrationError
from posloyalty.terminal.staff import PinRefused
from posloyalty.ui.qt import QCoreApplication

__all__ = ["pin_refusal", "plain_error", "translated"]

log = logging.getLogger("posloyalty.ui")


# (pattern, template): the template is read when a refusal is shown, so a language switch
# applies at once. Patterns are anchored; groups are the values carried over.
_TABLE: tuple[tuple[re.Pattern[str], Callable[[], str]], ...] = tuple(
    (re.compile(f"^{p}$"), t)
    for p, t in (
        (
            r"nothing was scanned",
            lambda: QCoreApplication.translate("Errors", "Nothing was scanned"),
        ),
        (
            r"empty product code",
            lambda: QCoreApplication.translate("Errors", "Nothing was scanned"),
        ),
        (
            r"unknown product code '(.+)'",
            lambda: QCoreApplication.translate("Errors", "Unknown product code %1"),
        ),
        (
            r"'(.+)' is not a member, coupon or product code(?: \(\d+ digits; .*\))?",
            lambda: QCoreApplication.translate(
                "Errors", "%1 is not a member, coupon or product code"
            ),
        ),
        (
            r"'(.+)' looks like a (.+) code but its check character is wrong .*",
            lambda: QCoreApplication.translate(
                "Errors", "%1 was misread (check character); scan it again"
            ),
        ),
        (
            r"'(.+)' looks like a (.+) product barcode but its check digit is wrong.*",
            lambda: QCoreApplication.translate(
                "Errors", "%1 was misread (check digit); scan it again"
            ),
        ),
        (
            r"'(.+)' looks like a (.+) code but its length is wrong",
            lambda: QCoreApplication.translate(
                "Errors", "%1 was misread (wrong length); scan it again"
            ),
        ),
        (
            r"'(.+)' is too long to be a code",
            lambda: QCoreApplication.translate("Errors", "%1 is too long to be a code"),
        ),
        (
            r"there is no line to void",
            lambda: QCoreApplication.translate("Errors", "There is no line to void"),
        ),
        (
            r"there is no line to change",
            lambda: QCoreApplication.translate("Errors", "There is no line to change"),
        ),
        (
            r"there is no line (\d+)",
            lambda: QCoreApplication.translate("Errors", "There is no line %1"),
        ),
        (
            r"there is no payment (\d+)",
            lambda: QCoreApplication.translate("Errors", "There is no payment %1"),
        ),
        (
            r"the quantity is already 1; void the line to take it off",
            lambda: QCoreApplication.translate(
                "Errors", "The quantity is already 1; void the line to take it off"
            ),
        ),
        (
            r"quantity must be a whole number from 1 to 9999",
            lambda: QCoreApplication.translate(
                "Errors", "The quantity must be a whole number from 1 to 9999"
            ),
        ),
        (
            r"nothing is left to pay",
            lambda: QCoreApplication.translate("Errors", "Nothing is left to pay"),
        ),
        (
            r"a payment must be above 0.00 yuan",
            lambda: QCoreApplication.translate("Errors", "A payment must be above ¥0.00"),
        ),
        (
            r"(\w+) payment of ([\d.]+) yuan exceeds the ([\d.]+) yuan still due",
            lambda: QCoreApplication.translate(
                "Errors", "A payment of ¥%2 is more than the ¥%3 still due"
            ),
        ),
        (
            r"([\d.]+) yuan is still due; take a payment first",
            lambda: QCoreApplication.translate("Errors", "¥%1 is still due; take a payment first"),
        ),
        (
            r"type the member's full 11-digit phone number",
            lambda: QCoreApplication.translate(
                "Errors", "Type the member's full 11-digit phone number"
            ),
        ),
        (
            r"no member with phone (\S+) here",
            lambda: QCoreApplication.translate("Errors", "No member with phone %1 here"),
        ),
        (
            r"identify the member before applying a member coupon",
            lambda: QCoreApplication.translate(
                "Errors", "Identify the member before applying a member coupon"
            ),
        ),
        (
            r"coupon (\S+) is already applied",
            lambda: QCoreApplication.translate("Errors", "Coupon %1 is already applied"),
        ),
        (
            r"coupon (\S+) was already used",
            lambda: QCoreApplication.translate("Errors", "Coupon %1 was already used"),
        ),
        (
            r"coupon (\S+) is not held by member (\S+)",
            lambda: QCoreApplication.translate("Errors", "Coupon %1 is not held by this member"),
        ),
        (
            r"only an identified member can pay with points",
            lambda: QCoreApplication.translate(
                "Errors", "Only an identified member can pay with points"
            ),
        ),
        (
            r"no points can be redeemed on this sale right now",
            lambda: QCoreApplication.translate(
                "Errors", "No points can be redeemed on this sale right now"
            ),
        ),
        (
            r"no member identified",
            lambda: QCoreApplication.translate(
                "Errors", "No member identified: scan the member's code first"
            ),
        ),
        (
            r"HQ has not confirmed this member yet",
            lambda: QCoreApplication.translate("Errors", "HQ has not confirmed this member yet"),
        ),
        (
            r"points can only be spent with the member's dynamic code \(phone app\)",
            lambda: QCoreApplication.translate(
                "Errors", "Points can only be spent with the member's dynamic code (phone app)"
            ),
        ),
        (
            r"no sale (\S+) on this terminal",
            lambda: QCoreApplication.translate("Errors", "No sale %1 on this till"),
        ),
        (
            r"everything of sale (\S+) was already returned",
            lambda: QCoreApplication.translate(
                "Errors", "Everything of sale %1 was already returned"
            ),
        ),
        (
            r"(\S+) is itself a return; return the original sale",
            lambda: QCoreApplication.translate(
                "Errors", "%1 is itself a return; return the original sale"
            ),
        ),
        (
            r"a refund above ¥([\d.]+) needs a manager's id and PIN",
            lambda: QCoreApplication.translate(
                "Errors", "A refund above ¥%1 needs a manager's id and PIN"
            ),
        ),
        (
            r"the sale was not paid by (\S+) \(or it was refunded already\): .*",
            lambda: QCoreApplication.translate(
                "Errors", "The sale was not paid by %1 (or it was refunded already)"
            ),
        ),
        (
            r"give a reason for moving cash in or out of the drawer",
            lambda: QCoreApplication.translate(
                "Errors", "Give a reason for moving cash in or out of the drawer"
            ),
        ),
        (
            r"type an amount above zero",
            lambda: QCoreApplication.translate("Errors", "Type an amount above zero"),
        ),
        (
            r"the drawer already has today's opening float; record more cash as cash in",
            lambda: QCoreApplication.translate(
                "Errors", "The drawer already has today's opening float; record more as cash in"
            ),
        ),
        (
            r"the drawer should hold only ¥([\d.]+); cannot take out more",
            lambda: QCoreApplication.translate(
                "Errors", "The drawer should hold only ¥%1; cannot take out more"
            ),
        ),
        (
            r"there is no sale to park",
            lambda: QCoreApplication.translate("Errors", "There is no sale to park"),
        ),
        (
            r"payment has started: go back to the basket before parking",
            lambda: QCoreApplication.translate(
                "Errors", "Payment has started: go back to the basket before parking"
            ),
        ),
        (
            r"finish or park the sale in progress before recalling another",
            lambda: QCoreApplication.translate(
                "Errors", "Finish or park the sale in progress before recalling another"
            ),
        ),
        (
            r"that parked sale was recalled already",
            lambda: QCoreApplication.translate("Errors", "That parked sale was recalled already"),
        ),
        (
            r"type the item's price above 0.00 yuan",
            lambda: QCoreApplication.translate("Errors", "Type the item's price above ¥0.00"),
        ),
        (
            r"name the item \(or type its barcode\)",
            lambda: QCoreApplication.translate("Errors", "Name the item (or type its barcode)"),
        ),
        (
            r"payment has started: go back to the basket to add an item",
            lambda: QCoreApplication.translate(
                "Errors", "Payment has started: go back to the basket to add an item"
            ),
        ),
        (
            r"type at least (\d+) characters of the name or code",
            lambda: QCoreApplication.translate(
                "Errors", "Type at least %1 characters of the name or code"
            ),
        ),
        (
            r"type the receipt number",
            lambda: QCoreApplication.translate("Errors", "Type the receipt number"),
        ),
        (
            r"no receipt (.+) at this till",
            lambda: QCoreApplication.translate("Errors", "No receipt %1 at this till"),
        ),
        (
            r"(.+) is a return; its slip is printed with it",
            lambda: QCoreApplication.translate(
                "Errors", "%1 is a return: its slip was printed with the return"
            ),
        ),
        (
            r"amount: '(.*)' is not a yuan amount like \"12.30\"",
            lambda: QCoreApplication.translate("Errors", "%1 is not an amount in yuan like 12.30"),
        ),
        (
            r"amount: '(.*)' is negative",
            lambda: QCoreApplication.translate("Errors", "The amount cannot be negative"),
        ),
        (
            r"amount: '(.*)' has more than two decimals",
            lambda: QCoreApplication.translate("Errors", "%1 has more than two decimals"),
        ),
    )
)

_SCANNED = re.compile(r"^(?P<text>.*) \(scanned '(?P<scan>.*)'\)$")


def translated(text: str) -> str:
    """``text`` (an English refusal) in the current language, if it is a known sentence."""
    text = " ".join(text.split())
    suffix = ""
    scanned = _SCANNED.match(text)
    if scanned is not None:
        text = scanned["text"]
        suffix = " " + QCoreApplication.translate("Errors", "(scanned %1)").replace(
            "%1", scanned["scan"]
        )
    for pattern, template in _TABLE:
        match = pattern.match(text)
        if match is not None:
            words = template()
            # Highest number first, so %1 never eats the start of %10.
            for i in range(len(match.groups()), 0, -1):
                words = words.replace(f"%{i}", match.group(i))
            return words + suffix
    return text + suffix


def pin_refusal(exc: PinRefused) -> str:
    """A refused PIN in the cashier's language."""

    def tr(text: str) -> str:
        return QCoreApplication.translate("CashierWindow", text)

    if exc.outcome == "wait":
        words = (
            tr("Too many wrong PINs for %1: try again in %2 s")
            .replace("%1", exc.staff)
            .replace("%2", str(exc.seconds))
        )
    elif exc.outcome == "locked":
        words = (
            tr("%1 is locked after too many wrong PINs: a manager must unlock it (or wait %2 min)")
            .replace("%1", exc.staff)
            .replace("%2", str(max(1, -(-exc.seconds // 60))))
        )
    elif exc.outcome == "not_manager":
        words = tr("%1 is not a manager").replace("%1", exc.staff)
    elif exc.role == "manager":
        words = tr("Wrong manager id or PIN")
    else:
        words = tr("Wrong cashier id or PIN")
    if exc.action == "adjustment":
        return tr("Adjustment refused: %1").replace("%1", words)
    return words


def plain_error(exc: BaseException) -> str:
    """A refusal in words for the cashier (never a traceback)."""
    if isinstance(exc, RegistrationError):
        return translated(exc.message)
    if isinstance(exc, PinRefused):
        return pin_refusal(exc)
    if isinstance(exc, CheckoutError | ValueError):
        return translated(str(exc))
    log.error("unexpected error", exc_info=exc)
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"

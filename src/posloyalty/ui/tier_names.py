"""Tier names in the cashier's language.

A rule document names its tiers in Chinese (the store's own names: 金卡, 二星会员). On a
Chinese screen those are shown as they are; in English and Spanish the common tier ids of the
shipped presets have translated names (context ``Tiers``). A tier id this table does not know
keeps the rule document's name.
"""

from __future__ import annotations

from posloyalty.domain.rules import RuleSet
from posloyalty.ui import i18n
from posloyalty.ui.qt import QCoreApplication

__all__ = ["tier_label"]


def _known(tier_id: str) -> str | None:
    names = {
        "regular": QCoreApplication.translate("Tiers", "Regular"),
        "silver": QCoreApplication.translate("Tiers", "Silver"),
        "gold": QCoreApplication.translate("Tiers", "Gold"),
        "platinum": QCoreApplication.translate("Tiers", "Platinum"),
        "diamond": QCoreApplication.translate("Tiers", "Diamond"),
        "vip": QCoreApplication.translate("Tiers", "VIP"),
        "svip": QCoreApplication.translate("Tiers", "SVIP"),
        "v1": QCoreApplication.translate("Tiers", "One star"),
        "v2": QCoreApplication.translate("Tiers", "Two stars"),
        "v3": QCoreApplication.translate("Tiers", "Three stars"),
        "v4": QCoreApplication.translate("Tiers", "Four stars"),
        "v5": QCoreApplication.translate("Tiers", "Five stars"),
    }
    return names.get(tier_id)


def tier_label(rules: RuleSet | None, name: str, tier_id: str | None = None) -> str:
    """The tier called ``name`` in ``rules`` (id ``tier_id`` when known) as the current
    language shows it."""
    if i18n.current() == "zh_CN":
        return name
    if tier_id is None and rules is not None:
        tier_id = next((t for t in rules.tiers.ids() if rules.tiers.level(t).name == name), None)
    known = _known(tier_id) if tier_id is not None else None
    return known or name

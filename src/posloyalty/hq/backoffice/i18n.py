"""Back office words: one JSON catalogue per language under resources/backoffice/i18n/.

Every catalogue has the same keys (a test holds them to it); a missing key would show as the
key itself rather than fail the page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from posloyalty.resources import resources_dir

__all__ = ["DEFAULT_LANG", "LANGS", "catalogue", "choose_lang", "translate"]

LANGS: tuple[str, ...] = ("zh", "en", "es")
DEFAULT_LANG = "zh"
#: The language names as each shows itself in the switch.
NAMES = {"zh": "中文", "en": "English", "es": "Español"}


@cache
def catalogue(lang: str) -> Mapping[str, str]:
    path = resources_dir() / "backoffice" / "i18n" / f"{lang}.json"
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def translate(lang: str, key: str, **values: Any) -> str:
    text = catalogue(lang if lang in LANGS else DEFAULT_LANG).get(key, key)
    return text.format(**values) if values else text


def choose_lang(explicit: str | None, cookie: str | None, accept: str | None) -> str:
    """``?lang=``, else the cookie, else the first Accept-Language we have, else Chinese."""
    for choice in (explicit, cookie):
        if choice in LANGS:
            return str(choice)
    for part in (accept or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGS:
            return tag
    return DEFAULT_LANG

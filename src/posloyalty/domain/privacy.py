"""Personal data: masking for display, and the one phone normalisation and keyed hash that
terminals and HQ share (duplicates are found by comparing hashes, so both must agree exactly)."""

from __future__ import annotations

import hashlib
import hmac
import re

_COUNTRY_PREFIXES = ("+86", "0086")
_PHONE_DIGITS_RE = re.compile(r"^\d{6,15}$")


def normalize_phone(phone: str) -> str:
    """Digits only, without a leading +86 / 0086; ValueError if it is not a phone number."""
    digits = re.sub(r"[\s\-()]", "", phone)
    for country in _COUNTRY_PREFIXES:
        if digits.startswith(country):
            digits = digits[len(country) :]
            break
    if not _PHONE_DIGITS_RE.match(digits):
        raise ValueError(f"{mask_phone(phone)!r} is not a phone number")
    return digits


def phone_hash(key: str, phone: str) -> str:
    """HMAC-SHA256 (hex) of the normalised number under the chain's phone key: how a till finds
    a phone. The key is kept outside the till's database, so masked phones and hashes alone do
    not give the numbers back."""
    return hmac.new(key.encode(), normalize_phone(phone).encode(), hashlib.sha256).hexdigest()


def mask_phone(phone: str) -> str:
    """Mask a phone number for display: ``"13812345678"`` -> ``"138****5678"``.

    Spaces, dashes and brackets are dropped. A mainland number with a ``+86``/``0086`` prefix
    keeps it (``"+86 138****5678"``). Other numbers show at most the first three and the last
    four digits and always hide at least four; very short ones are hidden entirely.
    """
    text = "".join(c for c in phone.strip() if c.isdigit() or c == "+")
    prefix = ""
    for country in _COUNTRY_PREFIXES:
        rest = text[len(country) :]
        if text.startswith(country) and len(rest) == 11 and rest.startswith("1"):
            prefix, text = "+86 ", rest
            break
    digits = "".join(c for c in text if c.isdigit())
    n = len(digits)
    if n >= 11:
        masked = digits[:3] + "*" * (n - 7) + digits[-4:]
    elif n >= 8:
        masked = "*" * (n - 4) + digits[-4:]
    else:
        masked = "*" * n
    return prefix + masked


def mask_name(name: str) -> str:
    """Mask a name for display, keeping the first character of each word.

    ``"张三丰"`` -> ``"张**"``, ``"Alice Smith"`` -> ``"A**** S****"``; a one-character name is
    hidden entirely.
    """
    words = name.split()
    if len(words) == 1 and len(words[0]) == 1:
        return "*"
    return " ".join(word[0] + "*" * (len(word) - 1) for word in words)

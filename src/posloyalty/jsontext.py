"""The one spelling of JSON text that stored payloads, comparisons and hashes use.

Exactly ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``,
with the C encoder built once instead of on every call.
"""

from __future__ import annotations

import json
from typing import Any


def _canonical_dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _make_canonical() -> Any:
    """The C encoder ``json.dumps`` builds for :func:`_canonical_dumps` on every call, built
    once (a third of the cost for a small payload, and HQ hashes 1,000 a batch). The same
    encoder with the same settings: byte for byte the same text. Without CPython's ``_json``,
    plain ``json.dumps``."""
    make = getattr(json.encoder, "c_make_encoder", None)
    quote = getattr(json.encoder, "c_encode_basestring", None)
    if make is None or quote is None:
        return _canonical_dumps
    fallback = json.JSONEncoder().default  # raises TypeError for what JSON cannot hold
    # (markers, default, encoder, indent, key_separator, item_separator, sort_keys, skipkeys,
    # allow_nan); markers None: no circular-reference check (a parsed payload has none; a
    # circular value built in code still fails, with RecursionError).
    try:
        encoder = make(None, fallback, quote, None, ":", ",", True, False, True)
    except TypeError:  # another CPython's signature
        return _canonical_dumps

    def dumps(value: Any) -> str:
        if isinstance(value, str):  # json.dumps's own shortcut for a bare string
            return str(quote(value))
        return "".join(encoder(value, 0))

    probe = {"b": [1.5, None, True, 2**70, '茶\x00"\\'], "a": {"z": -0.0, "y": float("inf")}}
    try:
        same = dumps(probe) == _canonical_dumps(probe)
    except (TypeError, ValueError):
        same = False
    return dumps if same else _canonical_dumps


_canonical = _make_canonical()


def canonical_json(value: Any) -> str:
    """The one spelling of a JSON value that payload comparison and hashing use: exactly
    ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``."""
    return str(_canonical(value))

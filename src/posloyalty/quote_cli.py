"""``posloyalty quote``: price a JSON basket from stdin under a preset or a rule file.

Prints the quote as JSON on stdout (exit 0). Any bad input prints one line on stderr,
``posloyalty quote: <problem>``, nothing on stdout, and exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from posloyalty.domain.basket_codec import BasketError, basket_from_json, quote_to_json
from posloyalty.domain.pricing import QuoteError, quote
from posloyalty.domain.rules import RuleError, RuleSet
from posloyalty.resources import load_preset, load_rules_file


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "quote",
        help="price a JSON basket read from stdin",
        description="Read a basket as JSON on stdin and print its quote as JSON.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", metavar="NAME", help="a shipped rule preset (miniso, vancl)")
    source.add_argument("--rules", metavar="FILE", type=Path, help="a rule document (TOML)")
    parser.set_defaults(handler=run)


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not allowed")


def _fail(message: str) -> int:
    sys.stderr.write(f"posloyalty quote: {' '.join(message.split())}\n")
    return 2


def run(args: argparse.Namespace) -> int:
    try:
        rules: RuleSet = load_preset(args.preset) if args.preset else load_rules_file(args.rules)
    except RuleError as exc:
        return _fail(f"bad rules: {exc}")
    try:
        text = sys.stdin.buffer.read().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(f"cannot read the basket from stdin: {exc}")
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:  # JSONDecodeError is a ValueError
        return _fail(f"stdin is not valid JSON: {exc}")
    except RecursionError:
        return _fail("stdin is not valid JSON: nested too deeply")
    try:
        result = quote(rules, basket_from_json(doc, rules))
    except (BasketError, QuoteError) as exc:
        return _fail(str(exc))
    out = json.dumps(quote_to_json(result), ensure_ascii=False, indent=2) + "\n"
    sys.stdout.buffer.write(out.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0

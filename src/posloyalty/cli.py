"""The ``posloyalty`` command: one entry point, one sub-command module per area.

Each area module exposes ``register(subparsers)`` which adds its parser and sets ``handler``
(a function taking the parsed arguments and returning an exit code). Exit codes: 0 ok,
1 a negative answer (e.g. a code that does not verify), 2 bad input or a refused operation.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

#: Sub-command modules, imported lazily so that ``posloyalty quote`` never loads Qt.
AREAS: dict[str, str] = {
    "quote": "posloyalty.quote_cli",
    "run": "posloyalty.ui.app",
    "hq": "posloyalty.hq_cli",
    "terminal": "posloyalty.terminal_cli",
    "codes": "posloyalty.codes_cli",
    "sync": "posloyalty.sync_cli",
}

Handler = Callable[[argparse.Namespace], int]


def build_parser(areas: dict[str, str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="posloyalty", description="Offline-first loyalty terminal."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module_name in (areas or AREAS).items():
        module = importlib.import_module(module_name)
        module.register(sub)
        if name not in sub.choices:
            raise RuntimeError(f"{module_name}.register did not add the {name!r} command")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # Build only the parser of the requested area, so each command imports what it needs.
    areas = AREAS
    if args_list and args_list[0] in AREAS:
        areas = {args_list[0]: AREAS[args_list[0]]}
    parser = build_parser(areas)
    args = parser.parse_args(args_list)
    handler: Handler = args.handler
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())

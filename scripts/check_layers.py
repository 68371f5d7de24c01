"""Enforce the architecture's import rules with an AST walk over src/posloyalty.

- domain/ is pure: it imports only the standard library, python-dateutil and itself,
  and never reads the clock.
- Qt (PySide6) is imported in exactly one module: posloyalty/ui/qt.py; QtMultimedia (the
  camera, loaded only when one is asked for) in exactly one other: posloyalty/ui/qt_multimedia.py,
  which imports nothing else of Qt directly.
- Dependencies point one way: ui -> terminal -> (domain, tilldb, sync); hq -> (domain, sync).
- Database drivers (sqlite3, SQLAlchemy) are imported only by the till's database package
  (tilldb/) and by HQ (hq/, hq_cli.py), which owns its own database. The modules in
  SQL_NOT_YET_MOVED still run SQL against the till's database; the list only shrinks: a module
  that no longer imports a driver must leave it.
- The ORM classes (posloyalty.tilldb.models) are imported only inside tilldb/: everything
  else gets frozen records from tilldb's repositories, never a row it could change or flush.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "src" / "posloyalty"

# For each layer, the posloyalty layers it must not import.
FORBIDDEN_LAYERS: dict[str, set[str]] = {
    "domain": {"tilldb", "terminal", "sync", "hq", "devices", "ui", "cli", "resources"},
    "tilldb": {"terminal", "sync", "hq", "devices", "ui"},
    "sync": {"terminal", "hq", "devices", "ui"},
    "terminal": {"hq", "ui"},
    "devices": {"terminal", "hq", "tilldb", "sync"},
    "hq": {"terminal", "tilldb", "devices", "ui"},
    "ui": {"hq"},
}
DB_DRIVERS = {"sqlite3", "sqlalchemy"}
QT_MODULE = "ui/qt.py"
#: The second Qt import point: QtMultimedia only, imported lazily (issue 11).
QT_MULTIMEDIA_MODULE = "ui/qt_multimedia.py"
QT_MULTIMEDIA = ("PySide6.QtMultimedia", "PySide6.QtMultimediaWidgets")
DB_OWNERS = {"tilldb", "hq", "hq_cli"}
#: The till's ORM classes: used by tilldb/ only (issue 15).
TILL_MODELS = "posloyalty.tilldb.models"
#: Modules that still run SQL against the till's database outside tilldb/ (issue 15).
SQL_NOT_YET_MOVED: set[str] = set()
DOMAIN_ALLOWED_THIRD_PARTY = {"dateutil"}
#: Calls that run a statement given as text.
SQL_CALLS = {"execute", "executemany", "executescript"}
#: Calls that only ever run statement text (SQLAlchemy's), whatever their argument looks like.
DRIVER_SQL_CALLS = {"exec_driver_sql"}
CLOCK_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("date", "today"),
    ("time", "time"),
    ("time", "monotonic"),
}


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
    return out


def _models_imports(tree: ast.AST) -> list[int]:
    """Lines importing the till's ORM classes: ``import posloyalty.tilldb.models``,
    ``from posloyalty.tilldb.models import ...`` or ``from posloyalty.tilldb import models``."""
    lines: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        if any(n == TILL_MODELS or n.startswith(f"{TILL_MODELS}.") for n in names):
            lines.append(node.lineno)
    return lines


def _sql_statements(tree: ast.AST, rel: Path) -> list[str]:
    """Statements written outside the database owners: a string (or f-string) handed to
    ``execute``, ``executemany`` or ``executescript`` (on a connection borrowed through
    ``raw_connection``, say), or anything handed to ``exec_driver_sql`` (on
    ``session.connection()``), is SQL run outside the owner even without a driver import."""
    problems: list[str] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in DRIVER_SQL_CALLS
        ):
            problems.append(
                f"src/posloyalty/{rel}:{node.lineno}: runs SQL of its own; the statement "
                "belongs in a posloyalty.tilldb repository"
            )
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SQL_CALLS
            and node.args
            and isinstance(node.args[0], (ast.Constant, ast.JoinedStr, ast.BinOp))
        ):
            first = node.args[0]
            if isinstance(first, ast.Constant) and not isinstance(first.value, str):
                continue
            problems.append(
                f"src/posloyalty/{rel}:{node.lineno}: runs SQL of its own; the statement "
                "belongs in a posloyalty.tilldb repository"
            )
    return problems


def check_file(path: Path, root: Path = ROOT) -> list[str]:
    rel = path.relative_to(root)
    layer = rel.parts[0] if len(rel.parts) > 1 else rel.stem
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    problems: list[str] = []
    stdlib = sys.stdlib_module_names
    drivers = False
    for lineno, name in _imports(tree):
        top = name.split(".")[0]
        where = f"src/posloyalty/{rel}:{lineno}"
        if top in DB_DRIVERS and layer not in DB_OWNERS:
            drivers = True
            if rel.as_posix() not in SQL_NOT_YET_MOVED:
                problems.append(
                    f"{where}: imports {name}; the till's database is reached through "
                    "posloyalty.tilldb only"
                )
        if top in {"PySide6", "shiboken6"}:
            multimedia = name in QT_MULTIMEDIA or name.startswith(
                tuple(f"{m}." for m in QT_MULTIMEDIA)
            )
            if multimedia and rel.as_posix() != QT_MULTIMEDIA_MODULE:
                problems.append(
                    f"{where}: imports {name}; QtMultimedia is imported from "
                    "posloyalty.ui.qt_multimedia only (lazily, when a camera is asked for)"
                )
            elif not multimedia and rel.as_posix() != QT_MODULE:
                problems.append(f"{where}: imports {name}; import Qt from posloyalty.ui.qt only")
        if top == "posloyalty":
            parts = name.split(".")
            target = parts[1] if len(parts) > 1 else ""
            if target in FORBIDDEN_LAYERS.get(layer, set()):
                problems.append(f"{where}: layer {layer!r} must not import posloyalty.{target}")
        elif layer == "domain" and top not in stdlib and top not in DOMAIN_ALLOWED_THIRD_PARTY:
            problems.append(f"{where}: domain/ must stay pure, but imports {name}")
    if rel.as_posix() in SQL_NOT_YET_MOVED and not drivers:
        problems.append(
            f"src/posloyalty/{rel}: no longer imports a database driver; "
            "remove it from SQL_NOT_YET_MOVED in scripts/check_layers.py"
        )
    if layer not in DB_OWNERS:
        problems.extend(_sql_statements(tree, rel))
    if layer != "tilldb":
        problems.extend(
            f"src/posloyalty/{rel}:{lineno}: imports the till's ORM classes "
            f"({TILL_MODELS}); use a posloyalty.tilldb repository, which returns frozen records"
            for lineno in _models_imports(tree)
        )
    if layer == "domain":
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
                if (owner_name, node.func.attr) in CLOCK_CALLS:
                    problems.append(
                        f"src/posloyalty/{rel}:{node.lineno}: domain/ reads the clock; inject it"
                    )
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "open"
            ):
                problems.append(f"src/posloyalty/{rel}:{node.lineno}: domain/ opens files")
    return problems


def main() -> int:
    problems: list[str] = []
    for path in sorted(ROOT.rglob("*.py")):
        problems.extend(check_file(path))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"check_layers: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("check_layers: import rules hold")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

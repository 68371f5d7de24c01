"""scripts/check_layers.py: the import rules it enforces, on small made-up trees."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "check_layers.py"


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_layers", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _problems(tmp_path: Path, rel: str, source: str) -> list[str]:
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding="utf-8")
    problems: list[str] = _checker().check_file(path, tmp_path)
    return problems


def test_the_source_tree_holds_the_rules() -> None:
    checker = _checker()
    assert checker.main() == 0


@pytest.mark.parametrize(
    "rel",
    ["ui/new_widget.py", "terminal/new_service.py", "sync/new_step.py", "domain/new_rule.py"],
)
@pytest.mark.parametrize("driver", ["import sqlite3", "from sqlalchemy import select"])
def test_database_drivers_stay_in_tilldb(tmp_path: Path, rel: str, driver: str) -> None:
    problems = _problems(tmp_path, rel, f"{driver}\n")
    assert any("posloyalty.tilldb only" in p for p in problems), problems


@pytest.mark.parametrize("rel", ["tilldb/new_repo.py", "hq/new_store.py"])
def test_the_database_owners_may_import_drivers(tmp_path: Path, rel: str) -> None:
    assert _problems(tmp_path, rel, "import sqlite3\nfrom sqlalchemy import select\n") == []


def test_a_module_that_stopped_running_sql_leaves_the_list(tmp_path: Path) -> None:
    checker = _checker()
    vars(checker)["SQL_NOT_YET_MOVED"] = {"terminal/legacy.py"}  # the list as it once was
    path = tmp_path / "terminal" / "legacy.py"
    path.parent.mkdir(parents=True)
    path.write_text("import sqlite3\n", encoding="utf-8")
    assert checker.check_file(path, tmp_path) == []  # listed: still allowed its driver
    path.write_text("import json\n", encoding="utf-8")
    problems = checker.check_file(path, tmp_path)
    assert any("remove it from SQL_NOT_YET_MOVED" in p for p in problems), problems


def test_the_ui_is_checked(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "ui/window.py", "from posloyalty.hq import api\n")
    assert problems == ["src/posloyalty/ui/window.py:1: layer 'ui' must not import posloyalty.hq"]
    assert _problems(tmp_path, "ui/other.py", "import PySide6\n") != []
    assert _problems(tmp_path, "ui/qt.py", "import PySide6\n") == []


def test_qt_multimedia_has_one_import_point_of_its_own(tmp_path: Path) -> None:
    # The camera's QtMultimedia loads lazily, from ui/qt_multimedia.py and nowhere else.
    source = "from PySide6.QtMultimedia import QCamera\n"
    assert _problems(tmp_path, "ui/qt_multimedia.py", source) == []
    widgets = "from PySide6.QtMultimediaWidgets import QVideoWidget\n"
    assert _problems(tmp_path, "ui/qt_multimedia.py", widgets) == []
    in_qt = _problems(tmp_path, "ui/qt.py", source)
    assert any("posloyalty.ui.qt_multimedia only" in p for p in in_qt), in_qt
    assert _problems(tmp_path, "ui/camera.py", source) != []
    other_qt = _problems(tmp_path, "ui/qt_multimedia.py", "from PySide6.QtWidgets import QLabel\n")
    assert any("posloyalty.ui.qt only" in p for p in other_qt), other_qt


def test_sql_text_runs_only_in_the_database_owners(tmp_path: Path) -> None:
    # No driver import, but a statement on a borrowed connection: still SQL outside tilldb.
    source = 'def f(s):\n    repo.raw_connection(s).execute("DELETE FROM settings")\n'
    problems = _problems(tmp_path, "sync/client.py", source)
    assert problems == [
        "src/posloyalty/sync/client.py:2: runs SQL of its own; the statement belongs in a "
        "posloyalty.tilldb repository"
    ]
    fstring = 'def f(c, t):\n    c.executemany(f"INSERT INTO {t} VALUES (?)", [])\n'
    assert _problems(tmp_path, "terminal/checkout.py", fstring) != []
    # SQLAlchemy's exec_driver_sql runs text whatever it is given: a name holding it too.
    driver = "def f(s, sql):\n    return s.connection().exec_driver_sql(sql, ()).one()\n"
    assert _problems(tmp_path, "terminal/eod.py", driver) == [
        "src/posloyalty/terminal/eod.py:2: runs SQL of its own; the statement belongs in a "
        "posloyalty.tilldb repository"
    ]
    assert _problems(tmp_path, "tilldb/drawer.py", driver) == []
    assert _problems(tmp_path, "tilldb/settings.py", source) == []
    assert _problems(tmp_path, "hq/jobs.py", source) == []
    # Calls named execute that take no statement text are no concern of the rule.
    assert _problems(tmp_path, "ui/app.py", "def f(menu):\n    menu.exec()\n") == []
    assert _problems(tmp_path, "terminal/ops.py", "def f(op):\n    op.execute(op)\n") == []


@pytest.mark.parametrize(
    "rel", ["terminal/service.py", "ui/window.py", "sync/inbound.py", "cli.py"]
)
@pytest.mark.parametrize(
    "source",
    [
        "from posloyalty.tilldb.models import Member\n",
        "from posloyalty.tilldb import models\n",
        "from posloyalty.tilldb import repo, models as m\n",
        "import posloyalty.tilldb.models\n",
        "if TYPE_CHECKING:\n    from posloyalty.tilldb.models import Cashier\n",
    ],
)
def test_the_orm_classes_stay_in_tilldb(tmp_path: Path, rel: str, source: str) -> None:
    # Outside tilldb/ a member is a frozen record from a repository, never an ORM row.
    problems = _problems(tmp_path, rel, source)
    assert any("imports the till's ORM classes" in p for p in problems), problems


def test_tilldb_uses_its_orm_classes_and_others_its_records(tmp_path: Path) -> None:
    assert (
        _problems(tmp_path, "tilldb/coupons.py", "from posloyalty.tilldb.models import X\n") == []
    )
    records = "from posloyalty.tilldb import repo\nfrom posloyalty.tilldb.members import M\n"
    assert _problems(tmp_path, "terminal/counter.py", records) == []
    # A module whose name only starts like the models module is not it.
    assert _problems(tmp_path, "terminal/x.py", "from posloyalty.tilldb import models_doc\n") == []

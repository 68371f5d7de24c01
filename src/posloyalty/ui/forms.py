"""Loading Qt Designer forms from ``ui/`` and finding their widgets by name."""

from __future__ import annotations

from typing import TypeVar

from posloyalty.resources import ui_dir
from posloyalty.ui.qt import QObject, QUiLoader, QWidget

W = TypeVar("W", bound=QObject)


def load(name: str, parent: QWidget | None = None) -> QWidget:
    loader = QUiLoader()
    loader.setLanguageChangeEnabled(True)
    path = ui_dir() / name
    form = loader.load(str(path), parent)
    if form is None:
        raise RuntimeError(f"cannot load the Designer form {path}")
    return form


def child(root: QObject, cls: type[W], name: str) -> W:
    found = root.findChild(cls, name)
    if found is None:
        raise RuntimeError(f"{root.objectName()} has no {cls.__name__} named {name!r}")
    return found

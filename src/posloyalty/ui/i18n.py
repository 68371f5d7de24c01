"""Languages: Simplified Chinese (default), English (the source texts) and Spanish.

Translations live in ``resources/i18n/posloyalty_<lang>.ts`` (Qt Linguist; refresh with
``make i18n``); the ``.qm`` files are built from them by ``pyside6-lrelease``, here on first
use when missing. :func:`switch` changes the language at run time: Qt sends every widget a
LanguageChange event and the windows retranslate.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from posloyalty.resources import resources_dir
from posloyalty.ui.qt import QCoreApplication, QEvent, QLibraryInfo, QTranslator

LANGUAGES: dict[str, str] = {"zh_CN": "简体中文", "en": "English", "es": "Español"}
DEFAULT_LANGUAGE = "zh_CN"


class _State:
    translators: tuple[QTranslator, ...] = ()
    lang = "en"


def i18n_dir() -> Path:
    return resources_dir() / "i18n"


def _lrelease() -> str | None:
    here = Path(sys.executable).parent / "pyside6-lrelease"
    return str(here) if here.exists() else shutil.which("pyside6-lrelease")


def build_qm(lang: str) -> Path | None:
    """The .qm of ``lang``, compiled from its .ts when missing or older; None if impossible."""
    ts = i18n_dir() / f"posloyalty_{lang}.ts"
    qm = ts.with_suffix(".qm")
    if not ts.exists():
        return qm if qm.exists() else None
    if qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime:
        return qm
    tool = _lrelease()
    if tool is None:
        return qm if qm.exists() else None
    done = subprocess.run(
        [tool, "-silent", str(ts), "-qm", str(qm)], capture_output=True, check=False, timeout=60
    )
    return qm if done.returncode == 0 and qm.exists() else None


def current() -> str:
    return _State.lang


def switch(lang: str) -> bool:
    """Install ``lang``'s translator (English: none); False if its translation is missing."""
    if lang not in LANGUAGES:
        return False
    app = QCoreApplication.instance()
    if app is None:
        return False
    translators: list[QTranslator] = []
    if lang != "en":
        qm = build_qm(lang)
        ours = QTranslator(app)
        if qm is None or not ours.load(str(qm)):
            return False
        translators.append(ours)
        # Qt's own texts (Cancel, Close, context menus) from the translations PySide6 ships.
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        qtbase = QTranslator(app)
        if qtbase.load(f"qtbase_{lang}", qt_dir):
            translators.append(qtbase)
    for old in _State.translators:
        QCoreApplication.removeTranslator(old)
    _State.translators = tuple(translators)
    for translator in translators:
        QCoreApplication.installTranslator(translator)
    if not translators:
        # No translator to install: still tell the widgets to retranslate (to English).
        QCoreApplication.sendEvent(app, QEvent(QEvent.Type.LanguageChange))
    _State.lang = lang
    return True

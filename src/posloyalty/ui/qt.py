"""The single import point for Qt. Every other module imports Qt names from here.

Keeping Qt behind one module (as qutebrowser's ``qutebrowser/qt`` and Anki's ``aqt/qt`` do) lets
``scripts/check_layers.py`` prove that nothing below ``ui/`` touches Qt, and gives one place to
adapt to a Qt binding change.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDate,
    QDateTime,
    QElapsedTimer,
    QEvent,
    QLibraryInfo,
    QLocale,
    QLoggingCategory,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QRunnable,
    QSize,
    Qt,
    QThread,
    QThreadPool,
    QTime,
    QTimer,
    QTranslator,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QKeySequence,
    QPalette,
    QPixmap,
    QShortcut,
)

# QtMultimedia looks for PipeWire when it loads and says so on stderr where there is none (a
# till without a desktop session); that is not an error for a till, so the category is quiet.
# QT_LOGGING_RULES in the environment still overrides this.
QLoggingCategory.setFilterRules("qt.multimedia.symbolsresolver=false")

from PySide6.QtMultimedia import (  # noqa: E402
    QCamera,
    QMediaCaptureSession,
    QMediaDevices,
    QMediaPlayer,
    QVideoFrame,
    QVideoSink,
)
from PySide6.QtMultimediaWidgets import QVideoWidget  # noqa: E402
from PySide6.QtUiTools import QUiLoader  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QStatusBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid as _is_valid  # noqa: E402


def is_alive(obj: QObject) -> bool:
    """False once the C++ side of ``obj`` was deleted (a closed dialog, deleteLater)."""
    return bool(_is_valid(obj))


__all__ = [
    "QAbstractButton",
    "QAbstractItemView",
    "QAbstractTableModel",
    "QAction",
    "QApplication",
    "QCamera",
    "QCheckBox",
    "QCloseEvent",
    "QColor",
    "QComboBox",
    "QCoreApplication",
    "QDate",
    "QDateTime",
    "QDateTimeEdit",
    "QDialog",
    "QDialogButtonBox",
    "QDockWidget",
    "QElapsedTimer",
    "QEvent",
    "QFont",
    "QFormLayout",
    "QFrame",
    "QGridLayout",
    "QGroupBox",
    "QGuiApplication",
    "QHBoxLayout",
    "QHeaderView",
    "QImage",
    "QKeyEvent",
    "QKeySequence",
    "QLabel",
    "QLibraryInfo",
    "QLineEdit",
    "QListWidget",
    "QListWidgetItem",
    "QLocale",
    "QMainWindow",
    "QMediaCaptureSession",
    "QMediaDevices",
    "QMediaPlayer",
    "QMessageBox",
    "QModelIndex",
    "QObject",
    "QPalette",
    "QPersistentModelIndex",
    "QPixmap",
    "QPlainTextEdit",
    "QPushButton",
    "QRect",
    "QRunnable",
    "QScrollArea",
    "QShortcut",
    "QSize",
    "QSizePolicy",
    "QSpinBox",
    "QStatusBar",
    "QTableView",
    "QThread",
    "QThreadPool",
    "QTime",
    "QTimer",
    "QTranslator",
    "QUiLoader",
    "QUrl",
    "QVBoxLayout",
    "QVideoFrame",
    "QVideoSink",
    "QVideoWidget",
    "QWidget",
    "Qt",
    "Signal",
    "Slot",
    "is_alive",
]

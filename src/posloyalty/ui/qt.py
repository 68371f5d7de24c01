"""The single import point for Qt. Every other module imports Qt names from here.

Keeping Qt behind one module (as qutebrowser's ``qutebrowser/qt`` and Anki's ``aqt/qt`` do) lets
``scripts/check_layers.py`` prove that nothing below ``ui/`` touches Qt, and gives one place to
adapt to a Qt binding change.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QDateTime,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QThread,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QFont, QKeyEvent, QKeySequence, QPixmap, QShortcut
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QStatusBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

__all__ = [
    "QAbstractItemView",
    "QAbstractTableModel",
    "QAction",
    "QApplication",
    "QCheckBox",
    "QComboBox",
    "QDateTime",
    "QDateTimeEdit",
    "QEvent",
    "QFont",
    "QFormLayout",
    "QGridLayout",
    "QGroupBox",
    "QHBoxLayout",
    "QHeaderView",
    "QKeyEvent",
    "QKeySequence",
    "QLabel",
    "QLineEdit",
    "QListWidget",
    "QMainWindow",
    "QMessageBox",
    "QModelIndex",
    "QObject",
    "QPersistentModelIndex",
    "QPixmap",
    "QPushButton",
    "QShortcut",
    "QSize",
    "QSpinBox",
    "QStatusBar",
    "QTableView",
    "QThread",
    "QTimer",
    "QUiLoader",
    "QVBoxLayout",
    "QWidget",
    "Qt",
    "Signal",
    "Slot",
]

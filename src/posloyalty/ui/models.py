"""Table models the windows display. They format; they decide nothing."""

from __future__ import annotations

from collections.abc import Sequence

from posloyalty.domain.money import format_yuan
from posloyalty.domain.pricing import BasketLine, LineQuote
from posloyalty.ui.qt import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

AnyIndex = QModelIndex | QPersistentModelIndex


class BasketLinesModel(QAbstractTableModel):
    """Basket lines with their quoted net amounts and points."""

    HEADERS = ("SKU", "Qty", "Unit price", "Special", "Category", "Discounts", "Net", "Points")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lines: tuple[BasketLine, ...] = ()
        self._quoted: tuple[LineQuote, ...] = ()

    def show(self, lines: Sequence[BasketLine], quoted: Sequence[LineQuote]) -> None:
        self.beginResetModel()
        self._lines = tuple(lines)
        self._quoted = tuple(quoted) if len(quoted) == len(lines) else ()
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._lines):
            return str(section + 1)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        line = self._lines[index.row()]
        quoted = self._quoted[index.row()] if self._quoted else None
        col = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (1, 2, 5, 6, 7):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == 0:
            return line.sku
        if col == 1:
            return str(line.qty)
        if col == 2:
            return format_yuan(line.unit_price)
        if col == 3:
            return "✓" if line.special_price else ""
        if col == 4:
            return line.category
        if quoted is None:
            return ""
        if col == 5:
            return format_yuan(sum(quoted.discounts.values()))
        if col == 6:
            return format_yuan(quoted.net)
        if col == 7:
            return str(quoted.points)
        return None

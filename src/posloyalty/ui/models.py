"""Table models the windows display. They format; they decide nothing."""

from __future__ import annotations

from collections.abc import Sequence

from posloyalty.domain.finalise import SoldLine
from posloyalty.domain.money import format_yuan, yuan
from posloyalty.domain.pricing import BasketLine, LineQuote
from posloyalty.terminal.counter import CartRow
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


class CartModel(QAbstractTableModel):
    """The cart of the counter view: item, quantity, unit price, discounts, net, points."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[CartRow, ...] = ()

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Item"),
            self.tr("Qty"),
            self.tr("Price"),
            self.tr("Discount"),
            self.tr("Net"),
            self.tr("Points"),
        )

    def show(self, rows: Sequence[CartRow]) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 6

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < 6:
            return self.headers()[section]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            return str(section + 1)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col == 0:
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            return f"{row.line.sku} · {row.line.category}"
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        line, quoted = row.line, row.quoted
        if col == 0:
            return line.name
        if col == 1:
            return str(line.qty)
        if col == 2:
            return yuan(line.unit_price)
        if quoted is None:
            return ""
        if col == 3:
            off = sum(v for k, v in quoted.discounts.items() if k != "points")
            return f"-{yuan(off)}" if off else ""
        if col == 4:
            return yuan(quoted.net + quoted.points_value)
        if col == 5:
            return str(quoted.points)
        return None


class PaymentsModel(QAbstractTableModel):
    """Payments taken so far: method, amount applied, tendered (cash)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: tuple[tuple[str, int, int], ...] = ()
        self.method_names: dict[str, str] = {}

    def show(self, rows: Sequence[tuple[str, int, int]]) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        names = (self.tr("Method"), self.tr("Amount"), self.tr("Tendered"))
        return names[section] if 0 <= section < 3 else None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        method, amount, tendered = self._rows[index.row()]
        col = index.column()
        if col == 0:
            return self.method_names.get(method, method)
        if col == 1:
            return yuan(amount)
        if col == 2:
            return yuan(tendered)
        return None


class ReturnLinesModel(QAbstractTableModel):
    """Lines of the original sale; the quantity to return is editable (0..left)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lines: tuple[SoldLine, ...] = ()
        self._qty: list[int] = []

    def show(self, lines: Sequence[SoldLine]) -> None:
        self.beginResetModel()
        self._lines = tuple(lines)
        self._qty = [ln.left for ln in self._lines]
        self.endResetModel()

    def wanted(self) -> dict[int, int]:
        return {ln.index: q for ln, q in zip(self._lines, self._qty, strict=True) if q > 0}

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 4

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        names = (self.tr("Item"), self.tr("Sold"), self.tr("Still returnable"), self.tr("Return"))
        return names[section] if 0 <= section < 4 else None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == 3:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        line = self._lines[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == 0:
                return line.name
            if col == 1:
                return str(line.sold) if role == Qt.ItemDataRole.DisplayRole else line.sold
            if col == 2:
                return str(line.left) if role == Qt.ItemDataRole.DisplayRole else line.left
            if col == 3:
                qty = self._qty[index.row()]
                return str(qty) if role == Qt.ItemDataRole.DisplayRole else qty
        return None

    def setData(self, index: AnyIndex, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != 3 or role != Qt.ItemDataRole.EditRole:
            return False
        try:
            qty = int(str(value))
        except ValueError:
            return False
        line = self._lines[index.row()]
        if not 0 <= qty <= line.left:
            return False
        self._qty[index.row()] = qty
        self.dataChanged.emit(index, index)
        return True

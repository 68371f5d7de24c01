"""What a dialog may use of the cashier window: a protocol, so dialogs.py needs no import of
cashier_window.py (which opens the dialogs). :class:`CashierWindow` is the one implementation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from posloyalty.devices.receipt import ReceiptDoc
from posloyalty.terminal.checkout import Receipt
from posloyalty.terminal.counter import Counter, CounterView
from posloyalty.terminal.status import SyncSource, SyncStatus
from posloyalty.ui.qt import QDialog, QObject, QWidget
from posloyalty.ui.scaling import Metrics
from posloyalty.ui.workers import OpRunner

__all__ = ["CashierHost"]


class CashierHost(Protocol):
    """The cashier window as its dialogs see it (see :class:`CashierWindow` for each member)."""

    #: Replaced by the settings dialog once the till is enrolled (a counter for the new store).
    counter: Counter
    hq_url: str | None
    #: A sync worker the window started (after an enrolment) and stops on close.
    own_sync_worker: SyncSource | None

    @property
    def view(self) -> CounterView: ...
    @property
    def metrics(self) -> Metrics: ...
    @property
    def printer(self) -> object: ...
    @property
    def printer_name(self) -> str: ...
    @property
    def status_ops(self) -> OpRunner: ...
    @property
    def sync_status(self) -> SyncStatus | None: ...
    @property
    def sync_worker(self) -> SyncSource | None: ...
    @property
    def new_member_codes(self) -> set[str]: ...
    @property
    def last_receipt(self) -> Receipt | None: ...

    def window(self) -> QWidget:
        """The window itself (Qt's top-level widget): its dialogs' parent."""
        ...

    def submit(
        self,
        fn: Callable[[], Any],
        then: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        *,
        owner: QObject | None = None,
        writes: bool = False,
    ) -> None: ...
    def commit(
        self,
        on_done: Callable[[Receipt], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        *,
        owner: QObject | None = None,
    ) -> None: ...
    def set_line_qty(
        self,
        qty: int,
        index: int | None = None,
        then: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None: ...
    def show_message(self, text: str, *, error: bool = False) -> None: ...
    def show_receipt(self) -> None: ...
    def refresh_status(self) -> None: ...
    def paint(self, view: CounterView) -> None: ...
    def attach_sync(self, worker: SyncSource) -> None: ...
    def retranslate(self) -> None: ...
    def _open(self, dialog: QDialog) -> None: ...
    def _receipt_doc(self, receipt: Receipt) -> ReceiptDoc: ...

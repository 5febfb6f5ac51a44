"""The manager's window: 顧客一覧, 要確認, 日報・月次締め, 操作ログ, 同期の状態 as tabs."""
from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from ui.texts import texts

from .audit import AuditLogWindow
from .conflicts import ConflictsWidget
from .customers import CustomersWindow
from .reports import ReportsWindow
from .runner import Runner


class SyncHealthPanel(QWidget):
    """同期の状態: queue, last success, errors. Fed by `set_state(SyncState)` (sync.api's worker
    listener, bridged to the GUI thread by the main window); a placeholder until then."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.online = QLabel(self.tr("Not connected to HQ yet"))
        self.queue = QLabel("—")
        self.last = QLabel("—")
        self.error = QLabel("—")
        self.error.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(self.tr("Status"), self.online)
        form.addRow(self.tr("Unsent"), self.queue)
        form.addRow(self.tr("Last sync"), self.last)
        form.addRow(self.tr("Last error"), self.error)

    def set_state(self, st) -> None:
        self.online.setText(self.tr("Online") if getattr(st, "online", False) else self.tr("Offline"))
        self.queue.setText(f"{getattr(st, 'queue', 0):,}")
        self.last.setText(str(getattr(st, "last_sync", None) or "—"))
        raw = str(getattr(st, "last_error", None) or "—")
        code = getattr(st, "error_code", None)
        # the cause in the manager's language when the engine gave a code; the English detail
        # (time and message, as logged) stays one hover away
        self.error.setText(texts().error(SimpleNamespace(code=code)) if code else raw)
        self.error.setToolTip(raw if code else "")


class ManagerWindow(QWidget):
    open_conflicts_changed = Signal(int)

    def __init__(self, store, actor, parent=None, *, executor=None, inline: bool = False):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Store manager"))
        self.setObjectName("manager-window")
        self.resize(1200, 800)
        self.store, self.actor = store, actor
        self.runner = Runner(self, executor=executor, inline=inline)
        self.tabs = QTabWidget()
        self.customers = CustomersWindow(store, actor, self.runner, self)
        self.conflicts = ConflictsWidget(store, actor, self.runner, self)
        self.reports = ReportsWindow(store, actor, self.runner, self)
        self.audit = AuditLogWindow(store, actor, self.runner, self)
        self.sync = SyncHealthPanel(self)
        self.tabs.addTab(self.customers, self.tr("Customer list"))
        self._conflicts_tab = self.tabs.addTab(self.conflicts, self.tr("Needs review"))
        self.tabs.addTab(self.reports, self.tr("Reports"))
        self.tabs.addTab(self.audit, self.tr("Audit log"))
        self.tabs.addTab(self.sync, self.tr("Sync status"))
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs)
        self.conflicts.open_count_changed.connect(self._conflicts_count)
        self.conflicts.open_count_changed.connect(self.open_conflicts_changed.emit)

    def _conflicts_count(self, n: int) -> None:
        self.tabs.setTabText(self._conflicts_tab, self.tr("Needs review (%1)").replace("%1", str(n)) if n
                             else self.tr("Needs review"))

    def closeEvent(self, event) -> None:
        self.runner.shutdown()
        super().closeEvent(event)

"""要確認: what sync could not settle alone, with both sides' details and the actions that make
sense — acknowledge, adjust (opens the adjustment dialog), contact the customer."""
from __future__ import annotations

import json

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QInputDialog, QLabel, QPlainTextEdit, QPushButton, QTableView,
                               QVBoxLayout, QWidget)

from .customers import AdjustDialog, error_text, zone_of
from .models import ConflictsModel



def conflict_kind_names(w) -> dict:
    return {"overdraft": QCoreApplication.translate("Manager", "Overdraft booked by HQ"),
            "card_migrated_elsewhere": QCoreApplication.translate("Manager", "Paper card migrated at another store first"),
            "migration_lost": QCoreApplication.translate("Manager", "Paper card migrated at another store first"),
            "coupon_used_twice": QCoreApplication.translate("Manager", "Coupon already used at another store"),
            "rejected_event": QCoreApplication.translate("Manager", "Rejected by HQ"),
            "unknown_member": QCoreApplication.translate("Manager", "Unknown member"),
            "merged": QCoreApplication.translate("Manager", "Member merged by HQ")}


class ConflictsWidget(QWidget):
    open_count_changed = Signal(int)

    def __init__(self, store, actor, runner, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.runner = store, actor, runner
        self.model = ConflictsModel(self, zone_of(store), conflict_kind_names(self))
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.show_closed = QCheckBox(self.tr("Show items already dealt with"))
        self.details = QPlainTextEdit(readOnly=True)
        self.details.setMaximumHeight(140)
        self.ack_btn = QPushButton(self.tr("Acknowledge"))
        self.adjust_btn = QPushButton(self.tr("Adjust points…"))
        self.contact_btn = QPushButton(self.tr("Customer contacted"))
        self.status = QLabel()
        bar = QHBoxLayout()
        for w in (self.ack_btn, self.adjust_btn, self.contact_btn):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.show_closed)
        lay = QVBoxLayout(self)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.details)
        lay.addLayout(bar)
        lay.addWidget(self.status)
        self.view.selectionModel().currentRowChanged.connect(lambda cur, _: self._show_row(cur.row()))
        self.ack_btn.clicked.connect(lambda: self.acknowledge("acknowledged"))
        self.contact_btn.clicked.connect(lambda: self.acknowledge("contacted"))
        self.adjust_btn.clicked.connect(self.adjust)
        self.show_closed.toggled.connect(lambda _: self.reload())
        self._show_row(-1)
        self.reload()

    def reload(self) -> None:
        include = self.show_closed.isChecked()
        self.runner.run(self.store.conflicts.list, include_closed=include, on_ok=self._loaded,
                        on_error=lambda e: self.status.setText(error_text(self, e)))
        self.runner.run(self.store.conflicts.open_count, on_ok=self.open_count_changed.emit)

    def _loaded(self, rows) -> None:
        self.model.set_rows(rows)
        self.view.resizeColumnsToContents()
        details = self.model.column_index("details")
        self.view.setColumnWidth(details, min(self.view.columnWidth(details), 420))
        self._show_row(-1)

    def current(self):
        idx = self.view.selectionModel().currentIndex()
        return self.model.row_at(idx.row()) if idx.isValid() else None

    def _show_row(self, row: int) -> None:
        c = self.model.row_at(row)
        is_open = c is not None and c.status == "open"
        for b in (self.ack_btn, self.contact_btn):
            b.setEnabled(is_open)
        self.adjust_btn.setEnabled(is_open and bool(c.member_id))
        self.details.setPlainText("" if c is None else json.dumps(c.details, ensure_ascii=False, indent=1))

    def acknowledge(self, action: str = "acknowledged", note: str | None = None, entry_id: str | None = None) -> None:
        c = self.current()
        if c is None:
            return
        self.runner.run(self.store.conflicts.acknowledge, self.actor, c.id, action=action, note=note,
                        entry_id=entry_id, on_ok=lambda _: (self.status.setText(self.tr("Done.")), self.reload()),
                        on_error=lambda e: self.status.setText(error_text(self, e)))

    def adjust(self) -> AdjustDialog | None:
        c = self.current()
        if c is None or not c.member_id:
            return None
        dlg = AdjustDialog(self.store, self.actor, self.runner, c.member_id, self)
        dlg.done_adjusting.connect(lambda res: self.acknowledge("adjusted", entry_id=res.entry_id))
        dlg.show()
        return dlg

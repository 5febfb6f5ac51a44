"""操作ログ: the audit log with filters (who, what, when)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QTableView, QVBoxLayout, QWidget)

from app.clock import iso

from .customers import error_text, zone_of
from .models import AuditModel

ACTIONS = ("ledger.", "ledger.adjust", "ledger.void", "member.", "customers.export", "conflict.", "report.",
           "staff.", "settings.")


class AuditLogWindow(QWidget):
    def __init__(self, store, actor, runner, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.runner = store, actor, runner
        self.zone = zone_of(store)
        self.model = AuditModel(self, self.zone)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.verticalHeader().setVisible(False)
        self.staff = QLineEdit(placeholderText=self.tr("Staff number"))
        self.staff.setMaximumWidth(120)
        self.action = QComboBox()
        self.action.setEditable(True)
        self.action.addItem(self.tr("All actions"), "")
        names = {"ledger.": self.tr("Points (all)"), "ledger.adjust": self.tr("Point adjustments"),
                 "ledger.void": self.tr("Voids"), "member.": self.tr("Members"),
                 "customers.export": self.tr("Customer list exports"), "conflict.": self.tr("Needs review"),
                 "report.": self.tr("Reports"), "staff.": self.tr("Staff"), "settings.": self.tr("Settings")}
        for a in ACTIONS:
            self.action.addItem(names.get(a, a), a)
        self.use_dates = QCheckBox(self.tr("Between"))
        self.since = QDateEdit(calendarPopup=True)
        self.until = QDateEdit(calendarPopup=True)
        for w in (self.since, self.until):
            w.setDisplayFormat("yyyy/MM/dd")
        self.since.setDate(QDate.currentDate().addDays(-7))
        self.until.setDate(QDate.currentDate())
        self.search_btn = QPushButton(self.tr("Search"))
        self.status = QLabel()
        bar = QHBoxLayout()
        for w in (self.staff, self.action, self.use_dates, self.since, self.until, self.search_btn):
            bar.addWidget(w)
        bar.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.status)
        self.search_btn.clicked.connect(self.reload)
        self.reload()

    def filters(self) -> dict:
        q = {"limit": 1000}
        staff = self.staff.text().strip()
        if staff.isdigit():
            q["staff_id"] = int(staff)
        action = self.action.currentData() if self.action.currentText() == self.action.itemText(
            self.action.currentIndex()) else self.action.currentText()
        if action:
            q["action"] = action.strip()
        if self.use_dates.isChecked():
            zone = self.zone
            q["since"] = iso(datetime.combine(self.since.date().toPython(), time(0), tzinfo=zone))
            q["until"] = iso(datetime.combine(self.until.date().toPython() + timedelta(days=1), time(0), tzinfo=zone))
        return q

    def reload(self) -> None:
        self.runner.run(self.store.audit.entries, **self.filters(),
                        on_ok=lambda rows: (self.model.set_rows(rows),
                                            self.status.setText(self.tr("%1 entries").replace("%1", f"{len(rows):,}"))),
                        on_error=lambda e: self.status.setText(error_text(self, e)))

"""日報・月次締め: the list of generated reports, a PDF viewer (QtPdf), printing, generating on demand."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (QComboBox, QDateEdit, QHBoxLayout, QLabel, QPushButton, QSplitter, QTableView,
                               QVBoxLayout, QWidget)

from .customers import error_text, zone_of
from .models import ReportsModel
from .pdf import daily_pdf, monthly_pdf


class ReportsWindow(QWidget):
    generated = Signal(object)

    def __init__(self, store, actor, runner, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.runner = store, actor, runner
        self.model = ReportsModel(self, zone_of(store))
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.verticalHeader().setVisible(False)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.doc = QPdfDocument(self)
        self.pdf = QPdfView(self)
        self.pdf.setDocument(self.doc)
        self.pdf.setPageMode(QPdfView.PageMode.MultiPage)
        self.pdf.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.day = QDateEdit(calendarPopup=True)
        self.day.setDisplayFormat("yyyy/MM/dd")
        self.day.setDate(QDate.currentDate().addDays(-1))
        self.kind = QComboBox()
        self.kind.addItem(self.tr("Daily report"), "daily")
        self.kind.addItem(self.tr("Month-end report"), "monthly")
        self.gen_btn = QPushButton(self.tr("Create"))
        self.print_btn = QPushButton(self.tr("Print…"))
        self.status = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(self.kind)
        bar.addWidget(self.day)
        bar.addWidget(self.gen_btn)
        bar.addStretch(1)
        bar.addWidget(self.print_btn)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.view)
        split.addWidget(self.pdf)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(split, 1)
        lay.addWidget(self.status)
        self.view.selectionModel().currentRowChanged.connect(lambda cur, _: self.show_report(cur.row()))
        self.gen_btn.clicked.connect(self.generate)
        self.print_btn.clicked.connect(self.print_current)
        self.reload()

    def reload(self) -> None:
        self.runner.run(self.store.reports.list, self.actor, on_ok=self.model.set_rows,
                        on_error=lambda e: self.status.setText(error_text(self, e)))

    def show_report(self, row: int) -> None:
        r = self.model.row_at(row)
        if r is None or not r.pdf_path:
            self.doc.close()
            return
        self.doc.load(r.pdf_path)

    def generate(self) -> None:
        day = self.day.date().toPython()
        if self.kind.currentData() == "daily":
            fn, args, render = self.store.reports.generate_daily, (self.actor, day), daily_pdf
        else:
            fn, args, render = self.store.reports.generate_monthly, (self.actor, day.strftime("%Y-%m")), monthly_pdf
        self.status.setText(self.tr("Creating…"))

        def ok(row):
            self.status.setText(self.tr("Created."))
            self.generated.emit(row)
            self.reload()

        self.runner.run(fn, *args, render_pdf=render, on_ok=ok, on_error=lambda e: self.status.setText(error_text(self, e)))

    def print_current(self) -> None:
        """Print the open PDF: each page rendered by QtPdf onto the chosen printer."""
        if self.doc.pageCount() <= 0:
            return
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter
        from PySide6.QtGui import QPainter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() != QPrintDialog.DialogCode.Accepted:
            return
        painter = QPainter(printer)
        try:
            for i in range(self.doc.pageCount()):
                if i:
                    printer.newPage()
                rect = painter.viewport()
                img = self.doc.render(i, rect.size())
                painter.drawImage(rect, img)
        finally:
            painter.end()


def catch_up_reports(store, runner, on_done=None) -> None:
    """At start (after sign-in): generate every missed daily report and month-end, off the GUI thread."""
    runner.run(store.reports.catch_up, render_pdf=daily_pdf, render_monthly_pdf=monthly_pdf,
               on_ok=on_done, on_error=lambda e: None)

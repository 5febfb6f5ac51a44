"""One exception hook for the whole app: the error is logged (scrubbed), a dialog shows a report
the cashier can copy for support, and the counter keeps running.

    from ui import crash
    crash.install("Tsumugi", log_dir)      # after QApplication exists; log_dir None = the user log folder

Covers sys.excepthook (the GUI thread, including exceptions raised in Qt slots and event
handlers, which PySide6 routes there) and threading.excepthook (worker threads). A report from a
worker is shown on the GUI thread. One dialog at a time: later reports are added to the open one,
so an error repeating in a paint event cannot flood the screen with windows.

Testable without blocking: the dialog is non-modal and returned by `CrashHandler.handle`, and
``show=`` replaces it entirely (a function taking the report text).
"""
from __future__ import annotations

import logging
import sys
import threading
from typing import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton, \
    QVBoxLayout

from app.logs import APP_NAME, crash_report, log_file, setup_logging

log = logging.getLogger("tsumugi.crash")


class CrashDialog(QDialog):
    """Non-modal: 'Something went wrong' + the report (read-only, selectable) + Copy / Close."""

    def __init__(self, report: str, parent=None):
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle(self.tr("Tsumugi: an error occurred"))
        self.setModal(False)
        self.count = 1
        layout = QVBoxLayout(self)
        self.message = QLabel(self.tr("Something went wrong, but the counter keeps running. If it happens "
                                      "again, copy this report and send it to support."))
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.text = QPlainTextEdit(report)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setMinimumSize(560, 260)
        layout.addWidget(self.text)
        self.copied = QLabel("")
        layout.addWidget(self.copied)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton(self.tr("Copy report"))
        self.copy_button.setDefault(True)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setText(self.tr("Close"))
        layout.addWidget(buttons)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)

    @property
    def report(self) -> str:
        return self.text.toPlainText()

    def add(self, report: str) -> None:
        """Another error while this dialog is open: append it."""
        self.count += 1
        self.text.appendPlainText("\n" + "-" * 60 + "\n" + report)
        self.setWindowTitle(self.tr("Tsumugi: %n error(s) occurred", "", self.count))

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.report)
        self.copied.setText(self.tr("Copied. Paste it into an e-mail or chat to support."))


class CrashHandler(QObject):
    """Lives on the GUI thread; `handle` may be called from any thread."""

    _report = Signal(str)

    def __init__(self, app_name: str = APP_NAME, *, show: Callable[[str], object] | None = None,
                 version: str | None = None, parent=None):
        super().__init__(parent)
        self.app_name = app_name
        self.version = version
        self._show = show
        self.dialog: CrashDialog | None = None
        self.reports: list[str] = []
        self._busy = threading.local()
        self._previous = (sys.excepthook, threading.excepthook)
        self._report.connect(self._present, Qt.ConnectionType.QueuedConnection)

    # -- hooks ----------------------------------------------------------------------------------
    def excepthook(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            return sys.__excepthook__(exc_type, exc, tb)
        self.handle((exc_type, exc, tb))

    def thread_excepthook(self, args) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else None
        self.handle((args.exc_type, args.exc_value, args.exc_traceback), thread=name)

    def handle(self, exc_info, thread: str | None = None):
        """Log, build the report, and show it (now on the GUI thread, else queued to it).
        Returns what was shown (the dialog, or `show`'s result) when on the GUI thread."""
        if getattr(self._busy, "on", False):  # an error while handling an error: log only
            sys.__excepthook__(*exc_info)
            return None
        self._busy.on = True
        try:
            try:
                log.critical("Unhandled exception%s", f" in thread {thread}" if thread else "", exc_info=exc_info)
            except Exception:
                pass
            report = crash_report(exc_info, app_name=self.app_name, version=self.version, thread=thread)
            self.reports.append(report)
            app = QApplication.instance()
            if app is None:  # before the app exists, or after it closed: stderr is all there is
                sys.stderr.write(report + "\n")
                return None
            if threading.current_thread() is threading.main_thread():
                return self._present(report)
            self._report.emit(report)
            return None
        finally:
            self._busy.on = False

    @Slot(str)
    def _present(self, report: str):
        try:
            if self._show is not None:
                return self._show(report)
            if self.dialog is not None and self.dialog.isVisible():
                self.dialog.add(report)
                return self.dialog
            parent = QApplication.activeWindow()
            self.dialog = CrashDialog(report, parent)
            self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
            self.dialog.show()
            self.dialog.raise_()
            return self.dialog
        except Exception:  # showing the report must never take the app down
            log.exception("could not show the crash report")
            return None

    def uninstall(self) -> None:
        if sys.excepthook == self.excepthook:
            sys.excepthook = self._previous[0]
        if threading.excepthook == self.thread_excepthook:
            threading.excepthook = self._previous[1]


_installed: CrashHandler | None = None


def install(app_name: str = APP_NAME, log_dir=None, *, show: Callable[[str], object] | None = None,
            version: str | None = None, level: int = logging.INFO) -> CrashHandler:
    """Set sys.excepthook and threading.excepthook. Sets up logging (app.logs.setup_logging) in
    ``log_dir`` unless it is already set up and no folder is given. Call again to reinstall."""
    global _installed
    if log_dir is not None or log_file() is None:
        setup_logging(log_dir, level=level, app_name=app_name)
    if _installed is not None:
        _installed.uninstall()
    handler = CrashHandler(app_name, show=show, version=version)
    app = QApplication.instance()
    if app is not None:
        handler.setParent(app)  # lives as long as the app, on the GUI thread
    sys.excepthook = handler.excepthook
    threading.excepthook = handler.thread_excepthook
    _installed = handler
    return handler


def uninstall() -> None:
    global _installed
    if _installed is not None:
        _installed.uninstall()
        _installed = None

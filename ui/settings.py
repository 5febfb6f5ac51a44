"""Settings (store manager only): store-wide values go to the database (store.update_settings);
device-local ones (scanner, camera, printer, sound) to this PC's settings.json."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.texts import texts


def _escape(s: str) -> str:
    return s.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")


def _unescape(s: str) -> str:
    return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t")


def enroll_error_text(w, exc) -> str:
    """Enrollment failures in words a store manager can act on."""
    code = getattr(exc, "code", None)
    if code == "no_keyring":
        return w.tr("This computer has no OS keyring, so the HQ credential cannot be kept safely. "
                    "Install or unlock a keyring (GNOME Keyring, Windows Credential Locker, macOS Keychain) "
                    "and try again. Nothing was sent.")
    if code == "refused":
        status = getattr(exc, "status", None)
        if status in (400, 401, 403, 404, 409, 410, 422):
            return w.tr("HQ refused the code: it is wrong, already used or expired. Ask HQ for a new "
                        "one-time code.")
        return w.tr("HQ refused the connection (%1).").replace("%1", str(getattr(exc, "error", status)))
    if code == "bad_reply":
        return w.tr("Something answered at this address, but not as HQ does. Check the address, then try again.")
    if code in ("offline", "rate_limited"):
        return w.tr("HQ could not be reached at this address. Check the address and the network, then try "
                    "again. The counter keeps working offline.")
    if code == "not_enrolled":
        return w.tr("This store is not set up yet.")
    if isinstance(exc, ValueError):
        return w.tr("This is not an HQ address. Use https://… (plain http only to this computer).")
    return texts().error(exc)


class SettingsDialog(QDialog):
    saved = Signal(dict)  # the store-wide values saved
    enrolled = Signal(dict)  # connected to HQ: {"store_id", "hq_url", ...}

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(640)
        st = ctx.store.settings()
        cfg = ctx.config
        lay = QVBoxLayout(self)
        tabs = QTabWidget()
        lay.addWidget(tabs)

        store_tab = QWidget()
        f = QFormLayout(store_tab)
        self.store_id = QLineEdit(st.get("store_id") or "")
        self.store_id.setReadOnly(True)
        self.terminal = QLineEdit(st.get("terminal_id") or "T01")
        self.void_window = QSpinBox()
        self.void_window.setRange(0, 24 * 60)
        self.void_window.setValue(int(st.get("void_window_minutes") or 0))
        self.void_window.setSuffix(self.tr(" min"))
        self.idle = QSpinBox()
        self.idle.setRange(1, 240)
        self.idle.setValue(int(st.get("idle_signout_minutes") or 10))
        self.idle.setSuffix(self.tr(" min"))
        self.language = QComboBox()
        self.language.addItem("日本語", "ja")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(0 if (st.get("language") or "ja") == "ja" else 1)
        f.addRow(self.tr("Store id"), self.store_id)
        f.addRow(self.tr("Terminal"), self.terminal)
        f.addRow(self.tr("Void window"), self.void_window)
        f.addRow(self.tr("Idle sign-out after"), self.idle)
        f.addRow(self.tr("Language"), self.language)
        tabs.addTab(store_tab, self.tr("Store"))

        scan_tab = QWidget()
        f = QFormLayout(scan_tab)
        self.wedge_ms = QSpinBox()
        self.wedge_ms.setRange(5, 200)
        self.wedge_ms.setValue(cfg.wedge_max_interval_ms)
        self.wedge_ms.setSuffix(" ms")
        self.wedge_len = QSpinBox()
        self.wedge_len.setRange(1, 64)
        self.wedge_len.setValue(cfg.wedge_min_length)
        self.prefix = QLineEdit(_escape(cfg.wedge_prefix))
        self.suffix = QLineEdit(_escape(cfg.wedge_suffix))
        self.serial = QLineEdit(cfg.serial_port)
        self.serial.setPlaceholderText(self.tr("e.g. /dev/ttyACM0 or COM3 (empty: none)"))
        self.sound = QCheckBox(self.tr("Sound on a good and a refused scan"))
        self.sound.setChecked(cfg.sound)
        f.addRow(self.tr("Max. time between scanner keys"), self.wedge_ms)
        f.addRow(self.tr("Shortest scan"), self.wedge_len)
        f.addRow(self.tr("Scanner prefix"), self.prefix)
        f.addRow(self.tr("Scanner suffix"), self.suffix)
        f.addRow(self.tr("Serial scanner port"), self.serial)
        f.addRow("", self.sound)
        tabs.addTab(scan_tab, self.tr("Scanner"))

        dev_tab = QWidget()
        f = QFormLayout(dev_tab)
        self.camera = QLineEdit(cfg.camera)
        self.camera.setPlaceholderText(self.tr("0 = first webcam; or a video file / image folder; empty = off"))
        self.printer = QLineEdit(cfg.printer)
        self.printer.setPlaceholderText(self.tr("e.g. network:192.168.1.50 or file:/tmp/slip.bin"))
        f.addRow(self.tr("Camera"), self.camera)
        f.addRow(self.tr("Printer"), self.printer)
        tabs.addTab(dev_tab, self.tr("Camera and printer"))

        hq_tab = QWidget()
        f = QFormLayout(hq_tab)
        self.hq_state = QLabel()
        self.hq_state.setWordWrap(True)
        self.hq_url = QLineEdit(st.get("sync.hq_url") or "")
        self.hq_url.setPlaceholderText("https://hq.example.jp")
        self.hq_code = QLineEdit()
        self.hq_code.setPlaceholderText(self.tr("from HQ (python -m hq stores add)"))
        self.enroll_button = QPushButton(self.tr("Connect to HQ"))
        self.enroll_button.clicked.connect(self.enroll)
        self.enroll_message = QLabel("")
        self.enroll_message.setObjectName("dialogMessage")
        self.enroll_message.setWordWrap(True)
        f.addRow(self.tr("Status"), self.hq_state)
        f.addRow(self.tr("HQ address"), self.hq_url)
        f.addRow(self.tr("One-time code"), self.hq_code)
        f.addRow("", self.enroll_button)
        f.addRow("", self.enroll_message)
        self._show_hq_state(st.get("sync.hq_url"))
        tabs.addTab(hq_tab, self.tr("HQ"))
        self.tabs = tabs
        self.hq_tab = hq_tab

        self.message = QLabel("")
        self.message.setObjectName("dialogMessage")
        lay.addWidget(self.message)
        row = QHBoxLayout()
        cancel = QPushButton(self.tr("Back (Esc)"))
        cancel.clicked.connect(self.reject)
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName("confirmButton")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        for b in (cancel, self.save_button):
            b.setMinimumHeight(56)
            row.addWidget(b)
        lay.addLayout(row)

    def _show_hq_state(self, url) -> None:
        self.hq_state.setText(self.tr("Connected to HQ: %1").replace("%1", url) if url
                              else self.tr("Not connected to HQ. The counter works offline."))

    def enroll(self) -> None:
        """HQ address + one-time code → sync.engine.enroll on the network thread."""
        url, code = self.hq_url.text().strip(), self.hq_code.text().strip()
        if not url or not code:
            self.enroll_message.setText(self.tr("Enter HQ's address and the one-time code."))
            return
        from sync.engine import enroll

        self.enroll_button.setEnabled(False)
        self.enroll_message.setText(self.tr("Connecting to HQ…"))
        runner = getattr(self.ctx, "net", None) or self.ctx.executor

        def ok(info):
            self.enroll_button.setEnabled(True)
            self.hq_code.clear()
            self._show_hq_state(info.get("hq_url") or url)
            self.enroll_message.setText(self.tr("Connected. Sync with HQ starts now."))
            self.enrolled.emit(info)

        def err(exc):
            self.enroll_button.setEnabled(True)
            self.enroll_message.setText(enroll_error_text(self, exc))

        runner.submit(enroll, self.ctx.store, url, code, on_ok=ok, on_error=err)

    def store_values(self) -> dict:
        return {"terminal_id": self.terminal.text().strip().upper() or "T01",
                "void_window_minutes": self.void_window.value(),
                "idle_signout_minutes": self.idle.value(),
                "language": self.language.currentData()}

    def save(self):
        cfg = self.ctx.config
        cfg.wedge_max_interval_ms = self.wedge_ms.value()
        cfg.wedge_min_length = self.wedge_len.value()
        cfg.wedge_prefix = _unescape(self.prefix.text())
        cfg.wedge_suffix = _unescape(self.suffix.text()) or "\r"
        cfg.serial_port = self.serial.text().strip()
        cfg.sound = self.sound.isChecked()
        cfg.camera = self.camera.text().strip()
        cfg.printer = self.printer.text().strip()
        cfg.save()
        values = self.store_values()
        self.save_button.setEnabled(False)
        c = self.ctx

        def ok(_):
            self.saved.emit(values)
            self.accept()

        def err(exc):
            self.save_button.setEnabled(True)
            self.message.setText(texts().error(exc))

        c.run(c.store.update_settings, c.actor, on_ok=ok, on_error=err, **values)

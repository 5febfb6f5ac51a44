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


class SettingsDialog(QDialog):
    saved = Signal(dict)  # the store-wide values saved

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

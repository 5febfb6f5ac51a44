"""Staff sign-in: staff number + PIN, with an on-screen numeric keypad."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ui.dialogs import no_ime
from ui.keypad import NumericKeypad
from ui.texts import texts


class SignInScreen(QWidget):
    signed_in = Signal(object)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("signin")
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        box = QFrame()
        box.setObjectName("signinBox")
        box.setMaximumWidth(520)
        lay = QVBoxLayout(box)
        title = QLabel(self.tr("Staff sign-in"))
        title.setObjectName("screenTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(title)
        store = QLabel(self.tr("Store %1 / terminal %2").replace("%1", ctx.store.setting("store_id") or "—").replace(
            "%2", ctx.store.setting("terminal_id") or "—"))
        store.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(store)
        form = QFormLayout()
        self.staff_no = no_ime(QLineEdit())
        self.staff_no.setObjectName("bigField")
        self.staff_no.setValidator(QIntValidator(1, 999999, self))
        self.pin = no_ime(QLineEdit())
        self.pin.setObjectName("bigField")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(8)
        self.pin.setValidator(QIntValidator(0, 99999999, self))
        form.addRow(self.tr("Staff number"), self.staff_no)
        form.addRow(self.tr("PIN"), self.pin)
        lay.addLayout(form)
        self.message = QLabel("")
        self.message.setObjectName("dialogMessage")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        self.keypad = NumericKeypad(None, with_double_zero=False)
        self.keypad.enter.connect(self.next_or_submit)
        lay.addWidget(self.keypad)
        self.button = QPushButton(self.tr("Sign in"))
        self.button.setObjectName("confirmButton")
        self.button.setMinimumHeight(64)
        self.button.clicked.connect(self.submit)
        lay.addWidget(self.button)
        outer.addWidget(box, 2)
        outer.addStretch(1)
        self.staff_no.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self.submit)
        self.busy = False

    def reset(self):
        self.pin.clear()
        self.message.setText("")
        self.staff_no.setFocus()

    def next_or_submit(self):
        if self.staff_no.hasFocus() or not self.staff_no.text():
            self.pin.setFocus()
        else:
            self.submit()

    def submit(self):
        if self.busy:
            return
        staff, pin = self.staff_no.text().strip(), self.pin.text().strip()
        if not staff or not pin:
            self.message.setText(self.tr("Enter your staff number and PIN."))
            return
        self.busy = True
        self.button.setEnabled(False)
        self.message.setText(self.tr("Checking…"))
        self.ctx.run(self.ctx.store.staff.authenticate, int(staff), pin, on_ok=self._ok, on_error=self._failed)

    def _ok(self, actor):
        self.busy = False
        self.button.setEnabled(True)
        self.pin.clear()
        self.message.setText("")
        self.signed_in.emit(actor)

    def _failed(self, exc):
        self.busy = False
        self.button.setEnabled(True)
        self.pin.clear()
        self.pin.setFocus()
        self.message.setText(texts().error(exc))
        if self.ctx.sounds:
            self.ctx.sounds.play("bad")

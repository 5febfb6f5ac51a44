"""New member registration (新規会員登録) and the member's QR shown large."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.ids import new_key
from ui import hooks
from ui.texts import texts


class NewMemberDialog(QDialog):
    registered = Signal(object)  # Registration

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        # the idempotency key, made when the form opens, and the member's id: time-ordered
        # (app/ids.py), so members registered one after another sit side by side in the members
        # indexes of every store and of HQ, and a new store's first sync appends them
        self.member_id = str(new_key())
        self.registration = None
        self.busy = False
        self.setWindowTitle(self.tr("New member registration"))
        self.setObjectName("actionDialog")
        self.setMinimumWidth(620)
        lay = QVBoxLayout(self)
        title = QLabel(self.tr("New member registration"))
        title.setObjectName("dialogTitle")
        lay.addWidget(title)
        self.pages = QStackedWidget()
        lay.addWidget(self.pages)

        form_page = QWidget()
        form = QFormLayout(form_page)
        self.kana = QLineEdit()  # the input method stays ON here: kana is typed with it
        self.kana.setObjectName("bigField")
        self.kana.setPlaceholderText(self.tr("e.g. ヤマダハナコ"))
        self.name = QLineEdit()
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("090-1234-5678")
        self.email = QLineEdit()
        self.consent = QCheckBox(self.tr("Agrees to receive news and offers"))
        form.addRow(self.tr("Name kana (required)"), self.kana)
        form.addRow(self.tr("Name (optional)"), self.name)
        form.addRow(self.tr("Phone number (optional)"), self.phone)
        form.addRow(self.tr("E-mail (optional)"), self.email)
        form.addRow("", self.consent)
        self.pages.addWidget(form_page)

        qr_page = QWidget()
        q = QVBoxLayout(qr_page)
        self.done_label = QLabel("")
        self.done_label.setObjectName("bigText")
        self.done_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_label = QLabel()
        self.qr_label.setObjectName("qr")
        self.qr_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint = QLabel(self.tr("The customer can photograph this code; it is their member card."))
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setWordWrap(True)
        q.addWidget(self.done_label)
        q.addWidget(self.qr_label, 1)
        q.addWidget(hint)
        self.pages.addWidget(qr_page)

        self.message = QLabel("")
        self.message.setObjectName("dialogMessage")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        row = QHBoxLayout()
        self.cancel_button = QPushButton(self.tr("Back (Esc)"))
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.reject)
        self.print_button = QPushButton(self.tr("Print card"))
        self.print_button.clicked.connect(self.print_card)
        self.print_button.hide()
        self.confirm_button = QPushButton(self.tr("Register (Enter)"))
        self.confirm_button.setObjectName("confirmButton")
        self.confirm_button.setDefault(True)
        self.confirm_button.clicked.connect(self.confirm)
        for b in (self.cancel_button, self.print_button, self.confirm_button):
            b.setMinimumHeight(64)
            row.addWidget(b)
        lay.addLayout(row)
        self.kana.setFocus()

    def confirm(self):
        if self.registration is not None:
            self.accept()
            return
        if self.busy:
            return
        self.busy = True
        self.confirm_button.setEnabled(False)
        self.message.setText(self.tr("Registering…"))
        c = self.ctx
        c.run(c.store.members.register, c.actor, self.kana.text(), name=self.name.text() or None,
              phone=self.phone.text() or None, email=self.email.text() or None,
              consent_marketing=self.consent.isChecked(), member_id=self.member_id,
              on_ok=self._ok, on_error=self._failed)

    def _ok(self, reg):
        self.busy = False
        self.registration = reg
        from ui.qr import qr_pixmap  # qrcode and PIL: not needed at start-up

        self.qr_pixmap = qr_pixmap(reg.code, 420)
        self.qr_label.setPixmap(self.qr_pixmap)
        self.done_label.setText(self.tr("Registered. Member no. %1").replace("%1", reg.member.member_no))
        self.pages.setCurrentIndex(1)
        self.message.setText("")
        self.cancel_button.hide()
        can = hooks.can_print("print_member_card") and bool(self.ctx.config.printer)
        self.print_button.show()
        self.print_button.setEnabled(can)
        if not can:
            self.print_button.setToolTip(self.tr("Printing is not set up yet"))
        self.confirm_button.setText(self.tr("Done (Enter)"))
        self.confirm_button.setEnabled(True)
        self.confirm_button.setFocus()
        self.registered.emit(reg)

    def _failed(self, exc):
        self.busy = False
        self.confirm_button.setEnabled(True)
        self.message.setText(texts().error(exc))
        field = getattr(exc, "params", {}).get("field")
        w = {"name_kana": self.kana, "phone": self.phone, "email": self.email}.get(field)
        if w is not None:
            w.setFocus()

    def print_card(self):
        reg = self.registration
        if reg is None:
            return
        def done(error):
            if error is None:
                self.message.setText(self.tr("Sent to the printer."))
            else:
                self.message.setText(texts().printer_failed(getattr(error, "code", type(error).__name__)))

        try:
            hooks.print_member_card(reg.code, member_no=reg.member.member_no, printer=self.ctx.config.printer,
                                    store_name=self.ctx.store.setting("store_id") or "", lang=self.ctx.lang,
                                    on_done=done)
        except Exception as exc:  # a bad printer setting never stops the counter
            done(exc)

    def reject(self):
        if self.busy:
            return
        super().reject()

    def cancel_for_scan(self):
        if not self.busy:
            super().reject() if self.registration is None else self.accept()

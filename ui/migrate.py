"""The counter's paper card wizard (紙カード移行): read the card, what it holds, an optional photo,
link it to a member, confirm. Services only (app.services.migration); DB work on the executor.

    dlg = MigratePaperCardDialog(ctx, parent, member_id=shown_member_id_or_None)
    dlg.applied.connect(...)      # MigrationResult, after the migrate entry is booked
    dlg.open()

A scan from the counter can be forwarded with dlg.scan(text) (card page: the card; link page: the
member code). The idempotency key is made when the wizard opens: a double Enter or a retry books
once. An already migrated card (here, or anywhere HQ has told us) is refused on the first page
with when / where / to whom.
"""
from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.ids import new_key
from app.text import format_phone
from ui.dialogs import CounterDialog
from ui.models import Column, RowTableModel, local_time

PAGES = ("card", "amount", "photo", "link", "confirm", "done")


def grab_photo(spec: str) -> bytes:
    """One JPEG frame from the configured camera source (webcam index, video file or image folder).
    Runs off the GUI thread."""
    import cv2

    from app.scanning.sources import CameraSource, ImageFolderSource, VideoFileSource

    if spec.isdigit():
        src = CameraSource(int(spec))
    elif Path(spec).is_dir():
        src = ImageFolderSource(spec)
    else:
        src = VideoFileSource(spec)
    with src.open_or_raise() as s:
        frame = s.read_latest(timeout_s=3.0)
    if frame is None:
        raise RuntimeError("no frame")
    ok, buf = cv2.imencode(".jpg", frame, [int(cv2.IMWRITE_JPEG_QUALITY), 85])
    if not ok:
        raise RuntimeError("encode failed")
    return buf.tobytes()


class SuggestionModel(RowTableModel):
    """Suggested members for the card: member number, name kana, phone, why."""

    def __init__(self, parent=None):
        super().__init__(parent)
        why = {"phone": self.tr("same phone"), "kana_birthday": self.tr("same kana and birthday")}
        self.columns = [
            Column(self.tr("Member number"), lambda s: s.member.member_no),
            Column(self.tr("Name kana"), lambda s: s.member.name_kana),
            Column(self.tr("Phone number"), lambda s: format_phone(s.member.phone)),
            Column(self.tr("Match"), lambda s: ", ".join(why.get(r, r) for r in s.reasons)),
        ]


class MigratePaperCardDialog(CounterDialog):
    applied = Signal(object)          # MigrationResult
    _photo_ready = Signal(object)     # bytes or an exception (from the camera thread)

    def __init__(self, ctx, parent=None, member_id: str | None = None, *, photo_grabber=None):
        super().__init__(parent)
        self.ctx = ctx
        self.key = new_key()                   # the migration's idempotency key
        self.member_key = str(new_key())       # the new member's id, if one is registered here (time-ordered)
        self.check = None                      # CardCheck
        self.quote = None
        self.photo: bytes | None = None
        self.member = None                     # Member to link
        self.result_value = None
        self.state = "ready"
        spec = getattr(getattr(ctx, "config", None), "camera", "") or ""
        self.photo_grabber = photo_grabber or ((lambda: grab_photo(spec)) if spec else None)
        self._photo_ready.connect(self._photo_done, Qt.ConnectionType.QueuedConnection)

        self.stack = QStackedWidget()
        self.back_button, self.next_button = self.build_frame(
            self.tr("Migrate paper card"), self.stack, go_text=self.tr("Next (Enter)"), min_width=640)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self._build_card()
        self._build_amount()
        self._build_photo()
        self._build_link()
        self._build_confirm()
        self._build_done()
        if member_id:
            ctx.run(ctx.store.members.get, member_id, on_ok=self._preset_member, on_error=lambda e: None)
        self.go("card")

    # -- pages ----------------------------------------------------------------------------------
    def _page(self, name: str) -> QVBoxLayout:
        w = QWidget()
        w.setObjectName(f"migrate_{name}")
        lay = QVBoxLayout(w)
        self.stack.addWidget(w)
        return lay

    def _build_card(self):
        lay = self._page("card")
        lay.addWidget(QLabel(self.tr("Scan the paper card's barcode, or type its number.")))
        self.card_field = QLineEdit()
        self.card_field.setObjectName("bigField")
        self.card_field.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.card_field.returnPressed.connect(self.next)
        lay.addWidget(self.card_field)
        lay.addStretch(1)

    def _build_amount(self):
        lay = self._page("amount")
        self.card_label = QLabel("")
        self.card_label.setObjectName("bigText")
        lay.addWidget(self.card_label)
        lay.addWidget(QLabel(self.tr("What does the card hold?")))
        r = QHBoxLayout()
        self.stamps_radio = QRadioButton(self.tr("Stamps"))
        self.points_radio = QRadioButton(self.tr("Points"))
        self.stamps_radio.setChecked(True)
        group = QButtonGroup(self)
        for b in (self.stamps_radio, self.points_radio):
            group.addButton(b)
            r.addWidget(b)
            b.toggled.connect(self._amount_changed)
        lay.addLayout(r)
        self.amount_field = QLineEdit()
        self.amount_field.setObjectName("bigField")
        self.amount_field.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.amount_field.setValidator(QIntValidator(0, 10_000_000, self))
        self.amount_field.textChanged.connect(self._amount_changed)
        self.amount_field.returnPressed.connect(self.next)
        lay.addWidget(self.amount_field)
        self.quote_label = QLabel("")
        self.quote_label.setObjectName("breakdown")
        self.quote_label.setWordWrap(True)
        lay.addWidget(self.quote_label)
        lay.addStretch(1)

    def _build_photo(self):
        lay = self._page("photo")
        lay.addWidget(QLabel(self.tr("Optional: take a photo of the card as evidence (kept on this PC).")))
        self.photo_button = QPushButton(self.tr("Take photo"))
        self.photo_button.setMinimumHeight(64)
        self.photo_button.clicked.connect(self.take_photo)
        self.photo_button.setEnabled(self.photo_grabber is not None)
        if self.photo_grabber is None:
            self.photo_button.setToolTip(self.tr("No camera is set up on this PC."))
        lay.addWidget(self.photo_button)
        self.photo_label = QLabel(self.tr("No photo."))
        lay.addWidget(self.photo_label)
        lay.addStretch(1)

    def _build_link(self):
        lay = self._page("link")
        lay.addWidget(QLabel(self.tr("Whose card is it? Scan their member code, pick a suggestion, or register a new member.")))
        self.member_field = QLineEdit()
        self.member_field.setPlaceholderText(self.tr("Member code or member number"))
        self.member_field.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.member_field.returnPressed.connect(lambda: self.scan_member(self.member_field.text()))
        lay.addWidget(self.member_field)
        s = QHBoxLayout()
        self.phone_field = QLineEdit()
        self.phone_field.setPlaceholderText(self.tr("Phone number"))
        self.kana_field = QLineEdit()
        self.kana_field.setPlaceholderText(self.tr("Name kana"))
        self.birthday_field = QLineEdit()
        self.birthday_field.setPlaceholderText(self.tr("Birthday (YYYY/MM/DD)"))
        for w in (self.phone_field, self.kana_field, self.birthday_field):
            s.addWidget(w)
        self.suggest_button = QPushButton(self.tr("Suggest"))
        self.suggest_button.clicked.connect(self.suggest)
        s.addWidget(self.suggest_button)
        lay.addLayout(s)
        self.suggestions = SuggestionModel(self)
        self.suggestion_view = QTableView()
        self.suggestion_view.setModel(self.suggestions)
        self.suggestion_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.suggestion_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.suggestion_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.suggestion_view.doubleClicked.connect(lambda idx: self.pick_suggestion(idx.row()))
        lay.addWidget(self.suggestion_view, 1)
        r = QHBoxLayout()
        self.consent_box = QCheckBox(self.tr("Marketing consent"))
        r.addWidget(self.consent_box)
        self.register_button = QPushButton(self.tr("Register new member"))
        self.register_button.clicked.connect(self.register_new)
        r.addWidget(self.register_button)
        lay.addLayout(r)
        self.member_label = QLabel("")
        self.member_label.setObjectName("bigText")
        lay.addWidget(self.member_label)

    def _build_confirm(self):
        lay = self._page("confirm")
        self.summary_label = QLabel("")
        self.summary_label.setObjectName("bigText")
        self.summary_label.setWordWrap(True)
        lay.addWidget(self.summary_label)
        lay.addStretch(1)

    def _build_done(self):
        lay = self._page("done")
        self.done_label = QLabel("")
        self.done_label.setObjectName("bigText")
        self.done_label.setWordWrap(True)
        lay.addWidget(self.done_label)
        lay.addStretch(1)

    # -- navigation -----------------------------------------------------------------------------
    @property
    def page(self) -> str:
        return PAGES[self.stack.currentIndex()]

    def go(self, name: str) -> None:
        self.stack.setCurrentIndex(PAGES.index(name))
        self.set_message("")
        self.next_button.setEnabled(True)
        labels = {"confirm": self.tr("Confirm (Enter)"), "done": self.tr("Close (Enter)"),
                  "photo": self.tr("Next (Enter)") if self.photo else self.tr("Skip (Enter)")}
        self.next_button.setText(labels.get(name, self.tr("Next (Enter)")))
        self.back_button.setVisible(name != "done")
        focus = {"card": self.card_field, "amount": self.amount_field, "link": self.member_field}.get(name)
        if focus:
            focus.setFocus()
        if name == "confirm":
            self.summary_label.setText(self._summary())

    def back(self) -> None:
        if self.state == "busy":
            return
        i = self.stack.currentIndex()
        if i == 0 or self.page == "done":
            self.reject()
        else:
            self.go(PAGES[i - 1])

    def reject(self) -> None:
        if self.state == "busy":
            return
        if self.page == "done":
            self.accept()
            return
        super().reject()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.back()
            return
        super().keyPressEvent(event)

    def next(self) -> None:
        if self.state == "busy":
            return
        p = self.page
        if p == "card":
            self.read_card(self.card_field.text())
        elif p == "amount":
            if self.quote is None:
                self.set_message(self.tr("Enter the stamps or points on the card."), error=True)
                return
            self.go("photo")
        elif p == "photo":
            self.go("link")
            if self.member is None:
                self.suggest()
        elif p == "link":
            if self.member is None:
                self.set_message(self.tr("Choose the member first."), error=True)
                return
            self.go("confirm")
        elif p == "confirm":
            self.confirm()
        else:
            self.accept()

    def scan(self, text: str) -> None:
        """A scan forwarded by the counter: the card on the first page, the member code on the link page."""
        if self.page == "card":
            self.card_field.setText(text)
            self.read_card(text)
        elif self.page == "link":
            self.scan_member(text)

    # -- steps ------------------------------------------------------------------------------------
    def _busy(self, text: str) -> None:
        self.state = "busy"
        self.next_button.setEnabled(False)
        self.set_message(text)

    def _idle(self) -> None:
        self.state = "ready"
        self.next_button.setEnabled(True)

    def read_card(self, text: str) -> None:
        if not text.strip():
            self.set_message(self.tr("Scan or type the card number."), error=True)
            return
        self._busy(self.tr("Checking the card…"))
        self.ctx.run(self.ctx.store.migration.check_card, text, on_ok=self._card_ok, on_error=self._card_error)

    def _card_ok(self, check) -> None:
        self._idle()
        self.check = check
        self.card_label.setText(self.tr("Card %1").replace("%1", check.number))
        if check.member_id and self.member is None:
            self.ctx.run(self.ctx.store.members.get, check.member_id, on_ok=self._preset_member,
                         on_error=lambda e: None)
        self.go("amount")
        self._amount_changed()

    def _card_error(self, exc) -> None:
        self._idle()
        self.check = None
        self.set_message(self.error_text(exc), error=True)
        self.card_field.selectAll()
        if self.ctx.sounds:
            self.ctx.sounds.play("bad")

    def _amount_changed(self, *_):
        text = self.amount_field.text().strip()
        if not text.isdigit():
            self.quote = None
            self.quote_label.setText("")
            return
        n = int(text)
        kw = {"stamps": n} if self.stamps_radio.isChecked() else {"points": n}
        self.ctx.run(self.ctx.store.migration.quote, **kw, on_ok=lambda q, t=text: self._quoted(q, t),
                     on_error=lambda e: self.set_message(self.error_text(e), error=True))

    def _quoted(self, q, text) -> None:
        if text != self.amount_field.text().strip():
            return  # an older answer
        self.quote = q
        lines = []
        if q.stamps is not None:
            lines.append(self.tr("%1 stamps × %2 pt").replace("%1", f"{q.stamps:,}").replace(
                "%2", f"{q.breakdown[0]['points_per_stamp']:,}"))
        if q.capped_from is not None:
            lines.append(self.tr("Capped at %1 pt per card (the card holds %2 pt)").replace(
                "%1", f"{q.cap:,}").replace("%2", f"{q.capped_from:,}"))
        lines.append(self.tr("Points to migrate: %1").replace("%1", f"{q.points:,} pt"))
        self.quote_label.setText("\n".join(lines))
        self.set_message("")

    def take_photo(self) -> None:
        if self.photo_grabber is None:
            return
        self.photo_button.setEnabled(False)
        self.photo_label.setText(self.tr("Taking the photo…"))
        grabber = self.photo_grabber

        def work():
            try:
                value = grabber()
            except Exception as exc:  # camera missing, unplugged...
                value = exc
            try:
                self._photo_ready.emit(value)
            except RuntimeError:
                pass

        threading.Thread(target=work, name="tsumugi-card-photo", daemon=True).start()

    def _photo_done(self, value) -> None:
        self.photo_button.setEnabled(True)
        if isinstance(value, (bytes, bytearray)) and value:
            self.photo = bytes(value)
            self.photo_label.setText(self.tr("Photo taken (%1 KB).").replace("%1", f"{len(value) // 1024:,}"))
            self.photo_button.setText(self.tr("Take again"))
            if self.page == "photo":
                self.next_button.setText(self.tr("Next (Enter)"))
        else:
            self.photo_label.setText(self.tr("The camera could not take a photo; you can go on without one."))

    def scan_member(self, text: str) -> None:
        if not text.strip():
            return
        self.ctx.run(self.ctx.store.members.resolve, text, on_ok=self._member_chosen,
                     on_error=lambda e: self.set_message(self.error_text(e), error=True))

    def suggest(self) -> None:
        self.ctx.run(self.ctx.store.migration.suggest_members, phone=self.phone_field.text() or None,
                     name_kana=self.kana_field.text() or None, birthday=self.birthday_field.text() or None,
                     on_ok=self.suggestions.set_rows, on_error=lambda e: self.set_message(self.error_text(e), error=True))

    def pick_suggestion(self, row: int) -> None:
        if 0 <= row < len(self.suggestions.rows):
            self._member_chosen(self.suggestions.rows[row].member)

    def register_new(self) -> None:
        c = self.ctx
        self._busy(self.tr("Registering…"))
        c.run(c.store.members.register, c.actor, self.kana_field.text(), phone=self.phone_field.text() or None,
              birthday=self.birthday_field.text() or None, consent_marketing=self.consent_box.isChecked(),
              member_id=self.member_key,
              on_ok=lambda reg: (self._idle(), self._member_chosen(reg.member)),
              on_error=lambda e: (self._idle(), self.set_message(self.error_text(e), error=True)))

    def _preset_member(self, member) -> None:
        if self.member is None:
            self.member = member
            self.member_label.setText(self._member_text(member))

    def _member_chosen(self, member) -> None:
        self.member = member
        self.member_label.setText(self._member_text(member))
        self.set_message("")
        if self.page == "link":
            self.go("confirm")

    def _member_text(self, m) -> str:
        return self.tr("Member %1 (%2)").replace("%1", m.member_no).replace("%2", m.name_kana)

    def _summary(self) -> str:
        q = self.quote
        lines = [self.tr("Card %1").replace("%1", self.check.number if self.check else ""),
                 self.tr("Points to migrate: %1").replace("%1", f"{q.points:,} pt" if q else "")]
        if self.member is not None:
            lines.append(self._member_text(self.member))
        lines.append(self.tr("Photo: yes") if self.photo else self.tr("Photo: none"))
        lines.append(self.tr("Press Enter to confirm."))
        return "\n".join(lines)

    def confirm(self) -> None:
        c = self.ctx
        if self.check is None or self.quote is None or self.member is None:
            return
        text = self.amount_field.text().strip()
        kw = {"stamps": int(text)} if self.stamps_radio.isChecked() else {"points": int(text)}
        self._busy(self.tr("Working…"))
        c.run(c.store.migration.migrate, c.actor, self.check.number, self.member.id, self.key, photo=self.photo,
              fmt=self.check.format, **kw, on_ok=self._done, on_error=self._failed)

    def _done(self, res) -> None:
        self.state = "done"
        self.result_value = res
        text = self.tr("Paper card migrated: %1. New balance: %2").replace("%1", f"{res.points:+,} pt").replace(
            "%2", f"{res.entry.balance:,} pt")
        if res.entry.pending:
            text += "\n" + self.tr("Not yet confirmed by HQ (未反映): %1").replace("%1", f"{res.entry.pending:+,} pt")
        self.go("done")
        self.done_label.setText(text)
        if self.ctx.sounds:
            self.ctx.sounds.play("good")
        self.applied.emit(res)

    def _failed(self, exc) -> None:
        self._idle()
        self.set_message(self.error_text(exc), error=True)
        if getattr(exc, "code", None) == "already_migrated":
            self.go("card")
            self.set_message(self.error_text(exc), error=True)

    # -- texts -------------------------------------------------------------------------------------
    def error_text(self, exc) -> str:
        code = getattr(exc, "code", None)
        p = getattr(exc, "params", {}) or {}
        if code == "already_migrated":
            return self.tr("Already migrated (移行済み): on %1 at store %2, to member %3.").replace(
                "%1", local_time(p.get("migrated_at")) or "?").replace("%2", p.get("store_id") or "?").replace(
                "%3", p.get("member_no") or "?")
        own = {
            "bad_check_digit": self.tr("The card number's check digit is wrong: please check the number."),
            "bad_card_number": self.tr("This does not look like a paper card number."),
            "member_code_not_card": self.tr("This is a member code, not a paper card."),
            "card_revoked": self.tr("This card was cancelled and cannot be migrated."),
            "points_or_stamps": self.tr("Enter the stamps or points on the card."),
        }
        if code in own:
            return own[code]
        from ui.texts import texts

        return texts().error(exc)

    def cancel_for_scan(self) -> None:
        """The counter's hook when a new customer is scanned: back out unless a write is in flight."""
        if self.state == "busy":
            return
        self.accept() if self.page == "done" else super().reject()

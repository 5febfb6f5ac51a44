"""The counter's action dialogs: earn, redeem, use a coupon, void the last action.

Each makes its idempotency key when it opens, so a double Enter or a retry cannot apply twice.
Enter confirms; Esc backs out without changing anything. They open non-modally blocking only
their window (QDialog.open), so the GUI thread never waits."""
from __future__ import annotations


from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import LedgerRefused
from app.ids import new_key
from ui.models import CouponTableModel, local_time
from ui.texts import pts, texts, yen


def no_ime(w: QWidget) -> QWidget:
    """A field on the scan path: no input method (an IME would turn a scan into kana)."""
    w.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
    w.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhNoPredictiveText)
    return w


class CounterDialog(QDialog):
    """The frame the counter's dialogs share (the action dialogs here, the paper card wizard in
    ui.migrate): a title, the dialog's own content, a message line and two big buttons, back (Esc)
    and go on (Enter), 64 px high for fingers."""

    def build_frame(self, title: str, content, *, go_text: str, min_width: int) -> tuple[QPushButton, QPushButton]:
        """Lay the dialog out around `content` (a layout, or a widget that takes the spare height);
        sets self.message; returns the (back, go on) buttons for the dialog to connect."""
        self.setWindowTitle(title)
        self.setObjectName("actionDialog")
        self.setMinimumWidth(min_width)
        lay = QVBoxLayout(self)
        head = QLabel(title)
        head.setObjectName("dialogTitle")
        lay.addWidget(head)
        if isinstance(content, QWidget):
            lay.addWidget(content, 1)
        else:
            lay.addLayout(content)
        self.message = QLabel("")
        self.message.setObjectName("dialogMessage")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        row = QHBoxLayout()
        back = QPushButton(self.tr("Back (Esc)"))
        back.setObjectName("cancelButton")
        go = QPushButton(go_text)
        go.setObjectName("confirmButton")
        go.setDefault(True)
        for b in (back, go):
            b.setMinimumHeight(64)
            row.addWidget(b)
        lay.addLayout(row)
        return back, go

    def set_message(self, text: str, ok=False, error=False) -> None:
        self.message.setText(text)
        self.message.setProperty("kind", "error" if error else ("ok" if ok else ""))
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)


class ActionDialog(CounterDialog):
    applied = Signal(object)  # EntryResult

    def __init__(self, ctx, title: str, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.key = new_key()  # made when the action starts (time-ordered: app/ids.py)
        self.state = "ready"
        self.result_value = None
        self.body = QVBoxLayout()
        self.cancel_button, self.confirm_button = self.build_frame(
            title, self.body, go_text=self.tr("Confirm (Enter)"), min_width=560)
        self.cancel_button.clicked.connect(self.reject)
        self.confirm_button.clicked.connect(self.confirm)

    # -- flow ---------------------------------------------------------------------------------
    def confirm(self) -> None:
        if self.state == "done":
            self.accept()
            return
        if self.state != "ready" or not self.confirm_button.isEnabled():
            return
        self.state = "busy"
        self.confirm_button.setEnabled(False)
        self.set_message(self.tr("Working…"))
        self.submit()

    def submit(self) -> None:  # overridden
        raise NotImplementedError

    def on_ok(self, result) -> None:
        self.state = "done"
        self.result_value = result
        self.set_message(self.describe(result), ok=True)
        self.confirm_button.setText(self.tr("Close (Enter)"))
        self.confirm_button.setEnabled(True)
        self.cancel_button.hide()
        self.applied.emit(result)

    def on_error(self, exc) -> None:
        self.state = "ready"
        self.set_message(texts().error(exc), error=True)
        self.confirm_button.setEnabled(True)
        if self.ctx.sounds:
            self.ctx.sounds.play("bad")

    def describe(self, r) -> str:
        what = texts().kind(r.kind)
        s = self.tr("%1: %2. New balance: %3").replace("%1", what).replace(
            "%2", f"{r.points:+,} pt").replace("%3", pts(r.balance))
        if r.pending:
            s += "\n" + self.tr("Not yet confirmed by HQ (未反映): %1").replace("%1", f"{r.pending:+,} pt")
        return s

    def reject(self) -> None:
        if self.state == "busy":
            return  # the write is in flight: wait for its answer (a moment)
        super().reject()

    def cancel_for_scan(self) -> None:
        """A new scan arrived: back out (nothing changed unless already done)."""
        if self.state == "busy":
            return
        super().reject() if self.state != "done" else self.accept()


class EarnDialog(ActionDialog):
    def __init__(self, ctx, view, amount_yen: int, parent=None):
        super().__init__(ctx, self.tr("Earn points"), parent)
        self.view = view
        self.amount = amount_yen
        self.quote = None
        self.amount_label = QLabel(self.tr("Purchase amount (tax incl.): %1").replace("%1", yen(amount_yen)))
        self.amount_label.setObjectName("bigText")
        self.body.addWidget(self.amount_label)
        # The categories today's campaigns ask about (e.g. an overstock campaign): one touch each,
        # none = no category. Each touch prices again with the same engine as the earn (and HQ).
        self.chips: dict[str, QPushButton] = {}
        if view.categories:
            self.body.addWidget(QLabel(self.tr("Product categories in this purchase (touch to choose):")))
            grid = QGridLayout()
            for i, cat in enumerate(view.categories):
                b = QPushButton(cat)
                b.setObjectName("categoryChip")
                b.setCheckable(True)
                b.setMinimumHeight(56)
                b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Enter stays on confirm
                b.toggled.connect(self._categories_changed)
                grid.addWidget(b, i // 4, i % 4)
                self.chips[cat] = b
            self.body.addLayout(grid)
        self._quote_no = 0
        self.lines_label = QLabel("")
        self.lines_label.setObjectName("breakdown")
        self.lines_label.setWordWrap(True)
        self.body.addWidget(self.lines_label)
        self.total_label = QLabel("")
        self.total_label.setObjectName("bigText")
        self.body.addWidget(self.total_label)
        self._requote()

    def categories(self) -> list[str]:
        return [c for c, b in self.chips.items() if b.isChecked()]

    def _categories_changed(self, _on=False) -> None:
        if self.state in ("quoting", "ready"):
            self._requote()

    def _requote(self) -> None:
        self.confirm_button.setEnabled(False)
        self.state = "quoting"
        self.set_message(self.tr("Calculating points…"))
        self._quote_no += 1
        no = self._quote_no
        self.ctx.run(self.ctx.store.ledger.quote, self.view.member_id, self.amount, categories=self.categories(),
                     on_ok=lambda q: self._quoted(q) if no == self._quote_no else None,
                     on_error=lambda e: self._quote_failed(e) if no == self._quote_no else None)

    def _quoted(self, q) -> None:
        self.quote = q
        lines = [texts().line({"kind": ln.kind, "points": ln.points, "factor": ln.factor, "rule_id": ln.rule_id},
                              self.view.rule_set, self.ctx.lang) for ln in q.lines]
        self.lines_label.setText("\n".join(lines))
        self.total_label.setText(self.tr("Points to add: %1").replace("%1", pts(q.points)))
        self.state = "ready"
        self.set_message(self.tr("Press Enter to confirm."))
        self.confirm_button.setEnabled(True)
        self.confirm_button.setFocus()

    def _quote_failed(self, exc) -> None:
        self.state = "ready"
        self.set_message(texts().error(exc), error=True)

    def submit(self) -> None:
        c = self.ctx
        for b in self.chips.values():
            b.setEnabled(False)  # what is confirmed is what was priced
        c.run(c.store.ledger.earn, c.actor, self.view.member_id, self.amount, self.key, categories=self.categories(),
              on_ok=self.on_ok, on_error=self.on_error)

    def on_error(self, exc) -> None:
        for b in self.chips.values():
            b.setEnabled(True)
        super().on_error(exc)


class RedeemDialog(ActionDialog):
    def __init__(self, ctx, view, bill_yen: int | None, parent=None):
        super().__init__(ctx, self.tr("Redeem points"), parent)
        from ui.keypad import NumericKeypad

        self.view = view
        self.bill = bill_yen or None
        self.mode = None
        info = self.tr("Balance: %1").replace("%1", pts(view.balance))
        if self.bill:
            info += "   " + self.tr("Bill: %1").replace("%1", yen(self.bill))
        lbl = QLabel(info)
        lbl.setObjectName("bigText")
        self.body.addWidget(lbl)
        self.body.addWidget(QLabel(self.tr("Points to use")))
        self.points = no_ime(QLineEdit())
        self.points.setObjectName("bigField")
        self.points.setValidator(QIntValidator(0, 10_000_000, self))
        self.body.addWidget(self.points)
        pad = self.pad = NumericKeypad(self.points, with_double_zero=True)
        pad.enter.connect(self.confirm)
        self.body.addWidget(pad)
        self.points.setFocus()

    def submit(self) -> None:
        c = self.ctx
        text = self.points.text().strip()
        if not text.isdigit() or int(text) <= 0:
            self.state = "ready"
            self.confirm_button.setEnabled(True)
            self.set_message(self.tr("Enter the points to use."), error=True)
            return
        self.mode = None
        worker = getattr(c, "sync", None)
        if worker is None:  # not connected to HQ: the store's own rules and balance
            c.run(c.store.ledger.redeem, c.actor, self.view.member_id, int(text), self.key, bill_yen=self.bill,
                  on_ok=self.on_ok, on_error=self.on_error)
            return
        # online first (HQ reserves the points, short timeout); offline capped by the rules
        c.run(worker.engine.redeem, c.actor, self.view.member_id, int(text), self.key, bill_yen=self.bill,
              on_ok=self._redeemed, on_error=self.on_error)

    def on_ok(self, result) -> None:
        self.pad.hide()  # done: room for the result (and the offline note) on a 768-px screen
        super().on_ok(result)
        self.adjustSize()

    def _redeemed(self, res: dict) -> None:
        self.mode = res.get("mode")
        self.on_ok(res["entry"])

    def offline_allowance(self) -> int | None:
        rs = getattr(self.view, "rule_set", None)
        try:
            return int(rs.offline.daily_allowance_points)
        except (AttributeError, TypeError, ValueError):
            return None

    def on_error(self, exc) -> None:
        super().on_error(exc)
        params = getattr(exc, "params", {}) or {}
        code = getattr(exc, "code", None)
        if params.get("offline") and code in ("insufficient_balance", "over_offline_allowance"):
            cap = params.get("remaining") if code == "over_offline_allowance" else params.get("balance")
            line = self.tr("Offline: capped at %1.").replace("%1", pts(int(cap or 0)))
            self.set_message(self.message.text() + "\n" + line, error=True)

    def describe(self, r) -> str:
        s = super().describe(r)
        s += "\n" + self.tr("Discount: %1").replace("%1", yen(-r.points))
        if self.mode == "offline":
            cap = self.offline_allowance()
            s += "\n" + (self.tr("Offline: capped at %1 a day; HQ confirms when the network is back.").replace(
                "%1", pts(cap)) if cap is not None else self.tr("Offline: HQ confirms when the network is back."))
        return s


class CouponDialog(ActionDialog):
    def __init__(self, ctx, view, parent=None):
        super().__init__(ctx, self.tr("Use a coupon"), parent)
        self.view = view
        self.model = CouponTableModel(ctx.lang, self)
        self.model.set_rows(view.coupons)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(180)
        self.body.addWidget(self.table)
        if view.coupons:
            self.table.selectRow(0)
        else:
            self.confirm_button.setEnabled(False)
            self.set_message(self.tr("This member has no coupons to use."))

    def selected(self):
        rows = self.table.selectionModel().selectedRows()
        return self.model.coupon(rows[0].row()) if rows else None

    def submit(self) -> None:
        c = self.ctx
        coupon = self.selected()
        if coupon is None:
            self.state = "ready"
            self.confirm_button.setEnabled(True)
            return
        c.run(c.store.coupons.use, c.actor, coupon.id, self.key, on_ok=self.on_ok, on_error=self.on_error)


class VoidDialog(ActionDialog):
    def __init__(self, ctx, parent=None):
        super().__init__(ctx, self.tr("Void the last action"), parent)
        self.entry = None
        self.what = QLabel(self.tr("Looking for the last action…"))
        self.what.setObjectName("bigText")
        self.what.setWordWrap(True)
        self.body.addWidget(self.what)
        self.confirm_button.setEnabled(False)
        self.state = "loading"
        ctx.run(self._load, on_ok=self._loaded, on_error=self._load_failed)

    def _load(self):
        store = self.ctx.store
        entry = store.ledger.last_voidable()
        if entry is None:
            return None, None, False
        return entry, store.members.get(entry.member_id), store.ledger.refused_by_hq(entry.id)

    def _loaded(self, found) -> None:
        entry, member, refused = found
        self.state = "ready"
        if entry is None:
            self.what.setText(self.tr("There is nothing to void."))
            return
        self.entry = entry
        text = self.tr("%1 of %2 for member %3 at %4").replace("%1", texts().kind(entry.kind)).replace(
            "%2", f"{entry.points:+,} pt").replace("%3", member.member_no).replace("%4", local_time(entry.created_at))
        if entry.amount_yen:
            text += "  (" + yen(entry.amount_yen) + ")"
        self.what.setText(text)
        if refused:  # HQ refused it and its points were taken back: voiding it would take them twice
            self.set_message(texts().error(LedgerRefused("", code="refused_by_hq")), error=True)
            return
        self.set_message(self.tr("Press Enter to void it."))
        self.confirm_button.setEnabled(True)
        self.confirm_button.setFocus()

    def _load_failed(self, exc) -> None:
        self.state = "ready"
        self.what.setText(texts().error(exc))

    def submit(self) -> None:
        c = self.ctx
        c.run(c.store.ledger.void, c.actor, self.entry.id, self.key, on_ok=self.on_ok, on_error=self.on_error)

    def describe(self, r) -> str:
        text = self.tr("Voided. New balance: %1").replace("%1", pts(r.balance))
        if self.entry is not None and self.entry.kind == "migrate":
            text += "\n" + self.tr("The paper card migration is cancelled: the card can be migrated again.")
        return text

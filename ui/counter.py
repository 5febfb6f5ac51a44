"""The counter screen: the member panel, the amount keypad, and the actions on F1..F8."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIntValidator, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.context import MemberView, load_member_view
from ui.dialogs import CouponDialog, EarnDialog, RedeemDialog, VoidDialog, no_ime
from ui.keypad import NumericKeypad
from ui.models import HistoryTableModel, local_time
from ui.search import MemberSearchBox
from ui.texts import pts, texts, tier_name


class MemberPanel(QFrame):

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("memberPanel")
        lay = QVBoxLayout(self)
        self.search = MemberSearchBox(ctx)
        self.search.active_changed.connect(self._search_active)
        lay.addWidget(self.search)
        self.hint = QLabel(self.tr("Scan the member card"))
        self.hint.setObjectName("hint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.hint)
        self.notice = QLabel("")
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.notice)

        self.details = QWidget()
        d = QGridLayout(self.details)
        self.name = QLabel()
        self.name.setObjectName("memberName")
        self.kana = QLabel()
        self.member_no = QLabel()
        self.tier = QLabel()
        self.tier.setObjectName("tier")
        self.balance = QLabel()
        self.balance.setObjectName("balance")
        self.pending = QLabel()
        self.pending.setObjectName("pending")
        self.coupons = QLabel()
        self.alerts = QLabel()
        self.alerts.setObjectName("alerts")
        self.alerts.setWordWrap(True)
        self.news = QLabel()  # HQ's news about this member (a new rank, VIP), shown at the scan after it
        self.news.setObjectName("memberNews")
        self.news.setWordWrap(True)
        d.addWidget(self.name, 0, 0, 1, 2)
        d.addWidget(self.tier, 0, 2, Qt.AlignmentFlag.AlignRight)
        d.addWidget(self.kana, 1, 0)
        d.addWidget(self.member_no, 1, 1, 1, 2, Qt.AlignmentFlag.AlignRight)
        bal_caption = QLabel(self.tr("Balance"))
        d.addWidget(bal_caption, 2, 0)
        d.addWidget(self.balance, 2, 1, 1, 2, Qt.AlignmentFlag.AlignRight)
        d.addWidget(self.pending, 3, 0, 1, 3, Qt.AlignmentFlag.AlignRight)
        d.addWidget(self.coupons, 4, 0, 1, 3)
        d.addWidget(self.news, 5, 0, 1, 3)
        d.addWidget(self.alerts, 6, 0, 1, 3)
        self.history_model = HistoryTableModel(self)
        self.history = QTableView()
        self.history.setModel(self.history_model)
        self.history.verticalHeader().hide()
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.history.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.history.setMaximumHeight(170)
        d.addWidget(self.history, 7, 0, 1, 3)
        lay.addWidget(self.details)

        lay.addStretch(1)
        self._stretch_at = lay.count() - 1
        self.view: MemberView | None = None
        self.clear()

    def _search_active(self, on: bool) -> None:
        """While the cashier searches, the results take the place of the member details."""
        self.hint.setVisible(not on and self.view is None)
        self.details.setVisible(not on and self.view is not None)
        lay = self.layout()
        lay.setStretchFactor(self.search, 1 if on else 0)  # the list takes the room while searching
        lay.setStretch(self._stretch_at, 0 if on else 1)

    def clear(self):
        self.view = None
        self.details.hide()
        self.hint.setVisible(not self.search.active)
        self.notice.setText("")

    def set_notice(self, text: str, error=False):
        self.notice.setText(text)
        self.notice.setProperty("kind", "error" if error else "ok")
        self.notice.style().unpolish(self.notice)
        self.notice.style().polish(self.notice)

    def notice_text(self, n: dict, rule_set) -> str:
        """One of HQ's notices (app/services/notices.py) as the cashier reads it."""
        if n.get("kind") == "tier":
            name = tier_name(rule_set, n.get("to"), self.ctx.lang)
            if n.get("direction") == "up":
                return self.tr("★ Promoted to %1").replace("%1", name)
            return self.tr("★ Rank changed to %1").replace("%1", name)
        if n.get("kind") == "tag":
            if (n.get("tag") or "").lower() == "vip":
                return self.tr("★ Now a VIP member")
            return self.tr("★ New member tag: %1").replace("%1", n.get("tag") or "")
        return ""

    def show_member(self, v: MemberView):
        same = self.view is not None and self.view.member_id == v.member_id
        if v.notices or not same:  # a refresh of the same member keeps what the scan showed
            self.news.setText("\n".join(t for t in (self.notice_text(n, v.rule_set) for n in v.notices) if t))
        self.news.setVisible(bool(self.news.text()))
        self.view = v
        self.search.clear()
        self.hint.hide()
        self.details.show()
        self.name.setText(v.name or v.name_kana)
        self.kana.setText(v.name_kana if v.name else "")
        self.member_no.setText(self.tr("Member no. %1").replace("%1", v.member_no))
        self.tier.setText(tier_name(v.rule_set, v.tier_id, self.ctx.lang))
        self.balance.setText(pts(v.balance))
        if v.pending:
            self.pending.setText(self.tr("HQ confirmed %1 / not yet confirmed (未反映) %2").replace(
                "%1", pts(v.confirmed)).replace("%2", f"{v.pending:+,} pt"))
        else:
            self.pending.setText(self.tr("All confirmed by HQ"))
        self.coupons.setText(self.tr("Coupons available: %1").replace("%1", str(len(v.coupons))))
        alerts = []
        if v.birthday_alert == "today":
            alerts.append(self.tr("● Birthday today"))
        elif v.birthday_alert == "month":
            alerts.append(self.tr("● Birthday this month"))
        if v.expiring_30d:
            alerts.append(self.tr("● %1 expiring within 30 days").replace("%1", pts(v.expiring_30d)))
        for c in v.coupons:
            title = c.title_ja if self.ctx.lang == "ja" else c.title_en
            alerts.append(self.tr("● Coupon ready: %1 (until %2)").replace("%1", title).replace(
                "%2", local_time(c.expires_at)))
        self.alerts.setText("\n".join(alerts))
        self.alerts.setVisible(bool(alerts))
        self.history_model.set_rows(v.history[:5])


class CounterScreen(QWidget):
    """Keyboard first: the amount field always has focus; F1..F8 run the actions."""

    new_member_requested = Signal()
    settings_requested = Signal()
    sign_out_requested = Signal()
    manager_requested = Signal()          # F9, managers only
    legacy_import_requested = Signal()    # F10, managers only

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("counter")
        self.dialog = None
        self.migrate_dialog = None
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.panel = MemberPanel(ctx)
        self.panel.search.selected.connect(self.select_member)
        self.panel.search.active_changed.connect(lambda _on: self.update_buttons())
        top.addWidget(self.panel, 3)

        right = self.right = QVBoxLayout()
        cap = QLabel(self.tr("Purchase amount (tax incl.)"))
        cap.setObjectName("caption")
        right.addWidget(cap)
        self.amount = no_ime(QLineEdit())
        self.amount.setObjectName("amountField")
        self.amount.setValidator(QIntValidator(0, 100_000_000, self))
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.amount.setPlaceholderText("¥0")
        self.amount.returnPressed.connect(self.earn)
        right.addWidget(self.amount)
        self.keypad = NumericKeypad(self.amount)
        self.keypad.enter.connect(self.earn)
        right.addWidget(self.keypad, 1)
        top.addLayout(right, 2)
        outer.addLayout(top, 1)

        bar = QGridLayout()
        self.buttons = {}
        actions = [
            ("F1", self.tr("Earn points"), self.earn),
            ("F2", self.tr("Redeem points"), self.redeem),
            ("F3", self.tr("Use coupon"), self.use_coupon),
            ("F4", self.tr("Void last"), self.void_last),
            ("F5", self.tr("New member"), self.new_member_requested.emit),
            ("F6", self.tr("Migrate paper card"), self.migrate_card),
            ("F7", self.tr("Settings"), self.settings_requested.emit),
            ("F8", self.tr("Sign out"), self.sign_out_requested.emit),
            ("F9", self.tr("Manager menu"), self.manager_requested.emit),
            ("F10", self.tr("Import legacy ledger"), self.legacy_import_requested.emit),
        ]
        for i, (key, label, slot) in enumerate(actions):
            b = QPushButton(f"{key}\n{label}")
            b.setObjectName("actionButton")
            b.setMinimumHeight(84)
            # equal shares of the width, whatever the label: ten buttons fit a 1366-px shop screen
            b.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            b.setMinimumWidth(96)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(slot)
            bar.addWidget(b, 0, i)
            self.buttons[key] = b
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(lambda b=b: b.isEnabled() and b.click())
        outer.addLayout(bar)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self.focus_search)
        esc = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        esc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        esc.activated.connect(self.escape)
        self.update_buttons()

    # -- state ---------------------------------------------------------------------------------
    @property
    def view(self) -> MemberView | None:
        return self.panel.view

    def update_buttons(self):
        # while the search list covers the panel, no action may go to a member who is not on screen
        has = self.view is not None and not self.panel.search.active
        for k in ("F1", "F2", "F3"):
            self.buttons[k].setEnabled(has)
        if has:
            self.buttons["F3"].setEnabled(bool(self.view.coupons))
        actor = self.ctx.actor
        manager = bool(actor and actor.is_manager)
        self.buttons["F7"].setEnabled(manager)
        for k in ("F9", "F10"):  # a cashier never sees the manager's screens
            self.buttons[k].setVisible(manager)
            self.buttons[k].setEnabled(manager)

    def focus_amount(self):
        self.amount.setFocus()

    def escape(self):
        """Back out: clear the search, then the amount, then the member. Nothing is written."""
        if self.panel.search.active:
            self.panel.search.clear()
            self.focus_amount()
        elif self.amount.text():
            self.amount.clear()
        else:
            self.panel.clear()
            self.update_buttons()

    def reset(self):
        self.close_dialog()
        self.panel.search.clear()
        self.amount.clear()
        self.panel.clear()
        self.update_buttons()

    def close_dialog(self):
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.cancel_for_scan()
        self.dialog = None
        if self.migrate_dialog is not None and self.migrate_dialog.isVisible():
            self.migrate_dialog.cancel_for_scan()
        self.migrate_dialog = None

    def migrating(self) -> bool:
        """The paper card wizard is open: scans go to it (the card, then the member code)."""
        return self.migrate_dialog is not None and self.migrate_dialog.isVisible()

    # -- member ----------------------------------------------------------------------------------
    def lookup(self, text: str, on_done=None):
        c = self.ctx

        def resolve_and_load(text):
            m = c.store.members.resolve(text)
            return load_member_view(c.store, m.id, take_notices=True)

        def ok(view):
            self.show_member(view)
            if c.sounds:
                c.sounds.play("good")
            if on_done:
                on_done(True)

        def err(exc):
            # never leave the previous customer on screen after a refused scan
            self.close_dialog()
            self.panel.clear()
            self.update_buttons()
            self.panel.set_notice(texts().error(exc), error=True)
            c.status(texts().error(exc))
            if c.sounds:
                c.sounds.play("bad")
            if on_done:
                on_done(False)

        c.run(resolve_and_load, text, on_ok=ok, on_error=err)

    def select_member(self, member_id: str, on_done=None):
        """A member picked from the search results → the member panel."""
        c = self.ctx

        def ok(view):
            self.show_member(view)
            if on_done:
                on_done(True)

        def err(exc):
            self.panel.set_notice(texts().error(exc), error=True)
            if on_done:
                on_done(False)

        c.run(load_member_view, c.store, member_id, take_notices=True, on_ok=ok, on_error=err)

    def focus_search(self):
        self.panel.search.field.setFocus()
        self.panel.search.field.selectAll()

    def show_member(self, view: MemberView):
        self.panel.show_member(view)
        self.panel.set_notice("")
        self.update_buttons()
        self.focus_amount()

    def refresh_member(self, member_id: str | None = None):
        member_id = member_id or (self.view.member_id if self.view else None)
        if member_id is None:
            return
        self.ctx.run(load_member_view, self.ctx.store, member_id, on_ok=self.show_member)

    # -- actions ---------------------------------------------------------------------------------
    def _amount(self) -> int:
        t = self.amount.text().strip()
        return int(t) if t.isdigit() else 0

    def _open(self, dlg):
        self.close_dialog()
        self.dialog = dlg
        dlg.applied.connect(self._applied)
        dlg.finished.connect(self._dialog_closed)
        dlg.open()
        return dlg

    def _dialog_closed(self, _code):
        self.dialog = None
        self.focus_amount()

    def _applied(self, result):
        self.amount.clear()
        self.ctx.wake_sync()
        hooks_receipt(self.ctx, result)
        self.refresh_member(result.member_id)

    def _need_member(self) -> bool:
        if self.panel.search.active:
            self.panel.set_notice(self.tr("Choose a member from the list, or press Esc to close the search."),
                                  error=True)
            return False
        if self.view is None:
            self.panel.set_notice(self.tr("Scan the member card first."), error=True)
            return False
        return True

    def earn(self):
        if not self._need_member():
            return None
        amount = self._amount()
        if amount <= 0:
            self.panel.set_notice(self.tr("Enter the purchase amount first."), error=True)
            self.focus_amount()
            return None
        return self._open(EarnDialog(self.ctx, self.view, amount, self))

    def redeem(self):
        if not self._need_member():
            return None
        return self._open(RedeemDialog(self.ctx, self.view, self._amount() or None, self))

    def use_coupon(self):
        if not self._need_member():
            return None
        return self._open(CouponDialog(self.ctx, self.view, self))

    def void_last(self):
        return self._open(VoidDialog(self.ctx, self))

    def migrate_card(self):
        """F6: the paper card wizard, linked to the member on screen when there is one."""
        if self.ctx.actor is None:
            return None
        from ui.migrate import MigratePaperCardDialog

        self.close_dialog()
        member_id = self.view.member_id if self.view is not None and not self.panel.search.active else None
        dlg = MigratePaperCardDialog(self.ctx, self, member_id=member_id)
        dlg.applied.connect(self._migrated)
        dlg.finished.connect(self._migrate_closed)
        self.migrate_dialog = dlg
        dlg.open()
        return dlg

    def _migrated(self, res):
        self.ctx.wake_sync()
        self.refresh_member(res.entry.member_id)

    def _migrate_closed(self, _code):
        if self.migrate_dialog is self.sender():
            self.migrate_dialog = None
        self.focus_amount()


def hooks_receipt(ctx, result):
    from ui import hooks

    if not (hooks.can_print("print_receipt") and ctx.config.printer):
        return

    def done(error):
        if error is not None:
            ctx.status(texts().printer_failed(getattr(error, "code", type(error).__name__)), 10000)

    try:
        hooks.print_receipt(result, printer=ctx.config.printer, store=ctx.store, lang=ctx.lang,
                            store_name=ctx.store.setting("store_id"), on_done=done)
    except Exception as exc:  # a printer problem never stops the counter
        done(exc)

"""The counter's member search box (会員検索): kana (やまだ finds ヤマダ), a phone number in any form
(full-width digits, hyphens), a member number or a card number.

The input method stays ON here (people type kana). A USB scanner burst that arrives while this box
has focus is still taken by the application-wide WedgeFilter (ui.scan) before the box sees it —
both as key presses and as input-method commit strings.

Searching is debounced and runs store.members.find on the DB executor; the results come back to
the GUI thread by signal into a MemberSearchModel. Enter or a double click selects a member."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.models import MemberSearchModel
from ui.texts import texts

MIN_CHARS = 2      # search as you type from this many characters; Enter searches any length
RESULT_LIMIT = 20


class SearchField(QLineEdit):
    """The query field: Up/Down move through the results without leaving the field."""

    move = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, True)  # kana are typed with the IME

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down) and not event.modifiers():
            self.move.emit(-1 if event.key() == Qt.Key.Key_Up else 1)
            event.accept()
            return
        super().keyPressEvent(event)


class MemberSearchBox(QWidget):
    selected = Signal(str)        # member id
    active_changed = Signal(bool)  # True while there is a query or results on screen

    def __init__(self, ctx, parent=None, debounce_ms: int = 250):
        super().__init__(parent)
        self.ctx = ctx
        self._seq = 0              # the newest query's number; older answers are dropped
        self._shown_for = None     # the query the rows on screen answer
        self._select_single = False
        self._active = False
        self.searching = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.field = SearchField()
        self.field.setObjectName("searchField")
        self.field.setPlaceholderText(self.tr("Search: kana, phone or member number (Ctrl+F)"))
        self.field.setClearButtonEnabled(True)
        self.field.textChanged.connect(self._changed)
        self.field.returnPressed.connect(self.enter)
        self.field.move.connect(self._move)
        lay.addWidget(self.field)
        self.status = QLabel("")
        self.status.setObjectName("searchStatus")
        self.status.hide()
        lay.addWidget(self.status)
        self.model = MemberSearchModel(self)
        self.view = QTableView()
        self.view.setObjectName("searchResults")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.view.setMinimumHeight(200)
        self.view.activated.connect(lambda index: self.choose(index.row()))
        self.view.doubleClicked.connect(lambda index: self.choose(index.row()))
        self.view.hide()
        lay.addWidget(self.view, 1)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(debounce_ms)
        self.timer.timeout.connect(self.search)

    # -- state -----------------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self._active

    def _set_active(self, on: bool) -> None:
        if on != self._active:
            self._active = on
            self.active_changed.emit(on)

    def clear(self) -> None:
        """Empty the box and the list; an answer still on its way is dropped."""
        self._seq += 1
        self.timer.stop()
        self._select_single = False
        self.searching = False
        self._shown_for = None
        self.field.blockSignals(True)
        self.field.clear()
        self.field.blockSignals(False)
        self.model.clear()
        self.view.hide()
        self.status.hide()
        self._set_active(False)

    def _changed(self, text: str) -> None:
        self._select_single = False
        if not text.strip():
            self.clear()
            return
        self._set_active(True)
        if len(text.strip()) >= MIN_CHARS:
            self.timer.start()
        else:
            self.timer.stop()

    # -- searching -------------------------------------------------------------------------------
    def search(self) -> int:
        """Run the query now on the DB executor; returns its number."""
        self.timer.stop()
        query = self.field.text().strip()
        if not query:
            return self._seq
        self._seq += 1
        seq = self._seq
        self.searching = True
        self._show_status(self.tr("Searching…"))
        self.ctx.run(self.ctx.store.members.find, query, limit=RESULT_LIMIT,
                     on_ok=lambda rows: self._found(seq, query, rows),
                     on_error=lambda exc: self._failed(seq, exc))
        return seq

    def _found(self, seq: int, query: str, rows) -> None:
        if seq != self._seq:
            return  # the cashier typed on; a newer query is on its way
        self.searching = False
        self._shown_for = query
        self.model.set_rows(rows)
        if rows:
            self.status.hide()
            self.view.show()
            self.view.selectRow(0)
        else:
            self.view.hide()
            self._show_status(self.tr("No member found."))
        if self._select_single:
            self._select_single = False
            if len(rows) == 1:
                self.choose(0)

    def _failed(self, seq: int, exc) -> None:
        if seq != self._seq:
            return
        self.searching = False
        self._select_single = False
        self.model.clear()
        self.view.hide()
        self._show_status(texts().error(exc))

    def _show_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.show()

    # -- choosing --------------------------------------------------------------------------------
    def current_row(self) -> int:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].row() if rows else (0 if self.model.rowCount() else -1)

    def _move(self, step: int) -> None:
        n = self.model.rowCount()
        if not n:
            return
        row = max(0, min(n - 1, self.current_row() + step))
        self.view.selectRow(row)

    def enter(self) -> None:
        """Enter in the box: select the highlighted result; if the list does not answer what is in
        the box yet, search now and select when exactly one member matches."""
        query = self.field.text().strip()
        if not query:
            return
        if self._shown_for == query and not self.timer.isActive() and self.model.rowCount():
            self.choose(self.current_row())
            return
        self._select_single = True
        self.search()

    def choose(self, row: int) -> None:
        m = self.model.member(row)
        if m is None:
            return
        member_id = m.id
        self.clear()
        self.selected.emit(member_id)

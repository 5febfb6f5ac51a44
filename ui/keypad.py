"""A big on-screen numeric keypad that types into a target line edit (or the focused one)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLineEdit, QPushButton, QSizePolicy, QWidget


class NumericKeypad(QWidget):
    enter = Signal()

    def __init__(self, target: QLineEdit | None = None, parent=None, with_double_zero=True):
        super().__init__(parent)
        self.target = target
        self.setObjectName("keypad")
        grid = QGridLayout(self)
        grid.setSpacing(6)
        keys = ["7", "8", "9", "4", "5", "6", "1", "2", "3"]
        for i, k in enumerate(keys):
            self._add(grid, k, i // 3, i % 3, lambda _=False, k=k: self._type(k))
        self._add(grid, "0", 3, 0, lambda: self._type("0"))
        self._add(grid, "00" if with_double_zero else "", 3, 1, lambda: self._type("00"),
                  enabled=with_double_zero)
        self._add(grid, "⌫", 3, 2, self._backspace).setObjectName("keyBack")
        self._add(grid, self.tr("Clear"), 4, 0, self._clear).setObjectName("keyClear")
        ok = self._add(grid, self.tr("Enter"), 4, 1, self.enter.emit, span=2)
        ok.setObjectName("keyEnter")

    def _add(self, grid, text, row, col, slot, span=1, enabled=True):
        b = QPushButton(text)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keypad never steals focus from the field
        b.setMinimumSize(72, 60)
        b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        b.setEnabled(enabled)
        b.clicked.connect(slot)
        grid.addWidget(b, row, col, 1, span)
        return b

    def _field(self) -> QLineEdit | None:
        if self.target is not None:
            return self.target
        w = self.window().focusWidget() if self.window() else None
        return w if isinstance(w, QLineEdit) else None

    def _type(self, digits: str):
        f = self._field()
        if f is not None:
            f.insert(digits)

    def _backspace(self):
        f = self._field()
        if f is not None:
            f.backspace()

    def _clear(self):
        f = self._field()
        if f is not None:
            f.clear()

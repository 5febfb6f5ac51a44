"""Table models (one QAbstractTableModel per list; never QTableWidget).

`RowTableModel` is the base of the small list models (the counter's coupons, history and member
search here, the paper card wizard's suggestions in ui.migrate, the legacy import's preview,
problems and duplicate groups in ui.legacy_import): a list of rows shown through column specs. A
subclass sets ``self.columns`` in its ``__init__``, translating the titles with its own
``self.tr()`` so each list keeps its translation context."""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from app.clock import parse_iso

RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def local_time(text: str | None) -> str:
    if not text:
        return ""
    return parse_iso(text).astimezone().strftime("%Y/%m/%d %H:%M")


class Column(NamedTuple):
    title: str                   # already translated
    value: Callable[[Any], Any]  # row -> what the cell shows (None shows as "", anything else as str())
    right: bool = False          # right-aligned (amounts, points)


class RowTableModel(QAbstractTableModel):
    """Rows (any objects) in columns given by `columns` (a list of Column). `key(row)`, when given,
    is the row's UserRole value (e.g. a member id)."""

    columns: list[Column] = []
    key: Callable[[Any], Any] | None = None

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def row_at(self, row: int):
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.columns):
            return self.columns[section].title
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            v = col.value(self.rows[index.row()])
            return "" if v is None else str(v)
        if role == Qt.ItemDataRole.TextAlignmentRole and col.right:
            return RIGHT
        if role == Qt.ItemDataRole.UserRole and self.key is not None:
            return self.key(self.rows[index.row()])
        return None


class CouponTableModel(RowTableModel):
    def __init__(self, lang: str = "ja", parent=None):
        super().__init__(parent)
        self.lang = lang
        self.columns = [
            Column(self.tr("Coupon"), lambda c: c.title_ja if self.lang == "ja" else c.title_en),
            Column(self.tr("Value"), lambda c: f"+{c.value:,} pt" if c.kind == "bonus_points" else f"¥{c.value:,}"),
            Column(self.tr("Valid until"), lambda c: local_time(c.expires_at)),
        ]

    def coupon(self, row: int):
        return self.row_at(row)


class HistoryTableModel(RowTableModel):
    def __init__(self, parent=None):
        from ui.texts import texts

        super().__init__(parent)
        self.columns = [
            Column(self.tr("Date"), lambda e: local_time(e.created_at)),
            Column(self.tr("Action"), lambda e: texts().kind(e.kind)),
            Column(self.tr("Points"), lambda e: f"{e.points:+,} pt", right=True),
            Column(self.tr("Amount"), lambda e: f"¥{e.amount_yen:,}" if e.amount_yen else "", right=True),
        ]


def masked_phone(digits: str | None) -> str:
    """090-****-5678: enough for the cashier to confirm with the customer, not to read out."""
    if not digits:
        return ""
    from app.text import format_phone

    parts = format_phone(digits).split("-")
    if len(parts) == 3:
        return f"{parts[0]}-{'*' * len(parts[1])}-{parts[2]}"
    return "*" * max(0, len(digits) - 4) + digits[-4:]


class MemberSearchModel(RowTableModel):
    """The counter's member search results (store.members.find rows); UserRole is the member id."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.key = lambda m: m.id
        self.columns = [
            Column(self.tr("Member no."), lambda m: m.member_no),
            Column(self.tr("Name kana"), lambda m: m.name_kana),
            Column(self.tr("Name"), lambda m: m.name or ""),
            Column(self.tr("Phone"), lambda m: masked_phone(m.phone)),
        ]

    def member(self, row: int):
        return self.row_at(row)

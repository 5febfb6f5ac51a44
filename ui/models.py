"""Table models (one QAbstractTableModel per list; never QTableWidget)."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from app.clock import parse_iso


def local_time(text: str | None) -> str:
    if not text:
        return ""
    return parse_iso(text).astimezone().strftime("%Y/%m/%d %H:%M")


class CouponTableModel(QAbstractTableModel):
    def __init__(self, lang: str = "ja", parent=None):
        super().__init__(parent)
        self.lang = lang
        self.rows: list = []

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else 3

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return (self.tr("Coupon"), self.tr("Value"), self.tr("Valid until"))[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        c = self.rows[index.row()]
        col = index.column()
        if col == 0:
            return c.title_ja if self.lang == "ja" else c.title_en
        if col == 1:
            return f"+{c.value:,} pt" if c.kind == "bonus_points" else f"¥{c.value:,}"
        return local_time(c.expires_at)

    def coupon(self, row: int):
        return self.rows[row] if 0 <= row < len(self.rows) else None


class HistoryTableModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else 4

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return (self.tr("Date"), self.tr("Action"), self.tr("Points"), self.tr("Amount"))[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        from ui.texts import texts

        if not index.isValid():
            return None
        e = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == 0:
            return local_time(e.created_at)
        if col == 1:
            return texts().kind(e.kind)
        if col == 2:
            return f"{e.points:+,} pt"
        return f"¥{e.amount_yen:,}" if e.amount_yen else ""


def masked_phone(digits: str | None) -> str:
    """090-****-5678: enough for the cashier to confirm with the customer, not to read out."""
    if not digits:
        return ""
    from app.text import format_phone

    parts = format_phone(digits).split("-")
    if len(parts) == 3:
        return f"{parts[0]}-{'*' * len(parts[1])}-{parts[2]}"
    return "*" * max(0, len(digits) - 4) + digits[-4:]


class MemberSearchModel(QAbstractTableModel):
    """The counter's member search results (store.members.find rows)."""

    COLUMNS = 4

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []

    def set_rows(self, rows) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return (self.tr("Member no."), self.tr("Name kana"), self.tr("Name"), self.tr("Phone"))[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        m = self.rows[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return m.id
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        col = index.column()
        if col == 0:
            return m.member_no
        if col == 1:
            return m.name_kana
        if col == 2:
            return m.name or ""
        return masked_phone(m.phone)

    def member(self, row: int):
        return self.rows[row] if 0 <= row < len(self.rows) else None

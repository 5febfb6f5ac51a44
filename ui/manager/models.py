"""Table models of the manager screens: one QAbstractTableModel per list (never QTableWidget)."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal

from app.clock import parse_iso
from app.db import Cancelled
from app.services.customers import CustomerFilter
from app.text import format_phone

JST_FMT = "%Y/%m/%d %H:%M"
_DISPLAY = Qt.ItemDataRole.DisplayRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_USER = Qt.ItemDataRole.UserRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def local_time(stamp: str | None, zone=None) -> str:
    if not stamp:
        return ""
    dt = parse_iso(stamp)
    return dt.astimezone(zone).strftime(JST_FMT) if zone else dt.astimezone().strftime(JST_FMT)


def local_date(stamp: str | None, zone=None) -> str:
    """The store-local day of an instant (the customer list's last visit: the time of day is in the
    profile; the list keeps the width for the segments at 1366 px)."""
    return local_time(stamp, zone)[:10]


def yen(v) -> str:
    return "" if v is None else f"¥{int(v):,}"


def pts(v) -> str:
    return "" if v is None else f"{int(v):,} pt"


class _Table(QAbstractTableModel):
    """A model over a list of rows with (id, header, getter) columns."""
    columns: list[tuple[str, str, Callable]] = []

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.rows: list = []

    def headers(self) -> list[str]:
        return [h for _, h, _ in self.columns]

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self.rows)):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            v = self.columns[index.column()][2](self.rows[index.row()])
            return "" if v is None else str(v)
        if role == Qt.ItemDataRole.UserRole:
            return self.rows[index.row()]
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.columns):
            return self.columns[section][1]
        return None

    def row_at(self, row: int):
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def column_index(self, column_id: str) -> int:
        return next(i for i, (cid, _, _) in enumerate(self.columns) if cid == column_id)


class CustomerTableModel(QAbstractTableModel):
    """顧客一覧: a lazy model over store.customers.page(); pages arrive from the runner, keyset
    cursors carry on where the last page ended. Never loads the whole list."""
    count_changed = Signal(int)
    loading_changed = Signal(bool)
    failed = Signal(object)
    replaced = Signal()  # a new search's first page replaced the rows (the view: back to the top)
    PAGE = 200
    FIRST_PAGE = 50  # per keystroke: more than a screen of rows; the rest comes PAGE by PAGE on scrolling

    def __init__(self, store, runner, parent: QObject | None = None, tier_names: dict | None = None,
                 segment_names: dict | None = None, zone=None):
        super().__init__(parent)
        self.store, self.runner = store, runner
        self.filter = CustomerFilter()
        self.sort_key = None
        self.rows: list = []
        self._texts: dict[int, list] = {}  # row → its formatted texts
        self._cursor = None
        self._done = False
        self._loading = False
        self._fresh = True
        self._gen = 0
        self.total: int | None = None
        self.tier_names = tier_names or {}
        self.segment_names = segment_names or {}
        self.zone = zone
        self.columns = [
            ("member_no", self.tr("Member number"), lambda r: r.member_no),
            ("name_kana", self.tr("Name kana"), lambda r: r.name_kana),
            ("name", self.tr("Name"), lambda r: r.name or ""),
            ("phone", self.tr("Phone number"), lambda r: format_phone(r.phone)),
            ("tier", self.tr("Tier"), lambda r: self.tier_names.get(r.tier, r.tier or "")),
            ("balance", self.tr("Balance"), lambda r: pts(r.balance)),
            ("lifetime_spend_yen", self.tr("Lifetime spend"), lambda r: yen(r.lifetime_spend_yen)),
            ("last_visit_at", self.tr("Last visit"), lambda r: local_date(r.last_visit_at, self.zone)),
            ("segments", self.tr("Segments"), lambda r: " ".join(self.segment_names.get(s, s) for s in r.segments)),
            ("home_store_id", self.tr("Home store"), lambda r: r.home_store_id or ""),
        ]

    # -- loading ----------------------------------------------------------------------------
    def set_query(self, f: CustomerFilter | None = None, sort=None) -> None:
        """A new search: its first page replaces the rows when it arrives. No model reset: the rows
        shown stay until then, and the first page goes in as a change of the rows both lists have
        plus an insert or a removal of the difference, so a keystroke repaints the table once, with
        no empty table in between and no scroll bar shown, hidden and shown again (each a resize
        and a repaint of the whole view)."""
        self._gen += 1
        self.filter = f if f is not None else self.filter
        self.sort_key = sort
        self._cursor, self._done, self.total = None, False, None
        self._fresh = True  # the next page to arrive is a first page: it replaces self.rows
        self._loading = False
        self._load(self._gen)  # the first page first: the count (a second query) comes after it

    def refresh(self) -> None:
        self.set_query(self.filter, self.sort_key)

    def _counted(self, gen, n):
        if gen == self._gen and n is not None:
            self.total = n
            self.count_changed.emit(n)

    def _load(self, gen) -> None:
        if self._loading or self._done:
            return
        self._loading = True
        self.loading_changed.emit(True)
        size, offset = (self.FIRST_PAGE, 0) if self._fresh else (self.PAGE, len(self.rows))
        self.runner.run(self._if_current, gen, self.store.customers.page, self.filter, self.sort_key, offset,
                        size, after=self._cursor, on_ok=lambda p: self._arrived(gen, p),
                        on_error=lambda e: self._failed(gen, e))

    def _if_current(self, gen, fn, *args, **kwargs):
        """On the worker: run fn unless the query changed since it was queued (a keystroke typed
        meanwhile), and abandon it if the query changes while it runs (Database.cancel_if: its
        statement is interrupted): the worker is serial, so the next keystroke's page does not
        wait behind the page or count of one nobody will see."""
        if gen != self._gen:
            return None
        try:
            with self.store.db.cancel_if(lambda: gen != self._gen):
                return fn(*args, **kwargs)
        except Cancelled:
            return None  # superseded: _arrived and _counted ignore it

    def _arrived(self, gen, page) -> None:
        if gen != self._gen or page is None:
            return
        self._done = page.done
        self._cursor = page.cursor
        first_page = self._fresh
        if first_page:
            self._fresh = False
            self._replace_rows(page.rows)
        elif page.rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self.rows.extend(page.rows)
            self.endInsertRows()
        self._loading = False  # only now: a view may ask for more while the rows go in
        self.loading_changed.emit(False)
        if first_page:
            if page.done:  # the whole list is on the first page: that is the count
                self._counted(gen, len(self.rows))
            else:
                self.runner.run(self._if_current, gen, self.store.customers.count, self.filter,
                                on_ok=lambda n: self._counted(gen, n),
                                on_error=lambda e: self.failed.emit(e) if gen == self._gen else None)

    def _replace_rows(self, rows: list) -> None:
        """The rows become `rows`: the ones both lists have changed in place (dataChanged), the
        rest inserted or removed."""
        old, new = len(self.rows), len(rows)
        self._texts = {}
        if new < old:
            self.beginRemoveRows(QModelIndex(), new, old - 1)
            del self.rows[new:]
            self.endRemoveRows()
        common = min(old, new)
        if common:
            self.rows[:common] = rows[:common]
            self._texts = {}  # again: a view may have asked for the old rows' texts during the removal
            self.dataChanged.emit(self.index(0, 0), self.index(common - 1, len(self.columns) - 1),
                                  [_DISPLAY, _USER])
        if new > old:
            self.beginInsertRows(QModelIndex(), old, new - 1)
            self.rows.extend(rows[old:])
            self.endInsertRows()
        self.replaced.emit()

    def _failed(self, gen, exc) -> None:
        if gen == self._gen:
            if self._fresh:  # the first page failed: the previous search's rows go
                self._fresh = False
                self._replace_rows([])
            self._loading = False
            self._done = True
            self.loading_changed.emit(False)
            self.failed.emit(exc)

    def canFetchMore(self, parent=QModelIndex()):
        return not parent.isValid() and not self._done and not self._loading

    def fetchMore(self, parent=QModelIndex()):
        if not parent.isValid():
            self._load(self._gen)

    # -- model ------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index, role=_DISPLAY):
        # Called for every role of every visible cell at each paint: roles not shown return at once,
        # and each row's texts are formatted once (the first time it is painted).
        if role == _DISPLAY:
            r = index.row()
            if not index.isValid() or not 0 <= r < len(self.rows):
                return None
            texts = self._texts.get(r)
            if texts is None:
                row = self.rows[r]
                texts = self._texts[r] = [get(row) for _, _, get in self.columns]
            return texts[index.column()]
        if role == _ALIGN:
            if index.isValid() and self.columns[index.column()][0] in ("balance", "lifetime_spend_yen"):
                return _RIGHT
            return None
        if role == _USER and index.isValid() and 0 <= index.row() < len(self.rows):
            return self.rows[index.row()].id
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.columns):
            return self.columns[section][1]
        return None

    def sort(self, column, order=Qt.SortOrder.AscendingOrder):
        from app.services.customers import SORTABLE

        if not 0 <= column < len(self.columns):
            return
        key = self.columns[column][0]
        if key not in SORTABLE:
            return
        self.set_query(self.filter, (key, "desc" if order == Qt.SortOrder.DescendingOrder else "asc"))

    def column_sortable(self, column: int) -> bool:
        from app.services.customers import SORTABLE

        return self.columns[column][0] in SORTABLE

    def member_id(self, row: int) -> str | None:
        return self.rows[row].id if 0 <= row < len(self.rows) else None


class _LazyTable(_Table):
    """A _Table that starts with a first page and, when the view scrolls to its end
    (canFetchMore/fetchMore), asks `fetch(cursor, on_ok, on_error)` for the next one."""

    def __init__(self, parent=None, fetch: Callable | None = None):
        super().__init__(parent)
        self.fetch = fetch
        self.cursor = None
        self._loading = False
        self._gen = 0

    def set_page(self, rows: list, cursor) -> None:
        """The first page; the rest follows on demand."""
        self._gen += 1
        self._loading = False
        self.cursor = cursor
        self.set_rows(rows)

    def canFetchMore(self, parent=QModelIndex()):
        return not parent.isValid() and self.cursor is not None and self.fetch is not None and not self._loading

    def fetchMore(self, parent=QModelIndex()):
        if not self.canFetchMore(parent):
            return
        self._loading = True
        gen = self._gen
        self.fetch(self.cursor, lambda page: self._arrived(gen, page), lambda exc: self._failed(gen))

    def _arrived(self, gen, page) -> None:
        if gen != self._gen:
            return
        if page.rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self.rows.extend(page.rows)
            self.endInsertRows()
        self.cursor = page.cursor
        self._loading = False

    def _failed(self, gen) -> None:
        if gen == self._gen:
            self._loading = False
            self.cursor = None


class HistoryModel(_LazyTable):
    """購買履歴: every ledger entry of a member, newest first, with its breakdown; page by page."""

    def __init__(self, parent=None, zone=None, kind_names: dict | None = None, fetch: Callable | None = None):
        super().__init__(parent, fetch)
        k = kind_names or {}
        self.columns = [
            ("created_at", self.tr("Date and time"), lambda e: local_time(e["created_at"], zone)),
            ("kind", self.tr("Kind"), lambda e: k.get(e["kind"], e["kind"]) + (" ✕" if e["voided"] else "")),
            ("points", self.tr("Points"), lambda e: f"{e['points']:+,} pt"),
            ("amount_yen", self.tr("Amount"), lambda e: yen(e["amount_yen"])),
            ("balance_after", self.tr("Balance after"), lambda e: pts(e["balance_after"])),
            ("breakdown", self.tr("Breakdown"), lambda e: " / ".join(ln.get("label", "") for ln in e["breakdown"])),
            ("reason", self.tr("Reason"), lambda e: e["reason"] or ""),
            ("staff", self.tr("Staff"), lambda e: "" if e["staff_id"] is None else str(e["staff_id"])),
            ("store", self.tr("Store"), lambda e: f"{e['store_id']}/{e['terminal_id']}"),
            ("sync", self.tr("Sync"), lambda e: e["sync_state"]),
        ]


class LotsModel(_LazyTable):
    """ポイントと有効期限: live lots, soonest expiry first; page by page."""

    def __init__(self, parent=None, zone=None, fetch: Callable | None = None):
        super().__init__(parent, fetch)
        self.columns = [
            ("expires_at", self.tr("Expiry"), lambda lt: local_time(lt["expires_at"], zone)),
            ("remaining", self.tr("Remaining"), lambda lt: pts(lt["remaining"])),
            ("points", self.tr("Earned"), lambda lt: pts(lt["points"])),
        ]


class CardsModel(_Table):
    def __init__(self, parent=None, zone=None):
        super().__init__(parent)
        self.columns = [
            ("kind", self.tr("Card"), lambda c: c["kind"]),
            ("number", self.tr("Number"), lambda c: c["number"]),
            ("status", self.tr("Status"), lambda c: c["status"]),
            ("created_at", self.tr("Issued"), lambda c: local_time(c["created_at"], zone)),
        ]


class CouponsModel(_Table):
    def __init__(self, parent=None, zone=None):
        super().__init__(parent)
        self.columns = [
            ("title", self.tr("Coupon"), lambda c: c["title_ja"]),
            ("state", self.tr("Status"), lambda c: c["state"]),
            ("expires_at", self.tr("Expiry"), lambda c: local_time(c["expires_at"], zone)),
            ("used_at", self.tr("Used"), lambda c: local_time(c["used_at"], zone)),
        ]


_CONFLICT_IDS = ("event_id", "entry_id", "first_entry_id", "coupon_id", "type", "resolution", "compensation")


class ConflictsModel(_Table):
    def __init__(self, parent=None, zone=None, kind_names: dict | None = None):
        super().__init__(parent)
        k = kind_names or {}
        self.columns = [
            ("created_at", self.tr("Date and time"), lambda c: local_time(c.created_at, zone)),
            ("kind", self.tr("What happened"), lambda c: k.get(c.kind, c.kind)),
            ("member", self.tr("Member number"), lambda c: c.member_no or ""),
            ("details", self.tr("Details"), self._summary),
            ("status", self.tr("Status"), self._status),
        ]

    def _summary(self, c) -> str:
        """What the manager needs at a glance: the points HQ booked for it, the store involved, the
        reason; the ids stay in the details pane below the list."""
        d = c.details or {}
        parts = []
        comp = [x for x in d.get("compensation") or () if isinstance(x, dict)]
        if comp:
            parts.append(self.tr("HQ booked %1 pt").replace("%1", f"{sum(int(x.get('points') or 0) for x in comp):+,}"))
        elif isinstance(d.get("points"), int):
            parts.append(f"{d['points']:,} pt")
        store = d.get("winner_store") or d.get("other_store")
        if store:
            parts.append(self.tr("store %1").replace("%1", str(store)))
        if d.get("reason"):
            parts.append(self._reason(str(d["reason"])))
        if d.get("card"):
            parts.append(self.tr("card %1").replace("%1", str(d["card"])))
        if not parts:  # another kind: its plain values, without ids (those are in the pane below)
            parts = [f"{a}: {b}" for a, b in d.items() if a not in _CONFLICT_IDS and isinstance(b, (str, int))]
        return ", ".join(parts)

    def _reason(self, code: str) -> str:
        """HQ's reason for refusing an event (hq/service.py Reject), in words; an unknown one as is."""
        return {"unknown_member": self.tr("HQ did not know the member yet"),
                "member_deleted": self.tr("the member's data was deleted at their request"),
                "foreign_terminal": self.tr("sent for another store's terminal"),
                "target_rejected": self.tr("HQ had refused the entry it voids"),
                "rejected_before_restore": self.tr("HQ had refused it before a restore"),
                "unknown_event_type": self.tr("HQ does not know this kind of event"),
                "bad_payload": self.tr("HQ could not read it: a value was missing or not of the right kind"),
                }.get(code, code)

    def _status(self, c) -> str:
        if c.status == "open":
            return self.tr("Not dealt with yet")
        action = ((c.details or {}).get("resolution") or {}).get("action")
        return {"acknowledged": self.tr("Acknowledged"), "contacted": self.tr("Customer contacted"),
                "adjusted": self.tr("Points adjusted"),
                "withdrawn_by_hq": self.tr("Withdrawn by HQ")}.get(action, self.tr("Dealt with"))


class AuditModel(_Table):
    def __init__(self, parent=None, zone=None):
        super().__init__(parent)
        self.columns = [
            ("at", self.tr("Date and time"), lambda a: local_time(a.at, zone)),
            ("staff", self.tr("Staff"), lambda a: "" if a.staff_id is None else str(a.staff_id)),
            ("terminal", self.tr("Terminal"), lambda a: a.terminal_id or ""),
            ("action", self.tr("Action"), lambda a: a.action),
            ("object", self.tr("Object"), lambda a: f"{a.object_type or ''} {a.object_id or ''}".strip()),
            ("after", self.tr("Details"), lambda a: "" if a.after is None else str(a.after)),
        ]


class ReportsModel(_Table):
    def __init__(self, parent=None, zone=None):
        super().__init__(parent)
        self.columns = [
            ("kind", self.tr("Report"), lambda r: self.tr("Daily report") if r.kind == "daily"
             else self.tr("Month-end report")),
            ("period", self.tr("Period"), lambda r: r.period.replace("-", "/")),
            ("generated_at", self.tr("Generated"), lambda r: local_time(r.generated_at, zone)),
            ("files", self.tr("Files"), lambda r: " ".join(x for x in ("PDF" if r.pdf_path else "",
                                                                      "CSV" if r.csv_path else "") if x)),
        ]

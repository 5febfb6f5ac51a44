"""顧客一覧 (CustomersWindow), 顧客詳細 (ProfileDialog) and ポイント調整 (AdjustDialog)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis, QBarSeries, QBarSet, \
    QBarCategoryAxis
from PySide6.QtCore import QCoreApplication, QDate, QDateTime, Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox, QPlainTextEdit,
                               QPushButton, QSpinBox, QTableView, QTabWidget, QVBoxLayout, QWidget)

from app.errors import TsumugiError
from app.ids import new_key
from app.services.customers import COLUMNS, PERSONAL_COLUMNS, CustomerFilter
from app.text import format_phone

from .models import CardsModel, CouponsModel, CustomerTableModel, HistoryModel, LotsModel, local_time, pts, yen

DEBOUNCE_MS = 250


def error_text(widget, exc: BaseException) -> str:
    """A service's refusal in the screen language (fixed context: called from several widget classes)."""
    known = {
        "permission_denied": QCoreApplication.translate("Manager", "Only a store manager can do this."),
        "reason_required": QCoreApplication.translate("Manager", "Please enter a reason."),
        "zero_adjustment": QCoreApplication.translate("Manager", "Enter a number of points other than 0."),
        "insufficient_balance": QCoreApplication.translate("Manager", "The member does not have enough points."),
        "already_resolved": QCoreApplication.translate("Manager", "This item was already dealt with."),
    }
    code = getattr(exc, "code", None)
    if code in known:
        return known[code]
    from ui.texts import texts

    return texts().error(exc)  # the counter's sentences for every other code


def tier_names(widget, store) -> dict:
    """Tier id → the name HQ gave it in the rule set, in the screen language."""
    from ui import i18n

    ja = i18n.current() == "ja"
    try:
        return {t.id: t.name_ja if ja else t.name_en for t in store.rules.current().tiers}
    except Exception:
        return {}


def segment_names(widget) -> dict:
    return {"vip": QCoreApplication.translate("Manager", "VIP (top 10%)"), "churn_risk": QCoreApplication.translate("Manager", "Churn risk"), "win_back": QCoreApplication.translate("Manager", "Win-back")}


def zone_of(store):
    try:
        return store.rules.current().zone
    except Exception:
        return None


def size_columns(view: QTableView, columns, samples: dict, stretch: str | None = None) -> None:
    """Readable columns: each wide enough for its header and its usual widest value (`samples`, by
    column id), one line per row; the `stretch` column goes last and takes the rest of the width."""
    header = view.horizontalHeader()
    view.setWordWrap(False)
    # The app's style sheet sets the font (18 px) when a widget is polished, which is at its first
    # show: measured before that, the samples come out in the 9 pt default and the columns too narrow.
    view.ensurePolished()
    header.ensurePolished()
    fm, hfm = view.fontMetrics(), header.fontMetrics()
    view.verticalHeader().setDefaultSectionSize(fm.height() + 10)
    for col, (key, title, _) in enumerate(columns):
        # + 12: the cell's own margins and a little air (at 1366 px, the usual shop PC, with the
        # app's CJK font and the vertical scroll bar always there, the segments keep their header's width)
        header.resizeSection(col, max(fm.horizontalAdvance(samples.get(key, "")), hfm.horizontalAdvance(title) + 16) + 12)
        if key == stretch:
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
            header.moveSection(header.visualIndex(col), len(columns) - 1)


class CustomersWindow(QWidget):
    """顧客一覧: search as you type (kana, phone, member number, card number), filters, sortable
    columns, a lazy table; double-click opens the profile."""
    profile_requested = Signal(str)

    def __init__(self, store, actor, runner, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.runner = store, actor, runner
        self.setObjectName("manager-customers")
        self.zone = zone_of(store)
        self.search = QLineEdit(placeholderText=self.tr("Search: name kana, phone number, member number or card number"))
        self.search.setClearButtonEnabled(True)
        self.tier = QComboBox()
        self.tier.addItem(self.tr("All tiers"), None)
        for tid, name in tier_names(self, store).items():
            self.tier.addItem(name, tid)
        self.tier.addItem(self.tr("No rank"), "")
        self.segment = QComboBox()
        self.segment.addItem(self.tr("All segments"), None)
        self.seg_names = segment_names(self)
        for sid, name in self.seg_names.items():
            self.segment.addItem(name, sid)
        self.consent = QComboBox()
        self.consent.addItem(self.tr("Marketing consent: any"), None)
        self.consent.addItem(self.tr("Consented"), True)
        self.consent.addItem(self.tr("Not consented"), False)
        self.store_box = QComboBox()
        self.store_box.addItem(self.tr("All home stores"), None)
        self.visit_on = QCheckBox(self.tr("Last visit"))
        self.visit_from = QDateEdit(calendarPopup=True)
        self.visit_to = QDateEdit(calendarPopup=True)
        for w in (self.visit_from, self.visit_to):
            w.setDisplayFormat("yyyy/MM/dd")
            w.setEnabled(False)
        self.visit_from.setDate(QDate.currentDate().addDays(-90))
        self.visit_to.setDate(QDate.currentDate())
        self.count_label = QLabel()
        self.export_btn = QPushButton(self.tr("Export CSV…"))
        self.refresh_btn = QPushButton(self.tr("Refresh segments"))
        self.model = CustomerTableModel(store, runner, self, tier_names=tier_names(self, store),
                                        segment_names=self.seg_names, zone=self.zone)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSortingEnabled(False)
        self.view.horizontalHeader().setSectionsClickable(True)
        self.view.horizontalHeader().sectionClicked.connect(self._header_clicked)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # one height, never measured
        # Always there: a keystroke whose first page is shorter than the view would hide it and the
        # next one show it again, each time resizing the viewport and repainting it whole.
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._size_columns()
        self.model.replaced.connect(self._rows_replaced)
        self.view.doubleClicked.connect(self._open_row)
        self._sort_col, self._sort_desc = None, False

        top = QHBoxLayout()
        top.addWidget(self.search, 3)
        top.addWidget(self.tier)
        top.addWidget(self.segment)
        top.addWidget(self.consent)
        top.addWidget(self.store_box)
        row2 = QHBoxLayout()
        row2.addWidget(self.visit_on)
        row2.addWidget(self.visit_from)
        row2.addWidget(QLabel("〜"))
        row2.addWidget(self.visit_to)
        row2.addStretch(1)
        row2.addWidget(self.count_label)
        row2.addWidget(self.refresh_btn)
        row2.addWidget(self.export_btn)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(row2)
        lay.addWidget(self.view, 1)

        self.debounce = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self.debounce.timeout.connect(self.apply)
        self.search.textChanged.connect(lambda _: self.debounce.start())
        for box in (self.tier, self.segment, self.consent, self.store_box):
            box.currentIndexChanged.connect(lambda _: self.apply())
        self.visit_on.toggled.connect(self._visit_toggled)
        self.visit_from.dateChanged.connect(lambda _: self.visit_on.isChecked() and self.apply())
        self.visit_to.dateChanged.connect(lambda _: self.visit_on.isChecked() and self.apply())
        self.model.count_changed.connect(self._show_count)
        self.model.failed.connect(lambda e: self.count_label.setText(error_text(self, e)))
        self.export_btn.clicked.connect(self.export)
        self.refresh_btn.clicked.connect(self.refresh_segments)
        self.profile_requested.connect(self.open_profile)
        self.load_options()
        self.apply()

    # Widest values each column shows in practice (full-width kana names, 7-digit balances...).
    COLUMN_SAMPLES = {"member_no": "00100000000", "name_kana": "ワタナベ ショウタロウ", "name": "渡辺 翔太郎",
                      "phone": "090-0000-0000", "tier": "ゴールド", "balance": "1,000,000 pt",
                      "lifetime_spend_yen": "¥10,000,000", "last_visit_at": "2026/11/22",
                      "home_store_id": "S0001"}

    def _size_columns(self) -> None:
        size_columns(self.view, self.model.columns, self.COLUMN_SAMPLES, "segments")

    def load_options(self) -> None:
        self.runner.run(self.store.customers.filter_options, on_ok=self._options)

    def _options(self, opts: dict) -> None:
        counts = opts.get("segments") or {}
        for i in range(1, self.segment.count()):
            sid = self.segment.itemData(i)
            self.segment.setItemText(i, f"{self.seg_names[sid]} ({counts.get(sid, 0):,})" if counts
                                     else self.seg_names[sid])
        have = {self.store_box.itemData(i) for i in range(self.store_box.count())}
        self.store_box.blockSignals(True)
        for sid in opts.get("home_stores", []):
            if sid not in have:
                self.store_box.addItem(sid, sid)
        self.store_box.blockSignals(False)

    def _visit_toggled(self, on: bool) -> None:
        self.visit_from.setEnabled(on)
        self.visit_to.setEnabled(on)
        self.apply()

    def current_filter(self) -> CustomerFilter:
        vf = vt = None
        if self.visit_on.isChecked():
            vf = self.visit_from.date().toPython()
            vt = self.visit_to.date().toPython()
        return CustomerFilter(text=self.search.text(), tier=self.tier.currentData(), segment=self.segment.currentData(),
                              consent=self.consent.currentData(), home_store_id=self.store_box.currentData(),
                              last_visit_from=vf, last_visit_to=vt)

    def _sort(self):
        if self._sort_col is None:
            return None
        return (self.model.columns[self._sort_col][0], "desc" if self._sort_desc else "asc")

    def apply(self) -> None:
        self.debounce.stop()
        self.count_label.setText(self.tr("Searching…"))
        self.model.set_query(self.current_filter(), self._sort())

    def _rows_replaced(self) -> None:
        """A new search's rows are in (in place of the previous ones): nothing selected, from the top."""
        self.view.clearSelection()
        self.view.scrollToTop()

    def _header_clicked(self, col: int) -> None:
        if not self.model.column_sortable(col):
            return
        self._sort_desc = (not self._sort_desc) if self._sort_col == col else False
        self._sort_col = col
        self.view.horizontalHeader().setSortIndicatorShown(True)
        self.view.horizontalHeader().setSortIndicator(
            col, Qt.SortOrder.DescendingOrder if self._sort_desc else Qt.SortOrder.AscendingOrder)
        self.apply()

    def _show_count(self, n: int) -> None:
        from app.services.customers import COUNT_CAP

        text = self.tr("%1 members").replace("%1", f"{n:,}")
        if n >= COUNT_CAP:
            text = self.tr("More than %1 members").replace("%1", f"{COUNT_CAP - 1:,}")
        self.count_label.setText(text)

    def _open_row(self, index) -> None:
        mid = self.model.member_id(index.row())
        if mid:
            self.profile_requested.emit(mid)

    def open_profile(self, member_id: str) -> "ProfileDialog":
        dlg = ProfileDialog(self.store, self.actor, self.runner, member_id, self)
        dlg.changed.connect(self.model.refresh)
        dlg.show()
        return dlg

    def refresh_segments(self) -> None:
        self.refresh_btn.setEnabled(False)
        self.count_label.setText(self.tr("Refreshing segments…"))

        def done(_=None):
            self.refresh_btn.setEnabled(True)
            self.load_options()
            self.apply()

        self.runner.run(self.store.segments.refresh, on_ok=done,
                        on_error=lambda e: (done(), self.count_label.setText(error_text(self, e))))

    def export(self, path: str | None = None, columns: list[str] | None = None) -> None:
        if columns is None:
            dlg = ExportDialog(self)
            if dlg.exec() != QDialog.DialogCode.Accepted:
                return
            columns = dlg.columns()
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export CSV"), "customers.csv", "CSV (*.csv)")
            if not path:
                return
        self.runner.run(self.store.customers.export_csv, self.actor, self.current_filter(), columns, path,
                        sort=self._sort(),
                        on_ok=lambda n: self.count_label.setText(self.tr("Exported %1 members").replace("%1", f"{n:,}")),
                        on_error=lambda e: QMessageBox.warning(self, self.tr("Export CSV"), error_text(self, e)))


class ExportDialog(QDialog):
    """Choose the columns; personal data columns are unticked until chosen explicitly."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export CSV"))
        lay = QVBoxLayout(self)
        names = {"member_no": self.tr("Member number"), "name": self.tr("Name"), "name_kana": self.tr("Name kana"),
                 "phone": self.tr("Phone number"), "email": self.tr("E-mail"), "birthday": self.tr("Birthday"),
                 "tier": self.tr("Tier"), "balance": self.tr("Balance"), "lifetime_spend_yen": self.tr("Lifetime spend"),
                 "last_visit_at": self.tr("Last visit"), "home_store_id": self.tr("Home store"),
                 "consent_marketing": self.tr("Marketing consent"), "created_at": self.tr("Registered"),
                 "segments": self.tr("Segments"), "rfm": self.tr("RFM"), "churn_score": self.tr("Churn score")}
        self.boxes = {}
        lay.addWidget(QLabel(self.tr("Personal data (name, kana, phone, e-mail, birthday) is exported only "
                                     "when you tick it. The export is recorded in the audit log.")))
        for c in COLUMNS:
            box = QCheckBox(names.get(c, c) + (" ⚠" if c in PERSONAL_COLUMNS else ""))
            box.setChecked(c not in PERSONAL_COLUMNS)
            self.boxes[c] = box
            lay.addWidget(box)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        bb.accepted.connect(self.accept)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)

    def columns(self) -> list[str]:
        return [c for c, b in self.boxes.items() if b.isChecked()]


class ProfileDialog(QDialog):
    """顧客詳細: details (editable, audited per field), cards, balance with 未反映, lots and expiry,
    coupons, full history with breakdowns, and a chart of points and spend over time."""
    changed = Signal()
    loaded = Signal()  # the details, balance, lots, coupons, cards and the newest history are on screen
    chart_loaded = Signal()
    HISTORY_PAGE = 200  # entries per history page (the first comes with the profile)
    COLUMN_SAMPLES = {"created_at": "2026/11/22 19:41", "kind": "紙カード移行 ✕", "points": "+10,000 pt",
                      "amount_yen": "¥100,000", "balance_after": "1,000,000 pt", "staff": "000",
                      "store": "S0001/T01", "sync": "pending", "expires_at": "2026/11/22 19:41",
                      "remaining": "10,000 pt", "state": "available", "used_at": "2026/11/22 19:41",
                      "number": "2900000000000", "status": "migrated", "reason": "お詫び"}

    def __init__(self, store, actor, runner, member_id: str, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.runner, self.member_id = store, actor, runner, member_id
        self.zone = zone_of(store)
        self.profile = None
        self.setWindowTitle(self.tr("Customer details"))
        self.resize(980, 720)
        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.PlainText)
        self.balance = QLabel()
        self.tabs = QTabWidget()
        # details
        details = QWidget()
        form = QFormLayout(details)
        self.f_name = QLineEdit()
        self.f_kana = QLineEdit()
        self.f_phone = QLineEdit()
        self.f_email = QLineEdit()
        self.f_birthday = QLineEdit(placeholderText="YYYY-MM-DD")
        self.f_consent = QCheckBox(self.tr("Marketing consent"))
        self.info = QLabel()
        form.addRow(self.tr("Name"), self.f_name)
        form.addRow(self.tr("Name kana"), self.f_kana)
        form.addRow(self.tr("Phone number"), self.f_phone)
        form.addRow(self.tr("E-mail"), self.f_email)
        form.addRow(self.tr("Birthday"), self.f_birthday)
        form.addRow("", self.f_consent)
        form.addRow(self.info)
        self.save_btn = QPushButton(self.tr("Save changes"))
        self.adjust_btn = QPushButton(self.tr("Adjust points…"))
        self.message = QLabel()
        btns = QHBoxLayout()
        btns.addWidget(self.save_btn)
        btns.addWidget(self.adjust_btn)
        btns.addStretch(1)
        form.addRow(btns)
        form.addRow(self.message)
        self.tabs.addTab(details, self.tr("Details"))
        self.history_model = HistoryModel(self, self.zone, kind_names=kind_names(self), fetch=self._fetch_history)
        self.lots_model = LotsModel(self, self.zone, fetch=self._fetch_lots)
        self.cards_model = CardsModel(self, self.zone)
        self.coupons_model = CouponsModel(self, self.zone)
        for model, title, stretch in ((self.history_model, self.tr("Purchase history"), "breakdown"),
                                      (self.lots_model, self.tr("Points and expiry"), None),
                                      (self.coupons_model, self.tr("Coupons"), "title"),
                                      (self.cards_model, self.tr("Cards"), None)):
            v = QTableView()
            v.setModel(model)
            v.verticalHeader().setVisible(False)
            v.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
            size_columns(v, model.columns, self.COLUMN_SAMPLES, stretch)
            self.tabs.addTab(v, title)
        self.chart = QChart()
        self.chart.setTitle(self.tr("Points and spend over time"))
        self.chart_view = QChartView(self.chart)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.tabs.addTab(self.chart_view, self.tr("Chart"))
        lay = QVBoxLayout(self)
        lay.addWidget(self.header)
        lay.addWidget(self.balance)
        lay.addWidget(self.tabs, 1)
        self.save_btn.clicked.connect(self.save)
        self.adjust_btn.clicked.connect(self.adjust)
        self.reload()

    def reload(self) -> None:
        self.runner.run(self.store.customers.profile, self.member_id, history_limit=self.HISTORY_PAGE,
                        on_ok=self._show,
                        on_error=lambda e: self.message.setText(error_text(self, e)))

    def _show(self, p) -> None:
        self.profile = p
        m = p.member
        tiers = tier_names(self, self.store)
        self.header.setText(f"{m['member_no']}   {m['name_kana']}   {m['name'] or ''}   "
                            f"{tiers.get(m['tier'], m['tier'] or '')}")
        b = p.balance
        self.balance.setText(self.tr("Balance: %1 (pending: %2)   Expiring within 30 days: %3")
                             .replace("%1", pts(b["balance"])).replace("%2", pts(b["pending"]))
                             .replace("%3", pts(b["expiring_30d"])))
        self.f_name.setText(m["name"] or "")
        self.f_kana.setText(m["name_kana"] or "")
        self.f_phone.setText(format_phone(m["phone"]))
        self.f_email.setText(m["email"] or "")
        self.f_birthday.setText(m["birthday"] or "")
        self.f_consent.setChecked(bool(m["consent_marketing"]))
        seg = p.segments
        segs = ""
        if seg:
            names = segment_names(self)
            segs = self.tr("RFM %1  Churn score %2  %3").replace("%1", f"{seg['rfm_r']}{seg['rfm_f']}{seg['rfm_m']}") \
                .replace("%2", str(seg["churn_score"])).replace("%3", " ".join(names.get(s, s) for s in seg["segments"]))
        self.info.setText(self.tr("Registered %1 · Last visit %2 · Lifetime spend %3 · %4 entries")
                          .replace("%1", local_time(m["created_at"], self.zone))
                          .replace("%2", local_time(m["last_visit_at"], self.zone) or "—")
                          .replace("%3", yen(m["lifetime_spend_yen"])).replace("%4", f"{p.entry_count:,}")
                          + ("\n" + segs if segs else ""))
        self.history_model.set_page(p.history, p.history_cursor)
        self.lots_model.set_page(p.lots, p.lots_cursor)
        self.cards_model.set_rows(p.cards)
        self.coupons_model.set_rows(p.coupons)
        self.loaded.emit()
        # The chart's series (grouped per day in SQL) after the screen is up.
        self.runner.run(self.store.customers.chart_series, self.member_id, on_ok=self._chart,
                        on_error=lambda e: self.message.setText(error_text(self, e)))

    def _fetch_lots(self, cursor, on_ok, on_error) -> None:
        self.runner.run(self.store.customers.lots_page, self.member_id, cursor, on_ok=on_ok,
                        on_error=lambda e: (on_error(e), self.message.setText(error_text(self, e))))

    def _fetch_history(self, cursor, on_ok, on_error) -> None:
        self.runner.run(self.store.customers.history_page, self.member_id, cursor, self.HISTORY_PAGE, on_ok=on_ok,
                        on_error=lambda e: (on_error(e), self.message.setText(error_text(self, e))))

    def _chart(self, series) -> None:
        """Balance at the end of each day with entries and spend per month (ChartSeries)."""
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        zone = self.zone or timezone.utc

        def day_ms(day: str) -> float:  # noon of the store-local day (QDateTime per point is slow)
            y, m, d = (int(v) for v in day.split("-"))
            return datetime(y, m, d, 12, tzinfo=zone).timestamp() * 1000

        points = QLineSeries()
        points.setName(self.tr("Balance (pt)"))
        step = max(1, len(series.points) // 2000)  # a few thousand points are plenty on screen
        for i, (day, bal) in enumerate(series.points):
            if i % step == 0 or i == len(series.points) - 1:
                points.append(day_ms(day), bal)
        chart.addSeries(points)
        x = QDateTimeAxis()
        x.setFormat("yyyy/MM")
        y = QValueAxis()
        y.setLabelFormat("%d")
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        points.attachAxis(x)
        points.attachAxis(y)
        spend = QLineSeries()
        spend.setName(self.tr("Spend per month (¥)"))
        for month, yen_, _ in series.spend:
            spend.append(day_ms(month + "-15"), yen_)
        chart.addSeries(spend)
        y2 = QValueAxis()
        y2.setLabelFormat("%d")  # the series name says ¥; a non-ASCII format comes out garbled
        chart.addAxis(y2, Qt.AlignmentFlag.AlignRight)
        spend.attachAxis(x)
        spend.attachAxis(y2)
        if series.points:
            first, last = day_ms(series.points[0][0]), day_ms(series.points[-1][0])
            x.setRange(QDateTime.fromMSecsSinceEpoch(int(first) - 86_400_000 * 15),
                       QDateTime.fromMSecsSinceEpoch(int(last) + 86_400_000 * 15))
            y.setRange(0, max(1, max(b for _, b in series.points)) * 1.1)
        y2.setRange(0, max([1] + [s for _, s, _ in series.spend]) * 1.1)
        self.chart_loaded.emit()

    def edits(self) -> dict:
        m = self.profile.member if self.profile else {}
        fields = {"name": self.f_name.text(), "name_kana": self.f_kana.text(), "phone": self.f_phone.text(),
                  "email": self.f_email.text(), "birthday": self.f_birthday.text(),
                  "consent_marketing": self.f_consent.isChecked()}
        current = {"name": m.get("name") or "", "name_kana": m.get("name_kana") or "",
                   "phone": format_phone(m.get("phone")), "email": m.get("email") or "",
                   "birthday": m.get("birthday") or "", "consent_marketing": bool(m.get("consent_marketing"))}
        return {k: v for k, v in fields.items() if v != current[k]}

    def save(self) -> None:
        changed = self.edits()
        if not changed:
            self.message.setText(self.tr("Nothing changed."))
            return

        def ok(_):
            self.message.setText(self.tr("Saved."))
            self.changed.emit()
            self.reload()

        self.runner.run(self.store.members.update, self.actor, self.member_id, **changed, on_ok=ok,
                        on_error=lambda e: self.message.setText(error_text(self, e)))

    def adjust(self) -> "AdjustDialog":
        dlg = AdjustDialog(self.store, self.actor, self.runner, self.member_id, self)
        dlg.done_adjusting.connect(lambda _: (self.changed.emit(), self.reload()))
        dlg.show()
        return dlg


def kind_names(w) -> dict:
    return {"earn": QCoreApplication.translate("Manager", "Earn"), "redeem": QCoreApplication.translate("Manager", "Redeem"), "adjust": QCoreApplication.translate("Manager", "Adjustment"), "void": QCoreApplication.translate("Manager", "Void"),
            "expire": QCoreApplication.translate("Manager", "Expired"), "migrate": QCoreApplication.translate("Manager", "Paper card migration"), "coupon": QCoreApplication.translate("Manager", "Coupon")}


class AdjustDialog(QDialog):
    """ポイント調整（理由）: points ± with a required reason and an optional note → store.ledger.adjust.
    The idempotency key is made when the dialog opens, so pressing OK twice adjusts once."""
    done_adjusting = Signal(object)

    def __init__(self, store, actor, runner, member_id: str, parent=None):
        super().__init__(parent)
        self.store, self.actor, self.runner, self.member_id = store, actor, runner, member_id
        self.key = new_key()
        self.setWindowTitle(self.tr("Adjust points"))
        self.points = QSpinBox()
        self.points.setRange(-1_000_000, 1_000_000)
        self.points.setSuffix(" pt")
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems([self.tr("Apology for a complaint"), self.tr("Correction of a wrong entry"),
                              self.tr("Points not awarded at the register"), self.tr("Goodwill gesture")])
        self.reason.setCurrentText("")
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText(self.tr("Note (optional)"))
        self.note.setMaximumHeight(80)
        self.message = QLabel()
        self.message.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(self.tr("Points (+ to add, − to take away)"), self.points)
        form.addRow(self.tr("Reason (required)"), self.reason)
        form.addRow(self.tr("Note"), self.note)
        form.addRow(self.message)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def submit(self) -> None:
        if not self.reason.currentText().strip():
            self.message.setText(self.tr("Please enter a reason."))
            return
        if self.points.value() == 0:
            self.message.setText(self.tr("Enter a number of points other than 0."))
            return
        self.buttons.setEnabled(False)

        def ok(result):
            self.done_adjusting.emit(result)
            self.accept()

        def bad(exc):
            self.buttons.setEnabled(True)
            self.message.setText(error_text(self, exc))

        self.runner.run(self.store.ledger.adjust, self.actor, self.member_id, self.points.value(),
                        self.reason.currentText().strip(), self.key, note=self.note.toPlainText().strip() or None,
                        on_ok=ok, on_error=bad)

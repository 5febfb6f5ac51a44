"""Back office: legacy ledger import (旧台帳の取込) — file, encoding, column mapping with a preview,
validation report, duplicate groups with a decision each, dry run, and the real run with a
progress bar and a cancel button. Services only (app.legacy_import); every job runs on the DB
executor thread; progress comes back by a queued signal.

    w = LegacyImportWindow(ctx, parent)     # ctx.actor must be a manager to commit
    w.show()
"""
from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.models import Column, RowTableModel

ENCODINGS = (("", "Auto"), ("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (BOM)"), ("cp932", "Shift_JIS (CP932)"))


class PreviewModel(RowTableModel):
    """The first rows as they will be stored."""
    FIELDS = ("row", "name", "name_kana", "phone", "email", "birthday", "card_number", "points", "last_visit")

    def __init__(self, parent=None):
        super().__init__(parent)
        titles = (self.tr("Row"), self.tr("Name"), self.tr("Name kana"), self.tr("Phone number"), self.tr("E-mail"),
                  self.tr("Birthday"), self.tr("Card number"), self.tr("Points"), self.tr("Last visit"))
        self.columns = [Column(t, lambda row, f=f: row.get(f)) for t, f in zip(titles, self.FIELDS)]
        self.columns.append(Column(self.tr("Problems"), lambda row: ", ".join(i["code"] for i in row.get("issues", []))))


class IssueModel(RowTableModel):
    """The validation report: row, column, reason."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.columns = [
            Column(self.tr("Row"), lambda i: i.row_no),
            Column(self.tr("Column"), lambda i: i.column or ""),
            Column(self.tr("Value"), lambda i: i.value),
            Column(self.tr("Reason"), lambda i: reason_text(self, i.code, i.params)),
        ]


class GroupModel(RowTableModel):
    """Duplicate groups (重複) and the decision for each."""

    def __init__(self, parent=None):
        super().__init__(parent)
        why = {"phone": self.tr("phone"), "email": self.tr("e-mail"), "kana_birthday": self.tr("kana + birthday")}
        self.columns = [
            Column(self.tr("Group"), lambda g: g.id),
            Column(self.tr("Rows"), lambda g: ", ".join(map(str, g.rows))),
            Column(self.tr("Existing members"), lambda g: ", ".join(e["member_no"] for e in g.existing)),
            Column(self.tr("Same"), lambda g: ", ".join(why.get(r, r) for r in g.reasons)),
            Column(self.tr("Decision"), lambda g: decision_text(self, g.decision)),
        ]


def decision_text(obj, d: str) -> str:
    return {"merge": QCoreApplication.translate("LegacyImport", "Merge (名寄せ)"), "separate": QCoreApplication.translate("LegacyImport", "Keep separate"), "skip": QCoreApplication.translate("LegacyImport", "Skip")}.get(d, d)


def reason_text(obj, code: str, params: dict | None = None) -> str:
    p = params or {}
    texts = {
        "missing_kana": QCoreApplication.translate("LegacyImport", "No name kana, and the name is not in kana."),
        "bad_kana": QCoreApplication.translate("LegacyImport", "Name kana must be written in kana."),
        "bad_phone": QCoreApplication.translate("LegacyImport", "The phone number does not look right."),
        "bad_email": QCoreApplication.translate("LegacyImport", "The e-mail address does not look right."),
        "bad_date": QCoreApplication.translate("LegacyImport", "Not a real date."),
        "future_date": QCoreApplication.translate("LegacyImport", "The date is in the future."),
        "bad_points": QCoreApplication.translate("LegacyImport", "Points must be a whole number."),
        "negative_points": QCoreApplication.translate("LegacyImport", "Points cannot be negative."),
        "too_many_points": QCoreApplication.translate("LegacyImport", "Too many points for one member."),
        "bad_stamps": QCoreApplication.translate("LegacyImport", "Stamps must be a whole number."),
        "bad_card_number": QCoreApplication.translate("LegacyImport", "The card number does not look right."),
        "bad_check_digit": QCoreApplication.translate("LegacyImport", "The card number's check digit is wrong."),
        "card_revoked": QCoreApplication.translate("LegacyImport", "This card was cancelled."),
        "duplicate_row": QCoreApplication.translate("LegacyImport", "The same row appears earlier in the file."),
        "duplicate_skipped": QCoreApplication.translate("LegacyImport", "Duplicate, skipped."),
    }
    if code == "card_already_migrated":
        return QCoreApplication.translate("LegacyImport", "Card already migrated (移行済み) on %1 at store %2 to member %3.").replace(
            "%1", str(p.get("migrated_at") or "?")[:10]).replace("%2", str(p.get("store_id") or "?")).replace(
            "%3", str(p.get("member_no") or "?"))
    if code == "duplicate_card_in_file":
        return QCoreApplication.translate("LegacyImport", "The same card number is on row %1.").replace("%1", str(p.get("first_row", "?")))
    return texts.get(code, code)


class LegacyImportWindow(QWidget):
    _progress = Signal(str, int, int)

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        from app.legacy_import import FIELDS

        self.ctx = ctx
        self.job = None            # app.legacy_import.LegacyImport
        self.analysis = None
        self.cancel_event: threading.Event | None = None
        self.last_report: dict | None = None
        self.busy = False
        self.setWindowTitle(self.tr("Legacy ledger import"))
        self.setObjectName("legacyImport")
        self._progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        lay = QVBoxLayout(self)

        top = QHBoxLayout()
        self.file_label = QLabel(self.tr("No file chosen."))
        top.addWidget(self.file_label, 1)
        self.encoding_box = QComboBox()
        for value, label in ENCODINGS:
            self.encoding_box.addItem(self.tr("Auto") if not value else label, value)
        self.encoding_box.currentIndexChanged.connect(self._reload)
        top.addWidget(QLabel(self.tr("Encoding")))
        top.addWidget(self.encoding_box)
        self.choose_button = QPushButton(self.tr("Choose file…"))
        self.choose_button.clicked.connect(self.choose_file)
        top.addWidget(self.choose_button)
        lay.addLayout(top)

        self.tabs = QTabWidget()
        lay.addWidget(self.tabs, 1)
        # mapping + preview
        mp = QWidget()
        ml = QVBoxLayout(mp)
        form = QFormLayout()
        self.field_boxes: dict[str, QComboBox] = {}
        names = {"name": self.tr("Name"), "name_kana": self.tr("Name kana"), "phone": self.tr("Phone number"),
                 "email": self.tr("E-mail"), "birthday": self.tr("Birthday"), "card_number": self.tr("Card number"),
                 "points": self.tr("Points"), "stamps": self.tr("Stamps"), "last_visit": self.tr("Last visit"),
                 "consent_marketing": self.tr("Marketing consent")}
        for f in FIELDS:
            box = QComboBox()
            box.currentIndexChanged.connect(self._mapping_changed)
            self.field_boxes[f] = box
            form.addRow(names[f], box)
        ml.addLayout(form)
        mb = QHBoxLayout()
        self.load_mapping_button = QPushButton(self.tr("Load mapping…"))
        self.load_mapping_button.clicked.connect(self.load_mapping)
        self.save_mapping_button = QPushButton(self.tr("Save mapping…"))
        self.save_mapping_button.clicked.connect(self.save_mapping)
        mb.addWidget(self.load_mapping_button)
        mb.addWidget(self.save_mapping_button)
        mb.addStretch(1)
        ml.addLayout(mb)
        self.preview = PreviewModel(self)
        self.preview_view = self._table(self.preview)
        ml.addWidget(self.preview_view, 1)
        self.tabs.addTab(mp, self.tr("Column mapping"))
        # validation report
        self.issues = IssueModel(self)
        self.issues_view = self._table(self.issues)
        self.tabs.addTab(self.issues_view, self.tr("Problems"))
        # duplicates
        dp = QWidget()
        dl = QVBoxLayout(dp)
        self.groups = GroupModel(self)
        self.groups_view = self._table(self.groups)
        dl.addWidget(self.groups_view, 1)
        db = QHBoxLayout()
        db.addWidget(QLabel(self.tr("Default")))
        self.default_box = QComboBox()
        self.decision_box = QComboBox()
        for d in ("merge", "separate", "skip"):
            self.default_box.addItem(decision_text(self, d), d)
            self.decision_box.addItem(decision_text(self, d), d)
        self.default_box.currentIndexChanged.connect(self._default_changed)
        db.addWidget(self.default_box)
        db.addStretch(1)
        db.addWidget(QLabel(self.tr("Selected group")))
        db.addWidget(self.decision_box)
        self.apply_decision_button = QPushButton(self.tr("Apply"))
        self.apply_decision_button.clicked.connect(self.apply_decision)
        db.addWidget(self.apply_decision_button)
        dl.addLayout(db)
        self.tabs.addTab(dp, self.tr("Duplicates"))

        bottom = QHBoxLayout()
        self.bad_rows_box = QComboBox()
        self.bad_rows_box.addItem(self.tr("Skip bad rows"), "skip")
        self.bad_rows_box.addItem(self.tr("Stop if any row is bad"), "stop")
        bottom.addWidget(self.bad_rows_box)
        self.summary_label = QLabel("")
        self.summary_label.setWordWrap(True)
        bottom.addWidget(self.summary_label, 1)
        lay.addLayout(bottom)
        run = QHBoxLayout()
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setValue(0)
        run.addWidget(self.progress_bar, 1)
        self.dry_run_button = QPushButton(self.tr("Dry run (no changes)"))
        self.dry_run_button.clicked.connect(self.dry_run)
        self.commit_button = QPushButton(self.tr("Import"))
        self.commit_button.clicked.connect(self.commit)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        for b in (self.dry_run_button, self.commit_button, self.cancel_button):
            run.addWidget(b)
        lay.addLayout(run)
        self._set_enabled()

    def _table(self, model) -> QTableView:
        v = QTableView()
        v.setModel(model)
        v.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        v.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        v.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        v.horizontalHeader().setStretchLastSection(True)
        return v

    def _set_enabled(self) -> None:
        has = self.job is not None and not self.busy
        for w in (self.dry_run_button, self.commit_button, self.save_mapping_button, self.apply_decision_button):
            w.setEnabled(has)
        self.commit_button.setEnabled(has and bool(self.ctx.actor and self.ctx.actor.is_manager))
        self.choose_button.setEnabled(not self.busy)
        self.cancel_button.setEnabled(self.busy)

    def set_message(self, text: str) -> None:
        self.summary_label.setText(text)

    def _error(self, exc) -> None:
        self.busy = False
        self._set_enabled()
        from ui.texts import texts

        code = getattr(exc, "code", None)
        own = {"import_cancelled": self.tr("Cancelled: nothing was changed."),
               "bad_rows": self.tr("Some rows have problems, so nothing was imported."),
               "wrong_encoding": self.tr("The file cannot be read with this encoding; choose another."),
               "unknown_encoding": self.tr("The encoding could not be detected; choose one."),
               "mapping_column_missing": self.tr("A mapped column is not in this file."),
               "mapping_incomplete": self.tr("Map at least the name kana column."),
               "xls_not_supported": self.tr("Old .xls files cannot be read: save as .xlsx or CSV."),
               "unsupported_file": self.tr("Choose an .xlsx or .csv file."),
               "unreadable_file": self.tr("This file cannot be read."),
               "bad_mapping": self.tr("This is not a column mapping file.")}
        self.set_message(own.get(code) or texts().error(exc))

    # -- file and mapping -------------------------------------------------------------------------
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Legacy ledger"), "",
                                              self.tr("Ledgers (*.xlsx *.csv *.tsv *.txt)"))
        if path:
            self.load_file(path)

    def load_file(self, path: str, mapping=None) -> None:
        from app.legacy_import import LegacyImport

        self.path = path
        enc = self.encoding_box.currentData() or None
        self.busy = True
        self._set_enabled()
        self.set_message(self.tr("Reading the file…"))
        self.ctx.run(lambda: self._open(LegacyImport(self.ctx.store, path, mapping=mapping, encoding=enc)),
                     on_ok=self._opened, on_error=self._error)

    def _open(self, job):
        return job, job.preview(20)

    def _reload(self, *_):
        if getattr(self, "path", None) and not self.busy:
            self.load_file(self.path)

    def _opened(self, value) -> None:
        job, preview = value
        self.job = job
        self.busy = False
        self.file_label.setText(f"{job.path.name} — {job.source.encoding or 'xlsx'}")
        for f, box in self.field_boxes.items():
            box.blockSignals(True)
            box.clear()
            box.addItem(self.tr("(not used)"), None)
            for h in job.headers:
                box.addItem(h, h)
            ref = job.mapping.fields.get(f)
            idx = box.findData(ref if not isinstance(ref, int) else job.headers[ref]) if ref is not None else 0
            box.setCurrentIndex(max(idx, 0))
            box.blockSignals(False)
        self.default_box.blockSignals(True)
        self.default_box.setCurrentIndex(self.default_box.findData(job.mapping.default_decision))
        self.default_box.blockSignals(False)
        self.bad_rows_box.setCurrentIndex(self.bad_rows_box.findData(job.mapping.on_bad_rows))
        self.preview.set_rows(preview)
        self.set_message(self.tr("%1 columns. Check the mapping, then run a dry run.").replace(
            "%1", str(len(job.headers))))
        self._set_enabled()

    def _mapping_changed(self, *_):
        if self.job is None:
            return
        self.job.mapping.fields = {f: b.currentData() for f, b in self.field_boxes.items() if b.currentData()}
        self.analysis = None
        self.ctx.run(self.job.preview, 20, on_ok=self.preview.set_rows, on_error=self._error)

    def load_mapping(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Column mapping"), "", "JSON (*.json)")
        if path:
            self.apply_mapping_file(path)

    def apply_mapping_file(self, path: str) -> None:
        from app.legacy_import import Mapping

        try:
            mapping = Mapping.load(path)
        except Exception as exc:
            self._error(exc)
            return
        if mapping.encoding:
            i = self.encoding_box.findData(mapping.encoding)
            self.encoding_box.blockSignals(True)
            self.encoding_box.setCurrentIndex(max(i, 0))
            self.encoding_box.blockSignals(False)
        self.load_file(self.path, mapping=mapping)

    def save_mapping(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Column mapping"), "mapping.json", "JSON (*.json)")
        if path:
            self.save_mapping_to(path)

    def save_mapping_to(self, path: str) -> None:
        self._sync_options()
        self.job.mapping.save(path)

    def _sync_options(self) -> None:
        m = self.job.mapping
        m.default_decision = self.default_box.currentData()
        m.on_bad_rows = self.bad_rows_box.currentData()
        m.encoding = self.encoding_box.currentData() or None

    def _default_changed(self, *_):
        if self.job is not None:
            self.job.mapping.default_decision = self.default_box.currentData()

    def apply_decision(self) -> None:
        rows = self.groups_view.selectionModel().selectedRows() if self.groups_view.selectionModel() else []
        if not rows or self.job is None:
            return
        g = self.groups.rows[rows[0].row()]
        self.job.decisions[g.id] = self.decision_box.currentData()
        g.decision = self.decision_box.currentData()
        self.groups.set_rows(self.groups.rows)

    # -- runs -------------------------------------------------------------------------------------
    def _start(self, text: str) -> threading.Event:
        self._sync_options()
        self.busy = True
        self.cancel_event = threading.Event()
        self.progress_bar.setValue(0)
        self._set_enabled()
        self.set_message(text)
        return self.cancel_event

    def _report_cb(self):
        sig = self._progress

        def cb(phase, done, total):
            try:
                sig.emit(phase, int(done), int(total))
            except RuntimeError:
                pass
        return cb

    def _on_progress(self, phase: str, done: int, total: int) -> None:
        # read 0-30 %, analyse 30-40 %, write 40-100 %
        span = {"read": (0, 30), "analyse": (30, 40), "write": (40, 100)}.get(phase, (0, 100))
        frac = done / total if total else 1.0
        self.progress_bar.setValue(int(span[0] + (span[1] - span[0]) * min(frac, 1.0)))

    def dry_run(self) -> None:
        if self.job is None or self.busy:
            return
        cancel = self._start(self.tr("Dry run: nothing will be written…"))
        job, cb = self.job, self._report_cb()

        def work():
            a = job.analyse(cb, cancel)
            return a, job.report(a, dry_run=True)
        self.ctx.run(work, on_ok=self._dry_done, on_error=self._error)

    def _dry_done(self, value) -> None:
        a, report = value
        self.analysis = a
        self.last_report = report
        self.busy = False
        self.progress_bar.setValue(100)
        self.issues.set_rows(a.issues)
        self.groups.set_rows(a.groups)
        self.set_message(self.describe(report))
        self._set_enabled()

    def commit(self) -> None:
        if self.job is None or self.busy:
            return
        cancel = self._start(self.tr("Importing…"))
        self.ctx.run(self.job.commit, self.ctx.actor, self._report_cb(), cancel, on_ok=self._commit_done,
                     on_error=self._error)

    def _commit_done(self, report) -> None:
        self.last_report = report
        self.busy = False
        self.progress_bar.setValue(100)
        self.set_message(self.describe(report))
        self._set_enabled()

    def cancel(self) -> None:
        if self.cancel_event is not None:
            self.cancel_event.set()
            self.set_message(self.tr("Cancelling…"))

    def describe(self, r: dict) -> str:
        head = self.tr("Dry run — nothing was written.") if r["dry_run"] else self.tr("Imported.")
        body = self.tr("Members created: %1, matched: %2; points migrated: %3; rows imported: %4, "
                       "skipped: %5, already imported: %6.")
        for i, v in enumerate((r["members_created"], r["members_matched"], f"{r['points_migrated']:,} pt",
                               r["rows_imported"], r["rows_skipped"], r["rows_already_imported"]), start=1):
            body = body.replace(f"%{i}", str(v))
        text = head + " " + body
        if r.get("would_stop"):
            text += " " + self.tr("Some rows have problems: the import would stop.")
        return text

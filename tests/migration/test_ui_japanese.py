"""The paper card wizard, the legacy import screen and the counter's small lists in Japanese: their
buttons, labels, column headers and the words inside the rows (the list models share one base in
ui.models and the wizard shares the counter dialogs' frame, so their texts sit in new places)."""
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget  # noqa: E402

from tests.migration.files import MESSY_ROWS, write_xlsx  # noqa: E402

TS = Path(__file__).resolve().parents[2] / "resources" / "translations" / "tsumugi_ja.ts"


@pytest.fixture
def japanese():
    """The English source strings that have a different Japanese text; the app speaks Japanese."""
    from ui import i18n

    english = {m.find("source").text for m in ET.parse(TS).getroot().iter("message")
               if m.find("translation") is not None and m.find("translation").text != m.find("source").text}
    app = QApplication.instance() or QApplication([])
    assert i18n.install(app, "ja")
    yield english
    i18n.install(app, "en")


@pytest.fixture
def ctx(qtbot, store, manager):
    from ui.context import Context
    from ui.executor import DbExecutor

    ex = DbExecutor()
    c = Context(store, ex, SimpleNamespace(camera=""), lang="ja")
    c.set_actor(manager)
    yield c
    ex.shutdown()


def shown(root: QWidget) -> list[str]:
    out = []
    for w in [root, *root.findChildren(QWidget)]:
        if isinstance(w, (QLabel, QAbstractButton)) and w.text():
            out.append(w.text())
        if w.toolTip():
            out.append(w.toolTip())
    return out


def headers(model) -> list[str]:
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]


def cells(model) -> list[str]:
    return [model.index(r, c).data() for r in range(model.rowCount()) for c in range(model.columnCount())]


def test_wizard_import_and_counter_lists_in_japanese(qtbot, japanese, ctx, store, manager, member, tmp_path):
    from ui.legacy_import import LegacyImportWindow
    from ui.migrate import MigratePaperCardDialog
    from ui.models import CouponTableModel, HistoryTableModel, MemberSearchModel

    wizard = MigratePaperCardDialog(ctx, None, photo_grabber=lambda: b"")
    qtbot.addWidget(wizard)
    wizard.show()
    assert wizard.back_button.text() == "戻る (Esc)" and wizard.next_button.text() == "次へ（Enter）"
    wizard.suggestions.set_rows(store.migration.suggest_members(phone="090-1234-5678"))
    assert wizard.suggestions.rowCount() == 1 and "電話番号が同じ" in cells(wizard.suggestions)

    importer = LegacyImportWindow(ctx)
    qtbot.addWidget(importer)
    importer.show()
    importer.load_file(str(write_xlsx(tmp_path / "ledger.xlsx", MESSY_ROWS)))
    qtbot.waitUntil(lambda: importer.job is not None and not importer.busy, timeout=10000)
    importer.dry_run()
    qtbot.waitUntil(lambda: importer.last_report is not None and not importer.busy, timeout=20000)
    assert importer.groups.rowCount() >= 1 and importer.issues.rowCount() >= 1

    store.ledger.earn(manager, member.id, 1000, uuid.uuid4())
    history = HistoryTableModel()
    history.set_rows(store.ledger.history(member.id))
    search = MemberSearchModel()
    search.set_rows(store.members.find("090-1234-5678"))
    assert search.rowCount() == 1 and history.rowCount() == 1

    models = [wizard.suggestions, importer.preview, importer.issues, importer.groups, history, search,
              CouponTableModel("ja")]
    texts = shown(wizard) + shown(importer) + [h for m in models for h in headers(m)]
    texts += cells(importer.groups) + cells(importer.issues) + cells(history)
    assert all(headers(m) and None not in headers(m) for m in models)
    assert sorted({t for t in texts if t in japanese}) == []
    assert headers(search)[0] == "会員番号" and headers(importer.preview)[-1] == "問題"

"""The back-office import screen offscreen: file, guessed mapping and preview, dry run report,
duplicate decision, commit with progress, cancel leaves the database untouched."""
from types import SimpleNamespace

import pytest

pytest.importorskip("pytestqt")

from tests.migration.files import MESSY_ROWS, big_rows, counts, write_csv, write_xlsx  # noqa: E402


@pytest.fixture
def ctx(qtbot, store, manager):
    from ui.context import Context
    from ui.executor import DbExecutor

    ex = DbExecutor()
    c = Context(store, ex, SimpleNamespace(camera=""), lang="en")
    c.set_actor(manager)
    yield c
    ex.shutdown()


def open_window(qtbot, ctx, path):
    from ui.legacy_import import LegacyImportWindow

    w = LegacyImportWindow(ctx)
    qtbot.addWidget(w)
    w.show()
    w.load_file(str(path))
    qtbot.waitUntil(lambda: w.job is not None and not w.busy, timeout=10000)
    return w


def test_mapping_preview_dry_run_decision_commit(qtbot, ctx, store, member, tmp_path, db_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", MESSY_ROWS)
    w = open_window(qtbot, ctx, path)
    assert w.field_boxes["phone"].currentData() == "電話番号"
    assert w.field_boxes["name_kana"].currentData() == "フリガナ"
    assert w.preview.rowCount() == 6
    assert w.preview.data(w.preview.index(0, 3)) == "09012345678"
    assert "bad_date" in w.preview.data(w.preview.index(1, 9))
    w.save_mapping_to(str(tmp_path / "m.json"))
    assert (tmp_path / "m.json").exists()

    before = counts(db_path)
    w.dry_run()
    qtbot.waitUntil(lambda: w.last_report is not None and not w.busy, timeout=10000)
    assert w.last_report["dry_run"] and counts(db_path) == before
    assert w.issues.rowCount() == 2 and "Not a real date" in w.issues.data(w.issues.index(0, 3))
    ids = [g.id for g in w.groups.rows]
    assert ids == ["G4", "G8"]      # row numbers in the sheet (two header rows + a title)
    w.groups_view.selectRow(1)
    w.decision_box.setCurrentIndex(w.decision_box.findData("separate"))
    w.apply_decision()
    assert w.job.decisions == {"G8": "separate"}

    w.commit()
    qtbot.waitUntil(lambda: not w.last_report["dry_run"] and not w.busy, timeout=20000)
    r = w.last_report
    assert r["members_created"] == 3 and r["members_matched"] == 1 and w.progress_bar.value() == 100
    assert counts(db_path)["members"] == before["members"] + 3


def test_cancel_leaves_database_untouched(qtbot, ctx, store, tmp_path, db_path):
    path = write_csv(tmp_path / "big.csv", big_rows(6000), encoding="cp932")
    w = open_window(qtbot, ctx, path)
    before = counts(db_path)
    gui_cb = w._report_cb

    def report_cb():     # the cashier presses Cancel while the rows are being written
        cb = gui_cb()

        def both(phase, done, total):
            cb(phase, done, total)
            if phase == "write":
                w.cancel_event.set()
        return both
    w._report_cb = report_cb
    w.commit()
    assert w.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not w.busy, timeout=30000)
    assert "nothing was changed" in w.summary_label.text()
    assert counts(db_path) == before

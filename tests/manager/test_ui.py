"""The manager's widgets offscreen: table models through pytest-qt's model tester, the customer
screen's search and filters, the profile with its chart, adjustments, 要確認, reports, audit log."""
import uuid
from datetime import timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt

from app.clock import iso
from app.models import Conflict
from app.services.customers import CustomerFilter
from ui.manager import open_manager
from ui.manager.customers import AdjustDialog, CustomersWindow, ProfileDialog
from ui.manager.models import CustomerTableModel, HistoryModel
from ui.manager.runner import Runner

from .conftest import earn


@pytest.fixture
def runner(qapp):
    return Runner(inline=True)


def test_customer_model_passes_the_model_tester_and_loads_lazily(big_store, runner, qtmodeltester):
    store, rows = big_store
    model = CustomerTableModel(store, runner)
    model.set_query(CustomerFilter())
    assert model.rowCount() == CustomerTableModel.FIRST_PAGE and model.total == len(rows)
    qtmodeltester.check(model)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == len(rows)
    assert len({model.member_id(i) for i in range(model.rowCount())}) == len(rows)
    model.sort(5, Qt.SortOrder.DescendingOrder)  # balance
    assert model.rowCount() == CustomerTableModel.FIRST_PAGE
    model.fetchMore(QModelIndex())
    assert model.rowCount() == CustomerTableModel.FIRST_PAGE + CustomerTableModel.PAGE
    balances = [model.rows[i].balance for i in range(model.rowCount())]
    assert balances == sorted(balances, reverse=True) and balances[0] == max(r["balance"] for r in rows)
    qtmodeltester.check(model)


def test_customer_model_a_new_search_replaces_the_rows_without_a_reset(big_store, runner, qtmodeltester):
    """Each keystroke's first page goes in as a change of the rows both lists have plus an insert or
    a removal of the difference (the model tester watching), never as a model reset."""
    store, rows = big_store
    model = CustomerTableModel(store, runner)
    model.set_query(CustomerFilter())
    qtmodeltester.check(model)
    resets, replaced = [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.replaced.connect(lambda: replaced.append(1))
    model.fetchMore(QModelIndex())  # more rows than the next search's first page
    assert model.rowCount() > CustomerTableModel.FIRST_PAGE
    model.set_query(CustomerFilter(text=rows[7]["member_no"]))  # one row
    assert [model.data(model.index(i, 0)) for i in range(model.rowCount())] == [rows[7]["member_no"]]
    assert model.total == 1
    model.set_query(CustomerFilter())  # and back to more rows than that
    assert model.rowCount() == CustomerTableModel.FIRST_PAGE
    assert model.data(model.index(0, 0)) == model.rows[0].member_no
    assert resets == [] and len(replaced) == 2


def test_customer_model_on_the_background_thread(big_store, qtbot, qapp):
    store, rows = big_store
    runner = Runner()
    model = CustomerTableModel(store, runner)
    with qtbot.waitSignal(model.count_changed, timeout=10000):
        model.set_query(CustomerFilter(text="やまだ"))
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=10000)
    want = sum(1 for r in rows if r["kana_key"].startswith("ヤマダ"))
    assert model.total == want
    runner.shutdown()


def test_customers_window_search_filters_and_segment_counts(big_store, big_manager, runner, qtbot):
    store, rows = big_store
    store.segments.refresh()
    w = CustomersWindow(store, big_manager, runner)
    qtbot.addWidget(w)
    assert w.model.total == len(rows)
    for ch in "やまだ":  # typed one character at a time (keyClicks is ASCII only)
        w.search.insert(ch)
    qtbot.waitUntil(lambda: w.model.filter.text == "やまだ", timeout=3000)  # debounced
    want = [r for r in rows if r["kana_key"].startswith("ヤマダ")]
    assert w.model.total == len(want)
    w.tier.setCurrentIndex(w.tier.findData("gold"))
    assert w.model.total == sum(1 for r in want if r["tier"] == "gold")
    counts = store.segments.counts()
    i = w.segment.findData("vip")
    assert f"({counts['vip']:,})" in w.segment.itemText(i)
    w.search.clear()
    w.apply()
    w.segment.setCurrentIndex(i)
    assert w.model.total == counts["vip"]
    w.segment.setCurrentIndex(0)
    w.tier.setCurrentIndex(0)
    w._header_clicked(1)  # name kana
    keys = [r.name_kana for r in w.model.rows]
    from app.text import kana_key
    assert [kana_key(k) for k in keys] == sorted(kana_key(k) for k in keys)


def test_profile_dialog_shows_history_and_chart_and_saves_edits(store, manager, cashier, runner, qtbot,
                                                                qtmodeltester):
    reg = store.members.register(cashier, "ヤマダハナコ", phone="090-1234-5678")
    for d in (90, 60, 30, 2):
        earn(store, cashier, reg.member.id, 2500, d)
    dlg = ProfileDialog(store, manager, runner, reg.member.id)
    qtbot.addWidget(dlg)
    assert dlg.history_model.rowCount() == 4
    qtmodeltester.check(dlg.history_model)
    qtmodeltester.check(dlg.lots_model)
    assert "090-1234-5678" == dlg.f_phone.text()
    series = dlg.chart.series()
    assert len(series) == 2 and series[0].count() == 4
    assert series[0].at(3).y() == store.ledger.balance(reg.member.id)["balance"]
    dlg.f_phone.setText("０８０－９９９９－８８８８")
    with qtbot.waitSignal(dlg.changed):
        dlg.save()
    assert store.members.get(reg.member.id).phone == "08099998888"
    assert store.audit.entries(action="member.update")[0].after["fields"] == ["phone"]


def test_adjust_dialog_requires_a_reason_and_adjusts_once(store, manager, cashier, runner, qtbot):
    reg = store.members.register(cashier, "ヤマダハナコ")
    dlg = AdjustDialog(store, manager, runner, reg.member.id)
    qtbot.addWidget(dlg)
    dlg.points.setValue(100)
    dlg.submit()
    assert dlg.message.text() and store.ledger.balance(reg.member.id)["balance"] == 0
    dlg.reason.setCurrentText("お詫び")
    dlg.note.setPlainText("待ち時間が長かった")
    with qtbot.waitSignal(dlg.done_adjusting):
        dlg.submit()
    dlg.submit()  # the same key again: replayed, not adjusted twice
    assert store.ledger.balance(reg.member.id)["balance"] == 100
    assert store.audit.entries(action="ledger.adjust")[0].after["reason"] == "お詫び — 待ち時間が長かった"


def test_adjust_dialog_as_cashier_shows_the_refusal(store, cashier, runner, qtbot):
    reg = store.members.register(cashier, "ヤマダハナコ")
    dlg = AdjustDialog(store, cashier, runner, reg.member.id)
    qtbot.addWidget(dlg)
    dlg.points.setValue(100)
    dlg.reason.setCurrentText("x")
    dlg.submit()
    assert dlg.message.text() and store.ledger.balance(reg.member.id)["balance"] == 0


def test_manager_window_conflicts_badge_reports_and_audit(store, manager, cashier, qtbot, qtmodeltester, clock):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    reg = store.members.register(cashier, "ヤマダハナコ")
    with store.db.write() as s:
        for kind in ("overdraft", "card_migrated_elsewhere"):
            s.add(Conflict(kind=kind, created_at=iso(store.now()), member_id=reg.member.id,
                           details={"points": 300, "other_store": "S002"}, status="open"))
    w = open_manager(None, store, manager, inline=True)
    qtbot.addWidget(w)
    counts = []
    w.open_conflicts_changed.connect(counts.append)
    w.conflicts.reload()
    assert counts[-1] == 2 and "2" in w.tabs.tabText(1)
    qtmodeltester.check(w.conflicts.model)
    m, col = w.conflicts.model, w.conflicts.model.column_index   # a summary, not the raw details
    assert [m.data(m.index(r, col("details"))) for r in range(2)] == \
        ["300 pt, " + m.tr("store %1").replace("%1", "S002")] * 2
    assert m.data(m.index(0, col("status"))) == m.tr("Not dealt with yet")
    w.conflicts.view.selectRow(0)
    w.conflicts.acknowledge("contacted")
    assert counts[-1] == 1 and store.conflicts.open_count() == 1
    w.conflicts.view.selectRow(0)
    dlg = w.conflicts.adjust()
    dlg.points.setValue(300)
    dlg.reason.setCurrentText("過不足の調整")
    dlg.submit()
    assert counts[-1] == 0 and store.ledger.balance(reg.member.id)["balance"] == 300
    resolved = store.conflicts.list(include_closed=True)
    assert {c.details["resolution"]["action"] for c in resolved} == {"contacted", "adjusted"}
    # reports: create yesterday's daily report and view it in QtPdf
    r = w.reports
    r.day.setDate(r.day.date().fromString("2026/11/16", "yyyy/MM/dd"))
    with qtbot.waitSignal(r.generated):
        r.generate()
    assert r.model.rowCount() == 1
    qtmodeltester.check(r.model)
    r.view.selectRow(0)
    qtbot.waitUntil(lambda: r.doc.pageCount() >= 1, timeout=5000)
    # audit log filtered by who and what
    a = w.audit
    a.staff.setText(str(manager.staff_id))
    a.action.setCurrentIndex(a.action.findData("conflict."))
    a.reload()
    assert a.model.rowCount() == 2 and all(e.action == "conflict.acknowledge" for e in a.model.rows)
    qtmodeltester.check(a.model)
    a.staff.setText(str(cashier.staff_id))
    a.reload()
    assert a.model.rowCount() == 0
    w.close()


def test_open_manager_refuses_a_cashier(store, cashier, qapp):
    from app.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        open_manager(None, store, cashier)


def test_profile_history_loads_page_by_page_as_the_view_scrolls(store, manager, cashier, runner, qtbot,
                                                              qtmodeltester, monkeypatch):
    reg = store.members.register(cashier, "ヤマダハナコ")
    for d in range(12):
        earn(store, cashier, reg.member.id, 1000 + d, 40 - d)
    monkeypatch.setattr(ProfileDialog, "HISTORY_PAGE", 5)
    dlg = ProfileDialog(store, manager, runner, reg.member.id)
    qtbot.addWidget(dlg)
    model = dlg.history_model
    assert model.rowCount() == 5 and model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 12 and not model.canFetchMore(QModelIndex())
    rows = [model.row_at(i) for i in range(12)]
    assert [r["amount_yen"] for r in rows] == [1000 + d for d in reversed(range(12))]
    assert rows[0]["balance_after"] == store.ledger.balance(reg.member.id)["balance"]
    assert all(a["balance_after"] - a["points"] == b["balance_after"] for a, b in zip(rows, rows[1:]))
    assert len(dlg.chart.series()) == 2 and dlg.chart.series()[0].count() == 12


@pytest.fixture(params=["plain", "app style"])
def app_style(request, qapp):
    """The bare QApplication, or the app's own font and style sheet (ui.main.make_app: 18 px text,
    applied when a widget is first polished), put back afterwards."""
    if request.param == "plain":
        yield request.param
        return
    from ui.main import make_app

    font, sheet = qapp.font(), qapp.styleSheet()
    make_app()
    try:
        yield request.param
    finally:
        qapp.setStyleSheet(sheet)
        qapp.setFont(font)


def test_customer_columns_are_wide_enough_to_read(big_store, big_manager, runner, qtbot, app_style):
    """Each column fits its header and its usual widest value on one line; segments take the rest.
    With the app's style sheet too: its font arrives when the window is first shown, after the
    columns were laid out."""
    store, _ = big_store
    w = CustomersWindow(store, big_manager, runner)
    qtbot.addWidget(w)
    w.resize(1366, 700)
    w.show()
    header, fm = w.view.horizontalHeader(), w.view.fontMetrics()
    assert not w.view.wordWrap()
    for col, (key, title, _) in enumerate(w.model.columns):
        need = max(fm.horizontalAdvance(CustomersWindow.COLUMN_SAMPLES.get(key, "")),
                   header.fontMetrics().horizontalAdvance(title))
        assert header.sectionSize(col) >= need, key
    seg = next(i for i, c in enumerate(w.model.columns) if c[0] == "segments")
    assert header.visualIndex(seg) == len(w.model.columns) - 1
    assert header.sectionResizeMode(seg) == header.ResizeMode.Stretch
    # every value of the first page fits its column
    for row in range(w.model.rowCount()):
        for col in range(w.model.columnCount()):
            if col != seg:
                text = w.model.data(w.model.index(row, col))
                assert fm.horizontalAdvance(text or "") <= header.sectionSize(col), (row, col, text)


@pytest.mark.parametrize("lang, gold", [("en", "Gold"), ("ja", "ゴールド")])
def test_tier_names_in_the_screen_language(store, manager, cashier, runner, qtbot, lang, gold):
    """Tier names are the rule set's (HQ authors them, name_ja and name_en): the English screens
    show the English one, the Japanese screens the Japanese one (filter, list column, profile)."""
    from PySide6.QtWidgets import QApplication

    from app.models import Member
    from ui import i18n

    reg = store.members.register(cashier, "ヤマダハナコ")
    with store.db.write() as s:
        s.get(Member, reg.member.id).tier = "gold"
    app = QApplication.instance()
    assert i18n.install(app, lang)
    try:
        assert i18n.current() == lang
        w = CustomersWindow(store, manager, runner)
        qtbot.addWidget(w)
        assert w.tier.itemText(w.tier.findData("gold")) == gold
        col = [c[0] for c in w.model.columns].index("tier")
        row = next(i for i in range(w.model.rowCount()) if w.model.member_id(i) == reg.member.id)
        assert w.model.data(w.model.index(row, col)) == gold
        dlg = ProfileDialog(store, manager, runner, reg.member.id)
        qtbot.addWidget(dlg)
        assert dlg.header.text().endswith(gold)
    finally:
        i18n.install(app, "en")


def test_customer_model_abandons_a_search_typed_past_while_its_query_runs(big_store, runner, monkeypatch):
    """The worker's call for a search the manager has typed past is interrupted mid-statement
    (Database.cancel_if) and comes back as nothing, so the next keystroke does not wait for it."""
    from app import db as dbmod

    monkeypatch.setattr(dbmod, "CANCEL_CHECK_OPS", 1)  # look at every step: this small store's count is short
    store, rows = big_store
    model = CustomerTableModel(store, runner)
    model.set_query(CustomerFilter())
    gen = model._gen
    counted = []

    def count_typed_past(f):
        model._gen += 1  # a keystroke arrives while this search's count runs
        return store.customers.count(f)

    assert model._if_current(gen, count_typed_past, CustomerFilter(text="ア")) is None
    model._gen = gen  # still the current search: the same call runs to the end
    counted.append(model._if_current(gen, store.customers.count, CustomerFilter()))
    assert counted == [len(rows)]


def test_conflict_list_summarises_details_and_says_how_each_was_dealt_with(qapp):
    from types import SimpleNamespace

    from ui.manager.models import ConflictsModel

    def conflict(details, status="open"):
        return SimpleNamespace(created_at="2026-11-20T01:00:00+00:00", kind="coupon_used_twice", member_no="1",
                               details=details, status=status)

    m = ConflictsModel()
    m.set_rows([conflict({"event_id": "e1", "type": "ledger.coupon", "compensation": [{"entry_id": "x", "points": -500}]}),
                conflict({"event_id": "e2", "reason": "unknown_member"}, "resolved"),
                conflict({"resolution": {"action": "withdrawn_by_hq"}}, "resolved")])
    col = m.column_index
    assert [m.data(m.index(r, col("details"))) for r in range(3)] == \
        [m.tr("HQ booked %1 pt").replace("%1", "-500"), m.tr("HQ did not know the member yet"), ""]  # no ids
    assert [m.data(m.index(r, col("status"))) for r in range(3)] == \
        [m.tr("Not dealt with yet"), m.tr("Dealt with"), m.tr("Withdrawn by HQ")]

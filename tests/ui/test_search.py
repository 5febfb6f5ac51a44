"""The counter's member search box: kana / phone / member number, results in a table model,
Enter and double click select; a scanner burst while the box has focus is still a scan — as key
presses, and as input-method (IME) commit strings."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import type_keys, wait_idle


@pytest.fixture
def others(store, manager):
    """Members who must not turn up for やまだ."""
    store.members.register(manager, "スズキイチロウ", phone="080-5555-1111")
    store.members.register(manager, "ヤマモトタロウ", phone="03-1234-9999")


def search_for(qtbot, window, box, text):
    box.field.setFocus()
    box.field.setText(text)
    qtbot.waitUntil(lambda: box._shown_for == text.strip(), timeout=10000)
    wait_idle(qtbot, window)


def shown_kana(box):
    return [box.model.index(r, 1).data() for r in range(box.model.rowCount())]


def commit(widget, text: str = "", preedit: str = ""):
    ev = QInputMethodEvent(preedit, [])
    if text:
        ev.setCommitString(text)
    QApplication.sendEvent(widget, ev)


def test_kana_search_hiragana_finds_katakana(qtbot, window, counter, member, others):
    box = counter.panel.search
    search_for(qtbot, window, box, "やまだ")
    assert shown_kana(box) == ["ヤマダハナコ"]
    assert box.view.isVisible()
    assert not counter.panel.details.isVisible()  # the results take the details' place
    assert box.model.index(0, 3).data() == "090-****-5678"  # the phone, masked
    search_for(qtbot, window, box, "ヤマ")
    assert shown_kana(box) == ["ヤマダハナコ", "ヤマモトタロウ"]


def test_phone_in_any_form_and_member_number(qtbot, window, counter, member, others):
    box = counter.panel.search
    search_for(qtbot, window, box, "０９０－１２３４－５６７８")  # full-width digits and hyphens
    assert shown_kana(box) == ["ヤマダハナコ"]
    search_for(qtbot, window, box, "090 1234 5678")
    assert shown_kana(box) == ["ヤマダハナコ"]
    search_for(qtbot, window, box, member.member.member_no)
    assert shown_kana(box) == ["ヤマダハナコ"]
    search_for(qtbot, window, box, "ｘｙｚ")
    assert box.model.rowCount() == 0
    assert box.status.text() == "No member found."


def test_enter_selects_the_member_into_the_panel(qtbot, window, counter, member, others):
    box = counter.panel.search
    search_for(qtbot, window, box, "やま")
    assert box.model.rowCount() == 2
    box.field.setFocus()
    qtbot.keyClick(box.field, Qt.Key.Key_Down)  # the second row: ヤマモト
    qtbot.keyClick(box.field, Qt.Key.Key_Up)    # back to ヤマダ
    qtbot.keyClick(box.field, Qt.Key.Key_Return)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: counter.view is not None, timeout=5000)
    assert counter.view.member_id == member.member.id
    assert counter.panel.name.text() == "山田 花子"
    assert counter.panel.details.isVisible()
    assert box.field.text() == "" and box.model.rowCount() == 0 and not box.view.isVisible()
    assert counter.buttons["F1"].isEnabled()


def test_enter_before_the_results_selects_a_single_match(qtbot, window, counter, member, others):
    box = counter.panel.search
    box.field.setFocus()
    box.field.setText("ヤマダ")
    box.enter()  # at once, before the debounce: searches now and selects the only match
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: counter.view is not None, timeout=5000)
    assert counter.view.member_id == member.member.id


def test_double_click_selects(qtbot, window, counter, member, others):
    box = counter.panel.search
    search_for(qtbot, window, box, "やま")
    rect = box.view.visualRect(box.model.index(1, 1))
    # QTest's double click sends no first press: click, then double-click, as a hand does
    qtbot.mouseClick(box.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(box.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: counter.view is not None, timeout=5000)
    assert counter.panel.name.text() == "ヤマモトタロウ"  # no kanji name: the kana is shown


def test_an_old_answer_does_not_replace_a_newer_query(qtbot, window, counter, member, others):
    box = counter.panel.search
    box.field.setText("すずき")
    first = box.search()
    box.field.setText("やまだ")
    second = box.search()
    assert second > first
    wait_idle(qtbot, window)
    assert shown_kana(box) == ["ヤマダハナコ"]


def test_esc_clears_the_search_first(qtbot, window, counter, member):
    box = counter.panel.search
    search_for(qtbot, window, box, "やまだ")
    counter.escape()
    assert box.field.text() == "" and not box.view.isVisible() and not box.active
    assert counter.panel.hint.isVisible()


def test_the_box_keeps_the_input_method_on(counter):
    assert counter.panel.search.field.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
    assert not counter.amount.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)


# -- a scanner while the search box has focus -----------------------------------------------------

def test_scanner_key_burst_in_the_search_box_is_a_scan(qtbot, window, counter, member, clock):
    box = counter.panel.search
    box.field.setFocus()
    assert QApplication.focusWidget() is box.field
    with qtbot.waitSignal(window.wedge.scanned, timeout=2000):
        type_keys(box.field, member.code + "\r", clock, gap_ms=4)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: counter.view is not None, timeout=5000)
    assert counter.view.member_id == member.member.id
    assert box.field.text() == ""
    assert not box.active and box.model.rowCount() == 0  # nothing was searched for


def test_a_person_typing_in_the_search_box_still_searches(qtbot, window, counter, member, clock):
    box = counter.panel.search
    box.field.setFocus()
    for ch in "0901234":
        type_keys(box.field, ch, clock, gap_ms=150)
        window.wedge.poll()
    clock.ms += 200
    window.wedge.poll()
    assert box.field.text() == "0901234"
    qtbot.waitUntil(lambda: box._shown_for == "0901234", timeout=10000)
    assert shown_kana(box) == ["ヤマダハナコ"]


def test_ime_commit_burst_of_full_width_keys_is_a_scan(qtbot, window, counter, member, clock):
    """The IME in direct full-width input: every scanner key arrives as a one-character commit
    string ("Ｔ", "Ｓ", "Ｇ", "１", …), then the scanner's Enter as a key."""
    box = counter.panel.search
    box.field.setFocus()
    wide = member.code.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    assert wide.startswith("ＴＳＧ１")
    with qtbot.waitSignal(window.wedge.scanned, timeout=2000) as sig:
        for ch in wide:
            clock.ms += 4
            commit(box.field, ch)
            assert box.field.text() == ""  # never in the box, not even for a moment
        clock.ms += 4
        type_keys(box.field, "\r", clock, gap_ms=0)
    assert sig.args == [member.code]  # NFKC: full-width folded back to ASCII
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: counter.view is not None, timeout=5000)
    assert counter.view.member_id == member.member.id
    assert box.field.text() == ""
    assert not box.active


def test_ime_composition_committed_at_scanner_speed_is_a_scan(qtbot, window, counter, member, clock):
    """The IME composes the scanner's keys (pre-edit updates a few ms apart); the scanner's Enter
    commits the whole full-width string at once."""
    box = counter.panel.search
    box.field.setFocus()
    wide = member.code.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    with qtbot.waitSignal(window.wedge.scanned, timeout=2000) as sig:
        for i in range(1, len(wide) + 1):
            clock.ms += 4
            commit(box.field, preedit=wide[:i])
        clock.ms += 4
        commit(box.field, wide)
    assert sig.args == [member.code]
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: counter.view is not None, timeout=5000)
    assert counter.view.member_id == member.member.id
    assert box.field.text() == ""
    assert box.field.inputMethodQuery(Qt.InputMethodQuery.ImSurroundingText) == ""


def test_one_commit_holding_a_whole_member_code_is_a_scan(qtbot, window, counter, member, clock):
    box = counter.panel.search
    box.field.setFocus()
    with qtbot.waitSignal(window.wedge.scanned, timeout=2000):
        commit(box.field, member.code.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)}))
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: counter.view is not None, timeout=5000)
    assert counter.view.member_id == member.member.id
    assert box.field.text() == ""


def test_kana_converted_scan_is_refused_quietly_never_searched(qtbot, window, counter, member, clock):
    """Romaji → kana: the IME turned the scanner's keys into kana. It cannot be recovered: the
    cashier is told to switch the IME off, and nothing lands in the box or is searched for."""
    box = counter.panel.search
    box.field.setFocus()
    mangled = "つｇ１あｂｃでふぁ" + "ｂｃ" * 40
    with qtbot.waitSignal(window.wedge.refused, timeout=2000) as sig:
        for i in range(1, len(mangled) + 1):
            clock.ms += 4
            commit(box.field, preedit=mangled[:i])
        clock.ms += 4
        commit(box.field, mangled)
    assert sig.args == ["ime"]
    wait_idle(qtbot, window)
    assert box.field.text() == ""
    assert not box.active and box.model.rowCount() == 0 and not box.timer.isActive()
    assert counter.view is None
    assert "IME" in counter.panel.notice.text()
    assert "IME" in window.statusBar().currentMessage()


def test_kana_single_commits_then_enter_are_refused(qtbot, window, counter, member, clock):
    box = counter.panel.search
    box.field.setFocus()
    with qtbot.waitSignal(window.wedge.refused, timeout=2000):
        for ch in "つｇ１あいうえおかきくけこ":
            clock.ms += 4
            commit(box.field, ch)
        clock.ms += 4
        type_keys(box.field, "\r", clock, gap_ms=0)
    assert box.field.text() == ""
    assert counter.view is None


def test_a_person_committing_kana_with_the_ime_searches(qtbot, window, counter, member, clock):
    box = counter.panel.search
    box.field.setFocus()
    for i, pre in enumerate(["y", "や", "やm", "やま", "やまd", "やまだ"]):
        clock.ms += 140
        commit(box.field, preedit=pre)
    clock.ms += 400
    commit(box.field, "やまだ")
    assert box.field.text() == "やまだ"
    qtbot.waitUntil(lambda: box._shown_for == "やまだ", timeout=10000)
    assert shown_kana(box) == ["ヤマダハナコ"]
    # a single kana committed directly still reaches the box, after the wedge's short hold
    clock.ms += 300
    commit(box.field, "か")
    clock.ms += 200
    window.wedge.poll()
    assert box.field.text() == "やまだか"


def test_scan_problem_rules():
    from ui.scan import scan_problem

    assert scan_problem("ＴＳＧ１ＡＢＣＤ") is None          # full-width folds back to ASCII
    assert scan_problem("TSG1ABCD") is None
    assert scan_problem("tsg1abcd") == "ime"                  # a member code is upper case
    assert scan_problem("つｇ１あｂｃ") == "ime"               # kana cannot be recovered
    assert scan_problem("4901234567894") is None
    assert scan_problem("ﾀﾞ") == "ime"


def test_ctrl_f_focuses_the_search(qtbot, window, counter):
    counter.focus_amount()
    qtbot.keyClick(counter.amount, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is counter.panel.search.field


def test_search_box_speaks_japanese(qtbot, store, config, manager, member, clock):
    from tests.ui.conftest import make_window
    from ui import i18n

    app = QApplication.instance()
    assert i18n.install(app, "ja")
    try:
        win = make_window(qtbot, store, config, clock, lang="ja")
        win.sign_in(manager)
        box = win.counter.panel.search
        assert box.field.placeholderText().startswith("会員検索")
        search_for(qtbot, win, box, "やまだ")
        headers = [box.model.headerData(i, Qt.Orientation.Horizontal) for i in range(4)]
        assert headers == ["会員番号", "フリガナ", "氏名", "電話番号"]
        search_for(qtbot, win, box, "ぬぬぬ")
        assert box.status.text() == "該当する会員がいません。"
        win.wedge.refused.emit("ime")
        assert "IME をオフ" in win.counter.panel.notice.text()
        win.shutdown()
    finally:
        i18n.install(app, "en")


def test_no_action_for_a_member_hidden_by_the_search(qtbot, window, counter, member, others):
    counter.lookup(member.code)
    wait_idle(qtbot, window)
    assert counter.buttons["F1"].isEnabled()
    search_for(qtbot, window, counter.panel.search, "すずき")
    assert not counter.panel.details.isVisible()
    assert not counter.buttons["F1"].isEnabled() and not counter.buttons["F2"].isEnabled()
    counter.amount.setText("1000")
    assert counter.earn() is None  # Enter in the amount field: refused, not an earn for the hidden member
    assert "Esc" in counter.panel.notice.text()
    counter.escape()
    assert counter.panel.details.isVisible() and counter.view.member_id == member.member.id
    assert counter.buttons["F1"].isEnabled()

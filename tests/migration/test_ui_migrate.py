"""The counter's paper card wizard end to end, offscreen: scan → stamps → photo → link → confirm;
the same card again is refused at once with when/where/whom. (HQ's verdict when another store won
first comes through sync: tests/sync/test_scenarios.py::test_same_paper_card_migrated_at_two_stores.)"""
from types import SimpleNamespace

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from tests.migration.files import assert_books_balance, ean13  # noqa: E402

CARD = ean13("290000000123")
JPEG = b"\xff\xd8\xff\xe0" + b"card-photo" * 50


@pytest.fixture
def ctx(qtbot, store, cashier):
    from ui.context import Context
    from ui.executor import DbExecutor

    ex = DbExecutor()
    c = Context(store, ex, SimpleNamespace(camera=""), lang="en")
    c.set_actor(cashier)
    yield c
    ex.shutdown()


def open_wizard(qtbot, ctx, **kw):
    from ui.migrate import MigratePaperCardDialog

    dlg = MigratePaperCardDialog(ctx, None, photo_grabber=lambda: JPEG, **kw)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def test_wizard_migrates_then_refuses_a_second_time(qtbot, ctx, store, member, db_path):
    dlg = open_wizard(qtbot, ctx)
    assert dlg.page == "card"
    dlg.card_field.insert("２９０－" + CARD[3:])   # typed with full-width digits and a dash (IME off)
    qtbot.keyClick(dlg.card_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dlg.page == "amount", timeout=5000)
    qtbot.keyClicks(dlg.amount_field, "14")
    qtbot.waitUntil(lambda: dlg.quote is not None and dlg.quote.points == 140, timeout=5000)
    assert "140 pt" in dlg.quote_label.text()
    qtbot.keyClick(dlg.amount_field, Qt.Key.Key_Return)
    assert dlg.page == "photo"
    qtbot.mouseClick(dlg.photo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.photo == JPEG, timeout=5000)
    dlg.next()
    assert dlg.page == "link"
    dlg.phone_field.setText("090-1234-5678")
    qtbot.mouseClick(dlg.suggest_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(dlg.suggestions.rows) == 1, timeout=5000)
    assert dlg.suggestions.data(dlg.suggestions.index(0, 0)) == member.member_no
    dlg.pick_suggestion(0)
    assert dlg.page == "confirm" and member.member_no in dlg.summary_label.text()
    with qtbot.waitSignal(dlg.applied, timeout=5000) as sig:
        qtbot.keyClick(dlg, Qt.Key.Key_Return)
    res = sig.args[0]
    assert dlg.page == "done" and res.points == 140 and res.evidence_sha256
    assert store.ledger.balance(member.id)["balance"] == 140
    assert (db_path.parent / "evidence" / f"{res.entry.entry_id}.jpg.enc").is_file()
    assert store.migration.evidence_photo(res.entry.entry_id) == JPEG
    # a double Enter after done just closes; nothing is booked twice
    qtbot.keyClick(dlg, Qt.Key.Key_Return)
    assert store.ledger.balance(member.id)["balance"] == 140

    # the same card again: refused on the first page, saying when, where, to whom
    again = open_wizard(qtbot, ctx)
    again.scan(CARD)
    qtbot.waitUntil(lambda: again.state == "ready" and "S001" in again.message.text(), timeout=5000)
    text = again.message.text()
    assert again.page == "card" and member.member_no in text and "移行済み" in text
    assert store.ledger.balance(member.id)["balance"] == 140
    assert_books_balance(db_path)


def test_wizard_registers_a_new_member_and_shows_the_cap(qtbot, ctx, store):
    dlg = open_wizard(qtbot, ctx)
    dlg.scan(CARD)
    qtbot.waitUntil(lambda: dlg.page == "amount", timeout=5000)
    dlg.points_radio.setChecked(True)
    qtbot.keyClicks(dlg.amount_field, "5000")
    qtbot.waitUntil(lambda: dlg.quote is not None and dlg.quote.points == 2000, timeout=5000)
    assert "2,000" in dlg.quote_label.text() and "5,000" in dlg.quote_label.text()
    dlg.next()
    dlg.next()                      # no photo
    assert dlg.page == "link"
    dlg.kana_field.setText("すずき いちろう")
    dlg.phone_field.setText("080-1111-2222")
    qtbot.mouseClick(dlg.register_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.page == "confirm", timeout=5000)
    with qtbot.waitSignal(dlg.applied, timeout=5000) as sig:
        dlg.next()
    res = sig.args[0]
    assert res.points == 2000 and res.capped_from == 5000 and res.evidence_sha256 is None
    found = store.members.find("スズキ")
    assert len(found) == 1 and found[0].balance == 2000 and store.members.resolve(CARD).id == found[0].id


def test_wizard_bad_check_digit_stays_on_card_page(qtbot, ctx, store):
    dlg = open_wizard(qtbot, ctx)
    wrong = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)
    dlg.scan(wrong)
    qtbot.waitUntil(lambda: dlg.state == "ready" and dlg.message.text() != "", timeout=5000)
    assert dlg.page == "card" and "check digit" in dlg.message.text()

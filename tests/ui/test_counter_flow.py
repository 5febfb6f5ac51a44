"""The cashier's flows on the real main window, offscreen, with a real SQLite store."""
from __future__ import annotations

import uuid

import pytest
from PySide6.QtWidgets import QApplication

from app.errors import LedgerRefused
from tests.ui.conftest import MANAGER_PIN, type_keys, wait_idle


def show(qtbot, window, counter, text):
    counter.lookup(text)
    wait_idle(qtbot, window)


def test_sign_in_right_and_wrong_pin(qtbot, window):
    s = window.signin
    assert window.stack.currentWidget() is s
    s.staff_no.setText("1")
    s.pin.setText("9999")
    s.submit()
    qtbot.waitUntil(lambda: not s.busy, timeout=10000)
    assert s.message.text() == "Wrong staff number or PIN."
    assert window.ctx.actor is None
    assert s.pin.text() == ""
    s.pin.setText(MANAGER_PIN)
    s.submit()
    qtbot.waitUntil(lambda: window.ctx.actor is not None, timeout=10000)
    assert window.stack.currentWidget() is window.counter
    assert window.ctx.actor.role == "manager"
    assert "店長テスト" in window.staff_label.text()


def test_scanner_burst_shows_member_panel(qtbot, window, counter, member, clock):
    counter.amount.setFocus()
    type_keys(counter.amount, member.code + "\r", clock, gap_ms=4)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: counter.view is not None, timeout=5000)
    assert counter.view.member_id == member.member.id
    assert counter.panel.name.text() == "山田 花子"
    assert counter.panel.balance.text() == "1,000 pt"
    assert counter.amount.text() == ""  # the scan never landed in the amount field


def test_half_burst_is_discarded_quietly(qtbot, window, counter, member, clock):
    counter.amount.setFocus()
    with qtbot.waitSignal(window.wedge.half_burst, timeout=2000):
        type_keys(counter.amount, member.code[:30], clock, gap_ms=4)
        clock.ms += 200
        window.wedge.poll()
    wait_idle(qtbot, window)
    assert counter.view is None
    assert counter.amount.text() == ""
    assert "scan again" in window.statusBar().currentMessage()


def test_human_typing_passes_through(qtbot, window, counter, clock):
    counter.amount.setFocus()
    for ch in "3480":
        type_keys(counter.amount, ch, clock, gap_ms=150)
        window.wedge.poll()
    clock.ms += 200
    window.wedge.poll()
    assert counter.amount.text() == "3480"


def test_forged_code_is_refused_with_the_right_message(qtbot, window, counter, member, clock):
    code = member.code
    i = 40
    forged = code[:i] + ("A" if code[i] != "A" else "B") + code[i + 1:]
    show(qtbot, window, counter, code)
    assert counter.view is not None  # the previous customer must not stay on screen
    counter.amount.setFocus()
    type_keys(counter.amount, forged + "\r", clock, gap_ms=4)
    wait_idle(qtbot, window)
    assert counter.view is None
    assert counter.panel.notice.text() == "This member code is not genuine (damaged or altered)."


def test_unknown_card_refused(qtbot, window, counter):
    show(qtbot, window, counter, "9999999999999")
    assert counter.view is None
    assert counter.panel.notice.text() == "No member has this number or card."


def test_earn_shows_breakdown_then_balance(qtbot, window, counter, member, store):
    show(qtbot, window, counter, member.code)
    counter.amount.setText("3480")
    dlg = counter.earn()
    qtbot.waitUntil(lambda: dlg.state == "ready", timeout=10000)
    quote = dlg.quote
    assert "Base points: 34 pt" in dlg.lines_label.text()
    assert dlg.total_label.text() == f"Points to add: {quote.points:,} pt"
    assert store.ledger.balance(member.member.id)["balance"] == 1000  # nothing written before confirming
    dlg.confirm()
    dlg.confirm()  # a double Enter while the write is in flight
    qtbot.waitUntil(lambda: dlg.state == "done", timeout=10000)
    wait_idle(qtbot, window)
    expected = 1000 + quote.points
    assert dlg.result_value.balance == expected
    assert f"New balance: {expected:,} pt" in dlg.message.text()
    assert store.ledger.balance(member.member.id)["balance"] == expected
    assert len([e for e in store.ledger.history(member.member.id) if e.kind == "earn"]) == 1
    dlg.confirm()  # Enter again closes
    assert not dlg.isVisible()
    qtbot.waitUntil(lambda: counter.panel.balance.text() == f"{expected:,} pt", timeout=5000)
    assert counter.amount.text() == ""


def test_esc_backs_out_without_changes(qtbot, window, counter, member, store):
    show(qtbot, window, counter, member.code)
    counter.amount.setText("5000")
    dlg = counter.earn()
    qtbot.waitUntil(lambda: dlg.state == "ready", timeout=10000)
    dlg.reject()
    wait_idle(qtbot, window)
    assert store.ledger.balance(member.member.id)["balance"] == 1000
    assert counter.amount.text() == "5000"


def test_redeem_and_refusal(qtbot, window, counter, member, store):
    show(qtbot, window, counter, member.code)
    dlg = counter.redeem()
    dlg.points.setText("5000")
    dlg.confirm()
    qtbot.waitUntil(lambda: dlg.state == "ready" and dlg.message.text() != "Working…", timeout=10000)
    assert dlg.message.text() == "Not enough points."
    dlg.points.setText("300")
    dlg.confirm()
    qtbot.waitUntil(lambda: dlg.state == "done", timeout=10000)
    assert dlg.result_value.balance == 700
    assert store.ledger.balance(member.member.id)["balance"] == 700


def _earn_2000(qtbot, window, counter, member):
    """The member shown, ¥2,000 earned through the dialog (20 pt): its result."""
    show(qtbot, window, counter, member.code)
    counter.amount.setText("2000")
    dlg = counter.earn()
    qtbot.waitUntil(lambda: dlg.state == "ready", timeout=10000)
    dlg.confirm()
    qtbot.waitUntil(lambda: dlg.state == "done", timeout=10000)
    dlg.accept()
    return dlg.result_value


def test_void_last(qtbot, window, counter, member, store):
    earned = _earn_2000(qtbot, window, counter, member)
    void = counter.void_last()
    qtbot.waitUntil(lambda: void.state == "ready", timeout=10000)
    assert void.entry.id == earned.entry_id
    assert member.member.member_no in void.what.text()
    void.confirm()
    qtbot.waitUntil(lambda: void.state == "done", timeout=10000)
    assert store.ledger.balance(member.member.id)["balance"] == 1000
    kinds = [e.kind for e in store.ledger.history(member.member.id)]
    assert kinds[:2] == ["void", "earn"]


def test_void_last_of_an_earn_hq_refused_says_why_and_takes_nothing(qtbot, window, counter, member, store):
    """HQ refused the earn (e.g. the member unknown after HQ was restored) and the store already took
    its points back: voiding it would take them twice. The cashier is told why, and nothing moves."""
    from app.services.replica import ReplicaService

    earned = _earn_2000(qtbot, window, counter, member)
    ReplicaService(store).record_outcomes([{"event_id": earned.entry_id, "outcome": "rejected",
                                            "reason": "unknown_member"}])   # HQ's answer to the push
    balance = store.ledger.balance(member.member.id)["balance"]
    assert balance == 1000                          # the earn's 20 pt taken back
    void = counter.void_last()
    qtbot.waitUntil(lambda: void.state == "ready", timeout=10000)
    assert void.entry.id == earned.entry_id       # the cashier's last action (not the store's reversal)
    why = "HQ refused this entry and its points were already taken back; there is nothing left to void."
    assert void.message.text() == why             # said before anything is pressed
    assert not void.confirm_button.isEnabled()
    void.confirm()                                # Enter does nothing
    assert store.ledger.balance(member.member.id)["balance"] == balance
    # and the service refuses it on its own, whatever a screen offers
    with pytest.raises(LedgerRefused) as exc:
        store.ledger.void(window.ctx.actor, earned.entry_id, uuid.uuid4())
    assert exc.value.code == "refused_by_hq"
    assert store.ledger.balance(member.member.id)["balance"] == balance


def test_void_last_migration_says_the_card_can_be_migrated_again(qtbot, window, counter, member, store, manager):
    """A mis-scanned paper card voided from the counter: the card is released, and the cashier is
    told so (not left believing it is 移行済み)."""
    card = "2000123456782"
    res = store.migration.migrate(manager, card, member.member.id, uuid.uuid4(), stamps=14)
    show(qtbot, window, counter, member.code)
    void = counter.void_last()
    qtbot.waitUntil(lambda: void.state == "ready", timeout=10000)
    assert void.entry.id == res.entry.entry_id
    void.confirm()
    qtbot.waitUntil(lambda: void.state == "done", timeout=10000)
    assert "can be migrated again" in void.message.text()
    assert store.migration.check_card(card).member_id is None   # no 移行済み refusal


def test_use_coupon(qtbot, window, counter, member, store, manager):
    store.coupons.issue(manager, member.member.id, "win-back-500", key=uuid.uuid4())
    show(qtbot, window, counter, member.code)
    assert "Coupon ready" in counter.panel.alerts.text()
    assert counter.buttons["F3"].isEnabled()
    dlg = counter.use_coupon()
    assert dlg.model.rowCount() == 1
    dlg.confirm()
    qtbot.waitUntil(lambda: dlg.state == "done", timeout=10000)
    assert dlg.result_value.balance == 1500
    wait_idle(qtbot, window)
    assert store.coupons.available(member.member.id) == []


def test_new_member_shows_a_qr_that_decodes(qtbot, window, counter, store):
    from app.scanning.decoders import decode_image
    from ui.qr import qimage_to_bgr

    dlg = window.open_new_member()
    dlg.kana.setText("すずきいちろう")
    dlg.phone.setText("０９０－９８７６－５４３２")
    dlg.consent.setChecked(True)
    dlg.confirm()
    qtbot.waitUntil(lambda: dlg.registration is not None, timeout=10000)
    reg = dlg.registration
    assert reg.member.phone == "09098765432"
    pix = dlg.qr_label.pixmap()
    assert pix.width() >= 300
    texts = [r.text for r in decode_image(qimage_to_bgr(pix.toImage()))]
    assert texts == [reg.code]
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: counter.view is not None, timeout=5000)
    assert counter.view.member_id == reg.member.id


def test_members_registered_one_after_another_get_ids_in_that_order(qtbot, window, counter):
    """The member's id is made when the form opens, time-ordered (UUIDv7, app/ids.py): members
    registered in turn sit side by side in the members indexes here, at HQ, and in a new store's
    first sync (benchmarks.sync pull --member-ids ordered)."""
    import time
    import uuid

    ids = []
    for _ in range(3):
        dlg = window.open_new_member()
        ids.append(dlg.member_id)
        dlg.reject()
        time.sleep(0.002)  # a later millisecond
    assert [uuid.UUID(i).version for i in ids] == [7, 7, 7]
    assert ids == sorted(ids) and len(set(ids)) == 3


def test_new_member_bad_kana_refused(qtbot, window, counter):
    dlg = window.open_new_member()
    dlg.kana.setText("Yamada")
    dlg.confirm()
    qtbot.waitUntil(lambda: not dlg.busy, timeout=10000)
    assert dlg.registration is None
    assert dlg.message.text() == "Name kana must be written in kana."


def test_settings_saved_by_manager(qtbot, window, counter, store):
    dlg = window.open_settings()
    dlg.void_window.setValue(15)
    dlg.idle.setValue(3)
    dlg.wedge_ms.setValue(40)
    dlg.save()
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=10000)
    assert store.setting("void_window_minutes") == 15
    assert store.setting("idle_signout_minutes") == 3
    assert window.wedge.classifier.max_interval_ms == 40
    assert window.ctx.config.wedge_max_interval_ms == 40


def test_cashier_has_no_settings(qtbot, window, store, manager):
    store.staff.add(manager, "レジ太郎", "cashier", "2222")
    cashier = store.staff.authenticate(2, "2222")
    window.sign_in(cashier)
    assert not window.counter.buttons["F7"].isEnabled()
    assert window.open_settings() is None


def test_idle_sign_out(qtbot, window, counter):
    window.idle.start(10)
    qtbot.waitUntil(lambda: window.ctx.actor is None, timeout=3000)
    assert window.stack.currentWidget() is window.signin


def test_scan_when_signed_out_is_refused(qtbot, window, member, clock):
    window.signin.staff_no.setFocus()
    type_keys(window.signin.staff_no, member.code + "\r", clock, gap_ms=4)
    assert "Sign in first" in window.statusBar().currentMessage()
    assert window.signin.staff_no.text() == ""


def test_sync_state_slot(window):
    assert window.sync_label.text() == "Not connected"
    window.set_sync_state(False, 7, "2026/11/22 09:00")
    assert window.sync_label.text() == "Offline · unsent 7 · last sync 2026/11/22 09:00"
    QApplication.processEvents()

"""What HQ decides reaches the counter: a tier change and a VIP tag made by the HQ jobs arrive by
sync and are shown once on the member panel at the member's next scan; a category campaign made
by the overstock job shows category chips in the earn dialog, and the earn priced with the chosen
category is priced the same at HQ (no repricing adjustment). Real HQ on loopback (SQLite, and
PostgreSQL when TSUMUGI_TEST_DATABASE_URL is set), real store file, real widgets offscreen."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from hq import jobs
from hq.models import LedgerRow
from tests.sync.fixtures import hq  # noqa: F401 - the fixture: HQ on loopback
from tests.ui.conftest import wait_idle

JST = timezone(timedelta(hours=9))


def _enroll(qtbot, hq, window):  # noqa: F811
    _, code = hq.service.add_store("S001", "S001")
    dlg = window.open_settings()
    dlg.tabs.setCurrentWidget(dlg.hq_tab)
    dlg.hq_url.setText(hq.url)
    dlg.hq_code.setText(code)
    dlg.enroll()
    qtbot.waitUntil(lambda: window.sync_worker is not None, timeout=15000)
    dlg.reject()


def _earn(qtbot, window, counter, yen: int, chips=()):
    counter.amount.setText(str(yen))
    dlg = counter.earn()
    qtbot.waitUntil(lambda: dlg.state == "ready", timeout=10000)
    for c in chips:
        dlg.chips[c].click()
        qtbot.waitUntil(lambda: dlg.state == "ready", timeout=10000)
    dlg.confirm()
    qtbot.waitUntil(lambda: dlg.state == "done", timeout=10000)
    dlg.accept()
    wait_idle(qtbot, window)
    return dlg


def _synced(qtbot, window):
    window.sync_worker.wake()
    qtbot.waitUntil(lambda: window.sync_label.text().startswith("Online · unsent 0"), timeout=30000)


def test_tier_promotion_and_vip_from_hq_jobs_shown_once_at_the_next_scan(qtbot, hq, window, counter,  # noqa: F811
                                                                        member, store):
    _enroll(qtbot, hq, window)
    mid = member.member.id
    counter.lookup(member.code)
    wait_idle(qtbot, window)
    _earn(qtbot, window, counter, 120_000)
    _synced(qtbot, window)
    assert not counter.panel.news.isVisible()
    # overnight at HQ: ranks and VIP from the 12 months up to tomorrow's start (today's earn counts)
    now = datetime.now(timezone.utc)
    tomorrow = now.astimezone(JST).date() + timedelta(days=1)
    assert jobs.run_job(hq.service, "tiers", tomorrow, now=now)["promoted"] == 1
    assert jobs.run_job(hq.service, "vip", tomorrow, now=now)["added"] == 1
    window.sync_worker.wake()
    qtbot.waitUntil(lambda: len(store.notices.pending(mid)) == 2, timeout=30000)
    assert store.members.get(mid).tier == "gold"
    # another customer in between, then this member's next scan: the news, once
    counter.panel.clear()
    counter.lookup(member.code)
    wait_idle(qtbot, window)
    news = counter.panel.news
    assert news.isVisible()
    assert news.text().splitlines() == ["★ Promoted to Gold", "★ Now a VIP member"]
    # still there after an action on the same visit (the panel refreshes)
    _earn(qtbot, window, counter, 500)
    assert news.isVisible() and "Promoted to Gold" in news.text()
    # the next visit: nothing again
    counter.panel.clear()
    counter.lookup(member.code)
    wait_idle(qtbot, window)
    assert not news.isVisible() and news.text() == ""
    assert store.notices.pending(mid) == []


def test_the_notice_in_japanese(qtbot, window, counter, member, store):
    from PySide6.QtWidgets import QApplication

    from app.services.notices import NoticeService
    from ui import i18n

    mid = member.member.id
    with store.db.write() as s:
        NoticeService.record(s, mid, {"kind": "tier", "from": "silver", "to": "gold", "direction": "up", "at": None})
        NoticeService.record(s, mid, {"kind": "tag", "tag": "vip", "at": None})
        # a second tier change before the visit replaces the first: one tier notice only
        NoticeService.record(s, mid, {"kind": "tier", "from": "gold", "to": "silver", "direction": "down", "at": None})
    app = QApplication.instance()
    assert i18n.install(app, "ja")
    window.ctx.lang = "ja"
    try:
        counter.lookup(member.code)
        wait_idle(qtbot, window)
        assert counter.panel.news.text().splitlines() == ["★ VIP会員になりました", "★ ランクがシルバーに変わりました"]
        texts = [counter.panel.notice_text({"kind": "tier", "to": "gold", "direction": "up"}, store.rules.current())]
        assert texts == ["★ ゴールドに昇格しました"]
    finally:
        i18n.install(app, "en")
        window.ctx.lang = "en"


def test_overstock_categories_chosen_at_the_counter_priced_alike_at_hq(qtbot, hq, window, counter,  # noqa: F811
                                                                      member, store, tmp_path):
    _enroll(qtbot, hq, window)
    now = datetime.now(timezone.utc)
    today = now.astimezone(JST).date()
    products = tmp_path / "products.csv"
    products.write_text("sku,category,name\n1,drinks,お茶\n2,snacks,せんべい\n", encoding="utf-8")
    r = jobs.run_job(hq.service, "overstock", today, now=now, products=str(products), multiplier="3")
    window.sync_worker.wake()
    qtbot.waitUntil(lambda: store.rules.current().version == r["published"], timeout=30000)
    mid = member.member.id
    counter.lookup(member.code)
    wait_idle(qtbot, window)
    assert counter.view.categories == ("drinks", "snacks")
    plain = store.ledger.quote(mid, 2000).points
    # the cashier touches 「drinks」 and confirms: priced ×3 by the same engine
    dlg = _earn(qtbot, window, counter, 2000, chips=["drinks"])
    assert dlg.categories() == ["drinks"] and dlg.quote.points > plain
    res = dlg.result_value
    assert res.points == dlg.quote.points == store.ledger.quote(mid, 2000, categories=["drinks"]).points
    _synced(qtbot, window)
    with hq.service.db.read() as s:
        rows = s.execute(select(LedgerRow.kind, LedgerRow.points).where(LedgerRow.member_id == mid)).all()
    assert ("earn", res.points) in rows
    assert not [k for k, _ in rows if k == "adjust" and _ != 1000]  # HQ repriced to the same points
    # no chip: no category (and nothing to choose when no campaign asks for categories)
    dlg = _earn(qtbot, window, counter, 2000)
    assert dlg.categories() == [] and dlg.result_value.points == plain

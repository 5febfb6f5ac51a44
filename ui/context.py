"""What every screen needs: the store, the DB executor, the local config, the signed-in actor."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from PySide6.QtCore import QObject, Signal


@dataclass
class MemberView:
    """Everything the member panel shows, read in one executor job."""
    member_id: str
    member_no: str
    name: str | None
    name_kana: str
    tier_id: str | None
    balance: int
    pending: int
    confirmed: int
    expiring_30d: int
    coupons: list = field(default_factory=list)
    history: list = field(default_factory=list)
    birthday: str | None = None
    rule_set: object = None
    notices: list = field(default_factory=list)   # HQ's news for the cashier, once (app/services/notices.py)
    categories: tuple = ()                         # categories the campaigns running now ask about

    @property
    def birthday_alert(self) -> str | None:
        """'today' / 'month' / None."""
        if not self.birthday:
            return None
        b = date.fromisoformat(self.birthday)
        t = date.today()
        if (b.month, b.day) == (t.month, t.day):
            return "today"
        return "month" if b.month == t.month else None


def load_member_view(store, member_id: str, *, take_notices: bool = False) -> MemberView:
    """Runs on the executor thread: service calls only. ``take_notices`` on a scan (the member's
    visit): HQ's notices for this member are returned once and then gone."""
    from app.rules import purchase_categories

    m = store.members.get(member_id)
    bal = store.ledger.balance(m.id)
    rule_set = store.rules.current()
    return MemberView(
        member_id=m.id, member_no=m.member_no, name=m.name, name_kana=m.name_kana, tier_id=bal["tier"],
        balance=bal["balance"], pending=bal["pending"], confirmed=bal["confirmed"],
        expiring_30d=bal["expiring_30d"], coupons=store.coupons.available(m.id),
        history=store.ledger.history(m.id, limit=20), birthday=m.birthday, rule_set=rule_set,
        notices=store.notices.take(m.id) if take_notices else [],
        categories=purchase_categories(rule_set, store.now(), store.store_id) if rule_set is not None else (),
    )


class Context(QObject):
    actor_changed = Signal(object)
    sync_poked = Signal()  # a points action was queued for HQ: the status bar counts it at once
    message = Signal(str, int)  # status text, timeout ms

    def __init__(self, store, executor, config, lang="ja", sounds=None, parent=None):
        super().__init__(parent)
        self.store = store
        self.executor = executor
        self.config = config
        self.lang = lang
        self.sounds = sounds
        self.actor = None
        self.sync = None  # sync.api's SyncWorker once the store is enrolled and the worker started

    def wake_sync(self) -> None:
        """After a points action: send it to HQ now rather than at the next outbox check."""
        if self.sync is not None:
            try:
                self.sync.wake()
            except Exception:  # noqa: BLE001 - sync never stops the counter
                pass
            self.sync_poked.emit()

    def set_actor(self, actor) -> None:
        self.actor = actor
        self.actor_changed.emit(actor)

    def status(self, text: str, ms: int = 5000) -> None:
        self.message.emit(text, ms)

    def run(self, fn, *args, on_ok=None, on_error=None, **kw):
        return self.executor.submit(fn, *args, on_ok=on_ok, on_error=on_error, **kw)

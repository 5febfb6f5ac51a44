"""The public, Qt-free sync API for the UI (bridge listener calls onto the GUI thread):

    from sync.api import start_worker
    worker = start_worker(store)              # None when the store is not enrolled
    worker.add_listener(lambda st: bridge.emit(st.online, st.queue, st.last_sync))  # worker thread
    worker.wake()                             # after a points action, or a "sync now" button
    worker.engine.redeem(actor, member_id, 500, key, bill_yen=1980)  # online-first redemption
    worker.state()                            # SyncState(online, queue, last_sync, last_error, ...)
    worker.stop()                             # at shutdown (an interrupted round is safe)

main window: ``set_sync_state(st.online, st.queue, st.last_sync)``.
"""
from __future__ import annotations

from sync.engine import (Backoff, NotEnrolled, SyncEngine, SyncLocked, SyncState, SyncWorker, WorkerConfig,
                         enroll)

__all__ = ["SyncEngine", "SyncWorker", "SyncState", "WorkerConfig", "NotEnrolled", "SyncLocked", "Backoff",
           "enroll", "start_worker"]


def start_worker(store, config: WorkerConfig | None = None) -> SyncWorker | None:
    engine = SyncEngine(store)
    if not engine.enrolled:
        return None
    worker = SyncWorker(engine, config)
    worker.start()
    return worker

"""The one serial database executor: service calls run on a single worker thread, their results
come back to the GUI thread by a queued signal. The GUI thread never waits on a DB write."""
from __future__ import annotations

import itertools
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)


class DbExecutor(QObject):
    _done = Signal(int, bool, object)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, name: str = "tsumugi-db"):
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Callable | None, Callable | None]] = {}
        self._done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._closed = False

    @property
    def pending(self) -> int:
        return len(self._callbacks)

    def submit(self, fn: Callable[..., Any], *args, on_ok: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None, **kwargs) -> int:
        if self._closed:
            raise RuntimeError("executor closed")
        job = next(self._ids)
        self._callbacks[job] = (on_ok, on_error)
        if len(self._callbacks) == 1:
            self.busy_changed.emit(True)

        def run():
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # delivered to on_error on the GUI thread
                self._emit(job, False, exc)
            else:
                self._emit(job, True, result)

        self._pool.submit(run)
        return job

    def _emit(self, job, ok, value):
        try:
            self._done.emit(job, ok, value)
        except RuntimeError:  # the QObject is gone (application closing)
            pass

    @Slot(int, bool, object)
    def _deliver(self, job: int, ok: bool, value: object) -> None:
        on_ok, on_error = self._callbacks.pop(job, (None, None))
        if not self._callbacks:
            self.busy_changed.emit(False)
        if ok:
            if on_ok:
                on_ok(value)
        elif on_error:
            on_error(value)
        else:
            log.error("database job failed", exc_info=value)

    def shutdown(self, wait: bool = True) -> None:
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=not wait)

"""Background work for the manager screens: service calls run off the GUI thread (one serial
worker thread, like ui.executor.DbExecutor — the app's executor is used when given), results come
back on the GUI thread by a queued signal. `inline=True` runs calls at once (tests, scripts)."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject


class Runner(QObject):
    def __init__(self, parent: QObject | None = None, executor=None, inline: bool = False):
        super().__init__(parent)
        self.inline = inline
        self._own = None
        if executor is None and not inline:
            from ui.executor import DbExecutor

            executor = self._own = DbExecutor(self, name="tsumugi-manager")
        self.executor = executor

    def run(self, fn: Callable[..., Any], *args, on_ok: Callable[[Any], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None, **kwargs) -> None:
        if self.inline:
            try:
                result = fn(*args, **kwargs)
            except Exception as exc:  # delivered like the executor does
                if on_error:
                    on_error(exc)
                else:
                    raise
            else:
                if on_ok:
                    on_ok(result)
            return
        self.executor.submit(fn, *args, on_ok=on_ok, on_error=on_error, **kwargs)

    def shutdown(self) -> None:
        if self._own is not None:
            self._own.shutdown(wait=True)
            self._own = None

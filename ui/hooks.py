"""Hooks into parts other engineers own: printing (ui.printing) and the crash handler (ui.crash).
Each call is a no-op that says so in the log when that part is not there yet."""
from __future__ import annotations

import importlib
import logging

log = logging.getLogger(__name__)


def _printing():
    try:
        return importlib.import_module("ui.printing")
    except ImportError:
        return None


def can_print(what: str) -> bool:
    mod = _printing()
    return mod is not None and callable(getattr(mod, what, None))


def print_member_card(*args, **kwargs):
    """HOOK: ui.printing.print_member_card(...) when the printing engineer provides it."""
    mod = _printing()
    fn = getattr(mod, "print_member_card", None) if mod else None
    if fn is None:
        log.info("print_member_card hook: ui.printing is not available yet")
        return None
    return fn(*args, **kwargs)


def print_receipt(*args, **kwargs):
    """HOOK: ui.printing.print_receipt(...) when the printing engineer provides it."""
    mod = _printing()
    fn = getattr(mod, "print_receipt", None) if mod else None
    if fn is None:
        log.info("print_receipt hook: ui.printing is not available yet")
        return None
    return fn(*args, **kwargs)


def install_crash_handler() -> bool:
    """HOOK: ui.crash.install() when the robustness engineer provides it."""
    try:
        mod = importlib.import_module("ui.crash")
    except ImportError:
        log.info("crash handler hook: ui.crash is not available yet")
        return False
    fn = getattr(mod, "install", None)
    if callable(fn):
        fn()
        return True
    return False

"""Logging for the counter: rotating files under the platform's user log folder, and no personal
data in them, ever.

    from app.logs import setup_logging
    path = setup_logging()                     # ~/.local/state/Tsumugi/log/tsumugi.log (Linux),
                                               # %LOCALAPPDATA%\\Tsumugi\\Logs (Windows), ~/Library/Logs/Tsumugi
    setup_logging(log_dir=tmp_path, level=logging.DEBUG)   # tests

The scrubber is deliberately blunt (house rule: no names, kana, phone, e-mail, birthday in logs).
Every message, its arguments and any traceback pass through `scrub()`, which
- NFKC-normalises (so full-width digits ０９０… are caught as digits),
- replaces any token containing "@" with [email],
- replaces digit runs of 10 or more digits (spaces, dashes, dots, brackets and "+" between them
  allowed) with [number] — phone numbers, and also 11-digit member numbers: log member ids (UUIDs),
- replaces every run of non-ASCII characters (kana, kanji, accented names, ¥) with [text],
- replaces ISO dates that look like a birthday (years 1900-2015) with [date],
- writes the home folder as "~" (the OS user name is often the person's name).
Log the ids (member UUID, entry id, staff id) and codes, not the words.

`crash_report(exc_info)` builds the text a cashier can copy to support: version, platform and the
scrubbed traceback, with no personal data.
"""
from __future__ import annotations

import logging
import logging.handlers
import os
import platform
import re
import sys
import traceback
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

APP_NAME = "Tsumugi"
LOG_FILE = "tsumugi.log"
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"

_EMAIL = re.compile(r"\S*@\S*")
# 10+ digits, possibly separated by spaces, dashes, dots, slashes, brackets (and a leading +).
_DIGIT_RUN = re.compile(r"\+?\(?\d(?:[\s\-.()/]*\d){9,}\)?")
_BIRTHDAY = re.compile(r"\b(?:19\d\d|200\d|201[0-5])[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])\b")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def scrub(text: str) -> str:
    """The text with anything that could be personal data replaced (see the module docstring)."""
    if not text:
        return text
    s = unicodedata.normalize("NFKC", str(text))
    home = _home()
    if home:
        s = s.replace(home, "~")  # the OS user name is often the person's name
    s = _EMAIL.sub("[email]", s)
    s = _DIGIT_RUN.sub("[number]", s)
    s = _BIRTHDAY.sub("[date]", s)
    s = _NON_ASCII.sub("[text]", s)
    return s


def _home() -> str:
    try:
        home = str(Path.home())
    except Exception:
        return ""
    return home if len(home) > 3 else ""


class ScrubFilter(logging.Filter):
    """Rewrites each record in place: message (with its args), traceback and stack are scrubbed
    before any handler formats them. Attach to handlers, so records from every logger pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_tsumugi_scrubbed", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not leak its args, nor kill logging
            message = f"{record.msg!s} (unformattable arguments)"
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        record._tsumugi_scrubbed = True
        return True


class _ScrubFormatter(logging.Formatter):
    """A second net: the whole formatted line is scrubbed again, except the timestamp prefix
    (which is digits and would otherwise be taken for a phone number)."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        stamp = self.formatTime(record, self.datefmt)
        if text.startswith(stamp):
            return stamp + scrub(text[len(stamp):])
        return scrub(text)


def default_log_dir(app_name: str = APP_NAME) -> Path:
    from platformdirs import user_log_dir

    return Path(user_log_dir(app_name, appauthor=False))


def setup_logging(log_dir: str | os.PathLike | None = None, level: int | str = logging.INFO, *,
                  app_name: str = APP_NAME, max_bytes: int = 2_000_000, backup_count: int = 5,
                  console: bool = False) -> Path:
    """Log to ``log_dir/tsumugi.log`` (rotating, ``backup_count`` old files of ``max_bytes``),
    scrubbed. Calling it again replaces the handlers it added before. Returns the log file path.
    ``TSUMUGI_LOG_DIR`` overrides the default folder."""
    folder = Path(log_dir or os.environ.get("TSUMUGI_LOG_DIR") or default_log_dir(app_name))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_tsumugi", False):
            root.removeHandler(handler)
            handler.close()
    formatter = _ScrubFormatter(_FORMAT)
    handlers: list[logging.Handler] = [
        logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8",
                                             delay=False)]
    if console:
        handlers.append(logging.StreamHandler(sys.stderr))
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(ScrubFilter())
        handler._tsumugi = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    _scrub_at_creation()
    return path


def _scrub_at_creation() -> None:
    """Scrub every record's message when it is made, so handlers added by anyone else (a console,
    a test's capture) never see personal data either. Installed once."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "_tsumugi", False):
        return
    scrubber = ScrubFilter()

    def make(*args, **kwargs):
        record = factory(*args, **kwargs)
        scrubber.filter(record)
        return record

    make._tsumugi = True  # type: ignore[attr-defined]
    make._previous = factory  # type: ignore[attr-defined]
    logging.setLogRecordFactory(make)


def teardown_logging() -> None:
    """Undo setup_logging: remove its handlers and the scrubbing record factory (tests)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_tsumugi", False):
            root.removeHandler(handler)
            handler.close()
    factory = logging.getLogRecordFactory()
    if getattr(factory, "_tsumugi", False):
        logging.setLogRecordFactory(factory._previous)


def log_file() -> Path | None:
    """The file the current setup writes to (None before setup_logging)."""
    for handler in logging.getLogger().handlers:
        if getattr(handler, "_tsumugi", False) and isinstance(handler, logging.FileHandler):
            return Path(handler.baseFilename)
    return None


def app_version() -> str:
    try:
        from importlib.metadata import version

        return version("tsumugi")
    except Exception:
        return "unknown"


def _dist_version(name: str) -> str:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:
        return "-"


def crash_report(exc_info, *, app_name: str = APP_NAME, version: str | None = None,
                 thread: str | None = None) -> str:
    """The text shown in the crash dialog and copied to support: version, platform, time, and the
    scrubbed traceback. No personal data (the traceback's messages and paths are scrubbed too)."""
    exc_type, exc, tb = exc_info
    frozen = "frozen" if getattr(sys, "frozen", False) else "source"
    lines = [
        f"{app_name} {version or app_version()} crash report",
        f"Time (UTC): {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M:%S')}",
        f"Platform: {platform.platform()} ({platform.machine()}), Python {platform.python_version()} ({frozen})",
        f"Qt for Python: {_dist_version('PySide6-Essentials')}",
    ]
    if thread:
        lines.append(f"Thread: {thread}")
    lines.append(f"Error: {scrub(exc_type.__name__) if exc_type else 'unknown'}")
    log = log_file()
    if log:
        lines.append(f"Log file: {scrub(str(log))}")
    # The header is ours (no personal data, and its dates must survive); the traceback is scrubbed.
    trace = scrub("".join(traceback.format_exception(exc_type, exc, tb)).rstrip("\n"))
    return "\n".join(lines) + "\n\n" + trace + "\n"

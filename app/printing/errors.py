"""Printing errors: stable codes the UI maps to translated text."""
from __future__ import annotations

from app.errors import TsumugiError


class PrinterUnavailable(TsumugiError):
    """The printer cannot be reached: unplugged, switched off, wrong address, no driver library.
    ``params["reason"]`` says which (not_found, timeout, refused, io_error, driver_missing,
    bad_config)."""

    code = "printer_unavailable"


class NoJapaneseFont(TsumugiError):
    """No font with Japanese glyphs was found, so Japanese lines cannot be rendered as images."""

    code = "no_cjk_font"

"""The two errors of the rules package.

* :class:`RuleSetError` — a rule set (HQ's JSON) is malformed. ``.field`` is the dotted path of the
  offending field (``"campaigns[1].multiplier"``); ``str()`` is ``"<field>: <what is wrong>"``.
* :class:`RuleViolation` — a well-formed request breaks a rule (a redemption below the minimum, an
  expired coupon, ...). ``.code`` is a stable machine code, ``.params`` the numbers behind it, and
  ``str()`` a clear English sentence for logs and the English UI (the Japanese UI translates by
  ``.code`` and ``.params``).
"""
from __future__ import annotations

from typing import Any


class RuleSetError(ValueError):
    """A rule set was refused. ``field`` names where ("" for the document itself)."""

    def __init__(self, field: str, message: str, *, errors: tuple[tuple[str, str], ...] = ()):
        self.field = field
        self.message = message
        # Every problem found, as (field, message) pairs; the first is the one in str().
        self.errors: tuple[tuple[str, str], ...] = errors or ((field, message),)
        text = f"{field}: {message}" if field else f"rule set: {message}"
        extra = len(self.errors) - 1
        if extra > 0:
            text += f" (and {extra} more problem{'s' if extra > 1 else ''})"
        super().__init__(text)


class RuleViolation(Exception):
    """A request that the rule set refuses, with a stable ``code`` and its ``params``."""

    def __init__(self, code: str, message: str, **params: Any):
        self.code = code
        self.params: dict[str, Any] = dict(params)
        self.message = message
        super().__init__(message)

    def __repr__(self) -> str:
        return f"RuleViolation({self.code!r}, {self.message!r}, params={self.params!r})"

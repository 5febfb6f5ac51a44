"""Telling a USB keyboard-wedge scanner from a person typing, by inter-key timing (Qt-free).

A wedge scanner "types" its whole code in a burst, a few ms per key, and usually ends with Enter
(or a configured suffix); it may start with a configured prefix. ``WedgeClassifier`` is fed
``(char, timestamp_ms)`` key events and returns events:

- ``Complete(text, raw)``: a burst of at least ``min_length`` characters (after the prefix),
  keys at most ``max_interval_ms`` apart, ended by Enter or the suffix. ``text`` is the payload,
  NFKC-normalised (full-width letters and digits from an input method become ASCII); ``raw`` is
  everything received for it, prefix and terminator included.
- ``Incomplete(partial)``: a burst of at least ``min_length`` keys that stopped without a
  terminator (a half-read code): the caller discards it with a quiet message.
- ``Typed(chars)``: anything else, to be passed on as ordinary typing.

Because a first key cannot be told apart from the start of a burst, keys are held back until the
next key, a terminator, or ``poll(now_ms)`` shows a pause longer than ``max_interval_ms``: call
``poll`` from a timer (e.g. every 50 ms) and re-inject ``Typed`` chars into the focused field.
Concatenating ``raw``/``partial``/``chars`` of all events gives back every key received, except
a "\\n" swallowed right after a "\\r" that completed a scan (scanners that send CR LF).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Iterable, Union

__all__ = ["Complete", "Incomplete", "Typed", "WedgeEvent", "WedgeClassifier", "normalise_scan_text"]

ENTER_KEYS = ("\r", "\n")
_EPS_MS = 1e-6  # timestamps are floats: an interval "at the limit" must not fail on rounding


@dataclass(frozen=True)
class Complete:
    text: str
    raw: str = ""


@dataclass(frozen=True)
class Incomplete:
    partial: str


@dataclass(frozen=True)
class Typed:
    chars: str


WedgeEvent = Union[Complete, Incomplete, Typed]


def normalise_scan_text(text: str) -> str:
    """NFKC (full-width ASCII and half-width kana folded), ideographic space to space, controls dropped."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if ch == "\x1d" or unicodedata.category(ch) != "Cc")


class WedgeClassifier:
    def __init__(self, max_interval_ms: float = 30, min_length: int = 6, prefix: str = "",
                 suffix: str = "\r") -> None:
        if max_interval_ms <= 0:
            raise ValueError("max_interval_ms must be positive")
        if min_length < 1:
            raise ValueError("min_length must be >= 1")
        self.max_interval_ms = float(max_interval_ms)
        self.min_length = int(min_length)
        self.prefix = prefix or ""
        self.suffix = suffix or ""
        self._buf: list[str] = []
        self._last_ms: float | None = None
        self._swallow_lf_until: float | None = None

    # -- public --------------------------------------------------------------------------------
    @property
    def pending(self) -> str:
        """Keys held back, not yet classified."""
        return "".join(self._buf)

    def feed(self, char: str, timestamp_ms: float) -> list[WedgeEvent]:
        """One key (a character; Enter as "\\r" or "\\n") at ``timestamp_ms``; returns events."""
        if not isinstance(char, str) or len(char) == 0:
            return []
        events: list[WedgeEvent] = []
        if len(char) > 1:  # a key that produced several characters: feed them at the same time
            for ch in char:
                events += self.feed(ch, timestamp_ms)
            return events
        t = float(timestamp_ms)
        if char == "\n" and self._swallow_lf_until is not None and not self._buf \
                and t <= self._swallow_lf_until:
            self._swallow_lf_until = None
            return events
        self._swallow_lf_until = None
        if self._buf and self._last_ms is not None and t - self._last_ms > self.max_interval_ms + _EPS_MS:
            events += self._resolve_pause()
        self._buf.append(char)
        self._last_ms = t if self._last_ms is None else max(self._last_ms, t)
        events += self._check_terminated(t)
        return events

    def poll(self, now_ms: float) -> list[WedgeEvent]:
        """Classify held keys if nothing came for more than ``max_interval_ms``."""
        if self._buf and self._last_ms is not None and now_ms - self._last_ms > self.max_interval_ms + _EPS_MS:
            return self._resolve_pause()
        return []

    def flush(self) -> list[WedgeEvent]:
        """Classify whatever is held now (end of input)."""
        return self._resolve_pause() if self._buf else []

    def feed_all(self, events: Iterable[tuple[str, float]]) -> list[WedgeEvent]:
        """Feed ``(char, timestamp_ms)`` pairs, then flush; returns all events."""
        out: list[WedgeEvent] = []
        for char, ts in events:
            out += self.feed(char, ts)
        out += self.flush()
        return out

    def reset(self) -> None:
        self._buf.clear()
        self._last_ms = None
        self._swallow_lf_until = None

    # -- internals -----------------------------------------------------------------------------
    def _take(self) -> str:
        s = "".join(self._buf)
        self._buf.clear()
        return s

    def _payload_ok(self, body: str) -> bool:
        """Whether ``body`` (without terminator) is a plausible scan."""
        if self.prefix:
            if not body.startswith(self.prefix):
                return False
            body = body[len(self.prefix):]
        return len(body) >= self.min_length

    def _resolve_pause(self) -> list[WedgeEvent]:
        s = self._take()
        if not s:
            return []
        if s[-1] in ENTER_KEYS and self._payload_ok(s[:-1]):  # Enter, while waiting for a longer suffix
            body = s[:-1]
            return [Complete(normalise_scan_text(body[len(self.prefix):]), s)]
        if len(s) >= self.min_length + len(self.prefix) and (not self.prefix or s.startswith(self.prefix)):
            return [Incomplete(s)]
        return [Typed(s)]

    def _terminator_len(self, s: str) -> int:
        """Length of the terminator ending ``s`` (0 if none or if it may be the start of the suffix)."""
        if self.suffix and s.endswith(self.suffix):
            return len(self.suffix)
        if s[-1] in ENTER_KEYS:
            # "\r" could be the first half of a "\r\n" (or longer) suffix: wait for the rest,
            # unless the burst is over (a pause resolves it; see _resolve_pause).
            if len(self.suffix) > 1 and any(s.endswith(self.suffix[:k]) for k in range(1, len(self.suffix))):
                return 0
            return 1
        return 0

    def _check_terminated(self, t: float) -> list[WedgeEvent]:
        s = "".join(self._buf)
        n = self._terminator_len(s)
        if n == 0:
            return []
        body = s[:-n]
        self._buf.clear()
        if not body:
            return [Typed(s)]
        if self._payload_ok(body):
            payload = body[len(self.prefix):] if self.prefix else body
            if s.endswith("\r"):
                self._swallow_lf_until = t + self.max_interval_ms
            return [Complete(normalise_scan_text(payload), s)]
        return [Typed(s)]

"""Hybrid logical clock (Kulkarni et al.): wall time in ms + a logical counter + a node id.

Text form ``2026-11-22T11:02:33.759Z/00003/S001``: text order is time order, and a plain ISO time
(what the store core writes in ``field_times``) sorts just before an HLC with the same millisecond.
``receive`` clamps a remote time that is further ahead of our wall clock than ``max_skew_ms``
(a store clock hours fast must not win every edit forever) and reports it.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

log = logging.getLogger(__name__)
MAX_SKEW_MS = 60_000


@dataclass(frozen=True, order=True)
class Timestamp:
    ms: int
    counter: int = 0
    node: str = ""

    def __str__(self) -> str:
        dt = datetime.fromtimestamp(self.ms / 1000, tz=timezone.utc)
        return f"{dt.strftime('%Y-%m-%dT%H:%M:%S')}.{self.ms % 1000:03d}Z/{self.counter:05d}/{self.node}"

    @classmethod
    def parse(cls, text: str) -> "Timestamp":
        """An HLC string, or a plain ISO time (counter 0, no node)."""
        head, *rest = text.split("/")
        dt = datetime.fromisoformat(head.replace("Z", "+00:00"))
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        ms = int(dt.timestamp() * 1000)
        counter = int(rest[0]) if rest else 0
        node = rest[1] if len(rest) > 1 else ""
        return cls(ms, counter, node)

    def shifted(self, delta_ms: int) -> "Timestamp":
        return Timestamp(self.ms + delta_ms, self.counter, self.node)


def wall_ms() -> int:
    return int(datetime.now(timezone.utc).timestamp() * 1000)


class HLC:
    def __init__(self, node: str, *, now_ms: Callable[[], int] = wall_ms, max_skew_ms: int = MAX_SKEW_MS,
                 last: Timestamp | None = None):
        self.node = node
        self.now_ms = now_ms
        self.max_skew_ms = max_skew_ms
        self._last = last or Timestamp(0, 0, node)
        self._lock = threading.Lock()

    @property
    def last(self) -> Timestamp:
        return self._last

    def now(self, at_ms: int | None = None) -> Timestamp:
        """A new local timestamp (for a local event made at wall time ``at_ms``, default now)."""
        with self._lock:
            wall = self.now_ms() if at_ms is None else at_ms
            if wall > self._last.ms:
                ts = Timestamp(wall, 0, self.node)
            else:
                ts = Timestamp(self._last.ms, self._last.counter + 1, self.node)
            self._last = ts
            return ts

    def clamp(self, remote: Timestamp) -> tuple[Timestamp, int]:
        """(remote clamped to at most wall + max_skew, how many ms it was clamped by)."""
        limit = self.now_ms() + self.max_skew_ms
        if remote.ms > limit:
            log.warning("clock skew clamped: remote time %d ms ahead of the limit (node %s)",
                        remote.ms - limit, remote.node)
            return Timestamp(limit, remote.counter, remote.node), remote.ms - limit
        return remote, 0

    def receive(self, remote: Timestamp) -> Timestamp:
        """Merge a remote timestamp (clamped); returns the new local time."""
        remote, _ = self.clamp(remote)
        with self._lock:
            wall = self.now_ms()
            ms = max(wall, self._last.ms, remote.ms)
            if ms == self._last.ms and ms == remote.ms:
                counter = max(self._last.counter, remote.counter) + 1
            elif ms == self._last.ms:
                counter = self._last.counter + 1
            elif ms == remote.ms:
                counter = remote.counter + 1
            else:
                counter = 0
            self._last = Timestamp(ms, counter, self.node)
            return self._last

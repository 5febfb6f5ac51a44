"""Store-local calendar days in SQL (Qt-free).

Timestamps are stored as UTC text (app.clock.iso: fixed width, ending in Z, so text order is time
order). The manager's figures are cut at LOCAL midnight. SQLite has no time zone database, but
over any finite span a zone is a few constant UTC offsets; `local_date_sql` turns the offsets in
force between two instants into an SQL expression:

    date(col, '+540 minutes')                                   -- Asia/Tokyo: one offset
    CASE WHEN col < '2026-03-08T10:00:00.000000Z' THEN date(col, '-300 minutes')
         WHEN col < '2026-11-01T09:00:00.000000Z' THEN date(col, '-240 minutes')
         ELSE date(col, '-300 minutes') END                    -- a zone with summer time

Instants outside [start, end] get the nearest span's offset (the caller passes the span of the
data it reads, so that never happens for rows it reads).
"""
from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from app.clock import iso

_DAY = timedelta(days=1)


def offset_spans(zone: tzinfo, start: datetime, end: datetime) -> list[tuple[datetime | None, int]]:
    """[(from_instant, offset_minutes)] covering [start, end]; the first span starts at None.
    Transitions are located to the minute (zones change offset on a whole minute)."""
    if end < start:
        start, end = end, start

    def off(t: datetime) -> int:
        return int(t.astimezone(zone).utcoffset().total_seconds() // 60)

    spans: list[tuple[datetime | None, int]] = [(None, off(start))]
    t = start
    while t < end:
        nxt = min(t + _DAY, end)
        if off(nxt) != spans[-1][1]:
            lo, hi = t, nxt  # off(lo) is the current offset, off(hi) the new one
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(second=0, microsecond=0)
                if mid <= lo:
                    mid = lo + timedelta(minutes=1)
                if off(mid) == spans[-1][1]:
                    lo = mid
                else:
                    hi = mid
            spans.append((hi, off(hi)))
        t = nxt
    return spans


def _shift(column: str, minutes: int, fn: str) -> str:
    return f"{fn}({column}, '{minutes:+d} minutes')"


def local_sql(column: str, zone: tzinfo, start: datetime, end: datetime, fn: str = "date") -> str:
    """SQL for fn(store-local time of column), fn being an SQLite function that takes a time value
    and modifiers: date (YYYY-MM-DD) or datetime (YYYY-MM-DD HH:MM:SS)."""
    spans = offset_spans(zone, start, end)
    if len(spans) == 1:
        return _shift(column, spans[0][1], fn)
    parts = [f"WHEN {column} < '{iso(at)}' THEN {_shift(column, spans[i - 1][1], fn)}"
             for i, (at, _) in enumerate(spans) if at is not None]
    return f"(CASE {' '.join(parts)} ELSE {_shift(column, spans[-1][1], fn)} END)"


def local_date_sql(column: str, zone: tzinfo, start: datetime, end: datetime) -> str:
    """SQL giving the store-local date (YYYY-MM-DD text) of a UTC ISO column."""
    return local_sql(column, zone, start, end, "date")


def local_daynum_sql(column: str, zone: tzinfo, start: datetime, end: datetime) -> str:
    """SQL giving the store-local calendar day of a UTC ISO column as an integer (days since
    1970-01-01, local), NULL for NULL: one unixepoch() per row, several times cheaper than
    julianday(date(...)) over a million rows. Subtracting two gives whole calendar days. (Instants
    after 1970: SQLite divides toward zero.)"""
    spans = offset_spans(zone, start, end)

    def day(minutes: int) -> str:
        return f"((unixepoch({column}) + {minutes * 60}) / 86400)"

    if len(spans) == 1:
        return day(spans[0][1])
    parts = [f"WHEN {column} < '{iso(at)}' THEN {day(spans[i - 1][1])}"
             for i, (at, _) in enumerate(spans) if at is not None]
    return f"(CASE {' '.join(parts)} ELSE {day(spans[-1][1])} END)"

"""Time helpers; all timestamps are timezone-aware UTC."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Start (inclusive) and end (exclusive) of ``day`` in UTC."""
    start = datetime.combine(day, time.min, tzinfo=timezone.utc)
    return start, start + timedelta(days=1)


def iter_days(start: date, end: date) -> Iterator[date]:
    """Yield each date from ``start`` to ``end`` inclusive."""
    if end < start:
        raise ValueError("end precedes start")
    current = start
    while current <= end:
        yield current
        current += timedelta(days=1)


def parse_iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"expected YYYY-MM-DD, got {value!r}") from exc


def minutes_ago(minutes: int) -> datetime:
    return utcnow() - timedelta(minutes=minutes)

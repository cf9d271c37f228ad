"""Business calendars and business-time arithmetic. Pure: no database, no wall clock.

Times are naive local datetimes in the calendar's own zone. A *pause* is an interval during
which the clock stops even inside working hours; an open-ended pause (end ``None``) stops it
for good, so a due time cannot be known until the pause ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

Window = tuple[float, float]
Pause = tuple[dt.datetime, dt.datetime | None]

#: How far ahead a due time is searched before giving up (a calendar of all holidays never ends).
MAX_SEARCH_DAYS = 3660


@dataclass(frozen=True)
class Calendar:
    """Working windows per weekday (0 = Monday) in hours since midnight, and holiday dates."""

    weekly: tuple[tuple[Window, ...], ...]
    holidays: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError(f"weekly must have 7 weekdays (Monday first), got {len(self.weekly)}")
        for day, windows in enumerate(self.weekly):
            last_end = 0.0
            for start, end in windows:
                if not (0.0 <= start < end <= 24.0) or start < last_end:
                    raise ValueError(f"working_hours for weekday {day}: expected sorted, non-overlapping "
                                     f"[start, end] hours with 0 <= start < end <= 24, got {list(windows)}")
                last_end = end
        if not any(self.weekly):
            raise ValueError("working_hours must open on at least one weekday")

    @classmethod
    def from_mapping(cls, working_hours: Mapping[str | int, Sequence[Sequence[float]] | None],
                     holidays: Iterable[dt.date] = ()) -> Calendar:
        """Build from the stored JSON shape ``{"0": [[9, 17]], ...}`` (missing weekdays are closed)."""
        weekly: list[tuple[Window, ...]] = []
        for day in range(7):
            raw = working_hours.get(str(day), working_hours.get(day))  # type: ignore[call-overload]
            weekly.append(tuple((float(a), float(b)) for a, b in (raw or [])))
        return cls(tuple(weekly), frozenset(holidays))

    @classmethod
    def always_open(cls) -> Calendar:
        """A 24 x 7 calendar without holidays (policies that have no calendar)."""
        return cls(tuple(((0.0, 24.0),) for _ in range(7)))


def _at(day: dt.date, hours: float) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=round(hours * 3600))


def working_windows(calendar: Calendar, start: dt.datetime,
                    until: dt.datetime | None = None) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """The calendar's working intervals from ``start`` (up to the day of ``until``), in order."""
    day = start.date()
    searched = 0
    while until is None or day <= until.date():
        if until is None and searched >= MAX_SEARCH_DAYS:
            raise ValueError(f"no end found within {MAX_SEARCH_DAYS} days of {start}: check the calendar's holidays")
        searched += 1
        if day not in calendar.holidays:
            for a, b in calendar.weekly[day.weekday()]:
                lo, hi = _at(day, a), _at(day, b)
                if hi > start:
                    yield max(lo, start), hi
        day += dt.timedelta(days=1)


def _merge(pauses: Iterable[Pause]) -> list[Pause]:
    ordered = sorted(pauses, key=lambda p: p[0])
    merged: list[Pause] = []
    for start, end in ordered:
        if end is not None and end < start:
            raise ValueError(f"pause ends before it starts: {start} .. {end}")
        if merged and (merged[-1][1] is None or start <= merged[-1][1]):
            prev_start, prev_end = merged[-1]
            new_end = None if prev_end is None or end is None else max(prev_end, end)
            merged[-1] = (prev_start, new_end)
        else:
            merged.append((start, end))
    return merged


def running_windows(calendar: Calendar, start: dt.datetime, pauses: Iterable[Pause] = (),
                    until: dt.datetime | None = None) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Working intervals from ``start`` with the pauses cut out; stops at an open-ended pause."""
    merged = _merge(pauses)
    i = 0
    for lo, hi in working_windows(calendar, start, until):
        while lo < hi:
            while i < len(merged) and merged[i][1] is not None and merged[i][1] <= lo:
                i += 1
            if i == len(merged) or merged[i][0] >= hi:
                yield lo, hi
                break
            p_start, p_end = merged[i]
            if p_start > lo:
                yield lo, p_start
            if p_end is None:
                return
            lo = max(lo, p_end)


def business_seconds(calendar: Calendar, start: dt.datetime, end: dt.datetime,
                     pauses: Iterable[Pause] = ()) -> float:
    """Business seconds between ``start`` and ``end`` (0 if ``end`` is not after ``start``)."""
    if end <= start:
        return 0.0
    total = 0.0
    for lo, hi in running_windows(calendar, start, pauses, until=end):
        if lo >= end:
            break
        total += (min(hi, end) - lo).total_seconds()
    return total


def add_business_seconds(calendar: Calendar, start: dt.datetime, seconds: float,
                         pauses: Iterable[Pause] = ()) -> dt.datetime | None:
    """The instant when ``seconds`` of business time have run from ``start``.

    None when an open-ended pause stops the clock first (the due time is not known yet).
    """
    if seconds < 0:
        raise ValueError(f"seconds must be >= 0, got {seconds}")
    remaining = float(seconds)
    if remaining == 0:
        return start
    for lo, hi in running_windows(calendar, start, pauses):
        span = (hi - lo).total_seconds()
        if remaining <= span:
            return lo + dt.timedelta(seconds=remaining)
        remaining -= span
    return None

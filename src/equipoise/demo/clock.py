"""Time on the demo horizon: seconds since the start date, months, and channel opening hours."""

from __future__ import annotations

import bisect
import datetime as dt

import numpy as np

HOUR = 3600.0
DAY = 86_400.0


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + y, m + 1, 1)


class Horizon:
    """The simulated period: ``months`` calendar months from ``start`` (a first of month)."""

    def __init__(self, start: dt.date, months: int) -> None:
        if start.day != 1:
            raise ValueError(f"start must be the first day of a month, got {start}")
        if months < 1:
            raise ValueError(f"months must be at least 1, got {months}")
        self.start = start
        self.months = months
        self.origin = dt.datetime.combine(start, dt.time())
        self.month_starts = [self.seconds(dt.datetime.combine(add_months(start, i), dt.time()))
                             for i in range(months + 1)]
        self.end = self.month_starts[-1]
        self.days = int(round(self.end / DAY))

    def seconds(self, moment: dt.datetime) -> float:
        return (moment - self.origin).total_seconds()

    def date_of(self, seconds: float) -> dt.date:
        return (self.origin + dt.timedelta(seconds=seconds)).date()

    def weekday(self, day_index: int) -> int:
        return (self.start.weekday() + day_index) % 7

    def month_date(self, index: int) -> dt.date:
        return add_months(self.start, index)


class OpeningHours:
    """Open hour-slots of one channel over the horizon (plus two spare weeks) for fast look-ups."""

    def __init__(self, hours: dict[str, list[int] | None], horizon: Horizon) -> None:
        starts: list[float] = []
        self.hours = hours
        for day in range(horizon.days + 14):
            span = hours.get(str(horizon.weekday(day)))
            if not span:
                continue
            for h in range(span[0], span[1]):
                starts.append(day * DAY + h * HOUR)
        self.starts = starts
        self._np_starts = np.asarray(starts)

    def is_open(self, t: float) -> bool:
        i = bisect.bisect_right(self.starts, t) - 1
        return i >= 0 and t < self.starts[i] + HOUR

    def next_open(self, t: float) -> float:
        """``t`` if the channel is open then, else the next moment it opens."""
        i = bisect.bisect_right(self.starts, t) - 1
        if i >= 0 and t < self.starts[i] + HOUR:
            return t
        if i + 1 < len(self.starts):
            return self.starts[i + 1]
        return float("inf")

    def slots_between(self, t0: float, t1: float) -> np.ndarray:
        """Start times of the open hour-slots in [t0, t1)."""
        a = np.searchsorted(self._np_starts, t0, side="left")
        b = np.searchsorted(self._np_starts, t1, side="left")
        return self._np_starts[a:b]

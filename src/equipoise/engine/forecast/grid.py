"""Regular time grids of intervals: validation and the slot-of-week index.

Times are naive local times carried as ``numpy.datetime64`` at minute resolution. The week starts
on Monday 00:00, so slot 0 of a 30-minute grid is Monday 00:00-00:30 and there are
``7 * 1440 // interval_minutes`` slots in a week.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

MINUTES_PER_DAY = 1440
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
#: 1970-01-01 (the datetime64 epoch) was a Thursday: Monday 1969-12-29 is 3 days earlier.
_EPOCH_WEEKDAY = 3


def validate_interval(interval_minutes: int) -> int:
    """Return ``interval_minutes`` if it is a positive whole divisor of a day, else raise."""
    if isinstance(interval_minutes, bool) or not isinstance(interval_minutes, (int, np.integer)):
        raise ValueError(f"interval_minutes: expected an integer, got {interval_minutes!r}")
    value = int(interval_minutes)
    if value <= 0 or MINUTES_PER_DAY % value:
        raise ValueError(
            f"interval_minutes: expected a positive divisor of 1440 (e.g. 15, 30, 60), got {value}")
    return value


def slots_per_week(interval_minutes: int) -> int:
    """Number of intervals in one week."""
    return MINUTES_PER_WEEK // validate_interval(interval_minutes)


def as_minutes(times: Any, name: str = "timestamps") -> np.ndarray:
    """Convert datetimes (datetime64, ``datetime`` objects, ISO strings) to ``datetime64[m]``."""
    try:
        arr = np.asarray(times)
        if arr.dtype.kind != "M":
            arr = np.asarray(times, dtype="datetime64[m]")
        exact = arr.astype("datetime64[m]")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: expected datetimes, could not convert ({exc})") from exc
    if np.any(np.isnat(exact)):
        raise ValueError(f"{name}: expected datetimes, found NaT")
    if np.any(exact.astype(arr.dtype) != arr):
        raise ValueError(f"{name}: expected whole minutes, found seconds")
    return exact


def as_minute(value: Any, name: str = "start") -> np.datetime64:
    """Convert one datetime to ``datetime64[m]``."""
    arr = as_minutes(np.atleast_1d(np.asarray(value)), name)
    if arr.shape != (1,):
        raise ValueError(f"{name}: expected a single datetime")
    return arr[0]


def minute_numbers(times: np.ndarray) -> np.ndarray:
    """Minutes since the datetime64 epoch as int64."""
    return times.astype("datetime64[m]").astype(np.int64)


def slot_of_week(times: np.ndarray, interval_minutes: int) -> np.ndarray:
    """Slot index (0 = Monday from midnight) of each time on a grid of ``interval_minutes``."""
    step = validate_interval(interval_minutes)
    minutes = minute_numbers(as_minutes(times)) + _EPOCH_WEEKDAY * MINUTES_PER_DAY
    return np.mod(minutes, MINUTES_PER_WEEK) // step


def check_regular_grid(timestamps: Any, interval_minutes: int) -> np.ndarray:
    """Validate interval starts: aligned to the interval, strictly consecutive, no gaps."""
    step = validate_interval(interval_minutes)
    times = as_minutes(timestamps)
    if times.ndim != 1 or times.size == 0:
        raise ValueError("timestamps: expected a non-empty one-dimensional sequence")
    minutes = minute_numbers(times)
    if minutes[0] % step:
        raise ValueError(
            f"timestamps: first interval {times[0]} is not aligned to {step}-minute boundaries")
    gaps = np.diff(minutes)
    bad = np.flatnonzero(gaps != step)
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"timestamps: expected consecutive {step}-minute intervals, but {times[i]} is "
            f"followed by {times[i + 1]} (position {i + 1}); zero-fill closed or empty intervals")
    return times


def check_counts(counts: Sequence[float] | np.ndarray, size: int) -> np.ndarray:
    """Validate counts: one finite, non-negative number per interval."""
    arr = np.asarray(counts, dtype=float)
    if arr.shape != (size,):
        raise ValueError(
            f"counts: expected {size} values (one per timestamp), got shape {arr.shape}")
    bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
    if bad.size:
        raise ValueError(
            f"counts: expected finite non-negative numbers, item {int(bad[0])} is {arr[bad[0]]}")
    return arr


def grid(start: Any, periods: int, interval_minutes: int) -> np.ndarray:
    """``periods`` consecutive interval starts from ``start`` (which must sit on the grid)."""
    step = validate_interval(interval_minutes)
    if isinstance(periods, bool) or not isinstance(periods, (int, np.integer)) or periods < 0:
        raise ValueError(f"periods: expected a non-negative integer, got {periods!r}")
    first = as_minute(start)
    if minute_numbers(np.asarray([first]))[0] % step:
        raise ValueError(f"start: {first} is not aligned to {step}-minute boundaries")
    return first + np.arange(int(periods)) * np.timedelta64(step, "m")

"""Arrival rates per interval of the week, with a Poisson dispersion check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from equipoise.engine.forecast.grid import (
    MINUTES_PER_DAY,
    check_counts,
    check_regular_grid,
    slot_of_week,
    slots_per_week,
)


@dataclass(frozen=True, eq=False)
class ArrivalProfile:
    """Mean arrivals in each slot of the week (Monday 00:00 first) over the observed weeks."""

    interval_minutes: int
    #: Mean count per interval, one value per slot of the week (NaN where never observed).
    mean_count: np.ndarray
    #: Sample variance of the count per slot (ddof = 1; NaN with fewer than 2 observations).
    variance: np.ndarray
    #: How many intervals were observed in each slot.
    observations: np.ndarray
    #: Pooled variance / mean over open slots: about 1 for Poisson arrivals, > 1 overdispersed.
    dispersion: float
    total_arrivals: float

    @property
    def rate_per_hour(self) -> np.ndarray:
        """Mean arrival rate in each slot, arrivals per hour."""
        return self.mean_count * (60.0 / self.interval_minutes)

    def by_day(self) -> np.ndarray:
        """Mean counts as a 7 x (intervals per day) array, Monday first."""
        return self.mean_count.reshape(7, MINUTES_PER_DAY // self.interval_minutes)


def arrival_rates(timestamps: Any, counts: Any, interval_minutes: int) -> ArrivalProfile:
    """Average a regular grid of interval counts by slot of the week."""
    times = check_regular_grid(timestamps, interval_minutes)
    values = check_counts(counts, times.size)
    per_week = slots_per_week(interval_minutes)
    slots = slot_of_week(times, interval_minutes)
    n = np.bincount(slots, minlength=per_week).astype(float)
    sums = np.bincount(slots, weights=values, minlength=per_week)
    squares = np.bincount(slots, weights=values * values, minlength=per_week)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, sums / n, np.nan)
        variance = np.where(n > 1, (squares - n * np.nan_to_num(mean) ** 2) / (n - 1), np.nan)
    variance = np.where(np.isnan(variance), variance, np.maximum(variance, 0.0))
    usable = (n > 1) & (np.nan_to_num(mean) > 0)
    if np.any(usable):
        dof = n[usable] - 1
        dispersion = float(np.sum(dof * variance[usable]) / np.sum(dof * mean[usable]))
    else:
        dispersion = float("nan")
    return ArrivalProfile(
        interval_minutes=int(interval_minutes),
        mean_count=mean,
        variance=variance,
        observations=n.astype(int),
        dispersion=dispersion,
        total_arrivals=float(values.sum()),
    )

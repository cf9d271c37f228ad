"""Arrival forecasting: a multiplicative weekly profile times a weekly level with a (damped) trend.

Model. Split the history into whole weeks ``k = 0..K-1`` (aligned to the end of the history)
and write the count in slot ``s`` of week ``k`` (``s`` = day-of-week x time-of-day, 168 slots an
hour) as Poisson with mean ``W_k * p_s``, where ``W_k`` is the week's total and ``p`` the weekly
profile (``sum p = 1``).

Why this model and not a general Poisson GLM:

* For the week x slot main-effects Poisson GLM ``log mu_ks = a_k + b_s`` the maximum-likelihood
  fit is closed-form: ``p_s = (sum_k y_ks) / (sum_ks y_ks)`` and ``W_k = sum_s y_ks``. So the
  profile below *is* the Poisson GLM estimate, obtained without iterations, and it is exact on
  noiseless data whatever the weekly totals are.
* Closed intervals (no arrivals in any fitted week) get ``p_s = 0`` and forecast exactly zero:
  no log-link leakage, no negative forecasts.
* The trend lives on the weekly totals, where counts are large and the noise is relatively
  small. It is estimated with the Theil-Sen slope (median of pairwise slopes), which is exact on a
  noiseless line and not dragged by one odd week (a holiday or an outage).

Forecast for week ``K-1+h`` (``h >= 1`` weeks past the history): ``L + b * (phi + ... + phi^h)``
with ``L`` the fitted level of the last history week, ``b`` the slope per week and ``phi`` the
damping factor (``phi = 1``: linear trend; ``phi < 1``: damped trend, which levels off at
``L + b * phi / (1 - phi)``; ``trend="none"``: the mean weekly total). Totals are clipped at zero.
Within a week the level is constant: growth shows up week by week.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from equipoise.engine.forecast.grid import (
    MINUTES_PER_WEEK,
    as_minutes,
    check_counts,
    check_regular_grid,
    grid,
    minute_numbers,
    slot_of_week,
    slots_per_week,
    validate_interval,
)

TRENDS = ("none", "linear", "damped")


@dataclass(frozen=True, eq=False)
class ForecastModel:
    """A fitted weekly-profile x trended-level arrival model (see the module docstring)."""

    interval_minutes: int
    #: Share of a week's arrivals falling in each slot of the week (Monday 00:00 first).
    profile: np.ndarray
    #: Start of the first whole week used in the fit.
    week_origin: np.datetime64
    #: Observed arrivals in each fitted week, oldest first.
    weekly_totals: np.ndarray
    #: Fitted weekly total of the last history week.
    level: float
    #: Trend of the weekly total, arrivals per week per week.
    slope: float
    #: Damping factor phi applied to the trend beyond the history (1 = undamped).
    damping: float
    trend: str

    @property
    def n_weeks(self) -> int:
        """Number of whole weeks the model was fitted on."""
        return int(self.weekly_totals.size)

    def weekly_total(self, week_index: np.ndarray | int) -> np.ndarray:
        """Expected arrivals in week ``week_index`` (0 = first fitted week; may lie outside)."""
        k = np.asarray(week_index, dtype=float)
        last = self.n_weeks - 1
        ahead = np.maximum(k - last, 0.0)
        if self.damping == 1.0:
            growth = ahead
        else:
            phi = self.damping
            growth = phi * (1.0 - phi**ahead) / (1.0 - phi)
        inside = np.minimum(k - last, 0.0)
        return np.maximum(self.level + self.slope * (inside + growth), 0.0)

    def predict_at(self, timestamps: Any) -> np.ndarray:
        """Expected arrivals in the intervals starting at ``timestamps`` (each on the grid)."""
        times = as_minutes(timestamps)
        minutes = minute_numbers(times)
        if np.any(minutes % self.interval_minutes):
            raise ValueError(
                f"timestamps: expected starts on {self.interval_minutes}-minute boundaries")
        origin = minute_numbers(np.asarray([self.week_origin]))[0]
        week = np.floor_divide(minutes - origin, MINUTES_PER_WEEK)
        return self.weekly_total(week) * self.profile[slot_of_week(times, self.interval_minutes)]

    def predict(self, start: Any, periods: int) -> np.ndarray:
        """Expected arrivals in ``periods`` consecutive intervals from ``start``."""
        return self.predict_at(grid(start, periods, self.interval_minutes))


def theil_sen(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Theil-Sen line fit: median pairwise slope, intercept the median of ``y - slope * x``."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.size < 2:
        return 0.0, float(np.median(y)) if y.size else 0.0
    i, j = np.triu_indices(x.size, k=1)
    dx = x[j] - x[i]
    keep = dx != 0
    slope = float(np.median((y[j] - y[i])[keep] / dx[keep])) if np.any(keep) else 0.0
    return slope, float(np.median(y - slope * x))


def fit_forecast(
    timestamps: Any,
    counts: Any,
    interval_minutes: int,
    *,
    trend: str = "damped",
    damping: float = 0.8,
    max_weeks: int | None = None,
) -> ForecastModel:
    """Fit the weekly-profile x trend model on a regular, zero-filled grid of interval counts."""
    step = validate_interval(interval_minutes)
    times = check_regular_grid(timestamps, step)
    values = check_counts(counts, times.size)
    if trend not in TRENDS:
        raise ValueError(f"trend: expected one of {', '.join(TRENDS)}, got {trend!r}")
    if not (0.0 < float(damping) <= 1.0):
        raise ValueError(f"damping: expected a number in (0, 1], got {damping!r}")
    if max_weeks is not None and (isinstance(max_weeks, bool) or int(max_weeks) < 1):
        raise ValueError(f"max_weeks: expected a positive integer or None, got {max_weeks!r}")
    per_week = slots_per_week(step)
    n_weeks = times.size // per_week
    if n_weeks < 1:
        raise ValueError(
            f"timestamps: expected at least one whole week ({per_week} intervals of {step} min), "
            f"got {times.size}")
    if max_weeks is not None:
        n_weeks = min(n_weeks, int(max_weeks))
    used_times = times[times.size - n_weeks * per_week:]
    used = values[values.size - n_weeks * per_week:]
    # Sum each slot of the week over the fitted weeks, whatever weekday the history starts on.
    slots = slot_of_week(used_times, step)
    slot_totals = np.bincount(slots, weights=used, minlength=per_week)
    weekly_totals = used.reshape(n_weeks, per_week).sum(axis=1)
    grand = float(weekly_totals.sum())
    profile = slot_totals / grand if grand > 0 else np.zeros(per_week)
    weeks = np.arange(n_weeks, dtype=float)
    if trend == "none" or n_weeks < 2:
        slope, level = 0.0, float(weekly_totals.mean())
    else:
        slope, intercept = theil_sen(weeks, weekly_totals)
        level = intercept + slope * (n_weeks - 1)
    return ForecastModel(
        interval_minutes=step,
        profile=profile,
        week_origin=used_times[0],
        weekly_totals=weekly_totals,
        level=float(level),
        slope=float(slope),
        damping=float(damping) if trend == "damped" else 1.0,
        trend=trend,
    )

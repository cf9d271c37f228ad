"""Forecast accuracy: WAPE and bias, and a rolling-origin backtest of the arrival model.

WAPE = sum |actual - forecast| / sum actual (0 is perfect; it weights busy intervals more than
MAPE and is defined when some intervals have no arrivals). Bias = sum (forecast - actual) /
sum actual (positive: the model over-forecasts).

Low-volume intervals cannot be forecast well whatever the model: if arrivals are Poisson with
exactly the forecast mean, the WAPE still averages sum MAD(f_i) / sum f_i, where the Poisson mean
absolute deviation is MAD(lam) = 2 lam pmf(floor(lam); lam). :func:`poisson_wape_floor` reports
that noise floor so a backtest WAPE can be read against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from equipoise.engine.forecast.grid import check_counts, check_regular_grid, slots_per_week
from equipoise.engine.forecast.model import fit_forecast


def _pair(actual: Any, forecast: Any) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    if a.shape != f.shape or a.ndim != 1:
        raise ValueError(f"forecast: expected the shape of actual {a.shape}, got {f.shape}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(f))):
        raise ValueError("actual/forecast: expected finite numbers")
    total = float(a.sum())
    if total <= 0:
        raise ValueError("actual: expected a positive total (WAPE and bias divide by it)")
    return a, f


def wape(actual: Any, forecast: Any) -> float:
    """Weighted absolute percentage error: sum |actual - forecast| / sum actual."""
    a, f = _pair(actual, forecast)
    return float(np.abs(a - f).sum() / a.sum())


def bias(actual: Any, forecast: Any) -> float:
    """Relative bias: sum (forecast - actual) / sum actual (positive = over-forecast)."""
    a, f = _pair(actual, forecast)
    return float((f - a).sum() / a.sum())


def poisson_wape_floor(forecast: Any) -> float:
    """Expected WAPE if arrivals were Poisson with exactly these means (the noise floor)."""
    lam = np.asarray(forecast, dtype=float)
    if lam.ndim != 1 or not np.all(np.isfinite(lam)) or np.any(lam < 0):
        raise ValueError("forecast: expected a one-dimensional array of finite non-negative means")
    if lam.sum() <= 0:
        raise ValueError("forecast: expected a positive total")
    mad = 2.0 * lam * stats.poisson.pmf(np.floor(lam), lam)
    return float(mad.sum() / lam.sum())


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """Out-of-sample accuracy over one or more forecast origins, pooled."""

    wape: float
    bias: float
    #: WAPE expected from Poisson noise alone around the forecast (see poisson_wape_floor).
    noise_floor: float
    #: Start of every evaluated interval, actual and forecast arrivals (all origins, in order).
    timestamps: np.ndarray
    actual: np.ndarray
    forecast: np.ndarray
    #: WAPE of each origin, oldest first.
    wape_by_origin: tuple[float, ...]
    horizon_weeks: int
    history_weeks: int


def backtest(
    timestamps: Any,
    counts: Any,
    interval_minutes: int,
    horizon_weeks: int = 1,
    *,
    origins: int = 1,
    history_weeks: int | None = None,
    trend: str = "damped",
    damping: float = 0.8,
) -> BacktestResult:
    """Hold out the last weeks, forecast them from the weeks before, and score the forecast.

    With ``origins = r`` the cut point steps back one week at a time: origin ``j`` trains on the
    weeks before ``end - (r - 1 - j) - horizon_weeks`` and forecasts the next ``horizon_weeks``.
    ``history_weeks`` caps the training window (None: every whole week before the origin).
    """
    times = check_regular_grid(timestamps, interval_minutes)
    values = check_counts(counts, times.size)
    for name, value in (("horizon_weeks", horizon_weeks), ("origins", origins)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name}: expected a positive integer, got {value!r}")
    per_week = slots_per_week(interval_minutes)
    needed = horizon_weeks + origins  # at least one training week before the oldest origin
    if times.size < needed * per_week:
        raise ValueError(
            f"timestamps: a backtest with horizon_weeks={horizon_weeks} and origins={origins} "
            f"needs at least {needed} whole weeks of history, got {times.size / per_week:.1f}")
    h = horizon_weeks * per_week
    all_t, all_a, all_f, scores = [], [], [], []
    train_weeks = []
    for j in range(origins):
        cut = times.size - (origins - 1 - j) * per_week - h
        model = fit_forecast(times[:cut], values[:cut], interval_minutes, trend=trend,
                             damping=damping, max_weeks=history_weeks)
        train_weeks.append(model.n_weeks)
        actual = values[cut:cut + h]
        forecast = model.predict_at(times[cut:cut + h])
        all_t.append(times[cut:cut + h])
        all_a.append(actual)
        all_f.append(forecast)
        scores.append(wape(actual, forecast) if actual.sum() > 0 else float("nan"))
    actual = np.concatenate(all_a)
    forecast = np.concatenate(all_f)
    return BacktestResult(
        wape=wape(actual, forecast),
        bias=bias(actual, forecast),
        noise_floor=poisson_wape_floor(forecast) if forecast.sum() > 0 else float("nan"),
        timestamps=np.concatenate(all_t),
        actual=actual,
        forecast=forecast,
        wape_by_origin=tuple(scores),
        horizon_weeks=int(horizon_weeks),
        history_weeks=min(train_weeks),
    )

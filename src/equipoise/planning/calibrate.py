"""Calibrate and forecast a channel from its contact history: read → engine → result.

* :func:`calibrate_channel` — service-time distribution (lognormal / gamma / exponential with
  goodness of fit), customer patience (censored exponential MLE + Kaplan-Meier, and the
  P(Ab) = theta E[W] regression over intervals), and the arrival-rate profile of the week.
* :func:`forecast_channel` — arrivals per interval for the days ahead.
* :func:`backtest_channel` — the same model scored on held-out weeks (WAPE, bias).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from equipoise.engine.calibration import (
    AbandonmentPatience,
    ArrivalProfile,
    CensoredPatience,
    ServiceTimeFit,
    arrival_rates,
    fit_service_times,
    patience_censored,
    patience_from_abandonment,
)
from equipoise.engine.forecast import (
    BacktestResult,
    ForecastModel,
    backtest,
    fit_forecast,
    grid,
    slot_of_week,
)
from equipoise.kit.errors import InvalidInput
from equipoise.planning import history

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True, eq=False)
class ChannelCalibration:
    """Everything fitted for one channel over ``[start, end)``; a part is None when data lack."""

    channel_code: str
    start: dt.datetime
    end: dt.datetime
    interval_minutes: int
    arrivals: int
    handled: int
    queued: int
    abandoned: int
    mean_wait_seconds: float | None
    service_time: ServiceTimeFit | None
    patience_censored: CensoredPatience | None
    patience_abandonment: AbandonmentPatience | None
    arrival_profile: ArrivalProfile
    #: Why a part could not be fitted, in plain words.
    notes: tuple[str, ...]

    def summary(self) -> dict[str, Any]:
        """Plain numbers (JSON-ready) of the fitted parameters."""
        out: dict[str, Any] = {
            "channel": self.channel_code, "start": self.start.isoformat(),
            "end": self.end.isoformat(), "interval_minutes": self.interval_minutes,
            "arrivals": self.arrivals, "handled": self.handled, "queued": self.queued,
            "abandoned": self.abandoned, "mean_wait_seconds": self.mean_wait_seconds,
            "notes": list(self.notes),
        }
        if self.service_time is not None:
            st = self.service_time
            out["service_time"] = {
                "n": st.n, "sample_mean": st.sample_mean, "sample_std": st.sample_std,
                "best": st.best.name,
                "candidates": [
                    {"name": c.name, "params": c.params, "mean": c.mean, "std": c.std,
                     "log_likelihood": c.log_likelihood, "aic": c.aic,
                     "ks_statistic": c.ks_statistic, "ks_pvalue": c.ks_pvalue}
                    for c in st.candidates],
            }
        if self.patience_censored is not None:
            pc = self.patience_censored
            low, high = pc.mean_patience_interval()
            out["patience_censored"] = {
                "theta_per_second": pc.theta, "standard_error": pc.standard_error,
                "mean_patience_seconds": _finite(pc.mean_patience_seconds),
                "mean_patience_95": [_finite(low), _finite(high)],
                "n": pc.n, "abandoned": pc.n_abandoned,
                "km_median_seconds": pc.km.median,
                "km_survival": {str(t): float(pc.km.survival_at(t))
                                for t in (10, 30, 60, 120, 300)},
            }
        if self.patience_abandonment is not None:
            pa = self.patience_abandonment
            out["patience_abandonment"] = {
                "theta_regression_per_second": pa.theta_regression,
                "theta_ratio_per_second": pa.theta_ratio,
                "mean_patience_regression_seconds": _finite(pa.mean_patience_regression),
                "mean_patience_ratio_seconds": _finite(pa.mean_patience_ratio),
                "points": pa.n_intervals,
                "mean_offered_per_point": pa.offered / pa.n_intervals,
            }
        prof = self.arrival_profile
        rate = np.nan_to_num(prof.rate_per_hour)
        peak = int(np.argmax(rate))
        out["arrival_profile"] = {
            "mean_per_week": float(np.nansum(prof.mean_count)),
            "peak_slot": peak, "peak_rate_per_hour": float(rate[peak]),
            "dispersion": None if np.isnan(prof.dispersion) else prof.dispersion,
            "open_slots": int(np.sum(rate > 0)),
        }
        return out


def _finite(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


def _slot_aggregates(queue: history.QueueOutcomes, interval_minutes: int):
    """Offered, abandoned and total wait per slot of the week, pooled over the weeks.

    Pooling gives each point of the P(Ab) = theta E[W] regression many contacts; with n contacts
    a point's estimate is biased by about n / (n + 1) (see patience_from_abandonment).
    """
    _, idx = np.unique(slot_of_week(queue.arrived_at.astype("datetime64[m]"), interval_minutes),
                       return_inverse=True)
    offered = np.bincount(idx).astype(float)
    abandoned = np.bincount(idx, weights=queue.abandoned.astype(float))
    waited = np.bincount(idx, weights=queue.wait_seconds)
    return offered, abandoned, waited


def calibrate_channel(
    engine: Engine, channel_code: str, start: dt.date | dt.datetime, end: dt.date | dt.datetime,
    *, interval_minutes: int = 30,
) -> ChannelCalibration:
    """Fit service times, patience and the arrival profile of one channel over ``[start, end)``."""
    history.check_interval(interval_minutes)
    series = history.arrival_counts(engine, channel_code, start, end, interval_minutes)
    s, e = history.check_window(start, end)
    handles = history.handle_times(engine, channel_code, s, e)
    queue = history.queue_outcomes(engine, channel_code, s, e)
    notes: list[str] = []
    service: ServiceTimeFit | None = None
    if handles.size < 2 or np.all(handles == handles[0]):
        notes.append(f"service time: {handles.size} handled contacts with a positive handle "
                     "time, too few (or all equal) to fit a distribution")
    else:
        service = fit_service_times(handles)
    censored: CensoredPatience | None = None
    by_interval: AbandonmentPatience | None = None
    if len(queue) == 0 or queue.wait_seconds.sum() <= 0:
        notes.append("patience: no queued contact waited, patience cannot be estimated")
    else:
        censored = patience_censored(queue.wait_seconds, queue.abandoned)
        by_interval = patience_from_abandonment(*_slot_aggregates(queue, interval_minutes))
    return ChannelCalibration(
        channel_code=channel_code, start=s, end=e, interval_minutes=interval_minutes,
        arrivals=int(series.counts.sum()), handled=int(handles.size), queued=len(queue),
        abandoned=int(queue.abandoned.sum()),
        mean_wait_seconds=float(queue.wait_seconds.mean()) if len(queue) else None,
        service_time=service, patience_censored=censored, patience_abandonment=by_interval,
        arrival_profile=arrival_rates(series.timestamps, series.counts, interval_minutes),
        notes=tuple(notes),
    )


def default_horizon_start(engine: Engine, channel_code: str) -> dt.datetime:
    """Midnight after the channel's last inbound arrival (where the history ends)."""
    span = history.arrival_span(engine, channel_code)
    if span is None:
        raise InvalidInput(f"channel: {channel_code!r} has no inbound contacts", field="channel")
    return dt.datetime.combine(span[1].date() + dt.timedelta(days=1), dt.time())


def _history_window(engine: Engine, channel_code: str, end: dt.datetime,
                    weeks: int) -> tuple[dt.datetime, dt.datetime]:
    """``weeks`` weeks before ``end``, cut to the midnight of the first arrival (no fake zeros)."""
    span = history.arrival_span(engine, channel_code)
    if span is None:
        raise InvalidInput(f"channel: {channel_code!r} has no inbound contacts", field="channel")
    first = dt.datetime.combine(span[0].date(), dt.time())
    return max(end - weeks * WEEK, first), end


def _positive(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"{name}: expected a positive whole number, got {value!r}", field=name)
    return value


@dataclass(frozen=True, eq=False)
class ChannelForecast:
    """Expected arrivals per interval of one channel over the horizon."""

    channel_code: str
    interval_minutes: int
    timestamps: np.ndarray
    expected: np.ndarray
    model: ForecastModel
    history_start: dt.datetime
    history_end: dt.datetime

    def to_frame(self) -> pd.DataFrame:
        """Interval start and expected arrivals."""
        return pd.DataFrame({"interval_start": self.timestamps, "expected": self.expected})


def forecast_channel(engine: Engine, channel_code: str, interval_minutes: int, history_weeks: int,
                     horizon_start: dt.date | dt.datetime, horizon_days: int, *,
                     trend: str = "damped", damping: float = 0.8) -> ChannelForecast:
    """Fit on the ``history_weeks`` weeks before ``horizon_start`` and forecast ``horizon_days``."""
    history.check_interval(interval_minutes)
    _positive("history_weeks", history_weeks)
    _positive("horizon_days", horizon_days)
    start = history.check_window(horizon_start, horizon_start + dt.timedelta(days=1))[0]
    h_start, h_end = _history_window(engine, channel_code, start, history_weeks)
    if h_end - h_start < WEEK:
        raise InvalidInput(f"history_weeks: {channel_code!r} has only {(h_end - h_start).days} "
                           f"days of history before {start.isoformat()}, at least 7 are needed",
                           field="history_weeks")
    series = history.arrival_counts(engine, channel_code, h_start, h_end, interval_minutes)
    model = fit_forecast(series.timestamps, series.counts, interval_minutes, trend=trend,
                         damping=damping)
    times = grid(np.datetime64(start, "m"), horizon_days * 1440 // interval_minutes,
                 interval_minutes)
    return ChannelForecast(channel_code, interval_minutes, times, model.predict_at(times), model,
                           h_start, h_end)


@dataclass(frozen=True, eq=False)
class ChannelBacktest:
    """Out-of-sample accuracy of the channel's forecast."""

    channel_code: str
    interval_minutes: int
    window_start: dt.datetime
    window_end: dt.datetime
    result: BacktestResult


def backtest_channel(engine: Engine, channel_code: str, interval_minutes: int, history_weeks: int,
                     *, horizon_weeks: int = 1, origins: int = 1,
                     end: dt.date | dt.datetime | None = None, trend: str = "damped",
                     damping: float = 0.8) -> ChannelBacktest:
    """Hold out the last ``horizon_weeks`` weeks before ``end`` and score the forecast (WAPE)."""
    for name, value in (("history_weeks", history_weeks), ("horizon_weeks", horizon_weeks),
                        ("origins", origins)):
        _positive(name, value)
    history.check_interval(interval_minutes)
    stop = (default_horizon_start(engine, channel_code) if end is None
            else history.check_window(end, end + dt.timedelta(days=1))[0])
    weeks = history_weeks + horizon_weeks + origins - 1
    w_start, w_end = _history_window(engine, channel_code, stop, weeks)
    series = history.arrival_counts(engine, channel_code, w_start, w_end, interval_minutes)
    available = (w_end - w_start) // WEEK
    if available < horizon_weeks + origins:
        raise InvalidInput(f"history_weeks: {channel_code!r} has {available} whole weeks before "
                           f"{stop.isoformat()}; this backtest needs {horizon_weeks + origins}",
                           field="history_weeks")
    try:
        result = backtest(series.timestamps, series.counts, interval_minutes, horizon_weeks,
                          origins=origins, history_weeks=history_weeks, trend=trend,
                          damping=damping)
    except ValueError as exc:
        raise InvalidInput(f"backtest: {exc}") from exc
    return ChannelBacktest(channel_code, interval_minutes, w_start, w_end, result)

"""The week's staffing picture of one channel: forecast vs actual arrivals and required agents.

A small stand-in for the planning staffing service: it reads the channel's history through
``planning.calibrate`` (forecast and calibration) and sizes every interval with
``engine.queueing.required_agents`` (Erlang A when a patience could be estimated, else Erlang C).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, select

from equipoise.engine.queueing import required_agents
from equipoise.kit.errors import InvalidInput
from equipoise.models.channels import Channel
from equipoise.planning import history
from equipoise.planning.calibrate import calibrate_channel, forecast_channel

WEEK = dt.timedelta(days=7)

#: What each figure of the staffing page means (shown on /definitions#staffing-<key>).
DEFINITIONS = {
    "actual": "Inbound contacts that arrived on the channel in each interval, count.",
    "forecast": "Expected arrivals per interval from the seasonal forecast fitted on the weeks "
                "before the chosen week (the chosen week itself is not seen), count.",
    "wape": "Weighted absolute percentage error of the forecast over the week: sum of "
            "|actual - forecast| / sum of actual, %.",
    "aht": "Mean handle time of answered inbound contacts over the fitting weeks, seconds; "
           "divided by the channel's concurrency when an agent serves several at once.",
    "patience": "Mean customer patience estimated from waits and abandonments (censored "
                "exponential fit) over the fitting weeks; Erlang C is used when none.",
    "agents": "Fewest agents on the channel in each interval meeting the service-level target "
              "at the forecast load (Erlang A with patience, else Erlang C), agents.",
    "scheduled": "Required agents / (1 - shrinkage), rounded up: paid agents to schedule, agents.",
    "agent_hours": "Sum over the week of required agents x interval length, hours.",
    "service_level": "Modelled share of contacts answered within the channel's target time "
                     "when staffed with the required agents, %.",
    "abandonment": "Modelled share of contacts abandoning before an answer when staffed with the "
                   "required agents (Erlang A), %.",
}


@dataclass(frozen=True)
class ChannelChoice:
    """A staffed channel that can be planned, with its service-level target time."""

    code: str
    name: str
    service_level_seconds: float
    concurrency: float


@dataclass(frozen=True, eq=False)
class WeekStaffing:
    """Per-interval arrivals, required agents and modelled outcomes of one channel-week."""

    channel: ChannelChoice
    week_start: dt.date
    interval_minutes: int
    timestamps: np.ndarray
    actual: np.ndarray
    forecast: np.ndarray
    agents: np.ndarray
    scheduled: np.ndarray
    service_level_pct: np.ndarray
    abandon_pct: np.ndarray
    model: str
    aht_seconds: float
    patience_seconds: float | None
    target_sl_pct: float
    shrinkage_pct: float
    history_start: dt.datetime
    history_end: dt.datetime

    @property
    def wape_pct(self) -> float | None:
        """Forecast error over the week, % of actual arrivals (None without arrivals)."""
        total = float(self.actual.sum())
        return None if total == 0 else 100.0 * float(np.abs(self.actual - self.forecast).sum()) / total

    @property
    def agent_hours(self) -> float:
        """Required agent-hours over the week."""
        return float(self.agents.sum()) * self.interval_minutes / 60.0

    @property
    def scheduled_hours(self) -> float:
        """Scheduled (paid) agent-hours over the week, shrinkage included."""
        return float(self.scheduled.sum()) * self.interval_minutes / 60.0


def staffed_channels(engine: Engine) -> list[ChannelChoice]:
    """Channels staffed by agents, in their configured order."""
    with engine.connect() as conn:
        rows = conn.execute(select(Channel.code, Channel.name, Channel.service_level_seconds,
                                   Channel.concurrency)
                            .where(Channel.staffed.is_(True)).order_by(Channel.id)).all()
    return [ChannelChoice(code, name, float(sl or 0.0), float(conc or 1.0))
            for code, name, sl, conc in rows]


def plannable_weeks(engine: Engine, channel_code: str) -> list[dt.date]:
    """Mondays of the weeks with arrivals that have at least one week of history before them."""
    span = history.arrival_span(engine, channel_code)
    if span is None:
        return []
    first = span[0].date() + WEEK
    monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    last = span[1].date()
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday += WEEK
    return weeks


def _check_pct(name: str, value: float, low: float, high: float) -> float:
    if not isinstance(value, int | float) or math.isnan(value) or not low <= value <= high:
        raise InvalidInput(f"{name}: expected a percentage between {low:g} and {high:g}, "
                           f"got {value!r}", field=name)
    return float(value)


def plan_week(engine: Engine, channel: ChannelChoice, week_start: dt.date, *,
              target_sl_pct: float = 80.0, shrinkage_pct: float = 30.0, history_weeks: int = 8,
              interval_minutes: int = 30) -> WeekStaffing:
    """Forecast the week from the weeks before it, size every interval, and read the actuals."""
    target = _check_pct("target_sl", target_sl_pct, 1.0, 99.9) / 100.0
    shrink = _check_pct("shrinkage", shrinkage_pct, 0.0, 90.0) / 100.0
    if week_start.weekday() != 0:
        raise InvalidInput(f"week: expected a Monday, got {week_start.isoformat()}", field="week")
    fc = forecast_channel(engine, channel.code, interval_minutes, history_weeks, week_start, 7)
    actual = history.arrival_counts(engine, channel.code, week_start, week_start + WEEK,
                                    interval_minutes).counts
    cal = calibrate_channel(engine, channel.code, fc.history_start, fc.history_end,
                            interval_minutes=interval_minutes)
    if cal.service_time is None:
        raise InvalidInput(f"channel: {channel.code!r} has no handled contacts before "
                           f"{week_start.isoformat()} to estimate a handle time", field="channel")
    aht = cal.service_time.sample_mean / max(channel.concurrency, 1.0)
    patience = None
    if cal.patience_censored is not None:
        p = cal.patience_censored.mean_patience_seconds
        patience = float(p) if math.isfinite(p) and p > 0 else None
    model = "a" if patience is not None else "c"
    calls = np.maximum(np.asarray(fc.expected, dtype=float), 0.0)
    result = required_agents(model, calls, interval_minutes * 60.0, aht, target_sl=target,
                             target_seconds=channel.service_level_seconds,
                             patience_seconds=patience, shrinkage=shrink)
    agents = np.atleast_1d(np.asarray(result.agents, dtype=np.int64))
    idle = agents == 0
    sl = np.where(idle, np.nan, 100.0 * np.atleast_1d(np.asarray(result.metrics.service_level)))
    ab = np.where(idle, np.nan, 100.0 * np.atleast_1d(np.asarray(result.metrics.p_abandon)))
    return WeekStaffing(
        channel=channel, week_start=week_start, interval_minutes=interval_minutes,
        timestamps=fc.timestamps, actual=np.asarray(actual, dtype=float), forecast=calls,
        agents=agents, scheduled=np.atleast_1d(np.asarray(result.scheduled_agents, dtype=np.int64)),
        service_level_pct=sl, abandon_pct=ab, model=model, aht_seconds=float(aht),
        patience_seconds=patience, target_sl_pct=target * 100.0, shrinkage_pct=shrink * 100.0,
        history_start=fc.history_start, history_end=fc.history_end)

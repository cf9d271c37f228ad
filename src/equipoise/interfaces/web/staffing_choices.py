"""What the staffing page offers to pick (staffed channels, plannable weeks) and what it shows.

The plan itself comes from :func:`equipoise.planning.staffing.plan_week`; this module only lists
the choices and turns a plan into per-interval arrays for the charts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Engine, select

from equipoise.models.channels import Channel
from equipoise.planning import history
from equipoise.planning.staffing import StaffingPlan, default_week, week_label

WEEK = dt.timedelta(days=7)

#: What each figure of the staffing page means (shown on /definitions#staffing-<key>).
DEFINITIONS = {
    "actual": "Inbound contacts that arrived on the channel in each interval, count.",
    "forecast": "Expected arrivals per interval from the seasonal forecast fitted on the weeks "
                "before the chosen week (the chosen week itself is not seen), count.",
    "wape": "Weighted absolute percentage error of the forecast over the intervals of the week "
            "with recorded arrivals: sum of |actual - forecast| / sum of actual, %.",
    "aht": "Mean handle time of the lognormal fitted to the handle times of the fitting weeks, "
           "seconds (an agent on a channel with concurrency works several contacts at once).",
    "patience": "Mean customer patience estimated from waits and abandonments (censored "
                "exponential fit) over the fitting weeks; Erlang C is used when nobody abandoned.",
    "agents": "Fewest agents in each open interval meeting the service-level target at the "
              "forecast load (Erlang A with patience, else Erlang C; for deferred channels, the "
              "work spread over the response window), agents.",
    "scheduled": "Required agents / (1 - shrinkage), rounded up: paid agents to schedule, agents.",
    "on_shift": "Agents recorded on shift on the channel (agent_shifts), mean over the interval.",
    "productive_hours": "Sum over the week of required agents x interval length, hours.",
    "agent_hours": "Sum over the week of scheduled agents x interval length, hours.",
    "cost": "Scheduled agent hours x the mean loaded hourly cost of the agents with shifts on the "
            "channel, in the currency.",
    "service_level": "Modelled share of contacts answered within the channel's target time "
                     "when staffed with the required agents, %.",
    "abandonment": "Modelled share of contacts abandoning before an answer when staffed with the "
                   "required agents (Erlang A), %.",
    "occupancy": "Modelled share of staffed agent time spent handling contacts, %.",
}


@dataclass(frozen=True)
class ChannelChoice:
    """A staffed channel that can be planned."""

    code: str
    name: str


def staffed_channels(engine: Engine) -> list[ChannelChoice]:
    """Channels staffed by agents, in their configured order."""
    with engine.connect() as conn:
        rows = conn.execute(select(Channel.code, Channel.name)
                            .where(Channel.staffed.is_(True)).order_by(Channel.id)).all()
    return [ChannelChoice(code, name) for code, name in rows]


def plannable_weeks(engine: Engine, channel_code: str) -> list[dt.date]:
    """Mondays from the first week with a week of history before it to the week after the data."""
    span = history.arrival_span(engine, channel_code)
    if span is None:
        return []
    first = span[0].date() + WEEK
    monday = first + dt.timedelta(days=(7 - first.weekday()) % 7)
    last = default_week(engine, channel_code).date()
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday += WEEK
    return weeks


def default_choice(weeks: list[dt.date], last_arrival: dt.datetime | None) -> dt.date | None:
    """The last week wholly inside the history (actuals to compare), else the latest week."""
    if not weeks:
        return None
    complete = [w for w in weeks if last_arrival is not None
                and dt.datetime.combine(w + WEEK, dt.time()) <= last_arrival + dt.timedelta(days=1)]
    return complete[-1] if complete else weeks[-1]


def week_option(monday: dt.date, history_end: dt.date | None) -> tuple[str, str]:
    """(value, label) of a week in the picker; a week after the data is marked forecast only."""
    label = f"{week_label(dt.datetime.combine(monday, dt.time()))} (from {monday:%a %d %b %Y})"
    if history_end is not None and monday > history_end:
        label += ", forecast only"
    return week_label(dt.datetime.combine(monday, dt.time())), label


@dataclass(frozen=True, eq=False)
class PlanSeries:
    """The plan's intervals as arrays (NaN where a value does not apply)."""

    starts: list[str]
    forecast: np.ndarray
    actual: np.ndarray | None
    required: np.ndarray
    scheduled: np.ndarray
    on_shift: np.ndarray | None
    service_level_pct: np.ndarray
    abandon_pct: np.ndarray
    occupancy_pct: np.ndarray

    @property
    def wape_pct(self) -> float | None:
        """Forecast error over the week, % of actual arrivals (None without actuals)."""
        if self.actual is None:
            return None
        known = ~np.isnan(self.actual)  # days after the history ends are unknown, not zero
        total = float(self.actual[known].sum())
        if total == 0:
            return None
        return 100.0 * float(np.abs(self.actual[known] - self.forecast[known]).sum()) / total


def _arr(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def series(plan: StaffingPlan) -> PlanSeries:
    """Per-interval arrays of a plan, percentages in %."""
    rows = plan.intervals
    has_actual = plan.totals.actual_calls is not None
    has_shift = plan.totals.actual_agent_hours is not None
    return PlanSeries(
        starts=[r.start.strftime("%Y-%m-%d %H:%M") for r in rows],
        forecast=_arr([r.forecast_calls for r in rows]),
        actual=_arr([r.actual_calls for r in rows]) if has_actual else None,
        required=_arr([r.required_agents for r in rows]),
        scheduled=_arr([r.scheduled_agents for r in rows]),
        on_shift=_arr([r.actual_scheduled for r in rows]) if has_shift else None,
        service_level_pct=100.0 * _arr([r.service_level for r in rows]),
        abandon_pct=100.0 * _arr([r.p_abandon for r in rows]),
        occupancy_pct=100.0 * _arr([r.occupancy for r in rows]),
    )

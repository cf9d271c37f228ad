"""Staffing plan of one channel for one week: forecast -> agents per interval -> hours and cost.

Method (every choice here is a documented default the caller can change):

* **Arrivals**: the channel's forecast (``forecast_channel``) fitted on the ``history_weeks``
  weeks before the planned week, so a past week is planned out of sample and shown next to its
  actual arrivals and the agents actually on shift (``agent_shifts``).
* **Handle time**: the mean of the lognormal fitted to the handle times of the same history
  (``calibrate_channel``; the sample mean when no lognormal could be fitted).
* **Live channels** (``channels.service_level_seconds`` under an hour: phone, chat): Erlang A
  when the history shows abandonment (patience = censored exponential MLE), else Erlang C, for
  the share ``target_sl`` answered within ``target_seconds`` (default: the channel's target).
  An agent works ``concurrency`` contacts at once, so servers = agents x concurrency and
  agents = ceil(servers / concurrency); the metrics are those of the floor(agents x
  concurrency) servers actually staffed. Only open intervals (``channels.opening_hours``) are
  staffed.
* **Deferred channels** (target of an hour or more: email, social, field): the workload method of
  ``engine.queueing.deferred`` -- work done by its response deadline (the channel's target) in
  open intervals, agents brought in as work falls due, at most ``deferred_occupancy`` busy.
* **Shrinkage** (default 30%: breaks, training, meetings, absence -- published contact-centre
  figures run 30-35%): scheduled agents = ceil(agents / (1 - shrinkage)).
* **Cost**: scheduled agent hours x the mean loaded hourly cost of the agents who have shifts on
  the channel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import numpy as np
from sqlalchemy import Engine, func, select

from equipoise.engine.queueing import (
    Model,
    deferred_agents,
    erlang_a_metrics,
    erlang_c_metrics,
    required_agents,
)
from equipoise.kit.errors import InvalidInput
from equipoise.models import Agent, AgentShift, Channel
from equipoise.planning import history
from equipoise.planning.calibrate import calibrate_channel, default_horizon_start, forecast_channel

DEFAULT_SHRINKAGE = 0.30
DEFAULT_DEFERRED_OCCUPANCY = 0.85
#: Response targets from this many seconds up are planned as deferred work.
DEFERRED_FROM_SECONDS = 3600.0
WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class PlanInterval:
    """One interval of the plan (metrics are None where nothing is staffed or for deferred work)."""

    start: dt.datetime
    open: bool
    forecast_calls: float
    actual_calls: int | None
    aht_seconds: float
    required_agents: int
    scheduled_agents: int
    actual_scheduled: float | None
    service_level: float | None
    asa_seconds: float | None
    p_abandon: float | None
    occupancy: float | None


@dataclass(frozen=True)
class PlanTotals:
    """Week totals: hours are agent hours, cost in the agents' currency."""

    forecast_calls: float
    actual_calls: int | None
    productive_hours: float
    agent_hours: float
    cost: float | None
    actual_agent_hours: float | None
    actual_cost: float | None
    mean_service_level: float | None


@dataclass(frozen=True)
class StaffingPlan:
    """A channel's staffing plan for one week, interval by interval, with its totals."""

    channel_code: str
    week: str
    week_start: dt.datetime
    interval_minutes: int
    method: str  # 'erlang_c' | 'erlang_a' | 'deferred'
    target_sl: float
    target_seconds: float
    shrinkage: float
    concurrency: float
    aht_seconds: float
    patience_seconds: float | None
    hourly_cost: float | None
    history_start: dt.datetime
    history_end: dt.datetime
    intervals: tuple[PlanInterval, ...]
    totals: PlanTotals
    notes: tuple[str, ...]

    def to_dict(self) -> dict:
        """Plain values (datetimes as ISO strings), ready for JSON."""
        out = asdict(self)
        for key in ("week_start", "history_start", "history_end"):
            out[key] = out[key].isoformat()
        for row in out["intervals"]:
            row["start"] = row["start"].isoformat()
        out["notes"] = list(self.notes)
        out["intervals"] = list(out["intervals"])
        return out


def parse_week(text: str) -> dt.datetime:
    """Monday 00:00 of an ISO week written ``YYYY-Www`` (e.g. 2026-W44)."""
    try:
        year, week = text.strip().upper().split("-W")
        return dt.datetime.combine(dt.date.fromisocalendar(int(year), int(week), 1), dt.time())
    except ValueError as exc:
        raise InvalidInput(f"week: expected an ISO week like 2026-W44, got {text!r}",
                           field="week") from exc


def week_label(monday: dt.datetime) -> str:
    """The ISO week ``YYYY-Www`` holding ``monday``."""
    iso = monday.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def default_week(engine: Engine, channel_code: str) -> dt.datetime:
    """The first week starting after the channel's history ends (Monday 00:00)."""
    after = default_horizon_start(engine, channel_code)
    return after + dt.timedelta(days=(7 - after.weekday()) % 7)


def plan_week(engine: Engine, channel_code: str, *, week_start: dt.datetime | None = None,
              interval_minutes: int = 30, target_sl: float = 0.8,
              target_seconds: float | None = None, shrinkage: float = DEFAULT_SHRINKAGE,
              history_weeks: int = 8,
              deferred_occupancy: float = DEFAULT_DEFERRED_OCCUPANCY) -> StaffingPlan:
    """Plan one week of a staffed channel from its history in the database."""
    if not 0.0 < target_sl < 1.0:
        raise InvalidInput(f"target_sl: expected a share in (0, 1), got {target_sl}",
                           field="target_sl")
    if not 0.0 <= shrinkage < 1.0:
        raise InvalidInput(f"shrinkage: expected a share in [0, 1), got {shrinkage}",
                           field="shrinkage")
    if target_seconds is not None and target_seconds < 0:
        raise InvalidInput(f"target_seconds: expected >= 0, got {target_seconds}",
                           field="target_seconds")
    if not 0.0 < deferred_occupancy <= 1.0:
        raise InvalidInput(f"deferred_occupancy: expected a share in (0, 1], got "
                           f"{deferred_occupancy}", field="deferred_occupancy")
    history.check_interval(interval_minutes)
    channel = _channel(engine, channel_code)
    if week_start is None:
        week_start = default_week(engine, channel_code)
    elif week_start.weekday() or week_start.time() != dt.time():
        raise InvalidInput(f"week_start: expected a Monday 00:00, got {week_start.isoformat()}",
                           field="week_start")
    span = history.arrival_span(engine, channel_code)
    if span is not None and week_start < dt.datetime.combine(span[0].date(), dt.time()) + WEEK:
        raise InvalidInput(f"week: {week_label(week_start)} starts less than a week after the "
                           f"history of {channel_code!r} begins ({span[0].date().isoformat()}); "
                           "the forecast needs at least one week before it", field="week")
    # The channel's own target says what kind of work it is; an explicit answer time applies
    # to live channels, deferred ones keep their response target.
    deferred = float(channel.service_level_seconds) >= DEFERRED_FROM_SECONDS
    target = float(channel.service_level_seconds if target_seconds is None or deferred
                   else target_seconds)
    forecast = forecast_channel(engine, channel_code, interval_minutes, history_weeks,
                                week_start, 7)
    fitted = calibrate_channel(engine, channel_code, forecast.history_start,
                               forecast.history_end, interval_minutes=interval_minutes)
    notes = list(fitted.notes)
    aht = _aht(fitted, notes)
    starts = [week_start + i * dt.timedelta(minutes=interval_minutes)
              for i in range(forecast.expected.size)]
    calls = np.asarray(forecast.expected, dtype=float)
    is_open = _open_mask(channel.opening_hours or {}, starts, interval_minutes)
    if calls[~is_open].sum() >= 0.5:
        notes.append(f"{calls[~is_open].sum():.1f} forecast contacts fall outside opening hours "
                     "and are not staffed")
    step = interval_minutes * 60.0
    concurrency = float(channel.concurrency or 1.0)
    patience = None
    if deferred:
        method = "deferred"
        if target_seconds is not None and target_seconds != target:
            notes.append(f"deferred work is planned against the channel's response target of "
                         f"{target / 3600:g} h, not the {target_seconds:g} s answer time")
        plan = deferred_agents(np.where(is_open, calls, 0.0) * aht / concurrency, is_open, step,
                               target, max_occupancy=deferred_occupancy)
        agents = np.asarray(plan.agents)
        metrics = {"service_level": None, "asa_seconds": None, "p_abandon": None,
                   "occupancy": np.asarray(plan.occupancy)}
        if plan.late_seconds > 0:
            notes.append(f"{plan.late_seconds / 3600:.1f} agent hours of work arrive with no open "
                         "interval inside their response window; they are done late")
    else:
        patience = _patience(fitted, notes)
        method = "erlang_c" if patience is None else "erlang_a"
        agents, metrics = _live(np.where(is_open, calls, 0.0), step, aht, target, target_sl,
                                patience, concurrency)
    scheduled = np.ceil(agents / (1.0 - shrinkage) - 1e-9).astype(np.int64)
    actual_calls = _actual_calls(engine, channel_code, week_start, interval_minutes, starts)
    actual_staff = _actual_scheduled(engine, channel.id, week_start, step, len(starts))
    hourly = _mean_hourly_cost(engine, channel.id)
    if hourly is None:
        notes.append("no agent has a shift on this channel: cost unknown")
    intervals = tuple(
        PlanInterval(
            start=s, open=bool(is_open[i]), forecast_calls=float(calls[i]),
            actual_calls=None if actual_calls is None or np.isnan(actual_calls[i])
            else int(actual_calls[i]),
            aht_seconds=aht, required_agents=int(agents[i]), scheduled_agents=int(scheduled[i]),
            actual_scheduled=None if actual_staff is None else float(actual_staff[i]),
            **{k: _cell(v, i, agents[i] > 0) for k, v in metrics.items()})
        for i, s in enumerate(starts))
    totals = _totals(intervals, step, hourly, calls, metrics["service_level"], actual_calls,
                     actual_staff)
    return StaffingPlan(
        channel_code=channel_code, week=week_label(week_start), week_start=week_start,
        interval_minutes=interval_minutes, method=method, target_sl=target_sl,
        target_seconds=target, shrinkage=shrinkage, concurrency=concurrency, aht_seconds=aht,
        patience_seconds=patience, hourly_cost=hourly, history_start=forecast.history_start,
        history_end=forecast.history_end, intervals=intervals, totals=totals,
        notes=tuple(notes))


def _live(calls: np.ndarray, step: float, aht: float, target: float, target_sl: float,
          patience: float | None, concurrency: float) -> tuple[np.ndarray, dict]:
    """Agents and metrics of a live channel: servers = agents x concurrency."""
    model: Model = "c" if patience is None else "a"
    result = required_agents(model, calls, step, aht, target_sl=target_sl,
                             target_seconds=target, patience_seconds=patience)
    servers = np.asarray(result.agents)
    agents = np.ceil(servers / concurrency - 1e-9).astype(np.int64)
    staffed = np.maximum(np.floor(agents * concurrency + 1e-9).astype(np.int64), servers)
    rate = calls / step
    m = (erlang_c_metrics(rate, aht, staffed, target) if patience is None
         else erlang_a_metrics(rate, aht, patience, staffed, target))
    return agents, {"service_level": np.asarray(m.service_level),
                    "asa_seconds": np.asarray(m.asa_seconds),
                    "p_abandon": np.asarray(m.p_abandon), "occupancy": np.asarray(m.occupancy)}


def _cell(values: np.ndarray | None, i: int, staffed: bool) -> float | None:
    if values is None or not staffed:
        return None
    value = float(values[i])
    return value if np.isfinite(value) else None


def _totals(intervals: tuple[PlanInterval, ...], step: float, hourly: float | None,
            calls: np.ndarray, service_level: np.ndarray | None,
            actual_calls: np.ndarray | None, actual_staff: np.ndarray | None) -> PlanTotals:
    hours = step / 3600.0
    agent_hours = sum(r.scheduled_agents for r in intervals) * hours
    actual_hours = None if actual_staff is None else float(actual_staff.sum() * hours)
    mean_sl = None
    if service_level is not None:
        staffed = np.array([r.required_agents > 0 for r in intervals]) & (calls > 0)
        if staffed.any():
            mean_sl = float(np.average(service_level[staffed], weights=calls[staffed]))
    return PlanTotals(
        forecast_calls=float(calls.sum()),
        actual_calls=None if actual_calls is None else int(np.nansum(actual_calls)),
        productive_hours=sum(r.required_agents for r in intervals) * hours,
        agent_hours=agent_hours, cost=None if hourly is None else agent_hours * hourly,
        actual_agent_hours=actual_hours,
        actual_cost=None if hourly is None or actual_hours is None else actual_hours * hourly,
        mean_service_level=mean_sl)


def _aht(fitted, notes: list[str]) -> float:
    """Mean handle time: the lognormal fit's mean, else the sample mean."""
    st = fitted.service_time
    if st is None:
        raise InvalidInput(f"channel: {fitted.channel_code!r} has too few handled contacts "
                           "before the planned week to estimate the handle time",
                           field="channel")
    try:
        return float(st.get("lognormal").mean)
    except KeyError:
        notes.append("handle time: no lognormal fit, using the sample mean")
        return float(st.sample_mean)


def _patience(fitted, notes: list[str]) -> float | None:
    """Mean patience (censored exponential MLE) when callers abandon, else None (Erlang C)."""
    pc = fitted.patience_censored
    if pc is None or pc.n_abandoned == 0 or not np.isfinite(pc.mean_patience_seconds):
        notes.append("no abandonment in the history: Erlang C (infinitely patient customers)")
        return None
    return float(pc.mean_patience_seconds)


def _open_mask(hours: dict, starts: list[dt.datetime], interval_minutes: int) -> np.ndarray:
    """Intervals overlapping the channel's opening hours (weekday '0'=Monday -> [open, close])."""
    if not hours:  # no opening hours recorded: the channel is always open
        return np.ones(len(starts), dtype=bool)
    out = np.zeros(len(starts), dtype=bool)
    for i, s in enumerate(starts):
        span = hours.get(str(s.weekday()))
        if span:
            begin = s.hour * 60 + s.minute
            out[i] = begin < span[1] * 60 and begin + interval_minutes > span[0] * 60
    return out


def _channel(engine: Engine, channel_code: str) -> Channel:
    with engine.connect() as conn:
        cid = history.channel_id(conn, channel_code)
        row = conn.execute(select(Channel.__table__).where(Channel.__table__.c.id == cid)).one()
    channel = Channel(**row._mapping)
    if not channel.staffed:
        raise InvalidInput(f"channel: {channel_code!r} is automated (not staffed); plan the "
                           "staffed channel it escalates to", field="channel")
    return channel


def _actual_calls(engine: Engine, channel_code: str, week_start: dt.datetime,
                  interval_minutes: int, starts: list[dt.datetime]) -> np.ndarray | None:
    """Arrivals per interval (NaN after the history ends), None when the week has no history."""
    span = history.arrival_span(engine, channel_code)
    if span is None or week_start > span[1] or week_start + WEEK <= span[0]:
        return None
    series = history.arrival_counts(engine, channel_code, week_start, week_start + WEEK,
                                    interval_minutes)
    counts = np.asarray(series.counts, dtype=float)
    # days after the last recorded arrival are unknown, not empty
    known_until = dt.datetime.combine(span[1].date() + dt.timedelta(days=1), dt.time())
    counts[np.array([s >= known_until for s in starts])] = np.nan
    return counts


def _actual_scheduled(engine: Engine, channel_id: int, week_start: dt.datetime, step: float,
                      size: int) -> np.ndarray | None:
    """Mean agents on shift on the channel per interval (None when the week has no shifts)."""
    shifts = AgentShift.__table__
    week_end = week_start + WEEK
    with engine.connect() as conn:
        rows = conn.execute(select(shifts.c.starts_at, shifts.c.ends_at).where(
            shifts.c.channel_id == channel_id, shifts.c.starts_at < week_end,
            shifts.c.ends_at > week_start)).all()
    if not rows:
        return None
    begin = np.array([(s - week_start).total_seconds() for s, _ in rows])
    end = np.array([(e - week_start).total_seconds() for _, e in rows])
    edges = np.arange(size) * step
    overlap = (np.minimum(end[:, None], edges[None, :] + step)
               - np.maximum(begin[:, None], edges[None, :]))
    return np.clip(overlap, 0.0, None).sum(axis=0) / step


def _mean_hourly_cost(engine: Engine, channel_id: int) -> float | None:
    """Mean loaded hourly cost of the agents with at least one shift on the channel."""
    shifts, agents = AgentShift.__table__, Agent.__table__
    workers = select(shifts.c.agent_id).where(shifts.c.channel_id == channel_id).distinct()
    with engine.connect() as conn:
        value = conn.execute(select(func.avg(agents.c.hourly_cost))
                             .where(agents.c.id.in_(workers))).scalar()
    return None if value is None else float(value)

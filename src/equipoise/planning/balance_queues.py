"""Real-time queues of the staffed channels and their service-level options, from measurements.

A staffed channel whose customers abandon is a real-time queue (phone, chat). For each one the
hour-of-week arrival profile, mean handle time (and its spread), customer patience (censored
exponential MLE: total time waited / abandonments) and loaded hourly cost are measured, and
Erlang A gives, per service-level target, the agents each hour of the week needs.

Rosters cannot follow the hourly requirement exactly (whole shifts, minimum cover), so the
Erlang agent-hours are multiplied by the measured *scheduling factor*: today's paid hours over
the Erlang hours that today's measured service level needs. An option at today's service level
then costs what today costs, and no saving comes from assuming perfect rosters.

Every staffed channel gets the option ``today`` (measured paid hours and wait); real-time
queues also get one option per target in :data:`SL_TARGETS`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from equipoise.engine.optimize import ServiceLevelOption
from equipoise.engine.queueing import QueueMetrics, erlang_a_metrics, required_agents

if TYPE_CHECKING:
    from equipoise.planning.balance import Measurements

WEEKS_PER_YEAR = 365.25 / 7.0
HOURS_OF_WEEK = 168
#: Service-level targets offered to the optimiser (share answered within the channel target).
SL_TARGETS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
TODAY = "today"


@dataclass(frozen=True)
class QueueOutcome:
    """Arrival-weighted week of a queue under one staffing plan."""

    service_level: float
    mean_wait_seconds: float
    p_abandon: float
    occupancy: float
    #: Paid agent-hours per week (servers / concurrency x scheduling factor).
    agent_hours_per_week: float


@dataclass(frozen=True, eq=False)
class QueueProfile:
    """One real-time queue as measured."""

    channel: str
    arrivals_per_hour: np.ndarray  # (168,) mean offered contacts per hour of the week
    aht_seconds: float
    aht_cv: float
    patience_seconds: float
    concurrency: float
    hourly_cost: float
    target_seconds: float
    mean_wait_seconds: float
    service_level: float
    abandon_rate: float
    paid_hours_per_week: float
    scheduling_factor: float = 1.0

    def servers_for(self, target_sl: float, volume_factor: float = 1.0) -> np.ndarray:
        """Erlang A servers per hour of the week meeting ``target_sl`` within the target."""
        if not 0.0 < target_sl < 1.0:
            raise ValueError(f"target_sl: expected a share in (0, 1), got {target_sl!r}")
        calls = self.arrivals_per_hour * volume_factor
        res = required_agents("a", calls, 3600.0, self.aht_seconds, target_sl=target_sl,
                              target_seconds=self.target_seconds,
                              patience_seconds=self.patience_seconds)
        return np.asarray(res.agents, dtype=np.int64)

    def metrics(self, servers: np.ndarray, volume_factor: float = 1.0) -> QueueMetrics:
        """Erlang A metrics of every hour of the week with ``servers`` servers."""
        lam = self.arrivals_per_hour * volume_factor / 3600.0
        n = np.maximum(np.asarray(servers, dtype=np.int64), 0)
        return erlang_a_metrics(lam, self.aht_seconds, self.patience_seconds, n,
                                self.target_seconds)

    def outcome(self, servers: np.ndarray, volume_factor: float = 1.0) -> QueueOutcome:
        """Arrival-weighted service level, wait, abandonment, occupancy and paid hours."""
        calls = self.arrivals_per_hour * volume_factor
        busy = calls > 0
        met = self.metrics(np.where(busy, np.maximum(servers, 1), servers), volume_factor)
        w = np.where(busy, calls, 0.0)
        total = float(w.sum()) or 1.0

        def avg(x) -> float:
            return float(np.sum(np.where(busy, np.nan_to_num(np.asarray(x, float)), 0.0) * w)
                         / total)

        hours = float(np.sum(servers)) / self.concurrency * self.scheduling_factor
        return QueueOutcome(avg(met.service_level), avg(met.asa_seconds), avg(met.p_abandon),
                            avg(met.occupancy), hours)


def queue_profiles(m: Measurements, codes: Sequence[str]) -> dict[str, QueueProfile]:
    """Profiles of the staffed channels with abandonments (the real-time queues)."""
    out: dict[str, QueueProfile] = {}
    ch = m.channels.set_index("channel")
    staff = m.staffing.set_index("channel") if len(m.staffing) else None
    for code in codes:
        s = m.slots[m.slots["channel"] == code]
        if s.empty or not bool(ch.loc[code, "staffed"]) or s["abandoned"].sum() <= 0:
            continue
        answered = float(s["answered"].sum())
        if answered <= 0:
            continue
        aht = float(s["handle_seconds"].sum()) / answered
        var = max(0.0, float(s["handle_seconds_sq"].sum()) / answered - aht * aht)
        profile = np.zeros(HOURS_OF_WEEK)
        idx = (s["weekday"].to_numpy(int) * 24 + s["hour"].to_numpy(int))
        np.add.at(profile, idx, s["offered"].to_numpy(float) / m.weeks)
        offered = float(s["offered"].sum())
        conc = float(ch.loc[code, "concurrency"])
        tech = float(ch.loc[code, "tech_cost"])
        if staff is not None and code in staff.index and staff.loc[code, "paid_hours"] > 0:
            paid_hours = float(staff.loc[code, "paid_hours"])
            rate = float(staff.loc[code, "paid_cost"]) / paid_hours
        else:
            c = m.contacts[m.contacts["channel"] == code]
            labour = float((c["cost_per_answered"].fillna(0) * c["answered"]).sum()) - tech * answered
            rate = labour / (answered * aht / 3600.0) * conc
            paid_hours = answered * aht / 3600.0 / conc
        qp = QueueProfile(
            channel=code, arrivals_per_hour=profile, aht_seconds=aht,
            aht_cv=math.sqrt(var) / aht if aht > 0 else 0.0,
            patience_seconds=float(s["wait_seconds"].sum()) / float(s["abandoned"].sum()),
            concurrency=conc, hourly_cost=rate, target_seconds=float(ch.loc[code, "sl_seconds"]),
            mean_wait_seconds=float(s["wait_seconds"].sum()) / offered,
            service_level=float(s["answered_in_target"].sum()) / offered,
            abandon_rate=float(s["abandoned"].sum()) / offered,
            paid_hours_per_week=paid_hours / m.weeks,
        )
        today_sl = min(max(qp.service_level, 0.05), 0.99)
        erlang_hours = qp.outcome(qp.servers_for(today_sl)).agent_hours_per_week
        factor = qp.paid_hours_per_week / erlang_hours if erlang_hours > 0 else 1.0
        out[code] = QueueProfile(**{**qp.__dict__, "scheduling_factor": factor})
    return out


def _labour_per_year(m: Measurements, code: str) -> tuple[float, float]:
    """Handling labour cost and answered contacts of a channel, per year."""
    c = m.contacts[m.contacts["channel"] == code]
    tech = float(m.channels.set_index("channel").loc[code, "tech_cost"])
    answered = float(c["answered"].sum())
    labour = float((c["cost_per_answered"].fillna(0.0) * c["answered"]).sum()) - tech * answered
    return max(0.0, labour) * m.annual_factor, answered * m.annual_factor


def option_for_hours(name: str, hours_per_week: float, rate: float, labour: float,
                     answered: float, wait_seconds: float) -> ServiceLevelOption:
    """An option paying ``hours_per_week`` agent-hours: the paid time not spent handling."""
    paid = hours_per_week * WEEKS_PER_YEAR * rate
    per_contact = max(0.0, paid - labour) / answered if answered > 0 else 0.0
    return ServiceLevelOption(name, per_contact, max(0.0, wait_seconds))


def service_level_options(
    code: str, qp: QueueProfile | None, m: Measurements
) -> tuple[tuple[ServiceLevelOption, ...], str]:
    """``today`` plus, for a real-time queue, one Erlang A option per target; and today's name."""
    labour, answered = _labour_per_year(m, code)
    staff = m.staffing.set_index("channel") if len(m.staffing) else None
    if qp is None:
        paid = float(staff.loc[code, "paid_cost"]) * m.annual_factor \
            if staff is not None and code in staff.index else labour
        per_contact = max(0.0, paid - labour) / answered if answered > 0 else 0.0
        return (ServiceLevelOption(TODAY, per_contact, 0.0),), TODAY
    options = [option_for_hours(TODAY, qp.paid_hours_per_week, qp.hourly_cost, labour, answered,
                                qp.mean_wait_seconds)]
    seen: set[tuple[int, ...]] = set()
    for sl in SL_TARGETS:
        servers = qp.servers_for(sl)
        key = tuple(servers.tolist())
        if key in seen:  # a looser target met by the same staffing as a stricter one
            continue
        seen.add(key)
        out = qp.outcome(servers)
        name = f"{round(sl * 100)}/{qp.target_seconds:g}s"
        options.append(option_for_hours(name, out.agent_hours_per_week, qp.hourly_cost, labour,
                                        answered, out.mean_wait_seconds))
    return tuple(options), TODAY

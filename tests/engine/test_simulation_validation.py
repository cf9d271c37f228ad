"""The simulation agrees with the exact Erlang A / Erlang C formulas on stationary inputs.

Each check asserts that the analytic value lies inside the replication confidence interval
(half-width widened by 1.5 so that the handful of statistics does not make a fixed seed a
coin toss) *and* that the interval is tight enough to exclude the values of a centre with one
agent fewer: a broken simulation cannot pass by being vague.
"""

from __future__ import annotations

import numpy as np
import pytest

from equipoise.engine.queueing import erlang_a_metrics, erlang_c_metrics
from equipoise.engine.simulation import (
    AgentPool,
    ArrivalProfile,
    CentreModel,
    ContactType,
    Exponential,
    Infinite,
    ReplicationReport,
    StaffingSchedule,
    replicate,
    single_pool_model,
)

RATE = 100 / 1800  # 100 calls per half hour
AHT, PATIENCE, TARGET = 180.0, 300.0, 20.0
HALF_HOUR = 1800.0
WIDEN = 1.5
# simulated statistic -> field of the analytic QueueMetrics
COMPARED = {
    "service_level": "service_level",
    "mean_wait_seconds": "asa_seconds",
    "p_abandon": "p_abandon",
    "p_wait": "p_wait",
    "occupancy": "occupancy",
}


def _run(agents: int, patience, replications: int, hours: int, seed: int) -> ReplicationReport:
    model = single_pool_model(
        RATE, Exponential(AHT), patience, agents, interval_seconds=HALF_HOUR,
        intervals=2 * hours, warmup_seconds=2 * HALF_HOUR, service_level_seconds=TARGET,
    )
    return replicate(model, replications, seed)


def _check(report: ReplicationReport, exact, fewer, statistics) -> None:
    for stat in statistics:
        est = report.estimate("phone", stat)
        value, worse = float(getattr(exact, COMPARED[stat])), float(getattr(fewer, COMPARED[stat]))
        assert est.contains(value, WIDEN), (stat, est, value)
        assert not est.contains(worse, WIDEN), (stat, est, worse)


@pytest.fixture(scope="module")
def erlang_a_report() -> ReplicationReport:
    return _run(13, Exponential(PATIENCE), replications=24, hours=60, seed=2024)


def test_single_pool_agrees_with_erlang_a(erlang_a_report: ReplicationReport) -> None:
    exact = erlang_a_metrics(RATE, AHT, PATIENCE, 13, TARGET)
    fewer = erlang_a_metrics(RATE, AHT, PATIENCE, 12, TARGET)
    _check(erlang_a_report, exact, fewer, COMPARED)
    assert erlang_a_report.estimate("phone", "service_level").half_width < 0.01
    assert erlang_a_report.contacts > 24 * 60 * 200 * 0.95


def test_one_agent_more_is_also_distinguished(erlang_a_report: ReplicationReport) -> None:
    more = erlang_a_metrics(RATE, AHT, PATIENCE, 14, TARGET)
    for stat in ("service_level", "p_abandon", "mean_wait_seconds"):
        assert not erlang_a_report.estimate("phone", stat).contains(
            float(getattr(more, COMPARED[stat])), WIDEN
        )


def test_infinite_patience_agrees_with_erlang_c() -> None:
    report = _run(13, Infinite(), replications=24, hours=60, seed=77)
    exact = erlang_c_metrics(RATE, AHT, 13, TARGET)
    fewer = erlang_c_metrics(RATE, AHT, 12, TARGET)
    _check(report, exact, fewer, ("service_level", "mean_wait_seconds", "p_wait", "occupancy"))
    assert report.estimate("phone", "p_abandon").mean == 0.0


def test_event_driven_centre_with_priorities_keeps_erlang_a_totals() -> None:
    """Two tiers with priorities on one pool: the number in system is still Erlang A's chain.

    With identical exponential handle and patience for both tiers, any work-conserving order
    leaves the birth-death chain unchanged, so pooled P(abandon), P(wait), mean wait and
    occupancy must match Erlang A while the tiers' own waits differ.
    """
    hours = 40
    types = tuple(
        ContactType(name, "phone", ArrivalProfile.constant(RATE * share, HALF_HOUR, 2 * hours),
                    service=Exponential(AHT), patience=Exponential(PATIENCE), priority=prio)
        for name, share, prio in (("gold", 0.3, 2), ("basic", 0.7, 1))
    )
    pool = AgentPool("phones", "phone", StaffingSchedule.constant(13), ("gold", "basic"))
    model = CentreModel(types, (pool,), warmup_seconds=2 * HALF_HOUR)
    report = replicate(model, 16, 5)
    exact = erlang_a_metrics(RATE, AHT, PATIENCE, 13, TARGET)
    fewer = erlang_a_metrics(RATE, AHT, PATIENCE, 12, TARGET)
    _check(report, exact, fewer, ("p_abandon", "p_wait", "mean_wait_seconds", "occupancy"))
    runs_abandon = np.array([run["phone"].p_abandon for run in report.runs])
    assert np.all((runs_abandon > 0) & (runs_abandon < 0.1))


def test_priority_changes_who_waits_not_how_many() -> None:
    hours = 30
    types = tuple(
        ContactType(name, channel, ArrivalProfile.constant(RATE * share, HALF_HOUR, 2 * hours),
                    service=Exponential(AHT), patience=Exponential(PATIENCE), priority=prio)
        for name, channel, share, prio in (("gold", "gold", 0.3, 2), ("basic", "basic", 0.7, 1))
    )
    pool = AgentPool("phones", "phones", StaffingSchedule.constant(13), ("gold", "basic"))
    model = CentreModel(types, (pool,), warmup_seconds=2 * HALF_HOUR)
    report = replicate(model, 10, 9)
    exact = erlang_a_metrics(RATE, AHT, PATIENCE, 13, TARGET)
    gold = report.estimate("gold", "p_abandon")
    basic = report.estimate("basic", "p_abandon")
    assert gold.high < float(exact.p_abandon) < basic.low
    assert report.estimate("gold", "service_level").low > float(exact.service_level)

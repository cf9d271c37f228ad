"""Inputs, distributions, arrivals and confidence-interval maths of the simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from equipoise.engine.simulation import (
    AgentPool,
    ArrivalProfile,
    CentreModel,
    ContactType,
    Deterministic,
    Empirical,
    Exponential,
    Infinite,
    LogNormal,
    SelfService,
    StaffingSchedule,
    confidence_interval,
    poisson_arrivals,
    t_quantile,
)


def test_lognormal_matches_requested_mean_and_cv() -> None:
    dist = LogNormal(200.0, 0.8)
    x = dist.sample(np.random.default_rng(1), 400_000)
    assert abs(x.mean() - 200.0) < 4 * 200 * 0.8 / math.sqrt(x.size)
    assert abs(x.std() / x.mean() - 0.8) < 0.02
    assert dist.mean == 200.0


def test_exponential_deterministic_empirical_infinite() -> None:
    rng = np.random.default_rng(2)
    x = Exponential(30.0).sample(rng, 200_000)
    assert abs(x.mean() - 30.0) < 4 * 30.0 / math.sqrt(x.size)
    assert np.all(Deterministic(7.5).sample(rng, 5) == 7.5)
    emp = Empirical((1.0, 2.0, 10.0))
    draws = emp.sample(rng, 30_000)
    assert set(np.unique(draws)) == {1.0, 2.0, 10.0}
    assert emp.mean == pytest.approx(13 / 3)
    assert abs(np.mean(draws == 10.0) - 1 / 3) < 4 * math.sqrt(2 / 9 / draws.size)
    assert np.all(np.isinf(Infinite().sample(rng, 3)))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Exponential(0.0), "mean_seconds"),
        (lambda: LogNormal(10.0, -1.0), "cv"),
        (lambda: Deterministic(-1.0), "value_seconds"),
        (lambda: Empirical(()), "values_seconds"),
        (lambda: Empirical((1.0, -2.0)), "values_seconds"),
        (lambda: ArrivalProfile(0.0, (1.0,)), "interval_seconds"),
        (lambda: ArrivalProfile(60.0, (1.0, -1.0)), r"rates_per_second\[1\]"),
        (lambda: StaffingSchedule(60.0, (3, 2.5)), r"agents\[1\]"),
        (lambda: SelfService(1.5, "calls"), "containment_rate"),
        (lambda: ContactType("c", "phone", None, fcr=2.0), "fcr"),
        (lambda: ContactType("c", "phone", None, service=Infinite()), "service"),
        (lambda: ContactType("c", "phone", None, service="fast"), "service"),
        (lambda: AgentPool("p", "chat", StaffingSchedule.constant(2), ("c",), 0), "concurrency"),
    ],
)
def test_invalid_inputs_name_the_argument(make, message) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def _calls(name: str = "calls", **kw) -> ContactType:
    return ContactType(name, "phone", ArrivalProfile.constant(0.01, 600, 2), **kw)


def test_model_validation_cross_references() -> None:
    pool = AgentPool("p", "phone", StaffingSchedule.constant(2), ("calls",))
    with pytest.raises(ValueError, match="served by no pool"):
        CentreModel((_calls(), _calls("other")), (pool,))
    with pytest.raises(ValueError, match="skills of pool"):
        CentreModel((_calls(),), (AgentPool("p", "phone", StaffingSchedule.constant(2), ("x",)),))
    ivr = ContactType("ivr", "ivr", None, self_service=SelfService(0.5, "nowhere"))
    with pytest.raises(ValueError, match="escalate_to"):
        CentreModel((_calls(), ivr), (pool,))
    with pytest.raises(ValueError, match="repeat_as"):
        CentreModel((_calls(repeat_as="x"),), (pool,))
    with pytest.raises(ValueError, match="warmup_seconds"):
        CentreModel((_calls(),), (pool,), warmup_seconds=5000)
    with pytest.raises(ValueError, match="unique"):
        CentreModel((_calls(), _calls()), (pool,))
    model = CentreModel((_calls(),), (pool,), tier_priorities={"gold": 3})
    assert model.horizon_seconds == 1200
    assert model.priority_of(ContactType("g", "phone", None, tier="gold")) == 3
    assert model.priority_of(ContactType("g", "phone", None, tier="gold", priority=1)) == 1


def test_staffing_schedule_changes_and_agent_seconds() -> None:
    sched = StaffingSchedule(100.0, (2, 2, 5, 0))
    assert sched.changes() == [(200.0, 5), (300.0, 0)]
    assert sched.agent_seconds(0, 400) == pytest.approx(2 * 200 + 5 * 100)
    assert sched.agent_seconds(150, 250) == pytest.approx(2 * 50 + 5 * 50)
    # the last value holds after the schedule ends
    assert StaffingSchedule(100.0, (1, 3)).agent_seconds(0, 500) == pytest.approx(100 + 3 * 400)


def test_piecewise_poisson_arrivals_follow_the_rate_per_interval() -> None:
    rates = (0.0, 0.5, 2.0, 0.1)
    profile = ArrivalProfile(1000.0, rates)
    counts = np.zeros((200, 4))
    for r in range(200):
        times = poisson_arrivals(profile, np.random.default_rng(r))
        assert np.all(np.diff(times) >= 0)
        counts[r] = np.bincount((times // 1000).astype(int), minlength=4)
    assert counts[:, 0].sum() == 0
    for k, rate in enumerate(rates[1:], start=1):
        expected = rate * 1000
        # the mean of 200 Poisson counts has standard error sqrt(expected / 200)
        assert abs(counts[:, k].mean() - expected) < 4.5 * math.sqrt(expected / 200)
        assert counts[:, k].var(ddof=1) == pytest.approx(expected, rel=0.35)
    truncated = poisson_arrivals(profile, np.random.default_rng(1), horizon_seconds=1500)
    assert truncated.size and truncated.max() < 1500


@pytest.mark.parametrize("df", [1, 2, 3, 4, 7, 10, 19, 30, 99, 1000])
@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
def test_t_quantile_matches_scipy(df: int, level: float) -> None:
    assert t_quantile(level, df) == pytest.approx(sps.t.ppf(0.5 + level / 2, df), rel=1e-10)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=2, max_size=40))
def test_confidence_interval_matches_scipy(values: list[float]) -> None:
    est = confidence_interval(values, 0.95)
    x = np.asarray(values)
    assert est.mean == pytest.approx(x.mean(), abs=1e-9)
    if x.std() > 1e-9:
        low, high = sps.t.interval(0.95, x.size - 1, loc=x.mean(), scale=sps.sem(x))
        assert est.low == pytest.approx(low, rel=1e-8, abs=1e-8)
        assert est.high == pytest.approx(high, rel=1e-8, abs=1e-8)


def test_confidence_interval_edge_cases() -> None:
    assert confidence_interval([]).n == 0
    one = confidence_interval([3.0])
    assert one.mean == 3.0 and math.isinf(one.half_width)
    assert confidence_interval([1.0, math.nan, 3.0]).n == 2
    with pytest.raises(ValueError, match="level"):
        t_quantile(1.5, 3)
    with pytest.raises(ValueError, match="df"):
        t_quantile(0.95, 0)


def test_simulation_package_is_pure() -> None:
    """Only the standard library, numpy and the package itself are imported."""
    import ast
    import sys
    from pathlib import Path

    import equipoise.engine.simulation as pkg

    allowed = {"numpy", "__future__"} | set(sys.stdlib_module_names)
    for path in Path(pkg.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                ok = name.split(".")[0] in allowed or name.startswith("equipoise.engine.simulation")
                assert ok, f"{path.name} imports {name}"

"""Hypothesis properties of the queueing models and of the staffing solver."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise.engine.queueing import (
    erlang_a_metrics,
    erlang_b,
    erlang_b_metrics,
    erlang_c,
    erlang_c_metrics,
    required_agents,
)

SETTINGS = settings(max_examples=60, deadline=None)
loads = st.floats(min_value=0.05, max_value=3000.0)
ahts = st.floats(min_value=10.0, max_value=1200.0)
patiences = st.floats(min_value=5.0, max_value=3600.0)
answer_times = st.floats(min_value=0.0, max_value=300.0)
targets = st.floats(min_value=0.05, max_value=0.99)


def _agent_range(load: float, extra: int) -> np.ndarray:
    return np.arange(max(1, int(load) - 5), int(load) + 5 + extra)


@SETTINGS
@given(load=loads, aht=ahts, t=answer_times, extra=st.integers(1, 200))
def test_erlang_c_service_level_rises_and_wait_falls_with_agents(
    load: float, aht: float, t: float, extra: int
) -> None:
    n = _agent_range(load, extra)
    m = erlang_c_metrics(load / aht, aht, n, t)
    assert (np.diff(m.service_level) >= -1e-12).all()
    assert (np.diff(m.p_wait) <= 1e-12).all()
    assert (np.diff(m.asa_seconds[np.isfinite(m.asa_seconds)]) <= 1e-9).all()


@SETTINGS
@given(load=loads, aht=ahts, patience=patiences, t=answer_times, extra=st.integers(1, 200))
def test_erlang_a_improves_with_agents(
    load: float, aht: float, patience: float, t: float, extra: int
) -> None:
    n = _agent_range(load, extra)
    m = erlang_a_metrics(load / aht, aht, patience, n, t)
    for field in (m.service_level, m.p_wait, m.p_abandon, m.occupancy):
        assert np.isfinite(field).all() and (field >= 0).all() and (field <= 1).all()
    assert (np.diff(m.service_level) >= -1e-12).all()
    assert (np.diff(m.p_wait) <= 1e-12).all()
    assert (np.diff(m.p_abandon) <= 1e-12).all()
    assert (m.service_level <= 1 - m.p_abandon + 1e-9).all()


@SETTINGS
@given(
    load=st.floats(min_value=0.05, max_value=500.0),
    aht=ahts,
    t=answer_times,
    margin=st.integers(1, 60),
)
def test_erlang_a_tends_to_erlang_c_as_patience_grows(
    load: float, aht: float, t: float, margin: int
) -> None:
    n = int(np.floor(load)) + 1 + margin  # N - A >= 1 keeps the Erlang C mean wait <= AHT
    c = erlang_c_metrics(load / aht, aht, n, t)
    a = erlang_a_metrics(load / aht, aht, aht * 1e7, n, t)
    assert abs(a.p_wait - c.p_wait) < 1e-4
    assert abs(a.service_level - c.service_level) < 1e-4
    assert a.p_abandon < 1e-4


@SETTINGS
@given(load=loads, n=st.integers(0, 4000))
def test_erlang_b_never_exceeds_erlang_c(load: float, n: int) -> None:
    b, c = erlang_b(n, load), erlang_c(n, load)
    assert 0 <= b <= c <= 1


@SETTINGS
@given(load=loads, extra=st.integers(1, 100))
def test_erlang_b_blocking_falls_with_servers(load: float, extra: int) -> None:
    n = _agent_range(load, extra)
    b = erlang_b_metrics(load, 1.0, n)
    assert (np.diff(b.p_abandon) <= 1e-15).all()


@SETTINGS
@given(
    calls=st.lists(st.floats(min_value=0.0, max_value=5000.0), min_size=1, max_size=12),
    aht=ahts,
    sl=targets,
    t=answer_times,
    model=st.sampled_from(["c", "a"]),
    patience=patiences,
)
def test_required_agents_is_the_minimum_for_a_service_level(
    calls: list[float], aht: float, sl: float, t: float, model: str, patience: float
) -> None:
    extra = {"patience_seconds": patience} if model == "a" else {}
    result = required_agents(model, calls, 1800, aht, target_sl=sl, target_seconds=t, **extra)
    assert (result.metrics.service_level >= sl).all()
    lam = np.asarray(calls) / 1800
    fewer = np.maximum(result.agents - 1, 0)
    busy = (lam > 0) & (result.agents > 0)
    if model == "c":
        below = erlang_c_metrics(lam, aht, fewer, t)
    else:
        below = erlang_a_metrics(lam, aht, patience, fewer, t)
    assert (below.service_level[busy] < sl).all()
    assert (result.agents[lam == 0] == 0).all()


@SETTINGS
@given(
    calls=st.lists(st.floats(min_value=0.1, max_value=5000.0), min_size=1, max_size=12),
    aht=ahts,
    sl=targets,
    cap=st.floats(min_value=0.3, max_value=1.0),
    shrinkage=st.floats(min_value=0.0, max_value=0.6),
    model=st.sampled_from(["c", "a"]),
)
def test_occupancy_cap_and_shrinkage(
    calls: list[float], aht: float, sl: float, cap: float, shrinkage: float, model: str
) -> None:
    extra = {"patience_seconds": 240.0} if model == "a" else {}
    result = required_agents(
        model, calls, 1800, aht, target_sl=sl, max_occupancy=cap, shrinkage=shrinkage, **extra
    )
    assert (result.metrics.occupancy <= cap).all()
    assert (result.metrics.service_level >= sl).all()
    fewer = result.agents - 1
    lam = np.asarray(calls) / 1800
    if model == "c":
        below = erlang_c_metrics(lam, aht, fewer, 20)
    else:
        below = erlang_a_metrics(lam, aht, 240.0, fewer, 20)
    assert ((below.occupancy > cap) | (below.service_level < sl)).all()
    assert (result.scheduled_agents >= result.agents).all()
    assert (result.scheduled_agents * (1 - shrinkage) >= result.agents - 1e-6).all()
    assert ((result.scheduled_agents - 1) * (1 - shrinkage) < result.agents).all()


@SETTINGS
@given(
    calls=st.lists(st.floats(min_value=0.1, max_value=20000.0), min_size=1, max_size=12),
    blocking=st.floats(min_value=0.001, max_value=0.5),
)
def test_required_agents_for_erlang_b_blocking(calls: list[float], blocking: float) -> None:
    result = required_agents("b", calls, 3600, 300, target_abandon=blocking)
    load = np.asarray(calls) / 3600 * 300
    assert (erlang_b(result.agents, load) <= blocking).all()
    assert (erlang_b(result.agents - 1, load) > blocking).all()


@SETTINGS
@given(
    calls=st.lists(st.floats(min_value=0.0, max_value=3000.0), min_size=2, max_size=8),
    aht=ahts,
    patience=patiences,
)
def test_vectorised_equals_one_at_a_time(calls: list[float], aht: float, patience: float) -> None:
    together = required_agents("a", calls, 1800, aht, target_sl=0.8, patience_seconds=patience)
    for i, c in enumerate(calls):
        alone = required_agents("a", c, 1800, aht, target_sl=0.8, patience_seconds=patience)
        assert alone.agents == together.agents[i]
        assert alone.metrics.service_level == together.metrics.service_level[i]

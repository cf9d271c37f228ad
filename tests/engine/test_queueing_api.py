"""Shapes, validation, square-root staffing and the staffing solver's options."""

from __future__ import annotations

import numpy as np
import pytest

from equipoise.engine.queueing import (
    QueueMetrics,
    StaffingResult,
    erlang_a_metrics,
    erlang_b,
    erlang_b_metrics,
    erlang_c,
    erlang_c_metrics,
    garnett_beta,
    garnett_p_abandon,
    garnett_p_wait,
    halfin_whitt_beta,
    halfin_whitt_p_wait,
    required_agents,
    square_root_staffing,
)
from equipoise.engine.queueing.sqrt_staffing import halfin_whitt_beta_for_service_level


def test_arrays_in_arrays_out_and_scalars_stay_scalars() -> None:
    grid = erlang_c_metrics(np.full((2, 3), 100 / 1800), 180, [[12, 13, 14], [15, 16, 17]], 20)
    assert isinstance(grid, QueueMetrics)
    assert grid.service_level.shape == (2, 3)
    assert np.isscalar(erlang_b(10, 5.0)) and np.isscalar(erlang_c(10, 5.0))
    single = erlang_a_metrics(100 / 1800, 180, 300, 13, 20)
    assert np.ndim(single.service_level) == 0
    result = required_agents("c", [[100, 200], [0, 50]], 1800, 180, target_sl=0.8)
    assert isinstance(result, StaffingResult)
    assert result.agents.shape == (2, 2) and result.metrics.p_wait.shape == (2, 2)
    with pytest.raises(dataclass_error()):
        result.agents = 3  # type: ignore[misc]


def dataclass_error() -> type[Exception]:
    from dataclasses import FrozenInstanceError
    return FrozenInstanceError


def test_unstable_and_empty_systems() -> None:
    m = erlang_c_metrics(1.0, 20.0, [0, 10, 20, 21], 20)
    assert m.p_wait.tolist()[:3] == [1.0, 1.0, 1.0]
    assert m.service_level[1] == 0 and np.isinf(m.asa_seconds[1]) and m.occupancy[2] == 1
    assert 0 < m.p_wait[3] < 1
    idle = erlang_a_metrics(0.0, 180, 300, [0, 5], 20)
    assert idle.service_level.tolist() == [1.0, 1.0] and idle.p_abandon.tolist() == [0.0, 0.0]
    nobody = erlang_a_metrics(0.1, 180, 300, 0, 20)
    assert nobody.p_abandon == 1 and nobody.service_level == 0 and nobody.asa_seconds == 300
    loss = erlang_b_metrics(10 / 180, 180, 10)
    assert loss.service_level == pytest.approx(1 - erlang_b(10, 10.0))
    assert loss.occupancy == pytest.approx(10 * (1 - erlang_b(10, 10.0)) / 10)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: erlang_b(-1, 3.0), "servers"),
    (lambda: erlang_b(2.5, 3.0), "servers"),
    (lambda: erlang_c(3, -1.0), "load"),
    (lambda: erlang_c(3, float("nan")), "load"),
    (lambda: erlang_c_metrics(1.0, 0.0, 3), "aht_s"),
    (lambda: erlang_a_metrics(1.0, 10.0, 0.0, 3), "patience_s"),
    (lambda: erlang_c_metrics([1.0, 2.0], 10.0, [1, 2, 3]), "broadcast"),
    (lambda: required_agents("x", 10, 1800, 180, target_sl=0.8), "model"),
    (lambda: required_agents("a", 10, 1800, 180, target_sl=0.8), "patience_seconds"),
    (lambda: required_agents("c", 10, 1800, 180, target_sl=0.8, patience_seconds=60),
     "patience_seconds"),
    (lambda: required_agents("c", 10, 1800, 180, target_abandon=0.05), "target_abandon"),
    (lambda: required_agents("b", 10, 1800, 180, target_asa_seconds=5), "target_asa_seconds"),
    (lambda: required_agents("c", 10, 1800, 180), "at least one"),
    (lambda: required_agents("c", 10, 1800, 180, target_sl=1.0), "target_sl"),
    (lambda: required_agents("c", 10, 1800, 180, target_sl=0.8, shrinkage=1.0), "shrinkage"),
    (lambda: required_agents("c", 10, 1800, 180, max_occupancy=0.0), "max_occupancy"),
    (lambda: required_agents("c", -3, 1800, 180, target_sl=0.8), "calls"),
    (lambda: required_agents("c", 10, 0, 180, target_sl=0.8), "interval_seconds"),
])
def test_bad_input_names_the_argument(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_targets_combine_and_shrinkage_schedules_more_agents() -> None:
    sl_only = required_agents("c", 1000, 1800, 180, target_sl=0.8)
    with_asa = required_agents("c", 1000, 1800, 180, target_sl=0.8, target_asa_seconds=2)
    with_cap = required_agents("c", 1000, 1800, 180, target_sl=0.8, max_occupancy=0.85)
    assert with_asa.agents > sl_only.agents and with_asa.metrics.asa_seconds <= 2
    assert with_cap.agents == int(np.ceil(100 / 0.85))
    shrunk = required_agents("c", 100, 1800, 180, target_sl=0.8, shrinkage=0.3)
    assert shrunk.agents == 14 and shrunk.scheduled_agents == 20  # 14 / 0.7 is exactly 20


def test_erlang_a_abandonment_target_and_erlang_b_blocking_target() -> None:
    a = required_agents("a", 1000, 1800, 180, target_abandon=0.02, patience_seconds=120)
    assert a.metrics.p_abandon <= 0.02
    assert erlang_a_metrics(1000 / 1800, 180, 120, a.agents - 1, 20).p_abandon > 0.02
    b = required_agents("b", 1000, 1800, 180, target_abandon=0.01)
    assert erlang_b(b.agents, 100.0) <= 0.01 < erlang_b(b.agents - 1, 100.0)
    # Impatient callers leave, so Erlang A needs fewer agents than Erlang C for the same SL.
    c = required_agents("c", 1000, 1800, 180, target_sl=0.8)
    a_sl = required_agents("a", 1000, 1800, 180, target_sl=0.8, patience_seconds=120)
    assert a_sl.agents <= c.agents


def test_halfin_whitt_and_garnett() -> None:
    beta = np.array([0.1, 0.5, 1.0, 2.0])
    p = halfin_whitt_p_wait(beta)
    assert (np.diff(p) < 0).all()
    np.testing.assert_allclose(halfin_whitt_beta(p), beta, rtol=1e-9)
    # Garnett-Mandelbaum-Reiman tends to Halfin-Whitt as patience grows.
    np.testing.assert_allclose(garnett_p_wait(beta, 1e-10), p, rtol=1e-4)
    np.testing.assert_allclose(garnett_beta(garnett_p_wait(beta, 0.5), 0.5), beta, rtol=1e-9)
    assert garnett_p_wait(-0.5, 0.5) > garnett_p_wait(0.5, 0.5)
    # The diffusion estimates are close to the exact chain for a large system.
    load, n = 1000.0, 1020
    exact_c = erlang_c(n, load)
    assert halfin_whitt_p_wait((n - load) / np.sqrt(load)) == pytest.approx(exact_c, abs=0.01)
    exact_a = erlang_a_metrics(load / 180, 180, 360, n, 20)
    b = (n - load) / np.sqrt(load)
    assert garnett_p_wait(b, 0.5) == pytest.approx(exact_a.p_wait, abs=0.01)
    assert garnett_p_abandon(b, 0.5, n) == pytest.approx(exact_a.p_abandon, abs=0.002)
    assert square_root_staffing([0.0, 100.0], 1.0).tolist() == [0, 110]


def test_square_root_staffing_lands_near_the_exact_answer() -> None:
    loads = np.array([50.0, 200.0, 1000.0, 5000.0])
    exact = required_agents("c", loads * 10, 1800, 180, target_sl=0.8).agents
    beta = halfin_whitt_beta_for_service_level(0.8, loads, 20 / 180)
    estimate = square_root_staffing(loads, beta)
    assert (np.abs(estimate - exact) <= 1).all()

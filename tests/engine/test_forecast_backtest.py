"""WAPE, bias and the rolling-origin backtest."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from equipoise.engine.forecast import (
    backtest,
    bias,
    grid,
    poisson_wape_floor,
    slot_of_week,
    wape,
)


def test_wape_and_bias_hand_computed():
    actual = [10, 0, 30]
    forecast = [12, 1, 24]
    assert wape(actual, forecast) == pytest.approx((2 + 1 + 6) / 40)
    assert bias(actual, forecast) == pytest.approx((2 + 1 - 6) / 40)


def test_wape_rejects_zero_totals_and_shape_mismatch():
    with pytest.raises(ValueError, match="actual"):
        wape([0, 0], [1, 1])
    with pytest.raises(ValueError, match="forecast"):
        bias([1, 2], [1])


@given(st.lists(st.tuples(st.floats(0, 1e4), st.floats(0, 1e4)), min_size=1, max_size=30))
def test_wape_bounds_bias(pairs):
    actual = np.array([a for a, _ in pairs])
    forecast = np.array([f for _, f in pairs])
    if actual.sum() <= 1e-9:
        return
    assert wape(actual, forecast) >= abs(bias(actual, forecast)) - 1e-9
    assert wape(actual, actual) == 0.0


def _profile() -> np.ndarray:
    p = np.zeros(168)
    for day in range(6):
        p[day * 24 + 8: day * 24 + 20] = 1 + (day == 0)
    return p / p.sum()


def test_backtest_is_exact_on_noiseless_linear_data():
    weeks = 7
    times = grid("2024-01-01T00:00", weeks * 168, 60)
    counts = np.repeat(500 + 20 * np.arange(weeks), 168) * _profile()[slot_of_week(times, 60)]
    result = backtest(times, counts, 60, horizon_weeks=2, origins=3, trend="linear")
    assert result.wape == pytest.approx(0, abs=1e-12)
    assert result.bias == pytest.approx(0, abs=1e-12)
    assert result.actual.size == 3 * 2 * 168
    assert len(result.wape_by_origin) == 3
    assert result.history_weeks == 3  # the oldest origin trains on weeks 0..2
    capped = backtest(times, counts, 60, horizon_weeks=1, history_weeks=2, trend="linear")
    assert capped.history_weeks == 2
    assert capped.wape == pytest.approx(0, abs=1e-12)


def test_backtest_detects_an_unmodelled_level_shift():
    times = grid("2024-01-01T00:00", 5 * 168, 60)
    totals = np.array([1000, 1000, 1000, 1000, 1500])
    counts = np.repeat(totals, 168) * _profile()[slot_of_week(times, 60)]
    result = backtest(times, counts, 60, horizon_weeks=1, trend="none")
    # Forecast 1000 against an actual 1500: WAPE = 500/1500 and bias = -1/3.
    assert result.wape == pytest.approx(1 / 3)
    assert result.bias == pytest.approx(-1 / 3)


def test_backtest_needs_enough_weeks():
    times = grid("2024-01-01T00:00", 2 * 168, 60)
    counts = np.ones(times.size)
    with pytest.raises(ValueError, match="needs at least 3 whole weeks"):
        backtest(times, counts, 60, horizon_weeks=2)
    with pytest.raises(ValueError, match="origins"):
        backtest(times, counts, 60, origins=0)


def test_poisson_noise_floor_exact_and_by_brute_force():
    # MAD of Poisson(1) = 2 e^-1; of Poisson(2.5) = 2 * 2.5 * pmf(2; 2.5).
    assert poisson_wape_floor([1.0]) == pytest.approx(2 * math.exp(-1))
    k = np.arange(200)
    for lam in (0.3, 2.5, 17.0):
        pmf = np.exp(k * math.log(lam) - lam - np.array([math.lgamma(x + 1) for x in k]))
        assert poisson_wape_floor([lam]) == pytest.approx(np.sum(pmf * np.abs(k - lam)) / lam)
    # Pooled: total MAD over total mean; closed intervals (0) add nothing.
    assert poisson_wape_floor([1.0, 0.0, 1.0]) == pytest.approx(2 * math.exp(-1))
    with pytest.raises(ValueError, match="forecast"):
        poisson_wape_floor([0.0, 0.0])


def test_backtest_wape_near_its_noise_floor_on_poisson_data():
    rng = np.random.default_rng(17)
    weeks = 12
    times = grid("2024-01-01T00:00", weeks * 168, 60)
    truth = 600 * _profile()[slot_of_week(times, 60)]
    result = backtest(times, rng.poisson(truth), 60, horizon_weeks=4, trend="none")
    assert result.noise_floor == pytest.approx(poisson_wape_floor(truth[-4 * 168:]), rel=0.05)
    # The realised WAPE over 288 open hours has sd ~ 0.012 around its mean; shares estimated
    # from 8 weeks lift the mean by about sqrt(1 + 1/8).
    assert 0.9 * result.noise_floor < result.wape < 1.2 * result.noise_floor

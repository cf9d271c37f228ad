"""Arrival rates by slot of the week."""

from __future__ import annotations

import math

import numpy as np
import pytest

from equipoise.engine.calibration import arrival_rates
from equipoise.engine.forecast import grid, slot_of_week


def test_hand_computed_means_and_rates():
    times = grid("2024-01-01T00:00", 2 * 672, 15)
    counts = np.zeros(times.size)
    counts[0], counts[672] = 3, 5  # Monday 00:00 in both weeks
    counts[1] = 4  # Monday 00:15, first week only
    profile = arrival_rates(times, counts, 15)
    assert profile.mean_count[0] == 4 and profile.mean_count[1] == 2
    assert profile.rate_per_hour[0] == 16
    assert profile.variance[0] == pytest.approx(2.0) and profile.variance[1] == pytest.approx(8.0)
    assert profile.observations.tolist() == [2] * 672
    assert profile.total_arrivals == 12
    # Pooled: (1 * 2 + 1 * 8) / (1 * 4 + 1 * 2).
    assert profile.dispersion == pytest.approx(10 / 6)
    assert profile.by_day().shape == (7, 96)


def test_partial_weeks_count_observations_per_slot():
    times = grid("2024-01-03T12:00", 200, 60)  # starts Wednesday noon
    profile = arrival_rates(times, np.ones(200), 60)
    assert profile.observations.sum() == 200
    assert set(profile.observations.tolist()) == {1, 2}
    assert np.all(profile.mean_count == 1.0)
    assert np.isnan(profile.variance[profile.observations == 1]).all()


def test_poisson_rates_recovered_and_dispersion_near_one():
    rng = np.random.default_rng(3)
    weeks = 12
    times = grid("2024-01-01T00:00", weeks * 336, 30)
    lam = np.where(np.arange(336) % 48 >= 16, 5 + 20 * (np.arange(336) % 7 == 0), 0.0)
    counts = rng.poisson(lam[slot_of_week(times, 30)])
    profile = arrival_rates(times, counts, 30)
    se = np.sqrt(np.maximum(lam, 1e-12) / weeks)
    assert np.all(np.abs(profile.mean_count - lam) <= 4.5 * se)
    assert np.all(profile.mean_count[lam == 0] == 0)
    dof = ((lam > 0).sum()) * (weeks - 1)
    # The pooled variance/mean ratio of Poisson counts has sd about sqrt(2 / dof).
    assert abs(profile.dispersion - 1) < 4 * math.sqrt(2 / dof)
    mean = lam[slot_of_week(times, 30)]
    over = arrival_rates(times, rng.negative_binomial(2, 2 / (2 + mean)), 30)
    assert over.dispersion > 2  # variance = mean + mean^2 / 2 for these negative binomial counts


def test_validation_names_the_argument():
    times = grid("2024-01-01T00:00", 10, 60)
    with pytest.raises(ValueError, match="counts"):
        arrival_rates(times, np.ones(9), 60)
    with pytest.raises(ValueError, match="interval_minutes"):
        arrival_rates(times, np.ones(10), 7)

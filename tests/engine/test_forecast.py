"""Arrival forecast: exact recovery on noiseless data, closed hours, accuracy on Poisson noise."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from equipoise.engine.forecast import (
    fit_forecast,
    grid,
    slot_of_week,
    slots_per_week,
    theil_sen,
    wape,
)


def office_profile(interval_minutes: int) -> np.ndarray:
    """Open Mon-Fri 08:00-18:00 and Sat 09:00-13:00, busier mid-morning; shares summing to 1."""
    per_day = 1440 // interval_minutes
    hours = (np.arange(per_day) * interval_minutes) / 60.0
    shape = np.zeros((7, per_day))
    for day in range(5):
        open_ = (hours >= 8) & (hours < 18)
        shape[day, open_] = (1.5 + np.sin((hours[open_] - 8) / 10 * np.pi)) * (1.2 - 0.05 * day)
    shape[5, (hours >= 9) & (hours < 13)] = 0.7
    flat = shape.ravel()
    return flat / flat.sum()


def synthetic(start: str, weeks: int, interval_minutes: int, totals):
    """Noiseless counts: week k (from ``start``) has total totals[k], spread by the profile."""
    per_week = slots_per_week(interval_minutes)
    times = grid(start, weeks * per_week, interval_minutes)
    profile = office_profile(interval_minutes)
    level = np.repeat(np.asarray(totals, dtype=float), per_week)
    return times, level * profile[slot_of_week(times, interval_minutes)]


def test_slot_of_week_starts_monday_midnight():
    times = np.array(["2024-01-01T00:00", "2024-01-01T00:30", "2024-01-07T23:30",
                      "2024-01-08T00:00", "1969-12-29T00:15"], dtype="datetime64[m]")
    assert slot_of_week(times, 30).tolist() == [0, 1, 335, 0, 0]
    assert slot_of_week(times, 15).tolist() == [0, 2, 670, 0, 1]
    assert slots_per_week(60) == 168


@pytest.mark.parametrize("interval", [15, 30, 60])
def test_linear_trend_recovered_exactly(interval):
    # History starts on a Wednesday: weeks are aligned to the data, not to Mondays.
    totals = 2000 + 75 * np.arange(6)
    times, counts = synthetic("2024-01-03T00:00", 6, interval, totals)
    model = fit_forecast(times, counts, interval, trend="linear")
    assert model.n_weeks == 6
    assert model.slope == pytest.approx(75, abs=1e-9)
    assert model.level == pytest.approx(2375, abs=1e-9)
    np.testing.assert_allclose(model.profile, office_profile(interval), rtol=0, atol=1e-15)
    per_week = slots_per_week(interval)
    future = model.predict(times[-1] + np.timedelta64(interval, "m"), 2 * per_week)
    _, expected = synthetic("2024-02-14T00:00", 2, interval, [2450, 2525])
    np.testing.assert_allclose(future, expected, rtol=1e-12, atol=1e-12)
    # In-sample the fitted values reproduce the history.
    np.testing.assert_allclose(model.predict_at(times), counts, rtol=1e-12, atol=1e-12)


def test_damped_and_flat_trends():
    times, counts = synthetic("2024-01-01T00:00", 4, 60, [1000, 1100, 1200, 1300])
    damped = fit_forecast(times, counts, 60, trend="damped", damping=0.5)
    # Totals ahead: 1300 + 100 * (0.5), 1300 + 100 * (0.5 + 0.25).
    np.testing.assert_allclose(damped.weekly_total([4, 5, 40]), [1350, 1375, 1400], atol=1e-6)
    flat = fit_forecast(times, counts, 60, trend="none")
    week = flat.predict("2024-01-29T00:00", 168)
    assert week.sum() == pytest.approx(1150)
    assert flat.slope == 0 and flat.damping == 1.0


def test_partial_leading_week_is_dropped_and_max_weeks_respected():
    times, counts = synthetic("2024-01-01T00:00", 5, 60, [9999, 500, 600, 700, 800])
    # Cut the first 30 hours: the first (partial) block is not used.
    model = fit_forecast(times[30:], counts[30:], 60, trend="linear")
    assert model.n_weeks == 4
    np.testing.assert_allclose(model.weekly_totals, [500, 600, 700, 800])
    assert model.week_origin == np.datetime64("2024-01-08T00:00")
    recent = fit_forecast(times, counts, 60, trend="linear", max_weeks=2)
    np.testing.assert_allclose(recent.weekly_totals, [700, 800])


def test_closed_hours_forecast_zero_under_noise():
    rng = np.random.default_rng(11)
    per_week = slots_per_week(30)
    times = grid("2024-01-01T00:00", 8 * per_week, 30)
    mean = 3000 * office_profile(30)[slot_of_week(times, 30)]
    counts = rng.poisson(mean)
    model = fit_forecast(times, counts, 30)
    future = model.predict("2024-02-26T00:00", per_week)
    closed = office_profile(30)[slot_of_week(grid("2024-02-26T00:00", per_week, 30), 30)] == 0
    assert closed.sum() > 100
    assert np.all(future[closed] == 0.0)
    assert np.all(future[~closed] > 0)


def test_wape_on_poisson_noise_close_to_the_oracle():
    """Out of sample, the model is nearly as good as knowing the true means."""
    rng = np.random.default_rng(2024)
    per_week = slots_per_week(30)
    weeks = 9
    times = grid("2024-01-01T00:00", weeks * per_week, 30)
    totals = 4000 * 1.02 ** np.arange(weeks)
    truth = np.repeat(totals, per_week) * office_profile(30)[slot_of_week(times, 30)]
    counts = rng.poisson(truth)
    cut = 8 * per_week
    model = fit_forecast(times[:cut], counts[:cut], 30, trend="linear")
    forecast = model.predict_at(times[cut:])
    oracle = wape(counts[cut:], truth[cut:])
    # Poisson floor: E|X - lam| ~ sqrt(2 lam / pi); the oracle WAPE is close to it.
    floor = np.sum(np.sqrt(2 * truth[cut:] / np.pi)) / truth[cut:].sum()
    assert oracle == pytest.approx(floor, rel=0.1)
    # Estimating 336 shares from 8 weeks inflates the error by about sqrt(1 + 1/8) = 1.06, and
    # the extrapolated level adds a little more (ratios 1.03-1.13 over seeds 0-9).
    assert wape(counts[cut:], forecast) < 1.25 * oracle
    # Weekly totals have sd ~ sqrt(4600) = 1.5%; the one-week-ahead trend extrapolation from 8
    # weeks has sd ~ 1.5% * sqrt(1/8 + 4.5^2/42) = 1.2%: 3 sd of their sum is about 6%.
    assert abs(forecast.sum() / counts[cut:].sum() - 1) < 0.06


def test_predict_accepts_python_datetimes_and_checks_alignment():
    times, counts = synthetic("2024-01-01T00:00", 2, 60, [100, 100])
    model = fit_forecast(list(times.astype(dt.datetime)), counts, 60)
    a = model.predict(dt.datetime(2024, 1, 15, 9), 3)
    b = model.predict(np.datetime64("2024-01-15T09:00"), 3)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="start"):
        model.predict("2024-01-15T09:10", 3)
    with pytest.raises(ValueError, match="periods"):
        model.predict("2024-01-15T09:00", -1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"interval_minutes": 7}, "interval_minutes"),
        ({"trend": "cubic"}, "trend"),
        ({"damping": 0.0}, "damping"),
        ({"max_weeks": 0}, "max_weeks"),
    ],
)
def test_bad_options_are_named(kwargs, match):
    times, counts = synthetic("2024-01-01T00:00", 1, 60, [100])
    args = {"interval_minutes": 60, **kwargs}
    with pytest.raises(ValueError, match=match):
        fit_forecast(times, counts, args.pop("interval_minutes"), **args)


def test_bad_grids_are_rejected():
    times, counts = synthetic("2024-01-01T00:00", 2, 60, [100, 100])
    with pytest.raises(ValueError, match="consecutive"):
        fit_forecast(np.delete(times, 5), np.delete(counts, 5), 60)
    with pytest.raises(ValueError, match="aligned"):
        fit_forecast(times + np.timedelta64(10, "m"), counts, 60)
    with pytest.raises(ValueError, match="whole week"):
        fit_forecast(times[:100], counts[:100], 60)
    bad = counts.copy()
    bad[3] = -1
    with pytest.raises(ValueError, match="counts"):
        fit_forecast(times, bad, 60)
    with pytest.raises(ValueError, match="counts"):
        fit_forecast(times, counts[:-1], 60)


def test_theil_sen_is_exact_on_lines_and_ignores_one_outlier():
    x = np.arange(7.0)
    assert theil_sen(x, 3 + 2 * x) == pytest.approx((2.0, 3.0))
    y = 3 + 2 * x
    y[3] = 500
    assert theil_sen(x, y) == pytest.approx((2.0, 3.0))
    assert theil_sen(np.array([0.0]), np.array([5.0])) == (0.0, 5.0)


week_counts = st.lists(st.integers(0, 40), min_size=168, max_size=168)


@given(st.lists(week_counts, min_size=1, max_size=4), st.floats(0.1, 10.0),
       st.sampled_from(["none", "linear", "damped"]))
def test_properties_of_the_fit(weeks, scale, trend):
    counts = np.concatenate([np.asarray(w, dtype=float) for w in weeks])
    times = grid("2024-03-04T00:00", counts.size, 60)
    model = fit_forecast(times, counts, 60, trend=trend)
    future = model.predict(times[-1] + np.timedelta64(60, "m"), 3 * 168)
    assert np.all(future >= 0)
    # A slot without arrivals in any week stays at zero.
    never = np.asarray(weeks).sum(axis=0) == 0
    assert np.all(future.reshape(3, 168)[:, never] == 0)
    total = counts.sum()
    assert model.profile.sum() == pytest.approx(1.0 if total > 0 else 0.0)
    # Scaling the history scales the forecast (shares and Theil-Sen are equivariant).
    scaled = fit_forecast(times, scale * counts, 60, trend=trend)
    np.testing.assert_allclose(scaled.predict_at(times), scale * model.predict_at(times),
                               rtol=1e-9, atol=1e-9)
    if trend == "none":
        assert future[:168].sum() == pytest.approx(total / len(weeks))

"""Patience estimators: P(Ab) = theta E[W] over intervals, censored MLE and Kaplan-Meier."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from equipoise.engine.calibration import (
    kaplan_meier,
    patience_censored,
    patience_from_abandonment,
)


def test_abandonment_estimators_hand_computed():
    est = patience_from_abandonment(offered=[10, 20, 0], abandoned=[2, 4, 0],
                                    total_wait_seconds=[100, 400, 0])
    assert est.theta_ratio == pytest.approx(6 / 500)
    # sum(a w / n) / sum(w^2 / n) = (2*100/10 + 4*400/20) / (100^2/10 + 400^2/20) = 100 / 9000.
    assert est.theta_regression == pytest.approx(100 / 9000)
    assert est.mean_patience_ratio == pytest.approx(500 / 6)
    assert est.n_intervals == 2 and est.offered == 30 and est.abandoned == 6


def test_kaplan_meier_hand_computed():
    waits = [1, 2, 2, 3, 4, 5]
    abandoned = [True, True, False, True, False, True]
    km = kaplan_meier(waits, abandoned)
    assert km.times.tolist() == [1, 2, 3, 5]
    assert km.at_risk.tolist() == [6, 5, 3, 1]
    assert km.events.tolist() == [1, 1, 1, 1]
    np.testing.assert_allclose(km.survival, [5 / 6, 4 / 6, 4 / 9, 0.0])
    # Greenwood at t=2: S^2 * (1/(6*5) + 1/(5*4)).
    assert km.std_error[1] == pytest.approx(4 / 6 * math.sqrt(1 / 30 + 1 / 20))
    assert km.std_error[3] == 0.0
    np.testing.assert_allclose(km.survival_at([0.5, 1, 2.5, 4.9, 6]), [1, 5 / 6, 4 / 6, 4 / 9, 0])
    assert km.median == 3.0
    est = patience_censored(waits, abandoned)
    assert est.theta == pytest.approx(4 / 17)
    assert est.standard_error == pytest.approx(4 / 17 / 2)
    assert est.n == 6 and est.n_abandoned == 4


def _queue(rng: np.random.Generator, patience: np.ndarray, intervals: int, per_interval: int):
    """Customers with an offered wait V (scale varying by interval); they leave if patience < V."""
    scales = rng.uniform(5, 200, intervals)
    offered_wait = rng.exponential(np.repeat(scales, per_interval))
    waits = np.minimum(offered_wait, patience)
    return waits, patience < offered_wait, np.repeat(np.arange(intervals), per_interval)


def test_exponential_patience_recovered_by_every_estimator():
    rng = np.random.default_rng(42)
    theta = 1 / 120
    n = 60 * 80
    waits, abandoned, interval = _queue(rng, rng.exponential(1 / theta, n), 60, 80)
    d = int(abandoned.sum())
    tol = 5 * theta / math.sqrt(d)  # Fisher sd of the MLE is theta / sqrt(d)
    censored = patience_censored(waits, abandoned)
    assert abs(censored.theta - theta) < tol
    low, high = censored.mean_patience_interval()
    assert low < 120 < high
    agg = patience_from_abandonment(np.bincount(interval), np.bincount(interval, weights=abandoned),
                                    np.bincount(interval, weights=waits))
    # The ratio of totals is the censored MLE computed from aggregates.
    assert agg.theta_ratio == pytest.approx(censored.theta, rel=1e-12)
    # WLS through the origin: about 1.15 x the MLE's sd over 30 seeds, inside 5 sd here.
    assert abs(agg.theta_regression - theta) < tol * 1.2
    km = censored.km
    for t in (30.0, 60.0, 120.0):
        i = np.searchsorted(km.times, t, side="right") - 1
        assert abs(km.survival_at(t) - math.exp(-theta * t)) < 5 * km.std_error[i]


def test_kaplan_meier_recovers_non_exponential_patience():
    rng = np.random.default_rng(5)
    n = 5000
    patience = 150 * rng.weibull(2.0, n)  # S(t) = exp(-(t/150)^2)
    waits, abandoned, _ = _queue(rng, patience, 50, 100)
    km = kaplan_meier(waits, abandoned)
    for t in (40.0, 90.0, 150.0):
        i = np.searchsorted(km.times, t, side="right") - 1
        assert abs(km.survival_at(t) - math.exp(-((t / 150) ** 2))) < 5 * km.std_error[i]


def test_no_abandonment_gives_theta_zero_and_an_open_interval():
    est = patience_censored([10.0, 20.0, 30.0], [False, False, False])
    assert est.theta == 0.0 and est.mean_patience_seconds == math.inf
    low, high = est.mean_patience_interval()
    assert low == pytest.approx(60 / -math.log(0.025)) and high == math.inf
    assert est.km.times.size == 0 and est.km.median is None
    assert est.km.survival_at(100.0) == 1.0


@pytest.mark.parametrize(
    ("args", "match"),
    [(([1, 2], [1]), "abandoned: expected 2"),
     (([5], [6], [10]), "at most offered"),
     (([5], [1], [-1]), "total_wait_seconds"),
     (([5], [0], [0]), "no waiting time")],
)
def test_abandonment_inputs_validated(args, match):
    if len(args) == 2:
        args = (args[0], args[1], [0, 0])
    with pytest.raises(ValueError, match=match):
        patience_from_abandonment(*args)


def test_censored_inputs_validated():
    with pytest.raises(ValueError, match="abandoned"):
        patience_censored([1.0, 2.0], [True])
    with pytest.raises(ValueError, match="wait_seconds"):
        patience_censored([1.0, -2.0], [True, False])
    with pytest.raises(ValueError, match="at least one"):
        patience_censored([], [])
    with pytest.raises(ValueError, match="no waiting time"):
        patience_censored([0.0, 0.0], [True, False])


samples = st.lists(st.tuples(st.integers(0, 50).map(float), st.booleans()), min_size=1, max_size=40)


@given(samples)
def test_kaplan_meier_properties(rows):
    waits = np.array([w for w, _ in rows])
    flags = np.array([f for _, f in rows])
    km = kaplan_meier(waits, flags)
    assert np.all(np.diff(km.survival) <= 1e-15)
    assert np.all((km.survival >= 0) & (km.survival <= 1))
    assert km.events.sum() == flags.sum()
    if flags.all():
        # Without censoring the curve is the empirical survival function.
        grid = np.arange(0, 52, dtype=float)
        expected = np.array([(waits > g).mean() for g in grid])
        np.testing.assert_allclose(km.survival_at(grid), expected, atol=1e-12)


@pytest.mark.parametrize("n", [1, 4])
def test_regression_bias_with_few_contacts_per_interval_is_as_documented(n):
    """Exponential offered waits (mean 50 s), patience mean 100 s: E[theta_reg] = theta n/(n+1)."""
    rng = np.random.default_rng(n)
    intervals = 60_000 // n
    offered_wait = rng.exponential(50, (intervals, n))
    patience = rng.exponential(100, (intervals, n))
    waits = np.minimum(offered_wait, patience)
    abandoned = patience < offered_wait
    est = patience_from_abandonment(np.full(intervals, n), abandoned.sum(1), waits.sum(1))
    d = int(abandoned.sum())  # about 20,000: the MLE's relative sd is 1/sqrt(d) = 0.7%
    assert abs(est.theta_regression * 100 - n / (n + 1)) < 5 * 1.5 / math.sqrt(d)
    assert abs(est.theta_ratio * 100 - 1) < 5 / math.sqrt(d)

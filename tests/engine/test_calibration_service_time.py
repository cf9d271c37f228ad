"""Service-time fits: exact small cases, recovery on synthetic samples, goodness of fit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import special, stats

from equipoise.engine.calibration import fit_service_times, gamma_mle, lognormal_mle


def test_lognormal_mle_hand_computed():
    x = np.array([1.0, math.e, math.e**2])
    params = lognormal_mle(x)
    assert params["mu"] == pytest.approx(1.0)
    assert params["sigma"] == pytest.approx(math.sqrt(2 / 3))
    fit = fit_service_times(x).get("lognormal")
    # log L = sum(-log x - log(sigma sqrt(2 pi)) - (log x - mu)^2 / (2 sigma^2)).
    sigma = math.sqrt(2 / 3)
    expected = sum(-lx - math.log(sigma * math.sqrt(2 * math.pi)) - (lx - 1) ** 2 / (2 * sigma**2)
                   for lx in (0.0, 1.0, 2.0))
    assert fit.log_likelihood == pytest.approx(expected)
    assert fit.aic == pytest.approx(4 - 2 * expected)
    assert fit.mean == pytest.approx(math.exp(1 + sigma**2 / 2))


def test_exponential_and_gamma_hand_computed():
    x = np.array([2.0, 4.0, 9.0])
    result = fit_service_times(x)
    expo = result.get("exponential")
    assert expo.params == {"scale": 5.0}
    assert expo.log_likelihood == pytest.approx(-3 * math.log(5) - 15 / 5)
    gamma = result.get("gamma")
    k = gamma.params["shape"]
    # The shape solves log k - digamma(k) = log mean - mean log.
    target = math.log(5) - np.log(x).mean()
    assert math.log(k) - special.digamma(k) == pytest.approx(target, abs=1e-12)
    assert gamma.params["scale"] * k == pytest.approx(5.0)
    shape, _, scale = stats.gamma.fit(x, floc=0)
    assert k == pytest.approx(shape, rel=1e-4)
    assert gamma.params["scale"] == pytest.approx(scale, rel=1e-4)


def test_ks_statistic_hand_computed():
    # Exponential fitted to [1, 3] has mean 2: F(1) = 1 - e^-0.5, F(3) = 1 - e^-1.5. The largest
    # gap is F(1) - 0 = 1 - e^-0.5 (against 1/2 - F(1), F(3) - 1/2 and 1 - F(3)).
    expo = fit_service_times([1.0, 3.0], ("exponential",)).get("exponential")
    assert expo.ks_statistic == pytest.approx(1 - math.exp(-0.5))


def _se_shape(k: float, n: int) -> float:
    return math.sqrt(k / (n * (k * special.polygamma(1, k) - 1)))


def test_lognormal_sample_recovered_and_chosen():
    rng = np.random.default_rng(7)
    n, mu, sigma = 4000, 5.5, 0.6
    result = fit_service_times(rng.lognormal(mu, sigma, n))
    assert result.best.name == "lognormal"
    best = result.best
    assert abs(best.params["mu"] - mu) < 4 * sigma / math.sqrt(n)
    assert abs(best.params["sigma"] - sigma) < 4 * sigma / math.sqrt(2 * n)
    assert best.ks_pvalue > 0.001
    assert result.get("exponential").ks_pvalue < 1e-6
    assert [c.aic for c in result.candidates] == sorted(c.aic for c in result.candidates)


def test_gamma_sample_recovered_and_chosen():
    rng = np.random.default_rng(8)
    n, shape, scale = 4000, 2.5, 120.0
    result = fit_service_times(rng.gamma(shape, scale, n))
    assert result.best.name == "gamma"
    k = result.best.params["shape"]
    assert abs(k - shape) < 4 * _se_shape(shape, n)
    assert abs(result.best.mean - shape * scale) < 4 * math.sqrt(shape) * scale / math.sqrt(n)


def test_exponential_sample_recovered():
    rng = np.random.default_rng(9)
    n, scale = 4000, 300.0
    result = fit_service_times(rng.exponential(scale, n))
    # Gamma nests the exponential (shape 1), so either may win by a hair; the lognormal must not.
    assert result.best.name in ("exponential", "gamma")
    assert abs(result.get("exponential").params["scale"] - scale) < 4 * scale / math.sqrt(n)
    assert abs(result.get("gamma").params["shape"] - 1) < 4 * _se_shape(1.0, n)
    assert result.get("lognormal").aic > result.best.aic + 10


def test_fitted_law_can_be_sampled_with_a_generator():
    fit = fit_service_times([100.0, 150.0, 220.0, 300.0, 410.0])
    draws = fit.best.sample(np.random.default_rng(1), 20_000)
    assert draws.mean() == pytest.approx(fit.best.mean, rel=0.05)
    assert fit.best.cdf([0.0])[0] == 0.0


@pytest.mark.parametrize(
    ("values", "match"),
    [([1.0], "at least 2"), ([1.0, 0.0], "position 1"), ([1.0, -3.0], "positive"),
     ([1.0, float("nan")], "finite"), ([5.0, 5.0, 5.0], "all values are equal"),
     ([[1.0, 2.0]], "one-dimensional")],
)
def test_invalid_samples_are_rejected(values, match):
    with pytest.raises(ValueError, match=match):
        fit_service_times(values)


def test_unknown_distribution_is_rejected():
    with pytest.raises(ValueError, match="distributions"):
        fit_service_times([1.0, 2.0], ("weibull",))


positive = st.floats(1.0, 1e4, allow_nan=False, allow_infinity=False)


@given(st.lists(positive, min_size=3, max_size=40), st.floats(0.01, 100.0))
def test_fits_are_scale_equivariant(values, c):
    x = np.asarray(values)
    if np.ptp(np.log(x)) < 1e-3:
        return
    base = fit_service_times(x)
    scaled = fit_service_times(c * x)
    lb, ls = base.get("lognormal").params, scaled.get("lognormal").params
    assert ls["mu"] == pytest.approx(lb["mu"] + math.log(c), abs=1e-9)
    assert ls["sigma"] == pytest.approx(lb["sigma"], rel=1e-9, abs=1e-12)
    gb, gs = gamma_mle(x), gamma_mle(c * x)
    assert gs["shape"] == pytest.approx(gb["shape"], rel=1e-6)
    assert gs["scale"] == pytest.approx(c * gb["scale"], rel=1e-6)
    for name in ("lognormal", "exponential", "gamma"):
        assert scaled.get(name).ks_statistic == pytest.approx(base.get(name).ks_statistic, abs=1e-6)
        assert 0 <= base.get(name).ks_pvalue <= 1

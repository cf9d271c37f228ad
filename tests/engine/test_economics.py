"""Customer economics: logistic IRLS, the churn link, churn cost formulas (hand-checked)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import expit

from equipoise.engine.economics import (
    DEFAULT_COEFFICIENTS,
    FEATURES,
    Segment,
    annual_to_monthly,
    blended_replacement_cost,
    churn_cost_rates,
    complaint_churn_probability,
    default_churn_model,
    default_replacement_cost,
    fit_churn_model,
    fit_logistic,
    monthly_to_annual,
)

# ---------------------------------------------------------------- logistic regression


def _table(a: int, b: int, c: int, d: int):
    """Rows of a 2x2 table: x=0 -> a non-events, b events; x=1 -> c non-events, d events."""
    X = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 1.0], [1.0, 1.0]])
    y = np.array([0.0, 1.0, 0.0, 1.0])
    w = np.array([a, b, c, d], dtype=float)
    return X, y, w


def test_two_by_two_table_matches_closed_form():
    a, b, c, d = 40, 10, 25, 25
    X, y, w = _table(a, b, c, d)
    fit = fit_logistic(X, y, weights=w, names=("const", "x"))
    assert fit.converged
    # closed form: log-odds of the x=0 group and the log odds ratio, Woolf standard errors
    assert fit.coef[0] == pytest.approx(math.log(b / a), abs=1e-10)
    assert fit.coef[1] == pytest.approx(math.log((d / c) / (b / a)), abs=1e-10)
    assert fit.std_err[0] == pytest.approx(math.sqrt(1 / a + 1 / b), rel=1e-8)
    assert fit.std_err[1] == pytest.approx(math.sqrt(1 / a + 1 / b + 1 / c + 1 / d), rel=1e-8)
    lo, hi = fit.conf_int(0.95)[1]
    assert hi - lo == pytest.approx(2 * 1.959963984540054 * fit.std_err[1], rel=1e-9)
    assert fit.n_obs == 100 and fit.n_events == 35


def test_frequency_weights_equal_expanded_rows():
    X, y, w = _table(7, 3, 4, 6)
    expanded_X = np.repeat(X, w.astype(int), axis=0)
    expanded_y = np.repeat(y, w.astype(int))
    grouped = fit_logistic(X, y, weights=w)
    rows = fit_logistic(expanded_X, expanded_y)
    np.testing.assert_allclose(grouped.coef, rows.coef, atol=1e-10)
    np.testing.assert_allclose(grouped.std_err, rows.std_err, rtol=1e-8)
    assert grouped.log_likelihood == pytest.approx(rows.log_likelihood, rel=1e-10)


def test_recovers_known_coefficients_within_standard_errors():
    rng = np.random.default_rng(20240611)
    n = 20_000
    true = np.array([-2.0, 0.8, -0.5, 0.3])
    X = np.column_stack(
        [np.ones(n), rng.normal(size=n), rng.binomial(1, 0.4, n), rng.poisson(2, n)]
    )
    y = (rng.random(n) < expit(X @ true)).astype(float)
    fit = fit_logistic(X, y)
    assert fit.converged and not fit.warning
    assert np.all(np.abs(fit.coef - true) < 4.0 * fit.std_err)
    ci = fit.conf_int(0.9999)
    assert np.all((ci[:, 0] < true) & (true < ci[:, 1]))


def test_agrees_with_generic_optimiser():
    rng = np.random.default_rng(7)
    n = 500
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    y = (rng.random(n) < expit(X @ [0.3, -1.0, 0.5])).astype(float)

    def nll(b):
        eta = X @ b
        return float(np.sum(np.logaddexp(0, eta) - y * eta))

    ref = minimize(nll, np.zeros(3), method="BFGS", options={"gtol": 1e-10})
    fit = fit_logistic(X, y)
    np.testing.assert_allclose(fit.coef, ref.x, atol=1e-5)
    assert fit.log_likelihood == pytest.approx(-ref.fun, rel=1e-9)


def test_separation_is_flagged():
    X = np.column_stack([np.ones(20), np.arange(20.0)])
    y = (np.arange(20) >= 10).astype(float)
    fit = fit_logistic(X, y)
    assert "separation" in fit.warning


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (np.ones((3, 1)), np.array([0.0, 1.0, 2.0]), "y: expected only 0/1"),
        (np.ones((3, 2)), np.array([0.0, 1.0, 1.0]), "linearly dependent"),
        (np.ones(3), np.array([0.0, 1.0, 1.0]), "X: expected a 2-D"),
        (np.ones((3, 1)), np.array([0.0, 1.0]), "y: expected shape"),
    ],
)
def test_logistic_rejects_bad_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        fit_logistic(X, y)


# ---------------------------------------------------------------- the churn link


def _customer_months(rng: np.random.Generator, n: int, coefs: dict[str, float]):
    tiers = rng.choice(np.array(["top", "mid", "low"]), size=n)
    base = {"top": -4.0, "mid": -3.5, "low": -3.0}
    feats = {
        "csat_deficit": rng.poisson(0.6, n).astype(float),
        "unresolved": rng.poisson(0.5, n).astype(float),
        "complaints": rng.binomial(1, 0.08, n).astype(float),
        "wait_minutes": rng.exponential(8.0, n),
    }
    eta = np.array([base[t] for t in tiers]) + sum(coefs[f] * feats[f] for f in FEATURES)
    churned = (rng.random(n) < expit(eta)).astype(int)
    return churned, feats, tiers, base


def test_churn_model_fits_and_recovers_coefficients():
    truth = {"csat_deficit": 0.7, "unresolved": 0.4, "complaints": 1.1, "wait_minutes": 0.02}
    churned, feats, tiers, base = _customer_months(np.random.default_rng(11), 60_000, truth)
    model = fit_churn_model(churned, feats, tiers)
    assert model.source == "fitted" and model.reason == ""
    for f in FEATURES:
        assert abs(model.coefficients[f] - truth[f]) < 4.0 * model.std_errors[f], f
        lo, hi = model.conf_int(0.9999)[f]
        assert lo < truth[f] < hi
    for t, a in base.items():
        assert abs(model.intercepts[t] - a) < 4.0 * model.std_errors[f"tier[{t}]"]


def test_thin_data_falls_back_to_flagged_defaults():
    churned, feats, tiers, _ = _customer_months(np.random.default_rng(3), 300, DEFAULT_COEFFICIENTS)
    model = fit_churn_model(churned, feats, tiers, min_events=50)
    assert model.source == "default"
    assert "thin data" in model.reason
    assert dict(model.coefficients) == dict(DEFAULT_COEFFICIENTS)
    assert model.conf_int() == {}


def test_churn_model_rejects_missing_feature():
    with pytest.raises(ValueError, match="features: missing"):
        fit_churn_model([0, 1], {"csat_deficit": [0, 1]}, ["a", "a"])


def test_event_effect_doubling_odds_by_hand():
    model = default_churn_model()
    p = 0.01
    # one dissatisfying contact doubles the odds: p' = 2p / (1 + p)
    assert model.event_effect("csat_deficit", p) == pytest.approx(2 * p / (1 + p) - p, rel=1e-12)
    assert model.probability("x", {"complaints": 1.0}, base_probability=p) == pytest.approx(
        3 * p / (1 + 2 * p), rel=1e-12
    )


# ---------------------------------------------------------------- segments and churn cost


def test_segment_churn_cost_by_hand():
    seg = Segment(
        "mid", customers=500, annual_margin=1200.0, base_churn=0.12, replacement_cost=200.0
    )
    assert seg.expected_lifetime_years == pytest.approx(1 / 0.12)
    assert seg.lost_margin_per_customer == pytest.approx(10_000.0)
    assert seg.churn_cost_per_customer == pytest.approx(10_200.0)
    assert seg.expected_churned_per_year == pytest.approx(60.0)
    assert seg.expected_annual_churn_cost == pytest.approx(612_000.0)
    discounted = Segment("mid", 500, 1000.0, 0.2, 0.0, discount_rate=0.1)
    # 1000 * (1 + 0.1) / (0.2 + 0.1) = 3666.67: margin at the start of each year kept
    assert discounted.lost_margin_per_customer == pytest.approx(1100.0 / 0.3)
    # the same as summing the series
    series = sum(1000.0 * (0.8 / 1.1) ** t for t in range(2000))
    assert discounted.lost_margin_per_customer == pytest.approx(series, rel=1e-12)


def test_replacement_cost_defaults_and_blend():
    assert default_replacement_cost("small_business") == 200.0
    assert default_replacement_cost("large_account") == 10_000.0
    assert default_replacement_cost("large_account", {"large_account": 8000}) == 8000.0
    blend = blended_replacement_cost({"small_business": 90, "large_account": 10})
    assert blend == pytest.approx((90 * 200 + 10 * 10_000) / 100)
    with pytest.raises(ValueError, match="kind: expected one of"):
        default_replacement_cost("martian")


def test_churn_rate_conversions():
    m = annual_to_monthly(0.2)
    assert m == pytest.approx(1 - 0.8 ** (1 / 12))
    assert monthly_to_annual(m) == pytest.approx(0.2)
    with pytest.raises(ValueError, match="annual: expected a probability"):
        annual_to_monthly(1.5)


def test_segment_validation_names_field():
    with pytest.raises(ValueError, match="base_churn of tier 'top'"):
        Segment("top", 10, 1000.0, 0.0, 200.0)
    with pytest.raises(ValueError, match="annual_margin of tier 'top'"):
        Segment("top", 10, -1.0, 0.1, 200.0)


def test_complaint_recovery_by_hand():
    assert complaint_churn_probability(1.0, 0.0) == pytest.approx(0.40)
    assert complaint_churn_probability(1.0, 1.0) == pytest.approx(0.05)
    assert complaint_churn_probability(0.0, 0.0) == pytest.approx(0.80)
    # half resolved, a quarter quickly: kept = .5*.2 + .25*.6 + .25*.95
    assert complaint_churn_probability(0.5, 0.25) == pytest.approx(1 - 0.4875)
    with pytest.raises(ValueError, match="quick_share"):
        complaint_churn_probability(0.3, 0.5)


def test_churn_cost_rates_by_hand():
    seg = Segment("mid", 500, 1200.0, 0.12, 200.0)
    rates = churn_cost_rates(seg, default_churn_model())
    p = 1 - 0.88 ** (1 / 12)
    cost = 10_200.0
    assert rates.per_dissatisfied == pytest.approx(cost * (2 * p / (1 + p) - p), rel=1e-12)
    assert rates.per_unresolved == pytest.approx(cost * (1.5 * p / (1 + 0.5 * p) - p), rel=1e-12)
    odds = math.exp(0.01) * p / (1 - p)
    assert rates.per_wait_minute == pytest.approx(cost * (odds / (1 + odds) - p), rel=1e-10)
    # with the complaint-recovery figure: (0.40 - 0.12) of the churn cost per complaint
    with_recovery = churn_cost_rates(seg, default_churn_model(), complaint_churn=0.40)
    assert with_recovery.per_complaint == pytest.approx(0.28 * cost)

"""AHP weights against closed-form oracles and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from equipoise.analytics.ahp import RANDOM_INDEX, InconsistentMatrix, ahp_weights


def lambda_max_3(a: float, b: float, c: float) -> float:
    """Closed form of the principal eigenvalue of [[1,a,b],[1/a,1,c],[1/b,1/c,1]]."""
    r = b / (a * c)
    return 1 + r ** (1 / 3) + r ** (-1 / 3)


def test_three_by_three_against_closed_form():
    rows = [[1, 3, 5], ["1/3", 1, 3], ["1/5", "1/3", 1]]
    res = ahp_weights(rows, name="speed")
    lam = lambda_max_3(3, 5, 3)
    assert res.lambda_max == pytest.approx(lam, rel=1e-12)
    assert res.ci == pytest.approx((lam - 3) / 2, rel=1e-9)
    assert res.cr == pytest.approx((lam - 3) / 2 / 0.58, rel=1e-9)
    a = np.array([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    w = np.array(res.weights)
    assert a @ w == pytest.approx(lam * w, rel=1e-9)
    assert sum(res.weights) == pytest.approx(1.0)
    assert res.weights[0] > res.weights[1] > res.weights[2]


def test_inconsistent_matrix_is_rejected_with_its_name_and_cr():
    # a > b, b > c, but c >> a: a cycle
    rows = [[1, 5, "1/5"], ["1/5", 1, 5], [5, "1/5", 1]]
    with pytest.raises(InconsistentMatrix, match=r"'dimensions' is inconsistent: consistency ratio CR = \d"):
        ahp_weights(rows, name="dimensions")


@pytest.mark.parametrize("rows, message", [
    ([[1, 2], [2, 1]], "not reciprocal"),
    ([[2, 1], [1, 1]], "diagonal"),
    ([[1, 2], [0.5, 1, 3]], "row 2 has 3 entries"),
    ([[1, -2], [-0.5, 1]], "positive"),
    ([[1, "x"], [1, 1]], "entry \\[1\\]\\[2\\]"),
    ([], "expected 1..10 rows"),
])
def test_bad_matrices_are_explained(rows, message):
    with pytest.raises(ValueError, match=message):
        ahp_weights(rows, name="m")


@given(st.lists(st.floats(0.1, 10.0), min_size=1, max_size=10))
def test_consistent_matrix_recovers_its_weights(ws):
    w = np.array(ws) / sum(ws)
    rows = (w[:, None] / w[None, :]).tolist()
    res = ahp_weights(rows)
    assert res.cr == pytest.approx(0.0, abs=1e-9)
    assert np.array(res.weights) == pytest.approx(w, rel=1e-7, abs=1e-12)
    assert res.lambda_max == pytest.approx(len(ws), rel=1e-9)


@given(st.integers(3, 10), st.integers(0, 2**32 - 1))
def test_accepts_exactly_when_cr_is_below_threshold(n, seed):
    rng = np.random.default_rng(seed)
    w = rng.uniform(0.5, 5.0, n)
    noise = np.exp(rng.normal(0, 0.6, (n, n)))
    a = w[:, None] / w[None, :] * np.triu(noise, 1) + np.eye(n)
    a = np.triu(a) + np.triu(1 / a, 1).T
    lam = max(np.linalg.eigvals(a).real)
    cr = (lam - n) / (n - 1) / RANDOM_INDEX[n]
    if cr < 0.10:
        assert ahp_weights(a.tolist()).cr == pytest.approx(cr, rel=1e-6, abs=1e-9)
    else:
        with pytest.raises(InconsistentMatrix):
            ahp_weights(a.tolist())

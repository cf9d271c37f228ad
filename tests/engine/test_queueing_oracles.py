"""Queueing models against published figures, exact rational arithmetic and explicit chains."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction
from math import factorial

import numpy as np
import pytest
from scipy.special import betainc, gammaln

from equipoise.engine.queueing import (
    erlang_a_metrics,
    erlang_b,
    erlang_b_load_for_blocking,
    erlang_c,
    erlang_c_metrics,
    required_agents,
)

# --- published figures -------------------------------------------------------------------


def test_erlang_c_ten_erlangs_needs_fourteen_agents() -> None:
    result = required_agents("c", 100, 1800, 180, target_sl=0.8, target_seconds=20)
    assert result.agents == 14
    m = result.metrics
    assert m.service_level == pytest.approx(0.8883500192, abs=1e-10)
    assert m.p_wait == pytest.approx(0.1741319336, abs=1e-10)
    assert m.asa_seconds == pytest.approx(7.8359, abs=1e-4)
    assert m.occupancy == pytest.approx(10 / 14, abs=1e-12)
    thirteen = erlang_c_metrics(100 / 1800, 180, 13, 20)
    assert thirteen.service_level == pytest.approx(0.795595, abs=1e-6)


def test_erlang_c_hundred_erlangs_needs_107_agents() -> None:
    result = required_agents("c", 1000, 1800, 180, target_sl=0.8, target_seconds=20)
    assert result.agents == 107
    assert result.metrics.service_level == pytest.approx(0.8238047029, abs=1e-10)
    assert result.metrics.p_wait == pytest.approx(0.3835119575, abs=1e-10)


@pytest.mark.parametrize(
    ("servers", "load", "digits"),
    [(10, 4.4612, 4), (20, 12.031, 3), (50, 37.901, 3), (100, 84.064, 3)],
)
def test_erlang_b_table_at_one_percent_blocking(servers: int, load: float, digits: int) -> None:
    found = erlang_b_load_for_blocking(servers, 0.01)
    assert round(float(found), digits) == load
    assert erlang_b(servers, found) == pytest.approx(0.01, rel=1e-12)


def test_erlang_a_published_example() -> None:
    m = erlang_a_metrics(100 / 1800, 180, 300, 13, 20)
    assert m.p_wait == pytest.approx(0.2257971, abs=1e-7)
    assert m.p_abandon == pytest.approx(0.0249633, abs=1e-7)
    assert m.service_level == pytest.approx(0.8581777, abs=1e-7)
    assert m.asa_seconds == pytest.approx(m.p_abandon * 300, rel=1e-12)
    assert m.occupancy == pytest.approx(10 * (1 - m.p_abandon) / 13, rel=1e-12)


# --- exact rational arithmetic -----------------------------------------------------------


def _exact_b(n: int, a: Fraction) -> Fraction:
    terms = [a**k / factorial(k) for k in range(n + 1)]
    return terms[-1] / sum(terms)


def _exact_c(n: int, a: Fraction) -> Fraction:
    head = sum(a**k / factorial(k) for k in range(n))
    tail = a**n / factorial(n) * n / (n - a)
    return tail / (head + tail)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13, 21, 34])
@pytest.mark.parametrize("quarters", [1, 7, 30, 61, 130])
def test_erlang_b_and_c_match_exact_fractions(n: int, quarters: int) -> None:
    a = Fraction(quarters, 4)
    assert float(erlang_b(n, float(a))) == pytest.approx(float(_exact_b(n, a)), rel=1e-12)
    expected_c = float(_exact_c(n, a)) if a < n else 1.0
    assert float(erlang_c(n, float(a))) == pytest.approx(expected_c, rel=1e-12)


# --- Erlang A against the explicit birth-death chain -------------------------------------


def _chain(lam: float, aht: float, patience: float, n: int, t: float) -> tuple[float, ...]:
    """Truncated chain in log space; SL from the Beta law of the virtual wait in each state."""
    mu, theta, load = 1 / aht, 1 / patience, lam * aht
    x = n * mu / theta
    depth = int(max(400, 3 * lam * patience + 60 * np.sqrt(lam * patience + 1)))
    log_pi = np.empty(n + depth)
    k = np.arange(n + 1)
    log_pi[: n + 1] = k * np.log(load) - gammaln(k + 1)
    j = np.arange(1, depth)
    log_pi[n + 1 :] = log_pi[n] + np.cumsum(np.log(lam / (n * mu + j * theta)))
    pi = np.exp(log_pi - log_pi.max())
    pi /= pi.sum()
    queue = pi[n:]
    jj = np.arange(depth)
    p_wait = queue.sum()
    p_abandon = theta * (jj * queue).sum() / lam
    u = 1 - np.exp(-theta * t)
    answered = x / (x + jj + 1) * betainc(jj + 1, x + 1, u)
    return p_wait, p_abandon, pi[:n].sum() + (queue * answered).sum()


@pytest.mark.parametrize(
    ("lam", "aht", "patience", "n", "t"),
    [
        (100 / 1800, 180, 300, 13, 20),
        (1 / 10, 300, 60, 20, 30),  # overloaded, impatient
        (1.0, 200, 100, 150, 20),  # heavily overloaded
        (1.0, 200, 100, 250, 20),  # well staffed
        (5.0, 300, 600, 1600, 60),
        (0.01, 180, 30, 1, 20),
        (2.0, 180, 1e5, 400, 20),  # very patient
        (0.5, 100, 50, 5, 0),
    ],
)
def test_erlang_a_matches_explicit_chain(
    lam: float, aht: float, patience: float, n: int, t: float
) -> None:
    m = erlang_a_metrics(lam, aht, patience, n, t)
    p_wait, p_abandon, sl = _chain(lam, aht, patience, n, t)
    assert m.p_wait == pytest.approx(p_wait, rel=1e-9, abs=1e-14)
    assert m.p_abandon == pytest.approx(p_abandon, rel=1e-9, abs=1e-14)
    assert m.service_level == pytest.approx(sl, rel=1e-9, abs=1e-14)


def test_erlang_a_with_infinite_patience_is_erlang_c() -> None:
    a = erlang_a_metrics(100 / 1800, 180, np.inf, [11, 14], 20)
    c = erlang_c_metrics(100 / 1800, 180, [11, 14], 20)
    np.testing.assert_allclose(a.service_level, c.service_level, rtol=1e-15)
    np.testing.assert_allclose(a.p_wait, c.p_wait, rtol=1e-15)
    np.testing.assert_allclose(a.asa_seconds, c.asa_seconds, rtol=1e-15)


# --- large systems -----------------------------------------------------------------------


def _decimal_b(n: int, load: float) -> Decimal:
    """1/B by the textbook recursion 1/B(k) = 1 + k/A * 1/B(k-1) in 60-digit decimals."""
    with localcontext() as ctx:
        ctx.prec = 60
        a = Decimal(load)
        inverse = Decimal(1)
        for k in range(1, n + 1):
            inverse = 1 + inverse * k / a
        return 1 / inverse


@pytest.mark.parametrize(
    ("n", "load"),
    [
        (10_000, 9_000.0),
        (10_000, 9_950.5),
        (10_000, 10_000.0),
        (10_000, 11_000.0),
        (10_000, 20_000.0),
        (20_000, 19_500.25),
        (50, 3_000.0),
    ],
)
def test_erlang_b_and_c_stable_for_ten_thousand_agents(n: int, load: float) -> None:
    reference_b = _decimal_b(n, load)
    b = erlang_b(n, load)
    c = erlang_c(n, load)
    assert np.isfinite(b) and 0 <= b <= 1 and np.isfinite(c) and 0 <= c <= 1
    assert float(b) == pytest.approx(float(reference_b), rel=1e-12)
    if load < n:
        with localcontext() as ctx:
            ctx.prec = 60
            rho = Decimal(load) / n
            reference_c = reference_b / (1 - rho * (1 - reference_b))
        assert float(c) == pytest.approx(float(reference_c), rel=1e-12)


def test_staffing_ten_thousand_agents() -> None:
    result = required_agents("c", 10_000 * 1800 / 180, 1800, 180, target_sl=0.8)
    n = int(result.agents)
    assert 10_000 < n < 10_100
    assert erlang_c_metrics(10_000 / 180, 180, n, 20).service_level >= 0.8
    assert erlang_c_metrics(10_000 / 180, 180, n - 1, 20).service_level < 0.8


@pytest.mark.parametrize(("n", "patience"), [(10_050, 300.0), (9_800, 60.0), (12_000, 600.0)])
def test_erlang_a_stable_for_ten_thousand_agents(n: int, patience: float) -> None:
    lam = 10_000 / 180
    m = erlang_a_metrics(lam, 180, patience, n, 20)
    for value in (m.p_wait, m.p_abandon, m.service_level, m.occupancy):
        assert np.isfinite(value) and 0 <= value <= 1
    p_wait, p_abandon, sl = _chain(lam, 180, patience, n, 20)
    assert m.p_wait == pytest.approx(p_wait, rel=1e-8, abs=1e-14)
    assert m.p_abandon == pytest.approx(p_abandon, rel=1e-8, abs=1e-14)
    assert m.service_level == pytest.approx(sl, rel=1e-8, abs=1e-14)


@pytest.mark.parametrize("n", [1, 60, 139, 140, 141, 170])
@pytest.mark.parametrize("load", [1e-3, 0.7, 45.5, 139.9, 150.0, 1e4])
def test_erlang_b_either_side_of_the_recursion_switch(n: int, load: float) -> None:
    # up to RECURSION_MAX servers B comes from the scaled recursion, beyond it from log space
    assert float(erlang_b(n, load)) == pytest.approx(float(_decimal_b(n, load)), rel=1e-12)


def test_erlang_b_recursion_handles_extreme_loads() -> None:
    b = erlang_b([3, 100, 100, 5], [1e-300, 1e-310, 1e300, 1e6])
    assert b[0] == 0.0 and b[1] == 0.0  # underflows cleanly, no NaN
    assert b[2] == pytest.approx(1.0) and b[3] == pytest.approx(1 - 5e-6, rel=1e-9)


def test_erlang_a_occupancy_never_exceeds_one_when_overloaded() -> None:
    # 5.375 Erlangs on one agent: the carried load rounds to just above 1 without the clip
    m = erlang_a_metrics(5.375 / 10, 10.0, 121.0, [1, 2, 3], 0.0)
    assert (np.asarray(m.occupancy) <= 1.0).all()
    assert m.occupancy[0] == pytest.approx(1.0, abs=1e-12)

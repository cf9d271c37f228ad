"""Log-space special functions that stay accurate for tens of thousands of servers.

Everything here works on float arrays and never forms a factorial:

* ``log_poisson_pmf(k, mu)`` = log(mu**k e**-mu / Gamma(k+1)) for real k >= 0, written as
  ``-stirlerr(k) - bd0(k, mu) - log(2 pi k) / 2`` (Loader's saddle-point form), which avoids the
  cancellation between ``k log mu`` and ``lgamma(k+1)`` when both are ~1e5.
* ``log_poisson_cdf(n, mu)`` = log P(Poisson(mu) <= n) = log Q(n+1, mu) (regularised upper
  incomplete gamma), from ``scipy.special.gammaincc`` and, where that underflows (mu >> n), from
  the finite series  P(X <= n) = pmf(n) * sum_{k=0..n} prod_{j<k} (n-j)/mu.
* ``log_erlang_b(n, mu)`` and ``log_queue_sum(x, y)`` combine the two above so that the pmf
  cancels exactly in the series branch.
* ``erlang_b_recursion(n, mu)`` = B(n, mu) by the textbook recursion in its reciprocal form
  1/B(k) = 1 + (k/mu) / B(k-1), all intervals stepping together; for a few dozen servers this is
  several times cheaper than the incomplete gamma function and as accurate (every term is
  positive, so the relative error stays below 3 n eps).
* ``log_gamma_lower(a, z)`` = log P(a, z) (regularised lower incomplete gamma) from
  ``scipy.special.gammainc`` and, where that underflows (z << a), from the series
  P(a, z) = z**a e**-z / Gamma(a+1) * sum_{j>=0} prod_{i=1..j} z/(a+i).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import special

from equipoise.engine.queueing._validate import FloatArray, IntArray

_HALF_LOG_2PI = 0.5 * np.log(2.0 * np.pi)
# Below this the scipy value is replaced by a series, which converges fast there; keeping the
# threshold well above underflow also keeps the error of log_poisson_pmf (~eps * bd0) tiny.
_SMALL = 1e-30
_STIRLING_CUTOFF = 15.0


def _split(mask: np.ndarray, when_true: Callable[..., FloatArray],
           when_false: Callable[..., FloatArray], *args: FloatArray) -> FloatArray:
    """Apply ``when_true`` where ``mask`` holds and ``when_false`` elsewhere (same-shape args).

    When one side is empty the arrays are passed whole, sparing the gathers and scatters.
    """
    if mask.all():
        return when_true(*args)
    if not mask.any():
        return when_false(*args)
    out = np.empty(mask.shape, dtype=np.float64)
    out[mask] = when_true(*(a[mask] for a in args))
    rest = ~mask
    out[rest] = when_false(*(a[rest] for a in args))
    return out


def stirlerr(x: FloatArray) -> FloatArray:
    """Return log Gamma(x+1) - [(x+1/2) log x - x + log(2 pi)/2] for x > 0."""
    x = np.asarray(x, dtype=np.float64)
    return _split(x >= _STIRLING_CUTOFF, _stirlerr_series, _stirlerr_direct, x)


def _stirlerr_series(x: FloatArray) -> FloatArray:
    # Asymptotic series; at x = 15 the first omitted term is below 1e-16.
    inv2 = 1.0 / (x * x)
    return (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 * (
        1.0 / 1680.0 - inv2 / 1188.0)))) / x


def _stirlerr_direct(x: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return special.gammaln(x + 1.0) - (x + 0.5) * np.log(x) + x - _HALF_LOG_2PI


def bd0(k: FloatArray, mu: FloatArray) -> FloatArray:
    """Return k log(k/mu) + mu - k (the Poisson deviance term) without cancellation, k, mu > 0."""
    k, mu = np.broadcast_arrays(np.asarray(k, np.float64), np.asarray(mu, np.float64))
    return _split(np.abs(k - mu) < 0.1 * (k + mu), _bd0_near, _bd0_far, k, mu)


def _bd0_near(k: FloatArray, mu: FloatArray) -> FloatArray:
    v = (k - mu) / (k + mu)
    # k log((1+v)/(1-v)) expanded in odd powers of v; |v| < 0.1 so 8 terms reach 1e-17.
    total = (k - mu) * v
    v2 = v * v
    power = v * v2
    for j in range(1, 9):
        total = total + 2.0 * k * power / (2 * j + 1)
        power = power * v2
    return total


def _bd0_far(k: FloatArray, mu: FloatArray) -> FloatArray:
    return k * (np.log(k) - np.log(mu)) + mu - k


def log_poisson_pmf(k: FloatArray, mu: FloatArray) -> FloatArray:
    """Return log(mu**k exp(-mu) / Gamma(k+1)) for real k >= 0 and mu >= 0."""
    k, mu = np.broadcast_arrays(np.asarray(k, np.float64), np.asarray(mu, np.float64))
    return _split((k > 0) & (mu > 0), _log_poisson_pmf_inner, _log_poisson_pmf_edge, k, mu)


def _log_poisson_pmf_inner(k: FloatArray, mu: FloatArray) -> FloatArray:
    return -stirlerr(k) - bd0(k, mu) - _HALF_LOG_2PI - 0.5 * np.log(k)


def _log_poisson_pmf_edge(k: FloatArray, mu: FloatArray) -> FloatArray:
    """k = 0 (pmf e^-mu) or mu = 0 with k > 0 (pmf 0)."""
    return np.where(k == 0, -mu, -np.inf)


def log_poisson_cdf(n: FloatArray, mu: FloatArray) -> FloatArray:
    """Return log P(Poisson(mu) <= n) for whole n >= 0 and mu >= 0."""
    n, mu = np.broadcast_arrays(np.asarray(n, np.float64), np.asarray(mu, np.float64))
    q = special.gammaincc(n + 1.0, mu)
    out = np.empty(n.shape, dtype=np.float64)
    good = q > _SMALL
    out[good] = np.log(q[good])
    bad = ~good
    if bad.any():
        nb, mb = n[bad], mu[bad]
        out[bad] = log_poisson_pmf(nb, mb) + np.log(_falling_series(nb, mb))
    return out


def log_gamma_lower(a: FloatArray, z: FloatArray) -> FloatArray:
    """Return log P(a, z), the regularised lower incomplete gamma, for a > 0 and z >= 0."""
    a, z = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(z, np.float64))
    out = np.full(a.shape, -np.inf)
    live = z > 0
    out[live] = log_poisson_pmf(a[live], z[live]) + log_queue_sum(a[live], z[live])
    return out


def log_erlang_b(n: FloatArray, mu: FloatArray) -> FloatArray:
    """Return log B(n, mu) = log pmf(n) - log cdf(n) for whole n >= 0 and mu > 0."""
    n, mu = np.broadcast_arrays(np.asarray(n, np.float64), np.asarray(mu, np.float64))
    q = special.gammaincc(n + 1.0, mu)
    good = q > _SMALL
    if good.all():
        return log_poisson_pmf(n, mu) - np.log(q)
    out = np.empty(n.shape, dtype=np.float64)
    out[good] = log_poisson_pmf(n[good], mu[good]) - np.log(q[good])
    bad = ~good
    # pmf(n) cancels: 1/B = sum_{k=0..n} prod_{j<k} (n-j)/mu.
    out[bad] = -np.log(_falling_series(n[bad], mu[bad]))
    return out


#: The recursion below keeps 1/k!, representable for k <= 170.
RECURSION_LIMIT = 170
_INVERSE_FACTORIAL = 1.0 / special.factorial(np.arange(RECURSION_LIMIT + 1), exact=False)
_FACTORIAL = special.factorial(np.arange(RECURSION_LIMIT + 1), exact=False)


def erlang_b_recursion(n: IntArray, mu: FloatArray) -> FloatArray:
    """Return B(n, mu) for whole 0 <= n <= 170 and mu > 0 (1-d arrays) by the recursion.

    With x = 1/mu the reciprocal recursion 1/B(k) = 1 + k x / B(k-1) is scaled by k!:
    u(k) = 1/(k! B(k)) obeys u(k) = x u(k-1) + 1/k!, u(0) = 1 (a multiply and an add per
    step, all terms positive). The intervals are sorted by n, largest first, so that step k
    updates a leading slice (a view, no gathering) holding exactly the intervals with n >= k.
    """
    n = np.asarray(n, dtype=np.int64)
    out = np.ones(n.shape, dtype=np.float64)
    if not n.size:
        return out
    top = int(n.max())
    if top > RECURSION_LIMIT:
        raise ValueError(f"n: expected at most {RECURSION_LIMIT} servers, got {top}")
    # A stable sort on 16-bit keys is a radix sort in numpy: linear time.
    key = (top - n).astype(np.int16)
    order = np.argsort(key, kind="stable")
    with np.errstate(over="ignore"):  # a subnormal load: 1/B is infinite, B = 0
        inverse_load = 1.0 / np.asarray(mu, dtype=np.float64)[order]
    # live[k - 1] = how many intervals have n >= k
    live = np.searchsorted(key[order], top - np.arange(1, top + 1), side="right")
    scaled = np.ones(n.size, dtype=np.float64)
    with np.errstate(over="ignore"):  # u overflows only where B underflows
        for k in range(1, top + 1):
            head = scaled[: live[k - 1]]
            np.multiply(head, inverse_load[: head.size], out=head)
            head += _INVERSE_FACTORIAL[k]
        out[order] = 1.0 / (_FACTORIAL[n[order]] * scaled)
    return out


def log_queue_sum(x: FloatArray, y: FloatArray) -> FloatArray:
    """Return log S(x, y), S = sum_{j>=0} prod_{i=1..j} y/(x+i) = P(x, y) / pmf(x; y), x, y > 0.

    scipy's ``gammainc`` loses up to 6 digits for a > 2e5 some 4-11 standard deviations into
    the lower tail, so there (and wherever y <= x - 4 sqrt(x) for x >= 1e4) S comes from the
    integral S = x int_0^inf exp(-(x - y) v - y (v - 1 + e^-v)) dv by Gauss-Laguerre.
    """
    x, y = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(y, np.float64))
    out = np.empty(x.shape, dtype=np.float64)
    tail = (x >= 1e4) & (y <= x - 4.0 * np.sqrt(x))
    out[tail] = _log_queue_sum_laguerre(x[tail], y[tail])
    rest = ~tail
    xr, yr = x[rest], y[rest]
    p = special.gammainc(xr, yr)
    good = p > _SMALL
    vals = np.empty(xr.shape, dtype=np.float64)
    vals[good] = np.log(p[good]) - log_poisson_pmf(xr[good], yr[good])
    bad = ~good
    if bad.any():
        vals[bad] = np.log(_rising_series(xr[bad], yr[bad]))
    out[rest] = vals
    return out


_LAGUERRE_NODES, _LAGUERRE_WEIGHTS = np.polynomial.laguerre.laggauss(96)


def _log_queue_sum_laguerre(x: FloatArray, y: FloatArray) -> FloatArray:
    """log S for y well below x: substitute v = w / (x - y) and integrate against e^-w."""
    if not x.size:
        return x.copy()
    h = 1.0 / (x - y)
    v = h[:, None] * _LAGUERRE_NODES[None, :]
    # v - 1 + e^-v, by its Taylor series where the closed form would cancel
    small = v < 0.1
    series = v * v * (0.5 - v * (1 / 6 - v * (1 / 24 - v * (1 / 120 - v * (
        1 / 720 - v * (1 / 5040 - v * (1 / 40320 - v / 362880)))))))
    curve = np.where(small, series, v + np.expm1(-np.where(small, 0.0, v)))
    integral = (_LAGUERRE_WEIGHTS[None, :] * np.exp(-y[:, None] * curve)).sum(axis=1)
    return np.log(x * h * integral)


def _falling_series(n: FloatArray, mu: FloatArray) -> FloatArray:
    """Sum_{k=0..n} prod_{j<k} (n-j)/mu; used only where mu >> n so terms shrink fast."""
    total = np.ones_like(n)
    term = np.ones_like(n)
    j = 0.0
    active = np.ones(n.shape, dtype=bool)
    while active.any():
        term = np.where(active, term * np.maximum(n - j, 0.0) / mu, 0.0)
        total = total + term
        active = term > 1e-18 * total
        j += 1.0
    return total


def _rising_series(a: FloatArray, z: FloatArray) -> FloatArray:
    """Sum_{j>=0} prod_{i=1..j} z/(a+i); used only where z << a so terms shrink fast."""
    total = np.ones_like(a)
    term = np.ones_like(a)
    i = 1.0
    active = np.ones(a.shape, dtype=bool)
    while active.any():
        term = np.where(active, term * z / (a + i), 0.0)
        total = total + term
        active = term > 1e-18 * total
        i += 1.0
    return total

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
* ``log_gamma_lower(a, z)`` = log P(a, z) (regularised lower incomplete gamma) from
  ``scipy.special.gammainc`` and, where that underflows (z << a), from the series
  P(a, z) = z**a e**-z / Gamma(a+1) * sum_{j>=0} prod_{i=1..j} z/(a+i).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from equipoise.engine.queueing._validate import FloatArray

_HALF_LOG_2PI = 0.5 * np.log(2.0 * np.pi)
# Below this the scipy value is replaced by a series, which converges fast there; keeping the
# threshold well above underflow also keeps the error of log_poisson_pmf (~eps * bd0) tiny.
_SMALL = 1e-30
_STIRLING_CUTOFF = 15.0


def stirlerr(x: FloatArray) -> FloatArray:
    """Return log Gamma(x+1) - [(x+1/2) log x - x + log(2 pi)/2] for x > 0."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    big = x >= _STIRLING_CUTOFF
    xb = x[big]
    inv2 = 1.0 / (xb * xb)
    # Asymptotic series; at x = 15 the first omitted term is below 1e-16.
    out[big] = (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 * (
        1.0 / 1680.0 - inv2 / 1188.0)))) / xb
    xs = x[~big]
    with np.errstate(divide="ignore", invalid="ignore"):
        out[~big] = special.gammaln(xs + 1.0) - (xs + 0.5) * np.log(xs) + xs - _HALF_LOG_2PI
    return out


def bd0(k: FloatArray, mu: FloatArray) -> FloatArray:
    """Return k log(k/mu) + mu - k (the Poisson deviance term) without cancellation, k, mu > 0."""
    k, mu = np.broadcast_arrays(np.asarray(k, np.float64), np.asarray(mu, np.float64))
    out = np.empty(k.shape, dtype=np.float64)
    near = np.abs(k - mu) < 0.1 * (k + mu)
    kn, mn = k[near], mu[near]
    v = (kn - mn) / (kn + mn)
    # k log((1+v)/(1-v)) expanded in odd powers of v; |v| < 0.1 so 8 terms reach 1e-17.
    total = (kn - mn) * v
    v2 = v * v
    power = v * v2
    for j in range(1, 9):
        total = total + 2.0 * kn * power / (2 * j + 1)
        power = power * v2
    out[near] = total
    kf, mf = k[~near], mu[~near]
    out[~near] = kf * np.log(kf / mf) + mf - kf
    return out


def log_poisson_pmf(k: FloatArray, mu: FloatArray) -> FloatArray:
    """Return log(mu**k exp(-mu) / Gamma(k+1)) for real k >= 0 and mu >= 0."""
    k, mu = np.broadcast_arrays(np.asarray(k, np.float64), np.asarray(mu, np.float64))
    out = np.empty(k.shape, dtype=np.float64)
    k0 = k == 0
    out[k0] = -mu[k0]
    m0 = (mu == 0) & ~k0
    out[m0] = -np.inf
    rest = ~k0 & ~m0
    kr, mr = k[rest], mu[rest]
    out[rest] = -stirlerr(kr) - bd0(kr, mr) - _HALF_LOG_2PI - 0.5 * np.log(kr)
    return out


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
    p = special.gammainc(a, z)
    out = np.empty(a.shape, dtype=np.float64)
    good = p > _SMALL
    out[good] = np.log(p[good])
    zero = z == 0
    out[zero] = -np.inf
    bad = ~good & ~zero
    if bad.any():
        ab, zb = a[bad], z[bad]
        out[bad] = log_poisson_pmf(ab, zb) + np.log(_rising_series(ab, zb))
    return out


def log_erlang_b(n: FloatArray, mu: FloatArray) -> FloatArray:
    """Return log B(n, mu) = log pmf(n) - log cdf(n) for whole n >= 0 and mu > 0."""
    n, mu = np.broadcast_arrays(np.asarray(n, np.float64), np.asarray(mu, np.float64))
    q = special.gammaincc(n + 1.0, mu)
    out = np.empty(n.shape, dtype=np.float64)
    good = q > _SMALL
    out[good] = log_poisson_pmf(n[good], mu[good]) - np.log(q[good])
    bad = ~good
    if bad.any():
        # pmf(n) cancels: 1/B = sum_{k=0..n} prod_{j<k} (n-j)/mu.
        out[bad] = -np.log(_falling_series(n[bad], mu[bad]))
    return out


def log_queue_sum(x: FloatArray, y: FloatArray) -> FloatArray:
    """Return log S(x, y), S = sum_{j>=0} prod_{i=1..j} y/(x+i) = P(x, y) / pmf(x; y), x, y > 0."""
    x, y = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(y, np.float64))
    p = special.gammainc(x, y)
    out = np.empty(x.shape, dtype=np.float64)
    good = p > _SMALL
    out[good] = np.log(p[good]) - log_poisson_pmf(x[good], y[good])
    bad = ~good
    if bad.any():
        out[bad] = np.log(_rising_series(x[bad], y[bad]))
    return out


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

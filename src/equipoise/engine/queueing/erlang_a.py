r"""Erlang A (M/M/N+M: Poisson arrivals, exponential handle and exponential patience).

Notation: arrival rate lambda, service rate mu = 1/AHT, abandonment rate theta = 1/patience,
load A = lambda/mu, and the dimensionless x = N mu / theta, y = lambda / theta.

Stationary distribution (exact birth-death chain). Births at rate lambda; deaths at
min(k, N) mu + max(k - N, 0) theta. Relative to pi_N:

    sum_{k<N}  pi_k / pi_N = 1/B(N, A) - 1                          (B = Erlang B)
    sum_{j>=0} pi_{N+j} / pi_N = S = sum_j prod_{i=1..j} y/(x+i)
                             = Gamma(x+1) e^y y^-x P(x, y)           (P = regularised lower
                                                                       incomplete gamma)
so P(wait) = P(K >= N) = S B / (1 - B + S B).  S is evaluated in log space (``log_queue_sum``).

Abandonment. Balancing the cuts between N+j-1 and N+j (j >= 1) and summing gives
theta E[Q] = P(wait)(lambda - N mu) + N mu pi_N with pi_N = P(wait)/S, hence

    P(abandon) = theta E[Q] / lambda = P(wait) [1 - (N/A)(1 - 1/S)].

Mean wait (``asa_seconds``) over all arrivals, by Little's law: E[W] = E[Q]/lambda
= P(abandon) x patience.

Service level = share of all arrivals answered within T. An arrival that finds j callers
queued reaches an agent after V_j = sum_{i=0..j} Exp(N mu + i theta); in the variable
u = 1 - exp(-theta V_j) this is a Beta(j+1, x) law. The caller is answered if V_j beats an
independent Exp(theta) patience, i.e. with weight e^{-theta V} = 1 - u. Summing the Beta
densities against the stationary weights y^j / ((x+1)...(x+j)) gives the closed form

    P(answered within T | wait) = (x/y) [P(x+1, y) - P(x+1, y e^{-theta T})] / P(x, y),
    SL(T) = 1 - P(wait) + P(wait) P(answered within T | wait).

(As T -> inf the bracket is P(x+1, y) and 1 - (x/y) P(x+1, y)/P(x, y) equals the abandonment
formula above, a check on the derivation.) With infinite patience the model is Erlang C.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from equipoise.engine.queueing._special import log_erlang_b, log_gamma_lower, log_queue_sum
from equipoise.engine.queueing._validate import (
    FloatArray,
    IntArray,
    as_count,
    as_float,
    broadcast,
    scalar_or_array,
)
from equipoise.engine.queueing.erlang_c import metrics_from_arrays as erlang_c_arrays
from equipoise.engine.queueing.results import QueueMetrics


def erlang_a_metrics(arrival_rate_per_s: ArrayLike, aht_s: ArrayLike, patience_s: ArrayLike,
                     agents: ArrayLike, target_seconds: ArrayLike = 20.0) -> QueueMetrics:
    """Return Erlang A service level, P(wait), mean wait, P(abandon) and occupancy."""
    lam = as_float("arrival_rate_per_s", arrival_rate_per_s)
    aht = as_float("aht_s", aht_s, positive=True)
    patience = as_float("patience_s", patience_s, positive=True, allow_inf=True)
    n = as_count("agents", agents)
    t = as_float("target_seconds", target_seconds)
    shape, arrs = broadcast(arrival_rate_per_s=lam, aht_s=aht, patience_s=patience, agents=n,
                            target_seconds=t)
    flat = {k: v.ravel() for k, v in arrs.items()}
    values = _metrics_flat(flat["arrival_rate_per_s"], flat["aht_s"], flat["patience_s"],
                           flat["agents"], flat["target_seconds"])
    return QueueMetrics(model="a", **{k: scalar_or_array(v.reshape(shape))
                                      for k, v in values.items()})


def metrics_from_arrays(load: FloatArray, aht: FloatArray, patience: FloatArray, n: IntArray,
                        target: FloatArray) -> QueueMetrics:
    """Erlang A metrics on validated, broadcast 1-d arrays."""
    values = _metrics_flat(load / aht, aht, patience, n, target)
    return QueueMetrics(model="a", **values)


def _metrics_flat(lam: FloatArray, aht: FloatArray, patience: FloatArray, n: IntArray,
                  target: FloatArray) -> dict[str, np.ndarray]:
    load = lam * aht
    size = load.shape
    pw = np.zeros(size)
    sl = np.ones(size)
    pab = np.zeros(size)
    asa = np.zeros(size)
    occ = np.zeros(size)

    # Nobody to answer: every caller waits until abandoning.
    empty = (n == 0) & (load > 0)
    pw[empty], sl[empty], pab[empty], asa[empty] = 1.0, 0.0, 1.0, patience[empty]

    patient = np.isinf(patience) & (n > 0) & (load > 0)
    if patient.any():
        c = erlang_c_arrays(load[patient], aht[patient], n[patient],
                                         target[patient])
        pw[patient], sl[patient] = c.p_wait, c.service_level
        asa[patient], occ[patient] = c.asa_seconds, c.occupancy

    main = ~np.isinf(patience) & (n > 0) & (load > 0)
    if main.any():
        pw[main], sl[main], pab[main] = _core(load[main], aht[main], patience[main],
                                              n[main], target[main])
        asa[main] = pab[main] * patience[main]
        # carried load cannot exceed the agents; the clip removes rounding when overloaded
        occ[main] = np.minimum(load[main] * (1.0 - pab[main]) / n[main], 1.0)
    return {"agents": n, "load_erlangs": load, "service_level": sl, "p_wait": pw,
            "asa_seconds": asa, "p_abandon": pab, "occupancy": occ, "target_seconds": target}


def _core(load: FloatArray, aht: FloatArray, patience: FloatArray, n: IntArray,
          target: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    n_f = n.astype(np.float64)
    x = n_f * patience / aht
    y = load * patience / aht
    log_b = log_erlang_b(n_f, load)
    log_s = log_queue_sum(x, y)
    # log-odds of not waiting: log[sum_{k<N} pi_k / sum_{k>=N} pi_k] = log[(1/B - 1) / S]
    log_odds = np.log1p(-np.exp(log_b)) - log_s - log_b
    p_wait = special.expit(-log_odds)
    abandon_given_wait = np.clip(1.0 - n_f * -np.expm1(-log_s) / load, 0.0, 1.0)
    z = y * np.exp(-target / patience)
    answered = _answered_within(x, y, z)
    sl = np.clip(special.expit(log_odds) + p_wait * answered, 0.0, 1.0)
    return p_wait, sl, p_wait * abandon_given_wait


def _answered_within(x: FloatArray, y: FloatArray, z: FloatArray) -> FloatArray:
    """(x/y) [P(x+1, y) - P(x+1, z)] / P(x, y), with z <= y, free of cancellation."""
    out = np.empty_like(x)
    upper = z >= x + 1.0
    # Both incomplete gammas near 1: subtract the upper tails instead; P(x, y) >= 1/2 here.
    xu, yu, zu = x[upper], y[upper], z[upper]
    out[upper] = (xu / yu) * (special.gammaincc(xu + 1.0, zu) - special.gammaincc(xu + 1.0, yu)) \
        / special.gammainc(xu, yu)
    lower = ~upper
    xl, yl, zl = x[lower], y[lower], z[lower]
    log_p = log_gamma_lower(xl, yl)
    diff = (np.exp(log_gamma_lower(xl + 1.0, yl) - log_p)
            - np.exp(log_gamma_lower(xl + 1.0, zl) - log_p))
    out[lower] = xl * diff / yl  # this order cannot overflow when y is tiny
    return np.clip(out, 0.0, 1.0)

"""Erlang C (M/M/N, infinitely patient callers, FCFS).

With offered load A = lambda x AHT and N agents (stable only when A < N):

    C(N, A)   = N B / (N - A (1 - B))          probability of waiting, B = Erlang B(N, A)
    SL(T)     = 1 - C exp(-(N - A) T / AHT)    share answered within T seconds
    ASA       = C AHT / (N - A)                mean wait over all callers
    occupancy = A / N

With no load nobody waits (SL = 1). When A >= N > 0 the queue grows without bound:
C = 1, SL = 0, ASA = inf, occupancy = 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from equipoise.engine.queueing._validate import (
    FloatArray,
    IntArray,
    as_count,
    as_float,
    broadcast,
    scalar_or_array,
)
from equipoise.engine.queueing.erlang_b import blocking
from equipoise.engine.queueing.results import QueueMetrics


def erlang_c(servers: ArrayLike, load: ArrayLike) -> Any:
    """Return the Erlang C probability of waiting for ``servers`` and offered ``load`` (Erlangs)."""
    n = as_count("servers", servers)
    a = as_float("load", load)
    _, arrs = broadcast(servers=n, load=a)
    return scalar_or_array(wait_probability(arrs["servers"], arrs["load"]))


def wait_probability(n: IntArray, a: FloatArray, b: FloatArray | None = None) -> FloatArray:
    """Erlang C on validated, broadcast arrays (1 when unstable, 0 without load).

    ``b`` may carry the Erlang B values B(n, a) when the caller already has them.
    """
    n_f = n.astype(np.float64)
    b = blocking(n, a) if b is None else b
    stable = a < n_f
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(stable, n_f * b / (n_f - a * (1.0 - b)), 1.0)
    c = np.where(a == 0, 0.0, c)
    return np.clip(c, 0.0, 1.0)


def erlang_c_metrics(arrival_rate_per_s: ArrayLike, aht_s: ArrayLike, agents: ArrayLike,
                     target_seconds: ArrayLike = 20.0) -> QueueMetrics:
    """Return Erlang C service level, P(wait), ASA and occupancy (arrays broadcast together)."""
    lam = as_float("arrival_rate_per_s", arrival_rate_per_s)
    aht = as_float("aht_s", aht_s, positive=True)
    n = as_count("agents", agents)
    t = as_float("target_seconds", target_seconds)
    _, arrs = broadcast(arrival_rate_per_s=lam, aht_s=aht, agents=n, target_seconds=t)
    return metrics_from_arrays(arrs["arrival_rate_per_s"] * arrs["aht_s"], arrs["aht_s"],
                               arrs["agents"], arrs["target_seconds"])


def metrics_from_arrays(load: FloatArray, aht: FloatArray, n: IntArray, target: FloatArray,
                        b: FloatArray | None = None) -> QueueMetrics:
    """Erlang C metrics on validated, broadcast arrays (``b``: known Erlang B values)."""
    n_f = n.astype(np.float64)
    c = wait_probability(n, load, b)
    stable = (load < n_f) | (load == 0)
    gap = np.where(load < n_f, n_f - load, 1.0)
    sl = np.where(stable, 1.0 - c * np.exp(-gap * target / aht), 0.0)
    asa = np.where(stable, c * aht / gap, np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        occupancy = np.where(stable, load / np.where(n > 0, n_f, 1.0), 1.0)
    occupancy = np.where(n == 0, 0.0, occupancy)
    return QueueMetrics(
        model="c", agents=scalar_or_array(n), load_erlangs=scalar_or_array(load),
        service_level=scalar_or_array(np.clip(sl, 0.0, 1.0)), p_wait=scalar_or_array(c),
        asa_seconds=scalar_or_array(asa), p_abandon=scalar_or_array(np.zeros_like(c)),
        occupancy=scalar_or_array(occupancy), target_seconds=scalar_or_array(target),
    )

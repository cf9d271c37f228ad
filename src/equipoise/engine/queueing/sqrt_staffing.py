r"""Square-root staffing N = A + beta sqrt(A) in the quality-and-efficiency-driven regime.

Halfin-Whitt (Erlang C, many servers): with N = A + beta sqrt(A), beta > 0,

    P(wait) -> [1 + beta Phi(beta) / phi(beta)]^-1.

Garnett-Mandelbaum-Reiman (Erlang A): with r = theta/mu = AHT/patience and beta of any sign,
the diffusion limit of the birth-death chain is a piecewise Ornstein-Uhlenbeck process whose
stationary density gives

    P(wait)              ~ [1 + sqrt(r) h(beta / sqrt(r)) / h(-beta)]^-1,
    P(abandon | wait)    ~ sqrt(r) [h(beta/sqrt(r)) - beta/sqrt(r)] / sqrt(N),

where h(x) = phi(x) / (1 - Phi(x)) is the standard normal hazard rate. As r -> 0 the first
formula tends to Halfin-Whitt. These are estimates: the staffing solver starts from them and
then searches the exact models.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from equipoise.engine.queueing._validate import FloatArray, as_float, scalar_or_array

_SQRT_2_OVER_PI = np.sqrt(2.0 / np.pi)
_BETA_MAX = 12.0


def normal_hazard(x: ArrayLike) -> Any:
    """Return phi(x) / (1 - Phi(x)) without overflow (via the scaled erfc)."""
    x = np.asarray(x, dtype=np.float64)
    return scalar_or_array(_SQRT_2_OVER_PI / special.erfcx(x / np.sqrt(2.0)))


def halfin_whitt_p_wait(beta: ArrayLike) -> Any:
    """Return the Halfin-Whitt probability of waiting for a staffing margin ``beta``."""
    b = np.asarray(beta, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        # beta Phi(beta)/phi(beta) = beta / h(-beta)
        out = np.where(b > 0, 1.0 / (1.0 + b / normal_hazard(-np.maximum(b, 0.0))), 1.0)
    return scalar_or_array(out)


def garnett_p_wait(beta: ArrayLike, aht_over_patience: ArrayLike) -> Any:
    """Return the Garnett-Mandelbaum-Reiman probability of waiting (Erlang A)."""
    b = np.asarray(beta, dtype=np.float64)
    r = as_float("aht_over_patience", aht_over_patience, positive=True)
    root = np.sqrt(r)
    out = 1.0 / (1.0 + root * normal_hazard(b / root) / normal_hazard(-b))
    return scalar_or_array(out)


def garnett_p_abandon(beta: ArrayLike, aht_over_patience: ArrayLike, agents: ArrayLike) -> Any:
    """Return the Garnett-Mandelbaum-Reiman probability of abandoning (Erlang A)."""
    b = np.asarray(beta, dtype=np.float64)
    r = as_float("aht_over_patience", aht_over_patience, positive=True)
    n = as_float("agents", agents, positive=True)
    root = np.sqrt(r)
    hat = b / root
    given_wait = root * (normal_hazard(hat) - hat) / np.sqrt(n)
    return scalar_or_array(np.asarray(garnett_p_wait(b, r)) * given_wait)


def halfin_whitt_beta(p_wait: ArrayLike) -> Any:
    """Return beta > 0 with Halfin-Whitt P(wait) = ``p_wait`` (in (0, 1))."""
    p = _open_unit("p_wait", p_wait)
    return scalar_or_array(_bisect_decreasing(lambda b: halfin_whitt_p_wait(b), p, 0.0))


def garnett_beta(p_wait: ArrayLike, aht_over_patience: ArrayLike) -> Any:
    """Return beta with Garnett-Mandelbaum-Reiman P(wait) = ``p_wait`` (in (0, 1))."""
    p = _open_unit("p_wait", p_wait)
    r = as_float("aht_over_patience", aht_over_patience, positive=True)
    p, r = np.broadcast_arrays(p, r)
    return scalar_or_array(_bisect_decreasing(lambda b: garnett_p_wait(b, r), p, -_BETA_MAX))


def square_root_staffing(load: ArrayLike, beta: ArrayLike) -> Any:
    """Return ceil(A + beta sqrt(A)) agents (at least 1 when there is load, else 0)."""
    a = as_float("load", load)
    b = np.asarray(beta, dtype=np.float64)
    n = np.ceil(a + b * np.sqrt(a))
    n = np.where(a > 0, np.maximum(n, 1.0), 0.0)
    return scalar_or_array(n.astype(np.int64))


def halfin_whitt_beta_for_service_level(target_sl: float, load: FloatArray,
                                        target_over_aht: FloatArray) -> FloatArray:
    """Beta with 1 - P_HW(beta) exp(-beta sqrt(A) T/AHT) = target_sl (Erlang C estimate).

    beta depends on the data only through c = sqrt(A) T / AHT, so it is solved exactly on a
    log-spaced grid of c and interpolated linearly in log c (the grid step is known, so no
    search is needed; the solver only needs a starting point).
    """
    a, t = np.broadcast_arrays(np.asarray(load, np.float64), np.asarray(target_over_aht))
    table = _service_level_table(float(target_sl))
    with np.errstate(divide="ignore"):  # c = 0 maps to the first grid point
        position = (0.5 * np.log10(a) + np.log10(t) - _GRID_LOG10_MIN) * _GRID_PER_DECADE + 1.0
    np.clip(position, 0.0, _GRID.size - 1.0, out=position)
    below = np.minimum(position.astype(np.int64), _GRID.size - 2)
    weight = position - below
    return table[below] * (1.0 - weight) + table[below + 1] * weight


_GRID_LOG10_MIN, _GRID_PER_DECADE = -6.0, 24.0
_GRID = np.concatenate([[0.0], np.logspace(_GRID_LOG10_MIN, 4.0, 241)])


@lru_cache(maxsize=64)
def _service_level_table(target_sl: float) -> FloatArray:
    """beta solving the Halfin-Whitt service level on the grid of c (cached per target)."""
    miss = np.full(_GRID.shape, 1.0 - target_sl)

    def missed(b: FloatArray) -> FloatArray:
        return np.asarray(halfin_whitt_p_wait(b)) * np.exp(-b * _GRID)

    table = _bisect_decreasing(missed, miss, 0.0, iterations=40)
    table.setflags(write=False)
    return table


def _bisect_decreasing(func: Any, target: FloatArray, low: float,
                       iterations: int = 60) -> FloatArray:
    """Vectorised bisection for func(beta) = target with func decreasing in beta."""
    target = np.asarray(target, dtype=np.float64)
    lo = np.full(target.shape, low)
    hi = np.full(target.shape, _BETA_MAX)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        above = np.asarray(func(mid)) > target
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return 0.5 * (lo + hi)


def _open_unit(name: str, value: ArrayLike) -> FloatArray:
    arr = as_float(name, value)
    if ((arr <= 0) | (arr >= 1)).any():
        raise ValueError(f"{name}: expected values in (0, 1)")
    return arr

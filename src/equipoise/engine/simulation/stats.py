"""Student-t quantiles and confidence intervals over replications (numpy only)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def _t_central_mass(theta: float, df: int) -> float:
    """P(|T| <= sqrt(df)·tan(theta)) for Student's t with integer ``df`` (A&S 26.7.3-4)."""
    c2 = math.cos(theta) ** 2
    s = math.sin(theta)
    if df % 2 == 1:
        if df == 1:
            return 2.0 * theta / math.pi
        j = np.arange(1, (df - 3) // 2 + 1, dtype=np.float64)
        terms = np.cumprod((2.0 * j) / (2.0 * j + 1.0) * c2)
        return 2.0 / math.pi * (theta + s * math.cos(theta) * (1.0 + float(terms.sum())))
    j = np.arange(1, (df - 2) // 2 + 1, dtype=np.float64)
    terms = np.cumprod((2.0 * j - 1.0) / (2.0 * j) * c2)
    return s * (1.0 + float(terms.sum()))


def t_quantile(level: float, df: int) -> float:
    """Two-sided critical value t* with P(|T| <= t*) = ``level`` for ``df`` degrees of freedom."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    if int(df) != df or df < 1:
        raise ValueError(f"df must be an integer >= 1, got {df!r}")
    lo, hi = 0.0, math.pi / 2
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _t_central_mass(mid, int(df)) < level:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-15:
            break
    return math.sqrt(df) * math.tan(0.5 * (lo + hi))


@dataclass(frozen=True)
class Estimate:
    """Mean over replications with a t-based confidence interval (NaN runs are left out)."""

    mean: float
    half_width: float
    level: float
    n: int
    std: float

    @property
    def low(self) -> float:
        """Lower end of the confidence interval."""
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        """Upper end of the confidence interval."""
        return self.mean + self.half_width

    def contains(self, value: float, widen: float = 1.0) -> bool:
        """True when ``value`` lies inside the interval (its half-width scaled by ``widen``)."""
        return abs(value - self.mean) <= self.half_width * widen

    def as_dict(self) -> dict[str, float | int]:
        """Plain numbers for JSON output."""
        return {
            "mean": self.mean, "low": self.low, "high": self.high,
            "half_width": self.half_width, "level": self.level, "n": self.n, "std": self.std,
        }


def confidence_interval(values: Sequence[float] | np.ndarray, level: float = 0.95) -> Estimate:
    """Mean and t confidence interval of independent replication values."""
    x = np.asarray(values, dtype=np.float64).ravel()
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return Estimate(math.nan, math.nan, level, 0, math.nan)
    mean = float(x.mean())
    if n == 1:
        return Estimate(mean, math.inf, level, 1, math.nan)
    std = float(x.std(ddof=1))
    return Estimate(mean, t_quantile(level, n - 1) * std / math.sqrt(n), level, n, std)

"""Customer patience (time willing to wait before abandoning) estimated from queue data.

With exponential patience of rate theta (mean patience 1/theta), a customer who waits W abandons
with hazard theta while waiting, so P(Ab) = theta * E[W] where E[W] is the mean wait of *all*
customers (served and abandoned). Two estimators follow:

* :func:`patience_from_abandonment` — from per-interval aggregates (offered, abandoned, total
  wait). ``theta_regression``: weighted least squares of P(Ab)_i on E[W]_i through the origin,
  weights = offered_i (the variance of an interval's abandonment share falls like 1/n_i).
  ``theta_ratio``: the ratio of totals, sum abandoned / sum wait. The regression needs many
  contacts per interval: an interval's squared total wait includes each customer's own squared
  wait, so with n contacts and exponential offered waits its expectation is theta * n / (n + 1)
  (theta / 2 with one contact per interval). Pool intervals (e.g.
  the same slot of the week over several weeks) so that n is at least about 30.
* :func:`patience_censored` — from individual waits. An abandoned customer's wait is an observed
  patience; a served customer's wait is a right-censored patience (they would have waited longer).
  The exponential MLE is theta = #abandoned / sum of everyone's waits — the same number as the
  ratio of totals above — and the Kaplan-Meier curve estimates the patience survival function
  without assuming a shape (check the exponential assumption against it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

_Z95 = 1.959963984540054


def _theta_to_mean(theta: float) -> float:
    return math.inf if theta == 0 else 1.0 / theta


@dataclass(frozen=True)
class AbandonmentPatience:
    """Patience rate from P(Ab) = theta * E[W] over intervals (rates per second)."""

    theta_regression: float
    theta_ratio: float
    n_intervals: int
    offered: int
    abandoned: int
    total_wait_seconds: float

    @property
    def mean_patience_regression(self) -> float:
        """Mean patience in seconds implied by the regression estimate."""
        return _theta_to_mean(self.theta_regression)

    @property
    def mean_patience_ratio(self) -> float:
        """Mean patience in seconds implied by the ratio of totals."""
        return _theta_to_mean(self.theta_ratio)


def _vector(values: Any, name: str, size: int | None = None) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a one-dimensional sequence, got shape {arr.shape}")
    if size is not None and arr.size != size:
        raise ValueError(f"{name}: expected {size} values, got {arr.size}")
    bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
    if bad.size:
        raise ValueError(f"{name}: expected finite non-negative numbers, "
                         f"position {int(bad[0])} is {arr[bad[0]]!r}")
    return arr


def patience_from_abandonment(
    offered: Any, abandoned: Any, total_wait_seconds: Any
) -> AbandonmentPatience:
    """Estimate theta from per-interval offered, abandoned and summed wait of all customers."""
    n = _vector(offered, "offered")
    a = _vector(abandoned, "abandoned", n.size)
    w = _vector(total_wait_seconds, "total_wait_seconds", n.size)
    if np.any(a > n):
        i = int(np.flatnonzero(a > n)[0])
        raise ValueError(
            f"abandoned: expected at most offered, interval {i} has {a[i]:g} > {n[i]:g}")
    keep = n > 0
    n, a, w = n[keep], a[keep], w[keep]
    if w.sum() <= 0:
        raise ValueError(
            "total_wait_seconds: no waiting time observed, patience cannot be estimated")
    # Regression of p_i = a_i/n_i on m_i = w_i/n_i with weights n_i, through the origin:
    # theta = sum n p m / sum n m^2 = sum (a w / n) / sum (w^2 / n).
    theta_reg = float(np.sum(a * w / n) / np.sum(w * w / n))
    return AbandonmentPatience(
        theta_regression=theta_reg,
        theta_ratio=float(a.sum() / w.sum()),
        n_intervals=int(n.size),
        offered=int(round(n.sum())),
        abandoned=int(round(a.sum())),
        total_wait_seconds=float(w.sum()),
    )


@dataclass(frozen=True, eq=False)
class KaplanMeier:
    """Product-limit estimate of the patience survival function S(t) = P(patience > t)."""

    #: Distinct observed abandonment times (seconds), ascending.
    times: np.ndarray
    survival: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    #: Greenwood standard error of the survival at each time.
    std_error: np.ndarray

    def survival_at(self, t: Any) -> np.ndarray:
        """S(t): the estimate just after time ``t`` (right-continuous step function)."""
        idx = np.searchsorted(self.times, np.asarray(t, dtype=float), side="right")
        padded = np.concatenate([[1.0], self.survival])
        return padded[idx]

    @property
    def median(self) -> float | None:
        """Median patience: the first time S(t) <= 0.5 (None when the curve stays above)."""
        hit = np.flatnonzero(self.survival <= 0.5)
        return float(self.times[hit[0]]) if hit.size else None


def kaplan_meier(durations: Any, observed: Any) -> KaplanMeier:
    """Kaplan-Meier curve; ``observed`` marks events, the others are right-censored."""
    t = _vector(durations, "durations")
    e = np.asarray(observed)
    if e.shape != t.shape:
        raise ValueError(f"observed: expected {t.size} flags, got shape {e.shape}")
    e = e.astype(bool)
    times = np.unique(t[e])
    sorted_t = np.sort(t)
    # Customers still waiting at time s: wait >= s (censored at s count as at risk at s).
    at_risk = (t.size - np.searchsorted(sorted_t, times, side="left")).astype(float)
    events = np.searchsorted(np.sort(t[e]), times, side="right") - np.searchsorted(
        np.sort(t[e]), times, side="left")
    events = events.astype(float)
    survival = np.cumprod(1.0 - events / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(at_risk > events, events / (at_risk * (at_risk - events)), np.inf)
        greenwood = survival * np.sqrt(np.cumsum(terms))
    greenwood = np.where(survival == 0, 0.0, greenwood)
    return KaplanMeier(times=times, survival=survival, at_risk=at_risk, events=events,
                       std_error=greenwood)


@dataclass(frozen=True)
class CensoredPatience:
    """Exponential patience MLE from censored waits, with its Kaplan-Meier curve."""

    theta: float
    #: Fisher standard error of theta (theta / sqrt(#abandoned)).
    standard_error: float
    n: int
    n_abandoned: int
    total_wait_seconds: float
    km: KaplanMeier

    @property
    def mean_patience_seconds(self) -> float:
        """Mean patience 1/theta in seconds."""
        return _theta_to_mean(self.theta)

    def mean_patience_interval(self) -> tuple[float, float]:
        """95% interval for the mean patience (Wald interval for log theta)."""
        if self.n_abandoned == 0:
            # No abandonment: abandonments ~ Poisson(theta * total wait), so theta <= -ln(0.025)/T.
            return (self.total_wait_seconds / -math.log(0.025), math.inf)
        half = _Z95 / math.sqrt(self.n_abandoned)
        return (1.0 / (self.theta * math.exp(half)), 1.0 / (self.theta * math.exp(-half)))


def patience_censored(wait_seconds: Any, abandoned: Any) -> CensoredPatience:
    """Exponential MLE theta = #abandoned / sum of all waits, plus the Kaplan-Meier curve."""
    w = _vector(wait_seconds, "wait_seconds")
    flags = np.asarray(abandoned)
    if flags.shape != w.shape:
        raise ValueError(f"abandoned: expected {w.size} flags, got shape {flags.shape}")
    if w.size == 0:
        raise ValueError("wait_seconds: expected at least one wait")
    flags = flags.astype(bool)
    total = float(w.sum())
    if total <= 0:
        raise ValueError("wait_seconds: no waiting time observed, patience cannot be estimated")
    d = int(flags.sum())
    theta = d / total
    return CensoredPatience(
        theta=theta,
        standard_error=theta / math.sqrt(d) if d else 0.0,
        n=int(w.size),
        n_abandoned=d,
        total_wait_seconds=total,
        km=kaplan_meier(w, flags),
    )

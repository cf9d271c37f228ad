"""Service-time distributions fitted by maximum likelihood, with goodness of fit.

Candidates: lognormal (the usual shape of call-centre handle times), exponential (the M/M/N
assumption) and gamma. Each is fitted by MLE and scored by AIC = 2k - 2 log L and by the
Kolmogorov-Smirnov distance between the empirical and fitted CDFs. The best fit is the lowest
AIC. The KS p-value treats the fitted parameters as known, so it is optimistic (too high) — read
it as a distance on a familiar scale, not an exact test (Lilliefors' correction would lower it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, special, stats

DISTRIBUTIONS = ("lognormal", "exponential", "gamma")


@dataclass(frozen=True)
class DistributionFit:
    """One fitted distribution with its likelihood and goodness of fit."""

    name: str
    #: lognormal: mu, sigma (of log x); exponential: scale (= mean); gamma: shape, scale.
    params: dict[str, float]
    mean: float
    std: float
    log_likelihood: float
    aic: float
    ks_statistic: float
    ks_pvalue: float

    def cdf(self, x: Any) -> np.ndarray:
        """Cumulative distribution function of the fitted law."""
        return _frozen(self.name, self.params).cdf(np.asarray(x, dtype=float))

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` values with the explicit generator ``rng``."""
        p = self.params
        if self.name == "lognormal":
            return rng.lognormal(p["mu"], p["sigma"], size)
        if self.name == "exponential":
            return rng.exponential(p["scale"], size)
        return rng.gamma(p["shape"], p["scale"], size)


@dataclass(frozen=True)
class ServiceTimeFit:
    """All candidate fits, best (lowest AIC) first, with the sample summary."""

    n: int
    sample_mean: float
    sample_std: float
    candidates: tuple[DistributionFit, ...]

    @property
    def best(self) -> DistributionFit:
        """The candidate with the lowest AIC."""
        return self.candidates[0]

    def get(self, name: str) -> DistributionFit:
        """The candidate called ``name``."""
        for fit in self.candidates:
            if fit.name == name:
                return fit
        raise KeyError(name)


def _frozen(name: str, params: dict[str, float]):
    if name == "lognormal":
        return stats.lognorm(s=params["sigma"], scale=math.exp(params["mu"]))
    if name == "exponential":
        return stats.expon(scale=params["scale"])
    if name == "gamma":
        return stats.gamma(a=params["shape"], scale=params["scale"])
    raise ValueError(f"distribution: expected one of {', '.join(DISTRIBUTIONS)}, got {name!r}")


def check_positive_sample(values: Any, name: str = "durations", minimum: int = 2) -> np.ndarray:
    """Validate a one-dimensional sample of finite, strictly positive numbers."""
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"{name}: expected a one-dimensional sequence, got shape {x.shape}")
    if x.size < minimum:
        raise ValueError(f"{name}: expected at least {minimum} values, got {x.size}")
    bad = np.flatnonzero(~np.isfinite(x) | (x <= 0))
    if bad.size:
        raise ValueError(
            f"{name}: expected finite positive numbers, position {int(bad[0])} is {x[bad[0]]!r}")
    return x


def lognormal_mle(x: np.ndarray) -> dict[str, float]:
    """Lognormal MLE: mean and (1/n) standard deviation of log x."""
    logs = np.log(x)
    mu = float(logs.mean())
    return {"mu": mu, "sigma": float(np.sqrt(np.mean((logs - mu) ** 2)))}


def exponential_mle(x: np.ndarray) -> dict[str, float]:
    """Exponential MLE: scale = sample mean."""
    return {"scale": float(x.mean())}


def gamma_mle(x: np.ndarray) -> dict[str, float]:
    """Gamma MLE: shape solves log k - digamma(k) = log mean(x) - mean(log x); scale = mean / k."""
    mean = float(x.mean())
    s = math.log(mean) - float(np.log(x).mean())
    if s <= 0:  # all values equal: the gamma degenerates to a point mass
        raise ValueError("durations: all values are equal; a gamma fit needs some spread")
    guess = (3 - s + math.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s)  # Minka's starting point
    lo, hi = guess / 4, guess * 4
    def g(k: float) -> float:
        return math.log(k) - float(special.digamma(k)) - s
    while g(lo) < 0:
        lo /= 4
    while g(hi) > 0:
        hi *= 4
    shape = optimize.brentq(g, lo, hi, xtol=1e-14, rtol=1e-14)
    return {"shape": float(shape), "scale": mean / shape}


_FITTERS = {"lognormal": lognormal_mle, "exponential": exponential_mle, "gamma": gamma_mle}


def _fit_one(name: str, x: np.ndarray) -> DistributionFit:
    params = _FITTERS[name](x)
    law = _frozen(name, params)
    loglik = float(np.sum(law.logpdf(x)))
    ks = stats.kstest(x, law.cdf)
    return DistributionFit(
        name=name,
        params=params,
        mean=float(law.mean()),
        std=float(law.std()),
        log_likelihood=loglik,
        aic=2 * len(params) - 2 * loglik,
        ks_statistic=float(ks.statistic),
        ks_pvalue=float(ks.pvalue),
    )


def fit_service_times(
    durations: Any, distributions: tuple[str, ...] = DISTRIBUTIONS
) -> ServiceTimeFit:
    """Fit each candidate distribution to positive durations; best (lowest AIC) first."""
    x = check_positive_sample(durations)
    if np.all(x == x[0]):
        raise ValueError("durations: all values are equal; a distribution fit needs some spread")
    unknown = [d for d in distributions if d not in _FITTERS]
    if unknown or not distributions:
        raise ValueError(
            f"distributions: expected a non-empty subset of {DISTRIBUTIONS}, got {distributions!r}")
    fits = [_fit_one(name, x) for name in dict.fromkeys(distributions)]
    fits.sort(key=lambda f: f.aic)
    return ServiceTimeFit(
        n=int(x.size),
        sample_mean=float(x.mean()),
        sample_std=float(x.std(ddof=1)),
        candidates=tuple(fits),
    )

"""Logistic regression by iteratively reweighted least squares (Newton-Raphson).

Standard errors come from the inverse of the observed Fisher information
``X' W X`` with ``W = diag(w_i p_i (1 - p_i))`` at the maximum-likelihood estimate; confidence
intervals are Wald intervals ``coef +- z * se``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats
from scipy.special import expit

__all__ = ["LogisticFit", "fit_logistic"]


@dataclass(frozen=True, eq=False)
class LogisticFit:
    """A fitted logistic regression: coefficients, standard errors and diagnostics."""

    names: tuple[str, ...]
    coef: np.ndarray
    std_err: np.ndarray
    covariance: np.ndarray
    log_likelihood: float
    n_obs: float
    n_events: float
    iterations: int
    converged: bool
    #: Why the fit is not trustworthy ("" when it is): non-convergence or quasi-separation.
    warning: str = field(default="")

    @property
    def z(self) -> np.ndarray:
        """Wald z statistics, coef / se."""
        return self.coef / self.std_err

    @property
    def p_values(self) -> np.ndarray:
        """Two-sided Wald p-values."""
        return 2.0 * stats.norm.sf(np.abs(self.z))

    def conf_int(self, level: float = 0.95) -> np.ndarray:
        """Wald confidence intervals, an array of shape (k, 2)."""
        if not 0.0 < level < 1.0:
            raise ValueError(f"level: expected a probability in (0, 1), got {level!r}")
        q = stats.norm.ppf(0.5 + level / 2.0)
        return np.column_stack([self.coef - q * self.std_err, self.coef + q * self.std_err])

    def coefficient(self, name: str) -> float:
        """The coefficient called ``name``."""
        try:
            return float(self.coef[self.names.index(name)])
        except ValueError:
            raise KeyError(f"no coefficient named {name!r}; have {self.names}") from None

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted probabilities for the design matrix ``X``."""
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.coef.size:
            raise ValueError(f"X: expected shape (n, {self.coef.size}), got {X.shape}")
        return expit(X @ self.coef)


def _log_likelihood(eta: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    # log p = -log(1 + e^-eta), log(1 - p) = -log(1 + e^eta), both computed stably.
    return float(np.sum(w * (y * -np.logaddexp(0.0, -eta) + (1.0 - y) * -np.logaddexp(0.0, eta))))


def _validate(
    X: object, y: object, weights: object, names: tuple[str, ...] | list[str] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...]]:
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X: expected a 2-D design matrix, got {X.ndim} dimensions")
    n, k = X.shape
    if y.shape != (n,):
        raise ValueError(f"y: expected shape ({n},) to match X, got {y.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X: expected finite values, found NaN or infinity")
    if not np.all((y == 0.0) | (y == 1.0)):
        raise ValueError("y: expected only 0/1 outcomes")
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (n,) or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError(f"weights: expected {n} finite non-negative values")
    if names is None:
        names = tuple(f"x{i}" for i in range(k))
    names_t: tuple[str, ...] = tuple(str(n) for n in names)
    if len(names_t) != k:
        raise ValueError(f"names: expected {k} names, got {len(names_t)}")
    if np.linalg.matrix_rank(X * np.sqrt(w)[:, None]) < k:
        raise ValueError("X: columns are linearly dependent (drop a dummy or a constant column)")
    return X, y, w, names_t


def fit_logistic(
    X: np.ndarray,
    y: np.ndarray,
    *,
    names: tuple[str, ...] | list[str] | None = None,
    weights: np.ndarray | None = None,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> LogisticFit:
    """Fit P(y = 1) = 1 / (1 + exp(-X b)) by Newton-Raphson with step halving.

    ``weights`` are frequency weights (a row with weight 3 counts as three identical rows), so
    aggregated data (one row per covariate pattern) fit exactly like the expanded data.
    """
    X, y, w, labels = _validate(X, y, weights, names)
    k = X.shape[1]
    beta = np.zeros(k)
    eta = X @ beta
    ll = _log_likelihood(eta, y, w)
    converged = False
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        p = expit(eta)
        grad = X.T @ (w * (y - p))
        info = (X * (w * p * (1.0 - p))[:, None]).T @ X
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            break
        t = 1.0
        while True:
            cand = beta + t * step
            cand_eta = X @ cand
            cand_ll = _log_likelihood(cand_eta, y, w)
            if cand_ll >= ll - 1e-12 * abs(ll) or t < 1e-8:
                break
            t *= 0.5
        beta, eta, ll = cand, cand_eta, cand_ll
        if np.max(np.abs(t * step)) < tol * (1.0 + np.max(np.abs(beta))):
            converged = True
            break
    p = expit(eta)
    info = (X * (w * p * (1.0 - p))[:, None]).T @ X
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        cov = np.full((k, k), np.inf)
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    warning = ""
    if not converged:
        warning = f"did not converge in {max_iter} iterations"
    # Fitted probabilities at 0/1 with huge coefficients mean (quasi-)complete separation.
    if np.any(np.abs(beta) > 30.0) or np.any(~np.isfinite(se)) or np.any(se > 1e4):
        warning = (warning + "; " if warning else "") + "quasi-separation: estimates unstable"
    return LogisticFit(
        names=labels,
        coef=_frozen(beta),
        std_err=_frozen(se),
        covariance=_frozen(cov),
        log_likelihood=ll,
        n_obs=float(np.sum(w)),
        n_events=float(np.sum(w * y)),
        iterations=iterations,
        converged=converged,
        warning=warning,
    )


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a

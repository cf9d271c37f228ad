"""The satisfaction -> churn link and the money it puts on a bad contact.

The model is a logistic regression per customer-month::

    logit P(churn this month) = a[tier] + b_deficit * csat_deficit + b_unres * unresolved
                                + b_compl * complaints + b_wait * wait_minutes

with the features (all additive counts over the customer's month, so one contact's share of
them is well defined):

* ``csat_deficit``  contacts that left the customer dissatisfied (or the expected number,
  the sum of ``1 - P(satisfied)`` over the month's contacts);
* ``unresolved``    contacts that did not resolve the need (repeat needed, escalated, abandoned);
* ``complaints``    complaints raised;
* ``wait_minutes``  total minutes waited in queues.

When the data hold fewer than ``min_events`` churners (or non-churners), or the fit is unstable,
:func:`fit_churn_model` returns the default coefficients below, flagged ``source="default"``.

Default coefficients (log-odds per event per month). They are *assumptions* chosen to be in
line with the figures in DESIGN §2 (poor service is the first reason customers leave; a complaint
left unresolved loses most complainers, one resolved quickly keeps 95%), not estimates from a
particular study, and are meant to be replaced by a fit on the user's own data:

* one dissatisfying contact doubles the odds of leaving that month (``ln 2``);
* one unresolved contact multiplies them by 1.5 (``ln 1.5``);
* one complaint multiplies them by 3 (``ln 3``);
* each minute waited adds 1% to the odds (``0.01``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit, logit

from equipoise.engine.economics.logistic import LogisticFit, fit_logistic
from equipoise.engine.economics.segments import Segment

__all__ = [
    "COMPLAINT_RETENTION",
    "DEFAULT_COEFFICIENTS",
    "FEATURES",
    "ChurnCostRates",
    "ChurnModel",
    "churn_cost_rates",
    "complaint_churn_probability",
    "default_churn_model",
    "fit_churn_model",
]

FEATURES: tuple[str, ...] = ("csat_deficit", "unresolved", "complaints", "wait_minutes")

DEFAULT_COEFFICIENTS: Mapping[str, float] = {
    "csat_deficit": math.log(2.0),
    "unresolved": math.log(1.5),
    "complaints": math.log(3.0),
    "wait_minutes": 0.01,
}

#: Share of complainers who stay, by how the complaint was handled (DESIGN §2: resolved about
#: 60%, resolved quickly about 95%). ``unresolved`` is an editable assumption (no figure in the
#: design brief): most customers with an unresolved complaint leave.
COMPLAINT_RETENTION: Mapping[str, float] = {
    "unresolved": 0.20,
    "resolved": 0.60,
    "resolved_quickly": 0.95,
}


@dataclass(frozen=True, eq=False)
class ChurnModel:
    """Coefficients of the satisfaction -> churn link, fitted or default."""

    coefficients: Mapping[str, float]
    #: "fitted" or "default".
    source: str
    #: Why defaults were used ("" for a fitted model).
    reason: str = ""
    #: Log-odds of churning in a month with no events, per tier (fitted models only).
    intercepts: Mapping[str, float] = field(default_factory=dict)
    std_errors: Mapping[str, float] = field(default_factory=dict)
    n_obs: float = 0.0
    n_events: float = 0.0
    fit: LogisticFit | None = None

    def __post_init__(self) -> None:
        missing = [f for f in FEATURES if f not in self.coefficients]
        if missing:
            raise ValueError(f"coefficients: missing {missing}; expected all of {FEATURES}")
        if self.source not in ("fitted", "default"):
            raise ValueError(f"source: expected 'fitted' or 'default', got {self.source!r}")

    def event_effect(self, feature: str, base_probability: float) -> float:
        """Extra churn probability from one more event: sigmoid(logit(p0) + b) - p0."""
        if feature not in FEATURES:
            raise ValueError(f"feature: expected one of {FEATURES}, got {feature!r}")
        if not 0.0 < base_probability < 1.0:
            raise ValueError(
                f"base_probability: expected a value in (0, 1), got {base_probability!r}"
            )
        return float(expit(logit(base_probability) + self.coefficients[feature]) - base_probability)

    def probability(
        self, tier: str, features: Mapping[str, float], base_probability: float | None = None
    ) -> float:
        """Churn probability in a month for a tier and feature values.

        Uses the fitted tier intercept, or ``logit(base_probability)`` when given (required for a
        default model, which has no intercepts).
        """
        if base_probability is not None:
            a = float(logit(base_probability))
        elif tier in self.intercepts:
            a = self.intercepts[tier]
        else:
            raise ValueError(f"tier: no intercept for {tier!r}; pass base_probability")
        eta = a + sum(self.coefficients[f] * float(features.get(f, 0.0)) for f in FEATURES)
        return float(expit(eta))

    def conf_int(self, level: float = 0.95) -> dict[str, tuple[float, float]]:
        """Wald confidence intervals of the feature coefficients (empty for defaults)."""
        if self.fit is None:
            return {}
        ci = self.fit.conf_int(level)
        return {
            n: (float(lo), float(hi))
            for n, (lo, hi) in zip(self.fit.names, ci, strict=True)
            if n in FEATURES
        }


def default_churn_model(reason: str = "no data") -> ChurnModel:
    """The documented default coefficients, flagged as such."""
    return ChurnModel(coefficients=dict(DEFAULT_COEFFICIENTS), source="default", reason=reason)


def fit_churn_model(
    churned: Sequence[int] | np.ndarray,
    features: Mapping[str, Sequence[float] | np.ndarray],
    tiers: Sequence[str] | np.ndarray,
    *,
    weights: Sequence[float] | np.ndarray | None = None,
    min_events: int = 50,
) -> ChurnModel:
    """Fit the churn link on per-customer-month rows, or fall back to defaults when data are thin.

    ``churned`` is the 0/1 flag per row, ``features`` maps each name in :data:`FEATURES` to an
    array of the same length, ``tiers`` gives each row's tier (one intercept per tier).
    Defaults are returned, with the reason, when there are fewer than ``min_events`` churners
    or non-churners, or when the fit does not converge or is quasi-separated.
    """
    y = np.asarray(churned, dtype=float)
    n = y.shape[0] if y.ndim == 1 else -1
    if y.ndim != 1:
        raise ValueError(f"churned: expected a 1-D array, got shape {y.shape}")
    missing = [f for f in FEATURES if f not in features]
    if missing:
        raise ValueError(f"features: missing {missing}; expected all of {FEATURES}")
    cols = []
    for f in FEATURES:
        col = np.asarray(features[f], dtype=float)
        if col.shape != (n,):
            raise ValueError(f"features[{f!r}]: expected shape ({n},), got {col.shape}")
        if np.any(col < 0) or not np.all(np.isfinite(col)):
            raise ValueError(f"features[{f!r}]: expected finite non-negative values")
        cols.append(col)
    t = np.asarray(tiers, dtype=object)
    if t.shape != (n,):
        raise ValueError(f"tiers: expected shape ({n},), got {t.shape}")
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (n,):
        raise ValueError(f"weights: expected shape ({n},), got {w.shape}")
    if min_events < 1:
        raise ValueError(f"min_events: expected >= 1, got {min_events}")
    events, non_events = float(np.sum(w * y)), float(np.sum(w * (1 - y)))
    if events < min_events or non_events < min_events:
        return ChurnModel(
            coefficients=dict(DEFAULT_COEFFICIENTS),
            source="default",
            n_obs=float(w.sum()),
            n_events=events,
            reason=(
                f"thin data: {events:g} churn events and {non_events:g} non-events "
                f"(need {min_events} of each)"
            ),
        )
    tier_codes = tuple(sorted({str(v) for v in t}))
    dummies = np.column_stack([(t == code).astype(float) for code in tier_codes])
    X = np.column_stack([dummies, *cols])
    names = tuple(f"tier[{c}]" for c in tier_codes) + FEATURES
    fit = fit_logistic(X, y, names=names, weights=w)
    if fit.warning:
        return ChurnModel(
            coefficients=dict(DEFAULT_COEFFICIENTS),
            source="default",
            n_obs=fit.n_obs,
            n_events=fit.n_events,
            reason=f"unstable fit: {fit.warning}",
            fit=fit,
        )
    k = len(tier_codes)
    return ChurnModel(
        coefficients={f: float(fit.coef[k + i]) for i, f in enumerate(FEATURES)},
        source="fitted",
        intercepts={c: float(fit.coef[i]) for i, c in enumerate(tier_codes)},
        std_errors={n_: float(s) for n_, s in zip(names, fit.std_err, strict=True)},
        n_obs=fit.n_obs,
        n_events=fit.n_events,
        fit=fit,
    )


def complaint_churn_probability(
    resolved_share: float, quick_share: float, retention: Mapping[str, float] = COMPLAINT_RETENTION
) -> float:
    """Probability that a complaining customer leaves, given how complaints are handled.

    ``resolved_share`` is the share of complaints resolved at all and ``quick_share`` the share
    of all complaints resolved quickly (so ``quick_share <= resolved_share``).
    """
    if not 0.0 <= resolved_share <= 1.0:
        raise ValueError(f"resolved_share: expected a share in [0, 1], got {resolved_share!r}")
    if not 0.0 <= quick_share <= resolved_share + 1e-12:
        raise ValueError(
            f"quick_share: expected a share in [0, resolved_share], got {quick_share!r}"
        )
    kept = (
        (1.0 - resolved_share) * retention["unresolved"]
        + (resolved_share - quick_share) * retention["resolved"]
        + quick_share * retention["resolved_quickly"]
    )
    return 1.0 - kept


@dataclass(frozen=True)
class ChurnCostRates:
    """Expected churn cost of one event for a tier, in currency (churn probability x cost)."""

    per_dissatisfied: float = 0.0
    per_unresolved: float = 0.0
    per_complaint: float = 0.0
    per_wait_minute: float = 0.0

    def __post_init__(self) -> None:
        for name in ("per_dissatisfied", "per_unresolved", "per_complaint", "per_wait_minute"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0):
                raise ValueError(f"{name}: expected a finite value >= 0, got {v!r}")


def churn_cost_rates(
    segment: Segment, model: ChurnModel, complaint_churn: float | None = None
) -> ChurnCostRates:
    """Money put on one event for a tier: the event's extra churn probability x churn cost.

    Extra probability of each event is taken at the tier's base monthly churn. When
    ``complaint_churn`` (from :func:`complaint_churn_probability`) is given it replaces the
    logistic complaint effect: one complaint then adds ``complaint_churn - base annual churn``.
    """
    cost = segment.churn_cost_per_customer
    p0 = segment.monthly_churn
    if p0 >= 1.0:
        return ChurnCostRates()
    per_complaint = cost * model.event_effect("complaints", p0)
    if complaint_churn is not None:
        if not 0.0 <= complaint_churn <= 1.0:
            raise ValueError(f"complaint_churn: expected a probability, got {complaint_churn!r}")
        per_complaint = cost * max(0.0, complaint_churn - segment.base_churn)
    return ChurnCostRates(
        per_dissatisfied=max(0.0, cost * model.event_effect("csat_deficit", p0)),
        per_unresolved=max(0.0, cost * model.event_effect("unresolved", p0)),
        per_complaint=max(0.0, per_complaint),
        per_wait_minute=max(0.0, cost * model.event_effect("wait_minutes", p0)),
    )

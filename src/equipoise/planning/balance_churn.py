"""The satisfaction -> churn link fitted on measured customer-months, in the optimiser's units.

The fit (:func:`equipoise.engine.economics.fit_churn_model`) runs on one row per active customer
and month with the features of :func:`equipoise.analytics.cells.customer_months`:

* ``csat_deficit`` - mean over the month's experienced contacts of max(0, 4 - CSAT), with the
  survey answer where there is one and the mean of similar answered contacts otherwise;
* ``unresolved`` - contacts that ended unresolved or abandoned;
* ``complaints`` - complaints not resolved within 48 hours;
* ``wait_minutes`` - minutes waited in agent queues.

Only surveyed contacts reveal satisfaction. Counting the deficit of surveyed contacts alone
(0 for everyone else) attenuates its coefficient and pushes its effect onto correlated features
such as ``unresolved``; the imputation removes most of that bias. Both coefficients are kept so
the attenuation can be reported (:attr:`ChurnFit.surveyed_only_deficit`).

The optimiser counts *dissatisfied contacts* (``1 - CSAT share`` per issue) where the fit counts
deficit points, so the deficit coefficient is multiplied by the mean deficit of a dissatisfied
answer (mean of 4 - CSAT over answers below 4). This treats a month's mean deficit as a sum,
exact for the (usual) month with a single contact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from equipoise.engine.economics import FEATURES, ChurnModel, fit_churn_model

#: The churn fit needs at least this many churners and non-churners, else defaults are used.
MIN_EVENTS = 50


@dataclass(frozen=True, eq=False)
class ChurnFit:
    """The fitted churn link and its version in the optimiser's units."""

    fitted: ChurnModel
    for_optimiser: ChurnModel
    #: Mean deficit (4 - CSAT) of a dissatisfied survey answer: points per dissatisfied contact.
    deficit_per_dissatisfied: float
    #: Deficit coefficient when only surveyed contacts count (None when not fitted).
    surveyed_only_deficit: float | None
    rows: int
    events: int
    notes: tuple[str, ...] = ()

    def summary(self) -> dict[str, object]:
        """Plain numbers: coefficients with standard errors, intercepts, sizes."""
        fit = self.fitted
        return {
            "source": fit.source,
            "reason": fit.reason,
            "rows": self.rows,
            "churn_events": self.events,
            "coefficients": dict(fit.coefficients),
            "std_errors": {k: v for k, v in fit.std_errors.items() if k in FEATURES},
            "intercepts": dict(fit.intercepts),
            "intercept_std_errors": {
                k[5:-1]: v for k, v in fit.std_errors.items() if k.startswith("tier[")
            },
            "deficit_per_dissatisfied_contact": self.deficit_per_dissatisfied,
            "optimiser_coefficients": dict(self.for_optimiser.coefficients),
            "surveyed_only_deficit_coefficient": self.surveyed_only_deficit,
        }


def _features(frame: pd.DataFrame, deficit: str) -> dict[str, np.ndarray]:
    return {
        "csat_deficit": frame[deficit].to_numpy(float),
        "unresolved": frame["unresolved"].to_numpy(float),
        "complaints": frame["complaints"].to_numpy(float),
        "wait_minutes": frame["wait_minutes"].to_numpy(float),
    }


def fit_churn(
    customer_months: pd.DataFrame, survey_contacts: pd.DataFrame, *, compare_surveyed: bool = True
) -> ChurnFit:
    """Fit the churn link on customer-months; rescale the deficit for the optimiser."""
    need = {"tier", "churned", "csat_deficit", "deficit_surveyed", "unresolved", "complaints",
            "wait_minutes"}
    missing = need - set(customer_months.columns)
    if missing:
        raise ValueError(f"customer_months: missing columns {sorted(missing)}")
    y = customer_months["churned"].to_numpy(int)
    tiers = customer_months["tier"].to_numpy(object)
    fitted = fit_churn_model(y, _features(customer_months, "csat_deficit"), tiers,
                             min_events=MIN_EVENTS)
    notes = [] if fitted.source == "fitted" else [f"churn link: defaults used ({fitted.reason})"]
    naive = None
    if compare_surveyed and fitted.source == "fitted":
        alt = fit_churn_model(y, _features(customer_months, "deficit_surveyed"), tiers,
                              min_events=MIN_EVENTS)
        naive = alt.coefficients["csat_deficit"] if alt.source == "fitted" else None
    unhappy = survey_contacts.loc[survey_contacts["csat"] < 4, "csat"].to_numpy(float)
    per_dissatisfied = float(np.mean(4.0 - unhappy)) if unhappy.size else 1.0
    coefficients = dict(fitted.coefficients)
    if fitted.source == "fitted":
        coefficients["csat_deficit"] *= per_dissatisfied
    optimiser = ChurnModel(
        coefficients=coefficients, source=fitted.source, reason=fitted.reason,
        intercepts=dict(fitted.intercepts), std_errors=dict(fitted.std_errors),
        n_obs=fitted.n_obs, n_events=fitted.n_events,
    )
    return ChurnFit(fitted, optimiser, per_dissatisfied, naive, int(y.size), int(y.sum()),
                    tuple(notes))

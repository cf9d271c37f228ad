"""Customer economics: segments, the cost of churn and the satisfaction -> churn link."""

from equipoise.engine.economics.churn_model import (
    COMPLAINT_RETENTION,
    DEFAULT_COEFFICIENTS,
    FEATURES,
    ChurnCostRates,
    ChurnModel,
    churn_cost_rates,
    complaint_churn_probability,
    default_churn_model,
    fit_churn_model,
)
from equipoise.engine.economics.logistic import LogisticFit, fit_logistic
from equipoise.engine.economics.segments import (
    REPLACEMENT_COST_DEFAULTS,
    Segment,
    annual_to_monthly,
    blended_replacement_cost,
    default_replacement_cost,
    monthly_to_annual,
)

__all__ = [
    "COMPLAINT_RETENTION",
    "DEFAULT_COEFFICIENTS",
    "FEATURES",
    "REPLACEMENT_COST_DEFAULTS",
    "ChurnCostRates",
    "ChurnModel",
    "LogisticFit",
    "Segment",
    "annual_to_monthly",
    "blended_replacement_cost",
    "churn_cost_rates",
    "complaint_churn_probability",
    "default_churn_model",
    "default_replacement_cost",
    "fit_churn_model",
    "fit_logistic",
    "monthly_to_annual",
]

"""Calibration from data: service-time distributions, customer patience, arrival rates."""

from equipoise.engine.calibration.arrivals import ArrivalProfile, arrival_rates
from equipoise.engine.calibration.patience import (
    AbandonmentPatience,
    CensoredPatience,
    KaplanMeier,
    kaplan_meier,
    patience_censored,
    patience_from_abandonment,
)
from equipoise.engine.calibration.service_time import (
    DISTRIBUTIONS,
    DistributionFit,
    ServiceTimeFit,
    exponential_mle,
    fit_service_times,
    gamma_mle,
    lognormal_mle,
)

__all__ = [
    "DISTRIBUTIONS", "AbandonmentPatience", "ArrivalProfile", "CensoredPatience", "DistributionFit",
    "KaplanMeier", "ServiceTimeFit", "arrival_rates", "exponential_mle", "fit_service_times",
    "gamma_mle", "kaplan_meier", "lognormal_mle", "patience_censored", "patience_from_abandonment",
]

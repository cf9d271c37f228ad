"""Arrival forecasting per interval: weekly seasonality x trended weekly level, and backtests."""

from equipoise.engine.forecast.backtest import (
    BacktestResult,
    backtest,
    bias,
    poisson_wape_floor,
    wape,
)
from equipoise.engine.forecast.grid import grid, slot_of_week, slots_per_week
from equipoise.engine.forecast.model import ForecastModel, fit_forecast, theil_sen

__all__ = [
    "BacktestResult", "ForecastModel", "backtest", "bias", "fit_forecast", "grid",
    "poisson_wape_floor", "slot_of_week",
    "slots_per_week", "theil_sen", "wape",
]

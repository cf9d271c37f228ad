"""Display formatting for templates: thousands separators and units (numbers stay numbers elsewhere)."""

from __future__ import annotations

import math

from jinja2 import Environment

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def number(value, digits: int = 0) -> str:
    """``12,345`` (``digits`` decimals); an en dash when there is no value."""
    if _missing(value):
        return "–"
    return f"{float(value):,.{digits}f}" if digits else f"{round(float(value)):,d}"


def money(value, currency: str = "USD", digits: int = 2) -> str:
    """``$12,345.67`` for known currency symbols, ``12,345.67 CHF`` otherwise."""
    if _missing(value):
        return "–"
    symbol = _SYMBOLS.get(currency)
    amount = f"{abs(float(value)):,.{digits}f}"
    sign = "−" if float(value) < 0 else ""
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {currency}"


def percent(value, digits: int = 1) -> str:
    """``85.2%`` for a value already in percent."""
    return "–" if _missing(value) else f"{float(value):,.{digits}f}%"


def seconds(value) -> str:
    """A duration in seconds shown in the largest fitting unit: ``42 s``, ``3.5 min``, ``2.1 h``."""
    if _missing(value):
        return "–"
    v = float(value)
    if abs(v) < 120:
        return f"{v:,.0f} s"
    if abs(v) < 7200:
        return f"{v / 60:,.1f} min"
    return f"{v / 3600:,.1f} h"


def metric(value, unit: str, currency: str = "USD") -> str:
    """Format a metric value by its registry unit (count, seconds, hours, percent, currency, ...)."""
    if unit == "count":
        return number(value)
    if unit == "currency":
        return money(value, currency)
    if unit == "percent":
        return percent(value)
    if unit == "seconds":
        return seconds(value)
    if unit == "hours":
        return "–" if _missing(value) else f"{float(value):,.1f} h"
    if unit == "points":
        return "–" if _missing(value) else f"{float(value):+,.1f} pts"
    return number(value, 2)


def unit_label(unit: str, currency: str = "USD") -> str:
    """The unit as written in an axis title or a column header."""
    return {"count": "count", "seconds": "s", "hours": "h", "percent": "%", "currency": currency,
            "score": "score", "points": "points"}.get(unit, unit)


def register_filters(env: Environment) -> None:
    """Install the formatting filters on a Jinja environment."""
    env.filters["number"] = number
    env.filters["money"] = money
    env.filters["percent"] = percent
    env.filters["seconds"] = seconds
    env.filters["metric"] = metric
    env.filters["unit_label"] = unit_label

"""Display formatting for templates: thousands separators and units (numbers stay numbers elsewhere)."""

from __future__ import annotations

from jinja2 import Environment


def number(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def money(value, currency: str = "USD", digits: int = 2) -> str:
    if value is None:
        return "–"
    symbol = {"USD": "$", "EUR": "€", "GBP": "£"}.get(currency)
    return f"{symbol}{value:,.{digits}f}" if symbol else f"{value:,.{digits}f} {currency}"


def percent(value, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}%"


def register_filters(env: Environment) -> None:
    env.filters["number"] = number
    env.filters["money"] = money
    env.filters["percent"] = percent

"""The Jinja environment shared by every page: filters, navigation and the page context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from equipoise import __version__
from equipoise.interfaces.web.format import register_filters

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
register_filters(templates.env)

#: Navigation, in display order: only pages that exist are listed (label, path).
NAV: tuple[tuple[str, str], ...] = (
    ("Overview", "/"),
    ("Scorecard", "/scorecard"), ("Cost to serve", "/costs"), ("Budgets", "/budgets"),
    ("Staffing", "/staffing"),
    ("Balance", "/balance"), ("Scenarios", "/scenarios"),
    ("Definitions", "/definitions"),
)


def _active(path: str, current: str) -> bool:
    return current == "/" if path == "/" else current == path or current.startswith(path + "/")


def render(request: Request, template: str, context: dict[str, Any],
           status_code: int = 200) -> HTMLResponse:
    """Render ``template`` with the shared context (navigation, currency, version)."""
    settings = request.app.state.settings
    nav = [{"label": label, "path": path, "active": _active(path, request.url.path)}
           for label, path in NAV]
    base = {"nav": nav, "currency": settings.currency, "version": __version__}
    return templates.TemplateResponse(request, template, {**base, **context},
                                      status_code=status_code)

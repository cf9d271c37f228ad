"""The Jinja environment shared by every page: filters, navigation and the page context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from equipoise import __version__
from equipoise.core.auth.schemas import Principal
from equipoise.interfaces.web.format import register_filters

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
register_filters(templates.env)

#: Navigation, in display order: only pages that exist are listed (label, path).
NAV: tuple[tuple[str, str], ...] = (
    ("Overview", "/"),
    ("Cases", "/cases"), ("Complaints", "/complaints"), ("Knowledge", "/knowledge"),
    ("Scorecard", "/scorecard"), ("Cost to serve", "/costs"), ("Budgets", "/budgets"),
    ("Staffing", "/staffing"),
    ("Balance", "/balance"), ("Scenarios", "/scenarios"),
    ("Definitions", "/definitions"),
)
#: Pages about money: listed (and served) only to roles that see costs (managers and admins).
COST_PATHS = frozenset({"/costs", "/budgets", "/balance", "/scenarios"})


def _active(path: str, current: str) -> bool:
    return current == "/" if path == "/" else current == path or current.startswith(path + "/")


def nav_for(principal: Principal | None) -> list[tuple[str, str]]:
    """The navigation a caller may use: no cost pages without ``sees_costs`` (or when signed out)."""
    sees_costs = principal is not None and principal.sees_costs
    return [(label, path) for label, path in NAV if sees_costs or path not in COST_PATHS]


def render(request: Request, template: str, context: dict[str, Any],
           status_code: int = 200) -> HTMLResponse:
    """Render ``template`` with the shared context (navigation, signed-in user, currency, version)."""
    settings = request.app.state.settings
    principal: Principal | None = getattr(request.state, "principal", None)
    nav = [{"label": label, "path": path, "active": _active(path, request.url.path)}
           for label, path in nav_for(principal)]
    user = None
    if principal is not None:
        user = {"name": getattr(request.state, "user_name", "") or f"user {principal.user_id}",
                "role": principal.role, "sees_costs": principal.sees_costs,
                "csrf_token": getattr(request.state, "csrf_token", None)}
    base = {"nav": nav, "currency": settings.currency, "version": __version__, "user": user}
    return templates.TemplateResponse(request, template, {**base, **context},
                                      status_code=status_code)

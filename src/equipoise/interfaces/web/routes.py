"""Server-rendered pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from ibis.backends import BaseBackend

from equipoise.analytics.snapshot import DEFINITIONS, snapshot
from equipoise.interfaces.api.deps import analytics
from equipoise.interfaces.web.format import register_filters

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
register_filters(templates.env)
router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, con: BaseBackend = Depends(analytics)) -> HTMLResponse:
    snap = snapshot(con)
    currency = request.app.state.settings.currency
    return templates.TemplateResponse(request, "overview.html", {
        "snap": snap, "definitions": DEFINITIONS, "currency": currency})

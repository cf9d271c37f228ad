"""The ASGI application: REST API under /api, server-rendered pages, and the app's own static assets."""

from __future__ import annotations

from pathlib import Path

import plotly
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from equipoise import __version__
from equipoise.config import Settings, get_settings
from equipoise.kit.errors import AppError

WEB_DIR = Path(__file__).parent / "web"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _htmx_path(settings: Settings) -> Path:
    candidates = [settings.assets_dir, Path.cwd() / "node_modules", Path(__file__).parents[3] / "node_modules"]
    for base in candidates:
        path = Path(base) / "htmx.org" / "dist" / "htmx.min.js"
        if path.is_file():
            return path
    return Path(settings.assets_dir) / "htmx.org" / "dist" / "htmx.min.js"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for ``settings`` (default: the process settings)."""
    from equipoise.interfaces.api.routers import (
        analytics,
        auth,
        balance,
        cases,
        commitments,
        complaints,
        ingest,
        knowledge,
        outreach,
        overview,
        surveys,
        users,
        webhooks,
    )
    from equipoise.interfaces.web import public_survey, scorecard
    from equipoise.interfaces.web import routes as web_routes
    from equipoise.interfaces.web import scenarios as scenarios_pages

    settings = settings or get_settings()
    app = FastAPI(title="Equipoise", version=__version__,
                  description="Customer service cost and satisfaction in balance.")
    app.state.settings = settings

    @app.exception_handler(AppError)
    async def _app_error(_request: Request, exc: AppError) -> JSONResponse:
        body = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return JSONResponse(status_code=exc.status_code, content=body)

    htmx = _htmx_path(settings)

    @app.get("/assets/htmx.min.js", include_in_schema=False)
    async def _htmx() -> FileResponse:
        if not htmx.is_file():
            raise AppError("htmx is not installed: run `npm ci` (make does it)")
        return FileResponse(htmx, media_type="text/javascript")

    @app.get("/assets/plotly.min.js", include_in_schema=False)
    async def _plotly() -> FileResponse:
        return FileResponse(PLOTLY_JS, media_type="text/javascript")

    @app.get("/healthz", include_in_schema=False)
    async def _health() -> dict:
        """Up, with the version and whether knowledge search by meaning is off, loading or ready."""
        from equipoise.core.knowledge.semantic import model_state

        return {"status": "ok", "version": __version__, "search_by_meaning": model_state(settings.kb_semantic)}

    app.mount("/static", StaticFiles(directory=WEB_DIR / "static"), name="static")
    for module in (auth, users, cases, overview, analytics, balance, complaints, commitments, surveys, knowledge,
                   outreach, webhooks, ingest):
        app.include_router(module.router, prefix="/api")
    app.include_router(public_survey.router)
    app.include_router(web_routes.router)
    app.include_router(scorecard.pages)
    app.include_router(scenarios_pages.router)
    return app

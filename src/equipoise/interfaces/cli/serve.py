"""``equipoise serve``: the web app and API."""

from __future__ import annotations

import typer

from equipoise.config import get_settings


def serve(
    host: str = typer.Option(None, help="Interface to listen on (default 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default 8000)."),
    database_url: str | None = typer.Option(None, "--database-url", envvar="EQUIPOISE_DATABASE_URL"),
) -> None:
    """Serve the dashboard and the REST API."""
    import os

    import uvicorn

    settings = get_settings()
    if database_url:
        os.environ["EQUIPOISE_DATABASE_URL"] = database_url
        get_settings.cache_clear()
        settings = get_settings()
    from equipoise.core.knowledge.semantic import warm_up_in_background

    # With the [semantic] extra the model takes 20-30 s to load: start now rather than on the first search.
    warm_up_in_background(settings.kb_semantic)
    uvicorn.run("equipoise.interfaces.app:create_app", factory=True, host=host or settings.host,
                port=port or settings.port, log_level="info")

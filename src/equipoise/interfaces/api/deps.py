"""Request dependencies shared by the API routers and the web pages."""

from __future__ import annotations

from fastapi import Request
from ibis.backends import BaseBackend
from sqlalchemy import Engine

from equipoise.analytics.backends import connect
from equipoise.db.engine import get_engine


def engine(request: Request) -> Engine:
    """The SQLAlchemy engine of the app's database."""
    return get_engine(request.app.state.settings.database_url)


def analytics(request: Request) -> BaseBackend:
    """An Ibis connection on the app's database, opened once per app."""
    con = getattr(request.app.state, "ibis", None)
    if con is None:
        con = connect(request.app.state.settings.database_url)
        request.app.state.ibis = con
    return con

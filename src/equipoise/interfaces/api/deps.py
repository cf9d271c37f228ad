"""Request dependencies shared by the API routers and the web pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from ibis.backends import BaseBackend
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from equipoise.analytics.backends import connect
from equipoise.core.audit.service import local_now
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


def get_db_session(request: Request) -> Iterator[Session]:
    """The request's unit of work: commits when the endpoint succeeds, rolls back on any error.

    Depend on it as ``DbSession`` (or ``Depends(get_db_session, scope="function")``): with the
    function scope the commit happens *before* the response is sent, so a client never sees a
    success for a change that then failed to commit.
    """
    session = Session(bind=engine(request), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_db_session, scope="function")]


def now(request: Request) -> dt.datetime:
    """The current time as stored in the database: naive, in the app's company time zone."""
    return local_now(request.app.state.settings.timezone)


Now = Annotated[dt.datetime, Depends(now)]

"""Request dependencies shared by the API routers and the web pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from fastapi import Depends, HTTPException, Request
from ibis.backends import BaseBackend
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

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

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class Overloaded(HTTPException):
    """503 with Retry-After: the server sheds a request rather than queue it for seconds."""

    def __init__(self, detail: str) -> None:
        super().__init__(status_code=503, detail=detail, headers={"Retry-After": "1"})


@lru_cache(maxsize=8)
def _autocommit(bind: Engine) -> Engine:
    """``bind`` without transactions: each statement commits on its own (no BEGIN and COMMIT round trips)."""
    return bind.execution_options(isolation_level="AUTOCOMMIT")


def _run_unit(bind: Engine, work: Callable[[Session], T]) -> T:
    with Session(bind=bind, expire_on_commit=False) as session:
        try:
            result = work(session)
            session.commit()
        except BaseException:
            session.rollback()
            raise
    return result


async def unit_of_work(request: Request, work: Callable[[Session], T], *, single_read: bool = False) -> T:
    """Run ``work(session)`` and commit, in one worker thread; roll back on any error.

    ``single_read=True`` is for work that only reads, in one statement: it runs outside a transaction,
    saving the BEGIN and COMMIT round trips (a single statement sees one snapshot either way).

    Build the response inside ``work``. Unlike ``DbSession``, whose connection stays checked out
    while the response waits for another worker thread to be serialised, the connection here is
    held only inside the thread, so a burst can never hold more connections than there are
    threads (no pool exhaustion, no deadlock between waiting requests and held connections).
    When more than ``api_max_waiting`` calls already wait for a thread, or the pool has no
    connection within its timeout, the request is shed at once with a 503 and ``Retry-After``.
    """
    limit = getattr(request.app.state.settings, "api_max_waiting", None)
    if limit is not None and anyio.to_thread.current_default_thread_limiter().statistics().tasks_waiting > limit:
        raise Overloaded("the server is busy; retry in a moment")
    try:
        bind = _autocommit(engine(request)) if single_read else engine(request)
        return await run_in_threadpool(_run_unit, bind, work)
    except PoolTimeout:
        raise Overloaded("no database connection is free; retry in a moment") from None


def to_read(schema: type[M], value: Any) -> Any:
    """ORM rows as the response ``schema``: one row, or a list for any sequence of rows. Build it
    inside ``unit_of_work``, while the session is open."""
    if isinstance(value, list | tuple):
        return [schema.model_validate(v, from_attributes=True) for v in value]
    return schema.model_validate(value, from_attributes=True)


def now(request: Request) -> dt.datetime:
    """The current time as stored in the database: naive, in the app's company time zone."""
    return local_now(request.app.state.settings.timezone)


Now = Annotated[dt.datetime, Depends(now)]

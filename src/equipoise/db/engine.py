"""Database engine and the unit-of-work session scope."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from equipoise.config import get_settings


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(normalise_url(url)).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for an in-memory or non-SQLite database."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001 - DBAPI objects
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str, *, echo: bool = False, pool_size: int | None = None, max_overflow: int | None = None,
                pool_timeout_seconds: float | None = None) -> Engine:
    """Create an engine; SQLite files get their folder created and WAL + foreign keys enabled.

    On a server database the connection pool holds ``pool_size`` connections plus ``max_overflow``
    under bursts (SQLAlchemy's defaults, 5 + 10, when not given); size it to the request threads.
    """
    url = normalise_url(url)
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    pool: dict = {}
    if not is_sqlite(url):
        for name, value in (("pool_size", pool_size), ("max_overflow", max_overflow),
                            ("pool_timeout", pool_timeout_seconds)):
            if value is not None:
                pool[name] = value
    engine = create_engine(url, echo=echo, future=True, **pool)
    if is_sqlite(url):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    """A cached engine for ``url`` (default: the configured database)."""
    settings = get_settings()
    return make_engine(url or settings.database_url, echo=settings.sql_echo, pool_size=settings.db_pool_size,
                       max_overflow=settings.db_max_overflow, pool_timeout_seconds=settings.db_pool_timeout_seconds)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on error. Services only flush."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()

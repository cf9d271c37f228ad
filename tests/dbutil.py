"""Create and drop throw-away real databases for tests (SQLite files, PostgreSQL databases)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from equipoise.db.engine import normalise_url
from equipoise.db.migrate import upgrade

PG_ENV = "EQUIPOISE_TEST_DATABASE_URL"


def postgres_base_url() -> str | None:
    url = os.environ.get(PG_ENV)
    return normalise_url(url) if url else None


def _admin_dsn(url: str) -> str:
    u = make_url(url).set(drivername="postgresql")
    return u.render_as_string(hide_password=False)


@contextmanager
def fresh_postgres(base_url: str, *, migrate: bool = True) -> Iterator[str]:
    """A new, empty (optionally migrated) PostgreSQL database on the server of ``base_url``."""
    name = f"eqt_{uuid.uuid4().hex[:12]}"
    admin = _admin_dsn(base_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    try:
        if migrate:
            upgrade(url)
        yield url
    finally:
        from equipoise.db.engine import get_engine

        get_engine.cache_clear()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_sqlite(folder: Path, *, migrate: bool = True) -> Iterator[str]:
    url = f"sqlite:///{folder / f'eq_{uuid.uuid4().hex[:8]}.sqlite3'}"
    if migrate:
        upgrade(url)
    yield url

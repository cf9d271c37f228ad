"""Create and drop throw-away real databases for tests (SQLite files, PostgreSQL databases).

Migrating a database takes a noticeable fraction of a second, so each test process migrates one
template per backend once and copies it for every fresh database (``CREATE DATABASE ... TEMPLATE``
on PostgreSQL, a file copy on SQLite). The copies are byte-for-byte what ``upgrade`` produces.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from equipoise.db.engine import normalise_url
from equipoise.db.migrate import upgrade

PG_ENV = "EQUIPOISE_TEST_DATABASE_URL"
_pg_templates: dict[str, str] = {}
_sqlite_template: list[Path] = []


def postgres_base_url() -> str | None:
    url = os.environ.get(PG_ENV)
    return normalise_url(url) if url else None


def _admin_dsn(url: str) -> str:
    u = make_url(url).set(drivername="postgresql")
    return u.render_as_string(hide_password=False)


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _drop_postgres(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_template(base_url: str) -> str:
    """Name of a migrated template database for this test process (made once)."""
    if base_url not in _pg_templates:
        admin = _admin_dsn(base_url)
        name = f"eqt_tpl_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        upgrade(_with_database(base_url, name))
        _pg_templates[base_url] = name
        atexit.register(_drop_postgres, admin, name)
    return _pg_templates[base_url]


@contextmanager
def fresh_postgres(base_url: str, *, migrate: bool = True) -> Iterator[str]:
    """A new, empty (optionally migrated) PostgreSQL database on the server of ``base_url``."""
    name = f"eqt_{uuid.uuid4().hex[:12]}"
    admin = _admin_dsn(base_url)
    template = f' TEMPLATE "{_postgres_template(base_url)}"' if migrate else ""
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{template}')
    url = _with_database(base_url, name)
    try:
        yield url
    finally:
        from equipoise.db.engine import get_engine

        get_engine.cache_clear()
        _drop_postgres(admin, name)


def _sqlite_template_file() -> Path:
    if not _sqlite_template:
        folder = Path(tempfile.mkdtemp(prefix="eq_tpl_"))
        path = folder / "template.sqlite3"
        upgrade(f"sqlite:///{path}")
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _sqlite_template.append(path)
        atexit.register(shutil.rmtree, folder, True)
    return _sqlite_template[0]


@contextmanager
def fresh_sqlite(folder: Path, *, migrate: bool = True) -> Iterator[str]:
    """A new, empty (optionally migrated) SQLite file in ``folder``."""
    path = folder / f"eq_{uuid.uuid4().hex[:8]}.sqlite3"
    if migrate:
        shutil.copyfile(_sqlite_template_file(), path)
    yield f"sqlite:///{path}"

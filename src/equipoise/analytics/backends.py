"""Open an Ibis connection on the operational database (SQLite or PostgreSQL) or another backend."""

from __future__ import annotations

from pathlib import Path

import ibis
from ibis.backends import BaseBackend
from sqlalchemy.engine import make_url

from equipoise.db.engine import normalise_url


def connect(url: str) -> BaseBackend:
    """Ibis backend for a SQLAlchemy-style URL: ``sqlite:///file``, ``postgresql://...``, ``duckdb:///file``."""
    parsed = make_url(normalise_url(url))
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ValueError("analytics need a SQLite file, not an in-memory database")
        return ibis.sqlite.connect(Path(parsed.database))
    if backend == "postgresql":
        return ibis.postgres.connect(
            host=parsed.host or "127.0.0.1",
            port=parsed.port or 5432,
            user=parsed.username,
            password=parsed.password,
            database=parsed.database,
        )
    if backend == "duckdb":
        return ibis.duckdb.connect(parsed.database or ":memory:")
    raise ValueError(f"no analytics backend for URL scheme {parsed.drivername!r}")

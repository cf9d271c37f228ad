"""Run Alembic migrations programmatically (``equipoise db upgrade``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from equipoise.db.engine import make_engine, normalise_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> str:
    """Bring the database at ``url`` to ``revision`` (default: every head); returns the revisions now current.

    Feature migrations branch from the initial schema and ``0009_merge_heads`` joins them; the
    default target stays "heads" so a branch added later is never skipped.
    """
    command.upgrade(alembic_config(url), revision)
    return current_revision(url) or ""


def current_revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
            return ",".join(sorted(rows)) if rows else None
    finally:
        engine.dispose()

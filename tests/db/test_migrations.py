"""The migrations build exactly the ORM schema, from an empty database, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import equipoise.models  # noqa: F401
from equipoise.db.base import Base
from equipoise.db.engine import make_engine
from equipoise.db.migrate import current_revision, upgrade


def test_upgrade_creates_every_table_and_matches_models(database_url):
    engine = make_engine(database_url)
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        assert set(Base.metadata.tables) <= tables
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"


def test_upgrade_is_idempotent(database_url):
    head = current_revision(database_url)
    assert head is not None
    assert upgrade(database_url) == head


def test_migrations_build_the_schema_from_an_empty_database(tmp_path):
    """Fresh test databases are copies of a migrated template; this one is migrated from nothing."""
    from tests.dbutil import fresh_sqlite

    with fresh_sqlite(tmp_path, migrate=False) as url:
        assert current_revision(url) is None
        upgrade(url)
        engine = make_engine(url)
        with engine.connect() as conn:
            assert set(Base.metadata.tables) <= set(inspect(conn).get_table_names())
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        engine.dispose()


def test_the_migration_history_has_one_head():
    from alembic.script import ScriptDirectory

    from equipoise.db.migrate import alembic_config

    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert heads == ["0009_merge_heads"]

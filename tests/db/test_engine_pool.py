"""Connection pool sizing from settings on a server database; SQLite keeps its own pool."""

from __future__ import annotations

from equipoise.db.engine import get_engine, make_engine


def test_pool_size_and_overflow_on_postgresql():
    engine = make_engine("postgresql://u@127.0.0.1:1/x", pool_size=7, max_overflow=3, pool_timeout_seconds=2.5)
    assert (engine.pool.size(), engine.pool._max_overflow, engine.pool._timeout) == (7, 3, 2.5)
    default = make_engine("postgresql://u@127.0.0.1:1/x")
    assert (default.pool.size(), default.pool._max_overflow) == (5, 10)


def test_settings_reach_the_cached_engine(monkeypatch):
    from equipoise.config import get_settings

    monkeypatch.setenv("EQUIPOISE_DB_POOL_SIZE", "11")
    monkeypatch.setenv("EQUIPOISE_DB_MAX_OVERFLOW", "4")
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        engine = get_engine("postgresql://u@127.0.0.1:1/pooltest")
        assert (engine.pool.size(), engine.pool._max_overflow) == (11, 4)
    finally:
        get_settings.cache_clear()
        get_engine.cache_clear()


def test_sqlite_ignores_pool_sizes(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}", pool_size=3, max_overflow=1)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1

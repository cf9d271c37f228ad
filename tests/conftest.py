"""Shared fixtures: real databases. SQLite always; PostgreSQL when EQUIPOISE_TEST_DATABASE_URL is set."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from equipoise.db.engine import make_engine
from equipoise.demo.build import DemoSpec, simulate
from equipoise.demo.service import build_demo
from tests.dbutil import fresh_postgres, fresh_sqlite, postgres_base_url

settings.register_profile("default", deadline=None, max_examples=50,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", deadline=None, max_examples=50, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if __import__("os").environ.get("CI") else "default")

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _fresh(kind: str, tmp_path, migrate: bool = True):
    if kind == "sqlite":
        return fresh_sqlite(tmp_path, migrate=migrate)
    base = postgres_base_url()
    if base is None:
        pytest.skip("PostgreSQL not configured (set EQUIPOISE_TEST_DATABASE_URL)")
    return fresh_postgres(base, migrate=migrate)


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    """URL of a new, migrated, empty database on each backend."""
    with _fresh(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path):
    """URL of a new, migrated, empty SQLite file."""
    with fresh_sqlite(tmp_path) as url:
        yield url


SMALL = DemoSpec(customers=1500, months=3, seed=11)


@pytest.fixture(scope="session")
def small_data():
    """The small demo company simulated in memory."""
    return simulate(SMALL)


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo_url(request, tmp_path_factory):
    """URL of a database holding the small demo company."""
    if request.param == "sqlite":
        ctx = fresh_sqlite(tmp_path_factory.mktemp("demo"))
    else:
        base = postgres_base_url()
        if base is None:
            pytest.skip("PostgreSQL not configured (set EQUIPOISE_TEST_DATABASE_URL)")
        ctx = fresh_postgres(base)
    with ctx as url:
        engine = make_engine(url)
        build_demo(engine, SMALL)
        engine.dispose()
        yield url

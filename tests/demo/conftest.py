"""A small demo company built once per test session on each backend."""

from __future__ import annotations

import pytest

from equipoise.db.engine import make_engine
from equipoise.demo.build import DemoSpec, simulate
from equipoise.demo.service import build_demo
from tests.dbutil import fresh_postgres, fresh_sqlite, postgres_base_url

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

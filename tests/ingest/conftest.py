"""Helpers for import tests: the sample files and a tiny query helper."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from equipoise.db.engine import make_engine

SAMPLES = Path(__file__).parents[2] / "docs" / "import" / "samples"


@pytest.fixture
def engine(database_url):
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


def scalar(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def rows(engine, sql: str, **params):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]

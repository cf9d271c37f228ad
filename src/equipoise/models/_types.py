"""Column helpers shared by the ORM tables."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Integer
from sqlalchemy.orm import mapped_column

#: Primary keys are 64-bit on PostgreSQL and INTEGER PRIMARY KEY (rowid) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")

#: JSON everywhere (JSONB-like behaviour is not needed by the core).
Json = JSON()


def pk():
    return mapped_column(BigId, primary_key=True, autoincrement=True)

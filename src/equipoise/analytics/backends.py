"""Open an Ibis connection on the operational database (SQLite or PostgreSQL) or another backend."""

from __future__ import annotations

import sqlite3
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
        # One connection shared by a web app's worker threads: reads only, so no thread check.
        raw = sqlite3.connect(Path(parsed.database), check_same_thread=False)
        return ibis.sqlite.from_connection(raw)
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


#: The tables the analytics read (the logical model), in foreign-key order.
ANALYTIC_TABLES = (
    "org_units", "channels", "contact_reasons", "reason_channels", "customers", "agents", "cases",
    "contacts", "survey_responses", "agent_shifts", "budget_lines", "qa_reviews",
)


def copy_tables(src: BaseBackend, dst: BaseBackend, names: tuple[str, ...] = ANALYTIC_TABLES) -> None:
    """Copy ``names`` from ``src`` into ``dst`` through Arrow (JSON columns are left out)."""
    for name in names:
        table = src.table(name)
        keep = [c for c, t in table.schema().items() if not (t.is_json() or t.is_array())]
        data = table.select(*keep).to_pyarrow()
        if dst.name == "pyspark":
            # Through Arrow directly: a pandas hop would turn null integers into NaN.
            session = dst._session  # noqa: SLF001 - the session behind the Ibis backend
            session.createDataFrame(data).createOrReplaceTempView(name)
        else:
            dst.create_table(name, data, overwrite=True)


def spark_session(warehouse_dir: str | Path, *, app_name: str = "equipoise", partitions: int = 4):
    """A local PySpark session set up for analytics on naive local timestamps (needs ``[spark]``)."""
    import os

    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    return (
        SparkSession.builder.master("local[2]").appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", str(warehouse_dir))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )


def connect_spark(session) -> BaseBackend:  # noqa: ANN001 - pyspark is optional
    """Ibis backend on a PySpark session."""
    return ibis.pyspark.connect(session)

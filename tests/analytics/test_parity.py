"""Backend parity: every registry metric gives the same numbers on SQLite, DuckDB, PostgreSQL, Spark."""

from __future__ import annotations

import math

import ibis
import numpy as np
import pytest

from equipoise.analytics.backends import connect, connect_spark, copy_tables, spark_session
from equipoise.analytics.compute import compute, compute_many
from equipoise.analytics.facts import Facts
from equipoise.analytics.registry import all_metrics
from tests.analytics.factories import insert_rows
from tests.analytics.synthetic import random_company_rows
from tests.dbutil import fresh_postgres, fresh_sqlite, postgres_base_url

SLICINGS = [(), ("month", "channel", "tier"), ("agent",), ("week", "reason", "team")]
#: Spark queries cost seconds each: check it on the total and the finest slicing.
SPARK_SLICINGS = SLICINGS[:2]


@pytest.fixture(scope="module")
def rows():
    return random_company_rows(np.random.default_rng(2026))


@pytest.fixture(scope="module")
def sqlite_con(rows, tmp_path_factory):
    with fresh_sqlite(tmp_path_factory.mktemp("parity")) as url:
        insert_rows(url, rows)
        yield connect(url)


@pytest.fixture(scope="module")
def reference(sqlite_con):
    facts = Facts(sqlite_con)
    return {by: compute(facts, by=by) for by in SLICINGS}


@pytest.fixture(scope="module")
def duckdb_con(sqlite_con):
    con = ibis.duckdb.connect()
    copy_tables(sqlite_con, con)
    return con


@pytest.fixture(scope="module")
def postgres_con(rows):
    base = postgres_base_url()
    if base is None:
        pytest.skip("PostgreSQL not configured (set EQUIPOISE_TEST_DATABASE_URL)")
    with fresh_postgres(base) as url:
        insert_rows(url, rows)
        con = connect(url)
        yield con
        con.disconnect()


@pytest.fixture(scope="module")
def spark_con(sqlite_con, tmp_path_factory):
    pytest.importorskip("pyspark")
    session = spark_session(tmp_path_factory.mktemp("spark-warehouse"), partitions=2)
    session.sparkContext.setLogLevel("ERROR")
    con = connect_spark(session)
    copy_tables(sqlite_con, con)
    yield con
    session.stop()


def assert_same(expected, actual, label):
    assert list(actual.frame.columns) == list(expected.frame.columns), label
    exp_rows, act_rows = expected.rows(), actual.rows()
    assert len(act_rows) == len(exp_rows), f"{label}: {len(act_rows)} rows, expected {len(exp_rows)}"
    for e, a in zip(exp_rows, act_rows, strict=True):
        for key in expected.by:
            assert a[key] == e[key], f"{label}: slice {key} {a[key]!r} != {e[key]!r}"
        for slug in expected.metrics:
            ev, av = e[slug], a[slug]
            where = f"{label} {slug} at {[e[k] for k in expected.by]}"
            if ev is None:
                assert av is None, f"{where}: {av} where no value was expected"
            else:
                assert av is not None and math.isclose(av, ev, rel_tol=1e-9, abs_tol=1e-9), (
                    f"{where}: {av} != {ev}")


def test_reference_covers_every_metric_with_values(reference):
    total = reference[()]
    assert set(total.metrics) == set(all_metrics())
    missing = [s for s in total.metrics if total.total(s) is None]
    assert missing == [], "the synthetic data should give every metric a value"


@pytest.mark.parametrize("by", SLICINGS, ids=lambda b: "x".join(b) or "total")
def test_duckdb_matches_sqlite(reference, duckdb_con, by):
    assert_same(reference[by], compute(Facts(duckdb_con), by=by), f"duckdb {by}")


@pytest.mark.postgres
@pytest.mark.parametrize("by", SLICINGS, ids=lambda b: "x".join(b) or "total")
def test_postgres_matches_sqlite(reference, postgres_con, by):
    assert_same(reference[by], compute(Facts(postgres_con), by=by), f"postgres {by}")


@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.parametrize("by", SPARK_SLICINGS, ids=lambda b: "x".join(b) or "total")
def test_spark_matches_sqlite(reference, spark_con, by):
    assert_same(reference[by], compute(Facts(spark_con), by=by), f"spark {by}")


#: Filtered requests answered in one scan per fact (conditional aggregates, per-customer tiers).
BATCH = [(None, {"channel": ["phone", "chat"]}), (None, {"tier": ["top", "mid"], "team": ["n1"]}),
         (None, {"reason": ["billing"]})]
BATCH_BY = ("month", "tier")


@pytest.fixture(scope="module")
def batch_reference(sqlite_con):
    return compute_many(Facts(sqlite_con), BATCH, by=BATCH_BY)


def _same_batch(expected, con, label):
    for (_, filters), exp, got in zip(BATCH, expected,
                                      compute_many(Facts(con), BATCH, by=BATCH_BY), strict=True):
        assert_same(exp, got, f"{label} {filters}")


def test_batched_requests_on_duckdb(batch_reference, duckdb_con):
    _same_batch(batch_reference, duckdb_con, "duckdb")


@pytest.mark.postgres
def test_batched_requests_on_postgres(batch_reference, postgres_con):
    _same_batch(batch_reference, postgres_con, "postgres")


@pytest.mark.spark
@pytest.mark.slow
def test_batched_requests_on_spark(batch_reference, spark_con):
    _same_batch(batch_reference, spark_con, "spark")

"""Batched metric queries give exactly what one filtered query per request gives.

* ``restrict`` (a filter turned into per-aggregate conditions) against filtering first, as a
  hypothesis property on DuckDB and SQLite;
* ``compute_many`` (one scan per fact for many filtered requests) against a fact view filtered
  up front, on the random company, for totals and slices;
* per-customer (eager) aggregation for tier slices against joining the customers first;
* lean fact views join only the lookups a query reads.
"""

from __future__ import annotations

import ibis
import ibis.expr.operations as ops
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise.analytics import compute as compute_module
from equipoise.analytics.backends import connect
from equipoise.analytics.compute import compute, compute_many
from equipoise.analytics.facts import Facts
from equipoise.analytics.registry import all_metrics
from equipoise.analytics.rewrite import columns_read, restrict
from equipoise.analytics.scorecard import load_scorecard
from equipoise.analytics.scoring import evaluate_all
from tests.analytics.factories import insert_rows
from tests.analytics.synthetic import random_company_rows
from tests.analytics.test_parity import assert_same
from tests.dbutil import fresh_sqlite

ROWS = st.lists(st.tuples(st.integers(0, 3), st.one_of(st.none(), st.integers(-5, 5)),
                          st.sampled_from(["a", "b", None])), max_size=12)


def _reductions(t):
    return {
        "n": t.count(), "s": t.x.sum(), "m": t.x.mean(), "c": t.x.count(), "d": t.x.nunique(),
        "lo": t.x.min(), "ratio": t.x.sum().cast("float64") / t.count().cast("float64").nullif(0.0),
        "cond": ibis.ifelse(t.k == "a", t.x, None).mean(),
    }


@pytest.fixture(scope="module", params=["duckdb", "sqlite"])
def backend(request):
    return ibis.duckdb.connect() if request.param == "duckdb" else ibis.sqlite.connect()


@settings(max_examples=40, deadline=None)
@given(rows=ROWS, keep=st.sets(st.integers(0, 3)))
def test_restrict_equals_filtering_first(backend, rows, keep):
    frame = pd.DataFrame(rows, columns=["g", "x", "k"], dtype=object)
    t = ibis.memtable(frame, schema={"g": "int64", "x": "int64", "k": "string"})
    cond = t.g.isin(sorted(keep)) if keep else ibis.literal(False)
    sub = t.filter(cond)
    expected = backend.execute(sub.aggregate(**_reductions(sub)))
    got = backend.execute(t.aggregate(**{k: restrict(v, cond) for k, v in _reductions(t).items()}))
    for col in expected.columns:
        e, g = expected[col].iloc[0], got[col].iloc[0]
        assert (pd.isna(e) and pd.isna(g)) or e == pytest.approx(g), (col, e, g)


def test_restrict_refuses_window_functions():
    t = ibis.table({"x": "int64"}, name="t")
    with pytest.raises(ValueError, match="window"):
        restrict(t.x.sum().over(ibis.window()), t.x > 0)


def test_columns_read_names_the_fields():
    t = ibis.table({"x": "int64", "y": "string", "z": "float64"}, name="t")
    assert columns_read([t.x.sum(), ibis.ifelse(t.y == "a", 1, 0).sum()], t) == {"x", "y"}
    other = ibis.table({"x": "int64"}, name="u")
    assert columns_read([other.x.sum()], t) is None


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    with fresh_sqlite(tmp_path_factory.mktemp("batching")) as url:
        insert_rows(url, random_company_rows(np.random.default_rng(7)))
        yield connect(url)


class Prefiltered(Facts):
    """Fact views filtered up front: the plain meaning of a request's filters."""

    def __init__(self, con, filters):
        super().__init__(con)
        self.filters = filters

    def fact(self, name, needs=frozenset(), wanted=None):
        t = super().fact(name, needs)
        for key, values in self.filters.items():
            col = "customer_id" if key == "customer" else key
            t = t.filter(t[col].isin(list(values)) if col in t.columns else ibis.literal(False))
        return t


REQUESTS = [
    {},
    {"channel": ["phone"]},
    {"channel": ["chat", "email"], "tier": ["top", "mid"]},
    {"team": ["n1"]},
    {"reason": ["nothing-has-this"]},
    {"customer": [1, 2, 3, 5, 8]},
]


@pytest.mark.parametrize("by", [(), ("month", "channel"), ("tier", "team")],
                         ids=lambda b: "x".join(b) or "total")
def test_compute_many_equals_one_filtered_query_per_request(company, by):
    metrics = list(all_metrics())
    tables = compute_many(Facts(company), [(metrics, f) for f in REQUESTS], by=by)
    for filters, table in zip(REQUESTS, tables, strict=True):
        expected = compute(Prefiltered(company, filters), metrics, by=by)
        assert_same(expected, table, f"{filters} by {by}")


@pytest.mark.parametrize("by", [("tier",), ("month", "tier"), ("tier", "agent"), ("customer", "tier")],
                         ids=lambda b: "x".join(b))
def test_tier_slices_per_customer_equal_joining_customers_first(company, by, monkeypatch):
    facts = Facts(company)
    eager = compute(facts, by=by, filters={"channel": ["phone", "chat", "self_service"]})
    monkeypatch.setattr(compute_module, "split", lambda *args: None)
    plain = compute(facts, by=by, filters={"channel": ["phone", "chat", "self_service"]})
    assert_same(plain, eager, f"eager by {by}")


def test_scorecard_of_every_tier_matches_filtered_evaluation(company):
    card = load_scorecard()
    facts = Facts(company)
    many = evaluate_all(card, facts, "tier")
    assert [r.entity for r in many] == sorted(r.entity for r in many) and len(many) >= 3
    for res in many:
        code = res.entity.split(":", 1)[1]
        alone = evaluate_all(card, Prefiltered(company, {"tier": [code]}), "tier")
        assert [r.entity for r in alone] == [res.entity]
        assert alone[0].total == pytest.approx(res.total, rel=1e-12)


def _tables(t) -> set[str]:
    return {n.name for n in t.op().find(ops.DatabaseTable)}


def test_lean_views_join_only_what_is_read(company):
    facts = Facts(company)
    assert _tables(facts.fact("contacts", wanted=frozenset({"channel", "cost"}))) == {
        "contacts", "channels"}
    assert "customers" in _tables(facts.fact("contacts", wanted=frozenset({"tier"})))
    assert _tables(facts.fact("surveys", wanted=frozenset({"csat", "ts"}))) == {"survey_responses"}
    assert "contacts" in _tables(facts.fact("surveys", wanted=frozenset({"csat", "team"})))
    lean_cases = facts.fact("cases", wanted=frozenset({"resolved", "ts"}))
    assert _tables(lean_cases) == {"cases"}
    assert "customers" in _tables(facts.fact("cases", wanted=frozenset({"recovered"})))
    # the full views are unchanged: every dimension, with the reference of each unique code
    full = facts.contacts
    assert {"channel", "reason", "tier", "team", "agent", "channel_ref", "agent_ref"} <= set(
        full.columns)

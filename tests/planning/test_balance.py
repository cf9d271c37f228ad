"""The balance glue on a small demo company: inputs from measurements, frontier, changes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equipoise.analytics.backends import connect
from equipoise.db.engine import make_engine
from equipoise.demo.build import DemoSpec
from equipoise.demo.service import build_demo
from equipoise.engine.optimize import current_policy, evaluate
from equipoise.engine.queueing import erlang_a_metrics
from equipoise.kit.errors import InvalidInput
from equipoise.planning.balance import build_model, measure, recommend_policy, report, shrunk
from tests.dbutil import fresh_sqlite

SPEC = DemoSpec(customers=3000, months=6, seed=7)


def balance_demo_url(tmp_path_factory) -> str:
    """A SQLite file with the 3,000 x 6 demo, built once per test session."""
    path = tmp_path_factory.getbasetemp() / "balance_demo_3000x6.sqlite3"
    url = f"sqlite:///{path}"
    if not path.exists():
        with fresh_sqlite(tmp_path_factory.getbasetemp()) as tmp_url:
            engine = make_engine(tmp_url)
            build_demo(engine, SPEC)
            engine.dispose()
            (tmp_path_factory.getbasetemp() / tmp_url.rsplit("/", 1)[1]).rename(path)
    return url


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    return balance_demo_url(tmp_path_factory)


@pytest.fixture(scope="module")
def model(url):
    return build_model(connect(url))


@pytest.fixture(scope="module")
def rec(model):
    return recommend_policy(model, points=20)


def test_shrunk_by_hand():
    frame = pd.DataFrame({"g": ["a", "a", "b"], "h": ["x", "y", "x"],
                          "num": [8.0, 1.0, 0.0], "den": [10.0, 2.0, 0.0]})
    grid = pd.DataFrame({"g": ["a", "a", "b", "c"], "h": ["x", "y", "x", "x"]})
    got = shrunk(frame, "num", "den", [("g",), ("g", "h")], grid, strength=2.0, default=0.0)
    top = 9.0 / 12.0
    a = (9.0 + 2.0 * top) / (12.0 + 2.0)
    b = top  # no data: the parent's rate
    expected = [(8.0 + 2.0 * a) / 12.0, (1.0 + 2.0 * a) / 4.0, b, top]
    np.testing.assert_allclose(got, expected)


def test_inputs_come_from_measurements(url, model):
    p = model.problem
    m = measure(connect(url))
    assert [t.code for t in p.tiers] == ["top", "high", "mid", "low", "inactive", "prospect"]
    # issues per year = cases x 52.18 / weeks observed
    assert p.volume.sum() == pytest.approx(m.issues["issues"].sum() * m.annual_factor)
    # today's mix is the first-contact channel mix; field takes no first contacts
    assert not p.eligible[:, :, p.channel_index("field")].any()
    np.testing.assert_allclose(p.current_share.sum(axis=2)[p.volume > 0], 1.0)
    # cost of a phone contact = handle time x loaded rate + tech: inside DESIGN's $8-25 range
    phone = p.channel_index("phone")
    assert 5.0 < float(np.average(p.handle_cost[:, :, phone], weights=p.volume)) < 25.0
    ivr = p.channels[p.channel_index("ivr")]
    assert ivr.escalates_to == "phone" and not ivr.staffed
    assert set(model.queues) == {"phone", "chat"}  # the channels where customers abandon
    assert model.churn.fitted.source == "fitted"


def test_model_reproduces_the_measured_state(model):
    today = evaluate(model.problem, current_policy(model.problem))
    measured = model.measured
    assert today.service_cost == pytest.approx(measured["service_cost_per_year"], rel=0.15)
    assert 100 * today.csat_overall == pytest.approx(100 * measured["csat_top2"], abs=3.0)


def test_queue_options_follow_erlang_a(model):
    qp = model.queues["phone"]
    servers = qp.servers_for(0.8)
    met = erlang_a_metrics(qp.arrivals_per_hour / 3600.0, qp.aht_seconds, qp.patience_seconds,
                           servers, qp.target_seconds)
    busy = qp.arrivals_per_hour > 0
    assert np.all(np.asarray(met.service_level)[busy] >= 0.8 - 1e-9)
    fewer = erlang_a_metrics(qp.arrivals_per_hour / 3600.0, qp.aht_seconds, qp.patience_seconds,
                             np.maximum(servers - 1, 0), qp.target_seconds)
    assert np.all(np.asarray(fewer.service_level)[busy & (servers > 0)] < 0.8)
    # at today's measured service level the calibrated Erlang hours equal today's paid hours
    today = qp.outcome(qp.servers_for(qp.service_level))
    assert today.agent_hours_per_week == pytest.approx(qp.paid_hours_per_week)
    names = [o.name for o in model.problem.channels[0].effective_options]
    assert names[0] == "today" and "80/30s" in names


def test_recommendation_beats_today(rec, model):
    f = rec.frontier
    assert len(f.points) >= 20
    assert f.recommended.evaluation.total_cost < f.current.total_cost
    assert f.balance.total_cost == min(pt.total_cost for pt in f.points)
    assert rec.plan.total_delta_cost == pytest.approx(
        rec.plan.target.total_cost - rec.plan.current.total_cost, rel=1e-6)
    out = report(model, rec)
    assert out["recommended"]["net_value_vs_current"] > 0
    assert len(out["frontier"]) == 22 and out["changes"]
    first = out["changes"][0]
    assert {"delta_net_cost", "delta_csat_points", "delta_service_cost"} <= set(first)


def test_floors_and_budget_are_checked(url, model):
    with pytest.raises(InvalidInput, match="unknown tiers"):
        build_model(connect(url), floors={"platinum": 0.9})
    with pytest.raises(InvalidInput, match="at least 20"):
        recommend_policy(model, points=5)
    today_top = evaluate(model.problem, current_policy(model.problem)).csat_by_tier["top"]
    floor = build_model(connect(url), floors={"top": today_top + 0.03})
    sol_tier = recommend_policy(floor, points=20).frontier.recommended.evaluation
    assert sol_tier.csat_by_tier["top"] >= today_top + 0.03 - 1e-6

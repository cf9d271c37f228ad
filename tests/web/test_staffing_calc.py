"""The week's staffing picture checked against the database and the Erlang A formulas."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from sqlalchemy import text

from equipoise.db.engine import make_engine
from equipoise.engine.queueing import erlang_a_metrics, erlang_c_metrics
from equipoise.interfaces.web.staffing_calc import plan_week, plannable_weeks, staffed_channels
from equipoise.kit.errors import InvalidInput
from equipoise.planning.calibrate import forecast_channel


@pytest.fixture(scope="module")
def engine(demo_url):
    eng = make_engine(demo_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def phone(engine):
    return next(c for c in staffed_channels(engine) if c.code == "phone")


def test_channels_and_weeks(engine):
    codes = [c.code for c in staffed_channels(engine)]
    assert "phone" in codes and "chat" in codes and "ivr" not in codes
    weeks = plannable_weeks(engine, "phone")
    with engine.connect() as conn:
        first, last = conn.execute(text(
            "SELECT MIN(c.arrived_at), MAX(c.arrived_at) FROM contacts c JOIN channels ch "
            "ON ch.id = c.channel_id WHERE ch.code = 'phone' AND c.direction = 'inbound'")).one()
    first, last = (v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(v)
                   for v in (first, last))
    assert weeks and all(w.weekday() == 0 for w in weeks)
    assert weeks[0] >= first.date() + dt.timedelta(days=7) > weeks[0] - dt.timedelta(days=7)
    assert weeks[-1] <= last.date() < weeks[-1] + dt.timedelta(days=7)


def test_plan_week_matches_database_forecast_and_erlang(engine, phone):
    monday = plannable_weeks(engine, "phone")[-2]
    plan = plan_week(engine, phone, monday, target_sl_pct=80, shrinkage_pct=25)
    start, end = dt.datetime.combine(monday, dt.time()), dt.datetime.combine(
        monday + dt.timedelta(days=7), dt.time())
    with engine.connect() as conn:
        arrived = conn.execute(text(
            "SELECT COUNT(*) FROM contacts c JOIN channels ch ON ch.id = c.channel_id "
            "WHERE ch.code = 'phone' AND c.direction = 'inbound' AND c.arrived_at >= :s "
            "AND c.arrived_at < :e"), {"s": start, "e": end}).scalar_one()
    assert plan.actual.sum() == arrived and plan.actual.size == 7 * 48
    fc = forecast_channel(engine, "phone", 30, 8, monday, 7)
    np.testing.assert_allclose(plan.forecast, np.maximum(fc.expected, 0.0))
    assert plan.wape_pct == pytest.approx(
        100 * np.abs(plan.actual - plan.forecast).sum() / arrived)
    np.testing.assert_array_equal(plan.scheduled, np.ceil(plan.agents / 0.75 - 1e-9))
    assert plan.agent_hours == pytest.approx(plan.agents.sum() / 2)

    # Minimality by the formulas: the target holds with N agents and fails with N - 1.
    busy = plan.agents > 0
    assert np.array_equal(busy, plan.forecast > 0)
    lam = plan.forecast[busy] / 1800.0
    n = plan.agents[busy]

    def sl(agents, rate):
        if plan.model == "a":
            m = erlang_a_metrics(rate, plan.aht_seconds, plan.patience_seconds, agents,
                                 phone.service_level_seconds)
        else:
            m = erlang_c_metrics(rate, plan.aht_seconds, agents, phone.service_level_seconds)
        return np.atleast_1d(np.asarray(m.service_level))

    assert np.all(sl(n, lam) >= 0.8 - 1e-12)
    more = n > 1
    assert np.all(sl(n[more] - 1, lam[more]) < 0.8)
    np.testing.assert_allclose(plan.service_level_pct[busy], 100 * sl(n, lam))
    assert np.all(np.isnan(plan.service_level_pct[~busy]))


def test_plan_week_validates_its_inputs(engine, phone):
    monday = plannable_weeks(engine, "phone")[-1]
    for kwargs, field in (({"target_sl_pct": 0}, "target_sl"), ({"target_sl_pct": math.nan},
                                                                 "target_sl"),
                          ({"shrinkage_pct": 95}, "shrinkage")):
        with pytest.raises(InvalidInput) as err:
            plan_week(engine, phone, monday, **kwargs)
        assert err.value.field == field
    with pytest.raises(InvalidInput) as err:
        plan_week(engine, phone, monday + dt.timedelta(days=2))
    assert err.value.field == "week"

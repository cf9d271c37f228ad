"""Staffing page choices and the plan shown on it, checked against the database and the plan."""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from equipoise.config import Settings
from equipoise.db.engine import make_engine
from equipoise.interfaces.app import create_app
from equipoise.interfaces.web.staffing_choices import (
    default_choice,
    plannable_weeks,
    series,
    staffed_channels,
    week_option,
)
from equipoise.planning.staffing import default_week, plan_week
from tests.web.conftest import sign_in


@pytest.fixture(scope="module")
def engine(demo_url):
    eng = make_engine(demo_url)
    yield eng
    eng.dispose()


def _span(engine, code):
    with engine.connect() as conn:
        first, last = conn.execute(text(
            "SELECT MIN(c.arrived_at), MAX(c.arrived_at) FROM contacts c JOIN channels ch "
            "ON ch.id = c.channel_id WHERE ch.code = :code AND c.direction = 'inbound'"),
            {"code": code}).one()
    return tuple(v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(v)
                 for v in (first, last))


def test_channels_and_weeks(engine):
    codes = [c.code for c in staffed_channels(engine)]
    assert "phone" in codes and "chat" in codes and "ivr" not in codes
    first, last = _span(engine, "phone")
    weeks = plannable_weeks(engine, "phone")
    assert weeks and all(w.weekday() == 0 for w in weeks)
    assert np.all(np.diff(np.array(weeks, dtype="datetime64[D]")).astype(int) == 7)
    assert weeks[0] >= first.date() + dt.timedelta(days=7) > weeks[0] - dt.timedelta(days=7)
    assert weeks[-1] == default_week(engine, "phone").date() > last.date()
    chosen = default_choice(weeks, last)
    assert chosen + dt.timedelta(days=7) <= last.date() + dt.timedelta(days=1)
    assert chosen + dt.timedelta(days=14) > last.date() + dt.timedelta(days=1)
    assert default_choice([], last) is None


def test_week_option_labels():
    assert week_option(dt.date(2026, 1, 12), dt.date(2026, 1, 31)) == (
        "2026-W03", "2026-W03 (from Mon 12 Jan 2026)")
    assert week_option(dt.date(2026, 2, 2), dt.date(2026, 1, 31))[1].endswith("forecast only")


def test_series_follow_the_plan(engine):
    weeks = plannable_weeks(engine, "phone")
    monday = dt.datetime.combine(weeks[-2], dt.time())
    plan = plan_week(engine, "phone", week_start=monday)
    s = series(plan)
    assert len(s.starts) == len(plan.intervals) == 7 * 48
    assert s.starts[0] == monday.strftime("%Y-%m-%d %H:%M")
    np.testing.assert_array_equal(s.required, [r.required_agents for r in plan.intervals])
    assert s.actual is not None and np.nansum(s.actual) == plan.totals.actual_calls
    known = ~np.isnan(s.actual)
    wape = 100 * np.abs(s.actual[known] - s.forecast[known]).sum() / s.actual[known].sum()
    assert s.wape_pct == pytest.approx(wape)
    staffed = s.required > 0
    assert np.all(np.isnan(s.service_level_pct[~staffed]))
    assert np.all(s.service_level_pct[staffed] >= 100 * plan.target_sl - 1e-9)
    future = series(plan_week(engine, "phone", week_start=dt.datetime.combine(weeks[-1],
                                                                               dt.time())))
    assert future.actual is None and future.wape_pct is None


def test_page_shows_the_plan(demo_url, engine):
    app = create_app(Settings(database_url=demo_url))
    with TestClient(app) as client:
        sign_in(client)
        week = plannable_weeks(engine, "chat")[-3]
        label = week_option(week, None)[0]
        page = client.get(f"/staffing?channel=chat&week={label}&target_sl=90&shrinkage=20")
    assert page.status_code == 200
    plan = plan_week(engine, "chat", week_start=dt.datetime.combine(week, dt.time()),
                     target_sl=0.9, shrinkage=0.2)
    figs = {k: json.loads(v) for k, v in re.findall(
        r'<script type="application/json" id="([\w-]+)-figure">(.*?)</script>', page.text, re.S)}
    agents = {t["name"]: t["y"] for t in figs["chart-agents"]["data"]}
    assert agents["Required"] == [r.required_agents for r in plan.intervals]
    assert agents["Scheduled (with shrinkage)"] == [r.scheduled_agents for r in plan.intervals]
    assert agents["On shift (recorded)"] == pytest.approx(
        [r.actual_scheduled for r in plan.intervals])
    arrivals = figs["chart-arrivals"]["data"]
    assert arrivals[0]["name"] == "Actual"
    assert sum(v for v in arrivals[0]["y"] if v is not None) == plan.totals.actual_calls
    hours = re.search(r'id="staff-hours">([^<]*)<', page.text).group(1)
    assert hours == f"{plan.totals.agent_hours:,.1f} h"
    assert f'data-week="{label}"' in page.text

"""Staffing plans from the database: hand-made histories with exact answers, and the demo company."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from sqlalchemy import func, select

from equipoise.db.engine import make_engine, session_scope
from equipoise.engine.queueing import deferred_agents, erlang_c_metrics, required_agents
from equipoise.kit.errors import InvalidInput, NotFound
from equipoise.models import Agent, AgentShift, Channel, Contact
from equipoise.planning.staffing import default_week, parse_week, plan_week, week_label
from tests.planning.factories import make_channel, make_contact, make_refs

MONDAY = dt.datetime(2024, 3, 4)  # ISO week 2024-W10
AHT = 180.0
SPREAD = 0.4  # handle times 180 exp(-s^2/2 +- s): their lognormal MLE mean is exactly 180 s


def _handles() -> tuple[float, float]:
    base = AHT * math.exp(-SPREAD**2 / 2)
    return base * math.exp(SPREAD), base * math.exp(-SPREAD)


def _history(session, channel, refs, *, weeks: int, per_hour: int, abandon_every: int = 0,
             wait: float = 0.0) -> None:
    """``per_hour`` contacts in every open hour (Mon-Fri 08-18) for ``weeks`` weeks."""
    long, short = _handles()
    n = 0
    for day in range(7 * weeks):
        if day % 7 >= 5:
            continue
        for hour in range(8, 18):
            start = MONDAY + dt.timedelta(days=day, hours=hour)
            for k in range(per_hour):
                arrived = start + dt.timedelta(seconds=k * 3600 // per_hour)
                n += 1
                gone = abandon_every > 0 and n % abandon_every == 0
                make_contact(session, refs, channel, arrived, wait=wait,
                             handle=long if n % 2 else short, abandoned=gone)
    session.flush()


@pytest.fixture
def phone_history(sqlite_url):
    """Three weeks of a steady phone line: 20 calls an hour, nobody abandons."""
    engine = make_engine(sqlite_url)
    with session_scope(engine) as s:
        refs = make_refs(s)
        channel = make_channel(s, "phone")
        channel.service_level_seconds = 20.0
        _history(s, channel, refs, weeks=3, per_hour=20)
        cheap = Agent(code="a1", name="A1", team_id=refs.team_id, hourly_cost=40.0)
        dear = Agent(code="a2", name="A2", team_id=refs.team_id, hourly_cost=60.0)
        s.add_all([cheap, dear])
        s.flush()
        week3 = MONDAY + dt.timedelta(days=14)
        s.add_all([
            AgentShift(agent_id=cheap.id, channel_id=channel.id,
                       starts_at=week3 + dt.timedelta(hours=8),
                       ends_at=week3 + dt.timedelta(hours=12)),
            AgentShift(agent_id=dear.id, channel_id=channel.id,
                       starts_at=week3 + dt.timedelta(hours=8, minutes=15),
                       ends_at=week3 + dt.timedelta(hours=9)),
        ])
    yield engine
    engine.dispose()


def test_iso_weeks() -> None:
    assert parse_week("2026-W44") == dt.datetime(2026, 10, 26)
    assert week_label(dt.datetime(2026, 10, 26)) == "2026-W44"
    assert parse_week("2024-w10") == MONDAY
    for bad in ("2026-44", "W44", "2026-W54", ""):
        with pytest.raises(InvalidInput, match="week"):
            parse_week(bad)


def test_steady_phone_week_has_exact_staffing(phone_history) -> None:
    plan = plan_week(phone_history, "phone", week_start=MONDAY + dt.timedelta(days=14),
                     interval_minutes=60, history_weeks=2, shrinkage=0.3)
    assert plan.method == "erlang_c" and plan.patience_seconds is None
    assert plan.aht_seconds == pytest.approx(AHT, rel=1e-9)
    assert plan.target_seconds == 20.0 and plan.week == "2024-W12"
    assert len(plan.intervals) == 7 * 24
    open_rows = [r for r in plan.intervals if r.open]
    assert len(open_rows) == 5 * 10
    # 20 calls an hour of 180 s = 1 Erlang: 80% in 20 s needs 3 agents (2 give 74.2%).
    expected = int(required_agents("c", 20, 3600, AHT, target_sl=0.8, target_seconds=20).agents)
    assert expected == 3
    assert erlang_c_metrics(20 / 3600, AHT, 2, 20).service_level < 0.8
    for r in open_rows:
        assert r.forecast_calls == pytest.approx(20.0, rel=1e-9)
        assert r.actual_calls == 20
        assert r.required_agents == 3 and r.scheduled_agents == math.ceil(3 / 0.7) == 5
        m = erlang_c_metrics(20 / 3600, AHT, 3, 20)
        assert r.service_level == pytest.approx(float(m.service_level), rel=1e-9)
        assert r.occupancy == pytest.approx(1 / 3, rel=1e-9)
    closed = [r for r in plan.intervals if not r.open]
    assert all(r.required_agents == 0 and r.service_level is None for r in closed)
    t = plan.totals
    assert t.productive_hours == 150 and t.agent_hours == 250
    assert t.forecast_calls == pytest.approx(1000) and t.actual_calls == 1000
    # cost at the mean loaded cost of the two agents with shifts on the channel
    assert plan.hourly_cost == pytest.approx(50.0) and t.cost == pytest.approx(250 * 50.0)


def test_past_week_shows_agents_actually_on_shift(phone_history) -> None:
    plan = plan_week(phone_history, "phone", week_start=MONDAY + dt.timedelta(days=14),
                     interval_minutes=30, history_weeks=2)
    on_shift = {r.start.strftime("%H:%M"): r.actual_scheduled for r in plan.intervals[:48]}
    # 08:00-12:00 one agent; 08:15-09:00 a second one (half of 08:00-08:30)
    assert on_shift["07:30"] == 0.0
    assert on_shift["08:00"] == pytest.approx(1.5)
    assert on_shift["08:30"] == pytest.approx(2.0)
    assert on_shift["09:00"] == pytest.approx(1.0)
    assert on_shift["12:00"] == 0.0
    # the history ends on Friday: the weekend's arrivals are unknown, Friday's are known
    friday = [r for r in plan.intervals if r.start.weekday() == 4]
    weekend = [r for r in plan.intervals if r.start.weekday() >= 5]
    assert all(r.actual_calls is not None for r in friday)
    assert all(r.actual_calls is None for r in weekend)
    assert plan.totals.actual_agent_hours == pytest.approx(4.75)
    assert plan.totals.actual_cost == pytest.approx(4.75 * 50.0)
    future = plan_week(phone_history, "phone", interval_minutes=30, history_weeks=2)
    assert future.week_start == MONDAY + dt.timedelta(days=21)
    assert default_week(phone_history, "phone") == future.week_start
    assert future.totals.actual_calls is None and future.intervals[0].actual_scheduled is None


def test_abandonment_switches_to_erlang_a_with_the_censored_patience(sqlite_url) -> None:
    engine = make_engine(sqlite_url)
    with session_scope(engine) as s:
        refs = make_refs(s)
        channel = make_channel(s, "phone")
        _history(s, channel, refs, weeks=2, per_hour=20, abandon_every=10, wait=30.0)
    plan = plan_week(engine, "phone", week_start=MONDAY + dt.timedelta(days=14),
                     interval_minutes=60, history_weeks=2, target_sl=0.8)
    # exponential MLE from censored waits: total wait / abandonments = 30 s x 10
    assert plan.method == "erlang_a"
    assert plan.patience_seconds == pytest.approx(300.0, rel=1e-9)
    # abandoned contacts carry no handle time; answered ones alternate long/short
    expected = required_agents("a", np.array([20.0]), 3600, plan.aht_seconds, target_sl=0.8,
                               target_seconds=30.0, patience_seconds=300.0)
    assert {r.required_agents for r in plan.intervals if r.open} == {int(expected.agents[0])}
    engine.dispose()


def test_chat_concurrency_divides_servers_between_agents(sqlite_url) -> None:
    engine = make_engine(sqlite_url)
    with session_scope(engine) as s:
        refs = make_refs(s)
        channel = make_channel(s, "chat")
        channel.concurrency = 2.5
        channel.service_level_seconds = 60.0
        _history(s, channel, refs, weeks=1, per_hour=100)
    plan = plan_week(engine, "chat", week_start=MONDAY + dt.timedelta(days=7),
                     interval_minutes=60, history_weeks=1)
    servers = int(required_agents("c", 100, 3600, AHT, target_sl=0.8, target_seconds=60).agents)
    assert servers == 7
    row = next(r for r in plan.intervals if r.open)
    assert row.required_agents == math.ceil(servers / 2.5) == 3
    # the metrics are those of the 7 servers that 3 agents x 2.5 provide
    m = erlang_c_metrics(100 / 3600, AHT, 7, 60)
    assert row.service_level == pytest.approx(float(m.service_level), rel=1e-9)
    engine.dispose()


def test_email_is_deferred_work_cleared_within_its_response_time(sqlite_url) -> None:
    engine = make_engine(sqlite_url)
    with session_scope(engine) as s:
        refs = make_refs(s)
        channel = make_channel(s, "email")
        channel.service_level_seconds = 4 * 3600.0
        _history(s, channel, refs, weeks=1, per_hour=10, wait=0.0)
    plan = plan_week(engine, "email", week_start=MONDAY + dt.timedelta(days=7),
                     interval_minutes=60, history_weeks=1, deferred_occupancy=1.0)
    assert plan.method == "deferred"
    calls = np.array([r.forecast_calls for r in plan.intervals])
    is_open = np.array([r.open for r in plan.intervals])
    direct = deferred_agents(calls * plan.aht_seconds, is_open, 3600, 4 * 3600)
    assert [r.required_agents for r in plan.intervals] == list(direct.agents)
    # 10 emails x 180 s = half an agent-hour per open hour; due 4 hours later (or, for the last
    # three hours of the day, at 17:00): 50 agent-hours of work need at least 25 agent-hours
    work_hours = calls.sum() * plan.aht_seconds / 3600
    assert work_hours == pytest.approx(25.0, rel=1e-9)
    assert plan.totals.productive_hours >= work_hours
    assert all(r.service_level is None for r in plan.intervals)
    engine.dispose()


def test_bad_requests_name_the_problem(phone_history) -> None:
    with pytest.raises(NotFound, match="known: phone"):
        plan_week(phone_history, "fax")
    with pytest.raises(InvalidInput, match="target_sl"):
        plan_week(phone_history, "phone", target_sl=1.2)
    with pytest.raises(InvalidInput, match="shrinkage"):
        plan_week(phone_history, "phone", shrinkage=1.0)
    with pytest.raises(InvalidInput, match="Monday"):
        plan_week(phone_history, "phone", week_start=MONDAY + dt.timedelta(days=1))
    with pytest.raises(InvalidInput, match="at least one week before"):
        plan_week(phone_history, "phone", week_start=MONDAY)


# --- the demo company --------------------------------------------------------------------


@pytest.mark.parametrize("code", ["phone", "chat", "email"])
def test_demo_plans_are_consistent(demo_url, code: str) -> None:
    engine = make_engine(demo_url)
    try:
        plan = plan_week(engine, code, interval_minutes=30)
        past = plan_week(engine, code, week_start=plan.week_start - dt.timedelta(days=14))
        with engine.connect() as conn:
            cid = conn.execute(select(Channel.id).where(Channel.code == code)).scalar_one()
            counted = conn.execute(select(func.count()).select_from(Contact).where(
                Contact.channel_id == cid, Contact.direction == "inbound",
                Contact.arrived_at >= past.week_start,
                Contact.arrived_at < past.week_start + dt.timedelta(days=7))).scalar_one()
    finally:
        engine.dispose()
    assert plan.method == ("deferred" if code == "email" else "erlang_a")
    assert past.totals.actual_calls == counted
    assert past.totals.actual_agent_hours and past.totals.actual_agent_hours > 0
    for p in (plan, past):
        rows = p.intervals
        assert all(r.scheduled_agents == math.ceil(r.required_agents / 0.7 - 1e-9) for r in rows)
        assert all(r.required_agents == 0 for r in rows if not r.open)
        if p.method != "deferred":
            staffed = [r for r in rows if r.required_agents and r.forecast_calls > 0]
            assert staffed and all(r.service_level >= 0.8 for r in staffed)
        assert p.totals.agent_hours == pytest.approx(sum(r.scheduled_agents for r in rows) / 2)
        assert p.totals.cost == pytest.approx(p.totals.agent_hours * p.hourly_cost)
        assert p.to_dict()["intervals"][0]["start"] == p.week_start.isoformat()


def test_an_answer_time_does_not_turn_deferred_work_into_a_queue(sqlite_url) -> None:
    engine = make_engine(sqlite_url)
    with session_scope(engine) as s:
        refs = make_refs(s)
        channel = make_channel(s, "email")
        channel.service_level_seconds = 4 * 3600.0
        _history(s, channel, refs, weeks=1, per_hour=10)
    plan = plan_week(engine, "email", week_start=MONDAY + dt.timedelta(days=7),
                     interval_minutes=60, history_weeks=1, target_seconds=20)
    assert plan.method == "deferred" and plan.target_seconds == 4 * 3600.0
    assert any("response target of 4 h" in note for note in plan.notes)
    engine.dispose()

"""Every registry metric checked against values worked out by hand on the small company.

October 2026 of tests/analytics/factories.py (contacts 1-12, cases 1-6 and 8, surveys 1-4):
- staffed inbound offered contacts: 1,2,3,4,5,8,9,10,11 (9); answered: all but 3 (8).
- waits of answered: 20,40,30,10,25,7200,60,10 -> ASA 7395/8; within target: 1,4,5,8,9,11 -> 6/9.
- handle of answered: 300,600,800,400,240,900,1200,200 -> AHT 4640/8 = 580.
- busy seconds (handle/concurrency, agent set, incl. outbound 12): 300+600+400+200+240+900+1200
  +200+120 = 4160; shifts 8+4+4+6+4+4 = 30 h.
- resolved cases 1..5, hours: 1/12, 25+22/60, 1/6, 72, 96 -> median 25.3667, p90 72+0.6*24.
- FCR: case 1 has a same-reason repeat (contact 11) 4.99 days later, case 2 has 3 customer
  contacts (1 first, 1 repeat, 1 retry; the transfer does not count) -> 3/5.
- case cost: 3 + 13.7 + 2.6 + 5 + 12 = 36.3 over 5 resolved cases.
- surveys: csat 5,2,4,3; nps 10,3,8,6; ces 2,6,3; perception-expectation 1,-2,0.
- QA reviews: 90 (contact 1: a1, t1, phone, billing, top), 60 (contact 4: a2, t2, chat,
  billing, low), 80 (contact 10: a1, t1, phone, outage, mid), 70 (case 8 alone: a2, t2, email,
  billing, low) -> 300/4 = 75; November: 50 (contact 13, a2).
"""

from __future__ import annotations

import pytest

from equipoise.analytics.backends import connect
from equipoise.analytics.compute import compute
from equipoise.analytics.facts import Facts, MetricParams
from equipoise.analytics.periods import parse_period
from equipoise.analytics.registry import all_metrics
from tests.analytics.factories import small_company

OCTOBER = {
    "contacts": 12, "customers_served": 4, "offered": 9, "answered": 8, "asa": 7395 / 8, "service_level": 600 / 9,
    "abandonment_rate": 100 / 9, "transfer_rate": 12.5, "aht": 580.0, "deflection_rate": 10.0,
    "busy_hours": 4160 / 3600, "total_cost": 38.5, "cost_per_contact": 38.5 / 12,
    "cost_to_serve": 38.5 / 4, "cases": 7,
    "first_response_time": (20 + 40 + 325 + 7200 + 60 + 10) / 6 / 3600,
    "ttr_median": 25 + 22 / 60, "ttr_p90": 72 + 0.6 * 24, "resolution_rate": 500 / 7,
    "resolved_within_3_days": 80.0, "fcr": 60.0, "reopen_rate": 20.0, "sla_response": 500 / 6,
    "sla_resolution": 50.0, "complaint_rate": 200 / 7, "complaint_resolution_time": 96.0,
    "complaint_recovery": 50.0, "cost_per_resolved_case": 36.3 / 5, "survey_responses": 4,
    "csat": 50.0, "csat_mean": 3.5, "nps": -25.0, "ces": 11 / 3, "expectation_gap": -1 / 3,
    "staffed_hours": 30.0, "occupancy": 100 * (4160 / 3600) / 30, "qa_score": 75.0,
}


@pytest.fixture
def facts(database_url):
    small_company(database_url)
    return Facts(connect(database_url))


def test_every_registered_metric_has_a_hand_computed_value():
    assert set(OCTOBER) == set(all_metrics())


def test_october_totals_match_hand_computation(facts):
    table = compute(facts, period=parse_period("2026-10"))
    for slug, expected in OCTOBER.items():
        assert table.total(slug) == pytest.approx(expected, rel=1e-9), slug


def test_slice_by_channel(facts):
    table = compute(facts, ["contacts", "total_cost", "csat", "occupancy", "ttr_median"],
                    period=parse_period("2026-10"), by=["channel"])
    rows = {r["channel"]: r for r in table.rows()}
    assert rows["phone"]["contacts"] == 7 and rows["phone"]["total_cost"] == pytest.approx(27.1)
    assert rows["chat"]["contacts"] == 2 and rows["chat"]["csat"] == 0.0
    # survey 3 belongs to case 3, whose first channel is self-service
    assert rows["self_service"]["csat"] == 100.0 and rows["self_service"]["occupancy"] is None
    assert rows["email"]["occupancy"] == pytest.approx(100 * 900 / 3600 / 6)
    assert rows["phone"]["occupancy"] == pytest.approx(100 * 2660 / 3600 / 20)
    assert rows["email"]["ttr_median"] == 72.0


def test_slice_by_month_and_team(facts):
    table = compute(facts, ["contacts", "total_cost"], by=["month", "team"])
    got = {(r["month"], r["team"]): (r["contacts"], r["total_cost"]) for r in table.rows()}
    assert got[("2026-10", "t1")] == (6, pytest.approx(29.2))
    assert got[("2026-10", "t2")] == (3, pytest.approx(8.4))
    assert got[("2026-10", None)] == (3, pytest.approx(0.9))
    assert got[("2026-11", "t2")] == (1, 5.0)


def test_slice_by_tier_and_filter_by_agent(facts):
    oct_ = parse_period("2026-10")
    tiers = {r["tier"]: r["csat"] for r in compute(facts, ["csat"], period=oct_, by=["tier"]).rows()}
    assert tiers == {"low": 50.0, "mid": 0.0, "top": 100.0}
    a1 = compute(facts, ["occupancy", "contacts"], period=oct_, filters={"agent": ["a1"]})
    assert a1.total("occupancy") == pytest.approx(100 * 3320 / 3600 / 22)
    assert a1.total("contacts") == 6


def test_qa_score_by_every_dimension(facts):
    oct_ = parse_period("2026-10")

    def by(key, period=oct_):
        return {r[key]: r["qa_score"] for r in compute(facts, ["qa_score"], period=period, by=[key]).rows()}

    assert by("channel") == {"phone": 85.0, "chat": 60.0, "email": 70.0}
    assert by("reason") == {"billing": pytest.approx(220 / 3), "outage": 80.0}
    assert by("team") == {"t1": 85.0, "t2": 65.0}  # case 8's review takes the case's team
    assert by("tier") == {"top": 90.0, "mid": 80.0, "low": 65.0}
    assert by("agent", None) == {"a1": 85.0, "a2": 60.0}  # with November's 50
    assert by("month", None) == {"2026-10": 75.0, "2026-11": 50.0}
    a2 = compute(facts, ["qa_score"], period=oct_, filters={"agent": ["a2"], "channel": ["email"]})
    assert a2.total("qa_score") == 70.0


def test_week_day_and_quarter_grains(facts):
    weeks = compute(facts, ["contacts"], by=["week"]).rows()
    assert [(r["week"], r["contacts"]) for r in weeks] == [
        ("2026-W40", 10), ("2026-W41", 2), ("2026-W45", 1)]
    days = {r["day"]: r["contacts"] for r in compute(facts, ["contacts"], by=["day"]).rows()}
    assert days["2026-10-02"] == 4 and days["2026-11-02"] == 1
    quarters = compute(facts, ["cases"], by=["quarter"]).rows()
    assert quarters == [{"quarter": "2026-Q4", "cases": 8}]


def test_fcr_window_and_recovery_horizon_are_configurable(database_url):
    small_company(database_url)
    con = connect(database_url)
    oct_ = parse_period("2026-10")
    narrow = Facts(con, MetricParams(fcr_window_days=3, recovery_days=10))
    table = compute(narrow, ["fcr", "complaint_recovery"], period=oct_)
    assert table.total("fcr") == 80.0  # the repeat 4.99 days later falls outside 3 days
    assert table.total("complaint_recovery") == 100.0  # churn 26 days after: beyond 10 days


def test_empty_period_gives_zero_counts_and_no_rates(facts):
    table = compute(facts, ["contacts", "asa", "csat", "ttr_median", "occupancy"],
                    period=parse_period("2025-01"))
    assert table.total("contacts") == 0
    assert table.total("asa") is None and table.total("csat") is None
    assert table.total("ttr_median") is None and table.total("occupancy") is None


def test_bad_arguments_are_named(facts):
    with pytest.raises(ValueError, match="by: expected"):
        compute(facts, ["contacts"], by=["colour"])
    with pytest.raises(ValueError, match="unknown slug 'nope'"):
        compute(facts, ["nope"])
    with pytest.raises(ValueError, match="at most one period grain"):
        compute(facts, ["contacts"], by=["month", "week"])
    with pytest.raises(ValueError, match="filters: expected"):
        compute(facts, ["contacts"], filters={"colour": ["red"]})

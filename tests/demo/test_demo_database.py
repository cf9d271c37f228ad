"""Invariants of the demo company as written to a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import math
from collections import defaultdict

import pandas as pd
import pytest
from sqlalchemy import text

from equipoise.db.engine import make_engine
from equipoise.demo import truth


@pytest.fixture(scope="module")
def frames(demo_url):
    engine = make_engine(demo_url)
    q = {
        "contacts": "SELECT c.*, ch.code AS channel, ch.concurrency, ch.tech_cost_per_contact, "
        "ch.opening_hours, a.hourly_cost FROM contacts c JOIN channels ch ON ch.id = c.channel_id "
        "LEFT JOIN agents a ON a.id = c.agent_id ORDER BY c.id",
        "surveys": "SELECT s.*, c.ended_at AS contact_ended_at FROM survey_responses s "
        "JOIN contacts c ON c.id = s.contact_id",
        "customers": "SELECT * FROM customers",
        "budgets": "SELECT b.*, o.code, o.parent_id, o.kind FROM budget_lines b "
        "JOIN org_units o ON o.id = b.org_unit_id",
        "org": "SELECT * FROM org_units",
        "eligible": "SELECT r.code AS reason, ch.code AS channel FROM reason_channels rc "
        "JOIN contact_reasons r ON r.id = rc.reason_id JOIN channels ch ON ch.id = rc.channel_id",
        "reasons": "SELECT * FROM contact_reasons",
        "cases": "SELECT * FROM cases",
    }
    with engine.connect() as conn:
        out = {k: pd.read_sql(text(v), conn) for k, v in q.items()}
    engine.dispose()
    for frame in out.values():
        for col in frame.columns:
            if col.endswith(("_at", "_on")) or col == "period":
                frame[col] = pd.to_datetime(frame[col])
    return out


def test_every_contact_arrives_in_its_channels_opening_hours(frames):
    c = frames["contacts"]
    assert len(c) > 1000
    for arrived, hours in zip(c.arrived_at, c.opening_hours, strict=False):
        if isinstance(hours, str):
            hours = json.loads(hours)
        span = hours.get(str(arrived.weekday()))
        assert span is not None and span[0] <= arrived.hour < span[1], (arrived, hours)


def test_times_are_ordered_and_durations_non_negative(frames):
    c = frames["contacts"]
    assert (c.handle_seconds >= 0).all() and (c.wait_seconds >= 0).all()
    answered = c[c.answered_at.notna()]
    assert (answered.answered_at >= answered.arrived_at).all()
    assert (answered.ended_at >= answered.answered_at).all()
    waited = (answered.answered_at - answered.arrived_at).dt.total_seconds()
    assert ((waited - answered.wait_seconds).abs() < 1e-6).all()
    assert c.abandoned.astype(bool).eq(c.answered_at.isna()).all()


def test_cost_equals_the_channel_cost_formula(frames):
    c = frames["contacts"]
    agent_part = (c.handle_seconds / 3600 * c.hourly_cost / c.concurrency).where(c.agent_id.notna(), 0.0)
    expected = agent_part.fillna(0.0) + c.tech_cost_per_contact
    assert ((c.cost - expected).abs() < 1e-6).all()


def test_a_survey_never_precedes_its_contact(frames):
    s = frames["surveys"]
    assert len(s) > 100
    assert (s.sent_at >= s.contact_ended_at).all()
    assert (s.responded_at >= s.sent_at).all()
    assert s.csat.between(1, 5).all() and s.nps.between(0, 10).all() and s.ces.between(1, 7).all()


def test_about_a_fifth_of_answered_contacts_get_a_survey(frames):
    c, s = frames["contacts"], frames["surveys"]
    answered = ((~c.abandoned.astype(bool)) & c.outcome.isin(["resolved", "unresolved", "contained"])).sum()
    assert 0.15 < len(s) / answered < 0.25


def test_churned_customers_make_no_contacts_after_churning(frames):
    c, cu = frames["contacts"], frames["customers"]
    churned = cu[cu.churned_on.notna()].set_index("id").churned_on
    assert len(churned) > 0
    joined = c[c.customer_id.isin(churned.index)]
    churn_day = pd.to_datetime(joined.customer_id.map(churned))
    assert (joined.arrived_at < churn_day).all()


def test_contacts_use_only_channels_eligible_for_their_reason(frames):
    c, el, reasons = frames["contacts"], frames["eligible"], frames["reasons"]
    leaf = reasons[reasons.parent_id.notna()]
    assert len(leaf) >= 10
    allowed = set(zip(el.reason, el.channel, strict=False))
    code = dict(zip(reasons.id, reasons.code, strict=False))
    pairs = set(zip(c.reason_id.map(code), c.channel, strict=False))
    assert pairs <= allowed


def test_unresolved_contacts_produce_repeats_and_automation_escalates(frames):
    c = frames["contacts"].set_index("id")
    repeats = c[c.kind == "repeat"]
    assert len(repeats) > 0
    prev = c.loc[repeats.previous_contact_id.astype(int)]
    assert prev.outcome.isin(["unresolved", "resolved"]).all()
    automated = c[c.channel.isin(["ivr", "self_service"])]
    contained = (automated.outcome == "contained").mean()
    assert 0.2 < contained < 1.0
    esc = c[c.kind == "escalation"]
    esc_prev = c.loc[esc.previous_contact_id.astype(int)]
    assert esc_prev.outcome.isin(["escalated", "unresolved"]).all()
    assert (esc_prev.channel.isin(["ivr", "self_service"]) | (esc.channel == "field").values).all()


def test_budgets_cover_every_unit_and_month_and_roll_up(frames):
    b, org = frames["budgets"], frames["org"]
    periods = sorted(b.period.unique())
    assert len(b) == len(org) * len(periods)
    fixed = dict(zip(org.id, org.fixed_cost_monthly, strict=False))
    mismatches = []
    for period, grp in b.groupby("period"):
        target = dict(zip(grp.org_unit_id, grp.target_cost, strict=False))
        children = defaultdict(list)
        for uid, parent in zip(org.id, org.parent_id, strict=False):
            if not (isinstance(parent, float) and math.isnan(parent)) and parent is not None:
                children[int(parent)].append(uid)
        for parent, kids in children.items():
            total = sum(target[k] for k in kids) + fixed[parent]
            if abs(total - target[parent]) > 0.05:
                mismatches.append((str(period), dict(zip(org.id, org.code, strict=False))[parent]))
    month, branch, _factor = truth.BUDGET_MISMATCH
    assert [m[1] for m in mismatches] == [branch]
    assert pd.Timestamp(mismatches[0][0]) == pd.Timestamp(periods[month])


def test_case_outcomes_are_consistent(frames):
    cases = frames["cases"]
    assert cases.status_category.isin(["open", "paused", "resolved"]).all()
    solved = cases[cases.status == "solved"]
    assert (solved.resolved_at >= solved.opened_at).all()
    assert cases.is_complaint.astype(bool).sum() > 0
    complaints = cases[cases.is_complaint.astype(bool)]
    assert complaints.complained_at.notna().all()

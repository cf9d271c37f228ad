"""QA reviews of the demo company: planted as demo/truth.py says, and read back by the qa_score metric."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from equipoise.analytics.backends import connect
from equipoise.analytics.compute import compute
from equipoise.analytics.facts import Facts
from equipoise.db.engine import make_engine
from equipoise.demo import truth
from equipoise.demo.build import DemoSpec, simulate
from equipoise.demo.qa import qa_reviews


@pytest.fixture(scope="module")
def medium():
    return simulate(DemoSpec(customers=6000, months=4, seed=3))


def test_about_three_percent_of_handled_contacts_are_reviewed_after_they_end(medium):
    rows = qa_reviews(medium)
    handled = {r[0]: r for r in medium.log.contacts if r[5] is not None and not r[15]}
    assert len(rows) == pytest.approx(truth.QA_REVIEW_RATE * len(handled), rel=0.2)
    for contact, case, agent, reviewer, at, score in rows:
        c = handled[contact]
        assert (case, agent) == (c[1], c[5])
        assert c[12] + truth.QA_REVIEW_DELAY[0] <= at <= c[12] + truth.QA_REVIEW_DELAY[1]
        assert at < medium.horizon.end and reviewer in truth.QA_REVIEWERS and 0 <= score <= 100


def test_scores_follow_the_planted_agent_skill_and_outcome(medium):
    rows = qa_reviews(medium)
    contacts = {r[0]: r for r in medium.log.contacts}
    skill = np.array([medium.agents[r[2] - 1].fcr_skill for r in rows])
    score = np.array([r[5] for r in rows], dtype=float)
    resolved = np.array([contacts[r[0]][17] == "resolved" for r in rows])
    transferred = np.array([bool(contacts[r[0]][16]) for r in rows])
    # least squares recovers the planted slopes within a few standard errors
    x = np.column_stack([np.ones(len(rows)), skill, ~resolved, transferred])
    coef, *_ = np.linalg.lstsq(x, score, rcond=None)
    assert coef[0] == pytest.approx(truth.QA_BASE, abs=2.0)
    assert coef[1] == pytest.approx(truth.QA_SKILL_SLOPE, rel=0.3)
    assert coef[2] == pytest.approx(truth.QA_UNRESOLVED_EFFECT, abs=2.5)
    assert np.corrcoef(skill, score)[0, 1] > 0.4


def test_same_seed_same_reviews(medium):
    again = simulate(DemoSpec(customers=6000, months=4, seed=3))
    assert qa_reviews(again) == qa_reviews(medium)


def test_qa_score_of_the_demo_database_by_agent(demo_url):
    engine = make_engine(demo_url)
    with engine.connect() as conn:
        q = pd.read_sql(text("SELECT q.*, c.ended_at, c.agent_id AS contact_agent, a.code FROM qa_reviews q "
                             "JOIN contacts c ON c.id = q.contact_id JOIN agents a ON a.id = q.agent_id"), conn)
    engine.dispose()
    assert len(q) > 20
    assert (pd.to_datetime(q.reviewed_at) > pd.to_datetime(q.ended_at)).all()
    assert (q.agent_id == q.contact_agent).all() and q.score.between(0, 100).all()
    got = {r["agent"]: r["qa_score"] for r in compute(Facts(connect(demo_url)), ["qa_score"], by=["agent"]).rows()}
    expected = q.groupby("code")["score"].mean()
    assert set(got) == set(expected.index)
    for code, mean in expected.items():
        assert got[code] == pytest.approx(mean, rel=1e-12)

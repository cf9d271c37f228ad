"""The agent pages against the services and the database: the case queue (team scoping, SLA order,
filters), the case detail, the complaints board and the knowledge base."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from equipoise.config import Settings
from equipoise.core.cases.schemas import TargetRead
from equipoise.core.knowledge import semantic
from equipoise.db.engine import make_engine
from equipoise.interfaces.app import create_app
from equipoise.interfaces.web.cases import remaining_text, timer
from equipoise.models.cases import Case
from equipoise.models.contacts import Contact
from equipoise.models.surveys import SurveyResponse
from tests.web.conftest import sign_in

HX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
def db(agent_world):
    engine = make_engine(agent_world.url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def _client(url: str, role: str) -> TestClient:
    client = TestClient(create_app(Settings(database_url=url)), follow_redirects=False)
    client.__enter__()
    sign_in(client, role)
    return client


@pytest.fixture(scope="module")
def agent(agent_world):
    client = _client(agent_world.url, "agent")
    yield client
    client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def manager(agent_world):
    client = _client(agent_world.url, "manager")
    yield client
    client.__exit__(None, None, None)


def _queue(html: str) -> list[dict]:
    rows = re.findall(r'<tr data-case="(\d+)" data-priority="(\w+)" data-status="(\w+)"\s+'
                      r'data-next-due="([^"]*)"', html)
    return [{"id": int(i), "priority": p, "status": s, "due": d} for i, p, s, d in rows]


def test_agent_queue_holds_exactly_the_team_open_cases(agent, manager, agent_world, db):
    own = set(db.scalars(select(Case.id).where(Case.status_category == "open", Case.team_id == agent_world.agent_team)))
    every = set(db.scalars(select(Case.id).where(Case.status_category == "open")))
    assert own and own != every
    assert {r["id"] for r in _queue(agent.get("/cases").text)} == own
    assert {r["id"] for r in _queue(manager.get("/cases").text)} == every


def test_queue_is_sorted_by_next_due_time_and_flags_breaches(manager):
    html = manager.get("/cases").text
    dues = [r["due"] for r in _queue(html)]
    dated = [d for d in dues if d]
    assert dated == sorted(dated) and dues[:len(dated)] == dated  # cases with no due time come last
    breached = int(re.search(r'id="queue-breached" data-count="(\d+)"', html).group(1))
    assert breached == len(re.findall(r'<tr data-case="\d+"[^>]*class="breached"', html, flags=re.S))
    assert breached > 0 and "overdue" in html  # the demo's open cases are long past their targets


def test_htmx_filters_by_priority_and_status(manager, db):
    for priority in ("urgent", "high", "normal", "low"):
        frag = manager.get("/cases", params={"priority": priority}, headers=HX)
        assert frag.status_code == 200 and "<html" not in frag.text
        want = set(db.scalars(select(Case.id).where(Case.status_category == "open", Case.priority == priority)))
        assert {r["id"] for r in _queue(frag.text)} == want
    resolved = _queue(manager.get("/cases", params={"status": "resolved", "priority": "urgent"}).text)
    assert resolved and all(r["status"] in ("solved", "closed", "closed_unresolved") for r in resolved)
    assert manager.get("/cases", params={"priority": "whenever"}, headers=HX).status_code == 422
    assert manager.get("/cases", params={"status": "later"}).status_code == 422


def test_case_detail_shows_contacts_surveys_commitments_and_suggestions(manager, agent_world, db):
    html = manager.get(f"/cases/{agent_world.own_case}").text
    contacts = db.scalars(select(Contact.id).where(Contact.case_id == agent_world.own_case)).all()
    assert sorted(int(i) for i in re.findall(r'data-contact="(\d+)"', html)) == sorted(contacts)
    assert f'data-commitment="{agent_world.commitment}"' in html and "engineer&#39;s report" in html
    assert f'data-article="{agent_world.article}"' in html  # the published article on the subject
    assert f'data-article="{agent_world.draft}"' not in html
    assert "severity 3" in html and 'id="case-sla"' in html
    assert "Cost (USD)" in html  # managers see contact costs
    surveyed = db.scalars(select(SurveyResponse).where(SurveyResponse.case_id.is_not(None))
                          .order_by(SurveyResponse.id)).first()
    page = manager.get(f"/cases/{surveyed.case_id}").text
    assert f'data-survey="{surveyed.id}"' in page


def test_agent_cannot_open_another_team_case_nor_see_costs(agent, agent_world):
    assert agent.get(f"/cases/{agent_world.other_case}").status_code == 404
    own = agent.get(f"/cases/{agent_world.own_case}")
    assert own.status_code == 200 and "Cost (" not in own.text
    assert agent.get("/cases/999999999").status_code == 404


def test_complaints_board_by_status_with_severity_and_age(agent, manager, agent_world):
    html = manager.get("/complaints").text
    for cid in (agent_world.own_complaint, agent_world.other_complaint):
        assert f'data-complaint="{cid}"' in html
    assert re.search(rf'data-complaint="{agent_world.own_complaint}" data-severity="3"', html)
    column = html.split('data-column="open"')[1].split('data-column="investigating"')[0]
    assert f'data-complaint="{agent_world.own_complaint}"' in column
    mine = agent.get("/complaints").text
    assert f'data-complaint="{agent_world.own_complaint}"' in mine
    assert f'data-complaint="{agent_world.other_complaint}"' not in mine


def test_knowledge_search_ranks_and_shows_articles(agent, manager, agent_world, db):
    subject = db.get(Case, agent_world.own_case).subject
    frag = agent.get("/knowledge", params={"q": subject}, headers=HX)
    assert frag.status_code == 200 and "<html" not in frag.text
    ids = [int(i) for i in re.findall(r'data-article="(\d+)"', frag.text)]
    assert ids and ids[0] == agent_world.article
    assert agent_world.draft not in [int(i) for i in re.findall(
        r'data-article="(\d+)"', agent.get("/knowledge", params={"q": "refund policy"}).text)]
    listing = agent.get("/knowledge").text
    assert f'data-article="{agent_world.article}"' in listing
    article = agent.get(f"/knowledge/{agent_world.article}")
    assert article.status_code == 200 and "explain the cause" in article.text
    assert agent.get(f"/knowledge/{agent_world.draft}").status_code == 404  # drafts: leads and up
    assert manager.get(f"/knowledge/{agent_world.draft}").status_code == 200


def test_knowledge_page_searches_by_meaning_only_with_the_extra_switched_on(agent, agent_world, db):
    subject = db.get(Case, agent_world.own_case).subject
    settings = agent.app.state.settings
    try:
        agent.app.state.settings = settings.model_copy(update={"kb_semantic": False})
        words = agent.get("/knowledge", params={"q": subject}, headers=HX).text
        assert 'id="knowledge-mode">by words<' in words
        agent.app.state.settings = settings.model_copy(update={"kb_semantic": True})
        page = agent.get("/knowledge", params={"q": subject}, headers=HX).text
    finally:
        agent.app.state.settings = settings
    expected = "by words and meaning" if semantic.extra_installed() else "by words"
    assert f'id="knowledge-mode">{expected}<' in page
    assert int(re.findall(r'data-article="(\d+)"', page)[0]) == agent_world.article


def _target(**kw) -> TargetRead:
    base = {"target_seconds": 3600.0, "elapsed_seconds": 600.0, "remaining_seconds": 3000.0,
            "due_at": dt.datetime(2026, 1, 5, 10), "done_at": None, "met": None, "breached": False,
            "warning": False, "paused": False}
    return TargetRead(**{**base, **kw})


def test_timer_states():
    assert timer("X", None) is None
    assert (timer("X", _target()).state, timer("X", _target()).text) == ("running", "50 m")
    assert timer("X", _target(warning=True)).state == "warning"
    assert timer("X", _target(paused=True)).text == "50 m (paused)"
    late = timer("X", _target(breached=True, elapsed_seconds=3600 + 7500, remaining_seconds=0))
    assert (late.state, late.text) == ("breached", "overdue 2 h 05 m")
    done = timer("X", _target(done_at=dt.datetime(2026, 1, 5, 9), met=True))
    assert (done.state, done.text) == ("met", "met")
    missed = timer("X", _target(done_at=dt.datetime(2026, 1, 5, 11), met=False, breached=True))
    assert (missed.state, missed.text) == ("breached", "missed")


def test_remaining_text_examples():
    assert remaining_text(0) == "0 m"
    assert remaining_text(59) == "0 m" and remaining_text(-59) == "0 m"
    assert remaining_text(3600 * 26 + 60) == "1 d 2 h"
    assert remaining_text(-3600 * 3 - 300) == "−3 h 05 m"


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=-10**7, max_value=10**7))
def test_remaining_text_reads_back_to_the_minute_below_a_day(seconds):
    text = remaining_text(seconds)
    sign = -1 if text.startswith("−") else 1
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    units = re.findall(r"[dhm]", text)
    total = sum(n * {"d": 86400, "h": 3600, "m": 60}[u] for n, u in zip(numbers, units, strict=True))
    step = 3600 if "d" in units else 60
    assert abs(seconds) - step < total <= abs(seconds)
    assert sign == (-1 if seconds <= -60 else 1)


def test_case_detail_lists_the_case_survey_answers_oldest_first(manager, db):
    from sqlalchemy import func

    from equipoise.core.surveys.repository import responses_of_case

    case_id = db.scalars(select(SurveyResponse.case_id).where(SurveyResponse.case_id.is_not(None))
                         .group_by(SurveyResponse.case_id).order_by(func.count().desc(), SurveyResponse.case_id)
                         ).first()
    every = db.scalars(select(SurveyResponse)).all()
    expected = sorted((s for s in every if s.case_id == case_id), key=lambda s: (s.responded_at, s.id))
    assert expected and [s.id for s in responses_of_case(db, case_id)] == [s.id for s in expected]
    page = manager.get(f"/cases/{case_id}").text
    assert [int(i) for i in re.findall(r'data-survey="(\d+)"', page)] == [s.id for s in expected]
    no_survey = db.scalars(select(Case.id).where(Case.id.not_in(select(SurveyResponse.case_id).where(
        SurveyResponse.case_id.is_not(None)))).order_by(Case.id)).first()
    assert responses_of_case(db, no_survey) == []
    assert "No survey answers for this case." in manager.get(f"/cases/{no_survey}").text

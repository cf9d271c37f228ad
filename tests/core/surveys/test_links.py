"""Signed, expiring survey links: one answer per link, landing in survey_responses."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import select

from equipoise.config import Settings
from equipoise.core.surveys import service
from equipoise.core.surveys.schemas import LinkCreate, SurveyAnswer
from equipoise.core.surveys.signing import make_token, parse_token, signature_matches, signing_secret
from equipoise.kit.errors import ConfigurationError, Conflict, InvalidInput
from equipoise.models import OutboxMessage, SurveyLinkAnswer, SurveyResponse
from tests.core.complaints.factories import NOW, SECRET, add_case

BASE = "https://help.example.test"
HOUR = dt.timedelta(hours=1)


def test_link_answer_lands_in_survey_responses(db, world):
    issued = service.issue_link(db, world.case_id, NOW, SECRET, base_url=BASE, recipient="c@acme.test")
    assert issued.url == f"{BASE}/survey/{issued.token}"
    assert issued.message is not None and issued.url in issued.message.body
    assert service.view_link(db, issued.token, NOW + HOUR, SECRET).state == "open"
    answer = SurveyAnswer(csat=4, nps=9, ces=2, expectation=4, perception=5, comment="Quick fix")
    response = service.submit_answer(db, issued.token, answer, NOW + HOUR, SECRET)
    db.commit()
    row = db.scalars(select(SurveyResponse)).one()
    assert row.id == response.id
    assert (row.case_id, row.customer_id, row.sent_at, row.responded_at) == (
        world.case_id,
        world.customer_id,
        NOW,
        NOW + HOUR,
    )
    assert (row.csat, row.nps, row.ces, row.expectation, row.perception) == (4, 9, 2, 4, 5)
    assert row.comment == "Quick fix" and row.source == "survey_link"
    assert service.view_link(db, issued.token, NOW + HOUR, SECRET).state == "answered"
    with pytest.raises(Conflict):
        service.submit_answer(db, issued.token, SurveyAnswer(csat=1), NOW + 2 * HOUR, SECRET)
    assert db.query(SurveyResponse).count() == 1


def test_unique_constraint_holds_one_answer_per_link(db, world):
    """Even bypassing the service's check, the database refuses a second answer for a link."""
    issued = service.issue_link(db, world.case_id, NOW, SECRET, base_url=BASE)
    service.submit_answer(db, issued.token, SurveyAnswer(csat=5), NOW, SECRET)
    db.commit()
    extra = SurveyResponse(customer_id=world.customer_id, sent_at=NOW, responded_at=NOW, csat=1)
    db.add(extra)
    db.flush()
    db.add(SurveyLinkAnswer(link_id=issued.link.id, response_id=extra.id, answered_at=NOW))
    with pytest.raises(Exception, match="(?i)unique"):
        db.flush()
    db.rollback()


def test_expired_forged_and_wrong_secret_links_are_refused(db, world):
    issued = service.issue_link(db, world.case_id, NOW, SECRET, base_url=BASE, ttl_days=1)
    expires = issued.link.expires_at
    assert service.view_link(db, issued.token, expires, SECRET).state == "expired"
    with pytest.raises(service.LinkExpired):
        service.submit_answer(db, issued.token, SurveyAnswer(csat=5), expires, SECRET)
    link_id, expiry, sig = issued.token.split(".")
    later = (expires + dt.timedelta(days=30)).strftime("%Y%m%d%H%M%S")
    for bad in (
        f"{link_id}.{later}.{sig}",
        f"{int(link_id) + 1}.{expiry}.{sig}",
        "garbage",
        f"{link_id}.{expiry}.{sig[:-2]}AA",
    ):
        with pytest.raises(service.LinkInvalid):
            service.view_link(db, bad, NOW, SECRET)
    with pytest.raises(service.LinkInvalid):
        service.view_link(db, issued.token, NOW, b"another-secret-entirely")
    assert db.query(SurveyResponse).count() == 0


def test_only_asked_questions_and_resolved_cases(db, world):
    issued = service.issue_link(db, world.case_id, NOW, SECRET, base_url=BASE, items=["csat"])
    with pytest.raises(InvalidInput) as err:
        service.submit_answer(db, issued.token, SurveyAnswer(csat=3, nps=5), NOW, SECRET)
    assert err.value.field == "nps"
    open_case = add_case(db, world, resolved=False)
    with pytest.raises(Conflict):
        service.issue_link(db, open_case.id, NOW, SECRET, base_url=BASE)
    with pytest.raises(InvalidInput):
        service.issue_link(db, 999_999, NOW, SECRET, base_url=BASE)


def test_answer_validation_names_fields():
    with pytest.raises(ValidationError) as err:
        SurveyAnswer(csat=6, nps=-1, ces=8)
    assert {e["loc"][0] for e in err.value.errors()} == {"csat", "nps", "ces"}
    with pytest.raises(ValidationError, match="at least one"):
        SurveyAnswer(comment="nothing else")
    with pytest.raises(ValidationError) as bad:
        LinkCreate(case_id=0, items=["joy"], ttl_days=0, recipient="x")
    assert {e["loc"][0] for e in bad.value.errors()} == {"case_id", "items", "ttl_days", "recipient"}


def test_response_rates(db, world):
    tokens = []
    for i in range(5):
        case = add_case(db, world, opened_at=NOW - dt.timedelta(days=3))
        tokens.append(service.issue_link(db, case.id, NOW + i * HOUR, SECRET, base_url=BASE, ttl_days=2))
    service.submit_answer(db, tokens[0].token, SurveyAnswer(csat=5), NOW + 5 * HOUR, SECRET)
    service.submit_answer(db, tokens[1].token, SurveyAnswer(nps=3), NOW + 5 * HOUR, SECRET)
    # At NOW + 2 days + 2.5 h the links sent at +0, +1, +2 h have expired; two of those were answered.
    at = NOW + dt.timedelta(days=2, hours=2, minutes=30)
    rates = service.response_rates(db, NOW, NOW + dt.timedelta(days=1), at)
    assert [r.kind for r in rates.by_kind] == ["resolution"]
    overall = rates.overall
    assert (overall.sent, overall.answered, overall.expired_unanswered, overall.open) == (5, 2, 1, 2)
    assert overall.response_rate == pytest.approx(0.4)
    empty = service.response_rates(db, NOW - dt.timedelta(days=9), NOW - dt.timedelta(days=8), at)
    assert empty.overall.sent == 0 and empty.overall.response_rate is None
    with pytest.raises(InvalidInput):
        service.response_rates(db, NOW, NOW, at)


def test_invitation_email_is_queued_once_per_link(db, world):
    a = service.issue_link(db, world.case_id, NOW, SECRET, base_url=BASE, recipient="c@acme.test")
    b = service.issue_link(db, world.case_id, NOW, SECRET, base_url=BASE, recipient="c@acme.test")
    assert a.message.id != b.message.id
    assert db.query(OutboxMessage).count() == 2


def test_signing_secret_from_environment(monkeypatch):
    monkeypatch.delenv("EQUIPOISE_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError):
        signing_secret()
    monkeypatch.setenv("EQUIPOISE_SECRET_KEY", "short")
    with pytest.raises(ConfigurationError):
        signing_secret()
    monkeypatch.setenv("EQUIPOISE_SECRET_KEY", "a-long-enough-secret-value")
    assert signing_secret() == b"a-long-enough-secret-value"


def test_signing_secret_from_settings():
    with pytest.raises(ConfigurationError, match="EQUIPOISE_SECRET_KEY"):
        signing_secret(Settings(_env_file=None, secret_key=None))
    with pytest.raises(ConfigurationError, match="15 bytes"):
        signing_secret(Settings(_env_file=None, secret_key="x" * 15))
    assert signing_secret(Settings(_env_file=None, secret_key="é" * 8)) == ("é" * 8).encode()  # 16 bytes


@given(
    st.integers(min_value=1, max_value=10**12),
    st.text(alphabet="0123456789abcdef", min_size=32, max_size=32),
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1)),
)
def test_token_round_trip(link_id, nonce, expires):
    expires = expires.replace(microsecond=0)
    token = make_token(SECRET, link_id, nonce, expires)
    parts = parse_token(token)
    assert parts is not None and parts.link_id == link_id and parts.expires_at == expires
    assert signature_matches(SECRET, parts, nonce)
    assert not signature_matches(SECRET, parts, nonce[::-1] + "x")
    assert not signature_matches(b"other", parts, nonce)

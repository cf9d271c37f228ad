"""The complaints loop: flag → investigate → resolve (root cause, corrective action) → close →
re-survey → recovery, and the complaint metrics."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from equipoise.core.complaints import service
from equipoise.core.complaints.recovery import is_recovered
from equipoise.core.complaints.schemas import ComplaintCreate, ComplaintTransition, ComplaintUpdate
from equipoise.core.surveys import service as surveys
from equipoise.core.surveys.schemas import SurveyAnswer
from equipoise.core.surveys.signing import make_token
from equipoise.kit.errors import Conflict, InvalidInput
from equipoise.models import Case, Customer, OutboxMessage, SurveyLink, WebhookEvent
from tests.core.complaints.factories import NOW, SECRET, add_case

BASE = "https://help.example.test"
DAY = dt.timedelta(days=1)


def _flag(db, case_id, severity=2, **kw):
    return service.flag_complaint(db, ComplaintCreate(case_id=case_id, severity=severity, **kw), NOW, user_id=7)


def _to(db, complaint, status, at, **kw):
    return service.transition(db, complaint.id, ComplaintTransition(status=status, **kw), at)


def test_full_loop_with_recovery_from_resurvey(db, world):
    complaint = _flag(db, world.case_id, severity=3, category="delay", notify_email="ops@acme.test")
    case = db.get(Case, world.case_id)
    assert (case.is_complaint, case.complaint_severity, case.complained_at) == (True, 3, NOW)
    assert complaint.flagged_by_user_id == 7
    assert db.query(WebhookEvent).filter_by(event_type="case.complaint_flagged").count() == 1
    _to(db, complaint, "investigating", NOW + DAY)
    with pytest.raises(InvalidInput) as missing:
        _to(db, complaint, "resolved", NOW + DAY)
    assert missing.value.field == "root_cause"
    service.update_complaint(
        db, complaint.id, ComplaintUpdate(root_cause="Part out of stock", corrective_action="Keep two spares")
    )
    _to(db, complaint, "resolved", NOW + 2 * DAY)
    _to(db, complaint, "closed", NOW + 3 * DAY, resurvey_after_days=7)
    assert complaint.resurvey_due_at == NOW + 10 * DAY
    with pytest.raises(Conflict):
        service.update_complaint(db, complaint.id, ComplaintUpdate(severity=1))
    assert service.send_due_resurveys(db, NOW + 9 * DAY, SECRET, base_url=BASE) == 0
    assert service.send_due_resurveys(db, NOW + 10 * DAY, SECRET, base_url=BASE) == 1
    assert service.send_due_resurveys(db, NOW + 11 * DAY, SECRET, base_url=BASE) == 0  # once only
    link = db.get(SurveyLink, complaint.resurvey_link_id)
    assert link.kind == "complaint_resurvey" and "csat" in link.items
    mail = db.query(OutboxMessage).filter_by(dedupe_key=f"survey:{link.id}").one()
    assert mail.recipient == "ops@acme.test"
    token = make_token(SECRET, link.id, link.nonce, link.expires_at)
    assert token in mail.body
    surveys.submit_answer(db, token, SurveyAnswer(csat=4, nps=6), NOW + 11 * DAY, SECRET)
    assert (complaint.recovered, complaint.recovery_basis) == (True, "resurvey")
    db.commit()
    s = service.summary(db, NOW - DAY, NOW + DAY)
    assert (s.flagged, s.resolved, s.resurveys_sent, s.resurveys_answered) == (1, 1, 1, 1)
    assert s.median_hours_to_resolve == pytest.approx(48.0)
    assert (s.recovered, s.not_recovered, s.recovery_rate) == (1, 0, 1.0)


def test_transitions_are_checked(db, world):
    complaint = _flag(db, world.case_id)
    with pytest.raises(Conflict):
        _to(db, complaint, "closed", NOW)
    with pytest.raises(Conflict):
        _flag(db, world.case_id)
    with pytest.raises(InvalidInput):
        _flag(db, 999_999)
    with pytest.raises(Conflict):
        service.set_recovery(db, complaint.id, True, NOW)
    service.update_complaint(db, complaint.id, ComplaintUpdate(severity=1, root_cause="x", corrective_action="y"))
    assert db.get(Case, world.case_id).complaint_severity == 1
    _to(db, complaint, "resolved", NOW + DAY)
    _to(db, complaint, "investigating", NOW + DAY)  # reopened
    assert complaint.resolved_at is None
    with pytest.raises(InvalidInput):
        service.update_complaint(db, complaint.id, ComplaintUpdate(severity=None))


def test_manual_recovery_and_churn(db, world):
    kept = _flag(db, world.case_id)
    lost_case = add_case(db, world, customer_id=world.other_customer_id)
    lost = _flag(db, lost_case.id, severity=1, category="staff")
    for c in (kept, lost):
        service.update_complaint(db, c.id, ComplaintUpdate(root_cause="r", corrective_action="a"))
        _to(db, c, "resolved", NOW + DAY)
        _to(db, c, "closed", NOW + 2 * DAY)
    service.set_recovery(db, kept.id, True, NOW + 3 * DAY)
    db.get(Customer, world.other_customer_id).churned_on = (NOW + 20 * DAY).date()
    db.get(Customer, world.customer_id).churned_on = (NOW + 20 * DAY).date()
    assert service.mark_churned_unrecovered(db, NOW + 21 * DAY) == 1  # manual outcome is kept
    assert (lost.recovered, lost.recovery_basis) == (False, "churn")
    s = service.summary(db, NOW - DAY, NOW + DAY)
    assert s.by_severity == {1: 1, 2: 1} and s.by_category == {"other": 1, "staff": 1}
    assert s.recovery_rate == pytest.approx(0.5) and s.still_open == 0
    assert [c.id for c in service.list_complaints(db, severity=1)] == [lost.id]


def test_recovery_rule():
    assert is_recovered(csat=4, nps=0, expectation=None, perception=None) is True
    assert is_recovered(csat=3, nps=10, expectation=None, perception=None) is False
    assert is_recovered(csat=None, nps=7, expectation=None, perception=None) is True
    assert is_recovered(csat=None, nps=6, expectation=None, perception=None) is False
    assert is_recovered(csat=None, nps=None, expectation=4, perception=4) is True
    assert is_recovered(csat=None, nps=None, expectation=5, perception=3) is False
    assert is_recovered(csat=None, nps=None, expectation=5, perception=None) is None


def test_create_validation_names_fields():
    with pytest.raises(ValidationError) as err:
        ComplaintCreate(case_id=1, severity=4, category="rude", notify_email="no")
    assert {e["loc"][0] for e in err.value.errors()} == {"severity", "category", "notify_email"}

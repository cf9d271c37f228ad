"""SLA outcomes of imported cases run on the business calendar of their policy, like helpdesk cases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from equipoise.core.sla.calendar import Calendar
from equipoise.core.sla.clock import sla_state
from equipoise.core.sla.service import evaluate
from equipoise.ingest.business_time import PAUSED_STATUSES, RESOLVED_STATUSES
from equipoise.ingest.service import run_import
from equipoise.models.cases import Case
from equipoise.models.sla import BusinessCalendar, Holiday, SlaPolicy
from tests.ingest.conftest import rows

WEEKDAYS = {str(d): [[9, 17]] for d in range(5)}  # Monday-Friday 09:00-17:00
HOUR = 3600.0
AS_OF = dt.datetime(2024, 4, 1)


@pytest.fixture
def policies(engine):
    """Any case: 4 business hours to respond, 2 business days to resolve; urgent ones on a calendar
    whose Monday 11 March 2024 is a holiday. 'pending' stops the clock."""
    with engine.begin() as conn:
        plain, holiday = conn.execute(insert(BusinessCalendar).returning(BusinessCalendar.id), [
            {"code": "office", "name": "Office", "timezone": "Europe/London", "working_hours": WEEKDAYS},
            {"code": "office-hol", "name": "Office with holiday", "timezone": "Europe/London",
             "working_hours": WEEKDAYS}]).scalars().all()
        conn.execute(insert(Holiday), [{"calendar_id": holiday, "day": dt.date(2024, 3, 11), "name": "Closed"}])
        conn.execute(insert(SlaPolicy), [
            {"name": "Default", "channel_id": None, "tier": None, "priority": None, "calendar_id": plain,
             "first_response_seconds": 4 * HOUR, "resolution_seconds": 16 * HOUR, "pause_statuses": ["pending"]},
            {"name": "Urgent", "channel_id": None, "tier": None, "priority": "urgent", "calendar_id": holiday,
             "first_response_seconds": 4 * HOUR, "resolution_seconds": 16 * HOUR, "pause_statuses": ["pending"]}])
    return engine


CASES = """case_ref,customer_ref,opened_at,channel,priority,first_response_at,resolved_at
W-1,C-1,2024-03-08 15:00:00,email,normal,2024-03-11 10:30:00,2024-03-12 14:00:00
W-2,C-1,2024-03-08 15:00:00,email,normal,2024-03-11 12:00:00,2024-03-12 17:00:00
W-3,C-2,2024-03-08 15:00:00,email,urgent,2024-03-12 10:30:00,
W-4,C-2,2024-03-08 15:00:00,email,normal,,
"""


def test_sla_across_a_weekend_and_a_holiday(policies, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text(CASES, encoding="utf-8")
    s = run_import(policies, "cases", path, as_of=AS_OF)
    assert (s.imported, s.rejected) == (4, 0)
    got = {r[0]: r[1:] for r in rows(policies, "SELECT k.external_ref, p.name, k.first_response_met, "
                                               "k.resolution_met, k.first_response_due_at, k.resolution_due_at "
                                               "FROM cases k JOIN sla_policies p ON p.id = k.sla_policy_id")}
    norm = {k: (v[0], None if v[1] is None else bool(v[1]), None if v[2] is None else bool(v[2]),
                str(v[3])[:16], str(v[4])[:16]) for k, v in got.items()}
    # Friday 15:00 -> Monday 10:30 is 67.5 calendar hours but 2 h + 1.5 h = 3.5 business hours: met.
    # Resolved Tuesday 14:00: 2 + 8 + 5 = 15 business hours of 16: met. Due: Monday 11:00 and Tuesday 15:00.
    assert norm["W-1"] == ("Default", True, True, "2024-03-11 11:00", "2024-03-12 15:00")
    # Answered Monday 12:00 (5 business hours) and resolved Tuesday 17:00 (18 h): both missed.
    assert norm["W-2"][:3] == ("Default", False, False)
    # Urgent: Monday is a holiday, so Tuesday 10:30 is 3.5 business hours; the resolution is due Wednesday.
    assert norm["W-3"] == ("Urgent", True, False, "2024-03-12 11:00", "2024-03-13 15:00")
    # Never answered: breached well before the import's moment.
    assert norm["W-4"][:3] == ("Default", False, False)


def test_imported_outcome_equals_the_helpdesk_engine(policies, tmp_path):
    """The stored outcome is the pure engine's, on the policy's calendar (an independent computation)."""
    path = tmp_path / "cases.csv"
    path.write_text(CASES, encoding="utf-8")
    run_import(policies, "cases", path, as_of=AS_OF)
    cal = Calendar.from_mapping(WEEKDAYS)
    for ref, opened, first, resolved in [("W-1", "2024-03-08 15:00", "2024-03-11 10:30", "2024-03-12 14:00"),
                                         ("W-2", "2024-03-08 15:00", "2024-03-11 12:00", "2024-03-12 17:00")]:
        state = sla_state(calendar=cal, opened_at=dt.datetime.fromisoformat(opened), now=AS_OF,
                          first_response_seconds=4 * HOUR, resolution_seconds=16 * HOUR,
                          first_response_at=dt.datetime.fromisoformat(first),
                          resolved_at=dt.datetime.fromisoformat(resolved))
        stored = rows(policies, "SELECT first_response_met, resolution_met FROM cases WHERE external_ref = :r",
                      r=ref)[0]
        assert (bool(stored[0]), bool(stored[1])) == (state.first_response.met, state.resolution.met)


def test_event_log_pauses_stop_the_clock(policies, tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(
        "case_id,activity,timestamp,resource,customer_id,channel\n"
        "P-1,create,2024-03-11 09:00:00,customer,C-1,email\n"
        "P-1,reply,2024-03-11 09:30:00,ana,,\n"
        "P-1,pause,2024-03-11 10:00:00,ana,,\n"       # waiting on the customer until Wednesday
        "P-1,resume,2024-03-13 10:00:00,customer,,\n"
        "P-1,resolve,2024-03-13 17:00:00,ana,,\n"
        "P-2,create,2024-03-11 09:00:00,customer,C-1,email\n"
        "P-2,reply,2024-03-11 09:30:00,ana,,\n"
        "P-2,resolve,2024-03-13 17:00:00,ana,,\n", encoding="utf-8")
    run_import(policies, "events", path, {"options": {"not_agents": ["customer"]}}, as_of=AS_OF)
    got = dict(rows(policies, "SELECT external_ref, resolution_met FROM cases"))
    # P-1: 1 h on Monday + 7 h on Wednesday = 8 business hours (the pause is not counted): met.
    # P-2: no pause, Monday + Tuesday + Wednesday = 24 business hours > 16: missed.
    assert (bool(got["P-1"]), bool(got["P-2"])) == (True, False)
    # The helpdesk's own SLA service, reading the stored status history, reaches the same outcome.
    with Session(policies) as session:
        for case in session.scalars(select(Case).order_by(Case.external_ref)):
            policy, state = evaluate(session, case, now=AS_OF, paused=PAUSED_STATUSES, resolved=RESOLVED_STATUSES)
            assert policy.id == case.sla_policy_id
            assert (state.first_response.met, state.resolution.met) == (case.first_response_met,
                                                                        case.resolution_met)
            assert (state.first_response.due_at, state.resolution.due_at) == (case.first_response_due_at,
                                                                              case.resolution_due_at)

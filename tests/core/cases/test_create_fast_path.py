"""Case creation's short path: the SLA computed before the insert equals the SLA engine's own answer
(read back from the stored status history), the round trips stay few, and the cached SLA policies
follow changes."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, insert

from equipoise.core.cases import reference, service
from equipoise.core.cases.schemas import PAUSED_STATUSES, RESOLVED_STATUSES, CaseCreate
from equipoise.core.sla import service as sla_service
from equipoise.db.engine import make_engine, session_scope
from equipoise.kit.errors import InvalidInput
from equipoise.models import SlaPolicy
from equipoise.models.cases import Case
from tests.core.auth.factories import NOW, make_user, seed_org

SLA_FIELDS = ("sla_policy_id", "first_response_due_at", "resolution_due_at", "first_response_met", "resolution_met")


@pytest.fixture
def db(database_url):
    reference.clear_policy_cache()
    engine = make_engine(database_url)
    with session_scope(engine) as s:
        org = seed_org(s)
        admin = make_user(s, "root@example.com", "admin")
        agent = make_user(s, "ann@example.com", "agent", [org.team_a])
        # a policy that pauses on "new" and one for low-tier high-priority e-mail, so every branch is reachable
        s.add_all([SlaPolicy(name="new pauses", tier="low", priority="low", first_response_seconds=600,
                             resolution_seconds=7200, calendar_id=org.calendar, pause_statuses=["new"]),
                   SlaPolicy(name="24x7 email", channel_id=org.email, tier="low", priority="high",
                             first_response_seconds=900, resolution_seconds=3 * 3600, calendar_id=None,
                             pause_statuses=[])])
    yield engine, org, admin, agent
    engine.dispose()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(customer=st.sampled_from(["top", "low"]), channel=st.sampled_from(["phone", "email"]),
       priority=st.sampled_from(["low", "normal", "high", "urgent"]),
       minutes=st.integers(min_value=0, max_value=14 * 24 * 60))
def test_sla_at_creation_equals_the_engine_reading_the_stored_history(db, customer, channel, priority, minutes):
    engine, org, admin, _agent = db
    at = NOW + dt.timedelta(minutes=minutes)  # weekends, nights, the Good Friday holiday
    body = CaseCreate(customer_id=org.top_customer if customer == "top" else org.low_customer,
                      reason_id=org.billing, channel_id=org.phone if channel == "phone" else org.email,
                      priority=priority)
    with session_scope(engine) as s:
        case_id = service.create(s, body, principal=admin, now=at).id
    with session_scope(engine) as s:
        case = s.get(Case, case_id)
        stored = {f: getattr(case, f) for f in SLA_FIELDS}
        case.sla_policy_id = None  # let the engine match the policy itself, from the database
        found = sla_service.evaluate(s, case, now=at, paused=PAUSED_STATUSES, resolved=RESOLVED_STATUSES)
        assert found is not None
        policy, state = found
        expected = {"sla_policy_id": policy.id, "first_response_due_at": state.first_response.due_at,
                    "resolution_due_at": state.resolution.due_at, "first_response_met": state.first_response.met,
                    "resolution_met": state.resolution.met}
        s.rollback()
    assert stored == expected


def test_no_policy_leaves_the_sla_fields_empty(db):
    engine, org, admin, _agent = db
    with session_scope(engine) as s:
        for policy in s.query(SlaPolicy).all():
            s.delete(policy)
    with session_scope(engine) as s:
        case = service.create(s, CaseCreate(customer_id=org.low_customer, reason_id=org.billing,
                                            channel_id=org.phone), principal=admin, now=NOW)
        assert {f: getattr(case, f) for f in SLA_FIELDS} == dict.fromkeys(SLA_FIELDS)


def _statements(engine):
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, stmt, *_a: seen.append(stmt))
    return seen


def test_a_routed_creation_takes_eight_statements_and_two_flushes(db):
    """Lookups (1), the agents (1), the load of the agents tied on the best skill fit (1), the case,
    the subscribed endpoints, then the status change, the audit entry and the webhook event written
    together by the commit's flush: 8 statements (13 at first, plus 4 to resolve the token)."""
    engine, org, _admin, agent = db
    body = CaseCreate(customer_id=org.low_customer, reason_id=org.billing, channel_id=org.phone)
    with session_scope(engine) as s:
        service.create(s, body, principal=agent, now=NOW)  # warm the policy and calendar caches
    seen = _statements(engine)
    flushes: list[int] = []
    with session_scope(engine) as s:
        event.listen(s, "after_flush", lambda *_a: flushes.append(1))
        case = service.create(s, body, principal=agent, now=NOW)
        assert case.assigned_agent_id == org.agent_a2  # routed: skilled for billing, no premium tier
    assert len(flushes) == 2  # the case (its id is needed), then the rest at the commit
    writes = sorted(q.split()[2] for q in seen if q.lstrip().upper().startswith("INSERT"))
    assert writes == ["audit_log", "case_status_changes", "cases", "webhook_events"]
    assert not [q for q in seen if q.lstrip().upper().startswith("UPDATE")]  # the SLA rides on the INSERT
    assert len(seen) == 8, seen


def test_unknown_ids_are_named_in_order(db):
    engine, org, admin, _agent = db
    for field, body in (("customer_id", dict(customer_id=10**9, reason_id=10**9, channel_id=10**9)),
                        ("reason_id", dict(customer_id=org.low_customer, reason_id=10**9, channel_id=10**9)),
                        ("channel_id", dict(customer_id=org.low_customer, reason_id=org.billing, channel_id=10**9))):
        with session_scope(engine) as s, pytest.raises(InvalidInput) as err:
            service.create(s, CaseCreate(**body), principal=admin, now=NOW)
        assert err.value.field == field and str(10**9) in err.value.message


def test_cached_policies_follow_orm_changes_and_expire(db, monkeypatch):
    engine, org, admin, _agent = db
    body = CaseCreate(customer_id=org.low_customer, reason_id=org.billing, channel_id=org.email, priority="normal")
    with session_scope(engine) as s:
        first = service.create(s, body, principal=admin, now=NOW)
    with session_scope(engine) as s:  # a more specific policy written through the ORM is used at once
        s.add(SlaPolicy(name="email normal", channel_id=org.email, priority="normal", first_response_seconds=60,
                        resolution_seconds=120, calendar_id=None, pause_statuses=[]))
    with session_scope(engine) as s:
        second = service.create(s, body, principal=admin, now=NOW)
    assert second.sla_policy_id != first.sla_policy_id and second.first_response_due_at == NOW + dt.timedelta(
        minutes=1)
    # written without the ORM (as another process would): seen once the cache expires
    with engine.begin() as conn:
        conn.execute(insert(SlaPolicy).values(name="email normal low", channel_id=org.email, tier="low",
                                              priority="normal", first_response_seconds=30, resolution_seconds=60,
                                              calendar_id=None, pause_statuses=[]))
    with session_scope(engine) as s:
        assert service.create(s, body, principal=admin, now=NOW).sla_policy_id == second.sla_policy_id
    monkeypatch.setattr(reference, "POLICY_TTL_SECONDS", 0.0)
    with session_scope(engine) as s:
        third = service.create(s, body, principal=admin, now=NOW)
    assert third.first_response_due_at == NOW + dt.timedelta(seconds=30)

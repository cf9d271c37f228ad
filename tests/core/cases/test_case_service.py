"""Case services on real databases: routing, SLA outcome stored on the case, pauses, lifecycle, merge, locking."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from equipoise.core.cases import flows, service
from equipoise.core.cases.schemas import CaseCreate, CaseUpdate, NoteCreate
from equipoise.db.engine import make_engine, session_scope
from equipoise.kit.errors import Conflict, InvalidInput, NotFound
from equipoise.models import AuditEntry, Contact
from tests.core.auth.factories import NOW, make_user, seed_org

H = dt.timedelta(hours=1)


@pytest.fixture
def db(database_url):
    engine = make_engine(database_url)
    with session_scope(engine) as s:
        org = seed_org(s)
        people = {"admin": make_user(s, "root@example.com", "admin"),
                  "agent_a": make_user(s, "ann@example.com", "agent", [org.team_a]),
                  "agent_b": make_user(s, "cat@example.com", "agent", [org.team_b]),
                  "lead_a": make_user(s, "lee@example.com", "lead", [org.team_a])}
    yield engine, org, people
    engine.dispose()


def _contact(s, org, customer):
    c = Contact(customer_id=customer, channel_id=org.phone, reason_id=org.billing, arrived_at=NOW - H,
                ended_at=NOW - H / 2, outcome="unresolved", cost=7.5, handle_seconds=600)
    s.add(c)
    s.flush()
    return c.id


def test_routing_sla_and_pause_on_a_top_customer_case(db):
    engine, org, p = db
    with session_scope(engine) as s:
        case = service.create(s, CaseCreate(customer_id=org.top_customer, reason_id=org.billing,
                                            channel_id=org.email, priority="urgent", tags=["VIP", "vip"]),
                              principal=p["admin"], now=NOW)
        assert (case.assigned_agent_id, case.team_id) == (org.agent_a1, org.team_a)  # holds tier:top
        assert case.tags == ["vip"] and case.status == "new"
        # "top urgent" policy: 1 h first response, 4 h resolution, Monday 10:00 open
        assert case.first_response_due_at == NOW + H and case.resolution_due_at == NOW + 4 * H
        cid = case.id
    with session_scope(engine) as s:  # the customer is asked a question at 11:00: the clock stops
        case = service.update(s, cid, CaseUpdate(version=1, status="pending_customer"), principal=p["agent_a"],
                              now=NOW + H)
        assert case.status_category == "paused" and case.resolution_due_at is None and case.version == 2
    with session_scope(engine) as s:  # answered next morning 09:30: 1 h used, due 3 h later
        case = service.update(s, cid, CaseUpdate(version=2, status="open"), principal=p["agent_a"],
                              now=dt.datetime(2026, 3, 3, 9, 30))
        assert case.resolution_due_at == dt.datetime(2026, 3, 3, 12, 30)
        assert case.first_response_met is None
    with session_scope(engine) as s:
        case = service.update(s, cid, CaseUpdate(version=3, status="solved"), principal=p["agent_a"],
                              now=dt.datetime(2026, 3, 3, 12))
        assert case.resolution_met is True and case.resolved_at == dt.datetime(2026, 3, 3, 12)
        # the first response never happened within the hour
        assert case.first_response_met is None
        state = flows.sla(s, cid, principal=p["agent_a"], now=dt.datetime(2026, 3, 3, 12))
        assert state.first_response.breached and state.resolution.met
    with session_scope(engine) as s:
        case = flows.reopen(s, cid, 4, principal=p["agent_a"], now=dt.datetime(2026, 3, 4, 9))
        assert case.reopen_count == 1 and case.resolution_met is None and case.resolved_at is None
        # 3.5 h used; the resolved night counts as stopped, so 30 minutes remain
        assert case.resolution_due_at == dt.datetime(2026, 3, 4, 9, 30)
        history = [e.action for e in s.scalars(select(AuditEntry).where(AuditEntry.entity == "case"))]
        assert history == ["case.create", "case.update", "case.update", "case.update", "case.reopen"]


def test_routing_for_low_tier_and_team_limits(db):
    engine, org, p = db
    with session_scope(engine) as s:
        case = service.create(s, CaseCreate(customer_id=org.low_customer, reason_id=org.tech, channel_id=org.phone),
                              principal=p["admin"], now=NOW)
        assert case.assigned_agent_id == org.agent_a2  # skilled, not premium, cheaper than agent b1
        case = service.create(s, CaseCreate(customer_id=org.low_customer, reason_id=org.tech, channel_id=org.phone),
                              principal=p["agent_b"], now=NOW)
        assert (case.assigned_agent_id, case.team_id) == (org.agent_b1, org.team_b)  # only team B is in reach
        with pytest.raises(Exception) as err:
            service.create(s, CaseCreate(customer_id=org.low_customer, reason_id=org.tech, channel_id=org.phone,
                                         team_id=org.team_a), principal=p["agent_b"], now=NOW)
        assert err.value.status_code == 403
        with pytest.raises(InvalidInput) as bad:
            service.create(s, CaseCreate(customer_id=999, reason_id=org.tech, channel_id=org.phone),
                           principal=p["admin"], now=NOW)
        assert bad.value.field == "customer_id"
        with pytest.raises(NotFound):
            service.visible(s, case.id, p["agent_a"])


def test_stale_version_is_a_conflict(db):
    engine, org, p = db
    with session_scope(engine) as s:
        cid = service.create(s, CaseCreate(customer_id=org.low_customer, reason_id=org.billing, channel_id=org.email,
                                           team_id=org.team_a), principal=p["agent_a"], now=NOW).id
    with session_scope(engine) as s:
        service.update(s, cid, CaseUpdate(version=1, subject="first"), principal=p["agent_a"], now=NOW)
    with session_scope(engine) as s, pytest.raises(Conflict) as err:
        service.update(s, cid, CaseUpdate(version=1, subject="second"), principal=p["agent_a"], now=NOW)
    assert err.value.field == "version"
    with session_scope(engine) as s:
        assert service.visible(s, cid, p["admin"]).subject == "first"


def test_merge_moves_contacts_and_tags_and_needs_a_lead(db):
    engine, org, p = db
    with session_scope(engine) as s:
        k1 = _contact(s, org, org.low_customer)
        a = service.create(s, CaseCreate(customer_id=org.low_customer, reason_id=org.billing, channel_id=org.phone,
                                         tags=["dup"], contact_ids=[k1], team_id=org.team_a),
                           principal=p["lead_a"], now=NOW)
        b = service.create(s, CaseCreate(customer_id=org.low_customer, reason_id=org.billing, channel_id=org.phone,
                                         tags=["main"], team_id=org.team_a), principal=p["lead_a"], now=NOW)
        flows.add_note(s, a.id, NoteCreate(body="same problem as the other case"), principal=p["agent_a"], now=NOW)
        ids = a.id, b.id
    with session_scope(engine) as s, pytest.raises(Exception) as err:
        flows.merge(s, ids[0], ids[1], 1, principal=p["agent_a"], now=NOW)
    assert err.value.status_code == 403
    with session_scope(engine) as s:
        target = flows.merge(s, ids[0], ids[1], 1, principal=p["lead_a"], now=NOW + H)
        assert target.tags == ["dup", "main"] and target.version == 2
        assert s.get(Contact, k1).case_id == ids[1]
        source = service.visible(s, ids[0], p["lead_a"])
        assert (source.status, source.status_category) == ("merged", "resolved")
        assert flows.cost(s, ids[1], principal=p["admin"], currency="USD").cost == 7.5
    with session_scope(engine) as s, pytest.raises(Conflict):
        service.update(s, ids[0], CaseUpdate(version=2, subject="x"), principal=p["lead_a"], now=NOW)
    with session_scope(engine) as s, pytest.raises(Exception) as err:
        flows.cost(s, ids[1], principal=p["lead_a"], currency="USD")
    assert err.value.status_code == 403

"""Commitments: promise, due date, owner, kept or broken, overdue list and rates."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from equipoise.core.commitments import service
from equipoise.core.commitments.schemas import CommitmentCreate, CommitmentSettle, CommitmentUpdate
from equipoise.kit.errors import Conflict, InvalidInput
from tests.core.complaints.factories import NOW, add_case

H = dt.timedelta(hours=1)


def _make(db, world, due, **kw):
    data = dict(
        case_id=world.case_id, promise="Call back with the repair date", due_at=due, owner_agent_id=world.agent_id
    )
    data.update(kw)
    return service.create_commitment(db, CommitmentCreate(**data), NOW)


def test_overdue_list_and_settling(db, world):
    late = _make(db, world, NOW - 30 * H)
    later = _make(db, world, NOW - 2 * H)
    future = _make(db, world, NOW + 5 * H)
    assert late.customer_id == world.customer_id  # taken from the case
    overdue = service.overdue(db, NOW)
    assert [(o.id, o.hours_overdue) for o in overdue] == [(late.id, 30.0), (later.id, 2.0)]
    service.settle(db, late.id, CommitmentSettle(outcome="broken", note="Part delayed"), NOW)
    service.settle(db, future.id, CommitmentSettle(outcome="kept"), NOW + 4 * H)
    assert [o.id for o in service.overdue(db, NOW)] == [later.id]
    assert service.overdue(db, NOW, owner_agent_id=world.agent_id + 99) == []
    with pytest.raises(Conflict):
        service.settle(db, late.id, CommitmentSettle(outcome="kept"), NOW)
    with pytest.raises(Conflict):
        service.update_commitment(db, late.id, CommitmentUpdate(promise="x"))
    stats = service.stats(db, NOW - 48 * H, NOW + 48 * H, NOW)
    assert (stats.due, stats.kept, stats.broken, stats.open, stats.overdue) == (3, 1, 1, 1, 1)
    assert stats.kept_rate == 0.5 and stats.kept_on_time_rate == 1.0
    assert [c.id for c in service.list_commitments(db, status="open")] == [later.id]


def test_team_scope_follows_the_case(db, world):
    c = _make(db, world, NOW - H)
    assert [x.id for x in service.list_commitments(db, team_ids=frozenset({world.team_id}))] == [c.id]
    assert service.list_commitments(db, team_ids=frozenset({world.team_id + 100})) == []
    assert service.overdue(db, NOW, team_ids=frozenset({world.team_id + 100})) == []


def test_validation(db, world):
    other_case = add_case(db, world, customer_id=world.other_customer_id)
    with pytest.raises(InvalidInput) as err:
        _make(db, world, NOW, case_id=other_case.id, customer_id=world.customer_id)
    assert err.value.field == "customer_id"
    with pytest.raises(InvalidInput) as err:
        _make(db, world, NOW, case_id=None)
    assert err.value.field == "customer_id"
    with pytest.raises(InvalidInput) as err:
        _make(db, world, NOW, owner_agent_id=999_999)
    assert err.value.field == "owner_agent_id"
    standalone = _make(db, world, NOW, case_id=None, customer_id=world.other_customer_id)
    moved = service.update_commitment(db, standalone.id, CommitmentUpdate(due_at=NOW + 10 * H))
    assert moved.due_at == NOW + 10 * H
    with pytest.raises(ValidationError) as bad:
        CommitmentCreate(promise="", due_at="tomorrow", customer_id=0)
    assert {e["loc"][0] for e in bad.value.errors()} == {"promise", "due_at", "customer_id"}
    with pytest.raises(InvalidInput):
        service.list_commitments(db, status="late")

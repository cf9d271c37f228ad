"""Multi-step case work: reopen, merge, first response, notes, contacts, SLA view and cost."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from equipoise.core.audit.service import history as audit_history
from equipoise.core.audit.service import record, snapshot
from equipoise.core.auth.schemas import Principal
from equipoise.core.cases import repository
from equipoise.core.cases.events import announce
from equipoise.core.cases.schemas import (
    PAUSED_STATUSES,
    RESOLVED_STATUSES,
    CaseCost,
    NoteCreate,
    SlaRead,
    TargetRead,
)
from equipoise.core.cases.service import Forbidden, _attach, _set_status, lock, refresh_sla, visible
from equipoise.core.sla import service as sla_service
from equipoise.core.sla.clock import TargetState
from equipoise.kit.errors import Conflict
from equipoise.models.case_extras import CaseMerge, CaseNote
from equipoise.models.cases import Case

MERGE_ROLES = frozenset({"lead", "manager", "admin"})


def reopen(session: Session, case_id: int, version: int, *, principal: Principal, now: dt.datetime) -> Case:
    """Reopen a solved or closed case: back to ``open``, resolution measured again, reopen counted."""
    case = visible(session, case_id, principal)
    if case.status == "merged":
        raise Conflict(f"case {case_id} was merged into case {repository.merged_into(session, case_id)}")
    if case.status_category != "resolved":
        raise Conflict(f"case {case_id} is {case.status}, not resolved", field="status")
    before, previous_status = snapshot(case), case.status
    lock(session, case, version)
    _set_status(session, case, "open", principal, now)
    refresh_sla(session, case, now)
    session.flush()
    record(session, principal, "case.reopen", "case", case.id, before, snapshot(case), at=now)
    announce(session, case, "case.reopened", now, previous_status=previous_status)
    return case


def merge(session: Session, case_id: int, into_case_id: int, version: int, *, principal: Principal,
          now: dt.datetime) -> Case:
    """Fold case ``case_id`` into ``into_case_id``: contacts and tags move, the source closes as ``merged``."""
    if principal.role not in MERGE_ROLES:
        raise Forbidden("merging cases needs a lead, manager or admin")
    if case_id == into_case_id:
        raise Conflict("a case cannot be merged into itself", field="into_case_id")
    source = visible(session, case_id, principal)
    target = visible(session, into_case_id, principal)
    if source.status == "merged" or target.status == "merged":
        raise Conflict("merged cases cannot be merged again", field="into_case_id")
    if source.customer_id != target.customer_id:
        raise Conflict("only cases of the same customer can be merged", field="into_case_id")
    before_source, before_target = snapshot(source), snapshot(target)
    source_status = source.status
    lock(session, source, version)
    lock(session, target, target.version)
    repository.move_contacts(session, source.id, target.id)
    target.tags = sorted(set(target.tags) | set(source.tags))
    if target.first_response_at is None and source.first_response_at is not None:
        target.first_response_at = source.first_response_at
    _set_status(session, source, "merged", principal, now)
    session.add(CaseMerge(source_case_id=source.id, target_case_id=target.id, merged_at=now,
                          user_id=principal.user_id))
    refresh_sla(session, source, now)
    refresh_sla(session, target, now)
    session.flush()
    record(session, principal, "case.merge", "case", source.id, before_source, snapshot(source), at=now)
    record(session, principal, "case.merge_into", "case", target.id, before_target, snapshot(target), at=now)
    announce(session, source, "case.merged", now, previous_status=source_status)
    announce(session, target, "case.updated", now, previous_status=target.status)
    return target


def respond(session: Session, case_id: int, version: int, *, principal: Principal, now: dt.datetime) -> Case:
    """Record the first response to the customer (later responses leave it unchanged)."""
    case = visible(session, case_id, principal)
    if case.first_response_at is not None:
        return case
    if case.status == "merged":
        raise Conflict(f"case {case_id} was merged into case {repository.merged_into(session, case_id)}")
    before, previous_status = snapshot(case), case.status
    lock(session, case, version)
    case.first_response_at = now
    if case.status == "new":
        _set_status(session, case, "open", principal, now)
    refresh_sla(session, case, now)
    session.flush()
    record(session, principal, "case.first_response", "case", case.id, before, snapshot(case), at=now)
    announce(session, case, "case.updated", now, previous_status=previous_status)
    return case


def add_note(session: Session, case_id: int, data: NoteCreate, *, principal: Principal, now: dt.datetime) -> CaseNote:
    """Add an internal note (staff only)."""
    case = visible(session, case_id, principal)
    note = CaseNote(case_id=case.id, author_id=principal.user_id, body=data.body, created_at=now)
    session.add(note)
    session.flush()
    record(session, principal, "case.note", "case_note", note.id, None, snapshot(note), at=now)
    return note


def notes(session: Session, case_id: int, *, principal: Principal) -> list[CaseNote]:
    """The case's internal notes, oldest first."""
    return repository.notes(session, visible(session, case_id, principal).id)


def attach_contact(session: Session, case_id: int, contact_id: int, *, principal: Principal,
                   now: dt.datetime) -> Case:
    """Attach an existing contact (interaction) of the same customer to the case."""
    case = visible(session, case_id, principal)
    _attach(session, case, contact_id)
    session.flush()
    record(session, principal, "case.attach_contact", "case", case.id, None, {"contact_id": contact_id}, at=now)
    return case


def _target(state: TargetState) -> TargetRead:
    return TargetRead(**{k: getattr(state, k) for k in TargetRead.model_fields})


def sla(session: Session, case_id: int, *, principal: Principal, now: dt.datetime) -> SlaRead:
    """Where the case stands against its SLA at ``now`` (read only)."""
    case = visible(session, case_id, principal)
    result = sla_service.evaluate(session, case, now=now, paused=PAUSED_STATUSES, resolved=RESOLVED_STATUSES)
    if result is None:
        return SlaRead(case_id=case.id, policy_id=None, policy_name=None, first_response=None, resolution=None)
    policy, state = result
    return SlaRead(case_id=case.id, policy_id=policy.id, policy_name=policy.name,
                   first_response=_target(state.first_response), resolution=_target(state.resolution))


def cost(session: Session, case_id: int, *, principal: Principal, currency: str) -> CaseCost:
    """The cost of the case's contacts; costs are open to managers and admins only."""
    if not principal.sees_costs:
        raise Forbidden("costs are visible to managers and admins")
    case = visible(session, case_id, principal)
    n, total = repository.cost(session, case.id)
    return CaseCost(case_id=case.id, contacts=n, cost=round(total, 2), currency=currency)


def history(session: Session, case_id: int, *, principal: Principal) -> list:
    """The case's audit trail, oldest first."""
    return audit_history(session, "case", visible(session, case_id, principal).id)

"""Cases: create from any channel, list, change with optimistic locking, route, merge, notes, SLA, cost."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from equipoise.core.audit.schemas import AuditRead
from equipoise.core.auth.schemas import Principal
from equipoise.core.cases import flows, service
from equipoise.core.cases.events import ResolutionSurvey
from equipoise.core.cases.schemas import (
    AssignRequest,
    AttachContact,
    CaseCost,
    CaseCreate,
    CasePage,
    CaseRead,
    CaseUpdate,
    MergeRequest,
    NoteCreate,
    NoteRead,
    Priority,
    RoutingRead,
    SlaRead,
    Tag,
    VersionOnly,
)
from equipoise.interfaces.api.auth import current_principal
from equipoise.interfaces.api.deps import DbSession, Now

router = APIRouter(prefix="/cases", tags=["cases"])
Caller = Annotated[Principal, Depends(current_principal)]
CaseId = Annotated[int, Path(ge=1, le=2**63 - 1)]
StatusCategory = Annotated[str | None, Query(pattern="^(open|paused|resolved)$")]
StatusCode = Annotated[str | None, Query(pattern="^(new|open|pending_customer|on_hold|solved|closed|merged)$")]
OptionalId = Annotated[int | None, Query(ge=1, le=2**63 - 1)]


def _read(case) -> CaseRead:
    return CaseRead.model_validate(case)


@router.post("", response_model=CaseRead, status_code=201)
def create_case(body: CaseCreate, db: DbSession, at: Now, principal: Caller) -> CaseRead:
    """Open a case; without an agent it is routed by skills and customer tier."""
    return _read(service.create(db, body, principal=principal, now=at))


@router.get("", response_model=CasePage)
def list_cases(db: DbSession, principal: Caller, status: StatusCode = None, status_category: StatusCategory = None,
               priority: Annotated[Priority | None, Query()] = None, team_id: OptionalId = None,
               assigned_agent_id: OptionalId = None, customer_id: OptionalId = None, channel_id: OptionalId = None,
               reason_id: OptionalId = None, tag: Annotated[Tag | None, Query()] = None,
               before_id: OptionalId = None, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> CasePage:
    """Newest cases first among those the caller may see; page with ``before_id``."""
    filters = {"status": status, "status_category": status_category, "priority": priority, "team_id": team_id,
               "assigned_agent_id": assigned_agent_id, "customer_id": customer_id, "channel_id": channel_id,
               "reason_id": reason_id, "tag": tag}
    rows, next_id = service.list_page(db, principal=principal, filters=filters, before_id=before_id, limit=limit)
    return CasePage(items=[_read(c) for c in rows], next_before_id=next_id)


@router.get("/{case_id}", response_model=CaseRead)
def get_case(case_id: CaseId, db: DbSession, principal: Caller) -> CaseRead:
    """One case (404 when it does not exist or is outside the caller's teams)."""
    return _read(service.visible(db, case_id, principal))


@router.patch("/{case_id}", response_model=CaseRead)
def update_case(case_id: CaseId, body: CaseUpdate, request: Request, db: DbSession, at: Now,
                principal: Caller) -> CaseRead:
    """Change subject, priority, tags, status, team or agent; send the ``version`` you read (409 if stale).

    Resolving the case emails the satisfaction survey when the customer's address is known."""
    survey = ResolutionSurvey(settings=request.app.state.settings, base_url=str(request.base_url))
    return _read(service.update(db, case_id, body, principal=principal, now=at, survey=survey))


@router.post("/{case_id}/assign", response_model=RoutingRead)
def assign_case(case_id: CaseId, body: AssignRequest, db: DbSession, at: Now, principal: Caller) -> RoutingRead:
    """Assign to an agent, or route by skills and tier when ``agent_id`` is null."""
    case, routed = service.assign(db, case_id, body.agent_id, body.version, principal=principal, now=at)
    return RoutingRead(agent_id=case.assigned_agent_id, team_id=case.team_id,
                       reasons=list(routed.reasons) if routed else ["assigned by hand"])


@router.post("/{case_id}/reopen", response_model=CaseRead)
def reopen_case(case_id: CaseId, body: VersionOnly, db: DbSession, at: Now, principal: Caller) -> CaseRead:
    """Reopen a solved or closed case."""
    return _read(flows.reopen(db, case_id, body.version, principal=principal, now=at))


@router.post("/{case_id}/merge", response_model=CaseRead)
def merge_case(case_id: CaseId, body: MergeRequest, db: DbSession, at: Now, principal: Caller) -> CaseRead:
    """Merge this case into another case of the same customer (leads, managers, admins); returns the target."""
    return _read(flows.merge(db, case_id, body.into_case_id, body.version, principal=principal, now=at))


@router.post("/{case_id}/respond", response_model=CaseRead)
def respond_case(case_id: CaseId, body: VersionOnly, db: DbSession, at: Now, principal: Caller) -> CaseRead:
    """Record the first response to the customer (stops the first-response clock)."""
    return _read(flows.respond(db, case_id, body.version, principal=principal, now=at))


@router.post("/{case_id}/contacts", response_model=CaseRead)
def attach_contact(case_id: CaseId, body: AttachContact, db: DbSession, at: Now, principal: Caller) -> CaseRead:
    """Attach an existing contact (interaction) of the same customer."""
    return _read(flows.attach_contact(db, case_id, body.contact_id, principal=principal, now=at))


@router.get("/{case_id}/notes", response_model=list[NoteRead])
def list_notes(case_id: CaseId, db: DbSession, principal: Caller) -> list[NoteRead]:
    """Internal notes, oldest first."""
    return [NoteRead.model_validate(n) for n in flows.notes(db, case_id, principal=principal)]


@router.post("/{case_id}/notes", response_model=NoteRead, status_code=201)
def add_note(case_id: CaseId, body: NoteCreate, db: DbSession, at: Now, principal: Caller) -> NoteRead:
    """Add an internal note (never shown to the customer)."""
    return NoteRead.model_validate(flows.add_note(db, case_id, body, principal=principal, now=at))


@router.get("/{case_id}/sla", response_model=SlaRead)
def case_sla(case_id: CaseId, db: DbSession, at: Now, principal: Caller) -> SlaRead:
    """Elapsed and remaining business time, due times, warnings and breaches right now."""
    return flows.sla(db, case_id, principal=principal, now=at)


@router.get("/{case_id}/cost", response_model=CaseCost)
def case_cost(case_id: CaseId, request: Request, db: DbSession, principal: Caller) -> CaseCost:
    """What the case has cost (managers and admins)."""
    return flows.cost(db, case_id, principal=principal, currency=request.app.state.settings.currency)


@router.get("/{case_id}/history", response_model=list[AuditRead])
def case_history(case_id: CaseId, db: DbSession, principal: Caller) -> list[AuditRead]:
    """Every recorded change of the case: who, what, when, before and after."""
    return [AuditRead.model_validate(e) for e in flows.history(db, case_id, principal=principal)]

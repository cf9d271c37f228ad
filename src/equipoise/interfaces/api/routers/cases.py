"""Cases: create from any channel, list, change with optimistic locking, route, merge, notes, SLA, cost.

Every endpoint runs its whole unit of work (the service call, the commit and the response model)
in one worker thread through ``unit_of_work``, so a connection is never held while a request
waits for a thread."""

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
from equipoise.interfaces.api.deps import Now, unit_of_work

router = APIRouter(prefix="/cases", tags=["cases"])
Caller = Annotated[Principal, Depends(current_principal)]
CaseId = Annotated[int, Path(ge=1, le=2**63 - 1)]
StatusCategory = Annotated[str | None, Query(pattern="^(open|paused|resolved)$")]
StatusCode = Annotated[str | None, Query(pattern="^(new|open|pending_customer|on_hold|solved|closed|merged)$")]
OptionalId = Annotated[int | None, Query(ge=1, le=2**63 - 1)]


def _read(case) -> CaseRead:
    return CaseRead.model_validate(case)


@router.post("", response_model=CaseRead, status_code=201)
async def create_case(body: CaseCreate, request: Request, at: Now, principal: Caller) -> CaseRead:
    """Open a case; without an agent it is routed by skills and customer tier."""
    return await unit_of_work(request, lambda db: _read(service.create(db, body, principal=principal, now=at)))


@router.get("", response_model=CasePage)
async def list_cases(request: Request, principal: Caller, status: StatusCode = None,
                     status_category: StatusCategory = None, priority: Annotated[Priority | None, Query()] = None,
                     team_id: OptionalId = None, assigned_agent_id: OptionalId = None, customer_id: OptionalId = None,
                     channel_id: OptionalId = None, reason_id: OptionalId = None,
                     tag: Annotated[Tag | None, Query()] = None, before_id: OptionalId = None,
                     limit: Annotated[int, Query(ge=1, le=200)] = 50) -> CasePage:
    """Newest cases first among those the caller may see; page with ``before_id``."""
    filters = {"status": status, "status_category": status_category, "priority": priority, "team_id": team_id,
               "assigned_agent_id": assigned_agent_id, "customer_id": customer_id, "channel_id": channel_id,
               "reason_id": reason_id, "tag": tag}

    def work(db) -> CasePage:
        rows, next_id = service.list_page(db, principal=principal, filters=filters, before_id=before_id, limit=limit)
        return CasePage(items=[_read(c) for c in rows], next_before_id=next_id)

    return await unit_of_work(request, work, single_read=True)


@router.get("/{case_id}", response_model=CaseRead)
async def get_case(case_id: CaseId, request: Request, principal: Caller) -> CaseRead:
    """One case (404 when it does not exist or is outside the caller's teams)."""
    return await unit_of_work(request, lambda db: _read(service.visible(db, case_id, principal)), single_read=True)


@router.patch("/{case_id}", response_model=CaseRead)
async def update_case(case_id: CaseId, body: CaseUpdate, request: Request, at: Now, principal: Caller) -> CaseRead:
    """Change subject, priority, tags, status, team or agent; send the ``version`` you read (409 if stale).

    Resolving the case emails the satisfaction survey when the customer's address is known."""
    survey = ResolutionSurvey(settings=request.app.state.settings, base_url=str(request.base_url))
    return await unit_of_work(request, lambda db: _read(service.update(db, case_id, body, principal=principal,
                                                                       now=at, survey=survey)))


@router.post("/{case_id}/assign", response_model=RoutingRead)
async def assign_case(case_id: CaseId, body: AssignRequest, request: Request, at: Now,
                      principal: Caller) -> RoutingRead:
    """Assign to an agent, or route by skills and tier when ``agent_id`` is null."""

    def work(db) -> RoutingRead:
        case, routed = service.assign(db, case_id, body.agent_id, body.version, principal=principal, now=at)
        return RoutingRead(agent_id=case.assigned_agent_id, team_id=case.team_id,
                           reasons=list(routed.reasons) if routed else ["assigned by hand"])

    return await unit_of_work(request, work)


@router.post("/{case_id}/reopen", response_model=CaseRead)
async def reopen_case(case_id: CaseId, body: VersionOnly, request: Request, at: Now, principal: Caller) -> CaseRead:
    """Reopen a solved or closed case."""
    return await unit_of_work(request, lambda db: _read(flows.reopen(db, case_id, body.version, principal=principal,
                                                                     now=at)))


@router.post("/{case_id}/merge", response_model=CaseRead)
async def merge_case(case_id: CaseId, body: MergeRequest, request: Request, at: Now, principal: Caller) -> CaseRead:
    """Merge this case into another case of the same customer (leads, managers, admins); returns the target."""
    return await unit_of_work(request, lambda db: _read(flows.merge(db, case_id, body.into_case_id, body.version,
                                                                    principal=principal, now=at)))


@router.post("/{case_id}/respond", response_model=CaseRead)
async def respond_case(case_id: CaseId, body: VersionOnly, request: Request, at: Now, principal: Caller) -> CaseRead:
    """Record the first response to the customer (stops the first-response clock)."""
    return await unit_of_work(request, lambda db: _read(flows.respond(db, case_id, body.version,
                                                                      principal=principal, now=at)))


@router.post("/{case_id}/contacts", response_model=CaseRead)
async def attach_contact(case_id: CaseId, body: AttachContact, request: Request, at: Now,
                         principal: Caller) -> CaseRead:
    """Attach an existing contact (interaction) of the same customer."""
    return await unit_of_work(request, lambda db: _read(flows.attach_contact(db, case_id, body.contact_id,
                                                                             principal=principal, now=at)))


@router.get("/{case_id}/notes", response_model=list[NoteRead])
async def list_notes(case_id: CaseId, request: Request, principal: Caller) -> list[NoteRead]:
    """Internal notes, oldest first."""
    return await unit_of_work(request, lambda db: [NoteRead.model_validate(n)
                                                   for n in flows.notes(db, case_id, principal=principal)])


@router.post("/{case_id}/notes", response_model=NoteRead, status_code=201)
async def add_note(case_id: CaseId, body: NoteCreate, request: Request, at: Now, principal: Caller) -> NoteRead:
    """Add an internal note (never shown to the customer)."""
    return await unit_of_work(request, lambda db: NoteRead.model_validate(flows.add_note(db, case_id, body,
                                                                                         principal=principal, now=at)))


@router.get("/{case_id}/sla", response_model=SlaRead)
async def case_sla(case_id: CaseId, request: Request, at: Now, principal: Caller) -> SlaRead:
    """Elapsed and remaining business time, due times, warnings and breaches right now."""
    return await unit_of_work(request, lambda db: flows.sla(db, case_id, principal=principal, now=at))


@router.get("/{case_id}/cost", response_model=CaseCost)
async def case_cost(case_id: CaseId, request: Request, principal: Caller) -> CaseCost:
    """What the case has cost (managers and admins)."""
    currency = request.app.state.settings.currency
    return await unit_of_work(request, lambda db: flows.cost(db, case_id, principal=principal, currency=currency))


@router.get("/{case_id}/history", response_model=list[AuditRead])
async def case_history(case_id: CaseId, request: Request, principal: Caller) -> list[AuditRead]:
    """Every recorded change of the case: who, what, when, before and after."""
    return await unit_of_work(request, lambda db: [AuditRead.model_validate(e)
                                                   for e in flows.history(db, case_id, principal=principal)])

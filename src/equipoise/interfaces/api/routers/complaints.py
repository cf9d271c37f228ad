"""Complaints API: flag a case, record root cause and corrective action, close, recovery, metrics.

Every endpoint runs its whole unit of work in one worker thread through ``unit_of_work``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlalchemy.orm import Session

from equipoise.core.audit import service as audit
from equipoise.core.auth.schemas import Principal
from equipoise.core.complaints import service
from equipoise.core.complaints.schemas import (
    ComplaintCreate,
    ComplaintRead,
    ComplaintStatus,
    ComplaintSummary,
    ComplaintTransition,
    ComplaintUpdate,
    RecoveryUpdate,
)
from equipoise.core.surveys.signing import signing_secret
from equipoise.interfaces.api.auth import current_principal, require_roles
from equipoise.interfaces.api.deps import Now, to_read, unit_of_work
from equipoise.interfaces.api.params import PathId
from equipoise.kit.ids import MAX_ID
from equipoise.models.cases import Case
from equipoise.models.complaints import Complaint

router = APIRouter(prefix="/complaints", tags=["complaints"])
LEADS = require_roles("lead", "manager", "admin")


def _visible(db: Session, principal: Principal, complaint: Complaint) -> Complaint:
    case = db.get(Case, complaint.case_id)
    if not principal.can_see_team(case.team_id if case else None):
        raise HTTPException(status_code=404, detail=f"complaint {complaint.id} not found")
    return complaint


@router.get("", response_model=list[ComplaintRead])
async def list_complaints(
    request: Request,
    status: ComplaintStatus | None = None,
    severity: int | None = Query(None, ge=1, le=3),
    customer_id: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_ID),
    principal: Principal = Depends(current_principal),
) -> list[ComplaintRead]:
    """Complaints, newest first (agents and leads see their teams' cases)."""
    teams = None if principal.sees_all_teams else principal.team_ids
    return await unit_of_work(request, lambda db: to_read(ComplaintRead, list(service.list_complaints(
        db, status=status, severity=severity, customer_id=customer_id, team_ids=teams, limit=limit, offset=offset))))


@router.post("", response_model=ComplaintRead, status_code=201)
async def flag(body: ComplaintCreate, request: Request, at: Now,
               principal: Principal = Depends(current_principal)) -> ComplaintRead:
    """Flag a case as a complaint, with its severity (1 minor .. 3 severe)."""

    def work(db: Session) -> ComplaintRead:
        case = db.get(Case, body.case_id)
        if case is not None and not principal.can_see_team(case.team_id):
            raise HTTPException(status_code=404, detail=f"case {body.case_id} not found")
        complaint = service.flag_complaint(db, body, at, user_id=principal.user_id)
        audit.record(db, principal, "complaint.flag", "complaint", complaint.id, None, complaint, at=at)
        return to_read(ComplaintRead, complaint)

    return await unit_of_work(request, work)


@router.get("/summary", response_model=ComplaintSummary)
async def summary(request: Request, start: dt.datetime, end: dt.datetime,
                  _p: Principal = Depends(LEADS)) -> ComplaintSummary:
    """Complaint metrics over complaints flagged in [start, end) (leads, managers, admins)."""
    return await unit_of_work(request, lambda db: service.summary(db, start, end))


@router.post("/resurveys/send")
async def send_resurveys(
    request: Request, at: Now, _p: Principal = Depends(require_roles("manager", "admin"))
) -> dict:
    """Issue (and email) the re-surveys that are due now."""
    secret = signing_secret(request.app.state.settings)
    base_url = str(request.base_url)
    issued = await unit_of_work(request, lambda db: service.send_due_resurveys(db, at, secret, base_url=base_url))
    return {"issued": issued}


@router.get("/{complaint_id}", response_model=ComplaintRead)
async def get_complaint(complaint_id: PathId, request: Request,
                        principal: Principal = Depends(current_principal)) -> ComplaintRead:
    return await unit_of_work(request, lambda db: to_read(ComplaintRead, _visible(
        db, principal, service.get_complaint(db, complaint_id))))


def _change(complaint_id: int, principal: Principal, action: str, at: dt.datetime,
            change: Callable[[Session], Complaint]) -> Callable[[Session], ComplaintRead]:
    """The unit of work of a change to a visible complaint, audited as ``action``."""

    def work(db: Session) -> ComplaintRead:
        before = audit.snapshot(_visible(db, principal, service.get_complaint(db, complaint_id)))
        complaint = change(db)
        audit.record(db, principal, action, "complaint", complaint.id, before, complaint, at=at)
        return to_read(ComplaintRead, complaint)

    return work


@router.patch("/{complaint_id}", response_model=ComplaintRead)
async def update(
    complaint_id: PathId,
    body: ComplaintUpdate,
    request: Request,
    at: Now,
    principal: Principal = Depends(current_principal),
) -> ComplaintRead:
    """Change severity, category, root cause, corrective action or the re-survey address."""
    return await unit_of_work(request, _change(complaint_id, principal, "complaint.update", at,
                                               lambda db: service.update_complaint(db, complaint_id, body)))


@router.post("/{complaint_id}/status", response_model=ComplaintRead)
async def transition(
    complaint_id: PathId,
    body: ComplaintTransition,
    request: Request,
    at: Now,
    principal: Principal = Depends(current_principal),
) -> ComplaintRead:
    """Move the complaint on; closing it (leads and above) schedules the re-survey."""
    if body.status == "closed" and principal.role == "agent":
        raise HTTPException(status_code=403, detail="closing a complaint needs a lead, manager or admin")
    return await unit_of_work(request, _change(complaint_id, principal, f"complaint.{body.status}", at,
                                               lambda db: service.transition(db, complaint_id, body, at)))


@router.put("/{complaint_id}/recovery", response_model=ComplaintRead)
async def set_recovery(
    complaint_id: PathId, body: RecoveryUpdate, request: Request, at: Now, principal: Principal = Depends(LEADS)
) -> ComplaintRead:
    """Record by hand whether the customer was recovered (leads and above)."""
    return await unit_of_work(request, _change(complaint_id, principal, "complaint.recovery", at,
                                               lambda db: service.set_recovery(db, complaint_id, body.recovered, at)))

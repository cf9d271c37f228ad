"""Complaints API: flag a case, record root cause and corrective action, close, recovery, metrics."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Query, Request

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
from equipoise.interfaces.api.deps import DbSession, Now
from equipoise.interfaces.api.params import PathId
from equipoise.kit.ids import MAX_ID
from equipoise.models.cases import Case
from equipoise.models.complaints import Complaint

router = APIRouter(prefix="/complaints", tags=["complaints"])
LEADS = require_roles("lead", "manager", "admin")


def _visible(db: DbSession, principal: Principal, complaint: Complaint) -> Complaint:
    case = db.get(Case, complaint.case_id)
    if not principal.can_see_team(case.team_id if case else None):
        raise HTTPException(status_code=404, detail=f"complaint {complaint.id} not found")
    return complaint


@router.get("", response_model=list[ComplaintRead])
def list_complaints(
    db: DbSession,
    status: ComplaintStatus | None = None,
    severity: int | None = Query(None, ge=1, le=3),
    customer_id: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_ID),
    principal: Principal = Depends(current_principal),
) -> list[Complaint]:
    """Complaints, newest first (agents and leads see their teams' cases)."""
    teams = None if principal.sees_all_teams else principal.team_ids
    return list(
        service.list_complaints(
            db, status=status, severity=severity, customer_id=customer_id, team_ids=teams, limit=limit, offset=offset
        )
    )


@router.post("", response_model=ComplaintRead, status_code=201)
def flag(body: ComplaintCreate, db: DbSession, at: Now, principal: Principal = Depends(current_principal)) -> Complaint:
    """Flag a case as a complaint, with its severity (1 minor .. 3 severe)."""
    case = db.get(Case, body.case_id)
    if case is not None and not principal.can_see_team(case.team_id):
        raise HTTPException(status_code=404, detail=f"case {body.case_id} not found")
    complaint = service.flag_complaint(db, body, at, user_id=principal.user_id)
    audit.record(db, principal, "complaint.flag", "complaint", complaint.id, None, complaint, at=at)
    return complaint


@router.get("/summary", response_model=ComplaintSummary)
def summary(db: DbSession, start: dt.datetime, end: dt.datetime, _p: Principal = Depends(LEADS)) -> ComplaintSummary:
    """Complaint metrics over complaints flagged in [start, end) (leads, managers, admins)."""
    return service.summary(db, start, end)


@router.post("/resurveys/send")
def send_resurveys(
    request: Request, db: DbSession, at: Now, _p: Principal = Depends(require_roles("manager", "admin"))
) -> dict:
    """Issue (and email) the re-surveys that are due now."""
    secret = signing_secret(request.app.state.settings)
    issued = service.send_due_resurveys(db, at, secret, base_url=str(request.base_url))
    return {"issued": issued}


@router.get("/{complaint_id}", response_model=ComplaintRead)
def get_complaint(complaint_id: PathId, db: DbSession, principal: Principal = Depends(current_principal)) -> Complaint:
    return _visible(db, principal, service.get_complaint(db, complaint_id))


@router.patch("/{complaint_id}", response_model=ComplaintRead)
def update(
    complaint_id: PathId,
    body: ComplaintUpdate,
    db: DbSession,
    at: Now,
    principal: Principal = Depends(current_principal),
) -> Complaint:
    """Change severity, category, root cause, corrective action or the re-survey address."""
    before = audit.snapshot(_visible(db, principal, service.get_complaint(db, complaint_id)))
    complaint = service.update_complaint(db, complaint_id, body)
    audit.record(db, principal, "complaint.update", "complaint", complaint.id, before, complaint, at=at)
    return complaint


@router.post("/{complaint_id}/status", response_model=ComplaintRead)
def transition(
    complaint_id: PathId,
    body: ComplaintTransition,
    db: DbSession,
    at: Now,
    principal: Principal = Depends(current_principal),
) -> Complaint:
    """Move the complaint on; closing it (leads and above) schedules the re-survey."""
    if body.status == "closed" and principal.role == "agent":
        raise HTTPException(status_code=403, detail="closing a complaint needs a lead, manager or admin")
    before = audit.snapshot(_visible(db, principal, service.get_complaint(db, complaint_id)))
    complaint = service.transition(db, complaint_id, body, at)
    audit.record(db, principal, f"complaint.{body.status}", "complaint", complaint.id, before, complaint, at=at)
    return complaint


@router.put("/{complaint_id}/recovery", response_model=ComplaintRead)
def set_recovery(
    complaint_id: PathId, body: RecoveryUpdate, db: DbSession, at: Now, principal: Principal = Depends(LEADS)
) -> Complaint:
    """Record by hand whether the customer was recovered (leads and above)."""
    before = audit.snapshot(_visible(db, principal, service.get_complaint(db, complaint_id)))
    complaint = service.set_recovery(db, complaint_id, body.recovered, at)
    audit.record(db, principal, "complaint.recovery", "complaint", complaint.id, before, complaint, at=at)
    return complaint

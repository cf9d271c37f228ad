"""Commitments API: record promises, settle them, list the overdue ones.

Every endpoint runs its whole unit of work (the checks, the service call, the audit entry, the
commit and the response model) in one worker thread through ``unit_of_work``."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlalchemy.orm import Session

from equipoise.core.audit import service as audit
from equipoise.core.auth.schemas import Principal
from equipoise.core.commitments import service
from equipoise.core.commitments.schemas import (
    CommitmentCreate,
    CommitmentRead,
    CommitmentSettle,
    CommitmentStats,
    CommitmentUpdate,
    OverdueCommitment,
)
from equipoise.interfaces.api.auth import current_principal, require_roles
from equipoise.interfaces.api.deps import Now, to_read, unit_of_work
from equipoise.interfaces.api.params import PathId
from equipoise.kit.ids import MAX_ID
from equipoise.models.cases import Case
from equipoise.models.commitments import Commitment

router = APIRouter(prefix="/commitments", tags=["commitments"])


def _teams(principal: Principal) -> frozenset[int] | None:
    return None if principal.sees_all_teams else principal.team_ids


def _check_case(db: Session, principal: Principal, case_id: int | None) -> None:
    """Agents and leads work on their teams' cases; commitments without a case are wide roles'."""
    if principal.sees_all_teams:
        return
    case = db.get(Case, case_id) if case_id is not None else None
    if case_id is None or (case is not None and not principal.can_see_team(case.team_id)):
        raise HTTPException(status_code=403, detail="agents and leads record commitments in their teams' cases")


def _visible(db: Session, principal: Principal, commitment_id: int) -> Commitment:
    commitment = service.get_commitment(db, commitment_id)
    if not principal.sees_all_teams:
        case = db.get(Case, commitment.case_id) if commitment.case_id else None
        if case is None or not principal.can_see_team(case.team_id):
            raise HTTPException(status_code=404, detail=f"commitment {commitment_id} not found")
    return commitment


@router.get("", response_model=list[CommitmentRead])
async def list_commitments(
    request: Request,
    status: str | None = Query(None, max_length=16),
    customer_id: int | None = Query(None, ge=1, le=MAX_ID),
    case_id: int | None = Query(None, ge=1, le=MAX_ID),
    owner_agent_id: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_ID),
    principal: Principal = Depends(current_principal),
) -> list[CommitmentRead]:
    """Commitments by due time."""
    return await unit_of_work(request, lambda db: to_read(CommitmentRead, list(service.list_commitments(
        db, status=status, customer_id=customer_id, case_id=case_id, owner_agent_id=owner_agent_id,
        team_ids=_teams(principal), limit=limit, offset=offset))))


@router.get("/overdue", response_model=list[OverdueCommitment])
async def overdue(
    request: Request,
    at: Now,
    owner_agent_id: int | None = Query(None, ge=1, le=MAX_ID),
    principal: Principal = Depends(current_principal),
) -> list[OverdueCommitment]:
    """Open commitments past due, the longest overdue first."""
    return await unit_of_work(request, lambda db: service.overdue(db, at, owner_agent_id=owner_agent_id,
                                                                  team_ids=_teams(principal)))


@router.get("/stats", response_model=CommitmentStats)
async def stats(
    request: Request,
    at: Now,
    start: dt.datetime,
    end: dt.datetime,
    _p: Principal = Depends(require_roles("lead", "manager", "admin")),
) -> CommitmentStats:
    """Kept and broken commitments due in [start, end)."""
    return await unit_of_work(request, lambda db: service.stats(db, start, end, at))


@router.post("", response_model=CommitmentRead, status_code=201)
async def create(
    body: CommitmentCreate, request: Request, at: Now, principal: Principal = Depends(current_principal)
) -> CommitmentRead:
    """Record a promise made to a customer."""

    def work(db: Session) -> CommitmentRead:
        _check_case(db, principal, body.case_id)
        commitment = service.create_commitment(db, body, at)
        audit.record(db, principal, "commitment.create", "commitment", commitment.id, None, commitment, at=at)
        return to_read(CommitmentRead, commitment)

    return await unit_of_work(request, work)


@router.get("/{commitment_id}", response_model=CommitmentRead)
async def get_commitment(
    commitment_id: PathId, request: Request, principal: Principal = Depends(current_principal)
) -> CommitmentRead:
    return await unit_of_work(request, lambda db: to_read(CommitmentRead, _visible(db, principal, commitment_id)))


@router.patch("/{commitment_id}", response_model=CommitmentRead)
async def update(
    commitment_id: PathId,
    body: CommitmentUpdate,
    request: Request,
    at: Now,
    principal: Principal = Depends(current_principal),
) -> CommitmentRead:
    """Change the promise, its due time or its owner while it is open."""

    def work(db: Session) -> CommitmentRead:
        before = audit.snapshot(_visible(db, principal, commitment_id))
        commitment = service.update_commitment(db, commitment_id, body)
        audit.record(db, principal, "commitment.update", "commitment", commitment.id, before, commitment, at=at)
        return to_read(CommitmentRead, commitment)

    return await unit_of_work(request, work)


@router.post("/{commitment_id}/settle", response_model=CommitmentRead)
async def settle(
    commitment_id: PathId,
    body: CommitmentSettle,
    request: Request,
    at: Now,
    principal: Principal = Depends(current_principal),
) -> CommitmentRead:
    """Mark a commitment kept, broken or cancelled."""

    def work(db: Session) -> CommitmentRead:
        before = audit.snapshot(_visible(db, principal, commitment_id))
        commitment = service.settle(db, commitment_id, body, at)
        audit.record(db, principal, f"commitment.{body.outcome}", "commitment", commitment.id, before, commitment,
                     at=at)
        return to_read(CommitmentRead, commitment)

    return await unit_of_work(request, work)

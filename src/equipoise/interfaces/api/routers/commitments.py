"""Commitments API: record promises, settle them, list the overdue ones."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Query

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
from equipoise.interfaces.api.deps import DbSession, Now
from equipoise.interfaces.api.params import PathId
from equipoise.kit.ids import MAX_ID
from equipoise.models.cases import Case
from equipoise.models.commitments import Commitment

router = APIRouter(prefix="/commitments", tags=["commitments"])


def _teams(principal: Principal) -> frozenset[int] | None:
    return None if principal.sees_all_teams else principal.team_ids


def _check_case(db: DbSession, principal: Principal, case_id: int | None) -> None:
    """Agents and leads work on their teams' cases; commitments without a case are wide roles'."""
    if principal.sees_all_teams:
        return
    case = db.get(Case, case_id) if case_id is not None else None
    if case_id is None or (case is not None and not principal.can_see_team(case.team_id)):
        raise HTTPException(status_code=403, detail="agents and leads record commitments in their teams' cases")


def _visible(db: DbSession, principal: Principal, commitment_id: int) -> Commitment:
    commitment = service.get_commitment(db, commitment_id)
    if not principal.sees_all_teams:
        case = db.get(Case, commitment.case_id) if commitment.case_id else None
        if case is None or not principal.can_see_team(case.team_id):
            raise HTTPException(status_code=404, detail=f"commitment {commitment_id} not found")
    return commitment


@router.get("", response_model=list[CommitmentRead])
def list_commitments(
    db: DbSession,
    status: str | None = Query(None, max_length=16),
    customer_id: int | None = Query(None, ge=1, le=MAX_ID),
    case_id: int | None = Query(None, ge=1, le=MAX_ID),
    owner_agent_id: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_ID),
    principal: Principal = Depends(current_principal),
) -> list[Commitment]:
    """Commitments by due time."""
    return list(
        service.list_commitments(
            db,
            status=status,
            customer_id=customer_id,
            case_id=case_id,
            owner_agent_id=owner_agent_id,
            team_ids=_teams(principal),
            limit=limit,
            offset=offset,
        )
    )


@router.get("/overdue", response_model=list[OverdueCommitment])
def overdue(
    db: DbSession,
    at: Now,
    owner_agent_id: int | None = Query(None, ge=1, le=MAX_ID),
    principal: Principal = Depends(current_principal),
) -> list[OverdueCommitment]:
    """Open commitments past due, the longest overdue first."""
    return service.overdue(db, at, owner_agent_id=owner_agent_id, team_ids=_teams(principal))


@router.get("/stats", response_model=CommitmentStats)
def stats(
    db: DbSession,
    at: Now,
    start: dt.datetime,
    end: dt.datetime,
    _p: Principal = Depends(require_roles("lead", "manager", "admin")),
) -> CommitmentStats:
    """Kept and broken commitments due in [start, end)."""
    return service.stats(db, start, end, at)


@router.post("", response_model=CommitmentRead, status_code=201)
def create(
    body: CommitmentCreate, db: DbSession, at: Now, principal: Principal = Depends(current_principal)
) -> Commitment:
    """Record a promise made to a customer."""
    _check_case(db, principal, body.case_id)
    commitment = service.create_commitment(db, body, at)
    audit.record(db, principal, "commitment.create", "commitment", commitment.id, None, commitment, at=at)
    return commitment


@router.get("/{commitment_id}", response_model=CommitmentRead)
def get_commitment(
    commitment_id: PathId, db: DbSession, principal: Principal = Depends(current_principal)
) -> Commitment:
    return _visible(db, principal, commitment_id)


@router.patch("/{commitment_id}", response_model=CommitmentRead)
def update(
    commitment_id: PathId,
    body: CommitmentUpdate,
    db: DbSession,
    at: Now,
    principal: Principal = Depends(current_principal),
) -> Commitment:
    """Change the promise, its due time or its owner while it is open."""
    before = audit.snapshot(_visible(db, principal, commitment_id))
    commitment = service.update_commitment(db, commitment_id, body)
    audit.record(db, principal, "commitment.update", "commitment", commitment.id, before, commitment, at=at)
    return commitment


@router.post("/{commitment_id}/settle", response_model=CommitmentRead)
def settle(
    commitment_id: PathId,
    body: CommitmentSettle,
    db: DbSession,
    at: Now,
    principal: Principal = Depends(current_principal),
) -> Commitment:
    """Mark a commitment kept, broken or cancelled."""
    before = audit.snapshot(_visible(db, principal, commitment_id))
    commitment = service.settle(db, commitment_id, body, at)
    audit.record(db, principal, f"commitment.{body.outcome}", "commitment", commitment.id, before, commitment, at=at)
    return commitment

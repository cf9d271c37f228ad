"""Users and roles (admins manage them) and the audit log.

Every endpoint runs its whole unit of work in one worker thread through ``unit_of_work``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request

from equipoise.core.audit import service as audit_service
from equipoise.core.audit.schemas import AuditRead
from equipoise.core.auth import service
from equipoise.core.auth.schemas import Principal, UserCreate, UserRead, UserUpdate
from equipoise.interfaces.api.auth import current_principal, require_roles
from equipoise.interfaces.api.deps import Now, to_read, unit_of_work

router = APIRouter(tags=["users"])
UserId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/users", response_model=list[UserRead])
async def list_users(request: Request, limit: int = Query(100, ge=1, le=500),
                     offset: int = Query(0, ge=0, le=10**9),
                     _p: Principal = Depends(require_roles("admin", "manager"))) -> list[UserRead]:
    """Every user with role and teams (admins and managers)."""
    return await unit_of_work(request, lambda db: service.list_users(db, limit=limit, offset=offset))


@router.post("/users", response_model=UserRead, status_code=201)
async def create_user(body: UserCreate, request: Request, at: Now,
                      principal: Principal = Depends(require_roles("admin"))) -> UserRead:
    """Create a user (admins)."""
    return await unit_of_work(request, lambda db: service.to_read(db, service.create_user(db, body, actor=principal,
                                                                                         now=at)))


@router.get("/users/{user_id}", response_model=UserRead)
async def get_user(user_id: UserId, request: Request, principal: Principal = Depends(current_principal)) -> UserRead:
    """One user: yourself, or anyone for admins and managers."""
    if user_id != principal.user_id and principal.role not in ("admin", "manager"):
        raise HTTPException(status_code=403, detail="you may only read your own user")
    return await unit_of_work(request, lambda db: service.to_read(db, service.get_user(db, user_id)))


@router.patch("/users/{user_id}", response_model=UserRead)
async def update_user(user_id: UserId, body: UserUpdate, request: Request, at: Now,
                      principal: Principal = Depends(require_roles("admin"))) -> UserRead:
    """Change role, teams, password or active flag (admins)."""
    return await unit_of_work(request, lambda db: service.to_read(db, service.update_user(db, user_id, body,
                                                                                         actor=principal, now=at)))


@router.get("/audit", response_model=list[AuditRead])
async def audit_log(request: Request, entity: str = Query(min_length=1, max_length=64),
                    entity_id: str = Query(min_length=1, max_length=64),
                    _p: Principal = Depends(require_roles("admin", "manager"))) -> list[AuditRead]:
    """Every recorded change of one entity, oldest first (admins and managers)."""
    return await unit_of_work(request, lambda db: to_read(AuditRead, audit_service.history(db, entity, entity_id)))

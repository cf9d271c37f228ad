"""Webhooks API (admins): endpoints, the delivery log, redelivery, and a run of the delivery worker.

Every endpoint runs its whole unit of work in one worker thread through ``unit_of_work``."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from equipoise.core.audit import service as audit
from equipoise.core.auth.schemas import Principal
from equipoise.core.webhooks import service
from equipoise.core.webhooks.schemas import (
    AttemptRead,
    DeliveryRead,
    EndpointCreate,
    EndpointCreated,
    EndpointRead,
    EndpointUpdate,
)
from equipoise.interfaces.api.auth import require_roles
from equipoise.interfaces.api.deps import Now, to_read, unit_of_work
from equipoise.interfaces.api.params import PathId
from equipoise.kit.ids import MAX_ID

router = APIRouter(prefix="/webhooks", tags=["webhooks"], dependencies=[Depends(require_roles("admin"))])
ADMIN = require_roles("admin")


def delivery_client() -> httpx.Client:
    """The HTTP client ``POST /webhooks/run`` delivers with (a dependency, so a test can keep the
    deliveries on the machine)."""
    return httpx.Client()


@router.get("/endpoints", response_model=list[EndpointRead])
async def list_endpoints(request: Request) -> list[EndpointRead]:
    return await unit_of_work(request, lambda db: to_read(EndpointRead, list(service.list_endpoints(db))))


@router.post("/endpoints", response_model=EndpointCreated, status_code=201)
async def create_endpoint(
    body: EndpointCreate, request: Request, at: Now, principal: Principal = Depends(ADMIN)
) -> EndpointCreated:
    """Register an endpoint; the response shows its signing secret, this once."""

    def work(db: Session) -> EndpointCreated:
        endpoint = service.create_endpoint(db, body, at)
        audit.record(db, principal, "webhook.create", "webhook_endpoint", endpoint.id, None, endpoint, at=at)
        return EndpointCreated(**to_read(EndpointRead, endpoint).model_dump(), secret=endpoint.secret)

    return await unit_of_work(request, work)


@router.patch("/endpoints/{endpoint_id}", response_model=EndpointRead)
async def update_endpoint(
    endpoint_id: PathId, body: EndpointUpdate, request: Request, at: Now, principal: Principal = Depends(ADMIN)
) -> EndpointRead:
    def work(db: Session) -> EndpointRead:
        before = audit.snapshot(service.get_endpoint(db, endpoint_id))
        endpoint = service.update_endpoint(db, endpoint_id, body)
        audit.record(db, principal, "webhook.update", "webhook_endpoint", endpoint.id, before, endpoint, at=at)
        return to_read(EndpointRead, endpoint)

    return await unit_of_work(request, work)


@router.get("/deliveries", response_model=list[DeliveryRead])
async def deliveries(
    request: Request,
    endpoint_id: int | None = Query(None, ge=1, le=MAX_ID),
    status: str | None = Query(None, max_length=16),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> list[DeliveryRead]:
    """The delivery log, newest first."""
    return await unit_of_work(request, lambda db: to_read(DeliveryRead, list(service.list_deliveries(
        db, endpoint_id=endpoint_id, status=status, limit=limit, offset=offset))))


@router.get("/deliveries/{delivery_id}/attempts", response_model=list[AttemptRead])
async def attempts(delivery_id: PathId, request: Request) -> list[AttemptRead]:
    return await unit_of_work(request, lambda db: to_read(AttemptRead, list(service.delivery_attempts(db,
                                                                                                     delivery_id))))


@router.post("/deliveries/{delivery_id}/redeliver", response_model=DeliveryRead)
async def redeliver(delivery_id: PathId, request: Request, at: Now) -> DeliveryRead:
    return await unit_of_work(request, lambda db: to_read(DeliveryRead, service.redeliver(db, delivery_id, at)))


@router.post("/run")
async def run(request: Request, at: Now, client: httpx.Client = Depends(delivery_client)) -> dict[str, int]:
    """Deliver every webhook due now."""

    def work(db: Session) -> dict[str, int]:
        with client:
            result = service.deliver_webhooks(db, at, client)
        return {"delivered": result.delivered, "retried": result.retried, "dead": result.dead}

    return await unit_of_work(request, work)

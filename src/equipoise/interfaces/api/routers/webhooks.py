"""Webhooks API (admins): endpoints, the delivery log, redelivery, and a run of the delivery worker."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Depends, Query

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
from equipoise.interfaces.api.deps import DbSession, Now
from equipoise.interfaces.api.params import PathId
from equipoise.kit.ids import MAX_ID
from equipoise.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint

router = APIRouter(prefix="/webhooks", tags=["webhooks"], dependencies=[Depends(require_roles("admin"))])
ADMIN = require_roles("admin")


@router.get("/endpoints", response_model=list[EndpointRead])
def list_endpoints(db: DbSession) -> list[WebhookEndpoint]:
    return list(service.list_endpoints(db))


@router.post("/endpoints", response_model=EndpointCreated, status_code=201)
def create_endpoint(
    body: EndpointCreate, db: DbSession, at: Now, principal: Principal = Depends(ADMIN)
) -> EndpointCreated:
    """Register an endpoint; the response shows its signing secret, this once."""
    endpoint = service.create_endpoint(db, body, at)
    audit.record(db, principal, "webhook.create", "webhook_endpoint", endpoint.id, None, endpoint, at=at)
    return EndpointCreated(**EndpointRead.model_validate(endpoint).model_dump(), secret=endpoint.secret)


@router.patch("/endpoints/{endpoint_id}", response_model=EndpointRead)
def update_endpoint(
    endpoint_id: PathId, body: EndpointUpdate, db: DbSession, at: Now, principal: Principal = Depends(ADMIN)
) -> WebhookEndpoint:
    before = audit.snapshot(service.get_endpoint(db, endpoint_id))
    endpoint = service.update_endpoint(db, endpoint_id, body)
    audit.record(db, principal, "webhook.update", "webhook_endpoint", endpoint.id, before, endpoint, at=at)
    return endpoint


@router.get("/deliveries", response_model=list[DeliveryRead])
def deliveries(
    db: DbSession,
    endpoint_id: int | None = Query(None, ge=1, le=MAX_ID),
    status: str | None = Query(None, max_length=16),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> list[WebhookDelivery]:
    """The delivery log, newest first."""
    return list(service.list_deliveries(db, endpoint_id=endpoint_id, status=status, limit=limit, offset=offset))


@router.get("/deliveries/{delivery_id}/attempts", response_model=list[AttemptRead])
def attempts(delivery_id: PathId, db: DbSession) -> list[WebhookAttempt]:
    return list(service.delivery_attempts(db, delivery_id))


@router.post("/deliveries/{delivery_id}/redeliver", response_model=DeliveryRead)
def redeliver(delivery_id: PathId, db: DbSession, at: Now) -> WebhookDelivery:
    return service.redeliver(db, delivery_id, at)


@router.post("/run")
def run(db: DbSession, at: Now) -> dict[str, int]:
    """Deliver every webhook due now."""
    with httpx.Client() as client:
        result = service.deliver_webhooks(db, at, client)
    return {"delivered": result.delivered, "retried": result.retried, "dead": result.dead}

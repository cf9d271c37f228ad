"""Raise events, fan them out to subscribed endpoints, and deliver them signed with retries."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy.orm import Session

from equipoise.config import get_settings
from equipoise.core.webhooks import repository as repo
from equipoise.core.webhooks.schemas import EndpointCreate, EndpointUpdate
from equipoise.core.webhooks.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)
from equipoise.kit.backoff import backoff_seconds as shared_backoff
from equipoise.kit.errors import InvalidInput, NotFound
from equipoise.models.cases import Case
from equipoise.models.webhooks import (
    DELIVERY_STATUSES,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

BASE_BACKOFF_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 12 * 3600.0
MAX_ATTEMPTS = 8
#: The case events part of the product raises.
CASE_EVENTS = (
    "case.created",
    "case.updated",
    "case.resolved",
    "case.reopened",
    "case.closed",
    "case.complaint_flagged",
    "case.complaint_closed",
    "case.sla_breached",
    "case.assigned",
    "case.merged",
)


@dataclass(frozen=True)
class DeliveryRun:
    """What one pass of the webhook worker did."""

    delivered: int
    retried: int
    dead: int


def backoff_seconds(attempts: int) -> float:
    """Delay before the next delivery try after ``attempts`` failed tries: 30 s x 2^(attempts-1), capped at 12 h."""
    return shared_backoff(attempts, base=BASE_BACKOFF_SECONDS, cap=MAX_BACKOFF_SECONDS)


def subscribes(event_types: Sequence[str], event_type: str) -> bool:
    """Whether an endpoint with ``event_types`` receives ``event_type`` (empty list or ``*``: all)."""
    if not event_types:
        return True
    for pattern in event_types:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def create_endpoint(session: Session, data: EndpointCreate, now: dt.datetime) -> WebhookEndpoint:
    """Register an endpoint; a secret is generated when none is given."""
    endpoint = WebhookEndpoint(
        url=data.url,
        event_types=data.event_types,
        description=data.description,
        active=True,
        created_at=now,
        secret=data.secret or secrets.token_urlsafe(32),
    )
    session.add(endpoint)
    session.flush()
    return endpoint


def get_endpoint(session: Session, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(f"webhook endpoint {endpoint_id} not found")
    return endpoint


def update_endpoint(session: Session, endpoint_id: int, data: EndpointUpdate) -> WebhookEndpoint:
    """Change an endpoint (only the fields given)."""
    endpoint = get_endpoint(session, endpoint_id)
    for key, value in data.model_dump(exclude_unset=True).items():
        if value is None:
            raise InvalidInput(f"{key} cannot be null", field=key)
        setattr(endpoint, key, value)
    session.flush()
    return endpoint


def list_endpoints(session: Session) -> Sequence[WebhookEndpoint]:
    return repo.list_endpoints(session)


def _jsonable(value: Any) -> Any:
    """Datetimes and dates as ISO strings, recursively; JSON types unchanged."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def emit(session: Session, event_type: str, payload: Mapping[str, Any], now: dt.datetime, *,
         flush: bool = True) -> WebhookEvent:
    """Record an event and queue one delivery for each active endpoint that subscribes to it.

    With ``flush=False`` an event nobody subscribes to is written by the unit of work's next flush
    (its commit at the latest) rather than at once, so its ``id`` is known only then; an event with
    deliveries is always flushed, as the deliveries point to it."""
    if not event_type:
        raise ValueError("event_type: expected a non-empty string")
    event = WebhookEvent(event_type=event_type, payload=_jsonable(dict(payload)), occurred_at=now)
    session.add(event)
    subscribers = [endpoint_id for endpoint_id, event_types in repo.active_subscriptions(session)
                   if subscribes(event_types or [], event_type)]
    if subscribers:
        session.flush()
        session.add_all([WebhookDelivery(endpoint_id=endpoint_id, event_id=event.id, status="pending", attempts=0,
                                         next_attempt_at=now) for endpoint_id in subscribers])
    if flush or subscribers:
        session.flush()
    return event


def case_payload(case: Case) -> dict[str, Any]:
    """The public view of a case carried by case events."""
    fields = (
        "id",
        "external_ref",
        "customer_id",
        "reason_id",
        "channel_id",
        "team_id",
        "assigned_agent_id",
        "subject",
        "priority",
        "status",
        "status_category",
        "is_complaint",
        "complaint_severity",
        "complained_at",
        "opened_at",
        "resolved_at",
        "closed_at",
        "first_response_met",
        "resolution_met",
        "version",
    )
    return {name: _jsonable(getattr(case, name)) for name in fields}


def emit_case_event(session: Session, case: Case, event_type: str, now: dt.datetime, *,
                    flush: bool = True) -> WebhookEvent:
    """Raise a ``case.*`` event carrying the case as it is now (``flush`` as for ``emit``)."""
    if event_type not in CASE_EVENTS:
        raise ValueError(f"event_type: expected one of {', '.join(CASE_EVENTS)}, got {event_type!r}")
    return emit(session, event_type, {"case": case_payload(case)}, now, flush=flush)


def event_body(event: WebhookEvent) -> bytes:
    """The exact bytes posted for ``event`` (what the signature covers)."""
    document = {
        "id": event.id,
        "type": event.event_type,
        "occurred_at": event.occurred_at.isoformat(),
        "data": event.payload,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def _epoch(now: dt.datetime, tz: str | None) -> int:
    aware = now if now.tzinfo else now.replace(tzinfo=ZoneInfo(tz or get_settings().timezone))
    return int(aware.timestamp())


def deliver_webhooks(
    session: Session,
    now: dt.datetime,
    http_client: httpx.Client,
    *,
    batch: int = 50,
    max_attempts: int = MAX_ATTEMPTS,
    timeout_seconds: float = 10.0,
    tz: str | None = None,
) -> DeliveryRun:
    """POST every delivery due at ``now``; 2xx is delivered, anything else retries with backoff.

    ``410 Gone`` stops at once and deactivates the endpoint. Each try is logged in
    ``webhook_attempts``.
    """
    if max_attempts < 1:
        raise ValueError(f"max_attempts: expected >= 1, got {max_attempts}")
    delivered = retried = dead = 0
    timestamp = _epoch(now, tz)
    for delivery, endpoint, event in repo.ready_deliveries(session, now, batch):
        body = event_body(event)
        headers = {
            "Content-Type": "application/json",
            EVENT_HEADER: event.event_type,
            DELIVERY_HEADER: str(delivery.id),
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(endpoint.secret, timestamp, body),
            "User-Agent": "Equipoise-Webhooks/1",
        }
        delivery.attempts += 1
        status_code: int | None = None
        error: str | None = None
        started = time.perf_counter()
        try:
            response = http_client.post(endpoint.url, content=body, headers=headers, timeout=timeout_seconds)
            status_code = response.status_code
            if not 200 <= status_code < 300:
                error = f"HTTP {status_code}: {response.text[:500]}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
        duration_ms = (time.perf_counter() - started) * 1000.0
        session.add(
            WebhookAttempt(
                delivery_id=delivery.id, attempted_at=now, status_code=status_code, error=error, duration_ms=duration_ms
            )
        )
        delivery.last_status_code = status_code
        if error is None:
            delivery.status, delivery.delivered_at = "delivered", now
            delivered += 1
        elif status_code == 410 or delivery.attempts >= max_attempts:
            delivery.status = "dead"
            if status_code == 410:
                endpoint.active = False
            dead += 1
        else:
            delivery.next_attempt_at = now + dt.timedelta(seconds=backoff_seconds(delivery.attempts))
            retried += 1
        session.flush()
    return DeliveryRun(delivered=delivered, retried=retried, dead=dead)


def list_deliveries(
    session: Session, *, endpoint_id: int | None = None, status: str | None = None, limit: int = 100, offset: int = 0
) -> Sequence[WebhookDelivery]:
    if status is not None and status not in DELIVERY_STATUSES:
        raise InvalidInput(f"status: expected one of {', '.join(DELIVERY_STATUSES)}", field="status")
    return repo.list_deliveries(session, endpoint_id=endpoint_id, status=status, limit=limit, offset=offset)


def delivery_attempts(session: Session, delivery_id: int) -> Sequence[WebhookAttempt]:
    """The log of tries for one delivery, oldest first."""
    if session.get(WebhookDelivery, delivery_id) is None:
        raise NotFound(f"webhook delivery {delivery_id} not found")
    return repo.attempts_of(session, delivery_id)


def redeliver(session: Session, delivery_id: int, now: dt.datetime) -> WebhookDelivery:
    """Queue a delivery again for an immediate try (its log is kept)."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise NotFound(f"webhook delivery {delivery_id} not found")
    delivery.status, delivery.next_attempt_at, delivery.attempts = "pending", now, 0
    session.flush()
    return delivery

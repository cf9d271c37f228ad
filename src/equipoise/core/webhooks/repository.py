"""Queries for webhook endpoints, events, deliveries and attempts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from equipoise.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent

_ACTIVE_SUBSCRIPTIONS = (select(WebhookEndpoint.id, WebhookEndpoint.event_types)
                         .where(WebhookEndpoint.active.is_(True)).order_by(WebhookEndpoint.id))


def active_subscriptions(session: Session) -> list[tuple[int, list[str] | None]]:
    """(id, event_types) of the active endpoints, as flushed: every raised event reads them, so the
    statement is built once and runs on the session's connection without loading ORM objects (the
    services flush endpoint changes as they make them)."""
    return [(row[0], row[1]) for row in session.connection().execute(_ACTIVE_SUBSCRIPTIONS)]


def list_endpoints(session: Session) -> Sequence[WebhookEndpoint]:
    return session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()


def ready_deliveries(
    session: Session, now: dt.datetime, limit: int
) -> Sequence[tuple[WebhookDelivery, WebhookEndpoint, WebhookEvent]]:
    stmt = (
        select(WebhookDelivery, WebhookEndpoint, WebhookEvent)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=WebhookDelivery, skip_locked=True)
    return [tuple(row) for row in session.execute(stmt).all()]  # type: ignore[misc]


def list_deliveries(
    session: Session, *, endpoint_id: int | None, status: str | None, limit: int, offset: int
) -> Sequence[WebhookDelivery]:
    stmt = select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit).offset(offset)
    if endpoint_id is not None:
        stmt = stmt.where(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    return session.scalars(stmt).all()


def attempts_of(session: Session, delivery_id: int) -> Sequence[WebhookAttempt]:
    return session.scalars(
        select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery_id).order_by(WebhookAttempt.id)
    ).all()

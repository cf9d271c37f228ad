"""Outreach API: scheduled reminders, the outbox, and a run of the outbox worker."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from equipoise.core.audit import service as audit
from equipoise.core.auth.schemas import Principal
from equipoise.core.outreach import service
from equipoise.core.outreach.schemas import OutboxMessageRead, ReminderCreate, ReminderRead, ReminderUpdate
from equipoise.core.outreach.sender import SmtpSender, smtp_config_from_settings
from equipoise.interfaces.api.auth import require_roles
from equipoise.interfaces.api.deps import DbSession, Now
from equipoise.interfaces.api.params import PathId
from equipoise.kit.ids import MAX_ID
from equipoise.models.outreach import OutboxMessage, Reminder

router = APIRouter(prefix="/outreach", tags=["outreach"])
PLANNERS = require_roles("lead", "manager", "admin")
OPERATORS = require_roles("manager", "admin")


@router.get("/reminders", response_model=list[ReminderRead])
def list_reminders(
    db: DbSession,
    active: bool | None = None,
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_ID),
    _p: Principal = Depends(PLANNERS),
) -> list[Reminder]:
    return list(service.list_reminders(db, active=active, limit=limit, offset=offset))


@router.post("/reminders", response_model=ReminderRead, status_code=201)
def create_reminder(body: ReminderCreate, db: DbSession, at: Now, principal: Principal = Depends(PLANNERS)) -> Reminder:
    """Schedule a proactive message (e.g. a maintenance reminder)."""
    reminder = service.create_reminder(db, body, at)
    audit.record(db, principal, "reminder.create", "reminder", reminder.id, None, reminder, at=at)
    return reminder


@router.patch("/reminders/{reminder_id}", response_model=ReminderRead)
def update_reminder(
    reminder_id: PathId, body: ReminderUpdate, db: DbSession, at: Now, principal: Principal = Depends(PLANNERS)
) -> Reminder:
    before = audit.snapshot(service.get_reminder(db, reminder_id))
    reminder = service.update_reminder(db, reminder_id, body)
    audit.record(db, principal, "reminder.update", "reminder", reminder.id, before, reminder, at=at)
    return reminder


@router.get("/outbox", response_model=list[OutboxMessageRead])
def outbox(
    db: DbSession,
    status: str | None = Query(None, max_length=16),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_ID),
    _p: Principal = Depends(OPERATORS),
) -> list[OutboxMessage]:
    return list(service.list_messages(db, status=status, limit=limit, offset=offset))


@router.get("/outbox/counts")
def outbox_counts(db: DbSession, _p: Principal = Depends(OPERATORS)) -> dict[str, int]:
    return service.outbox_counts(db)


@router.post("/outbox/{message_id}/retry", response_model=OutboxMessageRead)
def retry(message_id: PathId, db: DbSession, at: Now, principal: Principal = Depends(OPERATORS)) -> OutboxMessage:
    """Queue a dead message again."""
    message = service.retry_message(db, message_id, at)
    audit.record(db, principal, "outbox.retry", "outbox_message", message.id, None, {"status": "pending"}, at=at)
    return message


@router.post("/run")
def run(request: Request, db: DbSession, at: Now, _p: Principal = Depends(require_roles("admin"))) -> dict[str, int]:
    """Queue due reminders and send the outbox now over the configured SMTP server (admins)."""
    sender = SmtpSender(smtp_config_from_settings(request.app.state.settings))
    queued = service.enqueue_due_reminders(db, at)
    result = service.process_outbox(db, at, sender)
    return {"queued": queued, "sent": result.sent, "retried": result.retried, "dead": result.dead}

"""Outreach API: scheduled reminders, the outbox, and a run of the outbox worker.

Every endpoint runs its whole unit of work in one worker thread through ``unit_of_work``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from equipoise.core.audit import service as audit
from equipoise.core.auth.schemas import Principal
from equipoise.core.outreach import service
from equipoise.core.outreach.schemas import OutboxMessageRead, ReminderCreate, ReminderRead, ReminderUpdate
from equipoise.core.outreach.sender import SmtpSender, smtp_config_from_settings
from equipoise.interfaces.api.auth import require_roles
from equipoise.interfaces.api.deps import Now, to_read, unit_of_work
from equipoise.interfaces.api.params import PathId
from equipoise.kit.ids import MAX_ID

router = APIRouter(prefix="/outreach", tags=["outreach"])
PLANNERS = require_roles("lead", "manager", "admin")
OPERATORS = require_roles("manager", "admin")


@router.get("/reminders", response_model=list[ReminderRead])
async def list_reminders(
    request: Request,
    active: bool | None = None,
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_ID),
    _p: Principal = Depends(PLANNERS),
) -> list[ReminderRead]:
    return await unit_of_work(request, lambda db: to_read(ReminderRead, list(service.list_reminders(
        db, active=active, limit=limit, offset=offset))))


@router.post("/reminders", response_model=ReminderRead, status_code=201)
async def create_reminder(body: ReminderCreate, request: Request, at: Now,
                          principal: Principal = Depends(PLANNERS)) -> ReminderRead:
    """Schedule a proactive message (e.g. a maintenance reminder)."""

    def work(db: Session) -> ReminderRead:
        reminder = service.create_reminder(db, body, at)
        audit.record(db, principal, "reminder.create", "reminder", reminder.id, None, reminder, at=at)
        return to_read(ReminderRead, reminder)

    return await unit_of_work(request, work)


@router.patch("/reminders/{reminder_id}", response_model=ReminderRead)
async def update_reminder(
    reminder_id: PathId, body: ReminderUpdate, request: Request, at: Now, principal: Principal = Depends(PLANNERS)
) -> ReminderRead:
    def work(db: Session) -> ReminderRead:
        before = audit.snapshot(service.get_reminder(db, reminder_id))
        reminder = service.update_reminder(db, reminder_id, body)
        audit.record(db, principal, "reminder.update", "reminder", reminder.id, before, reminder, at=at)
        return to_read(ReminderRead, reminder)

    return await unit_of_work(request, work)


@router.get("/outbox", response_model=list[OutboxMessageRead])
async def outbox(
    request: Request,
    status: str | None = Query(None, max_length=16),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_ID),
    _p: Principal = Depends(OPERATORS),
) -> list[OutboxMessageRead]:
    return await unit_of_work(request, lambda db: to_read(OutboxMessageRead, list(service.list_messages(
        db, status=status, limit=limit, offset=offset))))


@router.get("/outbox/counts")
async def outbox_counts(request: Request, _p: Principal = Depends(OPERATORS)) -> dict[str, int]:
    return await unit_of_work(request, service.outbox_counts)


@router.post("/outbox/{message_id}/retry", response_model=OutboxMessageRead)
async def retry(message_id: PathId, request: Request, at: Now,
                principal: Principal = Depends(OPERATORS)) -> OutboxMessageRead:
    """Queue a dead message again."""

    def work(db: Session) -> OutboxMessageRead:
        message = service.retry_message(db, message_id, at)
        audit.record(db, principal, "outbox.retry", "outbox_message", message.id, None, {"status": "pending"}, at=at)
        return to_read(OutboxMessageRead, message)

    return await unit_of_work(request, work)


@router.post("/run")
async def run(request: Request, at: Now, _p: Principal = Depends(require_roles("admin"))) -> dict[str, int]:
    """Queue due reminders and send the outbox now over the configured SMTP server (admins)."""
    sender = SmtpSender(smtp_config_from_settings(request.app.state.settings))

    def work(db: Session) -> dict[str, int]:
        queued = service.enqueue_due_reminders(db, at)
        result = service.process_outbox(db, at, sender)
        return {"queued": queued, "sent": result.sent, "retried": result.retried, "dead": result.dead}

    return await unit_of_work(request, work)

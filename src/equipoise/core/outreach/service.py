"""Reminders become outbox messages when due; the outbox worker sends them with retries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from equipoise.core.outreach import repository as repo
from equipoise.core.outreach.schemas import ReminderCreate, ReminderUpdate, check_email
from equipoise.core.outreach.sender import OutgoingEmail, Sender, SendError
from equipoise.kit.backoff import backoff_seconds as shared_backoff
from equipoise.kit.errors import InvalidInput, NotFound
from equipoise.models.customers import Customer
from equipoise.models.outreach import OUTBOX_STATUSES, OutboxMessage, Reminder

#: First retry after this many seconds, doubling each attempt, capped at ``MAX_BACKOFF_SECONDS``.
BASE_BACKOFF_SECONDS = 60.0
MAX_BACKOFF_SECONDS = 6 * 3600.0
MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class OutboxRun:
    """What one pass of the outbox worker did."""

    sent: int
    retried: int
    dead: int


def backoff_seconds(attempts: int, *, base: float = BASE_BACKOFF_SECONDS, cap: float = MAX_BACKOFF_SECONDS) -> float:
    """Delay before the next e-mail try after ``attempts`` failed tries (see :mod:`equipoise.kit.backoff`)."""
    return shared_backoff(attempts, base=base, cap=cap)


def create_reminder(session: Session, data: ReminderCreate, now: dt.datetime) -> Reminder:
    """Schedule a proactive message."""
    if data.customer_id is not None and session.get(Customer, data.customer_id) is None:
        raise InvalidInput(f"customer {data.customer_id} does not exist", field="customer_id")
    reminder = Reminder(**data.model_dump(), active=True, created_at=now)
    session.add(reminder)
    session.flush()
    return reminder


def get_reminder(session: Session, reminder_id: int) -> Reminder:
    reminder = repo.get_reminder(session, reminder_id)
    if reminder is None:
        raise NotFound(f"reminder {reminder_id} not found")
    return reminder


def update_reminder(session: Session, reminder_id: int, data: ReminderUpdate) -> Reminder:
    """Change a reminder (only the fields given)."""
    reminder = get_reminder(session, reminder_id)
    for key, value in data.model_dump(exclude_unset=True).items():
        if value is None and key != "repeat_days":
            raise InvalidInput(f"{key} cannot be null", field=key)
        setattr(reminder, key, value)
    session.flush()
    return reminder


def list_reminders(
    session: Session, *, active: bool | None = None, limit: int = 100, offset: int = 0
) -> Sequence[Reminder]:
    return repo.list_reminders(session, active=active, limit=limit, offset=offset)


def enqueue_email(
    session: Session,
    *,
    dedupe_key: str,
    recipient: str,
    subject: str,
    body: str,
    now: dt.datetime,
    reminder_id: int | None = None,
) -> OutboxMessage:
    """Put an email in the outbox once: a second call with the same key returns the first message."""
    if not dedupe_key:
        raise ValueError("dedupe_key: expected a non-empty string")
    try:
        recipient = check_email(recipient)
    except ValueError as exc:
        raise InvalidInput(f"recipient: {exc}", field="recipient") from exc
    existing = repo.message_by_key(session, dedupe_key)
    if existing is not None:
        return existing
    message = OutboxMessage(
        dedupe_key=dedupe_key,
        reminder_id=reminder_id,
        channel="email",
        recipient=recipient,
        subject=subject,
        body=body,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(message)
    session.flush()
    return message


def enqueue_due_reminders(session: Session, now: dt.datetime, *, limit: int = 500) -> int:
    """Turn every reminder due at ``now`` into one outbox message; repeating ones move forward.

    A repeating reminder that missed several periods is sent once, then scheduled for its first
    occurrence after ``now``. Returns the number of messages queued.
    """
    queued = 0
    for reminder in repo.due_reminders(session, now, limit):
        key = f"reminder:{reminder.id}:{reminder.next_due_at.isoformat()}"
        enqueue_email(
            session,
            dedupe_key=key,
            recipient=reminder.recipient,
            subject=reminder.subject,
            body=reminder.body,
            now=now,
            reminder_id=reminder.id,
        )
        queued += 1
        reminder.last_enqueued_at = now
        if reminder.repeat_days:
            step = dt.timedelta(days=reminder.repeat_days)
            missed = (now - reminder.next_due_at) // step
            reminder.next_due_at = reminder.next_due_at + step * (missed + 1)
        else:
            reminder.active = False
    session.flush()
    return queued


def process_outbox(
    session: Session, now: dt.datetime, sender: Sender, *, batch: int = 100, max_attempts: int = MAX_ATTEMPTS
) -> OutboxRun:
    """Send the messages due at ``now``; failures retry with exponential backoff, then go dead."""
    if max_attempts < 1:
        raise ValueError(f"max_attempts: expected >= 1, got {max_attempts}")
    sent = retried = dead = 0
    for message in repo.ready_messages(session, now, batch):
        message.attempts += 1
        try:
            sender.send(
                OutgoingEmail(
                    recipient=message.recipient,
                    subject=message.subject,
                    body=message.body,
                    message_key=message.dedupe_key,
                    created_at=message.created_at,
                )
            )
        except SendError as exc:
            message.last_error = str(exc)[:2000]
            if exc.permanent or message.attempts >= max_attempts:
                message.status = "dead"
                dead += 1
            else:
                message.next_attempt_at = now + dt.timedelta(seconds=backoff_seconds(message.attempts))
                retried += 1
        else:
            message.status = "sent"
            message.sent_at = now
            message.last_error = None
            sent += 1
        session.flush()
    return OutboxRun(sent=sent, retried=retried, dead=dead)


def list_messages(
    session: Session, *, status: str | None = None, limit: int = 100, offset: int = 0
) -> Sequence[OutboxMessage]:
    if status is not None and status not in OUTBOX_STATUSES:
        raise InvalidInput(f"status: expected one of {', '.join(OUTBOX_STATUSES)}", field="status")
    return repo.list_messages(session, status=status, limit=limit, offset=offset)


def retry_message(session: Session, message_id: int, now: dt.datetime) -> OutboxMessage:
    """Put a dead message back in the queue for an immediate try."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound(f"outbox message {message_id} not found")
    if message.status == "sent":
        raise InvalidInput("message was already sent", field="status")
    message.status, message.next_attempt_at, message.attempts = "pending", now, 0
    session.flush()
    return message


def outbox_counts(session: Session) -> dict[str, int]:
    """Number of messages in each status (every status present, zero when none)."""
    counts = repo.count_by_status(session)
    return {status: counts.get(status, 0) for status in OUTBOX_STATUSES}

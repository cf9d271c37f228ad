"""Reminder and outbox schemas (API input and output)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from equipoise.kit.ids import MAX_ID

EMAIL_PATTERN = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
ReminderKind = Literal["maintenance", "renewal", "follow_up", "other"]


def check_email(value: str) -> str:
    """Return ``value`` stripped when it looks like one email address, else raise ValueError."""
    value = value.strip()
    if len(value) > 320 or not EMAIL_PATTERN.match(value):
        raise ValueError("expected one email address such as name@example.com")
    return value


class ReminderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    kind: ReminderKind = "other"
    recipient: str
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=50_000)
    next_due_at: dt.datetime
    repeat_days: int | None = Field(default=None, ge=1, le=3650)

    _email = field_validator("recipient")(check_email)


class ReminderUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ReminderKind | None = None
    recipient: str | None = None
    subject: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, min_length=1, max_length=50_000)
    next_due_at: dt.datetime | None = None
    repeat_days: int | None = Field(default=None, ge=1, le=3650)
    active: bool | None = None

    @field_validator("recipient")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return None if value is None else check_email(value)


class ReminderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int | None
    kind: str
    recipient: str
    subject: str
    body: str
    next_due_at: dt.datetime
    repeat_days: int | None
    active: bool
    created_at: dt.datetime
    last_enqueued_at: dt.datetime | None


class OutboxMessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    dedupe_key: str
    reminder_id: int | None
    channel: str
    recipient: str
    subject: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None

"""Complaint schemas."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from equipoise.core.outreach.schemas import check_email
from equipoise.kit.ids import MAX_ID

ComplaintCategory = Literal["staff", "delay", "quality", "billing", "policy", "other"]
ComplaintStatus = Literal["open", "investigating", "resolved", "closed"]


def _email(value: str | None) -> str | None:
    return None if value is None else check_email(value)


class ComplaintCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: int = Field(ge=1, le=MAX_ID)
    severity: int = Field(ge=1, le=3)
    category: ComplaintCategory = "other"
    description: str = Field(default="", max_length=10_000)
    notify_email: str | None = None

    _notify = field_validator("notify_email")(_email)


class ComplaintUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    severity: int | None = Field(default=None, ge=1, le=3)
    category: ComplaintCategory | None = None
    description: str | None = Field(default=None, max_length=10_000)
    root_cause: str | None = Field(default=None, min_length=1, max_length=10_000)
    corrective_action: str | None = Field(default=None, min_length=1, max_length=10_000)
    notify_email: str | None = None

    _notify = field_validator("notify_email")(_email)


class ComplaintTransition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ComplaintStatus
    #: For closing: days until the customer is asked again.
    resurvey_after_days: int = Field(default=7, ge=0, le=180)


class RecoveryUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recovered: bool


class ComplaintRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    customer_id: int
    severity: int
    category: str
    description: str
    status: str
    root_cause: str | None
    corrective_action: str | None
    notify_email: str | None
    flagged_at: dt.datetime
    flagged_by_user_id: int | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    resurvey_due_at: dt.datetime | None
    resurvey_link_id: int | None
    recovered: bool | None
    recovery_basis: str | None
    recovery_checked_at: dt.datetime | None


class ComplaintSummary(BaseModel):
    """Complaint metrics over complaints flagged in [start, end)."""

    start: dt.datetime
    end: dt.datetime
    flagged: int
    by_severity: dict[int, int]
    by_category: dict[str, int]
    still_open: int
    resolved: int
    #: Hours from flag to resolution over resolved complaints (null when none).
    median_hours_to_resolve: float | None
    mean_hours_to_resolve: float | None
    resurveys_sent: int
    resurveys_answered: int
    recovered: int
    not_recovered: int
    #: recovered / (recovered + not_recovered); null when no outcome is known.
    recovery_rate: float | None

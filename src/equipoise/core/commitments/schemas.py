"""Commitment schemas."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from equipoise.kit.ids import MAX_ID

Outcome = Literal["kept", "broken", "cancelled"]


class CommitmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    case_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    promise: str = Field(min_length=1, max_length=2000)
    due_at: dt.datetime
    owner_agent_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    owner_user_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    note: str | None = Field(default=None, max_length=4000)


class CommitmentUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    promise: str | None = Field(default=None, min_length=1, max_length=2000)
    due_at: dt.datetime | None = None
    owner_agent_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    owner_user_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    note: str | None = Field(default=None, max_length=4000)


class CommitmentSettle(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    note: str | None = Field(default=None, max_length=4000)


class CommitmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    case_id: int | None
    promise: str
    due_at: dt.datetime
    owner_agent_id: int | None
    owner_user_id: int | None
    status: str
    created_at: dt.datetime
    settled_at: dt.datetime | None
    note: str | None


class OverdueCommitment(CommitmentRead):
    hours_overdue: float


class CommitmentStats(BaseModel):
    """Commitments due in [start, end): how many were kept, broken, cancelled or are still open."""

    start: dt.datetime
    end: dt.datetime
    due: int
    kept: int
    broken: int
    cancelled: int
    open: int
    #: Open commitments past due at the time of the report.
    overdue: int
    #: kept / (kept + broken); null when none settled.
    kept_rate: float | None
    #: Kept commitments settled by their due time / kept.
    kept_on_time_rate: float | None

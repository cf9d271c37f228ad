"""Case shapes the API reads and writes, and the status lifecycle."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

#: Every status and its category; the SLA clock runs in ``open``, stops in ``paused`` and ``resolved``.
STATUSES: dict[str, str] = {
    "new": "open",
    "open": "open",
    "pending_customer": "paused",
    "on_hold": "paused",
    "solved": "resolved",
    "closed": "resolved",
    "merged": "resolved",
}
PAUSED_STATUSES = frozenset(s for s, c in STATUSES.items() if c == "paused")
RESOLVED_STATUSES = frozenset(s for s, c in STATUSES.items() if c == "resolved")

Priority = Literal["low", "normal", "high", "urgent"]
#: Statuses a person may set (``merged`` is set by merging only).
SettableStatus = Literal["new", "open", "pending_customer", "on_hold", "solved", "closed"]
_TAG = re.compile(r"^[a-z0-9][a-z0-9_:.\-]*$")


def _check_tag(value: str) -> str:
    if not _TAG.fullmatch(value):
        raise ValueError("a tag is letters, digits and _ : . - (starting with a letter or digit)")
    return value


Tag = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=40),
                AfterValidator(_check_tag)]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer_id: Id
    reason_id: Id
    channel_id: Id
    subject: str = Field(default="", max_length=300)
    priority: Priority = "normal"
    tags: list[Tag] = Field(default_factory=list, max_length=30)
    #: Leave empty to route by skills and customer tier.
    team_id: Id | None = None
    assigned_agent_id: Id | None = None
    external_ref: str | None = Field(default=None, min_length=1, max_length=100)
    #: Existing contacts (interactions) to attach to the new case.
    contact_ids: list[Id] = Field(default_factory=list, max_length=50)


class CaseUpdate(BaseModel):
    """A change to a case; ``version`` must be the version read, or the change is refused (409)."""

    model_config = ConfigDict(extra="forbid")

    version: Annotated[int, Field(ge=1, le=2**31 - 1)]
    subject: str | None = Field(default=None, max_length=300)
    priority: Priority | None = None
    tags: list[Tag] | None = Field(default=None, max_length=30)
    status: SettableStatus | None = None
    team_id: Id | None = None
    assigned_agent_id: Id | None = None


class VersionOnly(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Annotated[int, Field(ge=1, le=2**31 - 1)]


class AssignRequest(VersionOnly):
    #: Null to let routing choose by skills and customer tier.
    agent_id: Id | None = None


class MergeRequest(VersionOnly):
    """Merge this case (at ``version``) into ``into_case_id``."""

    into_case_id: Id


class AttachContact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contact_id: Id


class CaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_ref: str | None
    customer_id: int
    reason_id: int
    channel_id: int
    team_id: int | None
    assigned_agent_id: int | None
    sla_policy_id: int | None
    subject: str
    priority: str
    status: str
    status_category: str
    tags: list[str]
    is_complaint: bool
    opened_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    reopen_count: int
    first_response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    first_response_met: bool | None
    resolution_met: bool | None
    version: int


class CasePage(BaseModel):
    items: list[CaseRead]
    #: Pass as ``before_id`` to get the next (older) page; null on the last page.
    next_before_id: int | None


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=20_000)


class NoteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    author_id: int | None
    body: str
    created_at: dt.datetime


class TargetRead(BaseModel):
    target_seconds: float
    elapsed_seconds: float
    remaining_seconds: float
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    met: bool | None
    breached: bool
    warning: bool
    paused: bool


class SlaRead(BaseModel):
    case_id: int
    policy_id: int | None
    policy_name: str | None
    first_response: TargetRead | None
    resolution: TargetRead | None


class CaseCost(BaseModel):
    """What the case has cost so far: the sum of its contacts' costs (managers and admins)."""

    case_id: int
    contacts: int
    cost: float
    currency: str


class RoutingRead(BaseModel):
    agent_id: int | None
    team_id: int | None
    reasons: list[str]

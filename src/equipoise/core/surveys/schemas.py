"""Survey link and answer schemas."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from equipoise.core.outreach.schemas import check_email
from equipoise.kit.ids import MAX_ID

SurveyItem = Literal["csat", "nps", "ces", "expectation", "perception"]
ALL_ITEMS: tuple[str, ...] = ("csat", "nps", "ces", "expectation", "perception")
#: Allowed answers per item (inclusive), the same ranges as the survey_responses checks.
ITEM_RANGES: dict[str, tuple[int, int]] = {
    "csat": (1, 5),
    "nps": (0, 10),
    "ces": (1, 7),
    "expectation": (1, 5),
    "perception": (1, 5),
}


class LinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_id: int = Field(ge=1, le=MAX_ID)
    recipient: str | None = None
    items: list[SurveyItem] = Field(default_factory=lambda: list(ALL_ITEMS), min_length=1)
    ttl_days: int = Field(default=14, ge=1, le=90)

    @field_validator("recipient")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return None if value is None else check_email(value)

    @field_validator("items")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return [item for item in ALL_ITEMS if item in value]


class SurveyAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    csat: int | None = Field(default=None, ge=1, le=5)
    nps: int | None = Field(default=None, ge=0, le=10)
    ces: int | None = Field(default=None, ge=1, le=7)
    expectation: int | None = Field(default=None, ge=1, le=5)
    perception: int | None = Field(default=None, ge=1, le=5)
    comment: str | None = Field(default=None, max_length=4000)

    @model_validator(mode="after")
    def _something(self) -> SurveyAnswer:
        if all(getattr(self, item) is None for item in ALL_ITEMS):
            raise ValueError("answer at least one question")
        return self


class LinkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    case_id: int
    customer_id: int
    items: list[str]
    recipient: str | None
    sent_at: dt.datetime
    expires_at: dt.datetime


class LinkCreated(LinkRead):
    token: str
    url: str
    outbox_message_id: int | None


class LinkView(BaseModel):
    """What the public page needs to show a link."""

    link_id: int
    items: list[str]
    expires_at: dt.datetime
    state: Literal["open", "answered", "expired"]


class RateRow(BaseModel):
    kind: str
    sent: int
    answered: int
    expired_unanswered: int
    open: int
    #: answered / sent, null when nothing was sent.
    response_rate: float | None


class ResponseRates(BaseModel):
    start: dt.datetime
    end: dt.datetime
    overall: RateRow
    by_kind: list[RateRow]


ItemsKind = Literal["resolution", "complaint_resurvey"]

"""Webhook endpoint and delivery schemas."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

EVENT_TYPE_PATTERN = re.compile(r"^[a-z][a-z_]*(\.[a-z_*]+)*$|^\*$")


def check_url(value: str) -> str:
    """Accept an absolute http(s) URL with a host."""
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError("expected an absolute http:// or https:// URL")
    return value.strip()


def check_event_types(values: list[str]) -> list[str]:
    """Accept event types like ``case.resolved``, prefixes like ``case.*``, or ``*``."""
    for value in values:
        if not EVENT_TYPE_PATTERN.match(value):
            raise ValueError(f"{value!r} is not an event type such as case.resolved or case.*")
    return sorted(set(values))


class EndpointCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000)
    event_types: list[str] = Field(default_factory=list, max_length=50)
    description: str = Field(default="", max_length=300)
    #: Shared signing secret; generated when not given.
    secret: str | None = Field(default=None, min_length=16, max_length=200)

    _url = field_validator("url")(check_url)
    _types = field_validator("event_types")(check_event_types)


class EndpointUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=2000)
    event_types: list[str] | None = Field(default=None, max_length=50)
    description: str | None = Field(default=None, max_length=300)
    active: bool | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else check_url(value)

    @field_validator("event_types")
    @classmethod
    def _types(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else check_event_types(value)


class EndpointRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    event_types: list[str]
    description: str
    active: bool
    created_at: dt.datetime


class EndpointCreated(EndpointRead):
    """Returned once, on creation: the only time the secret is shown."""

    secret: str


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    endpoint_id: int
    event_id: int
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_status_code: int | None
    delivered_at: dt.datetime | None


class AttemptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    delivery_id: int
    attempted_at: dt.datetime
    status_code: int | None
    error: str | None
    duration_ms: float

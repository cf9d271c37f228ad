"""Knowledge-base schemas."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from equipoise.kit.ids import MAX_ID

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ArticleStatus = Literal["draft", "published", "archived"]


def _slug(value: str | None) -> str | None:
    if value is not None and not SLUG.match(value):
        raise ValueError("expected lower-case words joined by hyphens, e.g. reset-your-password")
    return value


class ArticleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=200_000)
    slug: str | None = Field(default=None, max_length=200)
    reason_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    status: ArticleStatus = "draft"

    _check_slug = field_validator("slug")(_slug)


class ArticleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, min_length=1, max_length=200_000)
    reason_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    status: ArticleStatus | None = None


class ArticleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    title: str
    status: str
    reason_id: int | None
    current_version: int
    views: int
    helpful_yes: int
    helpful_no: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ArticleDetail(ArticleRead):
    body: str


class VersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    title: str
    body: str
    author_user_id: int | None
    created_at: dt.datetime


class SearchHit(BaseModel):
    article_id: int
    slug: str
    title: str
    score: float
    snippet: str


class VoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    helpful: bool
    voter_key: str | None = Field(default=None, min_length=1, max_length=100)


class PortalContext(BaseModel):
    """Who is on the portal: a known customer and/or an anonymous session key."""

    model_config = ConfigDict(extra="forbid")

    customer_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    session_key: str | None = Field(default=None, min_length=1, max_length=100)


class DeflectionRow(BaseModel):
    article_id: int | None
    title: str | None
    events: int
    deflected: int
    followed_by_case: int


class DeflectionReport(BaseModel):
    """Portal events in [start, end): deflected when no case followed from the customer in 24 h."""

    start: dt.datetime
    end: dt.datetime
    events: int
    evaluated: int
    deflected: int
    followed_by_case: int
    #: Events from visitors who cannot be followed to a case (no customer known).
    anonymous: int
    #: deflected / evaluated (null when nothing was evaluated).
    deflection_rate: float | None
    by_article: list[DeflectionRow]

"""Knowledge base: versioned articles, a term index for BM25 search, votes, and portal events."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from equipoise.db.base import Base
from equipoise.models._types import BigId, pk

ARTICLE_STATUSES = ("draft", "published", "archived")
KB_EVENT_KINDS = ("search", "view")


class KbArticle(Base):
    __tablename__ = "kb_articles"
    __table_args__ = (CheckConstraint("status IN ('draft','published','archived')", name="status"),)

    id: Mapped[int] = pk()
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    #: The contact reason the article answers, if any (drives suggestions and coverage).
    reason_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("contact_reasons.id"), index=True
    )
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    #: Number of indexed terms in the current version (BM25 document length).
    term_count: Mapped[int] = mapped_column(Integer, default=0)
    views: Mapped[int] = mapped_column(Integer, default=0)
    helpful_yes: Mapped[int] = mapped_column(Integer, default=0)
    helpful_no: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class KbArticleVersion(Base):
    __tablename__ = "kb_article_versions"
    __table_args__ = (
        UniqueConstraint("article_id", "version", name="uq_kb_article_versions_article_version"),
    )

    id: Mapped[int] = pk()
    article_id: Mapped[int] = mapped_column(BigId, ForeignKey("kb_articles.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    author_user_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class KbPosting(Base):
    """How often a term occurs in an article's current version (an inverted index row)."""

    __tablename__ = "kb_postings"
    __table_args__ = (Index("ix_kb_postings_term", "term"),)

    article_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    frequency: Mapped[int] = mapped_column(Integer)


class KbVote(Base):
    __tablename__ = "kb_votes"
    __table_args__ = (
        UniqueConstraint("article_id", "voter_key", name="uq_kb_votes_article_voter"),
    )

    id: Mapped[int] = pk()
    article_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True
    )
    helpful: Mapped[bool] = mapped_column(Boolean)
    #: Who voted (portal session or user); one vote per voter and article when given.
    voter_key: Mapped[str | None] = mapped_column(String(100))
    voted_at: Mapped[dt.datetime] = mapped_column(DateTime)


class KbEvent(Base):
    """A portal search or article view; deflected once 24 h pass with no case from the customer."""

    __tablename__ = "kb_events"
    __table_args__ = (
        CheckConstraint("kind IN ('search','view')", name="kind"),
        Index("ix_kb_events_pending", "deflected", "occurred_at"),
    )

    id: Mapped[int] = pk()
    kind: Mapped[str] = mapped_column(String(8))
    article_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("kb_articles.id", ondelete="SET NULL"), index=True
    )
    query: Mapped[str | None] = mapped_column(String(500))
    customer_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("customers.id"), index=True)
    session_key: Mapped[str | None] = mapped_column(String(100))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    #: Null until evaluated (or when the visitor is anonymous and cannot be followed).
    deflected: Mapped[bool | None] = mapped_column(Boolean)
    #: The case the customer opened within 24 h, when not deflected.
    followed_by_case_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("cases.id"))
    evaluated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class KbEmbedding(Base):
    """The meaning of an article's current version as a unit-length float32 vector (``[semantic]`` extra).

    Stale when ``version`` is not the article's current version or ``model`` is not the model in use.
    """

    __tablename__ = "kb_embeddings"

    article_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer)
    model: Mapped[str] = mapped_column(String(100))
    dimensions: Mapped[int] = mapped_column(Integer)
    #: ``dimensions`` little-endian float32 values.
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)

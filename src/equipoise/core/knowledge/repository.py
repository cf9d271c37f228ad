"""Queries for knowledge articles, their versions, the term index, votes and portal events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from equipoise.models.cases import Case
from equipoise.models.knowledge import KbArticle, KbArticleVersion, KbEvent, KbPosting, KbVote


def by_slug(session: Session, slug: str) -> KbArticle | None:
    return session.scalars(select(KbArticle).where(KbArticle.slug == slug)).first()


def slug_taken(session: Session, slug: str) -> bool:
    return session.scalar(select(func.count()).where(KbArticle.slug == slug)) > 0


def version(session: Session, article_id: int, number: int) -> KbArticleVersion | None:
    return session.scalars(
        select(KbArticleVersion).where(KbArticleVersion.article_id == article_id, KbArticleVersion.version == number)
    ).first()


def versions(session: Session, article_id: int) -> Sequence[KbArticleVersion]:
    return session.scalars(
        select(KbArticleVersion).where(KbArticleVersion.article_id == article_id).order_by(KbArticleVersion.version)
    ).all()


def replace_postings(session: Session, article_id: int, counts: dict[str, int]) -> None:
    session.execute(delete(KbPosting).where(KbPosting.article_id == article_id))
    if counts:
        session.execute(
            insert(KbPosting), [{"article_id": article_id, "term": term, "frequency": n} for term, n in counts.items()]
        )


def list_articles(
    session: Session, *, status: str | None, reason_id: int | None, limit: int, offset: int
) -> Sequence[KbArticle]:
    stmt = select(KbArticle).order_by(KbArticle.title, KbArticle.id).limit(limit).offset(offset)
    if status is not None:
        stmt = stmt.where(KbArticle.status == status)
    if reason_id is not None:
        stmt = stmt.where(KbArticle.reason_id == reason_id)
    return session.scalars(stmt).all()


def corpus_stats(session: Session, statuses: Sequence[str]) -> tuple[int, float]:
    """(number of searchable articles, their mean indexed length)."""
    n, avg = session.execute(
        select(func.count(KbArticle.id), func.avg(KbArticle.term_count)).where(KbArticle.status.in_(statuses))
    ).one()
    return int(n), float(avg or 0.0)


def postings_for(session: Session, terms: Iterable[str], statuses: Sequence[str]) -> list[tuple[int, str, int, int]]:
    """(article id, term, frequency, article length) for the terms, in searchable articles."""
    stmt = (
        select(KbPosting.article_id, KbPosting.term, KbPosting.frequency, KbArticle.term_count)
        .join(KbArticle, KbArticle.id == KbPosting.article_id)
        .where(KbPosting.term.in_(list(terms)), KbArticle.status.in_(statuses))
    )
    return [(int(a), t, int(f), int(n)) for a, t, f, n in session.execute(stmt)]


def vote_of(session: Session, article_id: int, voter_key: str) -> KbVote | None:
    return session.scalars(select(KbVote).where(KbVote.article_id == article_id, KbVote.voter_key == voter_key)).first()


def pending_events(session: Session, before: dt.datetime, limit: int) -> Sequence[KbEvent]:
    stmt = (
        select(KbEvent)
        .where(KbEvent.deflected.is_(None), KbEvent.evaluated_at.is_(None), KbEvent.occurred_at <= before)
        .order_by(KbEvent.occurred_at, KbEvent.id)
        .limit(limit)
    )
    return session.scalars(stmt).all()


def first_case_between(session: Session, customer_id: int, after: dt.datetime, until: dt.datetime) -> int | None:
    return session.scalar(
        select(Case.id)
        .where(Case.customer_id == customer_id, Case.opened_at > after, Case.opened_at <= until)
        .order_by(Case.opened_at, Case.id)
        .limit(1)
    )


def events_between(session: Session, start: dt.datetime, end: dt.datetime) -> list[tuple[KbEvent, str | None]]:
    stmt = (
        select(KbEvent, KbArticle.title)
        .outerjoin(KbArticle, KbArticle.id == KbEvent.article_id)
        .where(KbEvent.occurred_at >= start, KbEvent.occurred_at < end)
        .order_by(KbEvent.id)
    )
    return [(e, title) for e, title in session.execute(stmt)]

"""Queries for survey responses, survey links and their answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from equipoise.models.survey_links import SurveyLink, SurveyLinkAnswer
from equipoise.models.surveys import SurveyResponse


def responses_of_case(session: Session, case_id: int) -> list[SurveyResponse]:
    """The survey responses recorded against a case, oldest first (ties by id)."""
    stmt = (select(SurveyResponse).where(SurveyResponse.case_id == case_id)
            .order_by(SurveyResponse.responded_at, SurveyResponse.id))
    return list(session.scalars(stmt))


def answer_of(session: Session, link_id: int) -> SurveyLinkAnswer | None:
    return session.scalars(select(SurveyLinkAnswer).where(SurveyLinkAnswer.link_id == link_id)).first()


def links_of_case(session: Session, case_id: int) -> Sequence[SurveyLink]:
    return session.scalars(select(SurveyLink).where(SurveyLink.case_id == case_id).order_by(SurveyLink.id)).all()


def rate_counts(
    session: Session, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> list[tuple[str, int, int, int]]:
    """Per kind: links sent in [start, end), answered, and expired without an answer at ``now``."""
    answered = SurveyLinkAnswer.id.isnot(None)
    expired = and_(SurveyLinkAnswer.id.is_(None), SurveyLink.expires_at <= now)
    stmt = (
        select(
            SurveyLink.kind,
            func.count(SurveyLink.id),
            func.sum(case((answered, 1), else_=0)),
            func.sum(case((expired, 1), else_=0)),
        )
        .outerjoin(SurveyLinkAnswer, SurveyLinkAnswer.link_id == SurveyLink.id)
        .where(SurveyLink.sent_at >= start, SurveyLink.sent_at < end)
        .group_by(SurveyLink.kind)
        .order_by(SurveyLink.kind)
    )
    return [(kind, int(n), int(a or 0), int(x or 0)) for kind, n, a, x in session.execute(stmt)]

"""Create signed survey links, read them, accept one answer each, and report response rates."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from equipoise.core.outreach.service import enqueue_email
from equipoise.core.surveys import repository as repo
from equipoise.core.surveys.schemas import (
    ALL_ITEMS,
    LinkView,
    RateRow,
    ResponseRates,
    SurveyAnswer,
)
from equipoise.core.surveys.signing import make_token, parse_token, signature_matches
from equipoise.kit.errors import AppError, Conflict, InvalidInput, NotFound
from equipoise.models.cases import Case
from equipoise.models.outreach import OutboxMessage
from equipoise.models.survey_links import SURVEY_KINDS, SurveyLink, SurveyLinkAnswer
from equipoise.models.surveys import SurveyResponse


class LinkExpired(AppError):
    status_code = 410


class LinkInvalid(NotFound):
    """Unknown, forged or damaged token (answered like a missing page, revealing nothing)."""


@dataclass(frozen=True)
class IssuedLink:
    link: SurveyLink
    token: str
    url: str
    message: OutboxMessage | None


def survey_url(base_url: str, token: str) -> str:
    """The public address of the survey page for ``token``."""
    return f"{base_url.rstrip('/')}/survey/{token}"


def issue_link(
    session: Session,
    case_id: int,
    now: dt.datetime,
    secret: bytes,
    *,
    base_url: str,
    items: Sequence[str] = ALL_ITEMS,
    ttl_days: int = 14,
    kind: str = "resolution",
    recipient: str | None = None,
) -> IssuedLink:
    """Create a signed link for ``case_id``; with a recipient, also queue the invitation email.

    A ``resolution`` survey is only sent for a resolved case.
    """
    if kind not in SURVEY_KINDS:
        raise ValueError(f"kind: expected one of {', '.join(SURVEY_KINDS)}, got {kind!r}")
    if not 1 <= ttl_days <= 90:
        raise InvalidInput(f"ttl_days: expected 1..90, got {ttl_days}", field="ttl_days")
    unknown = [item for item in items if item not in ALL_ITEMS]
    if unknown or not items:
        raise InvalidInput(f"items: expected some of {', '.join(ALL_ITEMS)}", field="items")
    case = session.get(Case, case_id)
    if case is None:
        raise InvalidInput(f"case {case_id} does not exist", field="case_id")
    if kind == "resolution" and case.resolved_at is None and case.status_category != "resolved":
        raise Conflict(f"case {case_id} is not resolved yet", field="case_id")
    link = SurveyLink(
        nonce=secrets.token_hex(16),
        kind=kind,
        case_id=case.id,
        customer_id=case.customer_id,
        items=[i for i in ALL_ITEMS if i in items],
        recipient=recipient,
        sent_at=now,
        expires_at=(now + dt.timedelta(days=ttl_days)).replace(microsecond=0),
    )
    session.add(link)
    session.flush()
    token = make_token(secret, link.id, link.nonce, link.expires_at)
    url = survey_url(base_url, token)
    message = None
    if recipient:
        subject = "How did we do?" if kind == "resolution" else "Following up on your complaint: how do you feel now?"
        body = (
            f'Your request "{case.subject}" was handled by our team.\n'
            f"Please tell us how it went (it takes a minute):\n\n{url}\n\n"
            f"This link works once and until {link.expires_at:%Y-%m-%d}."
        )
        message = enqueue_email(
            session, dedupe_key=f"survey:{link.id}", recipient=recipient, subject=subject, body=body, now=now
        )
    return IssuedLink(link=link, token=token, url=url, message=message)


def resolve_token(session: Session, token: str, secret: bytes) -> SurveyLink:
    """The link a token names, once its signature is checked (LinkInvalid otherwise)."""
    parts = parse_token(token)
    if parts is None:
        raise LinkInvalid("this survey link is not valid")
    link = session.get(SurveyLink, parts.link_id)
    if link is None or link.expires_at != parts.expires_at or not signature_matches(secret, parts, link.nonce):
        raise LinkInvalid("this survey link is not valid")
    return link


def view_link(session: Session, token: str, now: dt.datetime, secret: bytes) -> LinkView:
    """What the public page shows: the questions, and whether the link is open, answered or expired."""
    link = resolve_token(session, token, secret)
    if repo.answer_of(session, link.id) is not None:
        state = "answered"
    elif now >= link.expires_at:
        state = "expired"
    else:
        state = "open"
    return LinkView(link_id=link.id, items=list(link.items), expires_at=link.expires_at, state=state)


def submit_answer(
    session: Session, token: str, answer: SurveyAnswer, now: dt.datetime, secret: bytes
) -> SurveyResponse:
    """Store the answer in ``survey_responses``; a link takes one answer (a unique constraint)."""
    link = resolve_token(session, token, secret)
    if now >= link.expires_at:
        raise LinkExpired("this survey link has expired")
    if repo.answer_of(session, link.id) is not None:
        raise Conflict("this survey was already answered")
    extra = [item for item in ALL_ITEMS if getattr(answer, item) is not None and item not in link.items]
    if extra:
        raise InvalidInput(f"{extra[0]}: this survey does not ask that question", field=extra[0])
    response = SurveyResponse(
        case_id=link.case_id,
        customer_id=link.customer_id,
        contact_id=link.contact_id,
        sent_at=link.sent_at,
        responded_at=now,
        comment=(answer.comment or None),
        source="survey_link",
        **{item: getattr(answer, item) for item in ALL_ITEMS},
    )
    try:
        with session.begin_nested():
            session.add(response)
            session.flush()
            session.add(SurveyLinkAnswer(link_id=link.id, response_id=response.id, answered_at=now))
            session.flush()
    except IntegrityError as exc:
        raise Conflict("this survey was already answered") from exc
    if link.kind == "complaint_resurvey":
        from equipoise.core.complaints.recovery import apply_resurvey_answer

        apply_resurvey_answer(session, link.id, response, now)
    return response


def links_of_case(session: Session, case_id: int) -> Sequence[SurveyLink]:
    return repo.links_of_case(session, case_id)


def response_rates(session: Session, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> ResponseRates:
    """Links sent in [start, end): how many were answered, expired unanswered, or are still open."""
    if end <= start:
        raise InvalidInput("end: expected a time after start", field="end")
    rows = [
        _row(kind, sent, answered, expired)
        for kind, sent, answered, expired in repo.rate_counts(session, start, end, now)
    ]
    total = _row(
        "all", sum(r.sent for r in rows), sum(r.answered for r in rows), sum(r.expired_unanswered for r in rows)
    )
    return ResponseRates(start=start, end=end, overall=total, by_kind=rows)


def _row(kind: str, sent: int, answered: int, expired: int) -> RateRow:
    return RateRow(
        kind=kind,
        sent=sent,
        answered=answered,
        expired_unanswered=expired,
        open=sent - answered - expired,
        response_rate=(answered / sent) if sent else None,
    )

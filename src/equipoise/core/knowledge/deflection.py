"""Deflection: a portal search or article view not followed by a case from the customer in 24 h."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy.orm import Session

from equipoise.core.knowledge import repository as repo
from equipoise.core.knowledge.schemas import DeflectionReport, DeflectionRow
from equipoise.kit.errors import InvalidInput

WINDOW = dt.timedelta(hours=24)


def evaluate_deflections(
    session: Session, now: dt.datetime, *, window: dt.timedelta = WINDOW, limit: int = 5000
) -> int:
    """Decide every event whose window has closed by ``now``; returns how many were decided.

    Events without a customer are marked evaluated and left undecided (they cannot be followed).
    """
    if window <= dt.timedelta(0):
        raise ValueError("window: expected a positive duration")
    decided = 0
    for event in repo.pending_events(session, now - window, limit):
        event.evaluated_at = now
        if event.customer_id is None:
            continue
        case_id = repo.first_case_between(session, event.customer_id, event.occurred_at, event.occurred_at + window)
        event.followed_by_case_id = case_id
        event.deflected = case_id is None
        decided += 1
    session.flush()
    return decided


def deflection_report(session: Session, start: dt.datetime, end: dt.datetime) -> DeflectionReport:
    """Deflection over portal events in [start, end), overall and by article viewed."""
    if end <= start:
        raise InvalidInput("end: expected a time after start", field="end")
    rows = repo.events_between(session, start, end)
    per: dict[int | None, list] = defaultdict(lambda: [None, 0, 0, 0])
    for event, title in rows:
        if event.kind != "view":
            continue
        entry = per[event.article_id]
        entry[0] = title
        entry[1] += 1
        entry[2] += event.deflected is True
        entry[3] += event.deflected is False
    evaluated = sum(1 for e, _ in rows if e.deflected is not None)
    deflected = sum(1 for e, _ in rows if e.deflected is True)
    by_article = [
        DeflectionRow(article_id=a, title=v[0], events=v[1], deflected=v[2], followed_by_case=v[3])
        for a, v in sorted(per.items(), key=lambda kv: (-kv[1][2], kv[0] or 0))
    ]
    return DeflectionReport(
        start=start,
        end=end,
        events=len(rows),
        evaluated=evaluated,
        deflected=deflected,
        followed_by_case=evaluated - deflected,
        anonymous=sum(1 for e, _ in rows if e.customer_id is None),
        deflection_rate=deflected / evaluated if evaluated else None,
        by_article=by_article,
    )

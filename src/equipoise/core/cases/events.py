"""What a case change tells the outside world: webhook events and, on resolution, the survey invitation.

Each case operation calls ``announce`` once, after its change is flushed, with the operation's own
event (``case.created``, ``case.updated``, ``case.assigned``, ``case.reopened``, ``case.merged``).
Status transitions add their own events: entering a resolved status is ``case.resolved`` (a merge
is not a resolution), reaching ``closed`` is ``case.closed`` and leaving the resolved statuses is
``case.reopened``. Everything is written in the caller's unit of work, so an event exists exactly
when the change committed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from equipoise.config import Settings
from equipoise.core.cases.schemas import STATUSES
from equipoise.core.surveys.service import IssuedLink, issue_link
from equipoise.core.surveys.signing import signing_secret
from equipoise.core.webhooks.service import emit_case_event
from equipoise.models.cases import Case
from equipoise.models.customers import Customer


@dataclass(frozen=True)
class ResolutionSurvey:
    """How resolution surveys are issued: the settings holding the link secret, the public base URL
    of the survey page and how long a link stays valid."""

    settings: Settings
    base_url: str
    ttl_days: int = 14

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url: expected an http(s) address, got {self.base_url!r}")
        if not 1 <= self.ttl_days <= 90:
            raise ValueError(f"ttl_days: expected 1..90, got {self.ttl_days}")


def transition_events(previous_status: str | None, status: str) -> list[str]:
    """The status-transition events of going from ``previous_status`` (None: new case) to ``status``."""
    if status == "merged":
        return []
    before = STATUSES.get(previous_status) if previous_status is not None else None
    after = STATUSES[status]
    events = []
    if after == "resolved" and before != "resolved":
        events.append("case.resolved")
    if status == "closed" and previous_status != "closed":
        events.append("case.closed")
    if before == "resolved" and after != "resolved":
        events.append("case.reopened")
    return events


def announce(session: Session, case: Case, event: str, now: dt.datetime, *, previous_status: str | None,
             survey: ResolutionSurvey | None = None) -> list[str]:
    """Emit ``event`` and the transition events of the case; on resolution issue the survey link.

    Returns the event types emitted, in order. Events nobody subscribes to are written with the
    unit of work's next flush or its commit.
    """
    events = [event] + [e for e in transition_events(previous_status, case.status) if e != event]
    for event_type in events:
        emit_case_event(session, case, event_type, now, flush=False)
    if "case.resolved" in events and survey is not None:
        issue_resolution_survey(session, case, now, survey)
    return events


def issue_resolution_survey(session: Session, case: Case, now: dt.datetime,
                            survey: ResolutionSurvey) -> IssuedLink | None:
    """Send the resolution survey to the customer's address; None when no address is known.

    The link secret is only needed (and only checked) when there is someone to send it to.
    """
    customer = session.get(Customer, case.customer_id)
    recipient = customer.email if customer is not None else None
    if not recipient:
        return None
    return issue_link(session, case.id, now, signing_secret(survey.settings), base_url=survey.base_url,
                      ttl_days=survey.ttl_days, kind="resolution", recipient=recipient)

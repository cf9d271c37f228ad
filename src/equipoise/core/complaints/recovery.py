"""Whether a complaining customer was won back, decided from the re-survey after closure."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from equipoise.models.complaints import Complaint
from equipoise.models.surveys import SurveyResponse

#: A re-survey CSAT at or above this counts as recovered (CSAT's "satisfied" answers are 4 and 5).
RECOVERED_CSAT = 4
#: Without CSAT, an NPS answer at or above this (passive or promoter) counts as recovered.
RECOVERED_NPS = 7


def is_recovered(*, csat: int | None, nps: int | None, expectation: int | None, perception: int | None) -> bool | None:
    """Recovery from a re-survey answer: CSAT first, then NPS, then perception >= expectation."""
    if csat is not None:
        return csat >= RECOVERED_CSAT
    if nps is not None:
        return nps >= RECOVERED_NPS
    if expectation is not None and perception is not None:
        return perception >= expectation
    return None


def apply_resurvey_answer(
    session: Session, link_id: int, response: SurveyResponse, now: dt.datetime
) -> Complaint | None:
    """Record the recovery outcome on the complaint whose re-survey link was answered."""
    complaint = session.scalars(select(Complaint).where(Complaint.resurvey_link_id == link_id)).first()
    if complaint is None:
        return None
    outcome = is_recovered(
        csat=response.csat, nps=response.nps, expectation=response.expectation, perception=response.perception
    )
    if outcome is not None and complaint.recovery_basis != "manual":
        complaint.recovered = outcome
        complaint.recovery_basis = "resurvey"
        complaint.recovery_checked_at = now
        session.flush()
    return complaint

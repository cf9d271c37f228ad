"""Complaint handling: flag a case, investigate, resolve with root cause and corrective action,
close, re-survey the customer, and track whether they were recovered."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Sequence

from sqlalchemy.orm import Session

from equipoise.core.complaints import repository as repo
from equipoise.core.complaints.schemas import (
    ComplaintCreate,
    ComplaintSummary,
    ComplaintTransition,
    ComplaintUpdate,
)
from equipoise.core.surveys.service import issue_link
from equipoise.core.webhooks.service import emit_case_event
from equipoise.kit.errors import Conflict, InvalidInput, NotFound
from equipoise.models.cases import Case
from equipoise.models.complaints import Complaint

#: Allowed status moves; resolving needs a root cause and a corrective action.
TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"investigating", "resolved"}),
    "investigating": frozenset({"resolved"}),
    "resolved": frozenset({"investigating", "closed"}),
    "closed": frozenset(),
}
#: Questions asked in the re-survey after a complaint is closed.
RESURVEY_ITEMS = ("csat", "nps", "expectation", "perception")


def get_complaint(session: Session, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFound(f"complaint {complaint_id} not found")
    return complaint


def _case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise InvalidInput(f"case {case_id} does not exist", field="case_id")
    return case


def flag_complaint(session: Session, data: ComplaintCreate, now: dt.datetime, user_id: int | None = None) -> Complaint:
    """Mark a case as a complaint (on the case and in a complaint record); one per case."""
    case = _case(session, data.case_id)
    if repo.by_case(session, case.id) is not None:
        raise Conflict(f"case {case.id} is already a complaint", field="case_id")
    complaint = Complaint(
        case_id=case.id,
        customer_id=case.customer_id,
        severity=data.severity,
        category=data.category,
        description=data.description,
        status="open",
        notify_email=data.notify_email,
        flagged_at=now,
        flagged_by_user_id=user_id,
    )
    case.is_complaint = True
    case.complaint_severity = data.severity
    case.complained_at = case.complained_at or now
    case.version = (case.version or 1) + 1
    session.add(complaint)
    session.flush()
    emit_case_event(session, case, "case.complaint_flagged", now)
    return complaint


def update_complaint(session: Session, complaint_id: int, data: ComplaintUpdate) -> Complaint:
    """Change the fields given; severity is mirrored on the case."""
    complaint = get_complaint(session, complaint_id)
    changes = data.model_dump(exclude_unset=True)
    for key in ("severity", "category", "description"):
        if key in changes and changes[key] is None:
            raise InvalidInput(f"{key} cannot be null", field=key)
    if complaint.status == "closed" and changes:
        raise Conflict("a closed complaint cannot be changed", field="status")
    for key, value in changes.items():
        setattr(complaint, key, value)
    if "severity" in changes:
        case = session.get(Case, complaint.case_id)
        if case is not None:
            case.complaint_severity = complaint.severity
            case.version = (case.version or 1) + 1
    session.flush()
    return complaint


def transition(session: Session, complaint_id: int, data: ComplaintTransition, now: dt.datetime) -> Complaint:
    """Move a complaint to ``data.status`` if the move is allowed."""
    complaint = get_complaint(session, complaint_id)
    target = data.status
    if target not in TRANSITIONS[complaint.status]:
        raise Conflict(f"status: cannot go from {complaint.status} to {target}", field="status")
    if target == "resolved":
        missing = [f for f in ("root_cause", "corrective_action") if not getattr(complaint, f)]
        if missing:
            raise InvalidInput(f"{missing[0]}: required before the complaint is resolved", field=missing[0])
        complaint.resolved_at = now
    elif target == "investigating":
        complaint.resolved_at = None
    elif target == "closed":
        complaint.closed_at = now
        complaint.resurvey_due_at = now + dt.timedelta(days=data.resurvey_after_days)
    complaint.status = target
    session.flush()
    if target == "closed":
        case = session.get(Case, complaint.case_id)
        if case is not None:
            emit_case_event(session, case, "case.complaint_closed", now)
    return complaint


def send_due_resurveys(
    session: Session, now: dt.datetime, secret: bytes, *, base_url: str, ttl_days: int = 14, limit: int = 200
) -> int:
    """Issue the re-survey link of every closed complaint whose re-survey is due; emails it when
    the complaint has an address. Returns the number of links issued."""
    issued = 0
    for complaint in repo.due_resurveys(session, now, limit):
        link = issue_link(
            session,
            complaint.case_id,
            now,
            secret,
            base_url=base_url,
            items=RESURVEY_ITEMS,
            ttl_days=ttl_days,
            kind="complaint_resurvey",
            recipient=complaint.notify_email,
        )
        complaint.resurvey_link_id = link.link.id
        issued += 1
    session.flush()
    return issued


def set_recovery(session: Session, complaint_id: int, recovered: bool, now: dt.datetime) -> Complaint:
    """Record recovery by hand (it then wins over the re-survey)."""
    complaint = get_complaint(session, complaint_id)
    if complaint.status != "closed":
        raise Conflict("recovery is recorded once the complaint is closed", field="status")
    complaint.recovered, complaint.recovery_basis, complaint.recovery_checked_at = recovered, "manual", now
    session.flush()
    return complaint


def mark_churned_unrecovered(session: Session, now: dt.datetime) -> int:
    """Complaints of customers who churned after complaining, with no known outcome: not recovered."""
    count = 0
    for complaint, customer in repo.unknown_recovery_with_churn(session):
        if customer.churned_on is not None and customer.churned_on >= complaint.flagged_at.date():
            complaint.recovered, complaint.recovery_basis = False, "churn"
            complaint.recovery_checked_at = now
            count += 1
    session.flush()
    return count


def list_complaints(
    session: Session,
    *,
    status: str | None = None,
    severity: int | None = None,
    customer_id: int | None = None,
    team_ids: frozenset[int] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Complaint]:
    """Complaints, newest first; ``team_ids`` keeps those on cases of these teams."""
    return repo.list_complaints(
        session,
        status=status,
        severity=severity,
        customer_id=customer_id,
        team_ids=team_ids,
        limit=limit,
        offset=offset,
    )


def summary(session: Session, start: dt.datetime, end: dt.datetime) -> ComplaintSummary:
    """Complaint metrics over complaints flagged in [start, end)."""
    if end <= start:
        raise InvalidInput("end: expected a time after start", field="end")
    rows = repo.flagged_between(session, start, end)
    complaints = [c for c, _ in rows]
    hours = [(c.resolved_at - c.flagged_at).total_seconds() / 3600.0 for c in complaints if c.resolved_at is not None]
    recovered = sum(1 for c in complaints if c.recovered is True)
    lost = sum(1 for c in complaints if c.recovered is False)
    return ComplaintSummary(
        start=start,
        end=end,
        flagged=len(complaints),
        by_severity={s: n for s, n in sorted(Counter(c.severity for c in complaints).items())},
        by_category=dict(sorted(Counter(c.category for c in complaints).items())),
        still_open=sum(1 for c in complaints if c.status in ("open", "investigating")),
        resolved=len(hours),
        median_hours_to_resolve=statistics.median(hours) if hours else None,
        mean_hours_to_resolve=statistics.fmean(hours) if hours else None,
        resurveys_sent=sum(1 for c in complaints if c.resurvey_link_id is not None),
        resurveys_answered=sum(1 for _, answered in rows if answered),
        recovered=recovered,
        not_recovered=lost,
        recovery_rate=recovered / (recovered + lost) if recovered + lost else None,
    )

"""The agent's case queue (visible cases with SLA timers, soonest due first) and the case detail page.

Both pages call the same services as the API: ``cases.service.list_page`` (which keeps agents and
leads to their teams), ``cases.flows.sla``, ``commitments.service`` and ``knowledge.service``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from equipoise.core.auth.schemas import Principal
from equipoise.core.cases import flows
from equipoise.core.cases import repository as case_repository
from equipoise.core.cases import service as case_service
from equipoise.core.cases.schemas import SlaRead, TargetRead
from equipoise.core.commitments import service as commitment_service
from equipoise.core.knowledge import service as knowledge_service
from equipoise.core.surveys import repository as survey_repository
from equipoise.interfaces.api.deps import DbSession, Now
from equipoise.interfaces.web.login import PageUser, is_fragment
from equipoise.interfaces.web.templating import render
from equipoise.models.channels import Channel, ContactReason
from equipoise.models.customers import Customer
from equipoise.models.org import Agent, OrgUnit

router = APIRouter(include_in_schema=False)

#: Queue filter on the status: a category (open, paused, resolved) or everything.
QUEUE_STATUSES = ("open", "paused", "resolved", "all")
#: Most cases the queue evaluates at once (each needs its SLA worked out).
QUEUE_LIMIT = 200
PRIORITIES = ("urgent", "high", "normal", "low")
PRIORITY_RANK = {p: i for i, p in enumerate(PRIORITIES)}


def remaining_text(seconds: float) -> str:
    """A signed business-time span as shown in the queue: "2 h 05 m", "−1 d 3 h", "45 m"."""
    minutes = int(abs(seconds) // 60)
    sign = "−" if seconds < 0 and minutes else ""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {mins:02d} m"
    return f"{sign}{mins} m"


@dataclass(frozen=True)
class Timer:
    """One SLA target of a case as the queue shows it."""

    label: str
    state: str  # met | done_late | breached | warning | running | paused
    text: str
    due_at: dt.datetime | None


def timer(label: str, target: TargetRead | None) -> Timer | None:
    """How a first-response or resolution target stands, in words and a state for colouring."""
    if target is None:
        return None
    if target.done_at is not None:
        state = "met" if target.met else "breached"
        return Timer(label, state, "met" if target.met else "missed", target.due_at)
    if target.breached:
        state = "breached"
    elif target.paused:
        state = "paused"
    else:
        state = "warning" if target.warning else "running"
    if state == "breached":
        text = "overdue " + remaining_text(max(target.elapsed_seconds - target.target_seconds, 0.0))
    else:
        text = remaining_text(target.remaining_seconds) + (" (paused)" if target.paused else "")
    return Timer(label, state, text, target.due_at)


@dataclass(frozen=True)
class QueueRow:
    """A case in the queue with the names it is shown with and its SLA timers."""

    case: Any
    customer: str
    team: str
    first_response: Timer | None
    resolution: Timer | None
    next_due: dt.datetime | None

    @property
    def breached(self) -> bool:
        """Whether a target was missed or is past its due time."""
        return any(t is not None and t.state == "breached" for t in (self.first_response, self.resolution))


def _name(session: Session, model: type, key: int | None, default: str = "—") -> str:
    row = session.get(model, key) if key is not None else None
    return getattr(row, "name", default) if row is not None else default


def _next_due(sla: SlaRead) -> dt.datetime | None:
    pending = [t.due_at for t in (sla.first_response, sla.resolution)
               if t is not None and t.done_at is None and t.due_at is not None]
    return min(pending) if pending else None


def queue_rows(session: Session, principal: Principal, *, status: str, priority: str | None,
               now: dt.datetime) -> list[QueueRow]:
    """The caller's visible cases for the filter, soonest SLA due time first (no due time last)."""
    filters: dict[str, Any] = {"status_category": None if status == "all" else status, "priority": priority}
    cases, _ = case_service.list_page(session, principal=principal, filters=filters, before_id=None,
                                      limit=QUEUE_LIMIT)
    rows = []
    for case in cases:
        sla = flows.sla(session, case.id, principal=principal, now=now)
        rows.append(QueueRow(case=case, customer=_name(session, Customer, case.customer_id),
                             team=_name(session, OrgUnit, case.team_id),
                             first_response=timer("First response", sla.first_response),
                             resolution=timer("Resolution", sla.resolution), next_due=_next_due(sla)))
    far = dt.datetime.max
    rows.sort(key=lambda r: (r.next_due or far, PRIORITY_RANK.get(r.case.priority, 9), r.case.id))
    return rows


@router.get("/cases", response_class=HTMLResponse)
def case_queue(request: Request, principal: PageUser, db: DbSession, at: Now,
               status: Annotated[str, Query(pattern="^(open|paused|resolved|all)$")] = "open",
               priority: Annotated[str | None, Query()] = None) -> HTMLResponse:
    """The case queue: SLA time left per case, breaches flagged, soonest due first; htmx filters."""
    chosen = priority or None
    if chosen is not None and chosen not in PRIORITIES:
        return render(request, "_cases_queue.html" if is_fragment(request) else "cases.html",
                      {"rows": [], "status": status, "priority": "", "statuses": QUEUE_STATUSES,
                       "priorities": PRIORITIES, "error": f"priority: expected one of {', '.join(PRIORITIES)}"},
                      status_code=422)
    rows = queue_rows(db, principal, status=status, priority=chosen, now=at)
    context = {"rows": rows, "status": status, "priority": chosen or "", "statuses": QUEUE_STATUSES,
               "priorities": PRIORITIES, "error": None, "now": at,
               "breached": sum(r.breached for r in rows)}
    return render(request, "_cases_queue.html" if is_fragment(request) else "cases.html", context)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_detail(case_id: Annotated[int, Path(ge=1, le=2**63 - 1)], request: Request, principal: PageUser,
                db: DbSession, at: Now) -> HTMLResponse:
    """One case: facts, SLA, contacts, survey answers, commitments and suggested articles."""
    case = case_service.visible(db, case_id, principal)
    sla = flows.sla(db, case.id, principal=principal, now=at)
    contacts = [{"contact": c, "channel": _name(db, Channel, c.channel_id), "agent": _name(db, Agent, c.agent_id)}
                for c in case_repository.contacts(db, case.id)]
    commitments = commitment_service.list_commitments(db, case_id=case.id)
    return render(request, "case_detail.html", {
        "case": case, "sla": sla, "policy": sla.policy_name,
        "timers": [t for t in (timer("First response", sla.first_response), timer("Resolution", sla.resolution))
                   if t is not None],
        "customer": _name(db, Customer, case.customer_id), "team": _name(db, OrgUnit, case.team_id),
        "agent": _name(db, Agent, case.assigned_agent_id), "reason": _name(db, ContactReason, case.reason_id),
        "channel": _name(db, Channel, case.channel_id), "contacts": contacts,
        "surveys": survey_repository.responses_of_case(db, case.id), "commitments": commitments,
        "notes": flows.notes(db, case.id, principal=principal),
        "suggestions": knowledge_service.suggest_for_case(db, case.id),
        "show_costs": principal.sees_costs})

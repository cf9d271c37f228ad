"""Cases with their contacts, written the way native cases are: costs, SLA outcome and status.

Importers of ticket-shaped data (native cases, event logs, Zendesk, Freshdesk) turn rows into
:class:`CaseRecord` objects and hand them to :func:`write_cases`, which matches or creates the
customers, agents, reasons and channels, derives the SLA fields with the helpdesk's SLA engine on
business time (:mod:`equipoise.ingest.business_time`), inserts cases, then contacts, then the
survey answers the export carried (:mod:`equipoise.ingest.surveys_import`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Connection, insert, select

from equipoise.db.bulk import bulk_insert
from equipoise.ingest.business_time import PAUSED_STATUSES, RESOLVED_STATUSES, SlaPolicies
from equipoise.ingest.dims import ChannelInfo, Dimensions, contact_cost
from equipoise.ingest.survey_rows import SurveyRecord, attach_surveys
from equipoise.models import Case, Contact
from equipoise.models.case_extras import CaseStatusChange

PRIORITIES = ("low", "normal", "high", "urgent")
__all__ = ["PRIORITIES", "CaseRecord", "ContactRecord", "SlaPolicies", "SurveyRecord", "contact_row",
           "status_category", "write_cases"]


@dataclass
class ContactRecord:
    """One contact of a case (times naive local)."""

    arrived_at: dt.datetime
    ended_at: dt.datetime | None = None
    queued_at: dt.datetime | None = None
    answered_at: dt.datetime | None = None
    handle_seconds: float | None = None
    ref: str | None = None
    channel: str | None = None
    agent: str | None = None
    direction: str = "inbound"
    kind: str = "first"
    abandoned: bool = False
    transferred: bool = False
    outcome: str = "resolved"


@dataclass
class CaseRecord:
    """One case as read from a file, before matching its dimensions."""

    row: int
    ref: str
    customer_ref: str
    channel: str
    reason: str
    opened_at: dt.datetime
    priority: str = "normal"
    status: str = "open"
    status_category: str = "open"
    subject: str = ""
    tags: list[str] = field(default_factory=list)
    team: str | None = None
    agent: str | None = None
    customer_name: str | None = None
    tier: str | None = None
    reason_name: str | None = None
    first_response_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    reopen_count: int = 0
    is_complaint: bool = False
    #: The source system's own SLA verdicts, when it exports them (else derived from the policy).
    first_response_met: bool | None = None
    resolution_met: bool | None = None
    contacts: list[ContactRecord] = field(default_factory=list)
    #: Status history ``[(at, status), ...]`` when the source has one (its pauses stop the SLA clock).
    status_changes: list[tuple[dt.datetime, str]] = field(default_factory=list)
    survey: SurveyRecord | None = None

    def surveyed_contact(self) -> ContactRecord | None:
        """The contact a survey answer is about: the last answered one, else the last one."""
        until = self.survey.responded_at if self.survey else dt.datetime.max
        answered = [c for c in self.contacts if c.answered_at is not None and c.answered_at <= until]
        return (answered or self.contacts or [None])[-1]


def status_category(status: str, resolved: bool) -> str:
    """open | paused | resolved for a status name (resolved when the case has a resolution time)."""
    key = status.strip().lower().replace(" ", "_")
    if resolved or key in RESOLVED_STATUSES:
        return "resolved"
    return "paused" if key in PAUSED_STATUSES else "open"


_CONTACT_COLS = ("external_ref", "case_id", "customer_id", "channel_id", "reason_id", "agent_id", "team_id",
                 "direction", "kind", "arrived_at", "queued_at", "answered_at", "ended_at", "wait_seconds",
                 "handle_seconds", "abandoned", "transferred", "outcome", "cost", "source")


def write_cases(conn: Connection, dims: Dimensions, records: list[CaseRecord], source: str,
                as_of: dt.datetime, policies: SlaPolicies) -> tuple[int, int, int]:
    """Insert new cases and their contacts; returns (cases, contacts, duplicates skipped)."""
    t = Case.__table__
    refs = [r.ref for r in records]
    existing: set[str] = set()
    for i in range(0, len(refs), 2000):
        existing.update(conn.execute(select(t.c.external_ref).where(t.c.external_ref.in_(refs[i:i + 2000])))
                        .scalars())
    fresh, seen = [], set(existing)
    for r in records:
        if r.ref not in seen:
            fresh.append(r)
            seen.add(r.ref)
    surveys = [(r.ref, (r.surveyed_contact() or ContactRecord(r.opened_at)).ref, r.survey)
               for r in records if r.survey is not None]
    if not fresh:
        attach_surveys(conn, surveys, source)
        return 0, 0, len(records)
    customers = dims.customers(conn, [r.customer_ref for r in fresh],
                               {r.customer_ref: r.tier for r in fresh if r.tier},
                               {r.customer_ref: r.customer_name for r in fresh if r.customer_name})
    channels = dims.channels(conn, {r.channel for r in fresh} |
                             {c.channel for r in fresh for c in r.contacts if c.channel})
    reasons = dims.reasons(conn, {r.reason for r in fresh}, {r.reason: r.reason_name for r in fresh
                                                              if r.reason_name})
    agents = dims.agents(conn, {a for r in fresh for a in [r.agent, *(c.agent for c in r.contacts)] if a},
                         {r.agent: r.team for r in fresh if r.agent and r.team})
    rows = []
    for r in fresh:
        ch = channels[r.channel]
        cid = customers[r.customer_ref]
        sla = policies.outcome(channel=ch, tier=dims.tiers.get(cid), priority=r.priority, opened_at=r.opened_at,
                               first_response_at=r.first_response_at, resolved_at=r.resolved_at,
                               status_changes=r.status_changes, as_of=as_of)
        agent = agents.get(r.agent) if r.agent else None
        team = dims.team(conn, r.team) if r.team else (agent.team_id if agent else None)
        rows.append({
            "external_ref": r.ref, "customer_id": cid, "reason_id": reasons[r.reason], "channel_id": ch.id,
            "team_id": team, "assigned_agent_id": agent.id if agent else None, "sla_policy_id": sla.policy_id,
            "subject": (r.subject or "")[:300], "priority": r.priority, "status": r.status[:32],
            "status_category": r.status_category, "tags": r.tags, "is_complaint": r.is_complaint,
            "complaint_severity": None, "complained_at": r.opened_at if r.is_complaint else None,
            "opened_at": r.opened_at, "first_response_at": r.first_response_at,
            "resolved_at": r.resolved_at, "closed_at": r.closed_at, "reopen_count": r.reopen_count,
            "first_response_due_at": sla.first_response_due_at, "resolution_due_at": sla.resolution_due_at,
            "first_response_met": sla.first_response_met if r.first_response_met is None
            else r.first_response_met,
            "resolution_met": sla.resolution_met if r.resolution_met is None
            else r.resolution_met, "version": 1, "source": source})
    ids = dict(conn.execute(insert(t).returning(t.c.external_ref, t.c.id), rows).all())
    contacts = []
    for r in fresh:
        for c in r.contacts:
            ch = channels[c.channel or r.channel]
            agent = agents.get(c.agent) if c.agent else None
            contacts.append(contact_row(c, ids[r.ref], customers[r.customer_ref], ch,
                                        reasons[r.reason], agent, source))
    if contacts:
        bulk_insert(conn, Contact.__table__, _CONTACT_COLS, contacts)
    write_status_changes(conn, [(ids[r.ref], r.status_changes) for r in fresh if r.status_changes])
    attach_surveys(conn, surveys, source)
    return len(fresh), len(contacts), len(records) - len(fresh)


_CHANGE_COLS = ("case_id", "at", "from_status", "to_status", "to_category", "user_id")


def write_status_changes(conn: Connection, histories: list[tuple[int, list[tuple[dt.datetime, str]]]],
                         after: dict[int, dt.datetime] | None = None) -> int:
    """Store status histories in ``case_status_changes`` (the helpdesk's SLA clock reads its pauses there).

    ``after`` gives, per case, the last change already stored: only later changes are written.
    """
    rows = []
    for case_id, changes in histories:
        previous = None
        for at, status in changes:
            if after is None or case_id not in after or at > after[case_id]:
                rows.append((case_id, at, previous, status[:32], status_category(status, False), None))
            previous = status[:32]
    if rows:
        bulk_insert(conn, CaseStatusChange.__table__, _CHANGE_COLS, rows)
    return len(rows)


def contact_row(c: ContactRecord, case_id: int | None, customer_id: int, ch: ChannelInfo, reason_id: int,
                agent, source: str) -> tuple:
    """A contacts row with its wait, handle time and cost derived like native contacts."""
    start = c.answered_at or c.ended_at or c.arrived_at
    wait = max((start - (c.queued_at or c.arrived_at)).total_seconds(), 0.0) if c.answered_at or c.abandoned \
        else 0.0
    handle = c.handle_seconds
    if handle is None:
        handle = max((c.ended_at - c.answered_at).total_seconds(), 0.0) if c.answered_at and c.ended_at else 0.0
    ended = c.ended_at or ((c.answered_at or c.arrived_at) + dt.timedelta(seconds=handle))
    cost = contact_cost(handle, agent.hourly_cost if agent else 0.0, ch)
    return (c.ref, case_id, customer_id, ch.id, reason_id, agent.id if agent else None,
            agent.team_id if agent else None, c.direction, c.kind, c.arrived_at, c.queued_at,
            None if c.abandoned else c.answered_at, ended, wait, float(handle), c.abandoned, c.transferred,
            c.outcome, round(cost, 6), source)

"""Case rules: who sees what, creation with routing, optimistic-locked updates, the status lifecycle.

Services flush only; the request or job commits. Every change is audited and bumps ``version``;
a stale ``version`` is a 409. Cases outside the caller's teams are reported as not found (404),
so their existence does not leak.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from equipoise.core.audit.service import record, snapshot
from equipoise.core.auth.schemas import Principal
from equipoise.core.cases import reference, repository
from equipoise.core.cases.events import ResolutionSurvey, announce
from equipoise.core.cases.routing import Candidate, Routing, choose_agent, contenders
from equipoise.core.cases.schemas import (
    PAUSED_STATUSES,
    RESOLVED_STATUSES,
    STATUSES,
    CaseCreate,
    CaseUpdate,
)
from equipoise.core.sla import service as sla_service
from equipoise.core.sla.clock import SlaState, pause_intervals, sla_state
from equipoise.core.sla.policy import match_policy
from equipoise.kit.errors import AppError, Conflict, InvalidInput, NotFound
from equipoise.models.case_extras import CaseStatusChange
from equipoise.models.cases import Case


class Forbidden(AppError):
    status_code = 403


def visible(session: Session, case_id: int, principal: Principal) -> Case:
    """The case if the caller may see it; NotFound otherwise."""
    case = repository.get(session, case_id)
    if case is None or not principal.can_see_team(case.team_id):
        raise NotFound(f"no case with id {case_id}")
    return case


def lock(session: Session, case: Case, version: int) -> None:
    """Claim the next version of ``case``: 409 when someone else changed it since ``version`` was read."""
    if case.version != version or not repository.bump_version(session, case.id, version):
        raise Conflict(f"case {case.id} was changed by someone else (you had version {version}); reload and retry",
                       field="version")
    case.version = version + 1


def refresh_sla(session: Session, case: Case, now: dt.datetime) -> SlaState | None:
    """Recompute the SLA outcome stored on the case."""
    return sla_service.store_outcome(session, case, now=now, paused=PAUSED_STATUSES, resolved=RESOLVED_STATUSES)


def _check_team(session: Session, principal: Principal, team_id: int) -> None:
    if not repository.team_exists(session, team_id):
        raise InvalidInput(f"no team with id {team_id}", field="team_id")
    if not principal.can_see_team(team_id):
        raise Forbidden(f"team {team_id} is not one of your teams")


def _agent_team(session: Session, principal: Principal, agent_id: int) -> int:
    agent = repository.agent(session, agent_id)
    if agent is None or agent.left_on is not None:
        raise InvalidInput(f"no active agent with id {agent_id}", field="assigned_agent_id")
    if not principal.can_see_team(agent.team_id):
        raise Forbidden(f"agent {agent_id} is not in one of your teams")
    return agent.team_id


def route(session: Session, *, reason_id: int, channel_id: int, customer_id: int, principal: Principal,
          team_id: int | None = None) -> Routing:
    """Pick an agent by skills and customer tier within the team given, else the caller's reach."""
    facts = repository.creation_facts(session, customer_id=customer_id, reason_id=reason_id, channel_id=channel_id)
    return _route(session, facts, principal=principal, team_id=team_id)


def _route(session: Session, facts: repository.CreationFacts, *, principal: Principal,
           team_id: int | None) -> Routing:
    teams = [team_id] if team_id is not None else (None if principal.sees_all_teams else principal.team_ids)
    agents = repository.active_agents(session, teams)
    skills = {a.id: frozenset(a.skills or []) for a in agents}
    case = {"reason_code": facts.reason_code or "", "channel_code": facts.channel_code or "",
            "tier": facts.customer_tier or ""}
    # Only the load of the agents tied on the best skill fit can decide; the others' is not counted.
    load = repository.open_case_counts(session, contenders(skills, **case))
    candidates = [Candidate(agent_id=a.id, team_id=a.team_id, skills=skills[a.id], open_cases=load.get(a.id, 0),
                            hourly_cost=a.hourly_cost) for a in agents]
    return choose_agent(candidates, team_ids=teams, **case)


def initial_sla(session: Session, case: Case, *, tier: str) -> None:
    """Store the SLA outcome of a case about to be inserted (status ``new`` since ``case.opened_at``).

    The same result as ``refresh_sla`` right after creation, without reading back the status
    history just written or updating the row just inserted; policies come from the process cache."""
    policy = match_policy(reference.sla_policies(session), channel_id=case.channel_id, tier=tier,
                          priority=case.priority)
    if policy is None:
        case.sla_policy_id = None
        case.first_response_due_at = case.resolution_due_at = None
        case.first_response_met = case.resolution_met = None
        return
    stopping = sla_service.stopping_statuses(policy, PAUSED_STATUSES, RESOLVED_STATUSES)
    state = sla_state(calendar=sla_service.calendar_for(session, policy), opened_at=case.opened_at,
                      now=case.opened_at, first_response_seconds=policy.first_response_seconds,
                      resolution_seconds=policy.resolution_seconds, first_response_at=None, resolved_at=None,
                      pauses=pause_intervals([(case.opened_at, "new")], stopping))
    case.sla_policy_id = policy.id
    case.first_response_due_at = state.first_response.due_at
    case.resolution_due_at = state.resolution.due_at
    case.first_response_met = state.first_response.met
    case.resolution_met = state.resolution.met


def _set_status(session: Session, case: Case, status: str, principal: Principal | None, now: dt.datetime,
                *, initial: bool = False) -> None:
    previous = None if initial else case.status
    category = STATUSES[status]
    if previous is not None and STATUSES.get(previous) == "resolved" and category != "resolved":
        case.reopen_count += 1
        case.resolved_at = case.closed_at = None
    if category == "resolved" and case.resolved_at is None:
        case.resolved_at = now
    if status == "closed" and case.closed_at is None:
        case.closed_at = now
    case.status, case.status_category = status, category
    repository.add_status_change(session, CaseStatusChange(case_id=case.id, at=now, from_status=previous,
                                                           to_status=status, to_category=category,
                                                           user_id=getattr(principal, "user_id", None)))


def create(session: Session, data: CaseCreate, *, principal: Principal, now: dt.datetime) -> Case:
    """Open a case from any channel, route it if no agent is given, attach contacts, start the SLA clock."""
    # The customer's tier and the reason and channel codes in one round trip; routing and the SLA use them.
    facts = repository.creation_facts(session, customer_id=data.customer_id, reason_id=data.reason_id,
                                      channel_id=data.channel_id)
    for name, found in (("customer_id", facts.customer_tier), ("reason_id", facts.reason_code),
                        ("channel_id", facts.channel_code)):
        if found is None:
            raise InvalidInput(f"no {name.removesuffix('_id')} with id {getattr(data, name)}", field=name)
    if data.external_ref and repository.get_by_external_ref(session, data.external_ref) is not None:
        raise Conflict(f"a case with external_ref {data.external_ref!r} already exists", field="external_ref")
    team_id, agent_id = data.team_id, data.assigned_agent_id
    if team_id is not None:
        _check_team(session, principal, team_id)
    if agent_id is not None:
        agent_team = _agent_team(session, principal, agent_id)
        if team_id is not None and agent_team != team_id:
            raise InvalidInput(f"agent {agent_id} is not in team {team_id}", field="assigned_agent_id")
        team_id = agent_team
    else:
        routed = _route(session, facts, principal=principal, team_id=team_id)
        agent_id, team_id = routed.agent_id, team_id or routed.team_id
    if team_id is None and not principal.sees_all_teams:
        if len(principal.team_ids) != 1:
            raise InvalidInput("choose a team_id: no agent could be routed to", field="team_id")
        team_id = next(iter(principal.team_ids))
    case = Case(customer_id=data.customer_id, reason_id=data.reason_id, channel_id=data.channel_id,
                team_id=team_id, assigned_agent_id=agent_id, subject=data.subject, priority=data.priority,
                tags=sorted(set(data.tags)), external_ref=data.external_ref, opened_at=now, version=1,
                status="new", status_category="open", reopen_count=0, is_complaint=False, source="native")
    initial_sla(session, case, tier=facts.customer_tier)
    session.add(case)
    session.flush()
    _set_status(session, case, "new", principal, now, initial=True)
    for contact_id in data.contact_ids:
        _attach(session, case, contact_id)
    record(session, principal, "case.create", "case", case.id, None, snapshot(case), at=now, flush=False)
    announce(session, case, "case.created", now, previous_status=None)
    return case


def _attach(session: Session, case: Case, contact_id: int) -> None:
    contact = repository.contact(session, contact_id)
    if contact is None:
        raise InvalidInput(f"no contact with id {contact_id}", field="contact_ids")
    if contact.customer_id != case.customer_id:
        raise InvalidInput(f"contact {contact_id} belongs to another customer", field="contact_ids")
    if contact.case_id is not None and contact.case_id != case.id:
        raise Conflict(f"contact {contact_id} is already attached to case {contact.case_id}", field="contact_ids")
    contact.case_id = case.id


def update(session: Session, case_id: int, data: CaseUpdate, *, principal: Principal, now: dt.datetime,
           survey: ResolutionSurvey | None = None) -> Case:
    """Apply the fields that were sent (subject, priority, tags, status, team, agent) at ``data.version``;
    a resolution sends the ``survey`` to the customer when their address is known."""
    case = visible(session, case_id, principal)
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    if case.status == "merged":
        raise Conflict(f"case {case_id} was merged into case {repository.merged_into(session, case_id)}")
    if case.status == "closed" and changes.get("status", "closed") != "closed":
        raise Conflict("a closed case must be reopened before it changes", field="status")
    before, previous_status = snapshot(case), case.status
    lock(session, case, data.version)
    for key in ("subject", "priority"):
        if changes.get(key) is not None:
            setattr(case, key, changes[key])
    if changes.get("tags") is not None:
        case.tags = sorted(set(changes["tags"]))
    if changes.get("team_id") is not None and changes["team_id"] != case.team_id:
        if principal.role == "agent":
            raise Forbidden("agents cannot move cases between teams; ask a lead")
        _check_team(session, principal, changes["team_id"])
        case.team_id = changes["team_id"]
        if case.assigned_agent_id is not None and "assigned_agent_id" not in changes:
            case.assigned_agent_id = None  # the old agent is in another team now
    if "assigned_agent_id" in changes:
        _assign(session, case, changes["assigned_agent_id"], principal)
    if changes.get("status") is not None and changes["status"] != case.status:
        _set_status(session, case, changes["status"], principal, now)
    refresh_sla(session, case, now)
    session.flush()
    record(session, principal, "case.update", "case", case.id, before, snapshot(case), at=now, flush=False)
    announce(session, case, "case.updated", now, previous_status=previous_status, survey=survey)
    return case


def _assign(session: Session, case: Case, agent_id: int | None, principal: Principal) -> None:
    if agent_id is None:
        case.assigned_agent_id = None
        return
    team = _agent_team(session, principal, agent_id)
    case.assigned_agent_id, case.team_id = agent_id, team


def assign(session: Session, case_id: int, agent_id: int | None, version: int, *, principal: Principal,
           now: dt.datetime) -> tuple[Case, Routing | None]:
    """Assign to ``agent_id``, or route by skills and tier when it is None."""
    case = visible(session, case_id, principal)
    if case.status_category == "resolved":
        raise Conflict(f"case {case_id} is {case.status}; reopen it first", field="status")
    before, previous_status = snapshot(case), case.status
    routed = None
    if agent_id is None:
        routed = route(session, reason_id=case.reason_id, channel_id=case.channel_id, customer_id=case.customer_id,
                       principal=principal)
        if routed.agent_id is None:
            raise Conflict("no agent in reach to route this case to", field="agent_id")
        agent_id = routed.agent_id
    _agent_team(session, principal, agent_id)
    lock(session, case, version)
    _assign(session, case, agent_id, principal)
    if case.status == "new":
        _set_status(session, case, "open", principal, now)
        refresh_sla(session, case, now)
    session.flush()
    record(session, principal, "case.assign", "case", case.id, before, snapshot(case), at=now, flush=False)
    announce(session, case, "case.assigned", now, previous_status=previous_status)
    return case, routed


def list_page(session: Session, *, principal: Principal, filters: dict, before_id: int | None,
              limit: int) -> tuple[list[Case], int | None]:
    """Newest visible cases first; returns the page and the ``before_id`` of the next one."""
    teams = None if principal.sees_all_teams else principal.team_ids
    if teams is not None and not teams:
        return [], None
    rows = repository.page(session, team_ids=teams, filters=filters, before_id=before_id, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)

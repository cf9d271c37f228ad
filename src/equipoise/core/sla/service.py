"""Apply the SLA engine to a case: match its policy, read its pauses, store the outcome on the case."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Collection

from sqlalchemy import event
from sqlalchemy.orm import Session

from equipoise.core.sla import repository
from equipoise.core.sla.calendar import Calendar
from equipoise.core.sla.clock import SlaState, pause_intervals, sla_state
from equipoise.core.sla.policy import match_policy
from equipoise.kit.errors import ConfigurationError
from equipoise.models.cases import Case
from equipoise.models.customers import Customer
from equipoise.models.sla import BusinessCalendar, Holiday, SlaPolicy

#: How long a process reuses a business calendar it read; changes made in this process are seen at
#: once (see ``_forget_changed_calendars``), changes made by other processes within this delay.
CALENDAR_TTL_SECONDS = 60.0
_calendars: dict[tuple[str, int], tuple[float, Calendar]] = {}
_calendars_lock = threading.Lock()


def clear_calendar_cache() -> None:
    """Forget every cached business calendar (the next SLA computation reads them again)."""
    with _calendars_lock:
        _calendars.clear()


@event.listens_for(Session, "after_flush")
def _forget_changed_calendars(session: Session, _context: object) -> None:
    """A calendar or holiday written through the ORM in this process invalidates the cache."""
    for objects in (session.new, session.dirty, session.deleted):
        if any(isinstance(o, BusinessCalendar | Holiday) for o in objects):
            clear_calendar_cache()
            return


def calendar_for(session: Session, policy: SlaPolicy) -> Calendar:
    """The pure calendar of ``policy`` (24 x 7 when the policy has none), cached per process and database."""
    if policy.calendar_id is None:
        return Calendar.always_open()
    key = (session.get_bind().engine.url.render_as_string(hide_password=True), policy.calendar_id)
    now = time.monotonic()
    cached = _calendars.get(key)
    if cached is not None and now - cached[0] < CALENDAR_TTL_SECONDS:
        return cached[1]
    calendar = _read_calendar(session, policy)
    with _calendars_lock:
        _calendars[key] = (now, calendar)
    return calendar


def _read_calendar(session: Session, policy: SlaPolicy) -> Calendar:
    found = repository.calendar_with_holidays(session, policy.calendar_id)
    if found is None:
        raise ConfigurationError(f"SLA policy {policy.id} points to missing calendar {policy.calendar_id}")
    cal, days = found
    try:
        return Calendar.from_mapping(cal.working_hours or {}, days)
    except ValueError as exc:
        raise ConfigurationError(f"business calendar {cal.code!r}: {exc}") from exc


def policy_for(session: Session, case: Case) -> SlaPolicy | None:
    """The case's policy: the one already chosen, else the most specific match."""
    if case.sla_policy_id is not None:
        return repository.get_policy(session, case.sla_policy_id)
    customer = session.get(Customer, case.customer_id)
    tier = customer.tier if customer is not None else ""
    return match_policy(repository.policies(session), channel_id=case.channel_id, tier=tier,
                        priority=case.priority)


def stopping_statuses(policy: SlaPolicy, paused: Collection[str], resolved: Collection[str]) -> set[str]:
    """Statuses in which the clock stops: the policy's pause list (default: every paused status) and resolved ones."""
    return set(policy.pause_statuses or paused) | set(resolved)


def evaluate(session: Session, case: Case, *, now: dt.datetime, paused: Collection[str],
             resolved: Collection[str]) -> tuple[SlaPolicy, SlaState] | None:
    """The case's SLA state at ``now`` (None when no policy applies)."""
    policy = policy_for(session, case)
    if policy is None:
        return None
    history = repository.status_history(session, case.id)
    pauses = pause_intervals(history, stopping_statuses(policy, paused, resolved))
    if case.resolved_at is not None:  # measure resolution up to resolution, not through the resolved state
        pauses = [(a, b) for a, b in pauses if a < case.resolved_at]
        pauses = [(a, case.resolved_at if b is None or b > case.resolved_at else b) for a, b in pauses]
    state = sla_state(calendar=calendar_for(session, policy), opened_at=case.opened_at, now=now,
                      first_response_seconds=policy.first_response_seconds,
                      resolution_seconds=policy.resolution_seconds,
                      first_response_at=case.first_response_at, resolved_at=case.resolved_at, pauses=pauses)
    return policy, state


def store_outcome(session: Session, case: Case, *, now: dt.datetime, paused: Collection[str],
                  resolved: Collection[str]) -> SlaState | None:
    """Recompute and store the policy, due times and met flags on the case; returns the state."""
    result = evaluate(session, case, now=now, paused=paused, resolved=resolved)
    if result is None:
        case.sla_policy_id = None
        case.first_response_due_at = case.resolution_due_at = None
        case.first_response_met = case.resolution_met = None
        return None
    policy, state = result
    case.sla_policy_id = policy.id
    case.first_response_due_at = state.first_response.due_at
    case.resolution_due_at = state.resolution.due_at
    case.first_response_met = state.first_response.met
    case.resolution_met = state.resolution.met
    return state

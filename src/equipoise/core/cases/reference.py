"""SLA policies as plain values, cached per process and database for case creation.

Opening a case matches its SLA policy; reading every policy on every creation is a round trip
the busiest endpoint does not need. Policies change rarely: a process reuses what it read for
``POLICY_TTL_SECONDS``. A policy written through the ORM in this process is seen at once (the
cache is forgotten after such a flush); one written by another process within that delay, as
with the business calendars of the SLA service.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import event
from sqlalchemy.orm import Session

from equipoise.core.sla import repository as sla_repository
from equipoise.core.sla.policy import PolicyTerms
from equipoise.models.sla import SlaPolicy

POLICY_TTL_SECONDS = 60.0


_policies: dict[str, tuple[float, tuple[PolicyTerms, ...]]] = {}
_lock = threading.Lock()


def clear_policy_cache() -> None:
    """Forget the cached policies of every database."""
    with _lock:
        _policies.clear()


@event.listens_for(Session, "after_flush")
def _forget_changed_policies(session: Session, _context: object) -> None:
    """Forget the cache when a policy is flushed, and again at its commit (a concurrent reader in
    this process may have cached the old rows in between)."""
    for objects in (session.new, session.dirty, session.deleted):
        if any(isinstance(o, SlaPolicy) for o in objects):
            clear_policy_cache()
            session.info["sla_policies_changed"] = True
            return


@event.listens_for(Session, "after_commit")
def _forget_committed_policies(session: Session) -> None:
    if session.info.pop("sla_policies_changed", False):
        clear_policy_cache()


@event.listens_for(Session, "after_rollback")
def _drop_flag(session: Session) -> None:
    session.info.pop("sla_policies_changed", None)


def sla_policies(session: Session) -> tuple[PolicyTerms, ...]:
    """Every SLA policy of the session's database, ordered by id."""
    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    now = time.monotonic()
    cached = _policies.get(key)
    if cached is not None and now - cached[0] < POLICY_TTL_SECONDS:
        return cached[1]
    policies = tuple(PolicyTerms(id=p.id, channel_id=p.channel_id, tier=p.tier, priority=p.priority,
                               calendar_id=p.calendar_id, first_response_seconds=p.first_response_seconds,
                               resolution_seconds=p.resolution_seconds,
                               pause_statuses=tuple(p.pause_statuses or ()))
                     for p in sla_repository.policies(session))
    with _lock:
        _policies[key] = (now, policies)
    return policies

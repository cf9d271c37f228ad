"""SLA outcomes of imported cases on business time, with the helpdesk's own pure SLA engine.

The policies, their business calendars (working hours and holidays) and pause statuses are read
once per import; each case is matched to its most specific policy (channel x tier x priority,
:func:`equipoise.core.sla.policy.match_policy`) and measured with
:func:`equipoise.core.sla.clock.sla_state`, so an imported case gets the due times and met flags a
case created in the helpdesk would get. When no policy matches, built-in targets apply on a 24 x 7
calendar (the demo company's: first response by channel, resolution by priority).

An import is a snapshot at ``as_of``: a target still running then is ``met = None``, unless it is
already breached — a breached target can never be met, so it is stored as ``False``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from equipoise.core.sla.calendar import Calendar, Pause, add_business_seconds, running_windows
from equipoise.core.sla.clock import pause_intervals, target_state
from equipoise.core.sla.policy import PolicyTerms, match_policy
from equipoise.ingest.dims import ChannelInfo
from equipoise.models import SlaPolicy
from equipoise.models.sla import BusinessCalendar, Holiday

HOUR, DAY = 3600.0, 86_400.0
#: Built-in targets when no SLA policy matches: first response by channel, resolution by priority.
FIRST_RESPONSE_SECONDS = {"phone": HOUR, "chat": HOUR, "ivr": HOUR, "self_service": 4 * HOUR,
                          "email": DAY, "social": 4 * HOUR, "field": 2 * DAY}
RESOLUTION_SECONDS = {"urgent": 2 * DAY, "high": 2 * DAY, "normal": 3 * DAY, "low": 5 * DAY}
RESOLVED_STATUSES = frozenset({"solved", "resolved", "closed", "closed_unresolved", "done", "completed"})
PAUSED_STATUSES = frozenset({"pending", "hold", "on_hold", "paused", "waiting", "waiting_on_customer",
                             "waiting_on_third_party"})


@dataclass(frozen=True)
class SlaOutcome:
    """What is stored on the case."""

    policy_id: int | None
    first_response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    first_response_met: bool | None
    resolution_met: bool | None


class SlaPolicies:
    """The database's SLA policies with their business calendars, read once per import."""

    def __init__(self, conn: Connection | None = None) -> None:
        self.policies: list[PolicyTerms] = []
        self.calendars: dict[int, Calendar] = {}
        if conn is not None:
            self._read(conn)

    @classmethod
    def of(cls, policies: Sequence[PolicyTerms], calendars: dict[int, Calendar]) -> SlaPolicies:
        """Policies and calendars given directly (no database)."""
        out = cls()
        out.policies, out.calendars = list(policies), dict(calendars)
        return out

    def _read(self, conn: Connection) -> None:
        t = SlaPolicy.__table__
        self.policies = [
            PolicyTerms(int(r.id), r.channel_id, r.tier, r.priority, r.calendar_id, float(r.first_response_seconds),
                        float(r.resolution_seconds), tuple(r.pause_statuses or ()))
            for r in conn.execute(select(t.c.id, t.c.channel_id, t.c.tier, t.c.priority, t.c.calendar_id,
                                         t.c.first_response_seconds, t.c.resolution_seconds,
                                         t.c.pause_statuses).order_by(t.c.id))]
        ids = sorted({p.calendar_id for p in self.policies if p.calendar_id is not None})
        if ids:
            c, h = BusinessCalendar.__table__, Holiday.__table__
            days: dict[int, list[dt.date]] = {}
            for cid, day in conn.execute(select(h.c.calendar_id, h.c.day).where(h.c.calendar_id.in_(ids))):
                days.setdefault(int(cid), []).append(day)
            for cid, hours in conn.execute(select(c.c.id, c.c.working_hours).where(c.c.id.in_(ids))):
                self.calendars[int(cid)] = Calendar.from_mapping(hours or {}, days.get(int(cid), ()))

    def match(self, channel: ChannelInfo, tier: str | None, priority: str) -> PolicyTerms | None:
        """The most specific policy for (channel, tier, priority), as the helpdesk picks it."""
        return match_policy(self.policies, channel_id=channel.id, tier=tier or "", priority=priority)

    def outcome(self, *, channel: ChannelInfo, tier: str | None, priority: str, opened_at: dt.datetime,
                first_response_at: dt.datetime | None, resolved_at: dt.datetime | None,
                status_changes: Sequence[tuple[dt.datetime, str]], as_of: dt.datetime) -> SlaOutcome:
        """Due times and met flags of one case, measured in business time at ``as_of``."""
        policy = self.match(channel, tier, priority)
        if policy is None:
            calendar, stopping = Calendar.always_open(), PAUSED_STATUSES | RESOLVED_STATUSES
            fr_s = FIRST_RESPONSE_SECONDS.get(channel.code, DAY)
            res_s = RESOLUTION_SECONDS.get(priority, 3 * DAY)
        else:
            calendar = self.calendars.get(policy.calendar_id) if policy.calendar_id is not None \
                else Calendar.always_open()
            if calendar is None:
                raise ValueError(f"SLA policy {policy.id} points to missing calendar {policy.calendar_id}")
            stopping = set(policy.pause_statuses or PAUSED_STATUSES) | RESOLVED_STATUSES
            fr_s, res_s = policy.first_response_seconds, policy.resolution_seconds
        pauses = pause_intervals(status_changes, stopping)
        if resolved_at is not None:  # resolution is measured up to resolution, as the helpdesk does
            pauses = [(a, resolved_at if b is None or b > resolved_at else b) for a, b in pauses
                      if a < resolved_at]
        fr_due, fr_met = _target(calendar, opened_at, fr_s, first_response_at, pauses, as_of)
        res_due, res_met = _target(calendar, opened_at, res_s, resolved_at, pauses, as_of)
        return SlaOutcome(None if policy is None else policy.id, fr_due, res_due, fr_met, res_met)


def _target(calendar: Calendar, opened_at: dt.datetime, seconds: float, done_at: dt.datetime | None,
            pauses: Sequence[Pause], as_of: dt.datetime) -> tuple[dt.datetime | None, bool | None]:
    """(due time, met) of one target, as :func:`~equipoise.core.sla.clock.target_state` decides them.

    A finished target is measured by the engine itself. For one still running, the engine would
    count every business second from opening to ``as_of`` — years, for an old case imported today —
    so it is judged from the due time instead: breached once the clock has run past it, i.e. once
    ``as_of`` is beyond the start of the first running stretch after the due time.
    """
    if done_at is not None:
        state = target_state(calendar=calendar, opened_at=opened_at, now=max(as_of, opened_at),
                             target_seconds=seconds, done_at=done_at, pauses=pauses)
        return state.due_at, state.met
    due = add_business_seconds(calendar, opened_at, seconds, pauses)
    if due is None or as_of <= due:
        return due, None
    for start, _end in running_windows(calendar, due, pauses):
        return due, (False if as_of > start else None)
    return due, None

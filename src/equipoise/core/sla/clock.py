"""Where a case stands against its SLA targets at a given instant. Pure: the clock is an argument."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from equipoise.core.sla.calendar import Calendar, Pause, add_business_seconds, business_seconds

#: Warn once this share of a target's business time has been used.
DEFAULT_WARN_AT = 0.8


@dataclass(frozen=True)
class TargetState:
    """One target (first response or resolution) of one case at one instant."""

    target_seconds: float
    #: Business seconds used so far (until the target was met, or until now).
    elapsed_seconds: float
    remaining_seconds: float
    #: When the target falls due; None while the clock is paused with no end in sight.
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    #: True/False once done; None while still running.
    met: bool | None
    breached: bool
    #: Running, not yet breached, and past the warning share of its time.
    warning: bool
    paused: bool


@dataclass(frozen=True)
class SlaState:
    first_response: TargetState
    resolution: TargetState

    @property
    def breached(self) -> bool:
        return self.first_response.breached or self.resolution.breached

    @property
    def warning(self) -> bool:
        return self.first_response.warning or self.resolution.warning


def pause_intervals(changes: Iterable[tuple[dt.datetime, str]], pause_statuses: Collection[str]) -> list[Pause]:
    """Pauses from a status history ``[(at, new_status), ...]``: a pausing status opens one, any other closes it."""
    pauses: list[Pause] = []
    open_since: dt.datetime | None = None
    for at, status in sorted(changes, key=lambda c: c[0]):
        if status in pause_statuses:
            if open_since is None:
                open_since = at
        elif open_since is not None:
            pauses.append((open_since, at))
            open_since = None
    if open_since is not None:
        pauses.append((open_since, None))
    return pauses


def target_state(*, calendar: Calendar, opened_at: dt.datetime, now: dt.datetime, target_seconds: float,
                 done_at: dt.datetime | None, pauses: Sequence[Pause] = (),
                 warn_at: float = DEFAULT_WARN_AT) -> TargetState:
    """The state of one target: elapsed and remaining business time, due time, met/breached/warning."""
    if target_seconds < 0:
        raise ValueError(f"target_seconds must be >= 0, got {target_seconds}")
    if not 0 < warn_at <= 1:
        raise ValueError(f"warn_at must be in (0, 1], got {warn_at}")
    end = done_at if done_at is not None else now
    # Pauses only count up to the end of the measurement; a pause still open at ``end`` stops there.
    clipped = [(a, end if b is None or b > end else b) for a, b in pauses if a < end]
    elapsed = business_seconds(calendar, opened_at, end, clipped)
    still_paused = done_at is None and any(b is None and a <= now for a, b in pauses)
    due = add_business_seconds(calendar, opened_at, target_seconds,
                               pauses if done_at is None else clipped)
    met = None if done_at is None else elapsed <= target_seconds
    breached = elapsed > target_seconds if done_at is None else not met
    warning = done_at is None and not breached and elapsed >= warn_at * target_seconds
    return TargetState(target_seconds=float(target_seconds), elapsed_seconds=elapsed,
                       remaining_seconds=max(0.0, target_seconds - elapsed), due_at=due, done_at=done_at,
                       met=met, breached=bool(breached), warning=bool(warning), paused=still_paused)


def sla_state(*, calendar: Calendar, opened_at: dt.datetime, now: dt.datetime, first_response_seconds: float,
              resolution_seconds: float, first_response_at: dt.datetime | None, resolved_at: dt.datetime | None,
              pauses: Sequence[Pause] = (), warn_at: float = DEFAULT_WARN_AT) -> SlaState:
    """Both targets of a case at ``now``; the clock stops during ``pauses`` for both of them."""
    common = {"calendar": calendar, "opened_at": opened_at, "now": now, "pauses": pauses, "warn_at": warn_at}
    return SlaState(
        first_response=target_state(target_seconds=first_response_seconds, done_at=first_response_at, **common),
        resolution=target_state(target_seconds=resolution_seconds, done_at=resolved_at, **common),
    )

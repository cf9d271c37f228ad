"""Pick the SLA policy of a case: the most specific (channel, tier, priority) match. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar


class PolicyLike(Protocol):
    id: int
    channel_id: int | None
    tier: str | None
    priority: str | None


P = TypeVar("P", bound=PolicyLike)


@dataclass(frozen=True)
class PolicyTerms:
    """The terms of an SLA policy that matching and the clock read (a detached copy of the row)."""

    id: int
    channel_id: int | None
    tier: str | None
    priority: str | None
    calendar_id: int | None
    first_response_seconds: float
    resolution_seconds: float
    pause_statuses: tuple[str, ...]


def specificity(policy: PolicyLike) -> int:
    """How many of channel, tier and priority the policy pins down (0..3)."""
    return sum(v is not None for v in (policy.channel_id, policy.tier, policy.priority))


def match_policy(policies: Iterable[P], *, channel_id: int, tier: str, priority: str) -> P | None:
    """The matching policy pinning the most fields (ties: channel beats tier beats priority, then lowest id)."""
    best: P | None = None
    best_key: tuple[int, int, int, int, int] | None = None
    for p in policies:
        if ((p.channel_id is not None and p.channel_id != channel_id) or (p.tier is not None and p.tier != tier)
                or (p.priority is not None and p.priority != priority)):
            continue
        key = (specificity(p), p.channel_id is not None, p.tier is not None, p.priority is not None, -p.id)
        if best_key is None or key > best_key:
            best, best_key = p, key
    return best

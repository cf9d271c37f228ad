"""Choose an agent for a case by skills and customer tier. Pure: candidates come in as values.

Rules, in order: the agent must be skilled for the contact reason (if anyone in reach is);
premium customers (top, high) go to agents holding the ``tier:<tier>`` skill, and other tiers
are kept away from premium-tier agents so the scarce, costly skill serves the customers worth
it; a channel skill breaks ties; then the least loaded agent (open cases), then the cheaper one,
then the lowest id so the choice is reproducible.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

PREMIUM_TIERS = frozenset({"top", "high"})


@dataclass(frozen=True)
class Candidate:
    agent_id: int
    team_id: int
    skills: frozenset[str]
    open_cases: int
    hourly_cost: float


@dataclass(frozen=True)
class Routing:
    """The chosen agent (None if nobody is in reach) and why."""

    agent_id: int | None
    team_id: int | None
    reasons: tuple[str, ...]


def _is_premium_agent(skills: frozenset[str]) -> bool:
    return any(s.startswith("tier:") for s in skills)


def _fit(skills: frozenset[str], *, reason_code: str, channel_code: str, tier: str) -> tuple[bool, bool, bool]:
    """How well an agent's skills fit the case, compared before the load: reason, tier, channel."""
    tier_fit = f"tier:{tier}" in skills if tier in PREMIUM_TIERS else not _is_premium_agent(skills)
    return reason_code in skills, tier_fit, channel_code in skills


def contenders(skills_by_agent: Mapping[int, frozenset[str]], *, reason_code: str, channel_code: str,
               tier: str) -> list[int]:
    """The agents whose load can decide the choice: those tied on the best skill fit.

    ``choose_agent`` only compares open cases among these, so the caller needs to count the open
    cases of these agents only (any count for the others gives the same choice)."""
    fits = {agent_id: _fit(skills, reason_code=reason_code, channel_code=channel_code, tier=tier)
            for agent_id, skills in skills_by_agent.items()}
    if not fits:
        return []
    best = max(fits.values())
    return sorted(agent_id for agent_id, fit in fits.items() if fit == best)


def choose_agent(candidates: Sequence[Candidate], *, reason_code: str, channel_code: str, tier: str,
                 team_ids: Collection[int] | None = None) -> Routing:
    """The best candidate for a case with ``reason_code`` on ``channel_code`` from a ``tier`` customer.

    ``team_ids`` limits the choice to those teams (None: every team).
    """
    pool = [c for c in candidates if team_ids is None or c.team_id in team_ids]
    if not pool:
        return Routing(None, None, ("no agent in reach",))
    premium = tier in PREMIUM_TIERS
    tier_skill = f"tier:{tier}"

    def key(c: Candidate) -> tuple:
        return (*_fit(c.skills, reason_code=reason_code, channel_code=channel_code, tier=tier), -c.open_cases,
                -c.hourly_cost, -c.agent_id)

    best = max(pool, key=key)
    reasons = []
    reasons.append(f"skilled for {reason_code}" if reason_code in best.skills else f"nobody skilled for {reason_code}")
    if premium:
        reasons.append(f"holds {tier_skill}" if tier_skill in best.skills else f"nobody holds {tier_skill}")
    elif not _is_premium_agent(best.skills):
        reasons.append("premium-tier agents kept free")
    reasons.append(f"{best.open_cases} open case(s)")
    return Routing(best.agent_id, best.team_id, tuple(reasons))

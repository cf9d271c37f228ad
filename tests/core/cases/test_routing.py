"""Routing by skills and customer tier (pure)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise.core.cases.routing import Candidate, choose_agent, contenders


def c(agent_id, team, skills, load=0, cost=30.0):
    return Candidate(agent_id, team, frozenset(skills), load, cost)


POOL = [
    c(1, 10, ["billing", "tier:top"], load=3),
    c(2, 10, ["billing"], load=1),
    c(3, 20, ["tech", "email"], load=0),
    c(4, 20, ["billing", "phone"], load=1, cost=22.0),
]


def test_premium_customers_go_to_tier_skilled_agents_even_when_busier():
    r = choose_agent(POOL, reason_code="billing", channel_code="email", tier="top")
    assert r.agent_id == 1 and r.team_id == 10 and "holds tier:top" in r.reasons


def test_other_tiers_keep_premium_agents_free_and_prefer_skill_then_load_then_cost():
    assert choose_agent(POOL, reason_code="billing", channel_code="email", tier="low").agent_id == 4  # cheaper tie
    assert choose_agent(POOL, reason_code="billing", channel_code="phone", tier="mid").agent_id == 4  # channel skill
    assert choose_agent(POOL, reason_code="tech", channel_code="chat", tier="low").agent_id == 3


def test_team_limit_and_fallbacks():
    assert choose_agent(POOL, reason_code="billing", channel_code="x", tier="low", team_ids={10}).agent_id == 2
    r = choose_agent(POOL, reason_code="refund", channel_code="x", tier="high", team_ids={20})
    assert r.agent_id == 3 and "nobody skilled for refund" in r.reasons  # least loaded as a last resort
    assert choose_agent(POOL, reason_code="billing", channel_code="x", tier="low", team_ids={99}).agent_id is None
    # premium customer, no tier-skilled agent in reach: the skilled agent still gets it
    r = choose_agent(POOL, reason_code="billing", channel_code="x", tier="high", team_ids={20})
    assert r.agent_id == 4 and "nobody holds tier:high" in r.reasons


SKILLS = ("billing", "tech", "phone", "email", "tier:top", "tier:high")


@settings(max_examples=300, deadline=None)
@given(agents=st.lists(st.tuples(st.frozensets(st.sampled_from(SKILLS)), st.integers(0, 5),
                                 st.sampled_from([20.0, 30.0]), st.sampled_from([10, 20])), min_size=1, max_size=8),
       reason=st.sampled_from(["billing", "tech", "refund"]), channel=st.sampled_from(["phone", "email", "chat"]),
       tier=st.sampled_from(["top", "high", "mid", "low", ""]))
def test_counting_only_the_contenders_load_gives_the_same_choice(agents, reason, channel, tier):
    """Routing counts open cases only for the agents tied on the best skill fit: any other count
    (here none at all) must leave the choice and its reasons unchanged."""
    pool = [Candidate(agent_id=i + 1, team_id=team, skills=skills, open_cases=load, hourly_cost=cost)
            for i, (skills, load, cost, team) in enumerate(agents)]
    case = {"reason_code": reason, "channel_code": channel, "tier": tier}
    full = choose_agent(pool, **case)
    counted = set(contenders({c.agent_id: c.skills for c in pool}, **case))
    partial = [Candidate(agent_id=c.agent_id, team_id=c.team_id, skills=c.skills,
                         open_cases=c.open_cases if c.agent_id in counted else 0, hourly_cost=c.hourly_cost)
               for c in pool]
    assert choose_agent(partial, **case) == full
    assert full.agent_id in counted

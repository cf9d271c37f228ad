"""Balance-point MILP on instances small enough to solve by hand."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from equipoise.engine.economics import ChurnCostRates
from equipoise.engine.optimize import (
    ChannelSpec,
    InfeasibleError,
    Policy,
    ProblemInputs,
    ServiceLevelOption,
    TierSpec,
    current_policy,
    evaluate,
    option_from_staffing,
    solve,
)
from equipoise.engine.optimize.synthetic import synthetic_problem


def two_channel(
    *,
    floor: float | None = None,
    per_dissatisfied: float = 0.0,
    fcr=1.0,
    handle=(10.0, 4.0),
    csat=(0.9, 0.7),
    current=(1.0, 0.0),
    chat_capacity: float | None = None,
    **kw,
) -> ProblemInputs:
    """Phone vs chat, one reason, one tier, 1000 issues a year."""
    return ProblemInputs(
        tiers=(TierSpec("t", ChurnCostRates(per_dissatisfied=per_dissatisfied), csat_floor=floor),),
        reasons=("billing",),
        channels=(ChannelSpec("phone"), ChannelSpec("chat", capacity=chat_capacity)),
        volume=[[1000.0]],
        eligible=np.ones((1, 1, 2), bool),
        current_share=[[list(current)]],
        handle_cost=[[list(handle)]],
        fcr=fcr,
        csat_resolved=[[list(csat)]],
        csat_unresolved=0.0,
        **kw,
    )


def test_csat_floor_mixes_channels_by_hand():
    # 0.9 x + 0.7 (1 - x) >= 0.8  ->  x = 0.5; cost 1000 (10 x + 4 (1 - x)) = 7000
    sol = solve(two_channel(floor=0.8))
    np.testing.assert_allclose(sol.policy.share[0, 0], [0.5, 0.5], atol=1e-9)
    assert sol.evaluation.service_cost == pytest.approx(7000.0)
    assert sol.evaluation.csat_by_tier["t"] == pytest.approx(0.8)
    assert sol.evaluation.cost_by_channel == pytest.approx({"phone": 5000.0, "chat": 2000.0})


@pytest.mark.parametrize(("per_dissatisfied", "winner"), [(20.0, 1), (40.0, 0)])
def test_churn_cost_decides_the_channel(per_dissatisfied, winner):
    # per issue: phone 10 + 0.1 r, chat 4 + 0.3 r -> chat below r = 30, phone above
    sol = solve(two_channel(per_dissatisfied=per_dissatisfied))
    assert sol.policy.share[0, 0, winner] == pytest.approx(1.0)
    expected = {0: 10 + 0.1 * per_dissatisfied, 1: 4 + 0.3 * per_dissatisfied}[winner]
    assert sol.evaluation.total_cost == pytest.approx(1000 * expected)
    assert sol.objective_value == pytest.approx(sol.evaluation.total_cost)


def test_repeats_from_fcr_by_hand():
    # phone: 10 / 0.5 = 20 per issue (2 contacts); chat: 15 / 1 = 15 -> chat
    p = two_channel(handle=(10.0, 15.0), fcr=[[[0.5, 1.0]]])
    today = evaluate(p, current_policy(p))
    assert today.service_cost == pytest.approx(20_000.0)
    assert today.contacts_by_channel["phone"] == pytest.approx(2000.0)
    sol = solve(p)
    assert sol.policy.share[0, 0, 1] == pytest.approx(1.0)
    assert sol.evaluation.service_cost == pytest.approx(15_000.0)


def test_self_service_escalation_by_hand():
    chans = (
        ChannelSpec("phone"),
        ChannelSpec("ivr", staffed=False, escalates_to="phone", escalation_csat_penalty=0.1),
    )
    p = ProblemInputs(
        tiers=(TierSpec("t"),),
        reasons=("r",),
        channels=chans,
        volume=[[1000.0]],
        eligible=np.ones((1, 1, 2), bool),
        current_share=[[[0.0, 1.0]]],
        handle_cost=[[[10.0, 1.0]]],
        fcr=1.0,
        csat_resolved=[[[0.9, 0.8]]],
        csat_unresolved=0.0,
        containment=[[[1.0, 0.6]]],
    )
    ev = evaluate(p, current_policy(p))
    # 1 + 0.4 x 10 = 5 per issue; CSAT 0.6 x 0.8 + 0.4 x (0.9 - 0.1) = 0.8
    assert ev.service_cost == pytest.approx(5000.0)
    assert ev.cost_by_channel == pytest.approx({"phone": 4000.0, "ivr": 1000.0})
    assert ev.contacts_by_channel == pytest.approx({"phone": 400.0, "ivr": 1000.0})
    assert ev.csat_overall == pytest.approx(0.8)


def sl_problem(per_dissatisfied: float, fixed: float = 0.0) -> ProblemInputs:
    options = (
        ServiceLevelOption("60/20", staffing_cost_per_contact=1.0, mean_wait_seconds=120.0),
        ServiceLevelOption(
            "90/10", staffing_cost_per_contact=3.0, mean_wait_seconds=10.0, fixed_cost=fixed
        ),
    )
    return ProblemInputs(
        tiers=(
            TierSpec(
                "t", ChurnCostRates(per_dissatisfied=per_dissatisfied), wait_csat_per_minute=0.01
            ),
        ),
        reasons=("r",),
        channels=(ChannelSpec("phone", options=options, current_option="60/20"),),
        volume=[[1000.0]],
        eligible=np.ones((1, 1, 1), bool),
        current_share=[[[1.0]]],
        handle_cost=10.0,
        fcr=1.0,
        csat_resolved=0.9,
        csat_unresolved=0.0,
    )


@pytest.mark.parametrize(
    ("per_dissatisfied", "fixed", "option", "per_issue"),
    [
        # 60/20: 11 + (1 - (0.9 - 0.02)) r ; 90/10: 13 + (1 - (0.9 - 0.01/6)) r
        (100.0, 0.0, "60/20", 11 + 0.12 * 100),
        (200.0, 0.0, "90/10", 13 + (0.1 + 0.01 / 6) * 200),
        (200.0, 5000.0, "60/20", 11 + 0.12 * 200),  # fixed cost tips it back
    ],
)
def test_service_level_choice_by_hand(per_dissatisfied, fixed, option, per_issue):
    sol = solve(sl_problem(per_dissatisfied, fixed))
    assert sol.policy.options == (option,)
    assert sol.evaluation.total_cost == pytest.approx(1000 * per_issue)
    assert sol.size.integers == 2


def test_shift_limit_binds_by_hand():
    sol = solve(two_channel(max_shift=0.2))
    np.testing.assert_allclose(sol.policy.share[0, 0], [0.8, 0.2], atol=1e-9)
    assert sol.evaluation.service_cost == pytest.approx(1000 * (0.8 * 10 + 0.2 * 4))


def test_capacity_binds_by_hand():
    sol = solve(two_channel(chat_capacity=300.0))
    np.testing.assert_allclose(sol.policy.share[0, 0], [0.7, 0.3], atol=1e-9)
    assert sol.evaluation.contacts_by_channel["chat"] == pytest.approx(300.0)


def test_budget_forces_cheaper_mix_when_maximising_csat():
    sol = solve(two_channel(budget=8200.0), objective="csat")
    # 10 x + 4 (1 - x) <= 8.2  ->  x = 0.7
    np.testing.assert_allclose(sol.policy.share[0, 0], [0.7, 0.3], atol=1e-9)
    assert sol.evaluation.service_cost == pytest.approx(8200.0)


@pytest.mark.parametrize(
    ("kwargs", "families"),
    [
        ({"floor": 0.95}, ("csat_floor",)),
        ({"floor": 0.8, "budget": 5000.0}, ("csat_floor", "budget")),
        ({"floor": 0.8, "max_shift": 0.1, "current": (0.0, 1.0)}, ("csat_floor", "max_shift")),
    ],
)
def test_infeasibility_names_the_family(kwargs, families):
    with pytest.raises(InfeasibleError) as info:
        solve(two_channel(**kwargs))
    assert info.value.families == families
    assert "infeasible" in str(info.value)


def test_milp_matches_enumeration_of_service_levels():
    """The MILP optimum equals the best LP over every fixed combination of options."""
    p = synthetic_problem(np.random.default_rng(5), tiers=2, reasons=3, channels=4, sl_options=3)
    sol = solve(p)
    staffed = [i for i, ch in enumerate(p.channels) if ch.staffed]
    best = np.inf
    for combo in itertools.product(*(p.channels[i].options for i in staffed)):
        chans = list(p.channels)
        for i, opt in zip(staffed, combo, strict=True):
            ch = chans[i]
            chans[i] = ChannelSpec(ch.code, True, (opt,), None, None, 0.0, ch.capacity)
        try:
            fixed = solve(p.with_changes(channels=tuple(chans)))
        except InfeasibleError:
            continue
        best = min(best, fixed.evaluation.total_cost)
    assert sol.evaluation.total_cost == pytest.approx(best, rel=1e-7)
    assert sol.objective_value == pytest.approx(sol.evaluation.total_cost, rel=1e-9)


def test_optimum_never_worse_than_today():
    p = synthetic_problem(np.random.default_rng(9), tiers=3, reasons=5, channels=6, max_shift=0.25)
    today = evaluate(p, current_policy(p))
    sol = solve(p)
    assert sol.evaluation.total_cost <= today.total_cost + 1e-6 * today.total_cost
    for t in p.tiers:
        assert sol.evaluation.csat_by_tier[t.code] >= t.csat_floor - 1e-7


def test_option_from_staffing():
    # 10 agents x $30 x 2000 h = 600,000 paid; 40,000 contacts x 0.25 h x $30 = 300,000 handling
    opt = option_from_staffing(
        "80/20",
        agents=10,
        loaded_hourly_cost=30.0,
        open_hours_per_year=2000.0,
        contacts_per_year=40_000,
        handle_hours_per_contact=0.25,
        mean_wait_seconds=20.0,
    )
    assert opt.staffing_cost_per_contact == pytest.approx(7.5)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (
            {"current_share": [[[0.5, 0.2]]]},
            r"current_share\[t, billing\]: expected shares summing to 1",
        ),
        ({"eligible": np.zeros((1, 1, 2), bool)}, "no eligible channel"),
        ({"fcr": 0.0}, r"fcr\[0, 0, 0\]: expected a value in \(0.0, 1.0\]"),
        ({"volume": [[-1.0]]}, "volume: expected issues per year >= 0"),
        ({"handle_cost": np.ones((2, 2))}, "handle_cost: expected shape"),
    ],
)
def test_inputs_are_validated(change, match):
    with pytest.raises(ValueError, match=match):
        two_channel().with_changes(**change)


def test_channel_spec_validation():
    with pytest.raises(ValueError, match="only automated channels escalate"):
        ChannelSpec("phone", escalates_to="chat")
    with pytest.raises(ValueError, match="current_option of channel 'phone'"):
        ChannelSpec("phone", options=(ServiceLevelOption("a", 0, 0),), current_option="b")


def test_policy_evaluation_rejects_unknown_option():
    p = sl_problem(0.0)
    with pytest.raises(ValueError, match="policy.options"):
        evaluate(p, Policy(share=p.current_share, options=("nope",)))

"""Scenarios: lever templates, the store, evaluation by the model and the simulator check."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

from equipoise.analytics.backends import connect
from equipoise.db.engine import make_engine, session_scope
from equipoise.db.migrate import upgrade
from equipoise.engine.optimize import current_policy, evaluate
from equipoise.kit.errors import InvalidInput, NotFound
from equipoise.models.scenarios import ScenarioRun
from equipoise.planning import scenarios as sc
from equipoise.planning.balance import build_model
from equipoise.planning.levers import DEFAULT_SCENARIOS, TEMPLATES, apply_lever
from tests.planning.test_balance import balance_demo_url


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    url = balance_demo_url(tmp_path_factory)
    upgrade(url)
    return url


@pytest.fixture(scope="module")
def model(url):
    return build_model(connect(url))


def test_every_template_applies_with_its_defaults(model):
    base = evaluate(model.problem, current_policy(model.problem))
    for kind in TEMPLATES:
        if kind == "staffing_change":
            continue
        effect = apply_lever(model, kind, None)
        assert effect.problem.shape[:2] == model.problem.shape[:2], kind
    with pytest.raises(ValueError, match="unknown"):
        apply_lever(model, "channel_shift", {"sharre": 0.4})
    with pytest.raises(ValueError, match="share"):
        apply_lever(model, "channel_shift", {"share": 1.4})
    assert base.service_cost > 0


def test_channel_shift_moves_the_share_and_blends_containment(model):
    p = model.problem
    effect = apply_lever(model, "channel_shift", {"reasons": ["billing_question"], "share": 0.4,
                                                  "opt_out": 0.25})
    q = effect.problem
    r, ph, ivr = p.reasons.index("billing_question"), p.channel_index("phone"), \
        p.channel_index("ivr")
    np.testing.assert_allclose(q.current_share[:, r, ph], 0.6 * p.current_share[:, r, ph])
    moved = 0.4 * p.current_share[:, r, ph]
    old = p.current_share[:, r, ivr]
    k = p.containment[:, r, ivr]
    np.testing.assert_allclose(q.containment[:, r, ivr],
                               (old * k + moved * k * 0.75) / (old + moved))
    others = [i for i in range(len(p.reasons)) if i != r]
    np.testing.assert_array_equal(q.current_share[:, others], p.current_share[:, others])


def test_fcr_and_cost_levers_have_the_expected_sign(model):
    fcr = sc.evaluate_scenario(model, "fcr_improvement", {"points": 0.1}, simulate=False)
    assert fcr["delta"]["service_cost"] < 0 and fcr["delta"]["csat_points"] > 0
    auto = sc.evaluate_scenario(model, "automation", None, simulate=False)
    assert auto["delta"]["service_cost"] < 0 and auto["delta"]["csat_points"] < 0
    field = sc.evaluate_scenario(model, "remote_support", None, simulate=False)
    assert field["notes"], "a lever on an escalation-only channel says it is outside the model"


def test_budget_cut_fits_the_cut(model):
    r = sc.evaluate_scenario(model, "budget_cut", {"cut": 0.15}, simulate=False)
    assert r["scenario"]["service_cost"] <= 0.85 * r["baseline"]["service_cost"] * (1 + 1e-6)


def test_staffing_cut_is_checked_by_the_simulator(model):
    r = sc.evaluate_scenario(model, "staffing_change", {"channel": "phone", "change": -0.1},
                             replications=3, seed=1)
    assert r["service_levels"]["phone"] == "staffing -10%"
    assert r["delta"]["service_cost"] < 0 and r["delta"]["csat_points"] < 0
    (check,) = r["simulation"]
    assert check["channel"] == "phone"
    # Erlang A and the simulated week of the same staffing agree on the service level
    assert abs(check["gap"]["service_level"]) < 0.05
    assert abs(check["gap"]["p_abandon"]) < 0.05
    with pytest.raises(InvalidInput, match="real-time queue"):
        sc.evaluate_scenario(model, "staffing_change", {"channel": "email"})


def test_store_runs_and_compare(url, model):
    engine = make_engine(url)
    with session_scope(engine) as s:
        names = [x.name for x in sc.list_scenarios(s)]
        # The demo database is shared by the session: other tests may have saved scenarios of their own.
        assert {d[0] for d in DEFAULT_SCENARIOS} <= set(names)
        assert sc.ensure_defaults(s) == 0
        sc.save_scenario(s, "ivr-60", "channel_shift", {"reasons": ["billing_question"],
                                                        "share": 0.6})
        with pytest.raises(InvalidInput):
            sc.save_scenario(s, "bad", "channel_shift", {"nope": 1})
        with pytest.raises(InvalidInput):
            sc.save_scenario(s, "bad", "no_such_lever", {})
        with pytest.raises(NotFound):
            sc.get_scenario(s, "missing")
    with session_scope(engine) as s:
        out = sc.compare(s, model, "billing-to-ivr", "ivr-60", simulate=False)
        assert out["b_minus_a"]["net_cost"] == pytest.approx(
            out["b"]["delta"]["net_cost"] - out["a"]["delta"]["net_cost"])
        # a bigger shift to the IVR moves more issues off the phone
        assert out["b"]["scenario"]["contacts_by_channel"]["ivr"] > \
            out["a"]["scenario"]["contacts_by_channel"]["ivr"]
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(ScenarioRun)) >= 2
    engine.dispose()

"""Scorecards: bands, YAML validation, AHP weights, and evaluation checked by hand."""

from __future__ import annotations

import pytest
import yaml

from equipoise.analytics.ahp import InconsistentMatrix
from equipoise.analytics.backends import connect
from equipoise.analytics.facts import Facts
from equipoise.analytics.periods import parse_period
from equipoise.analytics.scorecard import Bands, load_scorecard, parse_scorecard
from equipoise.analytics.scoring import Entity, evaluate, evaluate_all
from tests.analytics.factories import small_company

OCT = parse_period("2026-10")


def test_bands_score_both_directions():
    lower = Bands((30, 60, 120, 240), "lower")
    assert [lower.score(v) for v in (10, 30, 31, 60, 119, 240, 241)] == [5, 5, 4, 4, 3, 2, 1]
    higher = Bands((90, 85, 80, 70), "higher")
    assert [higher.score(v) for v in (95, 90, 89.9, 80, 70, 69)] == [5, 5, 4, 3, 2, 1]
    assert higher.score(None) is None
    with pytest.raises(ValueError, match="must be increasing"):
        Bands((60, 30, 120, 240), "lower")


def test_default_scorecard_has_design_weights():
    card = load_scorecard()
    weights = {d.key: d.weight for d in card.dimensions}
    assert weights == pytest.approx({"response_speed": 0.10, "attitude": 0.20,
                                     "professionalism": 0.25, "resolution_efficiency": 0.30,
                                     "satisfaction": 0.15})
    speed = card.dimensions[0].indicators
    assert sum(i.weight for i in speed) == pytest.approx(1.0)
    assert speed[0].weight > speed[1].weight > speed[2].weight


def _doc(**dimension):
    base = {"key": "d", "weight": 1.0,
            "indicators": [{"key": "i", "metric": "csat", "weight": 1.0, "bands": [90, 80, 70, 60]}]}
    base.update(dimension)
    return {"name": "t", "dimensions": [base]}


@pytest.mark.parametrize("doc, message", [
    (_doc(weight=0.8), "weights must sum to 1, got 0.8000"),
    (_doc(indicators=[{"key": "i", "metric": "csat", "weight": 1, "bands": [1, 2, 3, 4]}]),
     "indicator 'i'.*must be decreasing"),
    (_doc(indicators=[{"key": "i", "metric": "contacts", "weight": 1, "bands": [1, 2, 3, 4]}]),
     "has no better direction"),
    (_doc(indicators=[{"key": "i", "metric": "nope", "weight": 1, "bands": [1, 2, 3, 4]}]),
     "unknown slug 'nope'"),
    (_doc(indicators=[{"key": "i", "metric": "csat", "weight": 1, "bands": [1, 2]}]),
     "4 thresholds"),
    ({"name": "t", "dimensions": []}, "non-empty list"),
])
def test_invalid_scorecards_are_explained(doc, message):
    with pytest.raises(ValueError, match=message):
        parse_scorecard(doc)


def test_inconsistent_ahp_matrix_names_the_matrix():
    doc = yaml.safe_load("""
name: t
dimensions:
  - key: speed
    weight: 1
    ahp: [[1, 5, 1/5], [1/5, 1, 5], [5, 1/5, 1]]
    indicators:
      - {key: a, metric: asa, bands: [1, 2, 3, 4]}
      - {key: b, metric: aht, bands: [1, 2, 3, 4]}
      - {key: c, metric: csat, bands: [4, 3, 2, 1]}
""")
    with pytest.raises(InconsistentMatrix, match=r"dimension 'speed'.*CR = "):
        parse_scorecard(doc)


def test_scorecard_from_file(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(_doc()))
    assert load_scorecard(path).dimensions[0].indicators[0].metric == "csat"
    with pytest.raises(ValueError, match="does not exist"):
        load_scorecard(tmp_path / "missing.yaml")


@pytest.fixture
def facts(sqlite_url):
    small_company(sqlite_url)
    return Facts(connect(sqlite_url))


def test_company_score_drills_down_to_hand_computed_kpis(facts):
    card = load_scorecard()
    res = evaluate(card, facts, "company", OCT)
    dims = {d.key: d for d in res.dimensions}
    inds = {i.key: i for d in res.dimensions for i in d.indicators}
    # raw KPIs (see test_metrics): phone ASA (20+40+25+60+10)/5, chat (30+10)/2, email 2 h
    assert (inds["phone_answer"].value, inds["phone_answer"].score) == (31.0, 4)
    assert (inds["chat_answer"].value, inds["chat_answer"].score) == (20.0, 5)
    assert (inds["email_response"].value, inds["email_response"].score) == (2.0, 5)
    assert (inds["fcr"].score, inds["transfers"].score) == (3, 3)
    assert (inds["qa"].value, inds["qa"].score) == (75.0, 2)  # mean of 90, 60, 80, 70
    assert dims["professionalism"].score == pytest.approx(0.5 * 3 + 0.3 * 2 + 0.2 * 3)
    assert (inds["within_3_days"].score, inds["resolution_rate"].score) == (3, 1)
    assert [inds[k].score for k in ("courtesy", "expectation", "csat", "positive_feedback",
                                    "complaints")] == [2, 3, 1, 1, 1]
    w_phone = inds["phone_answer"].weight
    assert dims["response_speed"].score == pytest.approx(4 * w_phone + 5 * (1 - w_phone))
    assert dims["attitude"].score == pytest.approx(0.6 * 2 + 0.4 * 3)
    expected = (0.10 * (5 - w_phone) + 0.20 * 2.4 + 0.25 * 2.7 + 0.30 * 2 + 0.15 * 1)
    assert res.total == pytest.approx(expected)


def test_missing_kpis_spread_their_weight(facts):
    res = evaluate(load_scorecard(), facts, "channel:phone", OCT)
    speed = res.dimensions[0]
    assert [i.score for i in speed.indicators] == [4, None, None]
    assert speed.score == 4.0


def test_evaluate_all_agrees_with_single_evaluation(facts):
    card = load_scorecard()
    many = {r.entity: r.total for r in evaluate_all(card, facts, "team", OCT)}
    assert set(many) == {"team:t1", "team:t2"}
    for ent, total in many.items():
        assert evaluate(card, facts, ent, OCT).total == pytest.approx(total)
    # an org unit scores everything below it
    assert evaluate(card, facts, "unit:b1", OCT).total is not None


def test_entity_parsing():
    assert Entity.parse("team:t1") == Entity("team", "t1")
    assert str(Entity.parse("company")) == "company"
    with pytest.raises(ValueError, match="entity: expected"):
        Entity.parse("planet:mars")

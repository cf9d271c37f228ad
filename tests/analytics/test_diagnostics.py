"""The six diagnostics on the small company (October), checked by hand.

Customer cost in October: c1 (top) 10, c2 (low) 13.7, c3 (mid) 12.2, c4 (low) 2.6; cost per contact
overall 38.5/12; phone 27.1/7 and email 5/1 are the high-cost staffed channels, chat 6/2 is not.
"""

from __future__ import annotations

import pytest

from equipoise.analytics.backends import connect
from equipoise.analytics.diagnostics import (
    DiagnosticSettings,
    channel_contribution,
    high_value_low_service,
    low_value_high_cost,
)
from equipoise.analytics.diagnostics_ops import (
    cheaper_channel_moves,
    knowledge_effectiveness,
    productivity,
    run_diagnostics,
)
from equipoise.analytics.facts import Facts
from equipoise.analytics.periods import parse_period
from tests.analytics.factories import small_company

OCT = parse_period("2026-10")
LOOSE = DiagnosticSettings(cost_multiple=1.5, min_contacts=1, min_answers=1)


@pytest.fixture
def facts(sqlite_url):
    small_company(sqlite_url)
    return Facts(connect(sqlite_url))


def test_low_value_customers_on_high_cost_channels(facts):
    assert low_value_high_cost(facts, OCT).items == ()  # 13.7 < 2 x median(13.7, 2.6)
    f = low_value_high_cost(facts, OCT, LOOSE)
    (item,) = f.items
    assert (item["tier"], item["channel"], item["customers"]) == ("low", "phone", 1)
    assert item["share_of_channel_cost_pct"] == pytest.approx(100 * 7.7 / 27.1)
    assert item["multiple_of_tier_median"] == pytest.approx(13.7 / 8.15)
    assert item["top_customers"] == [2]
    assert f.headline == ("low-value customers consuming high-cost service: 1 customers of tier low,"
                          " 28% of phone cost, cost to serve 1.7x their tier's median")


def test_high_value_customers_on_cheap_unsatisfying_service(facts):
    assert high_value_low_service(facts, OCT, LOOSE).items == ()  # top tier phone CSAT is 100%
    strict = DiagnosticSettings(csat_floor=101.0, min_contacts=1, min_answers=1)
    (item,) = high_value_low_service(facts, OCT, strict).items
    assert (item["tier"], item["channel"], item["contacts"], item["customers"]) == ("top", "phone", 2, 1)
    assert item["share_of_tier_contacts_pct"] == pytest.approx(200 / 3)
    assert item["cost_per_contact"] == 2.5


def test_channel_contribution_against_the_main_staffed_channel(facts):
    items = {i["channel"]: i for i in channel_contribution(facts, OCT, LOOSE).items}
    assert items["phone"]["net_saving_vs_reference"] is None
    assert items["email"]["net_saving_vs_reference"] == pytest.approx(12.0 - 5.0)
    assert items["chat"]["net_saving_vs_reference"] == pytest.approx(2 * (15.1 / 6 - 3.0) - 100)
    assert items["self_service"]["all_in_cost_per_contact"] == pytest.approx((0.4 + 50) / 2)
    assert items["chat"]["tier_mix_pct"] == {"low": 100.0}


def test_cheaper_channel_candidates(facts):
    f = cheaper_channel_moves(facts, OCT, LOOSE)
    got = [(i["reason"], i["from_channel"], i["to_channel"]) for i in f.items]
    assert got == [("billing", "phone", "self_service"), ("billing", "chat", "self_service")]
    assert f.items[0]["saving_if_all_moved"] == pytest.approx(6 * (15.1 / 6 - 0.2))
    assert f.numbers["saving_if_all_moved"] == pytest.approx(15.1 - 1.2 + 2 * 2.8)
    # the reason's display name, money with its currency
    assert f.headline == ("2 reason/channel flows could move to a cheaper channel without losing more "
                          "than 5 points of CSAT or FCR, worth up to 20 USD; largest: Billing from "
                          "phone to self_service (6 contacts, 14 USD)")
    eur = cheaper_channel_moves(facts, OCT, DiagnosticSettings(min_contacts=1, min_answers=1,
                                                               currency="EUR"))
    assert "worth up to 20 EUR" in eur.headline


def test_headlines_name_reasons_and_give_money_a_currency(facts):
    q3 = channel_contribution(facts, OCT, LOOSE)
    assert q3.headline == ("email serves 1 contacts for 5 USD all-in (fixed cost included); net "
                           "saving against serving the same reasons on phone: +7 USD")
    strict = DiagnosticSettings(csat_floor=101.0, min_contacts=1, min_answers=1)
    assert high_value_low_service(facts, OCT, strict).headline.endswith("at 2.50 USD per contact")
    assert knowledge_effectiveness(facts, OCT, LOOSE).headline.startswith(
        "self-service contains 50% of Billing contacts;")
    for f in run_diagnostics(facts, OCT, LOOSE):
        assert "billing" not in f.headline and "outage" not in f.headline, f.headline


def test_productivity_hours_freed_at_median_aht(facts):
    items = {i["channel"]: i for i in productivity(facts, OCT, LOOSE).items}
    phone = items["phone"]
    assert phone["aht_seconds"] == pytest.approx((300 + 600 + 240 + 1200 + 200) / 5)
    assert phone["median_agent_aht"] == pytest.approx((575 + 240) / 2)
    assert phone["hours_freed_at_median_aht"] == pytest.approx((575 - 407.5) * 4 / 3600)
    assert phone["slowest_agents"] == ["a1"]
    assert items["chat"]["hours_freed_at_median_aht"] == 0.0


def test_knowledge_effectiveness(facts):
    f = knowledge_effectiveness(facts, OCT, LOOSE)
    items = {i["reason"]: i for i in f.items}
    assert items["billing"]["containment_pct"] == 50.0
    assert items["billing"]["fcr_by_channel"] == {"phone": 0.0, "self_service": 100.0}
    assert items["billing"]["inconsistent"] is True
    assert items["outage"]["no_self_service"] is True and items["outage"]["fcr_spread_points"] == 0.0
    assert f.numbers == {"reasons": 2, "without_self_service": 1, "inconsistent": 1}


def test_run_all_answers_six_questions(facts):
    findings = run_diagnostics(facts, OCT)
    assert [f.question for f in findings] == [1, 2, 3, 4, 5, 6]
    assert all(f.headline for f in findings)


def test_settings_are_validated():
    with pytest.raises(ValueError, match="cost_multiple"):
        DiagnosticSettings(cost_multiple=0.5)

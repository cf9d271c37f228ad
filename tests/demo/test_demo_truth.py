"""The planted truths of the demo company are there to be found."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise.demo import truth
from equipoise.demo.build import DemoSpec, simulate
from equipoise.demo.catalog import CHANNELS, TIERS
from equipoise.demo.clock import DAY, HOUR, OpeningHours
from equipoise.demo.population import make_customers


@pytest.fixture(scope="module")
def medium():
    return simulate(DemoSpec(customers=6000, months=4, seed=3))


def _contacts(data):
    cols = [
        "id",
        "case",
        "customer",
        "channel",
        "reason",
        "agent",
        "team",
        "kind",
        "prev",
        "arrived",
        "queued",
        "answered",
        "ended",
        "wait",
        "handle",
        "abandoned",
        "transferred",
        "outcome",
        "cost",
    ]
    return {k: [r[i] for r in data.log.contacts] for i, k in enumerate(cols)}


def test_same_seed_same_company_other_seed_other_company(small_data):
    again = simulate(small_data.spec)
    assert again.log.contacts == small_data.log.contacts
    assert again.log.surveys == small_data.log.surveys
    other = simulate(DemoSpec(customers=small_data.spec.customers, months=small_data.spec.months, seed=12))
    assert other.log.contacts != small_data.log.contacts


def test_value_concentration_top_fifth_holds_about_eighty_percent_of_margin():
    c = make_customers(20_000, np.random.default_rng(7))
    margin = np.sort(c.margin)[::-1]
    share = margin[: len(margin) // 5].sum() / margin.sum()
    assert 0.75 <= share <= 0.85
    means = [c.margin[c.tier == i].mean() for i in range(len(TIERS))]
    assert means == sorted(means, reverse=True)


def test_channel_costs_fall_in_published_ranges(medium):
    c = _contacts(medium)
    ranges = {"phone_premier": (8, 25), "chat": (3, 12), "email": (2, 10), "self_service": (0.1, 1.0)}
    for key, (lo, hi) in ranges.items():
        if key == "phone_premier":
            sel = [
                cost
                for cost, t, ab in zip(c["cost"], c["team"], c["abandoned"], strict=False)
                if t == "T-PREMIER" and not ab
            ]
        else:
            code = [i for i, ch in enumerate(CHANNELS) if ch.code == key][0]
            sel = [
                cost
                for cost, ch, ab in zip(c["cost"], c["channel"], c["abandoned"], strict=False)
                if ch == code and not ab
            ]
        assert lo <= float(np.mean(sel)) <= hi, (key, np.mean(sel))


def test_waits_follow_staffing_monday_morning_understaffing(medium):
    c = _contacts(medium)
    start_wd = medium.horizon.start.weekday()
    monday, other = [], []
    for t, team, wait in zip(c["arrived"], c["team"], c["wait"], strict=False):
        if team != "T-GENERAL":
            continue
        hour = int((t % DAY) // HOUR)
        wd = (start_wd + int(t // DAY)) % 7
        if hour in truth.UNDERSTAFFED_MONDAY_HOURS:
            (monday if wd == 0 else other).append(wait)
    assert np.mean(monday) > 1.5 * np.mean(other)


def test_churn_rises_with_bad_experience(medium):
    """Person-months: a month with an unresolved or abandoned contact raises that month's churn."""
    c = _contacts(medium)
    starts = medium.horizon.month_starts
    churned_at = medium.log.churned_at
    tiers = medium.customers.tier
    bad_months = set()
    for cu, t, o in zip(c["customer"], c["arrived"], c["outcome"], strict=False):
        if o in ("unresolved", "abandoned"):
            bad_months.add((cu - 1, int(np.searchsorted(starts, t, side="right") - 1)))
    counts = {True: [0, 0], False: [0, 0]}
    for m in range(medium.horizon.months):
        active = np.flatnonzero((churned_at > starts[m]) & (tiers >= 2) & (tiers <= 3))
        for cu in active.tolist():
            bad = (cu, m) in bad_months
            counts[bad][0] += 1
            counts[bad][1] += bool(churned_at[cu] == starts[m + 1])
    rate_bad = counts[True][1] / counts[True][0]
    rate_ok = counts[False][1] / counts[False][0]
    assert rate_bad > 1.5 * rate_ok, (rate_bad, rate_ok)


def test_high_tier_calls_partly_land_with_the_outsourced_pool(medium):
    c = _contacts(medium)
    tiers = medium.customers.tier
    high_phone = [
        team
        for cu, team, ch in zip(c["customer"], c["team"], c["channel"], strict=False)
        if tiers[cu - 1] == 1 and CHANNELS[ch].code == "phone"
    ]
    share = high_phone.count("T-GENERAL") / len(high_phone)
    assert abs(share - 0.25) < 0.05


@settings(max_examples=6, deadline=None)
@given(customers=st.integers(40, 400), months=st.integers(1, 2), seed=st.integers(0, 2**31 - 1))
def test_generator_invariants_hold_for_any_seed(customers, months, seed):
    data = simulate(DemoSpec(customers=customers, months=months, seed=seed))
    hours = [OpeningHours(ch.hours, data.horizon) for ch in CHANNELS]
    agents = data.agents
    ended = {}
    for r in data.log.contacts:
        (
            cid,
            _case,
            cust,
            ch,
            _reason,
            agent,
            _team,
            _kind,
            _prev,
            arrived,
            _q,
            answered,
            end,
            wait,
            handle,
            abandoned,
            _tr,
            _out,
            cost,
        ) = r
        assert hours[ch].is_open(arrived)
        assert handle >= 0 and wait >= 0 and end >= arrived
        agent_part = handle / 3600 * agents[agent - 1].hourly_cost / CHANNELS[ch].concurrency if agent else 0.0
        assert cost == pytest.approx(agent_part + CHANNELS[ch].tech_cost, abs=1e-9)
        assert arrived < data.log.churned_at[cust - 1]
        ended[cid] = end
    for s in data.log.surveys:
        assert s[3] >= s[2] >= ended[s[0]]

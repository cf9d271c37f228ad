"""Status-transition events of a case change (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equipoise.config import Settings
from equipoise.core.cases.events import ResolutionSurvey, transition_events
from equipoise.core.cases.schemas import STATUSES


@pytest.mark.parametrize(("before", "after", "expected"), [
    (None, "new", []),
    ("new", "open", []),
    ("open", "solved", ["case.resolved"]),
    ("open", "closed", ["case.resolved", "case.closed"]),
    ("solved", "closed", ["case.closed"]),
    ("closed", "open", ["case.reopened"]),
    ("solved", "pending_customer", ["case.reopened"]),
    ("open", "merged", []),
])
def test_transitions(before, after, expected):
    assert transition_events(before, after) == expected


@settings(max_examples=60)
@given(st.sampled_from(sorted(STATUSES)), st.sampled_from(sorted(STATUSES)))
def test_resolved_and_reopened_follow_the_status_categories(before, after):
    events = transition_events(before, after)
    assert ("case.resolved" in events) == (after != "merged" and STATUSES[after] == "resolved"
                                           and STATUSES[before] != "resolved")
    assert ("case.reopened" in events) == (STATUSES[before] == "resolved" and STATUSES[after] != "resolved")
    assert not ("case.resolved" in events and "case.reopened" in events)


def test_resolution_survey_validates_its_inputs():
    with pytest.raises(ValueError, match="base_url"):
        ResolutionSurvey(settings=Settings(_env_file=None), base_url="help.example")
    with pytest.raises(ValueError, match="ttl_days"):
        ResolutionSurvey(settings=Settings(_env_file=None), base_url="https://help.example", ttl_days=0)

"""A seeded random company (a few hundred rows) for backend-parity tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from tests.analytics.factories import case, channel, contact, org, qa_review, shift, survey

TIERS = ("top", "high", "mid", "low", "inactive")
KINDS = ("first", "repeat", "retry", "escalation", "transfer")
START = dt.datetime(2026, 9, 1)


def random_company_rows(rng: np.random.Generator, *, customers: int = 40, cases: int = 120,
                        contacts_per_case: int = 3) -> dict[str, list[dict[str, Any]]]:
    """Customers, cases with 1..contacts_per_case contacts each, surveys and shifts, over 3 months."""
    rows: dict[str, list[dict[str, Any]]] = {
        "org_units": [org(1, "hq", "hq", None, 900.0), org(2, "north", "branch", 1, 300.0),
                      org(3, "south", "branch", 1, 250.0), org(4, "n1", "team", 2, 80.0),
                      org(5, "n2", "team", 2, 60.0), org(6, "s1", "team", 3, 70.0)],
        "channels": [channel(1, "phone", sl=30, fixed=200), channel(2, "chat", concurrency=2, sl=60),
                     channel(3, "self_service", staffed=False, fixed=40),
                     channel(4, "email", sl=14400)],
        "contact_reasons": [dict(id=i, code=c, name=c, category="x", parent_id=None,
                                 complexity="standard")
                            for i, c in enumerate(("billing", "outage", "move", "cancel"), 1)],
        "reason_channels": [dict(reason_id=r, channel_id=c) for r in range(1, 5) for c in range(1, 5)],
        "customers": [], "agents": [], "cases": [], "contacts": [], "survey_responses": [],
        "agent_shifts": [], "budget_lines": [], "qa_reviews": [],
    }
    for i in range(1, customers + 1):
        churn = START.date() + dt.timedelta(days=int(rng.integers(10, 200)))
        rows["customers"].append(dict(
            id=i, external_ref=f"c{i}", name=f"C{i}", tier=TIERS[int(rng.integers(0, 5))],
            segment="consumer", annual_margin=float(rng.integers(50, 5000)), acquired_on=None,
            churned_on=churn if rng.random() < 0.3 else None))
    teams = (4, 5, 6)
    for a in range(1, 7):
        rows["agents"].append(dict(id=a, code=f"a{a}", name=f"A{a}", team_id=teams[a % 3],
                                   hourly_cost=30.0, skills=[], sourcing="in_house_onshore"))
    cid = 0
    for k in range(1, cases + 1):
        cust = int(rng.integers(1, customers + 1))
        reason = int(rng.integers(1, 5))
        ch = int(rng.integers(1, 5))
        agent = int(rng.integers(1, 7))
        team = teams[agent % 3]
        opened = START + dt.timedelta(seconds=int(rng.integers(0, 86 * 86400)))
        status = rng.random()
        resolved = None
        if status < 0.8:
            # whole minutes so that ties occur in the quantiles
            resolved = opened + dt.timedelta(minutes=int(rng.choice([5, 30, 60, 600, 3000, 6000])))
        met = [None, True, False]
        rows["cases"].append(case(
            k, cust, reason, ch, opened, team=team, agent=agent,
            first_response=opened + dt.timedelta(seconds=int(rng.integers(5, 4000))),
            resolved=resolved, reopen=int(rng.random() < 0.15), complaint=bool(rng.random() < 0.1),
            response_met=met[int(rng.integers(0, 3))],
            resolution_met=met[int(rng.integers(0, 3))]))
        at = opened
        for j in range(int(rng.integers(1, contacts_per_case + 1))):
            cid += 1
            c_ch = ch if j == 0 else int(rng.integers(1, 5))
            staffed = c_ch != 3
            abandoned = bool(staffed and rng.random() < 0.1)
            handle = 0.0 if abandoned else float(rng.integers(30, 1500))
            rows["contacts"].append(contact(
                cid, cust, c_ch, reason, at, case=k, agent=agent if staffed and not abandoned else None,
                team=team if staffed else None, kind="first" if j == 0 else KINDS[int(rng.integers(0, 5))],
                direction="outbound" if rng.random() < 0.05 else "inbound",
                wait=float(rng.integers(0, 120)) if staffed else 0.0, handle=handle,
                abandoned=abandoned, transferred=bool(not abandoned and rng.random() < 0.1),
                outcome="abandoned" if abandoned else ("contained" if not staffed and rng.random() < 0.6
                                                       else "resolved"),
                cost=round(handle / 3600 * 30 + (0.2 if not staffed else 0.5), 4)))
            at = at + dt.timedelta(hours=int(rng.integers(1, 200)))
            if rng.random() < 0.35:
                rows["survey_responses"].append(survey(
                    len(rows["survey_responses"]) + 1, cust, at, contact=cid,
                    csat=int(rng.integers(1, 6)), nps=int(rng.integers(0, 11)),
                    ces=int(rng.integers(1, 8)) if rng.random() < 0.7 else None,
                    expectation=int(rng.integers(1, 6)), perception=int(rng.integers(1, 6))))
    for s in range(1, 91):
        day = (START + dt.timedelta(days=s % 86)).date().isoformat()
        rows["agent_shifts"].append(shift(s, 1 + s % 6, 1 + s % 4 if s % 4 != 2 else 1, day,
                                          "08:00:00", day, "16:00:00"))
    # QA reviews last, so that the rows drawn above do not depend on them: some handled contacts,
    # and a few whole cases (no contact) reviewed against their assigned agent.
    for c in rows["contacts"]:
        if c["agent_id"] is not None and rng.random() < 0.2:
            rows["qa_reviews"].append(qa_review(
                len(rows["qa_reviews"]) + 1, c["agent_id"],
                c["arrived_at"] + dt.timedelta(days=int(rng.integers(0, 10))), int(rng.integers(0, 101)),
                contact=c["id"]))
    for k in rows["cases"]:
        if rng.random() < 0.05:
            rows["qa_reviews"].append(qa_review(
                len(rows["qa_reviews"]) + 1, k["assigned_agent_id"], k["opened_at"] + dt.timedelta(days=3),
                int(rng.integers(0, 101)), case=k["id"]))
    return rows

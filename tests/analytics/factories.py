"""Small hand-computable datasets inserted with SQLAlchemy Core into a migrated test database.

The values expected from ``small_company`` are worked out by hand in test_metrics.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert

from equipoise.db.engine import make_engine
from equipoise.models import (
    Agent,
    BudgetLine,
    Case,
    Channel,
    Contact,
    ContactReason,
    Customer,
    OrgUnit,
    QaReview,
    SurveyResponse,
    reason_channels,
)
from equipoise.models.shifts import AgentShift

ORDER = (
    "org_units",
    "channels",
    "contact_reasons",
    "reason_channels",
    "customers",
    "agents",
    "cases",
    "contacts",
    "survey_responses",
    "agent_shifts",
    "budget_lines",
    "qa_reviews",
)
TABLES = {
    m.__tablename__: m.__table__
    for m in (
        OrgUnit,
        Channel,
        ContactReason,
        Customer,
        Agent,
        Case,
        Contact,
        SurveyResponse,
        AgentShift,
        BudgetLine,
        QaReview,
    )
}
TABLES["reason_channels"] = reason_channels


def T(day: str, hms: str = "00:00:00") -> dt.datetime:
    """A naive local timestamp from ``'2026-10-01'`` and ``'09:00:00'``."""
    return dt.datetime.fromisoformat(f"{day} {hms}")


def insert_rows(url: str, rows: dict[str, Sequence[dict[str, Any]]]) -> None:
    """Insert ``rows`` (table name → list of dicts) in foreign-key order, in one transaction."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            for name in ORDER:
                if rows.get(name):
                    conn.execute(insert(TABLES[name]), list(rows[name]))
    finally:
        engine.dispose()


def org(id: int, code: str, kind: str, parent: int | None, fixed: float) -> dict[str, Any]:
    return dict(
        id=id, code=code, name=code.upper(), kind=kind, parent_id=parent, fixed_cost_monthly=fixed
    )


def channel(
    id: int,
    code: str,
    *,
    staffed: bool = True,
    concurrency: float = 1.0,
    sl: float = 30.0,
    fixed: float = 0.0,
    tech: float = 0.0,
) -> dict[str, Any]:
    return dict(
        id=id,
        code=code,
        name=code.title(),
        staffed=staffed,
        concurrency=concurrency,
        tech_cost_per_contact=tech,
        fixed_cost_monthly=fixed,
        service_level_seconds=sl,
        containment_rate=None if staffed else 0.5,
        opening_hours={},
        escalates_to_id=None,
    )


def contact(
    id: int,
    customer: int,
    channel: int,
    reason: int,
    arrived: dt.datetime,
    *,
    case: int | None = None,
    agent: int | None = None,
    team: int | None = None,
    kind: str = "first",
    direction: str = "inbound",
    wait: float = 0.0,
    handle: float = 0.0,
    abandoned: bool = False,
    transferred: bool = False,
    outcome: str = "resolved",
    cost: float = 0.0,
) -> dict[str, Any]:
    answered = None if abandoned else arrived + dt.timedelta(seconds=wait)
    end = arrived + dt.timedelta(seconds=wait + handle)
    return dict(
        id=id,
        case_id=case,
        customer_id=customer,
        channel_id=channel,
        reason_id=reason,
        agent_id=agent,
        team_id=team,
        direction=direction,
        kind=kind,
        arrived_at=arrived,
        queued_at=arrived,
        answered_at=answered,
        ended_at=end,
        wait_seconds=wait,
        handle_seconds=handle,
        abandoned=abandoned,
        transferred=transferred,
        outcome=outcome,
        cost=cost,
        source="test",
    )


def case(
    id: int,
    customer: int,
    reason: int,
    channel: int,
    opened: dt.datetime,
    *,
    team: int | None = None,
    agent: int | None = None,
    first_response: dt.datetime | None = None,
    resolved: dt.datetime | None = None,
    reopen: int = 0,
    complaint: bool = False,
    response_met: bool | None = None,
    resolution_met: bool | None = None,
) -> dict[str, Any]:
    return dict(
        id=id,
        customer_id=customer,
        reason_id=reason,
        channel_id=channel,
        team_id=team,
        assigned_agent_id=agent,
        subject=f"case {id}",
        priority="normal",
        status="solved" if resolved else "open",
        status_category="resolved" if resolved else "open",
        tags=[],
        is_complaint=complaint,
        complaint_severity=2 if complaint else None,
        opened_at=opened,
        first_response_at=first_response,
        resolved_at=resolved,
        closed_at=None,
        reopen_count=reopen,
        first_response_met=response_met,
        resolution_met=resolution_met,
        version=1,
        source="test",
    )


def survey(
    id: int,
    customer: int,
    responded: dt.datetime,
    *,
    contact: int | None = None,
    case: int | None = None,
    csat: int | None = None,
    nps: int | None = None,
    ces: int | None = None,
    expectation: int | None = None,
    perception: int | None = None,
) -> dict[str, Any]:
    return dict(
        id=id,
        contact_id=contact,
        case_id=case,
        customer_id=customer,
        sent_at=responded,
        responded_at=responded,
        csat=csat,
        nps=nps,
        ces=ces,
        expectation=expectation,
        perception=perception,
        comment=None,
        source="test",
    )


def shift(
    id: int, agent: int, channel: int, day: str, start: str, end_day: str, end: str
) -> dict[str, Any]:
    return dict(
        id=id, agent_id=agent, channel_id=channel, starts_at=T(day, start), ends_at=T(end_day, end)
    )


def qa_review(id: int, agent: int, reviewed: dt.datetime, score: int, *, contact: int | None = None,
              case: int | None = None) -> dict[str, Any]:
    return dict(id=id, contact_id=contact, case_id=case, agent_id=agent, reviewer="qa lead",
                reviewed_at=reviewed, score=score, comment=None)


def small_company_rows() -> dict[str, list[dict[str, Any]]]:
    """Four customers, two teams, four channels, 13 contacts, 8 cases, 5 surveys, 7 shifts,
    5 QA reviews."""
    d1, d2, d3, d4, d5 = "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05"
    PH, CH, SS, EM = 1, 2, 3, 4
    BILL, OUT = 1, 2
    T1, T2 = 3, 4
    A1, A2 = 1, 2
    return {
        "org_units": [
            org(1, "hq", "hq", None, 1000.0),
            org(2, "b1", "branch", 1, 500.0),
            org(3, "t1", "team", 2, 100.0),
            org(4, "t2", "team", 2, 200.0),
        ],
        "channels": [
            channel(PH, "phone", sl=30, fixed=300),
            channel(CH, "chat", concurrency=2, sl=60, fixed=100),
            channel(SS, "self_service", staffed=False, fixed=50),
            channel(EM, "email", sl=86400),
        ],
        "contact_reasons": [
            dict(
                id=BILL,
                code="billing",
                name="Billing",
                category="account",
                parent_id=None,
                complexity="simple",
            ),
            dict(
                id=OUT,
                code="outage",
                name="Outage",
                category="service",
                parent_id=None,
                complexity="complex",
            ),
        ],
        "reason_channels": [dict(reason_id=BILL, channel_id=c) for c in (PH, CH, SS)]
        + [dict(reason_id=OUT, channel_id=c) for c in (PH, EM)],
        "customers": [
            dict(
                id=1,
                external_ref="c1",
                name="C1",
                tier="top",
                segment="large_account",
                annual_margin=5000.0,
                acquired_on=dt.date(2020, 1, 1),
                churned_on=None,
            ),
            dict(
                id=2,
                external_ref="c2",
                name="C2",
                tier="low",
                segment="consumer",
                annual_margin=100.0,
                acquired_on=dt.date(2021, 1, 1),
                churned_on=dt.date(2026, 11, 15),
            ),
            dict(
                id=3,
                external_ref="c3",
                name="C3",
                tier="mid",
                segment="small_business",
                annual_margin=800.0,
                acquired_on=dt.date(2022, 1, 1),
                churned_on=None,
            ),
            dict(
                id=4,
                external_ref="c4",
                name="C4",
                tier="low",
                segment="consumer",
                annual_margin=90.0,
                acquired_on=dt.date(2023, 1, 1),
                churned_on=None,
            ),
        ],
        "agents": [
            dict(
                id=A1,
                code="a1",
                name="A1",
                team_id=T1,
                hourly_cost=36.0,
                skills=[],
                sourcing="in_house_onshore",
            ),
            dict(
                id=A2,
                code="a2",
                name="A2",
                team_id=T2,
                hourly_cost=36.0,
                skills=[],
                sourcing="in_house_onshore",
            ),
        ],
        "cases": [
            case(
                1,
                1,
                BILL,
                PH,
                T(d1, "09:00:00"),
                team=T1,
                agent=A1,
                first_response=T(d1, "09:00:20"),
                resolved=T(d1, "09:05:00"),
                response_met=True,
                resolution_met=True,
            ),
            case(
                2,
                2,
                BILL,
                PH,
                T(d1, "10:00:00"),
                team=T2,
                agent=A2,
                first_response=T(d1, "10:00:40"),
                resolved=T(d2, "11:22:00"),
                reopen=1,
                response_met=True,
                resolution_met=False,
            ),
            case(
                3,
                4,
                BILL,
                SS,
                T(d3, "09:00:00"),
                team=T2,
                agent=A2,
                first_response=T(d3, "09:05:25"),
                resolved=T(d3, "09:10:00"),
                response_met=True,
                resolution_met=True,
            ),
            case(
                4,
                1,
                OUT,
                EM,
                T(d4, "12:00:00"),
                team=T1,
                agent=A1,
                first_response=T(d4, "14:00:00"),
                resolved=T("2026-10-07", "12:00:00"),
                response_met=True,
            ),
            case(
                5,
                3,
                OUT,
                PH,
                T(d5, "09:00:00"),
                team=T1,
                agent=A1,
                complaint=True,
                first_response=T(d5, "09:01:00"),
                resolved=T("2026-10-09", "09:00:00"),
                response_met=False,
                resolution_met=False,
            ),
            case(
                6,
                1,
                BILL,
                PH,
                T("2026-10-06", "09:00:00"),
                team=T1,
                agent=A1,
                first_response=T("2026-10-06", "09:00:10"),
                response_met=True,
            ),
            case(
                7,
                4,
                OUT,
                PH,
                T("2026-11-02", "10:00:00"),
                team=T2,
                agent=A2,
                complaint=True,
                first_response=T("2026-11-02", "10:00:50"),
                resolved=T("2026-11-02", "10:30:00"),
                response_met=True,
                resolution_met=True,
            ),
            case(8, 2, BILL, EM, T("2026-10-20", "10:00:00"), team=T2, agent=A2, complaint=True),
        ],
        "contacts": [
            contact(
                1,
                1,
                PH,
                BILL,
                T(d1, "09:00:00"),
                case=1,
                agent=A1,
                team=T1,
                wait=20,
                handle=300,
                cost=3.0,
            ),
            contact(
                2,
                2,
                PH,
                BILL,
                T(d1, "10:00:00"),
                case=2,
                agent=A1,
                team=T1,
                wait=40,
                handle=600,
                outcome="unresolved",
                cost=6.0,
            ),
            contact(
                3,
                2,
                PH,
                BILL,
                T(d2, "10:00:00"),
                case=2,
                kind="repeat",
                wait=90,
                abandoned=True,
                outcome="abandoned",
                cost=0.5,
            ),
            contact(
                4,
                2,
                CH,
                BILL,
                T(d2, "11:00:00"),
                case=2,
                agent=A2,
                team=T2,
                kind="retry",
                wait=30,
                handle=800,
                transferred=True,
                outcome="transferred",
                cost=4.0,
            ),
            contact(
                5,
                2,
                CH,
                BILL,
                T(d2, "11:15:00"),
                case=2,
                agent=A2,
                team=T2,
                kind="transfer",
                wait=10,
                handle=400,
                cost=2.0,
            ),
            contact(6, 3, SS, BILL, T(d3, "08:00:00"), handle=120, outcome="contained", cost=0.2),
            contact(
                7, 4, SS, BILL, T(d3, "09:00:00"), case=3, handle=60, outcome="escalated", cost=0.2
            ),
            contact(
                8,
                4,
                PH,
                BILL,
                T(d3, "09:05:00"),
                case=3,
                agent=A2,
                team=T2,
                kind="escalation",
                wait=25,
                handle=240,
                cost=2.4,
            ),
            contact(
                9,
                1,
                EM,
                OUT,
                T(d4, "12:00:00"),
                case=4,
                agent=A1,
                team=T1,
                wait=7200,
                handle=900,
                cost=5.0,
            ),
            contact(
                10,
                3,
                PH,
                OUT,
                T(d5, "09:00:00"),
                case=5,
                agent=A1,
                team=T1,
                wait=60,
                handle=1200,
                cost=12.0,
            ),
            contact(
                11,
                1,
                PH,
                BILL,
                T("2026-10-06", "09:00:00"),
                case=6,
                agent=A1,
                team=T1,
                wait=10,
                handle=200,
                cost=2.0,
            ),
            contact(
                12,
                2,
                PH,
                BILL,
                T(d2, "12:00:00"),
                case=2,
                agent=A1,
                team=T1,
                direction="outbound",
                handle=120,
                cost=1.2,
            ),
            contact(
                13,
                4,
                PH,
                OUT,
                T("2026-11-02", "10:00:00"),
                case=7,
                agent=A2,
                team=T2,
                wait=50,
                handle=500,
                cost=5.0,
            ),
        ],
        "survey_responses": [
            survey(
                1,
                1,
                T(d1, "12:00:00"),
                contact=1,
                csat=5,
                nps=10,
                ces=2,
                expectation=4,
                perception=5,
            ),
            survey(
                2,
                2,
                T(d2, "13:00:00"),
                contact=5,
                csat=2,
                nps=3,
                ces=6,
                expectation=4,
                perception=2,
            ),
            survey(
                3, 4, T(d3, "12:00:00"), case=3, csat=4, nps=8, ces=3, expectation=3, perception=3
            ),
            survey(4, 3, T(d5, "18:00:00"), contact=10, csat=3, nps=6, perception=2),
            survey(5, 4, T("2026-11-02", "12:00:00"), contact=13, csat=5, nps=9, ces=1),
        ],
        "agent_shifts": [
            shift(1, A1, PH, d1, "08:00:00", d1, "16:00:00"),
            shift(2, A2, CH, d2, "08:00:00", d2, "12:00:00"),
            shift(3, A2, PH, d3, "08:00:00", d3, "12:00:00"),
            shift(4, A1, EM, d4, "08:00:00", d4, "14:00:00"),
            shift(5, A1, PH, d5, "08:00:00", d5, "12:00:00"),
            shift(6, A1, PH, "2026-10-06", "08:00:00", "2026-10-06", "12:00:00"),
            shift(7, A2, PH, "2026-11-02", "08:00:00", "2026-11-02", "16:00:00"),
        ],
        "budget_lines": [
            dict(id=1, org_unit_id=1, period=dt.date(2026, 10, 1), target_cost=3000.0),
            dict(id=2, org_unit_id=2, period=dt.date(2026, 10, 1), target_cost=2000.0),
            dict(id=3, org_unit_id=3, period=dt.date(2026, 10, 1), target_cost=1200.0),
            dict(id=4, org_unit_id=4, period=dt.date(2026, 10, 1), target_cost=700.0),
            dict(id=5, org_unit_id=1, period=dt.date(2026, 11, 1), target_cost=2000.0),
            dict(id=6, org_unit_id=2, period=dt.date(2026, 11, 1), target_cost=1500.0),
            dict(id=7, org_unit_id=3, period=dt.date(2026, 11, 1), target_cost=400.0),
            dict(id=8, org_unit_id=4, period=dt.date(2026, 11, 1), target_cost=600.0),
        ],
        "qa_reviews": [
            qa_review(1, A1, T(d2, "10:00:00"), 90, contact=1),
            qa_review(2, A2, T(d3, "10:00:00"), 60, contact=4),
            qa_review(3, A1, T("2026-10-06", "10:00:00"), 80, contact=10),
            qa_review(4, A2, T("2026-10-21", "10:00:00"), 70, case=8),
            qa_review(5, A2, T("2026-11-03", "10:00:00"), 50, contact=13),
        ],
    }


def small_company(url: str) -> None:
    """Insert :func:`small_company_rows` into the migrated database at ``url``."""
    insert_rows(url, small_company_rows())

"""Write a simulated demo company into the database, all tables in one transaction."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from sqlalchemy import Connection, delete, func, select

from equipoise.db.bulk import bulk_insert, reset_sequence
from equipoise.demo import truth
from equipoise.demo.build import DemoData
from equipoise.demo.catalog import BRANCHES, CHANNELS, ORG_UNITS, POOL_BY_CODE, REASONS, TIERS
from equipoise.demo.clock import DAY, HOUR
from equipoise.demo.qa import qa_reviews
from equipoise.models import (
    Agent,
    AgentShift,
    BudgetLine,
    BusinessCalendar,
    Case,
    Channel,
    Contact,
    ContactReason,
    Customer,
    DatasetFact,
    Holiday,
    OrgUnit,
    QaReview,
    SlaPolicy,
    SurveyResponse,
    reason_channels,
)

#: Tables in dependency order (parents first).
TABLES = (OrgUnit, Channel, ContactReason, reason_channels, BusinessCalendar, Holiday, SlaPolicy, Agent,
          Customer, Case, Contact, SurveyResponse, QaReview, AgentShift, BudgetLine, DatasetFact)

FIRST_RESPONSE_SECONDS = {"phone": HOUR, "chat": HOUR, "ivr": HOUR, "self_service": 4 * HOUR,
                          "email": DAY, "social": 4 * HOUR, "field": 2 * DAY}
RESOLUTION_SECONDS = {"urgent": 2 * DAY, "high": 2 * DAY, "normal": 3 * DAY, "low": 5 * DAY}
PRIORITIES = ("urgent", "high", "normal")
#: Budget target as a share of the team's average monthly contact cost (planted over/under-spends).
TEAM_TARGET_FACTOR = {"T-PREMIER": 1.05, "T-GENERAL": 0.92, "T-CHAT": 1.0, "T-WRITTEN": 1.02,
                      "T-FIELD": 0.97, "T-AUTOMATION": 1.10}

Progress = Callable[[str, int, int], None]


def _table(model):
    return model if not hasattr(model, "__table__") else model.__table__


def is_empty(conn: Connection) -> bool:
    return conn.execute(select(func.count()).select_from(Customer.__table__)).scalar_one() == 0


def clear(conn: Connection) -> None:
    """Delete every row of every table (children first): the database starts over."""
    from equipoise.db.base import Base

    conn.execute(Case.__table__.update().values(assigned_agent_id=None))
    conn.execute(Contact.__table__.update().values(previous_contact_id=None))
    conn.execute(OrgUnit.__table__.update().values(parent_id=None))
    conn.execute(Channel.__table__.update().values(escalates_to_id=None))
    for table in reversed(Base.metadata.sorted_tables):
        conn.execute(delete(table))


class _Times:
    """Horizon seconds → naive local datetimes, vectorised."""

    def __init__(self, origin: dt.datetime) -> None:
        self.origin = np.datetime64(origin, "s")

    def many(self, seconds: Sequence[float | None]) -> list[dt.datetime | None]:
        a = np.array([np.nan if s is None else s for s in seconds], dtype=float)
        missing = np.isnan(a)
        stamps = self.origin + np.round(np.where(missing, 0.0, a)).astype("int64").astype("timedelta64[s]")
        out = stamps.astype("datetime64[us]").tolist()
        for i in np.flatnonzero(missing):
            out[i] = None
        return out

    def one(self, seconds: float | None) -> dt.datetime | None:
        return self.many([seconds])[0]


def write(conn: Connection, data: DemoData, progress: Progress | None = None) -> dict[str, int]:
    """Insert the demo company; returns row counts per table."""
    counts: dict[str, int] = {}
    steps = 13
    done = 0

    def put(model, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
        nonlocal done
        table = _table(model)
        if conn.dialect.name == "postgresql":
            json_cols = {i for i, c in enumerate(columns) if table.c[c].type.__class__.__name__ == "JSON"}
            if json_cols:
                rows = ([json.dumps(v) if i in json_cols else v for i, v in enumerate(r)] for r in rows)
        counts[table.name] = bulk_insert(conn, table, columns, rows)
        if "id" in table.c and table.c["id"].autoincrement:
            reset_sequence(conn, table)
        done += 1
        if progress:
            progress("write", done, steps)

    times = _Times(data.horizon.origin)
    org_id = {code: i + 1 for i, (code, *_rest) in enumerate(ORG_UNITS)}
    put(OrgUnit, ("id", "code", "name", "kind", "parent_id", "fixed_cost_monthly"),
        [(org_id[c], c, n, k, org_id.get(p) if p else None, f) for c, n, k, p, f in ORG_UNITS])
    ch_id = {c.code: i + 1 for i, c in enumerate(CHANNELS)}
    put(Channel, ("id", "code", "name", "staffed", "concurrency", "tech_cost_per_contact", "fixed_cost_monthly",
                  "service_level_seconds", "containment_rate", "opening_hours", "escalates_to_id"),
        [(ch_id[c.code], c.code, c.name, c.staffed, c.concurrency, c.tech_cost, c.fixed_cost_monthly,
          c.sl_seconds, _mean_containment(c.code), c.hours, ch_id.get(c.escalates_to) if c.escalates_to else None)
         for c in CHANNELS])
    categories = sorted({r.category for r in REASONS})
    cat_id = {cat: i + 1 for i, cat in enumerate(categories)}
    reason_id = {r.code: len(categories) + i + 1 for i, r in enumerate(REASONS)}
    put(ContactReason, ("id", "code", "name", "category", "parent_id", "complexity"),
        [(cat_id[c], c, c.title(), c, None, "standard") for c in categories]
        + [(reason_id[r.code], r.code, r.name, r.category, cat_id[r.category], r.complexity) for r in REASONS])
    put(reason_channels, ("reason_id", "channel_id"),
        [(reason_id[r.code], ch_id[c]) for r in REASONS for c in r.channels])
    put(BusinessCalendar, ("id", "code", "name", "timezone", "working_hours"),
        [(1, "always", "Around the clock", "Europe/London", {str(d): [[0, 24]] for d in range(7)}),
         (2, "office", "Office hours", "Europe/London",
          {str(d): ([[8, 18]] if d < 5 else []) for d in range(7)})])
    put(Holiday, ("id", "calendar_id", "day", "name"), _holidays(data))
    policy_id = {}
    policies = []
    for c in CHANNELS:
        for p in PRIORITIES:
            policy_id[(c.code, p)] = len(policies) + 1
            policies.append((len(policies) + 1, f"{c.name} / {p}", ch_id[c.code], None, p, 1,
                             FIRST_RESPONSE_SECONDS[c.code], RESOLUTION_SECONDS[p], ["pending"]))
    put(SlaPolicy, ("id", "name", "channel_id", "tier", "priority", "calendar_id", "first_response_seconds",
                    "resolution_seconds", "pause_statuses"), policies)
    put(Agent, ("id", "code", "name", "team_id", "hourly_cost", "skills", "sourcing", "hired_on", "left_on"),
        [(i + 1, f"A{i + 1:04d}", f"Agent {i + 1:04d}", org_id[a.team], a.hourly_cost,
          [POOL_BY_CODE[a.pool].channel] + [r.code for r in REASONS if POOL_BY_CODE[a.pool].channel in r.channels],
          a.sourcing, data.spec.start - dt.timedelta(days=90 + 13 * i), None) for i, a in enumerate(data.agents)])
    cu = data.customers
    churned = data.log.churned_at
    acquired = cu.acquired_on(data.spec.start)
    names = cu.names()
    put(Customer, ("id", "external_ref", "name", "tier", "segment", "annual_margin", "branch_id", "acquired_on",
                   "churned_on"),
        [(i + 1, f"C{i + 1:07d}", names[i], TIERS[int(cu.tier[i])].code,
          "large_account" if cu.tier[i] <= 1 else "small_business", float(cu.margin[i]),
          org_id[BRANCHES[int(cu.branch[i])]], acquired[i],
          data.horizon.date_of(float(churned[i])) if np.isfinite(churned[i]) else None)
         for i in range(len(cu))])
    _write_cases(put, data, times, org_id, ch_id, reason_id, policy_id)
    _write_contacts(put, data, times, org_id, ch_id, reason_id)
    surveys = data.log.surveys
    case_of = [c[1] for c in data.log.contacts]
    sent, responded = times.many([s[2] for s in surveys]), times.many([s[3] for s in surveys])
    put(SurveyResponse, ("id", "contact_id", "case_id", "customer_id", "sent_at", "responded_at", "csat", "nps",
                         "ces", "expectation", "perception", "comment", "source"),
        ((i + 1, s[0], case_of[s[0] - 1], s[1], sent[i], responded[i], s[4], s[5], s[6], s[7], s[8], None, "demo")
         for i, s in enumerate(surveys)))
    reviews = qa_reviews(data)
    reviewed = times.many([r[4] for r in reviews])
    put(QaReview, ("id", "contact_id", "case_id", "agent_id", "reviewer", "reviewed_at", "score", "comment"),
        ((i + 1, r[0], r[1], r[2], r[3], reviewed[i], r[5], None) for i, r in enumerate(reviews)))
    starts, ends = times.many([s[2] for s in data.shifts]), times.many([s[3] for s in data.shifts])
    put(AgentShift, ("id", "agent_id", "channel_id", "starts_at", "ends_at"),
        ((i + 1, s[0], ch_id[s[1]], starts[i], ends[i]) for i, s in enumerate(data.shifts)))
    put(BudgetLine, ("id", "org_unit_id", "period", "target_cost"), _budgets(data, org_id))
    put(DatasetFact, ("key", "value"), _facts(data))
    return counts


def _mean_containment(code: str) -> float | None:
    rates = [r.containment[code] for r in REASONS if code in r.containment]
    return round(sum(rates) / len(rates), 4) if rates else None


def _holidays(data: DemoData) -> list[tuple]:
    rows = []
    for year in range(data.spec.start.year, data.horizon.date_of(data.horizon.end).year + 1):
        for month, day, name in ((1, 1, "New Year's Day"), (12, 25, "Christmas Day"), (12, 26, "Boxing Day")):
            rows.append((len(rows) + 1, 2, dt.date(year, month, day), name))
    return rows


def _write_cases(put, data: DemoData, times: _Times, org_id, ch_id, reason_id, policy_id) -> None:
    end = data.horizon.end
    rows = []
    for i, c in enumerate(data.log.cases):
        channel = CHANNELS[c.channel].code
        fr_due = c.opened + FIRST_RESPONSE_SECONDS[channel]
        res_due = c.opened + RESOLUTION_SECONDS[c.priority]
        fr_met = _met(c.first_response, fr_due, end)
        res_met = _met(c.resolved, res_due, end)
        if c.resolved is not None:
            status, category = "solved", "resolved"
        elif c.closed is not None:
            status, category = "closed_unresolved", "resolved"
        else:
            status, category = "open", "open"
        rows.append((i + 1, c.customer + 1, reason_id[REASONS[c.reason].code], ch_id[channel],
                     org_id[c.team] if c.team else None, c.agent, policy_id[(channel, c.priority)],
                     REASONS[c.reason].name, c.priority, status, category, [], c.is_complaint, c.severity,
                     c.complained, c.opened, c.first_response, c.resolved,
                     c.resolved if c.resolved is not None else c.closed, c.reopen_count, fr_due, res_due,
                     fr_met, res_met, 1, "demo"))
    time_cols = (14, 15, 16, 17, 18, 20, 21)
    converted = {k: times.many([r[k] for r in rows]) for k in time_cols}
    final = [tuple(converted[k][n] if k in converted else v for k, v in enumerate(r)) for n, r in enumerate(rows)]
    put(Case, ("id", "customer_id", "reason_id", "channel_id", "team_id", "assigned_agent_id", "sla_policy_id",
               "subject", "priority", "status", "status_category", "tags", "is_complaint", "complaint_severity",
               "complained_at", "opened_at", "first_response_at", "resolved_at", "closed_at", "reopen_count",
               "first_response_due_at", "resolution_due_at", "first_response_met", "resolution_met", "version",
               "source"), final)


def _met(done_at: float | None, due: float, snapshot: float) -> bool | None:
    if done_at is not None:
        return done_at <= due
    return False if snapshot > due else None


def _write_contacts(put, data: DemoData, times: _Times, org_id, ch_id, reason_id) -> None:
    log = data.log.contacts
    cols = {k: times.many([r[k] for r in log]) for k in (9, 10, 11, 12)}
    ch_ids = [ch_id[c.code] for c in CHANNELS]
    reason_ids = [reason_id[r.code] for r in REASONS]
    put(Contact, ("id", "case_id", "customer_id", "channel_id", "reason_id", "agent_id", "team_id", "direction",
                  "previous_contact_id", "kind", "arrived_at", "queued_at", "answered_at", "ended_at",
                  "wait_seconds", "handle_seconds", "abandoned", "transferred", "outcome", "cost", "source"),
        ((r[0], r[1], r[2], ch_ids[r[3]], reason_ids[r[4]], r[5], org_id[r[6]], "inbound", r[8], r[7],
          cols[9][n], cols[10][n], cols[11][n], cols[12][n], float(r[13]), float(r[14]), r[15], r[16], r[17],
          float(r[18]), "demo") for n, r in enumerate(log)))


def _budgets(data: DemoData, org_id: dict[str, int]) -> list[tuple]:
    months = data.horizon.months
    team_cost: dict[str, float] = defaultdict(float)
    for r in data.log.contacts:
        team_cost[r[6]] += r[18]
    rows = []
    for m in range(months):
        period = data.horizon.month_date(m)
        targets: dict[str, float] = {}
        for code, _name, kind, _parent, fixed in reversed(ORG_UNITS):
            if kind == "team":
                targets[code] = team_cost.get(code, 0.0) / months * TEAM_TARGET_FACTOR[code] + fixed
            else:
                children = [c for c, _n, _k, p, _f in ORG_UNITS if p == code]
                targets[code] = sum(targets[c] for c in children) + fixed
                if (m, code) == truth.BUDGET_MISMATCH[:2]:
                    targets[code] *= truth.BUDGET_MISMATCH[2]
        for code in targets:
            rows.append((len(rows) + 1, org_id[code], period, round(targets[code], 2)))
    return rows


def _facts(data: DemoData) -> list[tuple]:
    s = data.spec
    return [("demo.seed", s.seed), ("demo.customers", s.customers), ("demo.months", s.months),
            ("demo.start", s.start.isoformat()), ("demo.end", data.horizon.date_of(data.horizon.end).isoformat()),
            ("demo.churn_coefficients", {"deficit": truth.BETA_DEFICIT, "unresolved": truth.BETA_UNRESOLVED,
                                         "slow_complaints": truth.BETA_COMPLAINT,
                                         "intercepts": {t.code: t.churn_intercept for t in TIERS}})]

"""Fact views over the logical tables, each carrying the same slicing dimensions.

Every fact (contacts, cases, surveys, shifts) exposes ``ts`` (the timestamp that places a row in a
period) and the dimension columns ``channel``, ``reason``, ``tier``, ``team`` and ``agent`` (codes,
null when unknown), so one metric expression can be sliced any way on any Ibis backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

#: Dimensions every fact can be sliced by (besides the period).
DIMENSIONS = ("channel", "reason", "tier", "team", "agent")
FACTS = ("contacts", "cases", "surveys", "shifts")
#: Contact kinds that the customer started (as opposed to transfers and escalations).
CUSTOMER_KINDS = ("first", "repeat", "retry")
DAY = 86_400


@dataclass(frozen=True)
class MetricParams:
    """Tunable definitions: the FCR repeat window and the complaint-recovery horizon, in days."""

    fcr_window_days: int = 7
    recovery_days: int = 90

    def __post_init__(self) -> None:
        if self.fcr_window_days < 0:
            raise ValueError(f"fcr_window_days: expected >= 0, got {self.fcr_window_days}")
        if self.recovery_days < 0:
            raise ValueError(f"recovery_days: expected >= 0, got {self.recovery_days}")


def _lookups(t: ir.Table, dims: list[tuple[ir.Table, str]]) -> ir.Table:
    """Left-join each lookup table on its key in one flat join chain, without duplicated keys."""
    temps = []
    j = t
    for i, (dim, key) in enumerate(dims):
        tmp = f"_k{i}_{key}"
        d = dim.rename({tmp: key})
        j = j.left_join(d, t[key] == d[tmp])
        temps.append(tmp)
    return j.drop(*temps)


def _lookup(t: ir.Table, dim: ir.Table, key: str) -> ir.Table:
    return _lookups(t, [(dim, key)])


def _flag(cond: ir.BooleanValue) -> ir.IntegerValue:
    """A boolean as 0/1 (null stays null); PostgreSQL cannot cast boolean to bigint directly."""
    return cond.cast("int32").cast("int64")


def _epoch(col: ir.TimestampValue) -> ir.FloatingValue:
    return col.epoch_seconds().cast("float64")


class Facts:
    """Builds the fact views of one Ibis backend (lazily; nothing runs until executed)."""

    def __init__(self, con: BaseBackend, params: MetricParams | None = None) -> None:
        self.con = con
        self.params = params or MetricParams()

    def table(self, name: str) -> ir.Table:
        return self.con.table(name)

    # ---- dimension lookups -------------------------------------------------------------------
    @cached_property
    def _channels(self) -> ir.Table:
        c = self.table("channels")
        return c.select(
            channel_id=c.id,
            channel=c.code,
            staffed=_flag(c.staffed),
            concurrency=c.concurrency.cast("float64"),
            sl_seconds=c.service_level_seconds.cast("float64"),
        )

    @cached_property
    def _reasons(self) -> ir.Table:
        r = self.table("contact_reasons")
        return r.select(reason_id=r.id, reason=r.code)

    @cached_property
    def _customers(self) -> ir.Table:
        c = self.table("customers")
        return c.select(
            customer_id=c.id,
            tier=c.tier,
            churned_day=c.churned_on.epoch_days().cast("int64"),
        )

    @cached_property
    def _teams(self) -> ir.Table:
        o = self.table("org_units")
        return o.select(team_id=o.id, team=o.code)

    @cached_property
    def _agents(self) -> ir.Table:
        a = self.table("agents")
        return a.select(agent_id=a.id, agent=a.code, agent_team_id=a.team_id)

    def _with_dims(self, t: ir.Table, *extra: tuple[ir.Table, str]) -> ir.Table:
        return _lookups(
            t,
            [
                (self._channels, "channel_id"),
                (self._reasons, "reason_id"),
                (self._customers.select("customer_id", "tier"), "customer_id"),
                (self._teams, "team_id"),
                (self._agents.select("agent_id", "agent"), "agent_id"),
                *extra,
            ],
        )

    # ---- facts --------------------------------------------------------------------------------
    @cached_property
    def contacts(self) -> ir.Table:
        c = self.table("contacts")
        base = c.select(
            "id",
            "case_id",
            "customer_id",
            "channel_id",
            "reason_id",
            "agent_id",
            "team_id",
            "direction",
            "kind",
            "outcome",
            ts=c.arrived_at,
            arrived_epoch=_epoch(c.arrived_at),
            answered=_flag(c.answered_at.notnull()),
            wait_seconds=c.wait_seconds.cast("float64"),
            handle_seconds=c.handle_seconds.cast("float64"),
            abandoned=_flag(c.abandoned),
            transferred=_flag(c.transferred),
            cost=c.cost.cast("float64"),
            customer_initiated=_flag((c.direction == "inbound") & c.kind.isin(CUSTOMER_KINDS)),
        )
        return self._with_dims(base)

    @cached_property
    def _case_base(self) -> ir.Table:
        k = self.table("cases")
        return k.select(
            "id", "customer_id", "channel_id", "reason_id", "team_id", "status_category",
            agent_id=k.assigned_agent_id, ts=k.opened_at,
            opened_day=k.opened_at.date().epoch_days().cast("int64"),
            response_seconds=_epoch(k.first_response_at) - _epoch(k.opened_at),
            resolution_seconds=ibis.ifelse(
                k.status_category == "resolved", _epoch(k.resolved_at) - _epoch(k.opened_at), None
            ),
            resolved_epoch=ibis.ifelse(k.status_category == "resolved", _epoch(k.resolved_at), None),
            ever_resolved=_flag(k.resolved_at.notnull() | (k.reopen_count > 0)),
            resolved=_flag((k.status_category == "resolved") & k.resolved_at.notnull()),
            reopened=_flag(k.reopen_count > 0),
            complaint=_flag(k.is_complaint),
            response_met=_flag(k.first_response_met),
            resolution_met=_flag(k.resolution_met),
        )

    def _fcr_parts(self) -> list[tuple[ir.Table, str]]:
        """Per case: customer-initiated contacts up to resolution, and a repeat within the window."""
        base = self._case_base
        c = self.table("contacts")
        cust = c.filter((c.direction == "inbound") & c.kind.isin(CUSTOMER_KINDS)).select(
            "case_id", "customer_id", "reason_id", arrived_epoch=_epoch(c.arrived_at)
        )
        keyed = base.select(case_id=base.id, r_epoch=base.resolved_epoch)
        before = cust.join(keyed, "case_id").filter(
            lambda t: t.r_epoch.isnull() | (t.arrived_epoch <= t.r_epoch)
        )
        before = before.group_by(id=before.case_id).aggregate(customer_contacts=before.count())
        # A customer-initiated contact about the same reason soon after resolution: a repeat.
        window = float(self.params.fcr_window_days * DAY)
        res = base.filter(base.resolved_epoch.notnull()).select(
            case_id=base.id, rc=base.customer_id, rr=base.reason_id, r_epoch=base.resolved_epoch
        )
        rep = res.join(
            cust, [res.rc == cust.customer_id, res.rr == cust.reason_id,
                   cust.arrived_epoch > res.r_epoch, cust.arrived_epoch <= res.r_epoch + window],
        )
        rep = rep.select(id=rep.case_id).distinct().mutate(repeat_in_window=ibis.literal(1))
        return [(before, "id"), (rep, "id")]

    def _cost_part(self) -> list[tuple[ir.Table, str]]:
        c = self.table("contacts")
        cost = c.filter(c.case_id.notnull()).group_by(id=c.case_id).aggregate(case_cost=c.cost.sum())
        return [(cost, "id")]

    def cases_with(self, needs: frozenset[str] = frozenset()) -> ir.Table:
        """The cases fact; ``needs`` adds the costlier per-case contact columns (fcr, case_cost)."""
        unknown = set(needs) - {"fcr", "case_cost"}
        if unknown:
            raise ValueError(f"needs: unknown case columns {sorted(unknown)}")
        extra = (self._fcr_parts() if "fcr" in needs else []) + (
            self._cost_part() if "case_cost" in needs else [])
        out = self._with_dims(
            self._case_base, *extra,
            (self._customers.select("customer_id", "churned_day"), "customer_id"),
        )
        horizon = self.params.recovery_days
        cols = {"recovered": _flag(out.churned_day.isnull()
                                   | (out.churned_day > out.opened_day + horizon))}
        if "fcr" in needs:
            cols["customer_contacts"] = out.customer_contacts.fill_null(0)
            cols["repeat_in_window"] = out.repeat_in_window.fill_null(0)
        if "case_cost" in needs:
            cols["case_cost"] = out.case_cost.fill_null(0.0)
        return out.mutate(**cols)

    @cached_property
    def cases(self) -> ir.Table:
        return self.cases_with(frozenset({"fcr", "case_cost"}))

    @cached_property
    def surveys(self) -> ir.Table:
        s = self.table("survey_responses")
        c = self.table("contacts").select(
            contact_id="id",
            c_channel="channel_id",
            c_reason="reason_id",
            c_team="team_id",
            c_agent="agent_id",
        )
        k = self.table("cases")
        k = k.select(
            s_case_id=k.id,
            k_channel=k.channel_id,
            k_reason=k.reason_id,
            k_team=k.team_id,
            k_agent=k.assigned_agent_id,
        )
        t = _lookup(s, c, "contact_id")
        t = t.left_join(k, t.case_id == k.s_case_id).drop("s_case_id")
        base = t.select(
            "id",
            "customer_id",
            "contact_id",
            "case_id",
            ts=t.responded_at,
            channel_id=t.c_channel.coalesce(t.k_channel),
            reason_id=t.c_reason.coalesce(t.k_reason),
            team_id=ibis.ifelse(t.contact_id.notnull(), t.c_team, t.k_team),
            agent_id=ibis.ifelse(t.contact_id.notnull(), t.c_agent, t.k_agent),
            csat=t.csat.cast("float64"),
            nps=t.nps.cast("float64"),
            ces=t.ces.cast("float64"),
            expectation=t.expectation.cast("float64"),
            perception=t.perception.cast("float64"),
        )
        return self._with_dims(base)

    @cached_property
    def shifts(self) -> ir.Table:
        s = self.table("agent_shifts")
        a = self._agents
        base = _lookup(s, a, "agent_id")
        base = base.select(
            "id",
            "agent_id",
            "channel_id",
            team_id=base.agent_team_id,
            ts=base.starts_at,
            shift_seconds=_epoch(base.ends_at) - _epoch(base.starts_at),
        )
        t = _lookups(
            base,
            [
                (self._channels.select("channel_id", "channel"), "channel_id"),
                (self._teams, "team_id"),
                (a.select("agent_id", "agent"), "agent_id"),
            ],
        )
        return t.mutate(reason=ibis.null("string"), tier=ibis.null("string"))

    def fact(self, name: str, needs: frozenset[str] = frozenset()) -> ir.Table:
        """The fact view called ``name`` (for cases, with only the extra columns in ``needs``)."""
        if name not in FACTS:
            raise ValueError(f"fact: expected one of {', '.join(FACTS)}, got {name!r}")
        if name == "cases":
            return self.cases_with(frozenset(needs))
        return getattr(self, name)

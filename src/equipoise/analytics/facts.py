"""Fact views over the logical tables, each carrying the same slicing dimensions.

Every fact (contacts, cases, surveys, shifts, qa) exposes ``ts`` (the timestamp that places a row in a
period) and the dimension columns ``channel``, ``reason``, ``tier``, ``team`` and ``agent`` (codes,
null when unknown), so one metric expression can be sliced any way on any Ibis backend.

Each view can be built lean: given the columns a query reads (``wanted``), only the lookups that
provide one of them are joined, so a query by channel never touches the customers table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

#: Dimensions every fact can be sliced by (besides the period).
DIMENSIONS = ("channel", "reason", "tier", "team", "agent")
FACTS = ("contacts", "cases", "surveys", "shifts", "qa")
#: Key column -> (dimension, its reference column) for the lookups whose codes are unique.
REFS = {"channel_id": ("channel", "channel_ref"), "reason_id": ("reason", "reason_ref"),
        "team_id": ("team", "team_ref"), "agent_id": ("agent", "agent_ref")}
#: Columns of the per-case contact parts of the cases fact, by the ``needs`` flag that adds them.
CASE_PARTS = {"fcr": ("customer_contacts", "repeat_in_window"), "case_cost": ("case_cost",)}
#: Survey columns taken from the answered contact (or else the case).
_ROUTED = frozenset({"channel_id", "reason_id", "team_id", "agent_id", "channel", "reason", "team",
                     "agent"})
#: QA-review columns taken from the reviewed contact (or else the case, or else the agent's team).
_QA_ROUTED = frozenset({"channel_id", "reason_id", "team_id", "customer_id", "channel", "reason", "team",
                        "tier"})
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
    """Left-join each lookup table on its key in one flat join chain, without duplicated keys.

    A dimension lookup's own key is kept as ``<dimension>_ref`` (null when no row matched): an
    integer that stands for the dimension's code, cheaper to group by than the code itself.
    """
    temps, refs = [], {}
    j = t
    for i, (dim, key) in enumerate(dims):
        tmp = f"_k{i}_{key}"
        d = dim.rename({tmp: key})
        j = j.left_join(d, t[key] == d[tmp])
        ref = REFS.get(key)
        if ref is not None and ref[0] in dim.columns:
            refs[tmp] = ref[1]
        else:
            temps.append(tmp)
    j = j.drop(*temps)
    return j.rename({new: old for old, new in refs.items()}) if refs else j


def _provides(t: ir.Table, dim: ir.Table, key: str, wanted: frozenset[str] | None) -> bool:
    """Whether joining ``dim`` on ``key`` adds a column the query reads (all when ``wanted`` is None)."""
    if key not in t.columns:
        return False
    return wanted is None or bool((set(dim.columns) - {key}) & wanted)


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
        self._views: dict[tuple[str, frozenset[str], frozenset[str] | None], ir.Table] = {}

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

    def tiers(self) -> ir.Table:
        """``customer_id`` -> ``tier`` of every customer."""
        return self._customers.select("customer_id", "tier")

    def codes(self, dimension: str) -> ir.Table:
        """``ref`` -> ``code`` of a dimension whose codes are unique (channel, reason, team, agent)."""
        table = {"channel": self._channels, "reason": self._reasons, "team": self._teams,
                 "agent": self._agents}[dimension]
        key = f"{dimension}_id"
        return table.select(ref=table[key], code=table[dimension])

    def _with_dims(
        self, t: ir.Table, *extra: tuple[ir.Table, str], wanted: frozenset[str] | None = None
    ) -> ir.Table:
        """``t`` joined to ``extra`` and to the dimension lookups that provide a wanted column."""
        dims = [
            (self._channels, "channel_id"),
            (self._reasons, "reason_id"),
            (self._customers.select("customer_id", "tier"), "customer_id"),
            (self._teams, "team_id"),
            (self._agents.select("agent_id", "agent"), "agent_id"),
        ]
        return _lookups(t, [*(d for d in dims if _provides(t, *d, wanted)), *extra])

    # ---- facts --------------------------------------------------------------------------------
    @cached_property
    def _contact_base(self) -> ir.Table:
        c = self.table("contacts")
        return c.select(
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

    def contacts_with(self, wanted: frozenset[str] | None = None) -> ir.Table:
        """The contacts fact, joining only the lookups that provide a ``wanted`` column."""
        return self._with_dims(self._contact_base, wanted=wanted)

    @cached_property
    def contacts(self) -> ir.Table:
        return self.contacts_with()

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
        cust = c.filter((c.direction == "inbound") & c.kind.isin(CUSTOMER_KINDS))
        # Two different projections (not one shared subquery): a shared one becomes a materialised
        # CTE, which hides the table's statistics from the join planner.
        own = cust.select("case_id", arrived_epoch=_epoch(cust.arrived_at))
        keyed = base.select(case_id=base.id, r_epoch=base.resolved_epoch)
        before = own.join(keyed, "case_id").filter(
            lambda t: t.r_epoch.isnull() | (t.arrived_epoch <= t.r_epoch)
        )
        before = before.group_by(id=before.case_id).aggregate(customer_contacts=before.count())
        # A customer-initiated contact about the same reason soon after resolution: a repeat.
        window = float(self.params.fcr_window_days * DAY)
        res = base.filter(base.resolved_epoch.notnull()).select(
            case_id=base.id, rc=base.customer_id, rr=base.reason_id, r_epoch=base.resolved_epoch
        )
        same = cust.select("customer_id", "reason_id", arrived_epoch=_epoch(cust.arrived_at))
        rep = res.join(
            same, [res.rc == same.customer_id, res.rr == same.reason_id,
                   same.arrived_epoch > res.r_epoch, same.arrived_epoch <= res.r_epoch + window],
        )
        rep = rep.select(id=rep.case_id).distinct().mutate(repeat_in_window=ibis.literal(1))
        return [(before, "id"), (rep, "id")]

    def _cost_part(self) -> list[tuple[ir.Table, str]]:
        c = self.table("contacts")
        cost = c.filter(c.case_id.notnull()).group_by(id=c.case_id).aggregate(case_cost=c.cost.sum())
        return [(cost, "id")]

    def cases_with(
        self, needs: frozenset[str] = frozenset(), wanted: frozenset[str] | None = None
    ) -> ir.Table:
        """The cases fact; ``needs`` adds the costlier per-case contact columns (fcr, case_cost).

        With ``wanted``, only the lookups providing one of those columns are joined (and the
        customers' churn dates only when ``recovered`` is wanted).
        """
        unknown = set(needs) - set(CASE_PARTS)
        if unknown:
            raise ValueError(f"needs: unknown case columns {sorted(unknown)}")
        extra = (self._fcr_parts() if "fcr" in needs else []) + (
            self._cost_part() if "case_cost" in needs else [])
        churn = wanted is None or bool({"recovered", "churned_day"} & wanted)
        if churn:
            extra.append((self._customers.select("customer_id", "churned_day"), "customer_id"))
        out = self._with_dims(self._case_base, *extra, wanted=wanted)
        horizon = self.params.recovery_days
        cols = {}
        if churn:
            cols["recovered"] = _flag(out.churned_day.isnull()
                                      | (out.churned_day > out.opened_day + horizon))
        if "fcr" in needs:
            cols["customer_contacts"] = out.customer_contacts.fill_null(0)
            cols["repeat_in_window"] = out.repeat_in_window.fill_null(0)
        if "case_cost" in needs:
            cols["case_cost"] = out.case_cost.fill_null(0.0)
        return out.mutate(**cols)

    @cached_property
    def cases(self) -> ir.Table:
        return self.cases_with(frozenset({"fcr", "case_cost"}))

    def surveys_with(self, wanted: frozenset[str] | None = None) -> ir.Table:
        """The surveys fact; the answered contact or case is joined only when a query slices by it."""
        s = self.table("survey_responses")
        if wanted is not None and not wanted & _ROUTED:
            base = s.select(
                "id", "customer_id", "contact_id", "case_id", ts=s.responded_at,
                **{k: s[k].cast("float64") for k in ("csat", "nps", "ces", "expectation",
                                                     "perception")},
            )
            return self._with_dims(base, wanted=wanted)
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
        return self._with_dims(base, wanted=wanted)

    @cached_property
    def surveys(self) -> ir.Table:
        return self.surveys_with()

    def qa_with(self, wanted: frozenset[str] | None = None) -> ir.Table:
        """The QA-reviews fact: one row per review, placed in the period by ``reviewed_at``.

        ``agent`` is the reviewed agent. Channel, reason, customer (tier) and team are those of the
        reviewed contact, or else of the reviewed case; the team falls back to the agent's team.
        They are joined only when a query reads one of them.
        """
        q = self.table("qa_reviews")
        if wanted is not None and not wanted & _QA_ROUTED:
            base = q.select("id", "contact_id", "case_id", "agent_id", ts=q.reviewed_at,
                            score=q.score.cast("float64"))
            return self._with_dims(base, wanted=wanted)
        c = self.table("contacts")
        c = c.select(contact_id=c.id, c_channel=c.channel_id, c_reason=c.reason_id, c_team=c.team_id,
                     c_customer=c.customer_id)
        k = self.table("cases")
        k = k.select(case_id=k.id, k_channel=k.channel_id, k_reason=k.reason_id, k_team=k.team_id,
                     k_customer=k.customer_id)
        a = self.table("agents")
        a = a.select(agent_id=a.id, a_team=a.team_id)
        t = _lookups(q, [(c, "contact_id"), (k, "case_id"), (a, "agent_id")])
        base = t.select(
            "id", "contact_id", "case_id", "agent_id",
            ts=t.reviewed_at,
            score=t.score.cast("float64"),
            customer_id=t.c_customer.coalesce(t.k_customer),
            channel_id=t.c_channel.coalesce(t.k_channel),
            reason_id=t.c_reason.coalesce(t.k_reason),
            team_id=t.c_team.coalesce(t.k_team, t.a_team),
        )
        return self._with_dims(base, wanted=wanted)

    @cached_property
    def qa(self) -> ir.Table:
        return self.qa_with()

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

    def fact(
        self, name: str, needs: frozenset[str] = frozenset(), wanted: frozenset[str] | None = None
    ) -> ir.Table:
        """The fact view called ``name`` (for cases, with only the extra columns in ``needs``).

        ``wanted`` (the columns a query reads) makes the view lean: it then holds at least those
        columns and joins no lookup that provides none of them.
        """
        if name not in FACTS:
            raise ValueError(f"fact: expected one of {', '.join(FACTS)}, got {name!r}")
        key = (name, frozenset(needs) if name == "cases" else frozenset(), wanted)
        if key not in self._views:  # expressions are immutable: build each view once
            if name == "cases":
                view = self.cases_with(frozenset(needs), wanted)
            elif name == "contacts":
                view = self.contacts_with(wanted)
            elif name == "qa":
                view = self.qa_with(wanted)
            else:
                view = self.surveys_with(wanted) if name == "surveys" else self.shifts
            self._views[key] = view
        return self._views[key]

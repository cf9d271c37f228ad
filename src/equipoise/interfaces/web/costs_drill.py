"""Cost-to-serve diagnostics as tables, and the drill-down to the customers, cases and agents behind them.

Each diagnostic item names a slice (tier, channel and/or reason); the drill-down lists, 50 per
page and costliest first, the customers and the cases whose contacts in the period fall in that
slice. Question 1 keeps only the flagged customers (cost to serve at least the threshold multiple
of their tier's median); question 5 lists the agents above their channel's median handle time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import pandas as pd

from equipoise.analytics.compute import compute
from equipoise.analytics.diagnostics import DiagnosticSettings, Finding, customer_costs
from equipoise.analytics.facts import Facts
from equipoise.analytics.periods import Period
from equipoise.interfaces.web.format import money, number, percent, seconds
from equipoise.kit.errors import InvalidInput

PAGE_SIZE = 50


@dataclass(frozen=True)
class Names:
    """Display names of the codes (channels, reasons, org units, agents) in declaration order."""

    channel: dict[str, str]
    reason: dict[str, str]
    team: dict[str, str]
    agent: dict[str, str]

    def label(self, dim: str, code: Any) -> str:
        """The name of ``code`` in dimension ``dim`` (the code itself when unknown)."""
        if dim == "tier":
            return str(code).capitalize()
        return getattr(self, dim, {}).get(code, str(code))

    def order(self, dim: str) -> dict[str, int]:
        """Position of each code of ``dim`` in declaration order."""
        return {code: i for i, code in enumerate(getattr(self, dim, {}))}


def lookup_names(facts: Facts) -> Names:
    """Read the names of channels, reasons, org units and agents."""
    def pairs(table: str) -> dict[str, str]:
        t = facts.table(table)
        df = t.order_by("id").select("code", "name").to_pandas()
        return dict(zip(df["code"], df["name"], strict=True))
    return Names(pairs("channels"), pairs("contact_reasons"), pairs("org_units"), pairs("agents"))


# ---- the diagnostic tables ------------------------------------------------------------------
@dataclass(frozen=True)
class Col:
    """A column of a diagnostic table: item key, header, display kind, definition anchor."""

    key: str
    label: str
    kind: str
    href: str | None = None


def _m(slug: str) -> str:
    return f"/definitions#metric-{slug}"


def _d(key: str) -> str:
    return f"#costs-def-{key}"


_TIER, _CHANNEL, _REASON = Col("tier", "Tier", "tier"), Col("channel", "Channel", "channel"), Col(
    "reason", "Reason", "reason")
COLUMNS: dict[int, tuple[Col, ...]] = {
    1: (_TIER, _CHANNEL, Col("customers", "Customers flagged", "count", _d("flagged")),
        Col("channel_cost", "Their cost on the channel", "money0", _m("total_cost")),
        Col("share_of_channel_cost_pct", "Share of channel cost", "percent", _d("share_channel")),
        Col("mean_cost_to_serve", "Their mean cost to serve", "money", _d("customer_cost")),
        Col("tier_median_cost_to_serve", "Tier median cost to serve", "money", _d("customer_cost")),
        Col("multiple_of_tier_median", "Multiple of the median", "multiple", _d("multiple"))),
    2: (_TIER, _CHANNEL, Col("contacts", "Contacts", "count", _m("contacts")),
        Col("customers", "Customers", "count", _m("customers_served")),
        Col("share_of_tier_contacts_pct", "Share of the tier's contacts", "percent", _d("share_tier")),
        Col("cost_per_contact", "Cost per contact", "money", _m("cost_per_contact")),
        Col("csat", "CSAT 4–5", "percent", _m("csat"))),
    3: (_CHANNEL, Col("contacts", "Contacts", "count", _m("contacts")),
        Col("variable_cost", "Contact cost", "money0", _m("total_cost")),
        Col("fixed_cost", "Fixed cost", "money0", _d("fixed")),
        Col("all_in_cost_per_contact", "All-in cost per contact", "money", _d("all_in")),
        Col("csat", "CSAT 4–5", "percent", _m("csat")),
        Col("tier_mix_pct", "Contacts by tier", "mix", _d("tier_mix")),
        Col("top_reasons", "Top reasons", "reasons", _d("top_reasons")),
        Col("net_saving_vs_reference", "Net saving against the main channel", "money0",
            _d("net_saving"))),
    4: (_REASON, Col("from_channel", "From", "channel"), Col("to_channel", "To", "channel"),
        Col("contacts", "Contacts", "count", _m("contacts")),
        Col("cost_per_contact_from", "Cost per contact (from)", "money", _m("cost_per_contact")),
        Col("cost_per_contact_to", "Cost per contact (to)", "money", _m("cost_per_contact")),
        Col("saving_if_all_moved", "Saving if all moved", "money0", _d("saving")),
        Col("csat_from", "CSAT (from)", "percent", _m("csat")),
        Col("csat_to", "CSAT (to)", "percent", _m("csat")),
        Col("fcr_from", "FCR (from)", "percent", _m("fcr")), Col("fcr_to", "FCR (to)", "percent", _m("fcr"))),
    5: (_CHANNEL, Col("contacts", "Contacts", "count", _m("contacts")),
        Col("aht_seconds", "AHT", "seconds", _m("aht")),
        Col("occupancy_pct", "Occupancy", "percent", _m("occupancy")),
        Col("fcr_pct", "FCR", "percent", _m("fcr")),
        Col("transfer_rate_pct", "Transfer rate", "percent", _m("transfer_rate")),
        Col("agents", "Agents", "count", _d("agents")),
        Col("median_agent_aht", "Median agent AHT", "seconds", _d("median_aht")),
        Col("agents_above_median", "Agents above the median", "count", _d("median_aht")),
        Col("hours_freed_at_median_aht", "Hours freed at the median", "hours", _d("hours_freed"))),
    6: (_REASON, Col("contacts", "Contacts", "count", _m("contacts")),
        Col("self_service_contacts", "Self-service contacts", "count", _d("self_service")),
        Col("containment_pct", "Containment", "percent", _d("containment")),
        Col("fcr_by_channel", "FCR by channel", "fcrmap", _m("fcr")),
        Col("fcr_spread_points", "FCR spread", "points", _d("spread")),
        Col("inconsistent", "Inconsistent", "bool", _d("spread"))),
}
#: Query parameters of each question's drill-down, taken from the item's keys.
DRILL_KEYS: dict[int, dict[str, str]] = {
    1: {"tier": "tier", "channel": "channel"}, 2: {"tier": "tier", "channel": "channel"},
    3: {"channel": "channel"}, 4: {"reason": "reason", "channel": "from_channel"},
    5: {"channel": "channel"}, 6: {"reason": "reason"}}


def cell(col: Col, value: Any, names: Names, currency: str) -> str:
    """The item value of ``col`` as display text with units and thousands separators."""
    kind = col.kind
    if kind in ("tier", "channel", "reason"):
        return "–" if value is None else names.label(kind, value)
    if kind in ("money", "money0"):
        return money(value, currency, 0 if kind == "money0" else 2)
    simple = {"count": number, "percent": percent, "seconds": seconds}
    if kind in simple:
        return simple[kind](value)
    if kind == "hours":
        return "–" if value is None else f"{number(value, 1)} h"
    if kind == "points":
        return "–" if value is None else f"{number(value, 1)} pts"
    if kind == "multiple":
        return "–" if value is None else f"{number(value, 1)}×"
    if kind == "bool":
        return "yes" if value else "no"
    if kind == "mix":
        top = sorted(value.items(), key=lambda kv: -kv[1])
        return ", ".join(f"{names.label('tier', t)} {percent(p, 0)}" for t, p in top)
    if kind == "reasons":
        return ", ".join(names.label("reason", r) for r in value)
    if kind == "fcrmap":
        return ", ".join(f"{names.label('channel', c)} {percent(v, 0)}" for c, v in value.items()) or "–"
    raise ValueError(f"kind: unknown column kind {kind!r}")


def table_rows(finding: Finding, names: Names, currency: str) -> list[dict[str, Any]]:
    """The finding's items as rows of display cells, with each row's drill-down parameters."""
    cols, keys = COLUMNS[finding.question], DRILL_KEYS[finding.question]
    return [{"cells": [cell(c, item.get(c.key), names, currency) for c in cols],
             "drill": {p: item[k] for p, k in keys.items()}} for item in finding.items]


# ---- drill-down queries ----------------------------------------------------------------------
@dataclass(frozen=True)
class DrillPage:
    """One page of a drill-down list, costliest first."""

    rows: tuple[dict[str, Any], ...]
    total: int
    page: int
    size: int = PAGE_SIZE

    @property
    def first(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.size + 1

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.size)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def _slice(facts: Facts, period: Period | None, filters: dict[str, str]):
    t = facts.contacts
    if period is not None:
        t = t.filter((t.ts >= period.start) & (t.ts < period.end))
    for key, value in filters.items():
        t = t.filter(t[key] == value)
    return t


def flagged_customers(facts: Facts, period: Period | None, tier: str,
                      settings: DiagnosticSettings = DiagnosticSettings()) -> list[int]:
    """Customers of ``tier`` whose cost to serve is at least the threshold multiple of the tier median."""
    costs = customer_costs(facts, period)
    per = costs[costs["tier"] == tier].groupby("customer_id")["cost"].sum()
    if per.empty:
        return []
    return sorted(int(c) for c in per[per >= settings.cost_multiple * float(per.median())].index)


def _agents_only(t, agents: list[str] | None):
    """Contacts of ``t`` handled by ``agents`` (codes); all of them when None."""
    if agents is None:
        return t
    return t.filter(t.agent.isin(agents) if agents else ibis.literal(False))


def drill_customers(facts: Facts, period: Period | None, filters: dict[str, str], page: int,
                    only: list[int] | None = None, agents: list[str] | None = None) -> DrillPage:
    """Customers with contacts in the slice (handled by ``agents`` when given): contacts, cost in
    the slice, cost to serve overall."""
    t = _agents_only(_slice(facts, period, filters), agents)
    if only is not None:
        t = t.filter(t.customer_id.isin(only) if only else ibis.literal(False))
    g = t.group_by("customer_id").aggregate(contacts=t.count(), cost=t.cost.sum().cast("float64"),
                                           cases=t.case_id.nunique())
    total = int(g.count().to_pandas())
    cu = facts.table("customers").select(cid="id", name="name", ref="external_ref", tier="tier")
    rows = (g.join(cu, g.customer_id == cu.cid)
            .order_by([ibis.desc("cost"), "customer_id"])
            .limit(PAGE_SIZE, offset=(page - 1) * PAGE_SIZE).to_pandas())
    ids = [int(i) for i in rows["customer_id"]]
    everything = _slice(facts, period, {})
    everything = everything.filter(everything.customer_id.isin(ids) if ids else ibis.literal(False))
    overall = everything.group_by("customer_id").aggregate(all_cost=everything.cost.sum().cast(
        "float64")).to_pandas()
    all_cost = dict(zip(overall["customer_id"].astype(int), overall["all_cost"], strict=True))
    out = tuple({"id": int(r.customer_id), "ref": r.ref, "name": r.name, "tier": r.tier,
                 "contacts": int(r.contacts), "cases": int(r.cases), "cost": float(r.cost),
                 "cost_to_serve": all_cost.get(int(r.customer_id))}
                for r in rows.itertuples(index=False))
    return DrillPage(out, total, page)


def drill_cases(facts: Facts, period: Period | None, filters: dict[str, str], page: int,
                only: list[int] | None = None, agents: list[str] | None = None) -> DrillPage:
    """Cases with contacts in the slice (handled by ``agents`` when given): their contacts and cost
    in the slice, status, customer."""
    t = _agents_only(_slice(facts, period, filters), agents)
    t = t.filter(t.case_id.notnull())
    if only is not None:
        t = t.filter(t.customer_id.isin(only) if only else ibis.literal(False))
    g = t.group_by("case_id").aggregate(contacts=t.count(), cost=t.cost.sum().cast("float64"))
    total = int(g.count().to_pandas())
    k = facts.table("cases")
    k = k.select(kid="id", subject="subject", status="status", complaint="is_complaint",
                 opened="opened_at", kcust="customer_id")
    cu = facts.table("customers").select(cid="id", name="name")
    j = g.join(k, g.case_id == k.kid).join(cu, k.kcust == cu.cid)
    rows = (j.order_by([ibis.desc("cost"), "case_id"])
            .limit(PAGE_SIZE, offset=(page - 1) * PAGE_SIZE).to_pandas())
    out = tuple({"id": int(r.case_id), "subject": r.subject, "status": r.status,
                 "complaint": bool(r.complaint), "opened": pd.Timestamp(r.opened).date(),
                 "customer": r.name, "contacts": int(r.contacts), "cost": float(r.cost)}
                for r in rows.itertuples(index=False))
    return DrillPage(out, total, page)


def slow_agents(facts: Facts, period: Period | None, channel: str) -> pd.DataFrame:
    """Agents of ``channel`` above its median agent AHT (agent, answered, aht, median_aht,
    excess_hours), most agent hours above the median first."""
    frame = compute(facts, ["aht", "answered"], period=period, by=["channel", "agent"],
                    filters={"channel": [channel]}).frame
    frame = frame[frame["agent"].notna() & frame["aht"].notna()]
    if frame.empty:
        return frame.assign(median_aht=[], excess_hours=[])
    median = float(frame["aht"].median())
    slow = frame[frame["aht"] > median].copy()
    slow["median_aht"] = median
    slow["excess_hours"] = (slow["aht"] - median) * slow["answered"] / 3600.0
    return slow.sort_values(["excess_hours", "agent"], ascending=[False, True])


def drill_agents(facts: Facts, period: Period | None, channel: str, page: int) -> DrillPage:
    """Agents of ``channel`` above its median agent AHT, by agent hours above the median."""
    slow = slow_agents(facts, period, channel)
    if slow.empty:
        return DrillPage((), 0, page)
    median = float(slow["median_aht"].iloc[0])
    part = slow.iloc[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    out = tuple({"agent": str(r.agent), "answered": float(r.answered), "aht": float(r.aht),
                 "median_aht": median, "excess_hours": float(r.excess_hours)}
                for r in part.itertuples(index=False))
    return DrillPage(out, len(slow), page)


def drill(facts: Facts, period: Period | None, question: int, show: str,
          filters: dict[str, str], page: int) -> DrillPage:
    """The drill-down list ``show`` (customers, cases or agents) of a question's slice."""
    if question == 5:
        if show not in ("agents", "customers", "cases") or "channel" not in filters:
            raise InvalidInput("show: question 5 drills down to the agents of a channel, or the "
                               "customers and cases they handled there", field="show")
        if show == "agents":
            return drill_agents(facts, period, filters["channel"], page)
        agents = [str(a) for a in slow_agents(facts, period, filters["channel"])["agent"]]
        fn = drill_customers if show == "customers" else drill_cases
        return fn(facts, period, filters, page, agents=agents)
    if show not in ("customers", "cases"):
        raise InvalidInput(f"show: expected customers or cases, got {show!r}", field="show")
    only = flagged_customers(facts, period, filters["tier"]) if question == 1 else None
    fn = drill_customers if show == "customers" else drill_cases
    return fn(facts, period, filters, page, only)


#: What each figure of the cost-to-serve page means (anchors ``#costs-def-<key>`` on the page).
DEFINITIONS: dict[str, tuple[str, str]] = {
    "customer_cost": ("Cost to serve of a customer", "Sum of the cost of every contact of the "
                      "customer in the period, all channels, in the currency."),
    "flagged": ("Customers flagged", "Customers of a low tier (low, inactive) whose cost to serve "
                "is at least twice their tier's median and who used this channel; the channel is "
                "staffed and costs at least the overall cost per contact."),
    "share_channel": ("Share of channel cost", "The flagged customers' contact cost on the channel "
                      "as a percent of all contact cost on the channel."),
    "multiple": ("Multiple of the median", "The flagged customers' mean cost to serve divided by "
                 "their tier's median cost to serve."),
    "share_tier": ("Share of the tier's contacts", "Contacts of the tier on this channel as a "
                   "percent of all contacts of the tier. Listed: top- and high-tier cells that "
                   "cost less per contact than average and have CSAT under 80% (5+ answers)."),
    "fixed": ("Fixed cost", "The channel's fixed monthly cost times the months of the period."),
    "all_in": ("All-in cost per contact", "(Contact cost + fixed cost) ÷ contacts of the channel."),
    "tier_mix": ("Contacts by tier", "Percent of the channel's contacts from each customer tier."),
    "top_reasons": ("Top reasons", "The three contact reasons with most contacts on the channel."),
    "net_saving": ("Net saving against the main channel", "For every reason the channel serves: "
                   "contacts × (cost per contact of the reason on the busiest staffed channel − "
                   "cost per contact here), minus the channel's fixed cost; positive = cheaper."),
    "saving": ("Saving if all moved", "Contacts × (cost per contact on the current channel − on "
               "the cheaper eligible channel), for reason/channel cells with 20+ contacts and 5+ "
               "answers where the cheaper channel loses at most 5 points of CSAT and of FCR."),
    "agents": ("Agents", "Agents who answered contacts on the channel in the period."),
    "median_aht": ("Median agent AHT", "The median of the agents' own average handle times on "
                   "the channel; agents above it are counted and listed in the drill-down."),
    "hours_freed": ("Hours freed at the median", "Sum over agents above the median of (their AHT "
                    "− median AHT) × their answered contacts, in agent hours."),
    "self_service": ("Self-service contacts", "Contacts of the reason on automated channels (IVR, "
                     "web self-service)."),
    "containment": ("Containment", "Percent of the reason's self-service contacts that ended "
                    "contained (resolved without an agent)."),
    "spread": ("FCR spread", "Highest minus lowest first-contact resolution of the reason across "
               "channels with 5+ cases, in points; 20+ points counts as inconsistent answers."),
    "slice_cost": ("Cost in the slice", "Cost of the customer's (or case's) contacts in the "
                   "diagnostic's slice (tier, channel, reason) and period."),
}

"""The headline snapshot: contacts, cost and CSAT by channel and by customer tier (Ibis)."""

from __future__ import annotations

from dataclasses import dataclass

import ibis
from ibis.backends import BaseBackend

#: Column definitions shown next to the numbers.
DEFINITIONS = {
    "contacts": "Contacts that arrived in the period (all outcomes), count.",
    "abandon_rate": "Share of contacts that left the queue before an answer, %.",
    "cost": "Sum of contact costs: handle hours x agent loaded hourly cost / channel concurrency "
            "+ technology cost per contact, in the currency.",
    "cost_per_contact": "Cost / contacts, currency per contact.",
    "csat_pct": "Share of survey answers scoring 4 or 5 on the 1-5 CSAT scale, %.",
    "responses": "Survey responses received, count.",
    "customers": "Customers in the tier, count.",
    "cost_per_customer": "Cost / customers in the tier, currency per customer.",
}


@dataclass(frozen=True)
class Snapshot:
    by_channel: list[dict]
    by_tier: list[dict]
    totals: dict


def _csat(con: BaseBackend):
    s = con.table("survey_responses")
    c = con.table("contacts")
    return s.join(c, s.contact_id == c.id).select(
        channel_id=c.channel_id, customer_id=s.customer_id, happy=(s.csat >= 4).ifelse(1, 0)
    )


def snapshot(con: BaseBackend) -> Snapshot:
    """Compute the snapshot on any Ibis backend holding the Equipoise tables."""
    contacts = con.table("contacts")
    channels = con.table("channels")
    customers = con.table("customers")
    csat = _csat(con)
    per_channel = contacts.group_by("channel_id").aggregate(
        contacts=contacts.count(),
        abandoned=contacts.abandoned.ifelse(1, 0).sum(),
        cost=contacts.cost.sum(),
    )
    csat_channel = csat.group_by("channel_id").aggregate(responses=csat.count(), happy=csat.happy.sum())
    ch = (
        channels.left_join(per_channel, channels.id == per_channel.channel_id)
        .left_join(csat_channel, channels.id == csat_channel.channel_id)
        .select(channels.id, channels.code, channels.name, "contacts", "abandoned", "cost", "responses",
                "happy")
        .order_by("id")
    )
    tier_contacts = contacts.join(customers, contacts.customer_id == customers.id).group_by(
        customers.tier).aggregate(contacts=ibis._.count(), cost=ibis._.cost.sum())
    tier_customers = customers.group_by("tier").aggregate(customers=customers.count())
    tier_csat = csat.join(customers, csat.customer_id == customers.id).group_by(customers.tier).aggregate(
        responses=ibis._.count(), happy=ibis._.happy.sum())
    tiers = (
        tier_customers.left_join(tier_contacts, "tier")
        .left_join(tier_csat, "tier")
        .select(tier_customers.tier, "customers", "contacts", "cost", "responses", "happy")
    )
    by_channel = [_derive(r) for r in ch.to_pandas().to_dict("records")]
    order = ["top", "high", "mid", "low", "inactive", "prospect"]
    by_tier = sorted((_derive(r) for r in tiers.to_pandas().to_dict("records")),
                     key=lambda r: order.index(r["tier"]) if r["tier"] in order else 99)
    totals = _derive({
        "contacts": sum(r["contacts"] for r in by_channel),
        "abandoned": sum(r["abandoned"] for r in by_channel),
        "cost": sum(r["cost"] for r in by_channel),
        "responses": sum(r["responses"] for r in by_channel),
        "happy": sum(r["happy"] for r in by_channel),
        "customers": sum(r["customers"] for r in by_tier),
    })
    return Snapshot(by_channel, by_tier, totals)


def _num(v) -> float:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if f != f else f  # NaN from empty joins


def _derive(r: dict) -> dict:
    out = dict(r)
    for k in ("contacts", "abandoned", "responses", "happy", "customers"):
        if k in out:
            out[k] = int(_num(out[k]))
    out["cost"] = round(_num(out.get("cost")), 2)
    n = out.get("contacts", 0)
    out["cost_per_contact"] = round(out["cost"] / n, 2) if n else None
    if "abandoned" in out:
        out["abandon_rate"] = round(100.0 * out["abandoned"] / n, 1) if n else None
    resp = out.get("responses", 0)
    out["csat_pct"] = round(100.0 * out["happy"] / resp, 1) if resp else None
    if out.get("customers"):
        out["cost_per_customer"] = round(out["cost"] / out["customers"], 2)
    return out

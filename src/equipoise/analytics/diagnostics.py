"""Service-layer diagnostics: the six questions of the design, answered with numbers and names.

1. low-value customers consuming high-cost service      4. reasons that could move to a cheaper channel
2. high-value customers on low-cost, low-CSAT service   5. productivity headroom per channel
3. what each channel adds to cost and whom it serves    6. knowledge / self-service effectiveness
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

from equipoise.analytics.compute import compute
from equipoise.analytics.facts import Facts
from equipoise.analytics.periods import Period

LOW_TIERS = ("low", "inactive")
HIGH_TIERS = ("top", "high")


@dataclass(frozen=True)
class DiagnosticSettings:
    """Thresholds of the diagnostics (all editable)."""

    #: A low-tier customer is flagged when their cost to serve is this multiple of the tier median.
    cost_multiple: float = 2.0
    #: CSAT (percent 4-5) below which a high-tier experience counts as low satisfaction.
    csat_floor: float = 80.0
    #: Percentage points of CSAT/FCR a cheaper channel may lose and still be a candidate.
    tolerance_points: float = 5.0
    #: Minimum contacts (and survey answers) in a cell before it is compared.
    min_contacts: int = 20
    min_answers: int = 5
    #: Spread of FCR across channels for one reason that counts as inconsistent, in points.
    inconsistency_points: float = 20.0
    #: Currency code money in the headlines is given in (costs are stored in one currency).
    currency: str = "USD"

    def __post_init__(self) -> None:
        if self.cost_multiple <= 1:
            raise ValueError(f"cost_multiple: expected > 1, got {self.cost_multiple}")
        if self.min_contacts < 1 or self.min_answers < 1:
            raise ValueError("min_contacts and min_answers: expected >= 1")


@dataclass(frozen=True)
class Finding:
    """The answer to one diagnostic question: a sentence, headline numbers and the items involved."""

    question: int
    title: str
    headline: str
    numbers: dict[str, float | int | None] = field(default_factory=dict)
    items: tuple[dict[str, object], ...] = ()

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _num(v: object) -> float | None:
    return None if v is None or pd.isna(v) else float(v)  # type: ignore[arg-type]


def money(value: float, currency: str, *, cents: bool = False, signed: bool = False) -> str:
    """An amount as the rest of the product writes it: ``12,340 USD`` (``+12,340 USD`` when signed)."""
    spec = f"{'+' if signed else ''},.{2 if cents else 0}f"
    return f"{format(value, spec)} {currency}"


def reason_names(facts: Facts) -> dict[str, str]:
    """Contact-reason code -> display name (the code itself when the name is empty)."""
    r = facts.table("contact_reasons").select("code", "name").to_pandas()
    return {str(c): (str(n) if isinstance(n, str) and n.strip() else str(c))
            for c, n in zip(r["code"], r["name"], strict=True)}


def customer_costs(facts: Facts, period: Period | None) -> pd.DataFrame:
    """Contact cost and count per customer and channel, with the customer's tier."""
    t = facts.contacts
    if period is not None:
        t = t.filter((t.ts >= period.start) & (t.ts < period.end))
    return t.group_by("customer_id", "tier", "channel").aggregate(
        cost=t.cost.sum().cast("float64"), contacts=t.count()).to_pandas()


def channel_table(facts: Facts, period: Period | None) -> pd.DataFrame:
    """Per channel: contacts, cost, cost per contact, CSAT, FCR, and whether agents staff it."""
    frame = compute(facts, ["contacts", "total_cost", "cost_per_contact", "csat", "fcr"],
                    period=period, by=["channel"]).frame
    ch = facts.table("channels").select("code", "staffed", "fixed_cost_monthly").to_pandas()
    staffed = {r.code: bool(r.staffed) for r in ch.itertuples(index=False)}
    fixed = {r.code: float(r.fixed_cost_monthly) for r in ch.itertuples(index=False)}
    frame = frame[frame["channel"].notna()].copy()
    frame["staffed"] = [staffed.get(c, False) for c in frame["channel"]]
    frame["fixed_monthly"] = [fixed.get(c, 0.0) for c in frame["channel"]]
    return frame.set_index("channel")


def low_value_high_cost(facts: Facts, period: Period | None,
                        s: DiagnosticSettings = DiagnosticSettings()) -> Finding:
    """Q1: low-tier customers whose cost to serve runs far above their tier's median."""
    costs = customer_costs(facts, period)
    channels = channel_table(facts, period)
    overall = costs["cost"].sum() / max(1, costs["contacts"].sum())
    expensive = sorted(c for c, r in channels.iterrows()
                       if r["staffed"] and (r["cost_per_contact"] or 0) >= overall)
    per_customer = costs.groupby(["customer_id", "tier"], as_index=False)["cost"].sum()
    medians = per_customer.groupby("tier")["cost"].median()
    items = []
    for tier in LOW_TIERS:
        tier_rows = per_customer[per_customer["tier"] == tier]
        if tier_rows.empty:
            continue
        median = float(medians[tier])
        flagged = tier_rows[tier_rows["cost"] >= s.cost_multiple * median]
        for ch in expensive:
            on_ch = costs[(costs["channel"] == ch) & costs["customer_id"].isin(flagged["customer_id"])]
            if on_ch.empty:
                continue
            ch_total = float(costs.loc[costs["channel"] == ch, "cost"].sum())
            who = flagged[flagged["customer_id"].isin(on_ch["customer_id"])]
            items.append({
                "tier": tier, "channel": ch, "customers": int(len(who)),
                "channel_cost": float(on_ch["cost"].sum()),
                "share_of_channel_cost_pct": 100.0 * float(on_ch["cost"].sum()) / ch_total
                if ch_total else None,
                "mean_cost_to_serve": float(who["cost"].mean()),
                "tier_median_cost_to_serve": median,
                "multiple_of_tier_median": float(who["cost"].mean()) / median if median else None,
                "top_customers": [int(x) for x in who.nlargest(5, "cost")["customer_id"]],
            })
    items.sort(key=lambda i: -float(i["channel_cost"]))  # type: ignore[arg-type]
    if items:
        top = items[0]
        headline = (f"low-value customers consuming high-cost service: {top['customers']:,} customers "
                    f"of tier {top['tier']}, {top['share_of_channel_cost_pct']:.0f}% of "
                    f"{top['channel']} cost, cost to serve {top['multiple_of_tier_median']:.1f}x "
                    f"their tier's median")
    else:
        headline = "no low-value customers above the cost threshold on high-cost channels"
    return Finding(1, "Low-value customers consuming high-cost service", headline,
                   {"overall_cost_per_contact": float(overall),
                    "high_cost_channels": len(expensive)}, tuple(items))


def high_value_low_service(facts: Facts, period: Period | None,
                           s: DiagnosticSettings = DiagnosticSettings()) -> Finding:
    """Q2: high-tier contacts handled on cheaper channels with CSAT under the floor."""
    frame = compute(facts, ["contacts", "customers_served", "cost_per_contact", "csat",
                            "survey_responses"], period=period, by=["tier", "channel"]).frame
    overall = compute(facts, ["cost_per_contact"], period=period).total("cost_per_contact") or 0.0
    tier_totals = frame.groupby("tier")["contacts"].sum()
    items = []
    for r in frame.itertuples(index=False):
        if r.tier not in HIGH_TIERS or r.channel is None or pd.isna(r.contacts):
            continue
        cpc, csat = _num(r.cost_per_contact), _num(r.csat)
        if cpc is None or csat is None or cpc >= overall or csat >= s.csat_floor:
            continue
        if (_num(r.survey_responses) or 0) < s.min_answers:
            continue
        items.append({"tier": r.tier, "channel": r.channel, "contacts": int(r.contacts),
                      "customers": int(r.customers_served or 0),
                      "share_of_tier_contacts_pct": 100.0 * float(r.contacts) / float(
                          tier_totals[r.tier]), "cost_per_contact": cpc, "csat": csat})
    items.sort(key=lambda i: -int(i["contacts"]))  # type: ignore[arg-type]
    if items:
        top = items[0]
        headline = (f"high-value customers on low-cost, low-satisfaction service: {top['customers']:,}"
                    f" {top['tier']}-tier customers on {top['channel']} ({top['contacts']:,} contacts, "
                    f"{top['share_of_tier_contacts_pct']:.0f}% of the tier's), CSAT {top['csat']:.0f}% "
                    f"at {money(top['cost_per_contact'], s.currency, cents=True)} per contact")
    else:
        headline = (f"no high-value tier gets cheaper-than-average service with CSAT under "
                    f"{s.csat_floor:.0f}%")
    return Finding(2, "High-value customers receiving low-cost, low-satisfaction service", headline,
                   {"overall_cost_per_contact": overall, "csat_floor": s.csat_floor}, tuple(items))


def channel_contribution(facts: Facts, period: Period | None,
                         s: DiagnosticSettings = DiagnosticSettings()) -> Finding:
    """Q3: each channel's all-in cost, whom it serves, and its cost against the main staffed channel."""
    channels = channel_table(facts, period)
    if channels.empty:
        return Finding(3, "What each channel adds to cost and whom it serves", "no contacts")
    months = len(period.months) if period is not None else 1
    by_tier = compute(facts, ["contacts"], period=period, by=["channel", "tier"]).frame
    by_reason = compute(facts, ["contacts", "cost_per_contact"], period=period,
                        by=["channel", "reason"]).frame
    staffed = channels[channels["staffed"]]
    ref = str(staffed["contacts"].idxmax()) if not staffed.empty else None
    ref_cpc = {r.reason: _num(r.cost_per_contact) for r in by_reason.itertuples(index=False)
               if r.channel == ref}
    items = []
    for ch, r in channels.iterrows():
        tiers = by_tier[by_tier["channel"] == ch]
        reasons = by_reason[by_reason["channel"] == ch]
        fixed = float(r["fixed_monthly"]) * months
        saving = None
        if ref is not None and ch != ref:
            saving = -fixed
            for x in reasons.itertuples(index=False):
                rc = ref_cpc.get(x.reason)
                if rc is not None and _num(x.cost_per_contact) is not None:
                    saving += float(x.contacts) * (rc - float(x.cost_per_contact))
        items.append({
            "channel": ch, "contacts": int(r["contacts"]), "variable_cost": float(r["total_cost"]),
            "fixed_cost": fixed, "all_in_cost_per_contact": (float(r["total_cost"]) + fixed)
            / float(r["contacts"]), "csat": _num(r["csat"]),
            "tier_mix_pct": {str(t.tier): 100.0 * float(t.contacts) / float(r["contacts"])
                             for t in tiers.itertuples(index=False) if t.tier is not None},
            "top_reasons": [str(x) for x in reasons.nlargest(3, "contacts")["reason"]],
            "net_saving_vs_reference": saving, "reference_channel": ref,
        })
    items.sort(key=lambda i: -(i["net_saving_vs_reference"] or 0.0))  # type: ignore[operator]
    best = next((i for i in items if i["net_saving_vs_reference"] is not None), None)
    if best is None:
        headline = "only one staffed channel: nothing to compare"
    else:
        all_in = float(best["variable_cost"]) + float(best["fixed_cost"])  # type: ignore[arg-type]
        net = float(best["net_saving_vs_reference"])  # type: ignore[arg-type]
        headline = (f"{best['channel']} serves {best['contacts']:,} contacts for "
                    f"{money(all_in, s.currency)} all-in (fixed cost included); net saving against "
                    f"serving the same reasons on {ref}: {money(net, s.currency, signed=True)}")
    return Finding(3, "What each channel adds to cost and whom it serves", headline,
                   {"channels": len(items)}, tuple(items))

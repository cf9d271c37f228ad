"""Diagnostics 4-6 (channel shift, productivity, knowledge effectiveness) and the full run."""

from __future__ import annotations

from equipoise.analytics.compute import compute
from equipoise.analytics.diagnostics import (
    DiagnosticSettings,
    Finding,
    _num,
    channel_contribution,
    high_value_low_service,
    low_value_high_cost,
    money,
    reason_names,
)
from equipoise.analytics.facts import Facts
from equipoise.analytics.periods import Period


def eligible_channels(facts: Facts) -> set[tuple[str, str]]:
    """(reason code, channel code) pairs allowed by the contact-reason taxonomy."""
    rc = facts.table("reason_channels")
    r = facts.table("contact_reasons").select(rid="id", reason="code")
    c = facts.table("channels").select(cid="id", channel="code")
    j = rc.join(r, rc.reason_id == r.rid).join(c, rc.channel_id == c.cid)
    df = j.select("reason", "channel").to_pandas()
    return set(zip(df["reason"], df["channel"], strict=True))


def cheaper_channel_moves(facts: Facts, period: Period | None,
                          s: DiagnosticSettings = DiagnosticSettings()) -> Finding:
    """Q4: (reason, channel) volumes that an eligible cheaper channel serves as well."""
    frame = compute(facts, ["contacts", "cost_per_contact", "csat", "survey_responses", "fcr",
                            "cases"], period=period, by=["reason", "channel"]).frame
    tiers = compute(facts, ["contacts"], period=period, by=["reason", "channel", "tier"]).frame
    allowed = eligible_channels(facts)
    cells = {(r.reason, r.channel): r for r in frame.itertuples(index=False)
             if r.reason is not None and r.channel is not None
             and (_num(r.contacts) or 0) >= s.min_contacts
             and (_num(r.survey_responses) or 0) >= s.min_answers}
    items = []
    for (reason, src), a in cells.items():
        best = None
        for (reason_b, dst), b in cells.items():
            if reason_b != reason or dst == src or (reason, dst) not in allowed:
                continue
            gain = float(a.cost_per_contact) - float(b.cost_per_contact)
            if gain <= 0 or float(b.csat) < float(a.csat) - s.tolerance_points:
                continue
            fa, fb = _num(a.fcr), _num(b.fcr)
            if fa is not None and fb is not None and fb < fa - s.tolerance_points:
                continue
            if best is None or gain > best[1]:
                best = (dst, gain, b)
        if best is None:
            continue
        dst, gain, b = best
        mix = tiers[(tiers["reason"] == reason) & (tiers["channel"] == src)]
        items.append({
            "reason": reason, "from_channel": src, "to_channel": dst, "contacts": int(a.contacts),
            "cost_per_contact_from": float(a.cost_per_contact),
            "cost_per_contact_to": float(b.cost_per_contact), "saving_if_all_moved": gain * float(
                a.contacts), "csat_from": float(a.csat), "csat_to": float(b.csat),
            "fcr_from": _num(a.fcr), "fcr_to": _num(b.fcr),
            "contacts_by_tier": {str(t.tier): int(t.contacts) for t in mix.itertuples(index=False)
                                 if t.tier is not None},
        })
    items.sort(key=lambda i: -float(i["saving_if_all_moved"]))  # type: ignore[arg-type]
    total = sum(float(i["saving_if_all_moved"]) for i in items)  # type: ignore[arg-type]
    if items:
        top = items[0]
        name = reason_names(facts).get(str(top["reason"]), str(top["reason"]))
        saving = float(top["saving_if_all_moved"])  # type: ignore[arg-type]
        headline = (f"{len(items)} reason/channel flows could move to a cheaper channel without "
                    f"losing more than {s.tolerance_points:.0f} points of CSAT or FCR, worth up to "
                    f"{money(total, s.currency)}; largest: {name} from {top['from_channel']} to "
                    f"{top['to_channel']} ({top['contacts']:,} contacts, {money(saving, s.currency)})")
    else:
        headline = "no reason has an eligible cheaper channel that serves it as well"
    return Finding(4, "Reasons that could move to a cheaper channel", headline,
                   {"candidates": len(items), "saving_if_all_moved": total}, tuple(items))


def productivity(facts: Facts, period: Period | None,
                 s: DiagnosticSettings = DiagnosticSettings()) -> Finding:
    """Q5: AHT, occupancy, FCR per staffed channel, and hours freed if slow agents reached the median."""
    chans = compute(facts, ["contacts", "aht", "occupancy", "fcr", "transfer_rate"], period=period,
                    by=["channel"]).frame
    agents = compute(facts, ["aht", "answered"], period=period, by=["channel", "agent"]).frame
    agents = agents[agents["agent"].notna() & agents["aht"].notna()]
    items = []
    for r in chans.itertuples(index=False):
        if r.channel is None or _num(r.aht) is None:
            continue
        mine = agents[agents["channel"] == r.channel]
        median = float(mine["aht"].median()) if not mine.empty else None
        slow = mine[mine["aht"] > median] if median is not None else mine.iloc[0:0]
        hours = float(((slow["aht"] - median) * slow["answered"]).sum() / 3600.0) if len(slow) else 0.0
        items.append({
            "channel": r.channel, "contacts": int(r.contacts), "aht_seconds": _num(r.aht),
            "occupancy_pct": _num(r.occupancy), "fcr_pct": _num(r.fcr),
            "transfer_rate_pct": _num(r.transfer_rate), "agents": int(len(mine)),
            "median_agent_aht": median, "agents_above_median": int(len(slow)),
            "hours_freed_at_median_aht": hours,
            "slowest_agents": [str(a) for a in slow.nlargest(3, "aht")["agent"]],
        })
    items.sort(key=lambda i: -float(i["hours_freed_at_median_aht"]))  # type: ignore[arg-type]
    total = sum(float(i["hours_freed_at_median_aht"]) for i in items)  # type: ignore[arg-type]
    if items:
        top = items[0]
        occ = top["occupancy_pct"]
        headline = (f"{total:,.0f} agent hours would be freed if agents above their channel's median "
                    f"AHT reached it; most on {top['channel']} ({top['hours_freed_at_median_aht']:,.0f}"
                    f" h, AHT {top['aht_seconds']:.0f} s, FCR "
                    f"{(top['fcr_pct'] or 0):.0f}%, occupancy "
                    f"{'n/a' if occ is None else f'{occ:.0f}%'})")
    else:
        headline = "no staffed channel with answered contacts"
    return Finding(5, "Productivity headroom per channel (AHT, occupancy, FCR)", headline,
                   {"hours_freed_at_median_aht": total}, tuple(items))


def knowledge_effectiveness(facts: Facts, period: Period | None,
                            s: DiagnosticSettings = DiagnosticSettings()) -> Finding:
    """Q6: self-service containment per reason, reasons without self-service, inconsistent channels."""
    t = facts.contacts
    if period is not None:
        t = t.filter((t.ts >= period.start) & (t.ts < period.end))
    auto = t.filter(t.staffed == 0)
    auto = auto.group_by("reason").aggregate(
        automated=auto.count(),
        contained=(auto.outcome == "contained").cast("int32").sum()).to_pandas()
    reasons = compute(facts, ["contacts"], period=period, by=["reason"]).frame
    fcr = compute(facts, ["fcr", "cases"], period=period, by=["reason", "channel"]).frame
    seen = {r: (int(a), int(c)) for r, a, c in zip(auto["reason"], auto["automated"],
                                                    auto["contained"], strict=True)}
    items: list[dict[str, object]] = []
    for r in reasons.itertuples(index=False):
        if r.reason is None:
            continue
        automated, contained = seen.get(r.reason, (0, 0))
        cells = fcr[(fcr["reason"] == r.reason) & fcr["fcr"].notna()
                    & (fcr["cases"] >= s.min_answers)]
        spread = float(cells["fcr"].max() - cells["fcr"].min()) if len(cells) > 1 else None
        items.append({
            "reason": r.reason, "contacts": int(r.contacts), "self_service_contacts": automated,
            "containment_pct": 100.0 * contained / automated if automated else None,
            "no_self_service": automated == 0,
            "fcr_by_channel": {str(c.channel): float(c.fcr) for c in cells.itertuples(index=False)},
            "fcr_spread_points": spread,
            "inconsistent": spread is not None and spread >= s.inconsistency_points,
        })
    deflecting = sorted((i for i in items if i["containment_pct"] is not None),
                        key=lambda i: -float(i["containment_pct"]))  # type: ignore[arg-type]
    missing = [i for i in items if i["no_self_service"]]
    inconsistent = [i for i in items if i["inconsistent"]]
    parts = []
    if deflecting:
        best = deflecting[0]
        name = reason_names(facts).get(str(best["reason"]), str(best["reason"]))
        parts.append(f"self-service contains {best['containment_pct']:.0f}% of {name} contacts")
    parts.append(f"{len(missing)} of {len(items)} reasons have no self-service use")
    parts.append(f"{len(inconsistent)} reasons differ by {s.inconsistency_points:.0f}+ FCR points "
                 f"across channels")
    return Finding(6, "Knowledge and self-service effectiveness", "; ".join(parts),
                   {"reasons": len(items), "without_self_service": len(missing),
                    "inconsistent": len(inconsistent)}, tuple(items))


def run_diagnostics(facts: Facts, period: Period | None = None,
                    settings: DiagnosticSettings | None = None) -> list[Finding]:
    """Answer all six service-layer questions."""
    s = settings or DiagnosticSettings()
    steps = (low_value_high_cost, high_value_low_service, channel_contribution,
             cheaper_channel_moves, productivity, knowledge_effectiveness)
    return [step(facts, period, s) for step in steps]


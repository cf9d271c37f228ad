"""The KPI declarations: each registered once, with the definition users read next to a number."""

# fmt: off
from __future__ import annotations

import ibis

from equipoise.analytics.registry import (
    Derived,
    Metric,
    Quantile,
    mean_where,
    ratio,
    register,
    share,
    sum_where,
)

HOUR = 3600.0


def _offered(t):
    """Inbound contacts that reached an agent queue: answered or abandoned on a staffed channel."""
    return (t.staffed == 1) & (t.direction == "inbound") & ((t.answered == 1) | (t.abandoned == 1))


def _answered(t):
    return (t.staffed == 1) & (t.direction == "inbound") & (t.answered == 1) & (t.abandoned == 0)


def _contained(t):
    return (t.staffed == 0) & (t.outcome == "contained")


# ---- volume and queue (contacts) ----------------------------------------------------------------
register(Metric(
    "contacts", "Contacts", "count", "neutral",
    "Number of contacts (every channel, inbound and outbound) that arrived in the period.",
    fact="contacts", reduce=lambda t: t.count()))
register(Metric(
    "customers_served", "Customers served", "count", "neutral",
    "Distinct customers with at least one contact in the period.",
    fact="contacts", reduce=lambda t: t.customer_id.nunique()))
register(Metric(
    "offered", "Offered contacts", "count", "neutral",
    "Inbound contacts that reached an agent queue on a staffed channel (answered or abandoned).",
    fact="contacts", reduce=lambda t: sum_where(1, _offered(t))))
register(Metric(
    "answered", "Answered contacts", "count", "neutral",
    "Inbound contacts answered on staffed channels.",
    fact="contacts", reduce=lambda t: sum_where(1, _answered(t))))
register(Metric(
    "asa", "Average speed of answer", "seconds", "lower",
    "Mean seconds waited in queue by inbound contacts answered on staffed channels.",
    fact="contacts", reduce=lambda t: mean_where(t.wait_seconds, _answered(t))))
register(Metric(
    "service_level", "Service level", "percent", "higher",
    "Percent of offered contacts (answered + abandoned, inbound, staffed channels) answered "
    "within their channel's target (channels.service_level_seconds).",
    fact="contacts",
    reduce=lambda t: ratio(sum_where(1, _answered(t) & (t.wait_seconds <= t.sl_seconds)),
                           sum_where(1, _offered(t)), 100.0)))
register(Metric(
    "abandonment_rate", "Abandonment rate", "percent", "lower",
    "Percent of offered contacts (inbound, staffed channels) abandoned before an answer.",
    fact="contacts",
    reduce=lambda t: ratio(sum_where(1, _offered(t) & (t.abandoned == 1)),
                           sum_where(1, _offered(t)), 100.0)))
register(Metric(
    "transfer_rate", "Transfer rate", "percent", "lower",
    "Percent of answered inbound contacts on staffed channels passed to another agent or team.",
    fact="contacts", reduce=lambda t: share(t.transferred, _answered(t))))
register(Metric(
    "aht", "Average handle time", "seconds", "lower",
    "Mean handling seconds (talk/work plus wrap-up) of answered inbound contacts on staffed "
    "channels.",
    fact="contacts", reduce=lambda t: mean_where(t.handle_seconds, _answered(t))))
register(Metric(
    "deflection_rate", "Self-service deflection rate", "percent", "higher",
    "Contacts contained by automated channels as a percent of contained contacts plus inbound "
    "contacts on staffed channels: the share of needs met without an agent.",
    fact="contacts",
    reduce=lambda t: ratio(sum_where(1, _contained(t)),
                           sum_where(1, _contained(t) | ((t.staffed == 1)
                                                         & (t.direction == "inbound"))), 100.0)))
register(Metric(
    "busy_hours", "Agent busy hours", "hours", "neutral",
    "Agent hours spent on answered contacts (inbound and outbound) on staffed channels: handle "
    "seconds divided by the channel's concurrency (a chat agent serves several at once).",
    fact="contacts",
    reduce=lambda t: sum_where(
        t.handle_seconds / t.concurrency,
        (t.staffed == 1) & (t.answered == 1) & (t.abandoned == 0) & t.agent_id.notnull(),
    ).cast("float64") / HOUR))

# ---- cost (contacts) -----------------------------------------------------------------------------
register(Metric(
    "total_cost", "Contact cost", "currency", "lower",
    "Sum of the computed cost of every contact (variable cost; fixed costs are in budgets).",
    fact="contacts", reduce=lambda t: t.cost.sum()))
register(Metric(
    "cost_per_contact", "Cost per contact", "currency", "lower",
    "Contact cost divided by the number of contacts.",
    fact="contacts", reduce=lambda t: ratio(t.cost.sum(), t.count())))
register(Metric(
    "cost_to_serve", "Cost to serve per customer", "currency", "lower",
    "Contact cost divided by the number of distinct customers served in the slice "
    "(slice by tier, channel or reason for cost to serve per tier, channel or reason).",
    fact="contacts", reduce=lambda t: ratio(t.cost.sum(), t.customer_id.nunique())))

# ---- cases ----------------------------------------------------------------------------------------
register(Metric(
    "cases", "Cases", "count", "neutral", "Number of cases opened in the period.",
    fact="cases", reduce=lambda t: t.count()))
register(Metric(
    "first_response_time", "First response time", "hours", "lower",
    "Mean hours from a case's opening to its first response, over cases opened in the period "
    "that have had one.",
    fact="cases", reduce=lambda t: t.response_seconds.mean() / HOUR))
register(Metric(
    "ttr_median", "Time to resolution (median)", "hours", "lower",
    "Median hours from opening to resolution of resolved cases opened in the period (exact, "
    "linearly interpolated).",
    fact="cases",
    quantile=Quantile(lambda t: t.resolution_seconds / HOUR, lambda t: t.resolved == 1, 0.5)))
register(Metric(
    "ttr_p90", "Time to resolution (90th percentile)", "hours", "lower",
    "90th percentile of hours from opening to resolution of resolved cases opened in the period "
    "(exact, linearly interpolated).",
    fact="cases",
    quantile=Quantile(lambda t: t.resolution_seconds / HOUR, lambda t: t.resolved == 1, 0.9)))
register(Metric(
    "resolution_rate", "Resolution rate", "percent", "higher",
    "Percent of cases opened in the period that are resolved now.",
    fact="cases", reduce=lambda t: share(t.resolved)))
register(Metric(
    "resolved_within_3_days", "Resolved within 3 days", "percent", "higher",
    "Percent of resolved cases (opened in the period) resolved within 72 hours of opening.",
    fact="cases",
    reduce=lambda t: ratio(sum_where(1, (t.resolved == 1) & (t.resolution_seconds <= 72 * HOUR)),
                           t.resolved.sum(), 100.0)))
register(Metric(
    "fcr", "First-contact resolution", "percent", "higher",
    "Percent of resolved cases resolved with exactly one customer-initiated contact (inbound, "
    "kind first/repeat/retry, up to resolution) and with no customer-initiated contact about "
    "the same reason from the same customer within the FCR window (default 7 days) after "
    "resolution.",
    fact="cases", needs=frozenset({"fcr"}),
    reduce=lambda t: share(ibis.ifelse((t.customer_contacts == 1) & (t.repeat_in_window == 0), 1, 0),
                           t.resolved == 1)))
register(Metric(
    "reopen_rate", "Reopen rate", "percent", "lower",
    "Percent of cases ever resolved (opened in the period) that were reopened at least once.",
    fact="cases", reduce=lambda t: share(t.reopened, t.ever_resolved == 1)))
register(Metric(
    "sla_response", "SLA attainment (response)", "percent", "higher",
    "Percent of cases with a known first-response SLA outcome that met it.",
    fact="cases", reduce=lambda t: ratio(t.response_met.sum(), t.response_met.count(), 100.0)))
register(Metric(
    "sla_resolution", "SLA attainment (resolution)", "percent", "higher",
    "Percent of cases with a known resolution SLA outcome that met it.",
    fact="cases",
    reduce=lambda t: ratio(t.resolution_met.sum(), t.resolution_met.count(), 100.0)))
register(Metric(
    "complaint_rate", "Complaint rate", "percent", "lower",
    "Percent of cases opened in the period that are complaints.",
    fact="cases", reduce=lambda t: share(t.complaint)))
register(Metric(
    "complaint_resolution_time", "Complaint resolution time", "hours", "lower",
    "Mean hours from opening to resolution of resolved complaint cases opened in the period.",
    fact="cases",
    reduce=lambda t: mean_where(t.resolution_seconds,
                                (t.complaint == 1) & (t.resolved == 1)) / HOUR))
register(Metric(
    "complaint_recovery", "Complaint recovery", "percent", "higher",
    "Percent of complaint cases whose customer had not churned by the end of the recovery "
    "horizon (default 90 days after the complaint was opened). Complaints younger than the "
    "horizon count as recovered so far.",
    fact="cases", reduce=lambda t: share(t.recovered, t.complaint == 1)))
register(Metric(
    "cost_per_resolved_case", "Cost per resolved case", "currency", "lower",
    "Cost of all contacts of resolved cases (opened in the period) divided by their number.",
    fact="cases", needs=frozenset({"case_cost"}),
    reduce=lambda t: ratio(sum_where(t.case_cost, t.resolved == 1), t.resolved.sum())))

# ---- surveys ----------------------------------------------------------------------------------
register(Metric(
    "survey_responses", "Survey responses", "count", "neutral",
    "Number of survey responses received in the period.",
    fact="surveys", reduce=lambda t: t.count()))
register(Metric(
    "csat", "CSAT", "percent", "higher",
    "Percent of CSAT answers (1-5) that are 4 or 5.",
    fact="surveys",
    reduce=lambda t: ratio(sum_where(1, t.csat >= 4), t.csat.count(), 100.0)))
register(Metric(
    "csat_mean", "CSAT (mean)", "score", "higher", "Mean CSAT answer on the 1-5 scale.",
    fact="surveys", reduce=lambda t: t.csat.mean()))
register(Metric(
    "nps", "Net Promoter Score", "points", "higher",
    "Percent of promoters (9-10) minus percent of detractors (0-6) among NPS answers, -100..100.",
    fact="surveys",
    reduce=lambda t: ratio(sum_where(1, t.nps >= 9) - sum_where(1, t.nps <= 6), t.nps.count(),
                           100.0)))
register(Metric(
    "ces", "Customer effort score", "score", "lower",
    "Mean customer effort answer, 1 (very easy) .. 7 (very difficult).",
    fact="surveys", reduce=lambda t: t.ces.mean()))
register(Metric(
    "expectation_gap", "Expectation-perception gap", "points", "higher",
    "Mean of perception minus expectation (both 1-5) over responses giving both: negative when "
    "service fell short of what the customer expected.",
    fact="surveys",
    reduce=lambda t: mean_where(t.perception - t.expectation,
                                t.perception.notnull() & t.expectation.notnull())))

# ---- quality assurance (qa) -------------------------------------------------------------------
register(Metric(
    "qa_score", "QA score", "score", "higher",
    "Mean score (0-100 points on the QA form) of the quality-assurance reviews made in the period. "
    "Sliced by the reviewed agent, and by the channel, reason, team and customer tier of the "
    "reviewed contact (of the reviewed case when a whole case was reviewed).",
    fact="qa", reduce=lambda t: t.score.mean()))

# ---- staffing (shifts) ---------------------------------------------------------------------------
register(Metric(
    "staffed_hours", "Staffed hours", "hours", "neutral",
    "Scheduled (paid) agent hours from agent_shifts, placed in the period by shift start.",
    fact="shifts", reduce=lambda t: t.shift_seconds.sum() / HOUR))
register(Metric(
    "occupancy", "Occupancy", "percent", "neutral",
    "Agent busy hours divided by staffed hours of the same slice, in percent.",
    derived=Derived(("busy_hours", "staffed_hours"),
                    lambda busy, staffed: None if not staffed else 100.0 * busy / staffed)))

"""Measurements of the balance model, as Ibis expressions over the logical tables.

Everything here is lazy: each function returns an Ibis table that runs unchanged on SQLite,
PostgreSQL, DuckDB or Spark. The planning glue executes them and turns the rows into model inputs.

* :func:`cell_contacts`  per (tier, reason, channel) cell, over every inbound contact: volume,
  handle seconds, cost per contact, resolution, wait, abandonment and containment;
* :func:`cell_issues`    per cell, over cases by the channel of their *first* contact: issues,
  first-contact resolution and complaints not recovered within the quick-recovery window;
* :func:`cell_surveys`   per cell and resolution: survey answers, mean CSAT and answers 4-5;
* :func:`customer_months` per active customer and calendar month: the churn-model features
  and whether the customer left at the end of that month;
* :func:`channel_slots`, :func:`channel_staffing`, :func:`tier_customers`,
  :func:`survey_contacts` and the lookups (:func:`channels`, :func:`reasons`,
  :func:`eligibility`) feed the queueing and economics inputs.

Definitions (the words used in every column name):

* an *experienced* contact is an inbound contact the customer was served on: answered and
  neither abandoned nor escalated (an escalation is judged on the contact it escalates to);
* *resolved* is ``outcome`` 'resolved' (staffed) or 'contained' (automated);
* a month is ``year * 12 + month - 1`` of the timestamp (naive local time);
* a customer churns in the month of their last active day (``churned_on`` - 1 day).
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

#: Hours a complaint may stay open and still count as quickly recovered.
QUICK_RECOVERY_HOURS = 48.0
#: Contact kinds counted as the customer's own contacts.
CUSTOMER_KINDS = ("first", "repeat", "retry", "escalation")
#: Survey answers a deficit group needs before its own mean is used (else the coarser group's).
MIN_GROUP_ANSWERS = 10
#: Wait, in multiples of the channel's answer target, above which waiting counts the same.
WAIT_RATIO_CAP = 5


def month_of(ts: ir.TimestampValue | ir.DateValue) -> ir.IntegerValue:
    """Months since year 0 of a timestamp or date (``year * 12 + month - 1``)."""
    return (ts.year().cast("int64") * 12 + ts.month().cast("int64") - 1).name("month")


def _flag(cond: ir.BooleanValue) -> ir.IntegerValue:
    return cond.cast("int32").cast("int64")


def _epoch(col: ir.TimestampValue) -> ir.FloatingValue:
    return col.epoch_seconds().cast("float64")


def contacts_base(con: BaseBackend) -> ir.Table:
    """Inbound contacts with tier, reason and channel codes and the flags the cells use."""
    c = con.table("contacts")
    ch = con.table("channels").select(
        channel_id="id", channel="code", staffed_b="staffed", sl_seconds="service_level_seconds",
        concurrency="concurrency",
    )
    r = con.table("contact_reasons").select(reason_id="id", reason="code")
    cu = con.table("customers").select(customer_id="id", tier="tier")
    t = c.filter(c.direction == "inbound")
    t = t.join(ch, "channel_id").join(r, "reason_id").join(cu, "customer_id")
    escalated = t.outcome == "escalated"
    experienced = t.answered_at.notnull() & ~t.abandoned & ~escalated
    sl = t.sl_seconds.cast("float64")
    ratio = ibis.ifelse(sl > 0, t.wait_seconds.cast("float64") / sl, 0.0)
    return t.select(
        "id", "customer_id", "case_id", "tier", "reason", "channel", "team_id", "kind", "outcome",
        staffed=_flag(t.staffed_b),
        month=month_of(t.arrived_at),
        wait_seconds=t.wait_seconds.cast("float64"),
        handle_seconds=t.handle_seconds.cast("float64"),
        cost=t.cost.cast("float64"),
        abandoned=_flag(t.abandoned),
        transferred=_flag(t.transferred),
        answered=_flag(t.answered_at.notnull() & ~t.abandoned),
        experienced=_flag(experienced),
        resolved=_flag(t.outcome.isin(("resolved", "contained"))),
        unresolved=_flag(t.outcome.isin(("unresolved", "abandoned"))),
        escalated=_flag(escalated),
        wait_bucket=ibis.least(ratio.floor(), WAIT_RATIO_CAP).cast("int64"),
    )


def cell_contacts(con: BaseBackend) -> ir.Table:
    """Per (tier, reason, channel): contacts, handle seconds, cost, resolution, wait, abandonment.

    ``resolution_rate`` is resolved / answered contacts (per-contact resolution, the repeat
    probability of the model); ``containment_rate`` is contained / handled contacts of automated
    channels (null on staffed ones); ``mean_wait_seconds`` and ``abandon_rate`` are over
    contacts that queued for an agent (staffed channels).
    """
    t = contacts_base(con)
    answered = t.answered == 1
    queued = t.staffed == 1
    return t.group_by(["tier", "reason", "channel"]).aggregate(
        contacts=t.count(),
        first_contacts=(t.kind == "first").sum(),
        answered=t.answered.sum(),
        resolved=t.resolved.sum(),
        unresolved=t.unresolved.sum(),
        abandoned=t.abandoned.sum(),
        escalated=t.escalated.sum(),
        mean_handle_seconds=ibis.ifelse(answered, t.handle_seconds, None).mean(),
        cost=t.cost.sum(),
        cost_per_contact=t.cost.mean(),
        cost_per_answered=ibis.ifelse(answered, t.cost, None).mean(),
        resolution_rate=ibis.ifelse(answered, t.resolved.cast("float64"), None).mean(),
        mean_wait_seconds=ibis.ifelse(queued, t.wait_seconds, None).mean(),
        abandon_rate=ibis.ifelse(queued, t.abandoned.cast("float64"), None).mean(),
        containment_rate=ibis.ifelse(~queued, t.resolved.cast("float64"), None).mean(),
    )


def _cases(con: BaseBackend) -> ir.Table:
    k = con.table("cases")
    ch = con.table("channels").select(channel_id="id", channel="code")
    r = con.table("contact_reasons").select(reason_id="id", reason="code")
    cu = con.table("customers").select(customer_id="id", tier="tier")
    t = k.join(ch, "channel_id").join(r, "reason_id").join(cu, "customer_id")
    late = (_epoch(t.resolved_at) - _epoch(t.complained_at)) > QUICK_RECOVERY_HOURS * 3600.0
    slow = t.is_complaint & (t.resolved_at.isnull() | late.fill_null(True))
    return t.select(
        "id", "customer_id", "tier", "reason", "channel",
        complaint=_flag(t.is_complaint),
        slow_complaint=_flag(slow),
        complained_month=month_of(t.complained_at),
    )


def cell_issues(con: BaseBackend) -> ir.Table:
    """Per (tier, reason, first channel): issues (cases), FCR and complaints.

    ``fcr`` is the share of cases whose first contact resolved the need (outcome 'resolved' or
    'contained'); ``slow_complaints`` are complaint cases not resolved within
    :data:`QUICK_RECOVERY_HOURS` of the complaint.
    """
    k = _cases(con)
    first = contacts_base(con)
    first = first.filter(first.kind == "first").select(fc_case="case_id", fc_resolved="resolved")
    t = k.left_join(first, k.id == first.fc_case)
    return t.group_by(["tier", "reason", "channel"]).aggregate(
        issues=t.count(),
        first_resolved=t.fc_resolved.fill_null(0).sum(),
        complaints=t.complaint.sum(),
        slow_complaints=t.slow_complaint.sum(),
    ).mutate(fcr=lambda s: s.first_resolved.cast("float64") / s.issues.cast("float64"))


def _surveyed(con: BaseBackend) -> ir.Table:
    s = con.table("survey_responses")
    s = s.filter(s.csat.notnull() & s.contact_id.notnull())
    per = s.group_by(s_contact="contact_id").aggregate(csat=s.csat.cast("float64").mean())
    return per


def cell_surveys(con: BaseBackend) -> ir.Table:
    """Per (tier, reason, channel, resolved): CSAT answers, their mean and how many were 4-5."""
    t = contacts_base(con)
    s = _surveyed(con)
    j = t.join(s, t.id == s.s_contact)
    return j.group_by(["tier", "reason", "channel", "resolved"]).aggregate(
        answers=j.count(),
        csat_mean=j.csat.mean(),
        satisfied=_flag(j.csat >= 4).sum(),
    ).mutate(csat_top2=lambda x: x.satisfied.cast("float64") / x.answers.cast("float64"))


def survey_contacts(con: BaseBackend) -> ir.Table:
    """Surveyed experienced contacts: tier, reason, channel, kind, resolved, wait, CSAT, satisfied."""
    t = contacts_base(con)
    s = _surveyed(con)
    j = t.join(s, t.id == s.s_contact)
    j = j.filter(j.experienced == 1)
    return j.select(
        "tier", "reason", "channel", "kind", "staffed", "resolved", "csat",
        wait_minutes=j.wait_seconds / 60.0,
        satisfied=_flag(j.csat >= 4),
    )


def reasons(con: BaseBackend) -> ir.Table:
    """Contact reasons that contacts can carry (leaves of the taxonomy) with their complexity."""
    r = con.table("contact_reasons")
    parents = r.filter(r.parent_id.notnull()).select(pid="parent_id").distinct()
    leaves = r.left_join(parents, r.id == parents.pid).filter(lambda t: t.pid.isnull())
    return leaves.select(reason="code", category="category", complexity="complexity")


def eligibility(con: BaseBackend) -> ir.Table:
    """(reason, channel) pairs allowed by the reason's eligible channels."""
    rc = con.table("reason_channels")
    r = con.table("contact_reasons").select(reason_id="id", reason="code")
    ch = con.table("channels").select(channel_id="id", channel="code")
    return rc.join(r, "reason_id").join(ch, "channel_id").select("reason", "channel")


def channels(con: BaseBackend) -> ir.Table:
    """Channels with their cost model and escalation target (codes)."""
    c = con.table("channels")
    target = c.select(esc_id="id", escalates_to="code")
    j = c.left_join(target, c.escalates_to_id == target.esc_id)
    return j.select(
        channel=j.code, staffed=_flag(j.staffed), concurrency=j.concurrency.cast("float64"),
        tech_cost=j.tech_cost_per_contact.cast("float64"),
        fixed_cost_monthly=j.fixed_cost_monthly.cast("float64"),
        sl_seconds=j.service_level_seconds.cast("float64"), escalates_to=j.escalates_to,
    )


def _contact_deficits(con: BaseBackend) -> ir.Table:
    """Experienced contacts with the CSAT deficit max(0, 4 - CSAT): answered, else imputed.

    A contact without a survey answer gets the mean deficit of answered contacts like it (same
    tier, channel, team, outcome, kind, transfer and wait bucket; with fewer than
    :data:`MIN_GROUP_ANSWERS` answers, the mean over its channel and outcome; else overall).
    """
    t = contacts_base(con)
    t = t.filter(t.experienced == 1)
    s = _surveyed(con)
    t = t.left_join(s, t.id == s.s_contact).drop("s_contact")
    t = t.mutate(observed=ibis.cases((t.csat.isnull(), None), (t.csat < 4, 4.0 - t.csat), else_=0.0))
    fine_keys = ["tier", "channel", "team_id", "outcome", "kind", "transferred", "wait_bucket"]
    fine = t.group_by(fine_keys).aggregate(fine_n=t.observed.count(), fine_mean=t.observed.mean())
    coarse = t.group_by(["channel", "outcome"]).aggregate(coarse_mean=t.observed.mean())
    overall = t.aggregate(overall_mean=t.observed.mean())
    j = t.left_join(fine, fine_keys).left_join(coarse, ["channel", "outcome"]).cross_join(overall)
    group = ibis.ifelse(j.fine_n >= MIN_GROUP_ANSWERS, j.fine_mean, j.coarse_mean)
    return j.select(
        "customer_id", "month", "observed",
        deficit=j.observed.coalesce(group, j.overall_mean, 0.0),
    )


def customer_months(con: BaseBackend) -> ir.Table:
    """One row per active, non-prospect customer and month with the churn-model features.

    * ``csat_deficit``: mean over the month's experienced contacts of max(0, 4 - CSAT), the
      answer when surveyed, else imputed (see :func:`_contact_deficits`); 0 without contacts;
    * ``deficit_surveyed``: the same mean over surveyed contacts only (0 without answers);
    * ``unresolved``: contacts that ended unresolved or abandoned;
    * ``complaints``: complaint cases raised in the month and not resolved within
      :data:`QUICK_RECOVERY_HOURS`;
    * ``wait_minutes``: minutes waited in agent queues;
    * ``churned``: 1 when the month is the customer's last.
    """
    t = contacts_base(con)
    months = t.select("month").distinct()
    cu = con.table("customers")
    cu = cu.filter(cu.tier != "prospect")
    last_day = cu.churned_on
    churn_month = month_of(last_day) - _flag(last_day.day() == 1)
    cu = cu.select(
        customer_id="id", tier="tier",
        churn_month=churn_month,
        acquired_month=month_of(cu.acquired_on),
    )
    grid = cu.cross_join(months)
    grid = grid.filter(
        (grid.churn_month.isnull() | (grid.churn_month >= grid.month))
        & (grid.acquired_month.isnull() | (grid.acquired_month <= grid.month))
    )
    per = t.group_by(["customer_id", "month"]).aggregate(
        contacts=t.count(),
        unresolved=t.unresolved.sum(),
        wait_minutes=(ibis.ifelse(t.staffed == 1, t.wait_seconds, 0.0) / 60.0).sum(),
    )
    d = _contact_deficits(con)
    dm = d.group_by(["customer_id", "month"]).aggregate(
        experienced=d.count(),
        csat_deficit=d.deficit.mean(),
        deficit_surveyed=d.observed.mean(),
        surveyed=d.observed.count(),
    )
    k = _cases(con)
    k = k.filter(k.slow_complaint == 1)
    km = k.group_by(customer_id=k.customer_id, month=k.complained_month).aggregate(
        complaints=k.count()
    )
    keys = ["customer_id", "month"]
    j = grid.left_join(per, keys).left_join(dm, keys).left_join(km, keys)
    return j.select(
        "customer_id", "tier", "month",
        contacts=j.contacts.fill_null(0),
        experienced=j.experienced.fill_null(0),
        surveyed=j.surveyed.fill_null(0),
        csat_deficit=j.csat_deficit.fill_null(0.0).cast("float64"),
        deficit_surveyed=j.deficit_surveyed.fill_null(0.0).cast("float64"),
        unresolved=j.unresolved.fill_null(0).cast("int64"),
        complaints=j.complaints.fill_null(0).cast("int64"),
        wait_minutes=j.wait_minutes.fill_null(0.0).cast("float64"),
        churned=_flag(j.churn_month.notnull() & (j.churn_month == j.month)),
    )


def channel_slots(con: BaseBackend) -> ir.Table:
    """Per staffed channel and hour of the week: contacts queued, answered and handle seconds.

    ``weekday`` is 0 (Monday) .. 6; ``hour`` 0..23. Together with the number of weeks observed
    this gives the arrival rate and mean handle time of each hour of the week.
    """
    c = con.table("contacts")
    ch = con.table("channels").select(
        channel_id="id", channel="code", staffed_b="staffed", sl_seconds="service_level_seconds"
    )
    t = c.filter(c.direction == "inbound").join(ch, "channel_id")
    t = t.filter(t.staffed_b)
    answered = t.answered_at.notnull() & ~t.abandoned
    in_target = answered & (t.wait_seconds <= t.sl_seconds)
    return t.group_by(
        ["channel", t.arrived_at.day_of_week.index().name("weekday"),
         t.arrived_at.hour().name("hour")]
    ).aggregate(
        offered=t.count(),
        answered=_flag(answered).sum(),
        abandoned=_flag(t.abandoned).sum(),
        answered_in_target=_flag(in_target).sum(),
        handle_seconds=ibis.ifelse(answered, t.handle_seconds.cast("float64"), 0.0).sum(),
        handle_seconds_sq=ibis.ifelse(answered, t.handle_seconds.cast("float64") ** 2, 0.0).sum(),
        wait_seconds=t.wait_seconds.cast("float64").sum(),
    )


def channel_staffing(con: BaseBackend) -> ir.Table:
    """Per channel: paid agent hours on shift and their loaded cost (hours x hourly cost)."""
    s = con.table("agent_shifts")
    a = con.table("agents").select(agent_id="id", hourly_cost="hourly_cost")
    ch = con.table("channels").select(channel_id="id", channel="code")
    t = s.join(a, "agent_id").join(ch, "channel_id")
    hours = (_epoch(t.ends_at) - _epoch(t.starts_at)) / 3600.0
    return t.group_by("channel").aggregate(
        paid_hours=hours.sum(),
        paid_cost=(hours * t.hourly_cost.cast("float64")).sum(),
        agents=t.agent_id.nunique(),
    )


def tier_customers(con: BaseBackend) -> ir.Table:
    """Per tier and customer segment: customers active at the end of the data, and their margin."""
    cu = con.table("customers")
    active = cu.filter(cu.churned_on.isnull())
    return active.group_by(["tier", "segment"]).aggregate(
        customers=active.count(),
        annual_margin=active.annual_margin.cast("float64").mean(),
    )


def data_window(con: BaseBackend) -> ir.Table:
    """First and last inbound arrival (one row)."""
    c = con.table("contacts")
    c = c.filter(c.direction == "inbound")
    return c.aggregate(first=c.arrived_at.min(), last=c.arrived_at.max(), contacts=c.count())

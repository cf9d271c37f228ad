"""The demo world: customers contact the company month by month, queues form, needs get met or not,
customers answer surveys, complain and churn — all through the rules of ``truth.py``.

Contacts are processed in arrival order from one event heap; follow-ups (repeats, retries,
escalations, field visits) are pushed back onto it, so queue waits always follow from staffing.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

import numpy as np

from equipoise.demo import truth
from equipoise.demo.catalog import (
    AUTOMATION_TEAM,
    CHANNEL_FCR_SHIFT,
    CHANNELS,
    COMPLEXITY_AHT,
    COMPLEXITY_FCR,
    DOW_WEIGHTS,
    GROWTH_PER_MONTH,
    HIGH_TIER_MISROUTE,
    HOUR_WEIGHTS,
    MONTH_WEIGHTS,
    POOL_BY_CODE,
    REASONS,
    TIERS,
)
from equipoise.demo.clock import DAY, HOUR, Horizon, OpeningHours
from equipoise.demo.draws import Draws
from equipoise.demo.pools import PoolQueue
from equipoise.demo.population import Customers
from equipoise.demo.staffing import channel_mix, reason_shares

CH = {c.code: i for i, c in enumerate(CHANNELS)}
FIELD_REASONS = {i for i, r in enumerate(REASONS) if "field" in r.channels}
COMPLAINT_REASON = next(i for i, r in enumerate(REASONS) if r.code == "complaint")


@dataclass(slots=True)
class CaseState:
    customer: int
    reason: int
    channel: int
    opened: float
    priority: str
    is_complaint: bool = False
    complained: float | None = None
    severity: int | None = None
    team: str | None = None
    agent: int | None = None
    first_response: float | None = None
    resolved: float | None = None
    closed: float | None = None
    contacts: int = 0
    unresolved: int = 0
    abandoned: int = 0
    long_wait: bool = False
    reopen_count: int = 0


@dataclass
class WorldLog:
    """Everything the world produced, as rows ready to write."""

    contacts: list[tuple] = field(default_factory=list)
    cases: list[CaseState] = field(default_factory=list)
    surveys: list[tuple] = field(default_factory=list)
    churned_at: np.ndarray | None = None  # seconds on the horizon, inf = still a customer


class World:
    def __init__(self, customers: Customers, horizon: Horizon, rng: np.random.Generator,
                 queues: dict[str, PoolQueue], agents: list) -> None:
        self.c = customers
        self.h = horizon
        self.rng = rng
        self.d = Draws(rng)
        self.queues = queues
        self.agents = agents
        self.hours = [OpeningHours(c.hours, horizon) for c in CHANNELS]
        self.log = WorldLog()
        n = len(customers)
        self.churned_at = np.full(n, np.inf)
        self._heap: list[tuple[float, int, tuple]] = []
        self._seq = 0
        self._mix = [[self._cumulative(channel_mix(t, r)) for r in range(len(REASONS))]
                     for t in range(len(TIERS))]
        self._reset_month()

    @staticmethod
    def _cumulative(mix: dict[str, float]) -> tuple[list[int], list[float]]:
        codes = [CH[c] for c in mix]
        cum = np.cumsum(list(mix.values())).tolist()
        cum[-1] = 1.0
        return codes, cum

    def _reset_month(self) -> None:
        n = len(self.c)
        self.deficit = np.zeros(n)
        self.experienced = np.zeros(n, dtype=int)
        self.unresolved = np.zeros(n, dtype=int)
        self.month_complaints: list[int] = []

    # ---- driving the months -------------------------------------------------------------------
    def run(self, on_month=None) -> WorldLog:
        for m in range(self.h.months):
            self._arrivals_for_month(m)
            month_end = self.h.month_starts[m + 1]
            while self._heap and self._heap[0][0] < month_end:
                t, _, payload = heapq.heappop(self._heap)
                self._contact(t, payload)
            self._churn(month_end)
            if on_month is not None:
                on_month(m + 1)
        self._heap.clear()  # follow-ups that would arrive after the horizon are not observed
        self.log.churned_at = self.churned_at
        return self.log

    def _push(self, t: float, payload: tuple) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (t, self._seq, payload))

    def _arrivals_for_month(self, m: int) -> None:
        t0, t1 = self.h.month_starts[m], self.h.month_starts[m + 1]
        active = np.flatnonzero(self.churned_at > t0)
        season = MONTH_WEIGHTS[self.h.month_date(m).month - 1] * (1 + GROWTH_PER_MONTH) ** m
        rates = np.array([t.contacts_per_month for t in TIERS])[self.c.tier[active]] * season
        counts = self.rng.poisson(rates)
        who = np.repeat(active, counts)
        reasons = self.rng.choice(len(REASONS), size=len(who), p=reason_shares())
        channels = np.empty(len(who), dtype=int)
        u = self.rng.random(len(who))
        for i, (cust, r) in enumerate(zip(who.tolist(), reasons.tolist(), strict=False)):
            codes, cum = self._mix[self.c.tier[cust]][r]
            k = 0
            while u[i] >= cum[k]:
                k += 1
            channels[i] = codes[k]
        times = np.empty(len(who))
        for ch in np.unique(channels):
            sel = np.flatnonzero(channels == ch)
            slots = self.hours[ch].slots_between(t0, t1)
            day = (slots // DAY).astype(int)
            weight = np.array([DOW_WEIGHTS[self.h.weekday(d)] for d in day]) * \
                np.array(HOUR_WEIGHTS)[((slots % DAY) // HOUR).astype(int)]
            pick = self.rng.choice(len(slots), size=len(sel), p=weight / weight.sum())
            times[sel] = np.floor(slots[pick] + self.rng.random(len(sel)) * HOUR)
        for cust, r, ch, t in zip(who.tolist(), reasons.tolist(), channels.tolist(), times.tolist(), strict=False):
            self._push(t, (None, cust, r, ch, "first", None))

    # ---- one contact --------------------------------------------------------------------------
    def _contact(self, t: float, payload: tuple) -> None:
        case_idx, cust, reason, ch, kind, prev = payload
        if self.churned_at[cust] <= t:
            if case_idx is not None:
                self._close(self.log.cases[case_idx], self.churned_at[cust])
            return
        if case_idx is None:
            tier = TIERS[self.c.tier[cust]]
            case = CaseState(cust, reason, ch, t, "urgent" if reason == COMPLAINT_REASON else
                             ("high" if tier.code in ("top", "high") else "normal"))
            if reason == COMPLAINT_REASON:
                case.is_complaint, case.complained, case.severity = True, t, 1 + (self.d.u() < 0.4)
                self.month_complaints.append(len(self.log.cases))
            self.log.cases.append(case)
            case_idx = len(self.log.cases) - 1
        case = self.log.cases[case_idx]
        case.contacts += 1
        spec = CHANNELS[ch]
        if spec.staffed:
            self._staffed(t, case_idx, case, ch, kind, prev)
        else:
            self._automated(t, case_idx, case, ch, kind, prev)

    def _automated(self, t, case_idx, case, ch, kind, prev) -> None:
        spec = CHANNELS[ch]
        reason = REASONS[case.reason]
        handle = float(max(5, round(self.d.lognormal_mean_cv(spec.base_aht, 0.5))))
        end = t + handle
        contained = self.d.u() < reason.containment.get(spec.code, 0.0)
        cid = self._record(case_idx, case, ch, None, AUTOMATION_TEAM, kind, prev, t, None, t, end, 0.0,
                           handle, False, False, "contained" if contained else "escalated",
                           spec.tech_cost)
        if contained:
            latent = spec.csat_base - TIERS[self.c.tier[case.customer]].expectation + \
                truth.CSAT_NOISE * self.d.z()
            self._experience(case, cid, latent, end, prior=case.contacts - 1, escalation=False,
                             resolved=True, wait_ratio=0.0)
            self._resolve(case, end)
            return
        target = spec.escalates_to if spec.escalates_to in reason.channels else "phone"
        delay = 5.0 if spec.code == "ivr" else math.floor(self.d.exponential(600.0))
        arrive = self._when_open(CH[target], end + delay)
        self._push(arrive, (case_idx, case.customer, case.reason, CH[target], "escalation", cid))

    def _staffed(self, t, case_idx, case, ch, kind, prev) -> None:
        spec = CHANNELS[ch]
        tier = TIERS[self.c.tier[case.customer]]
        pool = self._route(spec.code, tier.code)
        queue = self.queues[pool.code]
        got = queue.acquire(t)
        patience = math.inf if spec.mean_patience is None else \
            math.floor(self.d.exponential(spec.mean_patience * tier.patience_factor))
        if got is None or got[0] - t > patience:
            if got is not None:
                queue.put_back(got[1])
            end = t + (patience if math.isfinite(patience) else 0.0)
            cid = self._record(case_idx, case, ch, None, pool.team, kind, prev, t, t, None, end,
                               end - t, 0.0, True, False, "abandoned", spec.tech_cost)
            case.abandoned += 1
            self.unresolved[case.customer] += 1
            self._maybe_complain(case, case_idx, end)
            if case.contacts < truth.MAX_CONTACTS_PER_CASE and self.d.u() < truth.RETRY_PROBABILITY:
                retry = self._when_open(ch, math.floor(end + self.d.exponential(1200.0)))
                self._push(retry, (case_idx, case.customer, case.reason, ch, "retry", cid))
            else:
                self._close(case, end)
            return
        start, entry = got
        agent = self.agents[entry[2] - 1]
        reason = REASONS[case.reason]
        transferred = self.d.u() < truth.TRANSFER_PROBABILITY
        mean = spec.base_aht * pool.aht_factor * agent.speed * \
            (1.0 if spec.code == "field" else COMPLEXITY_AHT[reason.complexity])
        mean *= (1.3 if transferred else 1.0) * (1.15 if kind == "escalation" else 1.0)
        handle = float(max(10, round(self.d.lognormal_mean_cv(mean, 0.6))))
        end = start + handle
        queue.release(entry, end)
        p_fcr = COMPLEXITY_FCR[reason.complexity] + CHANNEL_FCR_SHIFT[spec.code] + pool.fcr_shift + \
            agent.fcr_skill - (0.10 if transferred else 0.0)
        resolved = self.d.u() < min(0.97, max(0.05, p_fcr))
        wait = start - t
        cost = handle / HOUR * agent.hourly_cost / spec.concurrency + spec.tech_cost
        cid = self._record(case_idx, case, ch, entry[2], pool.team, kind, prev, t, t, start, end, wait,
                           handle, False, transferred, "resolved" if resolved else "unresolved", cost)
        if case.first_response is None:
            case.first_response = start
        case.team, case.agent = case.team or pool.team, entry[2]
        ratio = wait / spec.sl_seconds
        case.long_wait = case.long_wait or ratio > 2.0
        level = truth.satisfaction_level(
            csat_base=spec.csat_base, csat_shift=pool.csat_shift, resolved=resolved, wait_ratio=ratio,
            transferred=transferred, escalation=kind == "escalation", prior_contacts=case.contacts - 1,
            expectation=tier.expectation)
        latent = level + truth.CSAT_NOISE * self.d.z()
        self._experience(case, cid, latent, end, prior=case.contacts - 1, escalation=kind == "escalation",
                         resolved=resolved, wait_ratio=ratio)
        if resolved:
            self._resolve(case, end)
            if self.d.u() < truth.REOPEN_PROBABILITY:
                back = self._when_open(ch, math.floor(end + self.d.exponential(3 * DAY)))
                case.reopen_count += 1
                self._push(back, (case_idx, case.customer, case.reason, ch, "repeat", cid))
            return
        case.unresolved += 1
        self.unresolved[case.customer] += 1
        self._maybe_complain(case, case_idx, end)
        if case.contacts >= truth.MAX_CONTACTS_PER_CASE or self.d.u() >= truth.REPEAT_PROBABILITY:
            self._close(case, end)
            return
        if case.reason in FIELD_REASONS and spec.code != "field" and \
                self.d.u() < truth.FIELD_ESCALATION_PROBABILITY:
            visit = self._when_open(CH["field"], math.floor(end + self.d.exponential(DAY)))
            self._push(visit, (case_idx, case.customer, case.reason, CH["field"], "escalation", cid))
            return
        nxt = ch if self.d.u() < 0.6 or spec.code == "field" else self._pick_channel(case)
        if CHANNELS[nxt].code == "field":
            nxt = CH["phone"]
        back = self._when_open(nxt, math.floor(end + self.d.lognormal_mean_cv(1.5 * DAY, 1.0)))
        self._push(back, (case_idx, case.customer, case.reason, nxt, "repeat", cid))

    # ---- helpers --------------------------------------------------------------------------------
    def _route(self, channel: str, tier: str):
        if channel == "phone":
            premier = tier == "top" or (tier == "high" and self.d.u() >= HIGH_TIER_MISROUTE)
            return POOL_BY_CODE["phone_premier" if premier else "phone_general"]
        return POOL_BY_CODE[channel]

    def _when_open(self, ch: int, t: float) -> float:
        """When a follow-up due at ``t`` happens: then if open, else spread over the next opening."""
        hours = self.hours[ch]
        opens = hours.next_open(t)
        if opens == t:
            return t
        return hours.next_open(opens + math.floor(self.d.exponential(3 * HOUR)))

    def _pick_channel(self, case: CaseState) -> int:
        codes, cum = self._mix[self.c.tier[case.customer]][case.reason]
        k = self.d.choice(cum)
        code = CHANNELS[codes[k]].code
        return CH["phone"] if code in ("ivr", "self_service") else codes[k]

    def _record(self, case_idx, case, ch, agent, team, kind, prev, arrived, queued, answered, ended,
                wait, handle, abandoned, transferred, outcome, cost) -> int:
        cid = len(self.log.contacts) + 1
        self.log.contacts.append((cid, case_idx + 1, case.customer + 1, ch, case.reason, agent, team,
                                  kind, prev, arrived, queued, answered, ended, wait, handle, abandoned,
                                  transferred, outcome, cost))
        return cid

    def _experience(self, case, cid, latent, end, *, prior, escalation, resolved, wait_ratio) -> None:
        cust = case.customer
        self.deficit[cust] += max(0.0, 4.0 - latent)
        self.experienced[cust] += 1
        if self.d.u() >= truth.SURVEY_RESPONSE_RATE:
            return
        responded = end + math.floor(self.d.exponential(5 * HOUR)) + 60.0
        if responded >= self.h.end:
            return
        tier = TIERS[self.c.tier[cust]]
        csat = truth.csat_score(latent)
        nps = int(min(10, max(0, round(2.0 * latent - 1.0 + 1.2 * self.d.z()))))
        ces = int(min(7, max(1, round(1.0 + 0.8 * prior + (0.0 if resolved else 1.5) +
                                      0.6 * min(wait_ratio, 3.0) + (0.8 if escalation else 0.0) +
                                      0.7 * self.d.z()))))
        expectation = int(min(5, max(1, round(3.5 + 2.0 * tier.expectation + 0.6 * self.d.z()))))
        perception = int(min(5, max(1, round(latent + tier.expectation - 0.3 + 0.6 * self.d.z()))))
        self.log.surveys.append((cid, cust + 1, end, responded, csat, nps, ces, expectation, perception))

    def _maybe_complain(self, case: CaseState, case_idx: int, when: float) -> None:
        if case.is_complaint:
            return
        z = truth.complaint_log_odds(case.unresolved, case.abandoned, case.long_wait)
        if self.d.u() < 1.0 / (1.0 + math.exp(-z)):
            case.is_complaint, case.complained = True, when
            case.severity = 1 + (self.d.u() < 0.4) + (self.d.u() < 0.15)
            self.month_complaints.append(case_idx)

    def _resolve(self, case: CaseState, when: float) -> None:
        case.resolved = when
        case.closed = None

    def _close(self, case: CaseState, when: float) -> None:
        if case.resolved is None and case.closed is None:
            case.closed = when

    def _churn(self, month_end: float) -> None:
        n = len(self.c)
        slow = np.zeros(n, dtype=int)
        for idx in self.month_complaints:
            case = self.log.cases[idx]
            quick = case.resolved is not None and case.resolved <= month_end and \
                case.resolved - case.complained <= truth.QUICK_RECOVERY_HOURS * HOUR
            if not quick:
                slow[case.customer] += 1
        deficit = np.divide(self.deficit, self.experienced, out=np.zeros(n), where=self.experienced > 0)
        intercept = np.array([t.churn_intercept if t.churn_intercept is not None else -np.inf
                              for t in TIERS])[self.c.tier]
        logit = intercept + truth.BETA_DEFICIT * deficit + truth.BETA_UNRESOLVED * self.unresolved + \
            truth.BETA_COMPLAINT * slow
        p = 1.0 / (1.0 + np.exp(-logit))
        draw = self.rng.random(n)
        leaving = (self.churned_at == np.inf) & (draw < p)
        self.churned_at[leaving] = month_end
        self._reset_month()

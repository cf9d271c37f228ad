"""The planted truth of the demo company: the cause-and-effect the analytics must recover.

Everything the generator decides at random goes through the functions and constants here, so a test
(or a reader) can know exactly what is true of the data:

**Experienced satisfaction of a contact** (latent, on the 1–5 CSAT scale)::

    s = csat_base[channel] + pool.csat_shift
        + RESOLVED_EFFECT * resolved                     (unresolved: UNRESOLVED_EFFECT instead)
        + WAIT_EFFECT * min(wait / channel target, WAIT_CAP)
        + TRANSFER_EFFECT * transferred + ESCALATION_EFFECT * (kind == 'escalation')
        + REPEAT_EFFECT * (earlier contacts on the case) - expectation[tier]
    csat_latent = s + Normal(0, CSAT_NOISE);  CSAT = clip(round(csat_latent), 1, 5)

Abandoned contacts have s = ABANDONED_LEVEL and get no survey. A survey is answered for a share
``SURVEY_RESPONSE_RATE`` of answered contacts.

**Churn** is a discrete-time monthly hazard for every active, non-prospect customer::

    logit h = churn_intercept[tier] + BETA_DEFICIT * D + BETA_UNRESOLVED * U + BETA_COMPLAINT * K

with D = mean over the month's answered contacts of max(0, 4 - csat_latent) (0 without contacts),
U = the month's contacts that ended unresolved or abandoned, and K = complaint cases opened in the month
that were not resolved within ``QUICK_RECOVERY_HOURS``. A churned customer's ``churned_on`` is the
first day of the next month; nothing of theirs arrives after it.

**QA reviews**: a share ``QA_REVIEW_RATE`` of the contacts an agent handled (answered, not
abandoned) is reviewed, ``QA_REVIEW_DELAY`` after the contact ended, by one of ``QA_REVIEWERS``::

    qa_latent = QA_BASE + QA_SKILL_SLOPE * agent.fcr_skill
                + QA_UNRESOLVED_EFFECT * (outcome != 'resolved') + QA_TRANSFER_EFFECT * transferred
                + Normal(0, QA_NOISE);   score = clip(round(qa_latent), 0, 100)

so agents with a higher planted FCR skill (who also resolve more at first contact) score higher.
The draws use their own random stream (seed, ``QA_STREAM``): the rest of the company is the same
with or without them.

**Other planted facts**: value concentration (margins lognormal, sigma ``MARGIN_SIGMA``, tiers cut by
rank); low-tier customers phone-heavy; ``catalog.HIGH_TIER_MISROUTE`` of high-tier calls go to the
outsourced pool (lower FCR and CSAT); Monday 09–12 understaffing on that pool; one branch target that
does not add up to its children (``BUDGET_MISMATCH``).
"""

from __future__ import annotations

import math

RESOLVED_EFFECT = 0.0
UNRESOLVED_EFFECT = -1.3
WAIT_EFFECT = -0.25
WAIT_CAP = 5.0
TRANSFER_EFFECT = -0.30
ESCALATION_EFFECT = -0.40
REPEAT_EFFECT = -0.35
ABANDONED_LEVEL = 2.0
CSAT_NOISE = 0.70
SURVEY_RESPONSE_RATE = 0.20

BETA_DEFICIT = 0.60
BETA_UNRESOLVED = 0.35
BETA_COMPLAINT = 1.20
QUICK_RECOVERY_HOURS = 48.0

MARGIN_SIGMA = 1.6
MARGIN_MEDIAN = 900.0  # currency per year, for an active customer

#: Probability that an unresolved contact is followed by a repeat contact on the same case.
REPEAT_PROBABILITY = 0.85
#: Probability that an abandoned contact is retried.
RETRY_PROBABILITY = 0.60
#: Probability that a resolved case comes back (reopened) within a week.
REOPEN_PROBABILITY = 0.04
#: Probability that an unresolved technical contact is escalated to a field visit.
FIELD_ESCALATION_PROBABILITY = 0.5
#: Probability that an agent transfers the contact.
TRANSFER_PROBABILITY = 0.06
#: A case is closed unresolved after this many contacts.
MAX_CONTACTS_PER_CASE = 5
#: QA reviews (see the module docstring).
QA_REVIEW_RATE = 0.03
QA_BASE = 82.0
QA_SKILL_SLOPE = 150.0  # points per unit of fcr_skill (sd 0.04): about 6 points per sd
QA_UNRESOLVED_EFFECT = -8.0
QA_TRANSFER_EFFECT = -4.0
QA_NOISE = 6.0
QA_REVIEW_DELAY = (3_600.0, 5 * 86_400.0)  # uniform, seconds after the contact ended
QA_REVIEWERS = ("QA analyst 1", "QA analyst 2", "QA analyst 3")
QA_STREAM = 9_127
#: (month index, branch code, factor): a branch target set above the sum of its children.
BUDGET_MISMATCH = (2, "B-SOUTH", 1.05)
#: Monday hours when the outsourced pool is understaffed (square-root safety factor forced to 0).
UNDERSTAFFED_MONDAY_HOURS = (9, 10, 11)


def satisfaction_level(
    *, csat_base: float, csat_shift: float, resolved: bool, wait_ratio: float, transferred: bool,
    escalation: bool, prior_contacts: int, expectation: float,
) -> float:
    """Noise-free experienced satisfaction of one answered contact (see the module docstring)."""
    return (
        csat_base + csat_shift
        + (RESOLVED_EFFECT if resolved else UNRESOLVED_EFFECT)
        + WAIT_EFFECT * min(wait_ratio, WAIT_CAP)
        + (TRANSFER_EFFECT if transferred else 0.0)
        + (ESCALATION_EFFECT if escalation else 0.0)
        + REPEAT_EFFECT * prior_contacts
        - expectation
    )


def qa_level(*, fcr_skill: float, resolved: bool, transferred: bool) -> float:
    """Noise-free QA score of one reviewed contact (see the module docstring)."""
    return (QA_BASE + QA_SKILL_SLOPE * fcr_skill + (0.0 if resolved else QA_UNRESOLVED_EFFECT)
            + (QA_TRANSFER_EFFECT if transferred else 0.0))


def qa_score(latent: float) -> int:
    """The 0–100 points a reviewer gives for this latent quality."""
    return int(min(100, max(0, round(latent))))


def csat_score(latent: float) -> int:
    """The 1–5 answer a customer with this latent satisfaction gives."""
    return int(min(5, max(1, round(latent))))


def churn_log_odds(intercept: float, deficit: float, unresolved: int, slow_complaints: int) -> float:
    """Monthly churn log-odds (the planted hazard)."""
    return intercept + BETA_DEFICIT * deficit + BETA_UNRESOLVED * unresolved + BETA_COMPLAINT * slow_complaints


def churn_probability(intercept: float, deficit: float, unresolved: int, slow_complaints: int) -> float:
    """Monthly churn probability (logistic of :func:`churn_log_odds`)."""
    return 1.0 / (1.0 + math.exp(-churn_log_odds(intercept, deficit, unresolved, slow_complaints)))


def complaint_log_odds(unresolved_contacts: int, abandoned_contacts: int, long_wait: bool) -> float:
    """Log-odds that a (non-complaint-reason) case turns into a complaint."""
    return -5.2 + 0.9 * unresolved_contacts + 0.6 * abandoned_contacts + (0.5 if long_wait else 0.0)

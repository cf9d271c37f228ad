"""The demo company's fixed facts: organisation, channels, contact reasons, tiers and routing.

Figures follow the published ranges in DESIGN §2. Everything here is data; the behaviour that turns it
into contacts lives in ``world.py`` and the planted cause-and-effect in ``truth.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WEEKDAYS_6 = {str(d): [8, 20] for d in range(6)} | {"6": None}  # Mon–Sat 08–20
ALWAYS = {str(d): [0, 24] for d in range(7)}
OFFICE = {str(d): [8, 18] for d in range(5)} | {"5": None, "6": None}  # Mon–Fri 08–18


@dataclass(frozen=True)
class ChannelSpec:
    code: str
    name: str
    staffed: bool
    concurrency: float
    tech_cost: float  # currency per contact
    fixed_cost_monthly: float
    sl_seconds: float  # answer-time target
    hours: dict[str, list[int] | None]
    base_aht: float  # seconds of handling for a 'standard' reason
    mean_patience: float | None  # seconds; None = never abandons (written channels)
    csat_base: float  # channel's latent satisfaction level (truth.py)
    escalates_to: str | None = None


CHANNELS: tuple[ChannelSpec, ...] = (
    ChannelSpec("phone", "Phone (agent)", True, 1.0, 1.80, 12_000, 30, WEEKDAYS_6, 480, 180, 4.60),
    ChannelSpec("ivr", "IVR (automated voice)", False, 1.0, 0.60, 3_000, 0, ALWAYS, 150, None, 4.30,
                escalates_to="phone"),
    ChannelSpec("email", "Email", True, 1.0, 0.40, 1_500, 86_400, ALWAYS, 420, None, 4.20),
    ChannelSpec("chat", "Live chat", True, 2.5, 0.90, 2_500, 300, WEEKDAYS_6, 660, 300, 4.50),
    ChannelSpec("self_service", "Web self-service", False, 1.0, 0.35, 4_000, 0, ALWAYS, 240, None, 4.40,
                escalates_to="chat"),
    ChannelSpec("field", "Field visit", True, 1.0, 40.00, 6_000, 172_800, OFFICE, 5_400, None, 4.80),
    ChannelSpec("social", "Social media", True, 2.0, 0.60, 800, 14_400, ALWAYS, 360, None, 4.10),
)
CHANNEL_BY_CODE = {c.code: c for c in CHANNELS}


@dataclass(frozen=True)
class ReasonSpec:
    code: str
    name: str
    category: str
    complexity: str  # simple | standard | complex
    channels: tuple[str, ...]  # eligible channels (field only by escalation)
    containment: dict[str, float] = field(default_factory=dict)  # automated channel -> rate


REASONS: tuple[ReasonSpec, ...] = (
    ReasonSpec("billing_question", "Billing question", "billing", "simple",
               ("phone", "ivr", "email", "chat", "self_service", "social"),
               {"ivr": 0.45, "self_service": 0.55}),
    ReasonSpec("payment_arrangement", "Payment arrangement", "billing", "standard",
               ("phone", "ivr", "email", "chat", "self_service"), {"ivr": 0.35, "self_service": 0.40}),
    ReasonSpec("invoice_dispute", "Invoice dispute", "billing", "complex", ("phone", "email", "chat")),
    ReasonSpec("order_status", "Order status", "orders", "simple",
               ("phone", "ivr", "email", "chat", "self_service", "social"),
               {"ivr": 0.70, "self_service": 0.75}),
    ReasonSpec("order_change", "Order change", "orders", "standard",
               ("phone", "email", "chat", "self_service"), {"self_service": 0.30}),
    ReasonSpec("returns_refund", "Return or refund", "orders", "standard",
               ("phone", "email", "chat", "self_service"), {"self_service": 0.35}),
    ReasonSpec("technical_fault", "Technical fault", "technical", "complex",
               ("phone", "email", "chat", "field")),
    ReasonSpec("installation", "Installation", "technical", "complex", ("phone", "email", "field")),
    ReasonSpec("how_to", "How-to question", "technical", "simple",
               ("phone", "email", "chat", "self_service", "social"), {"self_service": 0.60}),
    ReasonSpec("account_access", "Account access", "account", "simple",
               ("phone", "ivr", "chat", "self_service"), {"ivr": 0.50, "self_service": 0.65}),
    ReasonSpec("contract_renewal", "Contract renewal", "account", "standard", ("phone", "email", "chat")),
    ReasonSpec("cancellation", "Cancellation request", "account", "standard", ("phone", "email", "chat")),
    ReasonSpec("complaint", "Complaint", "feedback", "complex", ("phone", "email", "chat", "social")),
)
REASON_BY_CODE = {r.code: r for r in REASONS}
REASON_WEIGHTS = {
    "billing_question": 16, "payment_arrangement": 6, "invoice_dispute": 5, "order_status": 15,
    "order_change": 7, "returns_refund": 8, "technical_fault": 10, "installation": 3, "how_to": 10,
    "account_access": 9, "contract_renewal": 4, "cancellation": 3, "complaint": 4,
}
COMPLEXITY_AHT = {"simple": 0.7, "standard": 1.0, "complex": 1.5}
COMPLEXITY_FCR = {"simple": 0.86, "standard": 0.74, "complex": 0.58}
CHANNEL_FCR_SHIFT = {"phone": 0.03, "chat": 0.0, "email": -0.08, "social": -0.10, "field": 0.30}


@dataclass(frozen=True)
class TierSpec:
    code: str
    population_share: float  # share of customers, by rank of margin
    contacts_per_month: float  # first contacts per customer per month
    expectation: float  # how much better than average service the tier expects (truth.py)
    channel_mix: dict[str, float]  # today's first-contact channel choice
    churn_intercept: float | None  # monthly churn log-odds at a perfect experience (truth.py)
    patience_factor: float = 1.0


TIERS: tuple[TierSpec, ...] = (
    TierSpec("top", 0.01, 1.20, 0.50,
             {"phone": .62, "chat": .15, "email": .15, "self_service": .04, "ivr": .02, "social": .02},
             -5.8, 1.5),
    TierSpec("high", 0.09, 0.80, 0.30,
             {"phone": .50, "chat": .18, "email": .14, "self_service": .10, "ivr": .05, "social": .03},
             -5.4, 1.2),
    TierSpec("mid", 0.20, 0.50, 0.10,
             {"phone": .40, "chat": .20, "email": .12, "self_service": .15, "ivr": .08, "social": .05},
             -5.0),
    TierSpec("low", 0.40, 0.35, 0.0,
             {"phone": .55, "chat": .10, "email": .08, "self_service": .12, "ivr": .10, "social": .05},
             -4.6),
    TierSpec("inactive", 0.20, 0.05, 0.0,
             {"phone": .35, "chat": .10, "email": .15, "self_service": .25, "ivr": .10, "social": .05},
             -4.0),
    TierSpec("prospect", 0.10, 0.10, 0.10,
             {"phone": .30, "chat": .35, "email": .20, "self_service": .10, "social": .05}, None, 0.8),
)
TIER_BY_CODE = {t.code: t for t in TIERS}
TIER_PRIORITY = {"top": "high", "high": "high"}  # everything else: normal


@dataclass(frozen=True)
class PoolSpec:
    """An agent pool: the agents of one team working one channel, with their own queue."""

    code: str
    channel: str
    team: str
    hourly_cost: float
    sourcing: str
    staffing_beta: float  # square-root staffing safety factor (higher = shorter waits)
    fcr_shift: float = 0.0
    csat_shift: float = 0.0
    aht_factor: float = 1.0
    slots_per_agent: tuple[int, ...] = (1,)


POOLS: tuple[PoolSpec, ...] = (
    PoolSpec("phone_premier", "phone", "T-PREMIER", 62.0, "in_house_onshore", 1.6),
    PoolSpec("phone_general", "phone", "T-GENERAL", 38.0, "outsourced_offshore", 1.0,
             fcr_shift=-0.08, csat_shift=-0.30, aht_factor=1.1),
    PoolSpec("chat", "chat", "T-CHAT", 52.0, "in_house_onshore", 1.0, slots_per_agent=(2, 3)),
    PoolSpec("email", "email", "T-WRITTEN", 48.0, "in_house_onshore", 0.0),
    PoolSpec("social", "social", "T-WRITTEN", 48.0, "in_house_onshore", 0.0, slots_per_agent=(2,)),
    PoolSpec("field", "field", "T-FIELD", 65.0, "in_house_onshore", 0.0),
)
POOL_BY_CODE = {p.code: p for p in POOLS}
#: Share of high-tier phone calls that land with the outsourced general pool (planted, see truth.py).
HIGH_TIER_MISROUTE = 0.25

#: (code, name, kind, parent code, fixed cost per month)
ORG_UNITS: tuple[tuple[str, str, str, str | None, float], ...] = (
    ("HQ", "Demo Utilities Ltd", "hq", None, 25_000),
    ("B-NORTH", "North branch", "branch", "HQ", 6_000),
    ("B-SOUTH", "South branch", "branch", "HQ", 5_000),
    ("D-CC-NORTH", "Contact centre North", "department", "B-NORTH", 4_000),
    ("D-FIELD", "Field service", "department", "B-NORTH", 3_000),
    ("D-CC-SOUTH", "Contact centre South", "department", "B-SOUTH", 3_500),
    ("D-DIGITAL", "Digital services", "department", "B-SOUTH", 2_000),
    ("T-PREMIER", "Phone Premier", "team", "D-CC-NORTH", 1_500),
    ("T-CHAT", "Live chat", "team", "D-CC-NORTH", 1_000),
    ("T-FIELD", "Field technicians", "team", "D-FIELD", 2_500),
    ("T-GENERAL", "Phone General (outsourced)", "team", "D-CC-SOUTH", 1_200),
    ("T-WRITTEN", "Email & social", "team", "D-CC-SOUTH", 800),
    ("T-AUTOMATION", "Self-service & IVR", "team", "D-DIGITAL", 1_500),
)
#: Team that owns the cost of each automated channel's contacts.
AUTOMATION_TEAM = "T-AUTOMATION"
BRANCHES = ("B-NORTH", "B-SOUTH")

#: Day-of-week (Mon..Sun) and hour-of-day arrival weights.
DOW_WEIGHTS = (1.25, 1.10, 1.0, 1.0, 0.95, 0.60, 0.35)
HOUR_WEIGHTS = (
    0.05, 0.03, 0.02, 0.02, 0.03, 0.06, 0.15, 0.40, 0.85, 1.30, 1.45, 1.35,
    1.10, 1.20, 1.35, 1.25, 1.05, 0.90, 0.75, 0.60, 0.45, 0.30, 0.18, 0.10,
)
#: Month-of-year volume multipliers (Jan..Dec) and growth per month.
MONTH_WEIGHTS = (1.10, 1.0, 1.0, 0.95, 0.95, 0.95, 0.90, 0.85, 1.0, 1.05, 1.05, 1.15)
GROWTH_PER_MONTH = 0.005

"""Customer segments (tiers) and what losing one of their customers costs.

Cost of churn for one customer = lost margin over the expected remaining lifetime + the cost of
replacing the customer (DESIGN §3). With a constant annual churn probability ``c`` the lifetime
is geometric, so the expected remaining lifetime is ``1 / c`` years (memoryless); with an annual
discount rate ``d`` the margin a customer still brings is the present value
``m * sum_t ((1 - c) / (1 + d))**t = m * (1 + d) / (c + d)`` (margin received at the start of
each year the customer stays), which equals ``m / c`` when ``d = 0``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "REPLACEMENT_COST_DEFAULTS",
    "Segment",
    "annual_to_monthly",
    "blended_replacement_cost",
    "default_replacement_cost",
    "monthly_to_annual",
]

#: Cost of winning a customer to replace a lost one (DESIGN §2: about $200 for a small business,
#: about $10,000 for a large account). ``consumer`` has no published figure in the design brief;
#: it uses the small-business figure until the user edits it.
REPLACEMENT_COST_DEFAULTS: Mapping[str, float] = {
    "small_business": 200.0,
    "large_account": 10_000.0,
    "consumer": 200.0,
}


def default_replacement_cost(kind: str, overrides: Mapping[str, float] | None = None) -> float:
    """Replacement cost for a customer kind, from ``overrides`` first, then the defaults."""
    table = {**REPLACEMENT_COST_DEFAULTS, **(overrides or {})}
    if kind not in table:
        raise ValueError(f"kind: expected one of {sorted(table)}, got {kind!r}")
    value = float(table[kind])
    if not math.isfinite(value) or value < 0:
        raise ValueError(
            f"replacement cost for {kind!r}: expected a finite value >= 0, got {value}"
        )
    return value


def blended_replacement_cost(
    customers_by_kind: Mapping[str, float], overrides: Mapping[str, float] | None = None
) -> float:
    """Customer-weighted mean replacement cost of a tier that mixes customer kinds."""
    total = float(sum(customers_by_kind.values()))
    if total <= 0 or any(v < 0 for v in customers_by_kind.values()):
        raise ValueError("customers_by_kind: expected non-negative counts with a positive total")
    return (
        sum(n * default_replacement_cost(k, overrides) for k, n in customers_by_kind.items())
        / total
    )


def annual_to_monthly(annual: float) -> float:
    """Monthly churn probability equivalent to an annual one: 1 - (1 - a)**(1/12)."""
    _check_probability("annual", annual)
    return 1.0 - (1.0 - annual) ** (1.0 / 12.0)


def monthly_to_annual(monthly: float) -> float:
    """Annual churn probability equivalent to a monthly one: 1 - (1 - m)**12."""
    _check_probability("monthly", monthly)
    return 1.0 - (1.0 - monthly) ** 12


def _check_probability(name: str, value: float) -> None:
    if not (math.isfinite(value) and 0.0 <= value < 1.0):
        raise ValueError(f"{name}: expected a probability in [0, 1), got {value!r}")


@dataclass(frozen=True)
class Segment:
    """A customer tier: its size, value and base churn."""

    code: str
    #: Number of active customers in the tier.
    customers: float
    #: Gross margin one customer brings per year (currency per customer per year).
    annual_margin: float
    #: Probability that a customer of the tier leaves within a year, with today's service.
    base_churn: float
    #: Cost of winning one replacement customer (currency per customer).
    replacement_cost: float
    #: Annual discount rate applied to future margin (0 = undiscounted).
    discount_rate: float = 0.0

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("code: expected a non-empty tier code")
        for name in ("customers", "annual_margin", "replacement_cost", "discount_rate"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ValueError(
                    f"{name} of tier {self.code!r}: expected a finite number >= 0, got {value!r}"
                )
        if not (math.isfinite(self.base_churn) and 0.0 < self.base_churn <= 1.0):
            raise ValueError(
                f"base_churn of tier {self.code!r}: expected an annual probability in (0, 1], "
                f"got {self.base_churn!r}"
            )

    @property
    def expected_lifetime_years(self) -> float:
        """Expected customer lifetime (and remaining lifetime) in years: 1 / base churn."""
        return 1.0 / self.base_churn

    @property
    def monthly_churn(self) -> float:
        """The base churn expressed per month."""
        return 1.0 - (1.0 - self.base_churn) ** (1.0 / 12.0) if self.base_churn < 1 else 1.0

    @property
    def lost_margin_per_customer(self) -> float:
        """Margin lost over the remaining lifetime when one customer leaves (present value)."""
        d = self.discount_rate
        return self.annual_margin * (1.0 + d) / (self.base_churn + d)

    @property
    def churn_cost_per_customer(self) -> float:
        """Cost of losing one customer: lost lifetime margin + replacement cost."""
        return self.lost_margin_per_customer + self.replacement_cost

    @property
    def expected_churned_per_year(self) -> float:
        """Customers expected to leave in a year at the base churn."""
        return self.customers * self.base_churn

    @property
    def expected_annual_churn_cost(self) -> float:
        """Expected yearly cost of churn at the base rate: churned customers x cost per customer."""
        return self.expected_churned_per_year * self.churn_cost_per_customer

    @property
    def annual_margin_total(self) -> float:
        """Margin of the whole tier per year."""
        return self.customers * self.annual_margin

"""The demo company's customers: a value pyramid with planted concentration."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from equipoise.demo import truth
from equipoise.demo.catalog import BRANCHES, TIERS

_FIRST = (
    "Alder",
    "Birch",
    "Cedar",
    "Dale",
    "Elm",
    "Fern",
    "Glen",
    "Hazel",
    "Iris",
    "Juniper",
    "Kestrel",
    "Linden",
    "Maple",
    "North",
    "Oak",
    "Pine",
    "Quarry",
    "Rowan",
    "Sage",
    "Thorn",
    "Vale",
    "Willow",
)
_SECOND = (
    "Bakery",
    "Builders",
    "Clinic",
    "Consulting",
    "Dental",
    "Engineering",
    "Farms",
    "Garage",
    "Holdings",
    "Hotels",
    "Logistics",
    "Media",
    "Motors",
    "Partners",
    "Pharmacy",
    "Retail",
    "Studios",
    "Supplies",
    "Systems",
    "Trading",
    "Travel",
    "Works",
)


@dataclass(frozen=True)
class Customers:
    """Column arrays, index i is customer id i + 1."""

    tier: np.ndarray  # tier index into catalog.TIERS
    margin: np.ndarray  # annual margin, currency per year
    branch: np.ndarray  # index into catalog.BRANCHES
    acquired_day: np.ndarray  # days before the horizon start (-1: prospect, never acquired)
    name_a: np.ndarray
    name_b: np.ndarray

    def __len__(self) -> int:
        return len(self.tier)

    def names(self) -> list[str]:
        return [
            f"{_FIRST[a]} {_SECOND[b]} {i + 1}" for i, (a, b) in enumerate(zip(self.name_a, self.name_b, strict=False))
        ]

    def acquired_on(self, start: dt.date) -> list[dt.date | None]:
        return [None if d < 0 else start - dt.timedelta(days=int(d)) for d in self.acquired_day]


def make_customers(n: int, rng: np.random.Generator) -> Customers:
    """Draw ``n`` customers; tiers are cut by rank of margin (top 1%, high 9%, mid 20%, low 40%...)."""
    if n < 10:
        raise ValueError(f"customers must be at least 10, got {n}")
    shares = np.array([t.population_share for t in TIERS])
    counts = np.floor(shares * n).astype(int)
    counts[3] += n - counts.sum()  # rounding remainder goes to 'low'
    margin = rng.lognormal(np.log(truth.MARGIN_MEDIAN), truth.MARGIN_SIGMA, size=n)
    order = np.argsort(-margin, kind="stable")
    tier = np.empty(n, dtype=np.int8)
    tier[order] = np.repeat(np.arange(len(TIERS), dtype=np.int8), counts)
    # Inactive customers buy little, prospects nothing yet.
    margin = np.where(tier == 4, margin * 0.05, margin)
    margin = np.where(tier == 5, 0.0, margin)
    # Shuffle ids so that id order says nothing about value.
    perm = rng.permutation(n)
    tier, margin = tier[perm], np.round(margin[perm], 2)
    acquired = rng.integers(30, 6 * 365, size=n)
    acquired = np.where(tier == 5, -1, acquired)
    return Customers(
        tier=tier,
        margin=margin,
        branch=rng.integers(0, len(BRANCHES), size=n),
        acquired_day=acquired,
        name_a=rng.integers(0, len(_FIRST), size=n),
        name_b=rng.integers(0, len(_SECOND), size=n),
    )

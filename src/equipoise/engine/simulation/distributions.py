"""Pluggable time distributions for service, patience, self-service and repeat delays.

Every distribution is a frozen dataclass with ``mean`` and ``sample(rng, size)``; samples are
seconds as a float64 array drawn from the explicit ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def _positive(name: str, value: float) -> float:
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


@runtime_checkable
class Distribution(Protocol):
    """A non-negative duration distribution (seconds)."""

    @property
    def mean(self) -> float: ...

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray: ...


@dataclass(frozen=True)
class Exponential:
    """Exponential durations with the given mean (the Markovian 'M')."""

    mean_seconds: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean_seconds", _positive("mean_seconds", self.mean_seconds))

    @property
    def mean(self) -> float:
        return self.mean_seconds

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draw ``size`` exponential durations."""
        return rng.exponential(self.mean_seconds, size)


@dataclass(frozen=True)
class LogNormal:
    """Lognormal durations parameterised by their mean and coefficient of variation."""

    mean_seconds: float
    cv: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean_seconds", _positive("mean_seconds", self.mean_seconds))
        object.__setattr__(self, "cv", _positive("cv", self.cv))

    @property
    def mean(self) -> float:
        return self.mean_seconds

    @property
    def sigma(self) -> float:
        """Standard deviation of the underlying normal."""
        return math.sqrt(math.log1p(self.cv**2))

    @property
    def mu(self) -> float:
        """Mean of the underlying normal."""
        return math.log(self.mean_seconds) - 0.5 * self.sigma**2

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draw ``size`` lognormal durations."""
        return rng.lognormal(self.mu, self.sigma, size)


@dataclass(frozen=True)
class Deterministic:
    """Every duration equals ``value_seconds`` (zero allowed)."""

    value_seconds: float

    def __post_init__(self) -> None:
        value = float(self.value_seconds)
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"value_seconds must be a finite number >= 0, got {value!r}")
        object.__setattr__(self, "value_seconds", value)

    @property
    def mean(self) -> float:
        return self.value_seconds

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Return ``size`` copies of the value (the generator is not advanced)."""
        return np.full(size, self.value_seconds, dtype=np.float64)


@dataclass(frozen=True)
class Empirical:
    """Resample observed durations with replacement (the bootstrap distribution)."""

    values_seconds: tuple[float, ...]
    _values: FloatArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        values = np.asarray(self.values_seconds, dtype=np.float64).ravel()
        if values.size == 0:
            raise ValueError("values_seconds must hold at least one observation")
        if not np.all(np.isfinite(values)) or np.any(values < 0):
            raise ValueError("values_seconds must all be finite numbers >= 0")
        values.flags.writeable = False
        object.__setattr__(self, "values_seconds", tuple(float(v) for v in values))
        object.__setattr__(self, "_values", values)

    @property
    def mean(self) -> float:
        return float(self._values.mean())

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Draw ``size`` observations uniformly with replacement."""
        return self._values[rng.integers(0, self._values.size, size)]


@dataclass(frozen=True)
class Infinite:
    """Infinite durations: a customer who never abandons (Erlang C patience)."""

    @property
    def mean(self) -> float:
        return math.inf

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """Return ``size`` infinities (the generator is not advanced)."""
        return np.full(size, np.inf, dtype=np.float64)


def check_distribution(name: str, value: object, *, allow_infinite: bool = False) -> None:
    """Raise ValueError unless ``value`` is a usable distribution for argument ``name``."""
    if not isinstance(value, Distribution):
        raise ValueError(
            f"{name} must be a distribution (Exponential, LogNormal, Deterministic, Empirical"
            f"{', Infinite' if allow_infinite else ''}), got {type(value).__name__}"
        )
    if not allow_infinite and isinstance(value, Infinite):
        raise ValueError(f"{name} must have finite durations, got Infinite()")

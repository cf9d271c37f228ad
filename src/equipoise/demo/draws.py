"""Buffered random draws: scalar draws from a numpy Generator, fast in a Python loop."""

from __future__ import annotations

import math

import numpy as np


class Draws:
    """Hands out uniforms and standard normals from pre-drawn blocks of one seeded Generator."""

    def __init__(self, rng: np.random.Generator, block: int = 262_144) -> None:
        self._rng = rng
        self._block = block
        self._u: list[float] = []
        self._z: list[float] = []
        self._ui = 0
        self._zi = 0

    def u(self) -> float:
        """A uniform on [0, 1)."""
        if self._ui >= len(self._u):
            self._u = self._rng.random(self._block).tolist()
            self._ui = 0
        v = self._u[self._ui]
        self._ui += 1
        return v

    def z(self) -> float:
        """A standard normal."""
        if self._zi >= len(self._z):
            self._z = self._rng.standard_normal(self._block).tolist()
            self._zi = 0
        v = self._z[self._zi]
        self._zi += 1
        return v

    def bernoulli(self, p: float) -> bool:
        return self.u() < p

    def exponential(self, mean: float) -> float:
        return -mean * math.log(1.0 - self.u())

    def lognormal_mean_cv(self, mean: float, cv: float) -> float:
        """A lognormal draw with the given mean and coefficient of variation."""
        s2 = math.log(1.0 + cv * cv)
        return math.exp(math.log(mean) - s2 / 2.0 + math.sqrt(s2) * self.z())

    def choice(self, cumulative: list[float]) -> int:
        """Index drawn from a cumulative weight list ending at 1.0."""
        v = self.u()
        for i, c in enumerate(cumulative):
            if v < c:
                return i
        return len(cumulative) - 1

"""Analytic Hierarchy Process: weights from a pairwise comparison matrix, with Saaty's consistency test."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

#: Saaty's random consistency index by matrix order (n = 1, 2 are always consistent).
RANDOM_INDEX = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45,
                10: 1.49}
MAX_CR = 0.10
#: Reciprocity tolerance: a user writing 0.333 for 1/3 is accepted.
RECIPROCAL_RTOL = 0.01


class InconsistentMatrix(ValueError):
    """A comparison matrix whose consistency ratio is too high to trust its weights."""

    def __init__(self, name: str, cr: float) -> None:
        super().__init__(
            f"AHP matrix {name!r} is inconsistent: consistency ratio CR = {cr:.3f} "
            f"(must be < {MAX_CR:.2f}); revise its pairwise judgements"
        )
        self.name = name
        self.cr = cr


@dataclass(frozen=True)
class AhpResult:
    """Priority weights (summing to 1) and the consistency figures of one matrix."""

    name: str
    weights: tuple[float, ...]
    lambda_max: float
    ci: float
    cr: float


def parse_judgement(value: object, *, where: str) -> float:
    """A pairwise judgement: a positive number or a fraction string such as ``'1/3'``."""
    if isinstance(value, bool):
        raise ValueError(f"{where}: expected a positive number or 'a/b', got {value!r}")
    if isinstance(value, str):
        try:
            out = float(Fraction(value.strip()))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"{where}: expected a positive number or 'a/b', got {value!r}") from None
    elif isinstance(value, int | float):
        out = float(value)
    else:
        raise ValueError(f"{where}: expected a positive number or 'a/b', got {value!r}")
    if not math.isfinite(out) or out <= 0:
        raise ValueError(f"{where}: judgements must be positive and finite, got {value!r}")
    return out


def as_matrix(rows: Sequence[Sequence[object]], *, name: str = "matrix") -> np.ndarray:
    """Validate a reciprocal comparison matrix (square, diagonal 1, ``a[j][i] = 1 / a[i][j]``)."""
    n = len(rows)
    if n == 0 or n > max(RANDOM_INDEX):
        raise ValueError(f"AHP matrix {name!r}: expected 1..{max(RANDOM_INDEX)} rows, got {n}")
    a = np.empty((n, n))
    for i, row in enumerate(rows):
        if len(row) != n:
            raise ValueError(f"AHP matrix {name!r}: row {i + 1} has {len(row)} entries, expected {n}")
        for j, v in enumerate(row):
            a[i, j] = parse_judgement(v, where=f"AHP matrix {name!r} entry [{i + 1}][{j + 1}]")
    for i in range(n):
        if not math.isclose(a[i, i], 1.0, rel_tol=1e-9):
            raise ValueError(f"AHP matrix {name!r}: diagonal entry [{i + 1}][{i + 1}] must be 1")
        for j in range(i + 1, n):
            if not math.isclose(a[i, j] * a[j, i], 1.0, rel_tol=RECIPROCAL_RTOL):
                raise ValueError(
                    f"AHP matrix {name!r}: entries [{i + 1}][{j + 1}] = {a[i, j]:g} and "
                    f"[{j + 1}][{i + 1}] = {a[j, i]:g} are not reciprocal"
                )
    return a


def ahp_weights(rows: Sequence[Sequence[object]], *, name: str = "matrix",
                max_cr: float = MAX_CR) -> AhpResult:
    """Principal-eigenvector weights of a comparison matrix; raises InconsistentMatrix if CR ≥ max_cr."""
    a = as_matrix(rows, name=name)
    n = a.shape[0]
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    lam = float(values[k].real)
    vec = np.abs(vectors[:, k].real)
    weights = vec / vec.sum()
    ci = max(0.0, (lam - n) / (n - 1)) if n > 2 else 0.0
    ri = RANDOM_INDEX[n]
    cr = ci / ri if ri > 0 else 0.0
    if cr >= max_cr:
        raise InconsistentMatrix(name, cr)
    return AhpResult(name, tuple(float(w) for w in weights), lam, ci, cr)

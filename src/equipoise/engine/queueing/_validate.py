"""Input validation shared by the queueing models: arrays in, clear ValueErrors out."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def as_float(name: str, value: ArrayLike, *, positive: bool = False,
             allow_inf: bool = False) -> FloatArray:
    """Return ``value`` as a float array, checking it is finite (or +inf) and non-negative."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: expected numbers, got {value!r}") from exc
    if np.isnan(arr).any():
        raise ValueError(f"{name}: expected numbers, got NaN")
    if not allow_inf and np.isinf(arr).any():
        raise ValueError(f"{name}: expected finite numbers, got infinity")
    if positive and (arr <= 0).any():
        raise ValueError(f"{name}: expected values > 0, got {_first(arr[arr <= 0])}")
    if (arr < 0).any():
        raise ValueError(f"{name}: expected values >= 0, got {_first(arr[arr < 0])}")
    return arr


def as_count(name: str, value: ArrayLike) -> IntArray:
    """Return ``value`` as an int64 array of whole numbers >= 0 (floats like 14.0 are accepted)."""
    try:
        raw = np.asarray(value)
        arr = raw.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: expected whole numbers, got {value!r}") from exc
    if not np.isfinite(arr).all():
        raise ValueError(f"{name}: expected finite whole numbers")
    if (arr < 0).any():
        raise ValueError(f"{name}: expected whole numbers >= 0, got {_first(arr[arr < 0])}")
    if (arr != np.floor(arr)).any():
        bad = arr[arr != np.floor(arr)]
        raise ValueError(f"{name}: expected whole numbers, got {_first(bad)}")
    return arr.astype(np.int64)


def as_probability(name: str, value: float, *, open_low: bool = True,
                   open_high: bool = True) -> float:
    """Check a scalar probability lies in (0, 1) (bounds closed where asked)."""
    try:
        p = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: expected a number in (0, 1), got {value!r}") from exc
    low_ok = p > 0 if open_low else p >= 0
    high_ok = p < 1 if open_high else p <= 1
    if not (low_ok and high_ok):
        lo = "(0" if open_low else "[0"
        hi = "1)" if open_high else "1]"
        raise ValueError(f"{name}: expected a value in {lo}, {hi}, got {p}")
    return p


def broadcast(**arrays: Any) -> tuple[tuple[int, ...], dict[str, np.ndarray]]:
    """Broadcast named arrays together; the error names the arguments whose shapes clash."""
    try:
        shaped = np.broadcast_arrays(*arrays.values())
    except ValueError as exc:
        shapes = ", ".join(f"{k}{np.shape(v)}" for k, v in arrays.items())
        raise ValueError(f"arguments cannot be broadcast together: {shapes}") from exc
    shape = shaped[0].shape if shaped else ()
    # Read-only views: an argument that already has the full shape is not copied, and one that
    # is broadcast (a scalar per call) costs no memory. Nothing downstream writes into them.
    return shape, dict(zip(arrays, shaped, strict=True))


def scalar_or_array(arr: np.ndarray) -> Any:
    """Return a numpy scalar for 0-d input and the array otherwise."""
    return arr[()] if arr.ndim == 0 else arr


def _first(arr: np.ndarray) -> float:
    return float(arr.ravel()[0])

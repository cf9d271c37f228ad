"""Exponential backoff shared by every retrying sender (outbox e-mail, webhook deliveries)."""

from __future__ import annotations


def backoff_seconds(attempts: int, *, base: float, cap: float) -> float:
    """Delay before the next try after ``attempts`` failed tries: base x 2^(attempts-1), capped at ``cap``."""
    if attempts < 1:
        raise ValueError(f"attempts: expected >= 1, got {attempts}")
    return min(cap, base * 2.0 ** (attempts - 1))

"""The webhook signature: HMAC-SHA256 over ``"<timestamp>.<body>"`` with the endpoint's secret."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Equipoise-Signature"
TIMESTAMP_HEADER = "X-Equipoise-Timestamp"
EVENT_HEADER = "X-Equipoise-Event"
DELIVERY_HEADER = "X-Equipoise-Delivery"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value, ``sha256=<hex>``."""
    if not secret:
        raise ValueError("secret: expected a non-empty string")
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str, timestamp: int, body: bytes, signature: str, *, now_epoch: int, tolerance_seconds: int = 300
) -> bool:
    """Whether ``signature`` is valid for ``body`` and the timestamp is within the tolerance."""
    if abs(now_epoch - timestamp) > tolerance_seconds:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)

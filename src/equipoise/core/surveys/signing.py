"""Signed survey tokens: ``<link id>.<expiry>.<HMAC-SHA256>``, bound to the link's random nonce."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from equipoise.config import Settings
from equipoise.kit.errors import ConfigurationError

SECRET_ENV = "EQUIPOISE_SECRET_KEY"
_EXPIRY_FORMAT = "%Y%m%d%H%M%S"


MIN_SECRET_BYTES = 16


def signing_secret(settings: Settings | None = None) -> bytes:
    """The server secret for signed links: ``settings.secret_key`` (default: read from the
    environment now), at least 16 bytes; ConfigurationError when it is missing or too short."""
    settings = Settings() if settings is None else settings
    value = settings.secret_key.get_secret_value().encode() if settings.secret_key is not None else b""
    if not value:
        raise ConfigurationError(f"signed survey links need a server secret: set {SECRET_ENV} "
                                 f"(at least {MIN_SECRET_BYTES} bytes)")
    if len(value) < MIN_SECRET_BYTES:
        raise ConfigurationError(f"{SECRET_ENV} is {len(value)} bytes long; signed survey links need at least "
                                 f"{MIN_SECRET_BYTES} bytes")
    return value


@dataclass(frozen=True)
class TokenParts:
    link_id: int
    expires_at: dt.datetime
    signature: str


def _mac(secret: bytes, link_id: int, expiry: str, nonce: str) -> str:
    if not secret:
        raise ValueError("secret: expected non-empty bytes")
    digest = hmac.new(secret, f"survey:{link_id}:{expiry}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_token(secret: bytes, link_id: int, nonce: str, expires_at: dt.datetime) -> str:
    """The URL token for a link."""
    expiry = expires_at.strftime(_EXPIRY_FORMAT)
    return f"{link_id}.{expiry}.{_mac(secret, link_id, expiry, nonce)}"


def parse_token(token: str) -> TokenParts | None:
    """Split a token into its parts; None when it is not shaped like one."""
    pieces = token.split(".")
    if len(pieces) != 3 or not pieces[0].isdigit() or len(pieces[0]) > 18:
        return None
    try:
        expires_at = dt.datetime.strptime(pieces[1], _EXPIRY_FORMAT)
    except ValueError:
        return None
    return TokenParts(int(pieces[0]), expires_at, pieces[2])


def signature_matches(secret: bytes, parts: TokenParts, nonce: str) -> bool:
    """Constant-time check of the token's signature against the link's nonce."""
    expected = _mac(secret, parts.link_id, parts.expires_at.strftime(_EXPIRY_FORMAT), nonce)
    return hmac.compare_digest(expected, parts.signature)

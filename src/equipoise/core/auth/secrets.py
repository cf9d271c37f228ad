"""Password hashing (argon2id) and random bearer secrets stored only as SHA-256 digests."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory defaults
#: A hash of a random password, verified when the user does not exist so timing does not reveal it.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))

TOKEN_PREFIX = "eqp_"


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``."""
    if not password:
        raise ValueError("password must not be empty")
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (False for a missing or malformed hash)."""
    if password_hash is None:
        _safe_verify(_DUMMY_HASH, password)
        return False
    return _safe_verify(password_hash, password)


def _safe_verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than the current ones."""
    return _HASHER.check_needs_rehash(password_hash)


def new_token() -> str:
    """A new API token: a recognisable prefix and 256 random bits."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_secret() -> str:
    """A random URL-safe secret of 256 bits (session cookies, CSRF tokens)."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The SHA-256 hex digest under which a high-entropy secret is stored and looked up.

    Random 256-bit secrets cannot be guessed, so a fast hash is enough (and keeps every API
    request cheap); slow hashing is for low-entropy passwords.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time string comparison."""
    return hmac.compare_digest(a.encode(), b.encode())

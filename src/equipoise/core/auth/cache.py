"""Recently resolved credentials, so a busy API client is not looked up on every request.

An API token or session cookie resolved to a principal is remembered per process for
``PRINCIPAL_TTL_SECONDS`` (never beyond the credential's own expiry). Revoking a token, signing
out, and changing a user's role, teams, password or active flag forget the entries concerned at
once in the process that made the change; other worker processes of the same server notice
within the TTL, when they next read the database.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from equipoise.core.auth.schemas import Principal

PRINCIPAL_TTL_SECONDS = 5.0
#: Entries kept per process at most (the oldest are dropped first).
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class Resolved:
    """A credential resolved to its principal (and the session's CSRF token for cookies)."""

    principal: Principal
    csrf_token: str | None
    expires_at: dt.datetime | None
    cached_at: float


_entries: dict[tuple[str, str, str], Resolved] = {}
_lock = threading.Lock()


def database_key(bind: Engine | Session) -> str:
    """The database an entry belongs to (the engine URL without its password)."""
    engine = bind.get_bind().engine if isinstance(bind, Session) else bind
    return engine.url.render_as_string(hide_password=True)


def get(database: str, kind: str, secret_digest: str, now: dt.datetime) -> Resolved | None:
    """The remembered resolution of a credential, if still fresh and not past its expiry at ``now``."""
    key = (database, kind, secret_digest)
    found = _entries.get(key)
    if found is None:
        return None
    if time.monotonic() - found.cached_at >= PRINCIPAL_TTL_SECONDS or (
            found.expires_at is not None and found.expires_at <= now):
        with _lock:
            _entries.pop(key, None)
        return None
    return found


def put(database: str, kind: str, secret_digest: str, principal: Principal, *, csrf_token: str | None = None,
        expires_at: dt.datetime | None = None) -> None:
    """Remember that a credential resolved to ``principal``."""
    if PRINCIPAL_TTL_SECONDS <= 0:
        return
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            for key in list(_entries)[: MAX_ENTRIES // 10]:  # dicts keep insertion order: the oldest first
                del _entries[key]
        _entries[(database, kind, secret_digest)] = Resolved(principal, csrf_token, expires_at, time.monotonic())


def forget_digest(secret_digest: str) -> None:
    """Forget one credential (a revoked token, a closed session) in every database."""
    with _lock:
        for key in [k for k in _entries if k[2] == secret_digest]:
            del _entries[key]


def forget_user(user_id: int) -> None:
    """Forget every credential of a user whose role, teams, password or status changed."""
    with _lock:
        for key in [k for k, v in _entries.items() if v.principal.user_id == user_id]:
            del _entries[key]


def clear() -> None:
    """Forget everything."""
    with _lock:
        _entries.clear()


def forget_at_commit(session: Session, *, user_id: int | None = None, secret_digest: str | None = None) -> None:
    """Forget a user's or a credential's entries now and again when ``session`` commits, so a lookup
    running in this process between the change and its commit cannot keep the old answer."""
    pending = session.info.setdefault("auth_cache_forget", [])
    pending.append((user_id, secret_digest))
    _forget(user_id, secret_digest)


def _forget(user_id: int | None, secret_digest: str | None) -> None:
    if user_id is not None:
        forget_user(user_id)
    if secret_digest is not None:
        forget_digest(secret_digest)


@event.listens_for(Session, "after_commit")
def _forget_committed(session: Session) -> None:
    for user_id, secret_digest in session.info.pop("auth_cache_forget", ()):
        _forget(user_id, secret_digest)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop("auth_cache_forget", None)

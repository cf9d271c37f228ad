"""Authentication and authorisation dependencies for every API router and web page.

``current_principal`` accepts an API token (``Authorization: Bearer eqp_...``) or the browser
session cookie; cookie-authenticated requests that change state must echo the session's CSRF
token in the ``X-CSRF-Token`` header or a ``csrf_token`` form field. ``require_roles`` narrows
an endpoint to some roles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from equipoise.core.auth import cache
from equipoise.core.auth import service as auth_service
from equipoise.core.auth.schemas import ROLES, Principal
from equipoise.core.auth.secrets import same
from equipoise.interfaces.api.deps import engine, now

SESSION_COOKIE = "equipoise_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status_code=401, detail=message, headers={"WWW-Authenticate": "Bearer"})


def _lookup(request: Request, kind: str, secret: str) -> tuple[Principal, str | None] | None:
    """Resolve a credential in its own short unit of work (it may touch ``last_used_at``)."""
    with Session(bind=engine(request), expire_on_commit=False) as session:
        at = now(request)
        if kind == "token":
            found = auth_service.principal_from_token(session, secret, now=at)
            result = (found, None) if found else None
        else:
            result = auth_service.principal_from_session(session, secret, now=at)
        session.commit()
        return result


async def _csrf_value(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(_FORM_TYPES):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def _resolve(request: Request, kind: str, secret: str) -> tuple[Principal, str | None] | None:
    """A credential resolved moments ago comes from the process cache, on the event loop; otherwise
    the database is read in a worker thread."""
    found = auth_service.cached_principal(cache.database_key(engine(request)), kind, secret, now(request))
    if found is not None:
        return found
    return await run_in_threadpool(_lookup, request, kind, secret)


async def current_principal(request: Request) -> Principal:
    """The authenticated caller, from a bearer token or the session cookie; 401 otherwise."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("expected an `Authorization: Bearer <token>` header")
        found = await _resolve(request, "token", token.strip())
        if found is None:
            raise _unauthorized("invalid, expired or revoked API token")
        principal = found[0]
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise _unauthorized("sign in or send an API token")
        found = await _resolve(request, "session", cookie)
        if found is None:
            raise _unauthorized("the session has expired; sign in again")
        principal, csrf = found
        if request.method not in SAFE_METHODS:
            sent = await _csrf_value(request)
            if not sent or not csrf or not same(sent, csrf):
                raise HTTPException(status_code=403, detail="missing or wrong CSRF token")
    request.state.principal = principal
    return principal


def login_context(request: Request) -> dict:
    """The client address and the failed sign-in limits of the app, for ``auth_service.login``.

    The address is the peer of the connection (uvicorn's ``--proxy-headers`` with
    ``--forwarded-allow-ips`` puts the client's address there behind a trusted proxy)."""
    settings = request.app.state.settings
    limits = auth_service.LoginLimits(
        per_account=getattr(settings, "login_max_failures", 5),
        per_address=getattr(settings, "login_max_failures_per_address", 20),
        window=dt.timedelta(seconds=getattr(settings, "login_failure_window_seconds", 900)))
    return {"address": request.client.host if request.client else None, "limits": limits}


def too_many_attempts(exc: auth_service.TooManyAttempts) -> HTTPException:
    """The 429 answer to a locked-out sign-in, with Retry-After in seconds."""
    return HTTPException(status_code=429, detail=exc.message, headers={"Retry-After": str(exc.retry_after)})


def require_roles(*roles: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that lets only ``roles`` through (403 for other signed-in roles)."""
    unknown = set(roles) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"roles must be some of {ROLES}, got {roles!r}")
    allowed = frozenset(roles)

    async def _require(principal: Principal = Depends(current_principal)) -> Principal:
        if principal.role not in allowed:
            raise HTTPException(status_code=403,
                                detail=f"this action needs one of the roles: {', '.join(sorted(allowed))}")
        return principal

    _require.__name__ = "require_" + "_".join(sorted(allowed))
    return _require

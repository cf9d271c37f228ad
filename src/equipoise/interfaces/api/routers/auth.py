"""Sign-in for the web (session cookie + CSRF token) and API tokens for integrations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from sqlalchemy.orm import Session

from equipoise.core.auth import service
from equipoise.core.auth.schemas import (
    LoginRequest,
    Principal,
    SessionRead,
    TokenCreate,
    TokenCreated,
    TokenRead,
    UserRead,
)
from equipoise.interfaces.api.auth import SESSION_COOKIE, current_principal, login_context, too_many_attempts
from equipoise.interfaces.api.deps import Now, to_read, unit_of_work

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login", response_model=SessionRead, responses={
    401: {"description": "Wrong e-mail or password (the same answer for every failure)"},
    429: {"description": "Too many failed sign-ins for the account or from the address; see Retry-After"}})
async def login(body: LoginRequest, request: Request, response: Response, at: Now) -> SessionRead:
    """Check e-mail and password, set the session cookie and return the CSRF token.

    After too many failed attempts for the account or from the client's address the answer is
    429 with Retry-After (seconds), without checking the password."""
    context = login_context(request)

    def work(db) -> tuple[service.OpenedSession, UserRead]:
        try:
            opened = service.login(db, body.email, body.password, now=at, **context)
        except service.Unauthorized:
            db.commit()  # the failed attempt counts although the sign-in fails
            raise
        return opened, service.to_read(db, opened.user)

    try:
        opened, user = await unit_of_work(request, work)
    except service.TooManyAttempts as exc:
        raise too_many_attempts(exc) from None
    response.set_cookie(SESSION_COOKIE, opened.secret, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/",
                        max_age=int(service.SESSION_LIFETIME.total_seconds()))
    return SessionRead(user=user, csrf_token=opened.csrf_token, expires_at=opened.expires_at)


@router.post("/logout", status_code=204)
async def logout(request: Request, _principal: Principal = Depends(current_principal)) -> Response:
    """End the browser session (needs the CSRF token like every change)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        await unit_of_work(request, lambda db: service.logout(db, cookie))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=UserRead)
async def me(request: Request, principal: Principal = Depends(current_principal)) -> UserRead:
    """The signed-in user."""
    return await unit_of_work(request, lambda db: service.to_read(db, service.get_user(db, principal.user_id)))


@router.post("/tokens", response_model=TokenCreated, status_code=201)
async def create_token(body: TokenCreate, request: Request, at: Now,
                       principal: Principal = Depends(current_principal)) -> TokenCreated:
    """Issue an API token; the secret is in this response only."""

    def work(db: Session) -> TokenCreated:
        row, secret = service.create_token(db, body, actor=principal, now=at)
        return TokenCreated.model_validate({**TokenRead.model_validate(row).model_dump(), "token": secret})

    return await unit_of_work(request, work)


@router.get("/tokens", response_model=list[TokenRead])
async def list_tokens(request: Request, all_users: bool = Query(False, alias="all"),
                      principal: Principal = Depends(current_principal)) -> list[TokenRead]:
    """The caller's API tokens (``?all=true``: every user's, admins only)."""
    return await unit_of_work(request, lambda db: to_read(TokenRead, list(service.list_tokens(
        db, actor=principal, all_users=all_users))))


@router.delete("/tokens/{token_id}", response_model=TokenRead)
async def revoke_token(token_id: Annotated[int, Path(ge=1, le=2**63 - 1)], request: Request, at: Now,
                       principal: Principal = Depends(current_principal)) -> TokenRead:
    """Revoke an API token; it stops working at once."""
    return await unit_of_work(request, lambda db: TokenRead.model_validate(service.revoke_token(
        db, token_id, actor=principal, now=at)))

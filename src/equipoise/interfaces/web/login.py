"""Sign-in for the staff pages: the login form, sign-out, and the page dependencies.

``page_user`` guards every staff page: without a live session a page redirects to
``/login?next=...`` while an htmx fragment answers 401. ``cost_user`` further needs a role that
sees costs (managers and admins); others get 403. The login form is protected against cross-site
posting with a double-submit token (a cookie and a hidden field that must match).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from equipoise.core.auth import repository as auth_repository
from equipoise.core.auth import service as auth_service
from equipoise.core.auth.schemas import Principal
from equipoise.core.auth.secrets import new_secret, same
from equipoise.interfaces.api.auth import SESSION_COOKIE, current_principal, login_context
from equipoise.interfaces.api.deps import DbSession, Now, engine, now
from equipoise.interfaces.web.templating import render

router = APIRouter(include_in_schema=False)

LOGIN_CSRF_COOKIE = "equipoise_login_csrf"


def is_fragment(request: Request) -> bool:
    """True for an htmx request that swaps part of a page."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


def safe_next(target: str | None) -> str:
    """A same-site path to return to after sign-in (anything else becomes the overview)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return "/" if target.startswith("/login") else target


def _session_lookup(request: Request, secret: str) -> tuple[Principal, str, str] | None:
    """Principal, CSRF token and display name of a live session cookie."""
    with Session(bind=engine(request), expire_on_commit=False) as session:
        found = auth_service.principal_from_session(session, secret, now=now(request))
        if found is None:
            return None
        user = auth_repository.get_user(session, found[0].user_id)
        return found[0], found[1], (user.name if user else "")


async def page_user(request: Request) -> Principal:
    """The signed-in staff member; pages redirect to the login form, fragments and bad tokens answer 401."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and not request.headers.get("authorization") and request.method in ("GET", "HEAD"):
        found = await run_in_threadpool(_session_lookup, request, cookie)
        if found is not None:
            request.state.principal, request.state.csrf_token, request.state.user_name = found
            return found[0]
    try:
        return await current_principal(request)
    except HTTPException as exc:
        if exc.status_code != 401 or is_fragment(request) or request.headers.get("authorization"):
            raise  # htmx swaps and API clients get the status, browsers the login form
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(status_code=303, detail="sign in first",
                            headers={"Location": "/login?next=" + quote(target, safe="")}) from None


async def cost_user(principal: Principal = Depends(page_user)) -> Principal:
    """A signed-in manager or admin: costs and budgets are closed to agents and leads (403)."""
    if not principal.sees_costs:
        raise HTTPException(status_code=403, detail="costs and budgets are open to managers and admins")
    return principal


PageUser = Annotated[Principal, Depends(page_user)]


def _form(request: Request, next_path: str, *, error: str | None = None, email: str = "",
          status_code: int = 200) -> HTMLResponse:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_secret()
    response = render(request, "login.html", {"next": next_path, "error": error, "email": email,
                                              "login_csrf": token, "nav": []}, status_code=status_code)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/login")
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:  # noqa: A002 - the query name
    """The sign-in form."""
    return _form(request, safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, db: DbSession, at: Now, email: Annotated[str, Form(max_length=254)] = "",
          password: Annotated[str, Form(max_length=1024)] = "", csrf_token: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = "/") -> Response:  # noqa: A002 - the form field name
    """Check the password, set the session cookie and go on to ``next``; the form again on failure."""
    target = safe_next(next)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not expected or not csrf_token or not same(csrf_token, expected):
        return _form(request, target, error="The form expired; please sign in again.", email=email,
                     status_code=403)
    try:
        opened = auth_service.login(db, email, password, now=at, **login_context(request))
    except auth_service.TooManyAttempts as exc:
        response = _form(request, target, error=f"Sign-in is locked: {exc.message}.", email=email, status_code=429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except auth_service.Unauthorized:
        return _form(request, target, error="Wrong e-mail or password.", email=email, status_code=401)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, opened.secret, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/",
                        max_age=int(auth_service.SESSION_LIFETIME.total_seconds()))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, db: DbSession, _principal: Principal = Depends(current_principal)) -> Response:
    """End the browser session (the form carries the session's CSRF token) and show the login form."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        auth_service.logout(db, cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response

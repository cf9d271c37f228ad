"""The public survey page (no sign-in): GET shows the questions of a signed link, POST takes the one
answer the link allows. Customers see a standalone page, without the staff navigation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from equipoise.core.surveys import service
from equipoise.core.surveys.schemas import ITEM_RANGES, SurveyAnswer
from equipoise.core.surveys.signing import signing_secret
from equipoise.interfaces.api.deps import DbSession, Now
from equipoise.kit.errors import Conflict, InvalidInput

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

QUESTIONS: dict[str, tuple[str, str, str]] = {
    "csat": ("How satisfied are you with how we handled your request?", "Very dissatisfied", "Very satisfied"),
    "nps": ("How likely are you to recommend us to a friend or colleague?", "Not at all likely", "Extremely likely"),
    "ces": ("How easy was it to get your request handled?", "Very easy", "Very difficult"),
    "expectation": ("Before contacting us, what level of service did you expect?", "Very low", "Very high"),
    "perception": ("What level of service did you actually receive?", "Very low", "Very high"),
}


def _questions(items: list[str]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        text, low, high = QUESTIONS[item]
        lo, hi = ITEM_RANGES[item]
        out.append({"code": item, "text": text, "low": low, "high": high, "choices": list(range(lo, hi + 1))})
    return out


def _page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def _error(request: Request, exc: Exception) -> HTMLResponse:
    if isinstance(exc, service.LinkExpired):
        return _page(
            request,
            "survey_message.html",
            {"title": "This survey has closed", "message": "The link has expired. Thank you all the same."},
            410,
        )
    if isinstance(exc, Conflict):
        return _page(
            request,
            "survey_message.html",
            {"title": "Already answered", "message": "This survey was already answered. Thank you!"},
            409,
        )
    return _page(
        request,
        "survey_message.html",
        {"title": "Survey not found", "message": "This survey link is not valid. Please use the link from your email."},
        404,
    )


@router.get("/survey/{token}", response_class=HTMLResponse)
def show(token: str, request: Request, db: DbSession, at: Now) -> HTMLResponse:
    """The questions of the link, or why it cannot be answered."""
    try:
        view = service.view_link(db, token, at, signing_secret(request.app.state.settings))
    except service.LinkInvalid as exc:
        return _error(request, exc)
    if view.state == "expired":
        return _error(request, service.LinkExpired("expired"))
    if view.state == "answered":
        return _error(request, Conflict("answered"))
    return _page(
        request, "survey_form.html", {"token": token, "questions": _questions(view.items), "errors": {}, "values": {}}
    )


@router.post("/survey/{token}", response_class=HTMLResponse)
async def answer(token: str, request: Request, db: DbSession, at: Now) -> HTMLResponse:
    """Store the answer; invalid values re-show the form with a message by each question (422)."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    data: dict[str, Any] = {k: (v.strip() or None) for k, v in values.items() if k in QUESTIONS}
    comment = values.get("comment", "").strip()
    if comment:
        data["comment"] = comment
    secret = signing_secret(request.app.state.settings)
    try:
        view = service.view_link(db, token, at, secret)
        answer = SurveyAnswer.model_validate(data)
        service.submit_answer(db, token, answer, at, secret)
    except ValidationError as exc:
        errors = {}
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "form"
            errors[field] = "Please choose one of the answers." if field in QUESTIONS else err["msg"]
        return _page(
            request,
            "survey_form.html",
            {"token": token, "questions": _questions(view.items), "errors": errors, "values": values},
            422,
        )
    except InvalidInput as exc:
        return _page(
            request,
            "survey_form.html",
            {
                "token": token,
                "questions": _questions(view.items),
                "errors": {exc.field or "form": exc.message},
                "values": values,
            },
            422,
        )
    except (service.LinkInvalid, service.LinkExpired, Conflict) as exc:
        return _error(request, exc)
    return _page(
        request,
        "survey_message.html",
        {"title": "Thank you!", "message": "Your answer was recorded. It helps us serve you better."},
    )

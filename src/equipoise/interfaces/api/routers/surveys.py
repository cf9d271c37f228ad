"""Survey API: issue signed links after resolution and report response rates."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Request

from equipoise.core.audit import service as audit
from equipoise.core.auth.schemas import Principal
from equipoise.core.surveys import service
from equipoise.core.surveys.schemas import LinkCreate, LinkCreated, LinkRead, ResponseRates
from equipoise.core.surveys.signing import signing_secret
from equipoise.interfaces.api.auth import current_principal, require_roles
from equipoise.interfaces.api.deps import DbSession, Now
from equipoise.interfaces.api.params import PathId
from equipoise.models.cases import Case
from equipoise.models.survey_links import SurveyLink

router = APIRouter(prefix="/surveys", tags=["surveys"])


def _check_case(db: DbSession, principal: Principal, case_id: int) -> None:
    case = db.get(Case, case_id)
    if case is not None and not principal.can_see_team(case.team_id):
        raise HTTPException(status_code=404, detail=f"case {case_id} not found")


@router.post("/links", response_model=LinkCreated, status_code=201)
def issue(
    body: LinkCreate, request: Request, db: DbSession, at: Now, principal: Principal = Depends(current_principal)
) -> LinkCreated:
    """Create a signed, expiring survey link for a resolved case; with a recipient it is emailed."""
    _check_case(db, principal, body.case_id)
    issued = service.issue_link(
        db,
        body.case_id,
        at,
        signing_secret(request.app.state.settings),
        base_url=str(request.base_url),
        items=body.items,
        ttl_days=body.ttl_days,
        recipient=body.recipient,
    )
    audit.record(
        db,
        principal,
        "survey_link.issue",
        "survey_link",
        issued.link.id,
        None,
        {"case_id": body.case_id, "items": issued.link.items, "recipient": body.recipient},
        at=at,
    )
    return LinkCreated(
        **LinkRead.model_validate(issued.link).model_dump(),
        token=issued.token,
        url=issued.url,
        outbox_message_id=issued.message.id if issued.message else None,
    )


@router.get("/cases/{case_id}/links", response_model=list[LinkRead])
def case_links(case_id: PathId, db: DbSession, principal: Principal = Depends(current_principal)) -> list[SurveyLink]:
    """The survey links sent for a case."""
    _check_case(db, principal, case_id)
    return list(service.links_of_case(db, case_id))


@router.get("/rates", response_model=ResponseRates)
def rates(
    db: DbSession,
    at: Now,
    start: dt.datetime,
    end: dt.datetime,
    _p: Principal = Depends(require_roles("lead", "manager", "admin")),
) -> ResponseRates:
    """Response rates of links sent in [start, end) (leads, managers, admins)."""
    return service.response_rates(db, start, end, at)

"""Survey API: issue signed links after resolution and report response rates.

Every endpoint runs its whole unit of work in one worker thread through ``unit_of_work``."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy.orm import Session

from equipoise.core.audit import service as audit
from equipoise.core.auth.schemas import Principal
from equipoise.core.surveys import service
from equipoise.core.surveys.schemas import LinkCreate, LinkCreated, LinkRead, ResponseRates
from equipoise.core.surveys.signing import signing_secret
from equipoise.interfaces.api.auth import current_principal, require_roles
from equipoise.interfaces.api.deps import Now, to_read, unit_of_work
from equipoise.interfaces.api.params import PathId
from equipoise.models.cases import Case

router = APIRouter(prefix="/surveys", tags=["surveys"])


def _check_case(db: Session, principal: Principal, case_id: int) -> None:
    case = db.get(Case, case_id)
    if case is not None and not principal.can_see_team(case.team_id):
        raise HTTPException(status_code=404, detail=f"case {case_id} not found")


@router.post("/links", response_model=LinkCreated, status_code=201)
async def issue(
    body: LinkCreate, request: Request, at: Now, principal: Principal = Depends(current_principal)
) -> LinkCreated:
    """Create a signed, expiring survey link for a resolved case; with a recipient it is emailed."""
    settings, base_url = request.app.state.settings, str(request.base_url)

    def work(db: Session) -> LinkCreated:
        _check_case(db, principal, body.case_id)
        issued = service.issue_link(db, body.case_id, at, signing_secret(settings), base_url=base_url, items=body.items,
                                    ttl_days=body.ttl_days, recipient=body.recipient)
        audit.record(db, principal, "survey_link.issue", "survey_link", issued.link.id, None,
                     {"case_id": body.case_id, "items": issued.link.items, "recipient": body.recipient}, at=at)
        return LinkCreated(**to_read(LinkRead, issued.link).model_dump(), token=issued.token, url=issued.url,
                           outbox_message_id=issued.message.id if issued.message else None)

    return await unit_of_work(request, work)


@router.get("/cases/{case_id}/links", response_model=list[LinkRead])
async def case_links(case_id: PathId, request: Request,
                     principal: Principal = Depends(current_principal)) -> list[LinkRead]:
    """The survey links sent for a case."""

    def work(db: Session) -> list[LinkRead]:
        _check_case(db, principal, case_id)
        return to_read(LinkRead, list(service.links_of_case(db, case_id)))

    return await unit_of_work(request, work)


@router.get("/rates", response_model=ResponseRates)
async def rates(
    request: Request,
    at: Now,
    start: dt.datetime,
    end: dt.datetime,
    _p: Principal = Depends(require_roles("lead", "manager", "admin")),
) -> ResponseRates:
    """Response rates of links sent in [start, end) (leads, managers, admins)."""
    return await unit_of_work(request, lambda db: service.response_rates(db, start, end, at))

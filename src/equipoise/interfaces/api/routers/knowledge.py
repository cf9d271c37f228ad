"""Knowledge-base API: articles and versions, search, votes, portal events, suggestions, deflection.

Every endpoint runs its whole unit of work in one worker thread through ``unit_of_work``."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlalchemy.orm import Session

from equipoise.core.audit import service as audit
from equipoise.core.auth.schemas import Principal
from equipoise.core.knowledge import deflection, semantic, service
from equipoise.core.knowledge.schemas import (
    ArticleCreate,
    ArticleDetail,
    ArticleRead,
    ArticleStatus,
    ArticleUpdate,
    DeflectionReport,
    PortalContext,
    SearchHit,
    VersionRead,
    VoteCreate,
)
from equipoise.interfaces.api.auth import current_principal, require_roles
from equipoise.interfaces.api.deps import Now, to_read, unit_of_work
from equipoise.interfaces.api.params import PathId
from equipoise.kit.ids import MAX_ID
from equipoise.models.cases import Case
from equipoise.models.knowledge import KbArticle

router = APIRouter(prefix="/knowledge", tags=["knowledge"])
EDITORS = require_roles("lead", "manager", "admin")


def _model(request: Request) -> semantic.Embedder | None:
    """The embedding model when the [semantic] extra is installed and switched on (EQUIPOISE_KB_SEMANTIC)."""
    return semantic.embedder_or_none(request.app.state.settings.kb_semantic)


def _detail(db: Session, article: KbArticle) -> ArticleDetail:
    return ArticleDetail(**ArticleRead.model_validate(article).model_dump(), body=service.current_body(db, article))


@router.get("/articles", response_model=list[ArticleRead])
async def list_articles(
    request: Request,
    status: ArticleStatus | None = None,
    reason_id: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_ID),
    _p: Principal = Depends(current_principal),
) -> list[ArticleRead]:
    return await unit_of_work(request, lambda db: to_read(ArticleRead, list(service.list_articles(
        db, status=status, reason_id=reason_id, limit=limit, offset=offset))))


@router.post("/articles", response_model=ArticleDetail, status_code=201)
async def create_article(
    body: ArticleCreate, request: Request, at: Now, principal: Principal = Depends(EDITORS)
) -> ArticleDetail:
    """Write an article (version 1) — leads, managers and admins."""
    def work(db: Session) -> ArticleDetail:  # the model loads in the worker thread, never on the event loop
        article = service.create_article(db, body, at, author_user_id=principal.user_id, model=_model(request))
        audit.record(db, principal, "article.create", "kb_article", article.id, None, article, at=at)
        return _detail(db, article)

    return await unit_of_work(request, work)


@router.get("/articles/{article_id}", response_model=ArticleDetail)
async def get_article(article_id: PathId, request: Request,
                      _p: Principal = Depends(current_principal)) -> ArticleDetail:
    return await unit_of_work(request, lambda db: _detail(db, service.get_article(db, article_id)))


@router.patch("/articles/{article_id}", response_model=ArticleDetail)
async def update_article(
    article_id: PathId,
    body: ArticleUpdate,
    request: Request,
    at: Now,
    principal: Principal = Depends(EDITORS),
) -> ArticleDetail:
    """Edit an article; a new title or body becomes a new version."""
    def work(db: Session) -> ArticleDetail:
        before = audit.snapshot(service.get_article(db, article_id))
        article = service.update_article(db, article_id, body, at, author_user_id=principal.user_id,
                                         model=_model(request))
        audit.record(db, principal, "article.update", "kb_article", article.id, before, article, at=at)
        return _detail(db, article)

    return await unit_of_work(request, work)


@router.get("/articles/{article_id}/versions", response_model=list[VersionRead])
async def versions(article_id: PathId, request: Request,
                   _p: Principal = Depends(current_principal)) -> list[VersionRead]:
    return await unit_of_work(request, lambda db: to_read(VersionRead, list(service.versions(db, article_id))))


@router.get("/search", response_model=list[SearchHit])
async def search(
    request: Request,
    at: Now,
    q: str = Query(min_length=1, max_length=500),
    limit: int = Query(10, ge=1, le=100),
    include_drafts: bool = False,
    mode: semantic.ModeChoice | None = Query(
        None,
        description="bm25 (full text), semantic (by meaning), hybrid (both, rank-fused) or auto (hybrid with "
        "the [semantic] extra, else bm25); default: the EQUIPOISE_KB_SEARCH_MODE setting. semantic and hybrid "
        "answer 422 without the extra.",
    ),
    portal_customer_id: int | None = Query(None, ge=1, le=MAX_ID),
    portal_session_key: str | None = Query(None, min_length=1, max_length=100),
    principal: Principal = Depends(current_principal),
) -> list[SearchHit]:
    """Search articles by words (BM25), by meaning or both (see ``mode``). With a portal customer or
    session key, the search is logged for deflection."""
    if include_drafts and principal.role == "agent":
        raise HTTPException(status_code=403, detail="drafts are for leads, managers and admins")
    chosen = mode or request.app.state.settings.kb_search_mode

    def work(db: Session) -> list[SearchHit]:
        hits = service.search(db, q, limit=limit, include_drafts=include_drafts, mode=chosen, model=_model(request),
                              now=at)
        if portal_customer_id is not None or portal_session_key is not None:
            service.record_search(db, q, at, customer_id=portal_customer_id, session_key=portal_session_key)
        return hits

    return await unit_of_work(request, work)


@router.post("/articles/{article_id}/views", response_model=ArticleRead)
async def record_view(
    article_id: PathId, body: PortalContext, request: Request, at: Now, _p: Principal = Depends(current_principal)
) -> ArticleRead:
    """Count a portal view of a published article."""
    return await unit_of_work(request, lambda db: to_read(ArticleRead, service.record_view(
        db, article_id, at, customer_id=body.customer_id, session_key=body.session_key)))


@router.post("/articles/{article_id}/votes", response_model=ArticleRead)
async def vote(
    article_id: PathId, body: VoteCreate, request: Request, at: Now, _p: Principal = Depends(current_principal)
) -> ArticleRead:
    """Helpful / not helpful; one vote per voter key."""
    return await unit_of_work(request, lambda db: to_read(ArticleRead, service.vote(db, article_id, body, at)))


@router.get("/suggestions", response_model=list[SearchHit])
async def suggestions(
    request: Request,
    at: Now,
    case_id: int = Query(ge=1, le=MAX_ID),
    limit: int = Query(5, ge=1, le=20),
    principal: Principal = Depends(current_principal),
) -> list[SearchHit]:
    """Articles that may answer a case (from its subject and reason; hybrid search with the [semantic]
    extra, BM25 without)."""
    def work(db: Session) -> list[SearchHit]:
        case = db.get(Case, case_id)
        if case is not None and not principal.can_see_team(case.team_id):
            raise HTTPException(status_code=404, detail=f"case {case_id} not found")
        return service.suggest_for_case(db, case_id, limit=limit, model=_model(request), now=at)

    return await unit_of_work(request, work)


@router.post("/deflections/evaluate")
async def evaluate(request: Request, at: Now, _p: Principal = Depends(require_roles("manager", "admin"))) -> dict:
    """Decide the portal events whose 24-hour window has closed."""
    return {"decided": await unit_of_work(request, lambda db: deflection.evaluate_deflections(db, at))}


@router.get("/deflections", response_model=DeflectionReport)
async def deflections(
    request: Request, start: dt.datetime, end: dt.datetime, _p: Principal = Depends(EDITORS)
) -> DeflectionReport:
    """Deflection over portal events in [start, end)."""
    return await unit_of_work(request, lambda db: deflection.deflection_report(db, start, end))

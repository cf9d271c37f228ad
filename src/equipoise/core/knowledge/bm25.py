"""Okapi BM25 scoring over an inverted index (pure: no database)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

K1 = 1.2
B = 0.75


def idf(n_docs: int, doc_freq: int) -> float:
    """Inverse document frequency, ln(1 + (N - df + 0.5) / (df + 0.5)) — never negative."""
    if n_docs < 0 or not 0 <= doc_freq <= n_docs:
        raise ValueError(f"doc_freq: expected 0..n_docs ({n_docs}), got {doc_freq}")
    return math.log(1.0 + (n_docs - doc_freq + 0.5) / (doc_freq + 0.5))


def bm25_scores(
    query_terms: Iterable[str],
    postings: Mapping[str, Mapping[int, int]],
    doc_lengths: Mapping[int, int],
    n_docs: int,
    avg_length: float,
    *,
    k1: float = K1,
    b: float = B,
) -> dict[int, float]:
    """BM25 score of every document that holds at least one (distinct) query term.

    ``postings[term][doc]`` is the term's frequency in ``doc``; document frequencies are the
    sizes of the posting lists.
    """
    if k1 < 0 or not 0 <= b <= 1:
        raise ValueError(f"k1 >= 0 and 0 <= b <= 1 expected, got k1={k1}, b={b}")
    if avg_length <= 0:
        return {}
    scores: dict[int, float] = {}
    for term in dict.fromkeys(query_terms):
        docs = postings.get(term)
        if not docs:
            continue
        weight = idf(n_docs, len(docs))
        for doc, tf in docs.items():
            norm = k1 * (1.0 - b + b * doc_lengths[doc] / avg_length)
            scores[doc] = scores.get(doc, 0.0) + weight * tf * (k1 + 1.0) / (tf + norm)
    return scores

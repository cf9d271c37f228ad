"""Turning text into index terms: lower case, accents folded, stop words dropped, light stemming."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_WORD = re.compile(r"[a-z0-9]+")
MAX_TERM_LENGTH = 64
STOP_WORDS = frozenset(
    "a an and are as at be but by can do does for from has have how i if in into is it its my no "
    "not of on or our so that the their then there these this to was we what when where which "
    "who why will with you your".split()
)


def stem(word: str) -> str:
    """A light English suffix stripper (plurals, -ing, -ed) so 'refunds' finds 'refund'."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]
    return word


def tokenize(text: str) -> list[str]:
    """Index terms of ``text`` in order (repeats kept)."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return [stem(w)[:MAX_TERM_LENGTH] for w in _WORD.findall(folded) if w not in STOP_WORDS]


#: Title words count this many times in the index (a title match says more than a body match).
TITLE_WEIGHT = 2


def document_terms(title: str, body: str) -> Counter[str]:
    """Term frequencies of an article (title words weighted by ``TITLE_WEIGHT``)."""
    counts = Counter(tokenize(body))
    for term in tokenize(title):
        counts[term] += TITLE_WEIGHT
    return counts


def snippet(body: str, terms: set[str], width: int = 200) -> str:
    """A passage of ``body`` around the first word that matches one of ``terms``."""
    words = body.split()
    for i, word in enumerate(words):
        if set(tokenize(word)) & terms:
            start = max(0, i - 8)
            text = " ".join(words[start:])
            return ("… " if start else "") + (text[:width] + "…" if len(text) > width else text)
    return body[:width] + ("…" if len(body) > width else "")

"""BM25 over an inverted index held in numpy arrays (postings sorted by term)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

_TOKEN = re.compile(r"[A-Za-z0-9_]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
# fmt: off
STOPWORDS = frozenset(
    (
        "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "has",
        "have", "how", "i", "if", "in", "into", "is", "it", "its", "my", "no", "not", "of", "on",
        "or", "so", "that", "the", "their", "then", "there", "these", "this", "to", "was", "what",
        "when", "where", "which", "who", "why", "will", "with", "you", "your",
    )
)
# fmt: on


def _stem(word: str) -> str:
    """A light English stemmer: plural -s/-ies, then -ing/-ed (failing, failed: fail)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            if word[-1] == word[-2] and word[-1] not in "lsz":  # stopped: stop, filled: fill
                word = word[:-1]
            break
    return word


def terms(text: str) -> list[str]:
    """Lower-case word terms; CamelCase and snake_case names also yield their parts."""
    out: list[str] = []
    for token in _TOKEN.findall(text):
        lower = token.lower()
        if lower not in STOPWORDS:
            out.append(_stem(lower))
        parts = [p for chunk in token.split("_") for p in _CAMEL.findall(chunk)]
        if len(parts) > 1:
            out.extend(_stem(p.lower()) for p in parts if p.lower() not in STOPWORDS)
    return out


class BM25:
    """Okapi BM25 (k1, b) with precomputed per-posting weights."""

    def __init__(self, texts: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.size = len(texts)
        vocab: dict[str, int] = {}
        term_ids: list[int] = []
        doc_ids: list[int] = []
        tfs: list[int] = []
        lengths = np.zeros(self.size, dtype=np.float32)
        for doc, text in enumerate(texts):
            counts = Counter(terms(text))
            lengths[doc] = sum(counts.values())
            for term, tf in counts.items():
                term_ids.append(vocab.setdefault(term, len(vocab)))
                doc_ids.append(doc)
                tfs.append(tf)
        self.vocab = vocab
        t = np.asarray(term_ids, dtype=np.int64)
        order = np.argsort(t, kind="stable")
        self.docs = np.asarray(doc_ids, dtype=np.int32)[order]
        self.offsets = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(np.bincount(t, minlength=len(vocab)), out=self.offsets[1:])
        freq = np.asarray(tfs, dtype=np.float32)[order]
        df = np.diff(self.offsets).astype(np.float32)
        idf = np.log1p((self.size - df + 0.5) / (df + 0.5))
        avg = float(lengths.mean()) if self.size else 1.0
        norm = k1 * (1 - b + b * lengths[self.docs] / max(avg, 1e-9))
        self.weights = (
            np.repeat(idf, np.diff(self.offsets)) * freq * (k1 + 1) / (freq + norm)
        ).astype(np.float32)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for the query (0 where no term matches)."""
        scores = np.zeros(self.size, dtype=np.float32)
        for term in set(terms(query)):
            col = self.vocab.get(term)
            if col is None:
                continue
            lo, hi = self.offsets[col], self.offsets[col + 1]
            scores[self.docs[lo:hi]] += self.weights[lo:hi]
        return scores

    def top(self, query: str, k: int) -> list[tuple[int, float]]:
        scores = self.scores(query)
        return top_k(scores, k, positive_only=True)


def top_k(scores: np.ndarray, k: int, positive_only: bool = False) -> list[tuple[int, float]]:
    """Indices and scores of the ``k`` largest scores, best first."""
    if scores.size == 0:
        return []
    k = min(k, scores.size)
    idx = np.argpartition(-scores, k - 1)[:k]
    idx = idx[np.argsort(-scores[idx], kind="stable")]
    return [(int(i), float(scores[i])) for i in idx if not positive_only or scores[i] > 0]

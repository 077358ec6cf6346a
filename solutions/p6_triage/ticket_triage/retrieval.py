"""Suggest help-centre articles for a ticket: BM25 (``bm25s``), embeddings, and a hybrid of the two."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def bm25_rankings(
    queries: Sequence[str], docs: Sequence[str], doc_ids: Sequence[str], k: int = 10
) -> list[list[str]]:
    """The top ``k`` document ids per query by BM25 (English stop words removed)."""
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(list(docs), stopwords="en", show_progress=False), show_progress=False)
    k = min(k, len(docs))
    results, _ = retriever.retrieve(
        bm25s.tokenize(list(queries), stopwords="en", show_progress=False), k=k, show_progress=False
    )
    return [[doc_ids[i] for i in row] for row in results]


def bm25_scores(queries: Sequence[str], docs: Sequence[str]) -> np.ndarray:
    """Queries x documents BM25 scores."""
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(list(docs), stopwords="en", show_progress=False), show_progress=False)
    tokenized = bm25s.tokenize(list(queries), stopwords="en", show_progress=False, return_ids=False)
    return np.stack([retriever.get_scores(tokens) for tokens in tokenized])


def rank(scores: np.ndarray, doc_ids: Sequence[str], k: int = 10) -> list[list[str]]:
    """The top ``k`` ids of each row of ``scores`` (ties broken by document order)."""
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return [[doc_ids[i] for i in row] for row in order]


def hybrid_scores(lexical: np.ndarray, semantic: np.ndarray, weight: float = 0.5) -> np.ndarray:
    """A weighted sum of the two score matrices, each min-max scaled per query first."""

    def scale(m: np.ndarray) -> np.ndarray:
        low, high = m.min(axis=1, keepdims=True), m.max(axis=1, keepdims=True)
        return (m - low) / np.where(high > low, high - low, 1.0)

    return weight * scale(lexical) + (1 - weight) * scale(semantic)

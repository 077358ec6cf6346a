"""Ranking metrics for suggested help articles: NDCG@k, MAP@k and recall@k, written out in full.

A ranking is a list of document ids, best first; ``relevance`` maps a document id to its graded
judgement (0 = not relevant; missing ids count as 0). Gains are the grades themselves (linear gain, as in
``ir_measures``' ``nDCG@k``), and the discount of rank ``r`` (1-based) is ``log2(r + 1)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def dcg_at_k(ranking: Sequence[str], relevance: Mapping[str, float], k: int) -> float:
    """Discounted cumulative gain of the first ``k`` documents: sum of grade / log2(rank + 1)."""
    # BEGIN SOLUTION
    # HINT: rank 1 is discounted by log2(2) = 1, rank 2 by log2(3), ...
    return sum(
        float(relevance.get(doc, 0)) / math.log2(rank + 1) for rank, doc in enumerate(ranking[:k], start=1)
    )
    # END SOLUTION


def ndcg_at_k(ranking: Sequence[str], relevance: Mapping[str, float], k: int) -> float:
    """DCG@k over the DCG@k of the ideal ranking of every judged document; 0.0 when nothing is relevant."""
    # BEGIN SOLUTION
    # HINT: the ideal ranking sorts all judged documents by grade, not only the retrieved ones.
    ideal = sorted((doc for doc in relevance if relevance[doc] > 0), key=lambda d: -relevance[d])
    best = dcg_at_k(ideal, relevance, k)
    return dcg_at_k(ranking, relevance, k) / best if best > 0 else 0.0
    # END SOLUTION


def average_precision_at_k(ranking: Sequence[str], relevance: Mapping[str, float], k: int) -> float:
    """AP@k: mean of precision@r at each relevant rank r <= k, over all relevant documents (grade > 0)."""
    # BEGIN SOLUTION
    # HINT: divide by the number of relevant documents judged, not by the number retrieved.
    n_relevant = sum(1 for grade in relevance.values() if grade > 0)
    if n_relevant == 0:
        return 0.0
    hits, total = 0, 0.0
    for rank, doc in enumerate(ranking[:k], start=1):
        if relevance.get(doc, 0) > 0:
            hits += 1
            total += hits / rank
    return total / n_relevant
    # END SOLUTION


def recall_at_k(ranking: Sequence[str], relevance: Mapping[str, float], k: int) -> float:
    """Share of the relevant documents (grade > 0) found in the first ``k``; 0.0 when none is relevant."""
    # BEGIN SOLUTION
    # HINT: count relevant documents among ranking[:k].
    relevant = {doc for doc, grade in relevance.items() if grade > 0}
    if not relevant:
        return 0.0
    return len(relevant & set(ranking[:k])) / len(relevant)
    # END SOLUTION


def mean_metric(
    metric, rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, float]], k: int
) -> float:
    """The mean of ``metric`` over the queries of ``qrels`` (a query without a ranking scores 0)."""
    scores = [metric(rankings.get(q, []), rel, k) for q, rel in qrels.items()]
    return sum(scores) / len(scores) if scores else 0.0

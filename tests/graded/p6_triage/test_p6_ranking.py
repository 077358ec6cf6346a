"""Graded: NDCG@k, MAP@k and recall@k on hand-computed rankings and against ir-measures."""

from __future__ import annotations

import math

import numpy as np
import pytest

RANKING = ["d1", "d2", "d3", "d4"]
RELEVANCE = {"d1": 0, "d2": 3, "d3": 1, "d5": 2}  # d5 is relevant but not retrieved


@pytest.mark.rubric("p6.ranking.ndcg", points=6)
def test_ndcg_matches_the_hand_computed_value(project_module):
    """ndcg_at_k() uses gain = grade, discount log2(rank + 1) and the ideal ranking of all judged documents"""
    ranking = project_module("ticket_triage.ranking")
    dcg = 3 / math.log2(3) + 1 / math.log2(4)
    ideal = 3 / math.log2(2) + 2 / math.log2(3) + 1 / math.log2(4)
    got = ranking.ndcg_at_k(RANKING, RELEVANCE, 3)
    assert got == pytest.approx(dcg / ideal, abs=1e-9), (
        f"NDCG@3 of {RANKING} with grades {RELEVANCE} is {dcg / ideal:.6f} "
        "(rank r discounted by log2(r + 1), "
        f"the ideal ranking over every judged document, d5 included); got {got:.6f}."
    )
    assert ranking.ndcg_at_k(["d2", "d5", "d3"], RELEVANCE, 3) == pytest.approx(1.0), (
        "the ideal ranking scores 1."
    )
    assert ranking.ndcg_at_k(["d1", "d4"], RELEVANCE, 2) == pytest.approx(0.0), (
        "no relevant document scores 0."
    )
    assert ranking.ndcg_at_k(["d1"], {"d1": 0}, 5) == 0.0, (
        "nothing relevant at all: NDCG is 0.0, not an error."
    )


@pytest.mark.rubric("p6.ranking.map_recall", points=4)
def test_average_precision_and_recall_match_hand_values(project_module):
    """average_precision_at_k() and recall_at_k() count every relevant document, retrieved or not"""
    ranking = project_module("ticket_triage.ranking")
    ap = ranking.average_precision_at_k(RANKING, RELEVANCE, 3)
    assert ap == pytest.approx((1 / 2 + 2 / 3) / 3, abs=1e-9), (
        f"AP@3 is (1/2 + 2/3) / 3 = {(1 / 2 + 2 / 3) / 3:.6f}: precision at each relevant rank, "
        "divided by the "
        f"3 relevant documents; got {ap:.6f}."
    )
    recall = ranking.recall_at_k(RANKING, RELEVANCE, 3)
    assert recall == pytest.approx(2 / 3), f"recall@3 finds d2 and d3 of d2, d3, d5: 2/3; got {recall}."
    assert ranking.recall_at_k(RANKING, RELEVANCE, 1) == 0.0, (
        "recall@1 looks at d1 only, which is not relevant."
    )


@pytest.mark.rubric("p6.ranking.vs_library", points=3)
def test_metrics_agree_with_ir_measures(project_module):
    """The three metrics agree with ir-measures (nDCG@5, AP@5, R@5) on random graded rankings"""
    import ir_measures
    from ir_measures import AP, R, nDCG

    ranking = project_module("ticket_triage.ranking")
    rng = np.random.default_rng(6)
    docs = [f"a{i}" for i in range(12)]
    qrels, runs = [], []
    for q in range(15):
        judged = rng.choice(docs, size=8, replace=False)
        grades = {d: int(rng.integers(0, 4)) for d in judged}
        grades[str(judged[0])] = max(1, grades[str(judged[0])])
        order = [str(d) for d in rng.permutation(docs)]
        qrels += [ir_measures.Qrel(f"q{q}", d, g) for d, g in grades.items()]
        runs += [ir_measures.ScoredDoc(f"q{q}", d, float(len(order) - i)) for i, d in enumerate(order)]
        mine = {
            "nDCG@5": ranking.ndcg_at_k(order, grades, 5),
            "AP@5": ranking.average_precision_at_k(order, grades, 5),
            "R@5": ranking.recall_at_k(order, grades, 5),
        }
        mine_qrels = [x for x in qrels if x.query_id == f"q{q}"]
        mine_run = [x for x in runs if x.query_id == f"q{q}"]
        ref = ir_measures.calc_aggregate([nDCG @ 5, AP @ 5, R @ 5], mine_qrels, mine_run)
        ref = {str(k): v for k, v in ref.items()}
        for name, value in mine.items():
            assert value == pytest.approx(ref[name], abs=1e-6), (
                f"query q{q}: your {name} is {value:.6f}, ir-measures says {ref[name]:.6f}."
            )

"""Graded: agreement between annotators, Cohen's kappa on a known table and Fleiss' kappa vs statsmodels."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.rubric("p6.labels.cohen", points=5)
def test_cohen_kappa_corrects_for_chance(project_module):
    """cohen_kappa() is (observed - chance agreement) / (1 - chance) on a known table and on random labels"""
    from sklearn.metrics import cohen_kappa_score

    labels = project_module("ticket_triage.labels")
    # 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: p_o = 0.7, p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5, kappa = 0.4
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    got = labels.cohen_kappa(a, b)
    assert got == pytest.approx(0.4, abs=1e-9), (
        f"kappa of the table (20, 5 / 10, 15) is 0.4 (observed 0.7, chance 0.5); got {got}. Agreement alone "
        "is not kappa: subtract the agreement expected by chance."
    )
    rng = np.random.default_rng(6)
    for _ in range(3):
        x = rng.choice(["a", "b", "c", "d"], size=200, p=[0.4, 0.3, 0.2, 0.1]).tolist()
        y = [v if rng.random() < 0.6 else str(rng.choice(["a", "b", "c", "d"])) for v in x]
        assert labels.cohen_kappa(x, y) == pytest.approx(cohen_kappa_score(x, y), abs=1e-9)


@pytest.mark.rubric("p6.labels.fleiss", points=4)
def test_fleiss_kappa_matches_statsmodels(project_module, world):
    """fleiss_kappa() agrees with statsmodels on random tables and on the world's three annotators"""
    from statsmodels.stats.inter_rater import fleiss_kappa

    labels = project_module("ticket_triage.labels")
    rng = np.random.default_rng(6)
    for raters, k in ((3, 4), (5, 3), (3, 6)):
        table = np.stack([rng.multinomial(raters, rng.dirichlet(np.ones(k) * 0.5)) for _ in range(60)])
        got = labels.fleiss_kappa(table.tolist())
        assert got == pytest.approx(fleiss_kappa(table), abs=1e-9), (
            f"{raters} raters, {k} categories: statsmodels says {fleiss_kappa(table):.6f}, you {got:.6f}."
        )
    wide = world.annotations.pivot(index="ticket_id", columns="annotator", values="category")
    cats = sorted(world.annotations["category"].unique())
    table = np.stack([(wide == c).sum(axis=1).to_numpy() for c in cats], axis=1)
    assert labels.fleiss_kappa(table.tolist()) == pytest.approx(fleiss_kappa(table), abs=1e-9)

"""Graded: the rung to ship respects the constraint that ticket text stays in the company, and is the best
of the rest on the ladder's metric (the rule on hand-made ladders; the results file's choice follows it)."""

from __future__ import annotations

import pytest


def rung(name: str, f1: float, *, leaves: bool = False, labels: int = 1600, width: float = 0.03) -> dict:
    """A row of the ladder as reports/ladder.json records it."""
    return {"rung": name, "macro_f1": f1, "macro_f1_ci": [f1 - width, f1 + width], "cost_per_1k_usd": 0.0001,
            "labels": labels, "data_leaves": leaves}  # fmt: skip


def shipped(project_module, ladder: list[dict]) -> str:
    answer = project_module("ticket_triage.rungs").choose_rung(ladder)
    assert isinstance(answer, str), f"choose_rung() must return a rung's name, got {type(answer).__name__}."
    return answer


@pytest.mark.rubric("p6.rungs.choice", points=1)
def test_a_rung_that_sends_tickets_out_never_ships(project_module):
    """choose_rung() rules out a rung whose ticket text leaves the company, however well it scores"""
    ladder = [rung("rules", 0.55, labels=0), rung("local", 0.74), rung("api", 0.81, leaves=True, labels=0)]
    answer = shipped(project_module, ladder)
    assert answer == "local", (
        "the API rung scores 0.81 but sends every ticket to a vendor, which the team's constraint forbids; "
        "the best rung that keeps ticket text in the company is 'local' (0.74); "
        f"choose_rung() said {answer!r}."
    )


@pytest.mark.rubric("p6.rungs.choice", points=1)
def test_the_best_allowed_rung_on_macro_f1_ships(project_module):
    """choose_rung() ships the allowed rung with the best macro-F1, not the widest interval or the top rung"""
    ladder = [rung("rules", 0.55, labels=0), rung("embeddings", 0.78, width=0.02),
              rung("noisy", 0.76, width=0.06), rung("lora", 0.75)]  # fmt: skip
    answer = shipped(project_module, ladder)
    assert answer == "embeddings", (
        "macro-F1 on the same gold tickets: embeddings 0.78 [0.76, 0.80], noisy 0.76 [0.70, 0.82], "
        "lora 0.75 (the top rung of the ladder): the ladder's metric is the macro-F1 itself, not its upper "
        f"bound or the rung's place on the ladder, so 'embeddings' ships; choose_rung() said {answer!r}."
    )
    tied = [rung("tfidf", 0.77, labels=1600), rung("few_labels", 0.77, labels=200)]
    answer = shipped(project_module, tied)
    assert answer == "few_labels", (
        "two rungs tie on macro-F1 (0.77): the one that needs 200 labels instead of 1,600 is the cheaper to "
        f"keep up to date, so it ships; choose_rung() said {answer!r}."
    )

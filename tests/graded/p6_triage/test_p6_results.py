"""Graded: the ladder's results file (every rung side by side), the learning curve, and the README's answers
(structure by the prose linter, numbers cross-checked against the results file)."""

from __future__ import annotations

import json

import pytest

from course.grading.doclint import DocSpec, NumberRule, SectionSpec, cross_check, format_findings, lint

RUNGS = {
    "keyword_rules", "tfidf_logreg", "pytorch_from_scratch", "embeddings_logreg", "lora_finetune",
    "llm_zero_shot", "llm_few_shot",
}  # fmt: skip
F1 = NumberRule(r"0?\.\d{2,}", "a macro-F1 as a number")

README = DocSpec(
    name="README.md",
    sections=(
        SectionSpec("Which rung would you ship and why", 60, (("macro-F1",), ("cost", "$"), ("leave",)),
                    (F1,), guidance="name the rung, its macro-F1 and interval, its cost, where data goes"),
        SectionSpec("When does that answer change", 50, (("family",), ("label",)), (F1,),
                    guidance="say what would make you pick another rung: a new category, more labels"),
        SectionSpec("How good are the labels", 40, (("kappa",), ("cleanlab",)), (F1,)),
        SectionSpec("What the guardrails stop", 30, (("injection", "injected"), ("PII",)),
                    (NumberRule(r"\d+(?:\.\d+)?\s*%", "a rate in percent"),)),
        SectionSpec("Which retrieval to use for help articles", 20, (("NDCG",), ("BM25",)), (F1,)),
    ),
)  # fmt: skip


def _ladder(project_dir) -> dict:
    path = project_dir / "reports" / "ladder.json"
    if not path.is_file():
        pytest.fail("reports/ladder.json is missing: run llm.ipynb, then triage.ipynb.", pytrace=False)
    return json.loads(path.read_text(encoding="utf-8"))


def _check_world(results: dict) -> None:
    """The ladder was measured in the world the learner is graded in."""
    from course import worlds

    graded_in = worlds.current().learner
    assert results.get("world") == graded_in, (
        f"reports/ladder.json says it was measured in world {results.get('world')!r}, and you are graded in "
        f"world {graded_in!r}. The grader reran your notebooks in your world: when triage.ipynb stops on a "
        "runs/finetune.json of another world, the old ladder stays. Run python -m ticket_triage.finetune in "
        "your world (learner.toml), then llm.ipynb and triage.ipynb, and keep results['world']."
    )
    generated = results.get("tickets_world")
    assert isinstance(generated, dict), (
        "reports/ladder.json has no tickets_world: record split.world.params, the parameters that "
        "generated the tickets the ladder was measured on."
    )
    assert generated.get("world", {}) == worlds.current().params("tickets"), (
        "reports/ladder.json's tickets_world names tickets of another world than yours: keep "
        "dataset.load_split(), which draws worlds.current().tickets(), and record split.world.params."
    )


@pytest.mark.rubric("p6.results.ladder", points=3)
def test_the_ladder_compares_every_rung_on_the_same_terms(project_dir):
    """reports/ladder.json holds every rung with macro-F1 and interval, cost, labels needed and data egress,
    measured in the learner's own world"""
    results = _ladder(project_dir)
    _check_world(results)
    rungs = {row["rung"]: row for row in results["ladder"]}
    missing = RUNGS - set(rungs)
    assert not missing, f"reports/ladder.json lacks the rungs {sorted(missing)}."
    for name, row in rungs.items():
        low, high = row["macro_f1_ci"]
        assert 0 <= low <= row["macro_f1"] <= high <= 1, f"{name}: the interval must contain the macro-F1."
        assert row["cost_per_1k_usd"] >= 0 and row["labels"] >= 0, f"{name}: cost and labels needed."
        assert row["data_leaves"] == name.startswith("llm"), f"{name}: does ticket text leave the company?"
    assert rungs["llm_zero_shot"]["labels"] == 0 and rungs["keyword_rules"]["labels"] == 0
    assert rungs["llm_zero_shot"]["cost_per_1k_usd"] > 10 * rungs["embeddings_logreg"]["cost_per_1k_usd"], (
        "an API call per ticket should cost far more than a local model on a CPU."
    )
    assert rungs["embeddings_logreg"]["macro_f1"] > rungs["keyword_rules"]["macro_f1"] + 0.1


@pytest.mark.rubric("p6.results.decisions", points=1)
def test_the_shipped_rung_follows_from_the_ladder(project_dir):
    """reports/ladder.json ships the rung its own ladder supports: the best local rung on macro-F1"""
    results = _ladder(project_dir)
    allowed = [row for row in results.get("ladder", []) if not row.get("data_leaves", True)]
    assert allowed, (
        "reports/ladder.json has no rung that keeps ticket text in the company (data_leaves false)."
    )
    best = max(row["macro_f1"] for row in allowed)
    supported = sorted(row["rung"] for row in allowed if row["macro_f1"] == best)
    said = results.get("best_local_rung")
    assert said in supported, (
        f"reports/ladder.json ships {said!r} (best_local_rung), but its own ladder says the best rung that "
        f"keeps ticket text in the company is {' or '.join(supported)} (macro-F1 {best}): record the rung "
        "your rungs.choose_rung() picks from that ladder."
    )


@pytest.mark.rubric("p6.results.learning_curve", points=3)
def test_the_learning_curve_shows_pretraining_wins_with_few_labels(project_dir):
    """The learning curve: frozen embeddings beat TF-IDF with few labels and the gap closes with many"""
    rows = _ladder(project_dir)["learning_curve"]
    curve = {(r["rung"], r["labels"]): r["macro_f1"] for r in rows}
    sizes = sorted(
        {n for rung, n in curve if rung == "tfidf_logreg"}
        & {n for rung, n in curve if rung == "embeddings_logreg"}
    )
    assert len(sizes) >= 5 and sizes[0] <= 50 and sizes[-1] >= 800, (
        f"use sizes from <= 50 to >= 800 labels, not {sizes}."
    )
    gap = [curve["embeddings_logreg", n] - curve["tfidf_logreg", n] for n in sizes]
    assert gap[0] > 0.05, (
        f"with {sizes[0]} labels the embeddings should win clearly; the gap is {gap[0]:.3f}."
    )
    assert gap[-1] < gap[0] / 2, f"the gap should close as labels grow: {[round(g, 3) for g in gap]}."


@pytest.mark.rubric("p6.readme.answers", points=3)
def test_readme_answers(project_dir):
    """README answers each question: the rung to ship, when that changes, labels, guardrails, retrieval"""
    text = (project_dir / "README.md").read_text(encoding="utf-8")
    findings = lint(text, README)
    assert not findings, format_findings(findings)


@pytest.mark.rubric("p6.readme.numbers", points=4)
def test_readme_quotes_the_results(project_dir):
    """README quotes the shipped rung's macro-F1, Fleiss' kappa, the injection rate and NDCG@5 it measured"""
    results = _ladder(project_dir)
    text = (project_dir / "README.md").read_text(encoding="utf-8")
    rungs = {row["rung"]: row for row in results["ladder"]}
    retrieval = results["retrieval"]
    shipped = rungs[results["best_local_rung"]]
    findings = [
        cross_check(text, "Which rung would you ship and why", shipped["macro_f1"],
                    f"the macro-F1 of {results['best_local_rung']} in reports/ladder.json", rel_tol=0.002,
                    near=("macro-F1",)),
        cross_check(text, "Which rung would you ship and why", rungs["llm_zero_shot"]["macro_f1"],
                    "the zero-shot LLM's macro-F1 in reports/ladder.json", rel_tol=0.002),
        cross_check(text, "How good are the labels", results["labels"]["fleiss_kappa"],
                    "Fleiss' kappa in reports/ladder.json", rel_tol=0.002, near=("Fleiss' kappa",)),
        cross_check(text, "What the guardrails stop", 100 * results["injection"]["success_naive"],
                    "the injection success rate without guardrails (percent)", rel_tol=0.01),
        cross_check(text, "Which retrieval to use for help articles", retrieval["embeddings"]["ndcg@5"],
                    "the embeddings' NDCG@5 in reports/ladder.json", rel_tol=0.002, near=("NDCG@5",)),
    ]  # fmt: skip
    findings = [f for f in findings if f is not None]
    assert not findings, format_findings(findings)

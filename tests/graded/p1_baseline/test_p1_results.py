"""Graded: what baseline.ipynb wrote: reports/metrics.json and the README answers that quote it."""

from __future__ import annotations

import math
import tomllib

import pytest

MODEL_METRICS = ("pr_auc", "roc_auc", "log_loss", "brier", "precision_at_capacity", "recall_at_capacity",
                 "expected_profit")  # fmt: skip


@pytest.mark.rubric("p1.mlp.comparison_reported", points=2)
def test_mlp_comparison_in_metrics_json(read_metrics):
    """metrics.json compares the MLP with boosting: quality, training time, per-row latency, conclusion."""
    metrics_json = read_metrics("the MLP comparison")
    comparison = metrics_json.get("mlp_vs_boosting", {})
    for model in ("mlp", "boosting"):
        entry = comparison.get(model, {})
        for key in ("pr_auc", "log_loss", "train_seconds", "latency_ms_per_row"):
            value = entry.get(key)
            assert isinstance(value, int | float) and math.isfinite(value) and value > 0, (
                f"metrics.json mlp_vs_boosting.{model}.{key} must be a positive number; got {value!r}."
            )
    assert len(str(comparison.get("conclusion", "")).split()) >= 8, (
        "metrics.json mlp_vs_boosting.conclusion should say, in a sentence, whether the MLP is worth it."
    )


@pytest.mark.rubric("p1.results.metrics_json", points=3)
def test_metrics_json_follows_schema(read_metrics, project_dir):
    """metrics.json holds all models' metrics, the threshold, the capacity, the profit and the worst slice."""
    metrics_json = read_metrics("its schema")
    models = metrics_json.get("models", {})
    for name in ("prior", "rule", "logistic", "boosting", "mlp"):
        assert name in models, f"metrics.json models is missing {name!r} (see the schema in the README)."
        missing = [m for m in MODEL_METRICS if not isinstance(models[name].get(m), int | float)]
        assert not missing, f"metrics.json models.{name} lacks {missing}."
    params = tomllib.loads((project_dir / "params.toml").read_text())["decision"]
    assert metrics_json.get("decision", {}).get("capacity") == pytest.approx(params["capacity"]), (
        "metrics.json decision.capacity must equal the capacity in params.toml."
    )
    threshold = metrics_json.get("threshold", {})
    assert isinstance(threshold.get("value"), int | float) and threshold.get("policy"), (
        "metrics.json threshold needs the chosen policy and its value."
    )
    share = threshold.get("share_contacted", 2)
    assert 0 < share <= params["capacity"] + 1e-9, (
        f"The chosen policy contacts {share} of customers; it must contact someone and stay within capacity."
    )
    assert isinstance(metrics_json.get("expected_profit"), int | float), "metrics.json needs expected_profit."
    worst = metrics_json.get("worst_slice", {})
    assert {"slice", "value", "metric", "score"} <= set(worst), (
        f"worst_slice needs slice, value, metric, score: {worst}."
    )
    headline = metrics_json.get("headline", {})
    assert headline.get("ci_low", 1) <= headline.get("value", 0) <= headline.get("ci_high", -1), (
        "headline needs value inside [ci_low, ci_high] (the bootstrap interval by customer)."
    )


def _readme_spec(doclint):
    S = doclint.SectionSpec
    return doclint.DocSpec(
        name="README.md",
        sections=[
            S("What decision does the prediction support", min_words=40,
              required_terms=[["contact"], ["capacity", "%"]],
              guidance="say who acts on the score, how many customers they can reach and what it costs"),
            S("Where do the features and labels come from", min_words=40,
              required_terms=[["label"], ["month start", "start of the month", "as of"], ["leak"]],
              guidance="say when features are measured, when labels become known, which columns you dropped"),
            S("Which baseline does the model beat", min_words=30,
              required_terms=[["baseline", "logistic", "rule"]],
              guidance="name the strongest baseline and give both PR-AUCs from metrics.json"),
            S("Which metric matches the decision", min_words=40,
              required_terms=[["PR-AUC", "precision"], ["profit"]],
              guidance="explain why this metric follows from the contact decision; quote the threshold"),
            S("Which errors matter most", min_words=40, required_terms=[["missed", "false negative"]],
              guidance="say which mistakes cost most and name the worst slice with its number"),
            S("Which data would you collect next", min_words=30,
              guidance="name the data and the error it would fix"),
        ],
    )  # fmt: skip


@pytest.mark.rubric("p1.readme.answers", points=6)
def test_readme_answers_present_and_match_results(project_dir, read_metrics):
    """The README answers all six questions with substance, quoting numbers that match metrics.json."""
    from course.grading import doclint

    text = (project_dir / "README.md").read_text(encoding="utf-8")
    findings = doclint.lint(text, _readme_spec(doclint))
    assert not findings, "README.md answers need work:\n" + doclint.format_findings(findings)
    metrics_json = read_metrics("the numbers your README quotes")
    models = metrics_json.get("models", {})
    chosen = metrics_json.get("chosen_model", "")
    baseline, metric, errors = (
        "Which baseline does the model beat",
        "Which metric matches",
        "Which errors matter",
    )
    checks = [
        (baseline, models.get(chosen, {}).get("pr_auc"), "your model's PR-AUC"),
        (baseline, models.get("logistic", {}).get("pr_auc"), "the logistic PR-AUC"),
        (metric, metrics_json.get("threshold", {}).get("value"), "the chosen threshold"),
        (errors, metrics_json.get("worst_slice", {}).get("score"), "the worst slice's score"),
    ]
    for section, value, what in checks:
        if isinstance(value, int | float):
            finding = doclint.cross_check(text, section, float(value), f"{what} from reports/metrics.json")
            if finding is not None:
                findings.append(finding)
    assert not findings, "README.md answers need work:\n" + doclint.format_findings(findings)

"""Graded: the README answers (structure and substance, via course's doc linter)."""

from __future__ import annotations

import json

import pytest

from course.grading.doclint import DocSpec, NumberRule, SectionSpec, cross_check, format_findings, lint

SPEC = DocSpec(
    name="README.md",
    sections=(
        SectionSpec("Where the data comes from", 40, (("partition",), ("usage",), ("invoice",), ("ticket",))),
        SectionSpec(
            "How labels are created and when they mature",
            50,
            (("matur",), ("held back", "immature")),
            (
                NumberRule(r"\b30\b", "the 30-day horizon"),
                NumberRule(r"\d[\d,]*\s*(?:rows|examples)", "how many rows were held back"),
            ),
        ),
        SectionSpec("When each feature is available", 40, (("before",), ("window",))),
        SectionSpec("Which features could leak future information", 40, (("leak",), ("future", "after"))),
        SectionSpec(
            "How training and serving share transformations", 40, (("transform",), ("skew", "online"))
        ),
        SectionSpec(
            "What breaks if the upstream schema changes and how the pipeline reacts",
            40,
            (("version",), ("adapter",), ("reject", "refuse")),
        ),
    ),
)


@pytest.mark.rubric("p3.readme.answers", points=3)
def test_readme_answers(project_dir):
    """README answers every question with substance: data, labels, features, leakage, transform, schema"""
    text = (project_dir / "README.md").read_text(encoding="utf-8")
    findings = lint(text, SPEC)
    assert not findings, format_findings(findings)


@pytest.mark.rubric("p3.readme.numbers", points=2)
def test_readme_quotes_the_notebook_figures(project_dir):
    """README quotes the held-back label count, the leaky offline AUC and the honest AUC's interval"""
    results = project_dir / "reports" / "pipeline.json"
    assert results.is_file(), "reports/pipeline.json is missing: run pipeline.ipynb top to bottom first."
    figures = json.loads(results.read_text(encoding="utf-8"))
    text = (project_dir / "README.md").read_text(encoding="utf-8")
    findings = [
        cross_check(
            text,
            "How labels are created and when they mature",
            figures["labels_held_back"],
            "the number of held-back labels in reports/pipeline.json",
            near=("held back", "held-back"),
        ),
        cross_check(
            text,
            "Which features could leak future information",
            figures["auc_leaky_offline"],
            "the leaky model's offline ROC AUC in reports/pipeline.json",
            rel_tol=0.002,
            near=("offline ROC AUC", "offline AUC", "leaky"),
        ),
    ]
    low, high = (figures.get("auc_intervals") or {}).get("point_in_time") or (None, None)
    assert isinstance(low, int | float) and isinstance(high, int | float), (
        "reports/pipeline.json auc_intervals.point_in_time must hold the [low, high] bootstrap interval of "
        "the point-in-time model's AUC: run the notebook's evaluation cell."
    )
    assert low < figures["auc_point_in_time"] < high, (
        f"The interval {[low, high]} must contain the point-in-time AUC {figures['auc_point_in_time']}."
    )
    findings.append(
        cross_check(
            text,
            "Which features could leak future information",
            low,
            "the low end of the point-in-time AUC's interval in reports/pipeline.json",
            rel_tol=0.002,
            near=("interval",),
        )
    )
    findings = [f for f in findings if f is not None]
    assert not findings, format_findings(findings)

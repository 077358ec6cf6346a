"""Graded: the README answers (structure and consistency with reports/serving.json, via the doc linter)."""

from __future__ import annotations

import json

import pytest

from course.grading.doclint import DocSpec, SectionSpec, cross_check, format_findings, lint

SECTIONS = (
    SectionSpec(
        "Inference path",
        min_words=90,
        required_terms=(("checksum", "sha-256", "sha256"), ("threshold",), ("batch",)),
        guidance=(
            "follow a request from validation to predict_proba, and say where the model is "
            "verified and loaded"
        ),
    ),
    SectionSpec(
        "Input contract",
        min_words=90,
        required_terms=(("422", "4xx"), ("categor",), ("unknown",)),
        guidance="say what is accepted and refused, with which status, and why strictness beats forgiveness",
    ),
    SectionSpec(
        "Failure modes and the fallback",
        min_words=90,
        required_terms=(
            ("checksum", "sha"),
            ("fallback",),
            ("/ready", "ready"),
            ("metric", "counter", "alert"),
        ),
        guidance=(
            "list missing artifact, checksum mismatch and model error, what the service does, how it shows"
        ),
    ),
    SectionSpec(
        "Rollback",
        min_words=50,
        required_terms=(("current",), ("version",)),
        guidance="give the command, how long it takes and why the previous version is still safe to serve",
    ),
    SectionSpec(
        "Logging",
        min_words=60,
        required_terms=(("request id", "request_id", "x-request-id"), ("latency",), ("personal", "customer")),
        guidance="say what each line carries, what it leaves out and why",
    ),
)


def _readme(project_dir) -> str:
    path = project_dir / "README.md"
    assert path.is_file(), "README.md is missing from your project folder."
    return path.read_text(encoding="utf-8")


@pytest.mark.rubric("p2.readme.answers", points=2)
def test_readme_answers_every_question(project_dir):
    """README answers the five questions (inference path, input contract, failures, rollback, logging)."""
    problems = lint(_readme(project_dir), DocSpec(SECTIONS, name="README.md"))
    assert not problems, "Answer every question in README.md:\n" + format_findings(problems)


@pytest.mark.rubric("p2.readme.consistent", points=2)
def test_readme_numbers_match_the_notebook_results(project_dir):
    """README quotes the served model's ROC-AUC and the batch rejects from reports/serving.json."""
    path = project_dir / "reports" / "serving.json"
    assert path.is_file(), "reports/serving.json is missing: run serving.ipynb, which writes it."
    report = json.loads(path.read_text())
    served = report["served_version_before_rollback"]
    checks = [
        cross_check(_readme(project_dir), "Inference path", report["metrics"][served]["roc_auc"],
                    f"the out-of-time ROC-AUC of {served} from reports/serving.json", rel_tol=0.002,
                    near=("ROC-AUC", "ROC AUC")),
        cross_check(_readme(project_dir), "Input contract", report["batch"]["rows_rejected"],
                    "the number of rows the notebook's batch rejected",
                    near=("rejected", "rejects", "refused")),
    ]  # fmt: skip
    problems = [finding for finding in checks if finding is not None]
    assert not problems, format_findings(problems)

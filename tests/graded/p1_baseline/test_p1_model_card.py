"""Graded: what baseline.ipynb wrote about explanations and fairness, and the model card that quotes it."""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd
import pytest


def _numbers_and_strings(value: Any, numbers: list[float], strings: set[str]) -> None:
    """Every number of a JSON tree, and every key or string that holds a digit (a group name, a month)."""
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        if math.isfinite(value):
            numbers.append(float(value))
        return
    if isinstance(value, str):
        if re.search(r"\d", value) and len(value) <= 40:
            strings.add(value)
        return
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    for key, item in items:
        if isinstance(key, str) and re.search(r"\d", key):
            strings.add(key)
        _numbers_and_strings(item, numbers, strings)


@pytest.mark.rubric("p1.explain.reported", points=1)
def test_reason_codes_written_for_the_contact_list(project_dir, read_metrics):
    """reports/reason_codes.csv gives every customer the chosen policy contacts their own reasons."""
    metrics_json = read_metrics("the explanations")
    explanations = metrics_json.get("explanations", {})
    path = project_dir / "reports" / "reason_codes.csv"
    if not path.is_file():
        pytest.fail("reports/reason_codes.csv not found: run baseline.ipynb top to bottom.", pytrace=False)
    reasons = pd.read_csv(path)
    predictions = pd.read_csv(project_dir / "reports" / "test_predictions.csv")
    threshold = metrics_json.get("threshold", {}).get("value")
    contacted = int((predictions["score"] >= float(threshold) - 1e-6).sum()) if threshold is not None else -1
    assert len(reasons) == contacted == explanations.get("contact_list"), (
        f"The chosen policy (threshold {threshold}) contacts {contacted} test customer-months; "
        f"reports/reason_codes.csv has {len(reasons)} rows and explanations.contact_list says "
        f"{explanations.get('contact_list')}. Explain exactly the contact list."
    )
    first = reasons.get("reason_1", pd.Series(dtype=object)).dropna()
    assert first.nunique() > 1 and first.value_counts(normalize=True).iloc[0] < 0.9, (
        "reason_1 is the same column for almost every customer on the list: a reason code comes from each "
        "customer's own contributions, not from the global importance ranking."
    )
    stability = explanations.get("stability", {})
    overlap = stability.get("mean_overlap")
    assert isinstance(overlap, int | float) and 0 <= overlap <= 1, (
        f"explanations.stability.mean_overlap should be the share of reasons that stay when the explanation "
        f"is repeated (0 to 1); got {overlap!r}."
    )
    error = explanations.get("max_additivity_error")
    assert isinstance(error, int | float) and abs(error) < 1e-3, (
        f"explanations.max_additivity_error is {error!r}: report the largest |base + contributions - "
        "log-odds| over the contact list, which an exact explainer keeps below 1e-3."
    )


@pytest.mark.rubric("p1.fairness.reported", points=1)
def test_mitigation_frontier_reported_on_the_test_customers(read_metrics):
    """The mitigation frontier in metrics.json is measured on the test customers, unmitigated point first."""
    metrics_json = read_metrics("the fairness mitigation")
    block = metrics_json.get("fairness_mitigation", {})
    frontier = [row for row in block.get("frontier", []) if isinstance(row, dict)]
    n_test = metrics_json.get("data", {}).get("n_test")
    assert len(frontier) >= 3 and block.get("n_evaluated") == n_test, (
        f"fairness_mitigation should hold the unmitigated policy and at least two mitigation settings, "
        f"measured on the {n_test} test rows; it holds {len(frontier)} rows measured on "
        f"{block.get('n_evaluated')} rows. Fit on validation, evaluate on test."
    )
    first, policy = frontier[0], metrics_json.get("policies", {}).get("profit", {})
    assert math.isclose(first.get("expected_profit", math.nan), policy.get("expected_profit", math.inf)) and (
        math.isclose(
            first.get("share_contacted", math.nan), policy.get("share_contacted", math.inf), abs_tol=2e-4
        )
    ), (
        f"The frontier's first point should be the unmitigated profit policy on the test months (profit "
        f"{policy.get('expected_profit')}, share {policy.get('share_contacted')}); it is {first}."
    )
    for row in frontier:
        low, gap, high = (row.get(k) for k in ("ci_low", "recall_gap", "ci_high"))
        ok = all(isinstance(v, int | float) for v in (low, gap, high)) and low <= high
        assert ok and {"change_low", "change_high"} <= set(row), (
            f"Each frontier point needs its recall gap with an interval (ci_low, ci_high) and the paired "
            f"interval of its change against the unmitigated policy (change_low, change_high); got {row}."
        )


def _card_spec(doclint):
    S = doclint.SectionSpec
    return doclint.DocSpec(
        name="MODEL_CARD.md",
        sections=[
            S("Intended use", min_words=30, required_terms=[["contact"]],
              guidance="say which decision the model supports, and which uses it is not meant for"),
            S("Data", min_words=30, required_terms=[["test"]],
              guidance="say what the model was trained, tuned and evaluated on, with the row counts"),
            S("Metrics", min_words=30, required_terms=[["PR-AUC"], ["interval"]],
              guidance="quote the headline metric with its interval, and the policy's profit"),
            S("Slices", min_words=15, guidance="name the worst slice and its figure"),
            S("Fairness", min_words=30, required_terms=[["gap"], ["interval"]],
              guidance="quote the gap with its interval, and what mitigation did to it and to the profit"),
            S("Explanations", min_words=25, required_terms=[["reason"]],
              guidance="say what the reason codes explain, what they do not, and how stable they are"),
            S("Limitations", min_words=25, guidance="say where the model should not be trusted"),
        ],
    )  # fmt: skip


@pytest.mark.rubric("p1.model_card", points=3)
def test_model_card_quotes_only_numbers_from_the_results(project_dir, read_metrics):
    """MODEL_CARD.md covers use, data, metrics, slices, fairness, explanations and limitations, and every
    number in it is a number of reports/metrics.json."""
    from course.grading import doclint

    path = project_dir / "MODEL_CARD.md"
    if not path.is_file():
        pytest.fail("MODEL_CARD.md not found in the project folder: write the model card.", pytrace=False)
    text = path.read_text(encoding="utf-8")
    spec = _card_spec(doclint)
    findings = doclint.lint(text, spec)
    assert not findings, "MODEL_CARD.md needs work:\n" + doclint.format_findings(findings)
    numbers: list[float] = []
    strings: set[str] = set()
    _numbers_and_strings(read_metrics("the numbers your model card quotes"), numbers, strings)
    sections = doclint.parse_sections(text)
    stray = []
    for section in spec.sections:
        body = sections.get(doclint.normalise_title(section.title), "")
        body = re.sub(r"<!--.*?-->", " ", body, flags=re.DOTALL)
        for name in sorted(strings, key=len, reverse=True):  # group names and months are not figures
            body = body.replace(name, " ")
        for match in re.finditer(r"(?<![\w.])[-+−]?\d[\d,]*(?:\.\d+)?(?:\s?%)?", body):
            written = match.group()
            if not any(doclint.mentions_value(written, value) for value in numbers):
                stray.append(f"'{written}' in '{section.title}'")
    assert not stray, (
        f"These numbers of MODEL_CARD.md are not in reports/metrics.json: {', '.join(stray)}. Quote the "
        "figures your notebook wrote (re-run it after a change), or add the figure to the results first."
    )

"""Scoring: rubric items from what one grading run recorded, as pure functions (no process, no file).

The runner collects, per pytest node id, what the plugin described (``records``) and how it ended
(``results``); :func:`score` turns that into :class:`~course.grading.reports.ItemResult` rows. A test that
did not run gets zero with the reason (its file did not load, the run ended early); a notebook passes only
when every one of its cells ran and passed in this run and it wrote the files its rubric entry lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from course.grading.reports import ItemResult, TestResult
from course.grading.rubric import Rubric

DEFERRED = "graded by the instructor's grader"
"""A skip message that starts so takes its item out of the total: only the instructor's grader has the
material (such as the mutants of :mod:`course.grading.learner_suite`)."""
UNAVAILABLE = "not graded on this machine"
"""A skip message that starts so takes its item out of the total: a tool the check needs is missing."""
NOT_COUNTED = (DEFERRED, UNAVAILABLE)


@dataclass
class RunRecord:
    """Everything scoring needs from one run."""

    rubric: Rubric
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # nodeid -> what the plugin described
    results: dict[str, dict[str, Any]] = field(default_factory=dict)  # nodeid -> outcome, message, ...
    unrun: dict[str, str] = field(default_factory=dict)  # nodeid -> why it has no result
    stop_reason: str = "not run"
    collect_errors: dict[str, str] = field(default_factory=dict)
    missing_notebooks: list[str] = field(default_factory=list)
    notebooks_skipped: bool = False
    written: set[str] = field(default_factory=set)  # the rubric's ``writes`` files present after the run


def score(run: RunRecord) -> list[ItemResult]:
    """Rubric items with their earned points, from the tests' and notebooks' results."""
    by_key: dict[str, list[str]] = {}
    for nodeid, info in run.records.items():
        if info.get("kind") == "test":
            by_key.setdefault(info["key"], []).append(nodeid)
    items = []
    for item in run.rubric.items:
        tests: list[TestResult] = []
        earned = 0.0
        for test in item.tests:
            nodeids = by_key.get(test.key, [])
            for nodeid in nodeids:
                result = test_result(run, nodeid)
                tests.append(result)
                earned += test.points if result.passed else 0.0
            for case in range(len(nodeids), test.cases):
                suffix = f"[case {case + 1}]" if test.cases > 1 else ""
                tests.append(TestResult(test.key + suffix, "not run", missing_reason(run, test.key)))
        for notebook in item.notebooks:
            result = notebook_result(run, notebook.path)
            tests.append(result)
            earned += notebook.points if result.passed else 0.0
        if deferred(tests):  # graded only where its material or tool is: not counted here
            items.append(ItemResult(item.id, item.text, 0.0, 0.0, tests[0].message, tests))
            continue
        earned = min(earned, item.points)
        failing = list(dict.fromkeys(t.message for t in tests if not t.passed and t.message))
        message = "\n".join(failing[:3]) + (f"\n(+{len(failing) - 3} more)" if len(failing) > 3 else "")
        items.append(ItemResult(item.id, item.text, item.points, earned, message if failing else "", tests))
    return items


def deferred(tests: list[TestResult]) -> bool:
    """Did every test of an item skip because it cannot be graded here (:data:`NOT_COUNTED`)?"""
    return bool(tests) and all(t.outcome == "skipped" and t.message.startswith(NOT_COUNTED) for t in tests)


def test_result(run: RunRecord, nodeid: str) -> TestResult:
    """One collected test case's result."""
    info = run.records[nodeid]
    result = run.results.get(nodeid)
    if result is None:
        return TestResult(info["name"], "not run", run.unrun.get(nodeid, run.stop_reason))
    return TestResult(
        info["name"],
        result.get("outcome", "failed"),
        result.get("message", ""),
        result.get("details", ""),
        float(result.get("duration", 0.0)),
    )


def missing_reason(run: RunRecord, key: str) -> str:
    """Why a test from the rubric has no result: its file did not load, or the run ended early."""
    file = key.split("::", 1)[0]
    for nodeid, message in run.collect_errors.items():
        if nodeid.endswith(file):
            return f"the grader could not load {file}: {message}"
    return run.stop_reason


def notebook_result(run: RunRecord, path: str) -> TestResult:
    """A notebook passes when it was collected and every one of its cells passed (or was skipped)."""
    if run.notebooks_skipped:
        return TestResult(path, "not run", "not run: this run ran selected test files only")
    if path in run.missing_notebooks:
        return TestResult(path, "failed", f"{path} is missing from your submission: keep it at {path}")
    for nodeid, message in run.collect_errors.items():
        if nodeid.endswith(path):
            return TestResult(path, "failed", f"could not read {path}: {message}")
    cells = sorted(
        (info["cell"], nodeid)
        for nodeid, info in run.records.items()
        if info.get("kind") == "cell" and info.get("notebook") == path
    )
    duration = 0.0
    for _, nodeid in cells:
        result = run.results.get(nodeid)
        if result is None:
            return TestResult(path, "not run", run.unrun.get(nodeid, run.stop_reason))
        duration += float(result.get("duration", 0.0))
        if result.get("outcome") not in ("passed", "skipped"):
            outcome = "crashed" if result.get("outcome") == "crashed" else "failed"
            return TestResult(path, outcome, result.get("message", ""), result.get("details", ""), duration)
    if not cells:
        if not run.records:
            return TestResult(path, "not run", run.stop_reason)
        return TestResult(
            path, "failed", f"{path} has no code cell to run: the notebook is graded by running it"
        )
    entry = next((e for e in run.rubric.notebooks if e.path == path), None)
    missing = [name for name in (entry.writes if entry else ()) if name not in run.written]
    if missing:
        message = f"{path} ran but did not write {', '.join(missing)} in this run: run it top to bottom"
        return TestResult(path, "failed", message, "", duration)
    return TestResult(path, "passed", "", "", duration)

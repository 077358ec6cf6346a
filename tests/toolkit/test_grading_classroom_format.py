"""``--format classroom``: the runner result that GitHub Classroom's grading reporter reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from course.cli import app
from course.grading.reports import FORMATS, GradeReport, ItemResult, TestResult, to_classroom

SAMPLE = Path(__file__).parent / "fixtures" / "sample_course"


def a_report(add_earned: float = 0.0) -> GradeReport:
    """One item with partial credit at most (``add_earned`` of 2), one at full marks."""
    failed = TestResult("test_mathops.py::test_add", "failed", "add(2, 3) returned -1")
    return GradeReport(
        project="p1_baseline",
        target="/tmp/alice",
        items=[
            ItemResult(
                "p1.mathops.add",
                "add() returns the sum | of its arguments.",
                2,
                add_earned,
                "add(2, 3) returned -1, expected 5: return a + b.",
                [failed],
            ),
            ItemResult(
                "p1.notebook.analysis", "analysis.ipynb runs", 3, 3, "", [TestResult("a.ipynb", "passed")]
            ),
        ],
    )


def test_classroom_is_a_format() -> None:
    assert "classroom" in FORMATS


def test_one_classroom_test_per_rubric_item_with_its_points() -> None:
    data = json.loads(to_classroom(a_report(add_earned=1.5)))
    assert list(data) == ["version", "status", "max_score", "tests"]
    assert (data["version"], data["status"], data["max_score"]) == (1, "fail", 5)
    first, second = data["tests"]
    assert first["name"] == "p1.mathops.add: add() returns the sum | of its arguments."
    assert (first["status"], first["score"], first["max_score"]) == ("fail", 1.5, 2)
    assert first["message"] == "1.5/2 points: add(2, 3) returned -1, expected 5: return a + b."
    assert (second["status"], second["score"], second["message"]) == ("pass", 3, "3/3 points")
    assert sum(test["score"] for test in data["tests"]) == 4.5


def test_the_reporter_fields_are_all_there() -> None:
    """The reporter prints ``line_no`` unless it is 0, and ``test_code`` when it is not empty."""
    for test in json.loads(to_classroom(a_report()))["tests"]:
        assert set(test) >= {"name", "status", "score", "message", "test_code", "filename", "line_no"}
        assert (test["line_no"], test["test_code"]) == (0, "")


def test_full_marks_pass_and_durations_are_milliseconds() -> None:
    item = ItemResult("p1.a", "A.", 2, 2, "", [TestResult("t.py::a", "passed", duration_s=0.25)])
    data = json.loads(to_classroom(GradeReport("p1_baseline", "/tmp/x", [item])))
    assert data["status"] == "pass"
    assert (data["tests"][0]["status"], data["tests"][0]["duration"]) == ("pass", 250)


def test_class_mode_refuses_the_classroom_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_ROOT", str(SAMPLE))
    args = ["grade", "p1", "--submissions", str(tmp_path), "--format", "classroom"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "--format classroom reports one submission" in result.output

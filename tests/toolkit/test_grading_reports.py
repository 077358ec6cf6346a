"""Report formats: the JSON schema, Markdown, JUnit XML, GitHub Classroom's runner result, the terminal table
and the gradebook."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from course.cli import app
from course.grading.classroom import write_gradebook
from course.grading.reports import (
    FORMATS,
    GradeReport,
    ItemResult,
    TestResult,
    render_table,
    to_classroom,
    to_json,
    to_junit,
    to_markdown,
    write_reports,
)
from course.grading.rubric import load_rubric

SAMPLE = Path(__file__).parent / "fixtures" / "sample_course"


def a_report(submission: str = "alice", add_earned: float = 0.0) -> GradeReport:
    """A report with one failed item, one passed item and a note."""
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
                [TestResult("test_mathops.py::test_add", "failed", "add(2, 3) returned -1", "Traceback ...")],
            ),
            ItemResult(
                "p1.notebook.analysis",
                "analysis.ipynb runs",
                3,
                3,
                "",
                [TestResult("analysis.ipynb", "passed")],
            ),
        ],
        duration_s=4.2,
        versions={"python": "3.11"},
        notes=["p1.reports.summary: your summary has 2 lines"],
        submission=submission,
    )


def test_json_has_exactly_the_documented_fields() -> None:
    data = json.loads(to_json(a_report()))
    assert list(data) == [
        "project",
        "target",
        "score",
        "max_score",
        "items",
        "duration_s",
        "versions",
        "notes",
        "learner",
        "world_flags",
    ]
    assert (data["score"], data["max_score"]) == (3, 5)
    assert list(data["items"][0]) == ["id", "text", "points", "earned", "message", "tests"]
    assert data["items"][0]["tests"] == [
        {"name": "test_mathops.py::test_add", "outcome": "failed", "message": "add(2, 3) returned -1"}
    ]


def test_markdown_has_the_items_table_and_notes() -> None:
    text = to_markdown(a_report())
    assert "| Rubric item | Earned | Points | What earns the points | Message |" in text
    assert "| `p1.mathops.add` | 0 | 2 | add() returns the sum \\| of its arguments. |" in text
    assert "## Notes\n\n- p1.reports.summary: your summary has 2 lines" in text
    assert "Traceback" not in text


def test_verbose_markdown_adds_the_details() -> None:
    assert "Traceback ..." in to_markdown(a_report(), verbose=True)


def test_junit_xml_parses_with_one_case_per_test() -> None:
    suite = ET.fromstring(to_junit(a_report())).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    failure = suite.find("testcase[@classname='p1.mathops.add']/failure")
    assert failure is not None and failure.get("message") == "add(2, 3) returned -1"


def test_the_table_shows_earned_over_points_and_the_message() -> None:
    console = Console(width=140, record=True)
    console.print(render_table(a_report()))
    text = console.export_text()
    assert "p1_baseline: 3 / 5 points" in text
    assert "0/2" in text and "return a + b." in text
    assert "your summary has 2 lines" in text


def test_out_writes_the_three_files(tmp_path: Path) -> None:
    written = write_reports(a_report(), tmp_path / "out")
    assert sorted(p.name for p in written) == ["grade.json", "grade.md", "grade.xml"]


def test_the_gradebook_has_one_row_per_submission(tmp_path: Path) -> None:
    rubric = load_rubric("p1", SAMPLE)
    reports = [a_report("alice", 2), a_report("bob", 0)]
    with open(write_gradebook(tmp_path / "grades.csv", reports, rubric), newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["submission"] for row in rows] == ["alice", "bob"]
    ids = [item.id for item in rubric.items]
    assert list(rows[0]) == ["submission", "score", "max_score", *ids, "learner", "world_flags"]
    assert (rows[0]["score"], rows[0]["p1.mathops.add"], rows[1]["p1.mathops.mean"]) == ("5", "2", "0")


# --format classroom: the runner result that GitHub Classroom's grading reporter reads.


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

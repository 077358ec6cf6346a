"""``course status``: every project's items earned, partial, missing or never run, from the learner's own
last gradings (``course grade`` replaces a project's record, ``course check`` updates the items it ran)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from course.cli import app
from course.grading.reports import GradeReport, ItemResult
from course.grading.status import project_status, record_grading, record_if_own, record_path

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT = "p1_baseline"
ITEMS = {"p1.mathops.add": 2, "p1.mathops.mean": 3, "p1.reports.summary": 2, "p1.notebook.analysis": 3}


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "sample_course", tmp_path / "course"))


def report(course: Path, earned: dict[str, float], folder: str = "projects") -> GradeReport:
    items = [ItemResult(item, item, ITEMS[item], points) for item, points in earned.items()]
    return GradeReport(PROJECT, str(course / folder / PROJECT), items)


def test_a_grade_sets_every_item_and_the_points(course: Path) -> None:
    record_grading(report(course, {"p1.mathops.add": 2, "p1.mathops.mean": 1}), course, how="grade")
    status = project_status(PROJECT, course)
    assert status.items == {
        "p1.mathops.add": "earned",
        "p1.mathops.mean": "partial",
        "p1.reports.summary": "never run",
        "p1.notebook.analysis": "never run",
    }
    assert (status.earned, status.points) == (3, 10)


def test_a_check_updates_only_the_items_it_ran(course: Path) -> None:
    first = {"p1.mathops.add": 2, "p1.reports.summary": 0}
    record_grading(report(course, first), course, how="grade", now=datetime(2026, 12, 1, tzinfo=UTC))
    record_grading(report(course, {"p1.reports.summary": 2}), course, how="check")
    status = project_status(PROJECT, course)
    assert status.items["p1.mathops.add"] == "earned"
    assert status.items["p1.reports.summary"] == "earned"
    assert status.last > "2026-12-01T00:00:00+00:00"


def test_a_new_grade_forgets_what_the_last_one_earned(course: Path) -> None:
    record_grading(report(course, {"p1.mathops.add": 2}), course, how="grade")
    record_grading(report(course, {"p1.mathops.mean": 0}), course, how="grade")
    status = project_status(PROJECT, course)
    assert status.items["p1.mathops.add"] == "never run"
    assert status.items["p1.mathops.mean"] == "missing"


def test_only_gradings_of_the_learners_own_projects_are_recorded(course: Path) -> None:
    assert not record_if_own(report(course, {"p1.mathops.add": 2}, folder="solutions"), "grade", course)
    assert not record_path(PROJECT, course).exists()
    assert record_if_own(report(course, {"p1.mathops.add": 2}), "grade", course)
    assert project_status(PROJECT, course).items["p1.mathops.add"] == "earned"


def test_an_unreadable_record_reads_as_never_graded(course: Path) -> None:
    path = record_path(PROJECT, course)
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert set(project_status(PROJECT, course).items.values()) == {"never run"}


def test_the_command_lists_every_project(course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_ROOT", str(course))
    record_grading(report(course, {"p1.mathops.add": 2}), course, how="grade")
    result = CliRunner().invoke(app, ["status"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if PROJECT in line)
    assert "2/10" in row
    detail = CliRunner().invoke(app, ["status", "p1"], env={"COLUMNS": "200"})
    assert "p1.mathops.add" in detail.output and "never run" in detail.output

"""``course check-starter``: a graded test that passes on the untouched starter is named, and fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from course.cli import app

SAMPLE = Path(__file__).parent / "fixtures" / "sample_course"


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = Path(shutil.copytree(SAMPLE, tmp_path / "course"))
    monkeypatch.setenv("COURSE_ROOT", str(root))
    return root


def test_a_starter_on_which_everything_fails_passes_the_check(course: Path) -> None:
    result = CliRunner().invoke(app, ["check-starter", "p1"])
    assert result.exit_code == 0, result.output
    assert "every graded test and notebook item fails on the starter" in result.output


def solve_add(course: Path) -> None:
    """Give the sample starter the solution's ``add`` (and keep its unsolved ``mean``)."""
    starter = course / "projects" / "p1_baseline" / "tinypkg" / "mathops.py"
    solved = (course / "solutions" / "p1_baseline" / "tinypkg" / "mathops.py").read_text()
    starter.write_text(
        solved.split("def mean(")[0] + "def mean(" + starter.read_text().split("def mean(", 1)[1]
    )


def test_a_test_that_passes_on_the_starter_is_named(course: Path) -> None:
    solve_add(course)
    result = CliRunner().invoke(app, ["check-starter", "p1"])
    assert result.exit_code == 1
    assert "p1.mathops.add: test_mathops.py::test_add_returns_the_sum" in result.output


def test_in_process_a_starter_on_which_every_test_fails_passes(course: Path) -> None:
    result = CliRunner().invoke(app, ["check-starter", "p1", "--in-process", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "p1: every graded test fails on the starter" in result.output


def test_in_process_a_test_that_passes_on_the_starter_is_named(course: Path) -> None:
    solve_add(course)
    result = CliRunner().invoke(app, ["check-starter", "p1", "--in-process", "--jobs", "1"])
    assert result.exit_code == 1, result.output
    assert "test_mathops::test_add_returns_the_sum" in result.output
    assert "test_mean" not in result.output

"""``course grade``: exit codes, report files and class mode."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from course.cli import app

SAMPLE = Path(__file__).parent / "fixtures" / "sample_course"
FAST = ["--timeout", "5", "--wall", "60", "--memory", "2048"]


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = Path(shutil.copytree(SAMPLE, tmp_path / "course"))
    monkeypatch.setenv("COURSE_ROOT", str(root))
    return root


def test_an_unknown_project_exits_2(course: Path) -> None:
    result = CliRunner().invoke(app, ["grade", "p9"])
    assert result.exit_code == 2
    assert "Unknown project 'p9'" in result.output


def test_a_missing_target_exits_2(course: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["grade", "p1", "--target", str(tmp_path / "gone")])
    assert result.exit_code == 2
    assert "gone: the folder does not exist" in result.output


def test_an_unknown_format_exits_2(course: Path) -> None:
    result = CliRunner().invoke(app, ["grade", "p1", "--format", "pdf"])
    assert result.exit_code == 2
    assert "--format 'pdf'" in result.output


def test_a_starter_grades_with_exit_0_and_writes_the_reports(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["grade", "p1", "--target", "projects", "--format", "json", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads((out / "grade.json").read_text())["score"] == 0
    assert sorted(p.name for p in out.iterdir()) == ["grade.json", "grade.md", "grade.xml"]


@pytest.mark.slow
def test_class_mode_grades_three_submissions_into_a_gradebook(course: Path, tmp_path: Path) -> None:
    klass = tmp_path / "class"
    shutil.copytree(course / "solutions" / "p1_baseline", klass / "alice")
    shutil.copytree(course / "projects" / "p1_baseline", klass / "bob")
    shutil.copytree(course / "solutions" / "p1_baseline", tmp_path / "carol" / "projects" / "p1_baseline")
    out, book = tmp_path / "reports", tmp_path / "grades.csv"
    args = ["grade", "p1", "--submissions", str(klass), str(tmp_path / "carol"), "--jobs", "2"]
    result = CliRunner().invoke(app, [*args, "--out", str(out), "--gradebook", str(book), *FAST])
    assert result.exit_code == 0, result.output
    with open(book, newline="") as handle:
        rows = {row["submission"]: row for row in csv.DictReader(handle)}
    assert {name: row["score"] for name, row in rows.items()} == {"alice": "10", "bob": "0", "carol": "10"}
    assert (out / "bob" / "grade.json").is_file()

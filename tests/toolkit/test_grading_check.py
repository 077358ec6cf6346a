"""``course check``: the tests of a few rubric items, without the notebooks, and nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from course.cli import app
from course.grading.check import CheckError, matches, select_items, split_by_notebooks
from course.grading.rubric import NotebookEntry, Rubric, RubricItem, RubricTest

SAMPLE = Path(__file__).parent / "fixtures" / "sample_course"


def rubric() -> Rubric:
    items = [
        RubricItem("p1.split.time", "t", [RubricTest("test_split.py::test_a", 2)]),
        RubricItem("p1.split.groups", "g", [RubricTest("test_split.py::test_b", 1)]),
        RubricItem("p1.readme.numbers", "r", [RubricTest("test_results.py::test_c", 3)]),
        RubricItem(
            "p1.notebook.main", "n", notebooks=[NotebookEntry("main.ipynb", "p1.notebook.main", 3, "n")]
        ),
    ]
    return Rubric("p1_baseline", items, beside_notebooks=["test_split.py"])


@pytest.mark.parametrize(
    ("selector", "expected"),
    [("p1.split", True), ("split", True), ("split.time", True), ("p1.split.time", True), ("spl", False)],
)
def test_a_selector_is_an_id_or_a_prefix_with_or_without_the_project(selector: str, expected: bool) -> None:
    assert matches("p1.split.time", selector, "p1") is expected


def test_items_that_read_notebook_outputs_are_set_aside() -> None:
    r = rubric()
    items = select_items(r, ["split", "readme", "notebook"], "p1")
    files, blocked = split_by_notebooks(r, items)
    assert files == ["test_split.py"]
    assert [i.id for i in blocked] == ["p1.readme.numbers", "p1.notebook.main"]


def test_an_unknown_selector_lists_the_items() -> None:
    with pytest.raises(CheckError, match=r"p1\.split\.time, p1\.split\.groups"):
        select_items(rubric(), ["p1.model"], "p1")


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = Path(shutil.copytree(SAMPLE, tmp_path / "course"))
    toml = root / "tests" / "graded" / "p1_baseline" / "rubric.toml"
    toml.write_text('beside_notebooks = ["test_mathops.py"]\n' + toml.read_text(encoding="utf-8"), "utf-8")
    monkeypatch.setenv("COURSE_ROOT", str(root))
    return root


def test_check_grades_only_the_named_items_without_notebooks(course: Path) -> None:
    result = CliRunner().invoke(app, ["check", "p1", "mathops.add", "--target", "solutions"])
    assert result.exit_code == 0, result.output
    assert "p1.mathops.add" in result.output and "2/2" in result.output
    assert "p1.mathops.mean" not in result.output and "p1.notebook" not in result.output


def test_check_defaults_to_the_learners_projects(course: Path) -> None:
    result = CliRunner().invoke(app, ["check", "p1", "mathops"])
    assert result.exit_code == 0, result.output
    assert "0 / 5 points" in result.output  # the starter in projects/ earns nothing (the solution: 5)


def test_check_of_an_item_that_needs_the_notebooks_says_which_command_grades_it(course: Path) -> None:
    result = CliRunner().invoke(app, ["check", "p1", "reports"])
    assert result.exit_code == 2
    assert "course grade p1 --target projects" in result.output


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("course ")

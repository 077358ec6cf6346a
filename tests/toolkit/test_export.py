"""``course export``: the learner repository has the starters, the public tests and the site, no answer.

A throw-away course (the sample course plus the project template, as in ``test_new_project.py``) shows each
guard; the real course is exported once to show that it carries no solution line, no stored output and no
authors' path, and that the toolkit grades in it without ``solutions/``. The learner repository's own
``make test`` and ``make start`` on a clean clone run in CI (``make export-check``: it installs a second
virtual environment, too slow for ``make test``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from test_new_project import FIXTURES, FOLDER, PACKAGE, instantiate

from course.assign import assign
from course.export import EXCLUDED, ExportError, export, find_leaks, is_excluded, learner_markdown
from course.grading.check import check_items
from course.grading.targets import resolve_target
from course.paths import LayoutError, repo_kind, repo_root
from course.projects import load_projects

REAL = repo_root(Path(__file__))


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A small course repository: two projects, their starters, the learner overlay, a docs page."""
    root = Path(shutil.copytree(FIXTURES / "sample_course", tmp_path / "course"))
    instantiate(FIXTURES / "project_template", root)
    shutil.rmtree(root / "projects")
    assign(root / "solutions", root / "projects")
    shutil.copytree(REAL / "learner", root / "learner")
    (root / "course.toml").write_text('kind = "course"\n')
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "index.md").write_text(
        "# Home\n\n<!-- BEGIN COURSE ONLY -->\nSee solutions/.\n<!-- END COURSE ONLY -->\n"
        "<!-- LEARNER ONLY\nYour work is in projects/.\n-->\n"
    )
    git(root, "init", "-q")
    return root


def answer_line(course: Path) -> str:
    """A telling line of the template project's solution block."""
    source = (course / "solutions" / FOLDER / PACKAGE / "core.py").read_text().splitlines()
    start = next(i for i, line in enumerate(source) if "BEGIN SOLUTION" in line)
    return next(
        line.strip()
        for line in source[start + 1 :]
        if len(line.strip()) >= 24 and not line.strip().startswith("#")
    )


def test_the_export_has_the_starters_and_the_learner_files_but_no_solutions(
    course: Path, tmp_path: Path
) -> None:
    out = tmp_path / "learner-repo"
    export(course, out)
    assert not (out / "solutions").exists()
    assert not (out / "learner").exists()
    assert (out / "Makefile").read_text() == (REAL / "learner" / "Makefile").read_text()
    assert tomllib.loads((out / "course.toml").read_text())["kind"] == "learner"
    assert repo_kind(out) == "learner"
    assert [p.folder for p in load_projects(out)] == [p.folder for p in load_projects(course)]


def test_pages_lose_course_only_blocks_and_show_learner_text(course: Path, tmp_path: Path) -> None:
    export(course, tmp_path / "out")
    page = (tmp_path / "out" / "docs" / "index.md").read_text()
    assert page == "# Home\n\nYour work is in projects/.\n"


def test_learner_markdown_keeps_a_page_without_markers() -> None:
    text = "# Title\n\nA paragraph with <!-- a comment --> inside.\n"
    assert learner_markdown(text) == text


def test_a_solution_line_in_a_page_stops_the_export_and_writes_nothing(course: Path, tmp_path: Path) -> None:
    line = answer_line(course)
    (course / "docs" / "hint.md").write_text(f"# A hint\n\n    {line}\n")
    with pytest.raises(ExportError, match=r"docs/hint\.md:3"):
        export(course, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["course"]  # no staging folder left behind


def test_a_stale_starter_stops_the_export(course: Path, tmp_path: Path) -> None:
    stale = course / "projects" / FOLDER / PACKAGE / "core.py"
    stale.write_text(stale.read_text() + "\n# edited\n")
    with pytest.raises(ExportError, match="course assign"):
        export(course, tmp_path / "out")


def test_the_export_never_writes_into_a_folder_that_has_files(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(ExportError, match="not an empty folder"):
        export(course, out)
    assert (out / "keep.txt").read_text() == "mine"


def test_a_notebook_with_outputs_and_a_results_file_are_leaks(course: Path, tmp_path: Path) -> None:
    folder = tmp_path / "repo"
    notebook = {"cells": [{"cell_type": "code", "source": "1", "outputs": [{"text": "1"}], "metadata": {}}]}
    (folder / "projects" / "p1_x" / "reports").mkdir(parents=True)
    (folder / "projects" / "p1_x" / "run.ipynb").write_text(json.dumps(notebook))
    (folder / "projects" / "p1_x" / "reports" / "metrics.json").write_text("{}")
    reasons = {leak.path: leak.reason for leak in find_leaks(folder, course / "solutions")}
    assert "stored outputs" in reasons["projects/p1_x/run.ipynb"]
    assert "results" in reasons["projects/p1_x/reports/metrics.json"]


def test_git_makes_the_export_a_repository_with_one_commit(course: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export(course, out, git=True)
    log = subprocess.run(
        ["git", "-C", str(out), "log", "--oneline"], capture_output=True, text=True, check=True
    )
    assert len(log.stdout.splitlines()) == 1
    status = subprocess.run(["git", "-C", str(out), "status", "--porcelain"], capture_output=True, text=True)
    assert status.stdout == ""


@pytest.fixture(scope="module")
def real_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "learner"
    export(REAL, out)
    return out


def test_the_real_course_exports_without_an_authors_path_or_an_output(real_export: Path) -> None:
    files = [p.relative_to(real_export).as_posix() for p in real_export.rglob("*") if p.is_file()]
    assert not [f for f in files if is_excluded(f)], EXCLUDED
    notebooks = [real_export / f for f in files if f.endswith(".ipynb")]
    assert notebooks
    for notebook in notebooks:
        cells = json.loads(notebook.read_text())["cells"]
        assert not any(c.get("outputs") for c in cells if c["cell_type"] == "code"), notebook
    assert not [f for f in files if "/reports/" in f]


def test_the_real_export_keeps_every_project_and_its_public_tests(real_export: Path) -> None:
    for project in load_projects(REAL):
        assert (real_export / "projects" / project.folder / "project.toml").is_file()
        assert (real_export / "tests" / "graded" / project.folder / "rubric.toml").is_file()
    readme = (real_export / "README.md").read_text()
    assert "make start" in readme and "make test" in readme and "solutions/" not in readme


def test_the_toolkit_grades_in_the_learner_repository(real_export: Path) -> None:
    report, _ = check_items("p1", ["split"], "projects", root=real_export)
    assert report.items and report.score == 0  # the starter, graded without solutions/
    with pytest.raises(LayoutError, match="authors' command"):
        resolve_target("solutions", "p1_baseline", real_export)

"""Adding a project is a folder with its manifest, its graded tests and its page: shown on a throw-away one.

The template in ``fixtures/project_template`` (the recipe in CONTRIBUTING.md starts from it) becomes a
eighth project of a copy of the sample course; every floor of the toolkit then knows it without a list
being edited: names, starters, rubric, grading, and the site's navigation.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course.assign import assign
from course.grading.rubric import load_rubric
from course.grading.runner import Limits, grade_submission
from course.paths import resolve_project
from course.projects import load_projects

FIXTURES = Path(__file__).parent / "fixtures"
NUMBER, NAME = 8, "template"
FOLDER, ID, PACKAGE = f"p{NUMBER}_{NAME}", f"p{NUMBER}", f"{NAME}_kit"
FIELDS = {"{{number}}": str(NUMBER), "{{id}}": ID, "{{folder}}": FOLDER, "{{package}}": PACKAGE}
PARTS = {"__folder__": FOLDER, "__package__": PACKAGE, "__id__": ID}


def instantiate(template: Path, root: Path) -> None:
    """Copy the template into the course at ``root``, with the placeholders filled in."""
    for source in template.rglob("*"):
        if source.is_dir():
            continue
        relative = source.relative_to(template).as_posix()
        for part, value in PARTS.items():
            relative = relative.replace(part, value)
        text = source.read_text(encoding="utf-8")
        for field, value in FIELDS.items():
            text = text.replace(field, value)
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = Path(shutil.copytree(FIXTURES / "sample_course", tmp_path_factory.mktemp("new") / "course"))
    instantiate(FIXTURES / "project_template", root)
    assign(root / "solutions", root / "projects", only=[FOLDER])  # the sample's own starter is hand-written
    return root


def test_the_new_project_is_known_by_its_manifest(course: Path) -> None:
    projects = {p.folder: p for p in load_projects(course)}
    assert projects[FOLDER].nav_title == f"{NUMBER}. Template"
    assert resolve_project(ID, course) == FOLDER


def test_its_starter_is_built_without_the_answers(course: Path) -> None:
    starter = course / "projects" / FOLDER
    assert "NotImplementedError" in (starter / PACKAGE / "core.py").read_text()
    assert "_Your answer here._" in (starter / "README.md").read_text()
    assert (starter / "project.toml").is_file()


def test_its_rubric_comes_from_its_tests_and_notebook(course: Path) -> None:
    rubric = load_rubric(ID, course)
    assert {item.id: item.points for item in rubric.items} == {
        f"{ID}.core.share": 4,
        f"{ID}.notebook.walkthrough": 2,
    }


@pytest.mark.slow
def test_the_solution_gets_full_marks_and_the_starter_none(course: Path) -> None:
    limits = Limits(timeout=30, wall=120, memory_mb=2048)
    solution = grade_submission(ID, "solutions", root=course, limits=limits)
    starter = grade_submission(ID, "projects", root=course, limits=limits)
    assert (solution.score, solution.max_score) == (6, 6), solution.notes
    assert starter.score == 0


def test_the_site_lists_its_page(course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    monkeypatch.setenv("COURSE_ROOT", str(course))
    spec = importlib.util.spec_from_file_location(
        "projects_hook", FIXTURES.parents[2] / "docs/hooks/projects.py"
    )
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    config = {"nav": [{"Projects": ["projects/index.md"]}]}
    hook.on_config(config)
    assert {f"{NUMBER}. Template": f"projects/{FOLDER}.md"} in config["nav"][0]["Projects"]
    assert (course / "docs" / "projects" / f"{FOLDER}.md").is_file()

"""The docs site: builds with ``mkdocs build --strict``; the hooks fill the rubric and CLI markers."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import types
from pathlib import Path
from types import ModuleType

import pytest
from mkdocs.exceptions import PluginError

from course.paths import repo_root

HOOKS = repo_root() / "docs" / "hooks"


def _hook(name: str) -> ModuleType:
    """Load a hook module by path, as mkdocs does."""
    spec = importlib.util.spec_from_file_location(f"docs_hook_{name}", HOOKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _FakeRubric:
    def __init__(self, items: list[str]) -> None:
        self.items = items

    def to_markdown(self) -> str:
        return "| id | points |\n|---|---|\n" + "".join(f"| {item} | 1 |\n" for item in self.items)


@pytest.fixture
def rubric_hook(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The rubric hook, with a fake ``course.grading.rubric`` that knows p1 only."""

    def load_rubric(project: str) -> _FakeRubric:
        return _FakeRubric(["p1.split.no_customer_overlap"] if project == "p1_baseline" else [])

    fake = types.ModuleType("course.grading.rubric")
    fake.load_rubric = load_rubric
    monkeypatch.setitem(sys.modules, "course.grading.rubric", fake)
    return _hook("rubric")


def test_rubric_marker_becomes_the_table(rubric_hook):
    page = rubric_hook.replace_markers("# P1\n\n<!-- rubric: p1 -->\n\nAfter.", "docs/p1.md")
    assert page == "# P1\n\n| id | points |\n|---|---|\n| p1.split.no_customer_overlap | 1 |\n\nAfter."


def test_rubric_marker_in_code_fence_is_left_alone(rubric_hook):
    page = "```markdown\n<!-- rubric: p2_serving -->\n```\n"
    assert rubric_hook.replace_markers(page, "docs/instructors.md") == page


def test_project_without_graded_tests_fails_the_build(rubric_hook):
    with pytest.raises(
        PluginError, match=r"docs/p2\.md asks for a rubric, but the rubric of 'p2_serving' is empty"
    ):
        rubric_hook.replace_markers("<!-- rubric: p2_serving -->", "docs/p2.md")


def test_unknown_project_fails_the_build(rubric_hook):
    with pytest.raises(PluginError, match=r"docs/x\.md asks for a rubric.*Unknown project 'p9'"):
        rubric_hook.replace_markers("<!-- rubric: p9 -->", "docs/x.md")


def test_cli_reference_documents_every_command():
    import typer

    hook = _hook("cli_reference")
    app = typer.Typer(name="course", add_completion=False, rich_markup_mode=None)

    @app.command("alpha")
    def alpha(fast: bool = typer.Option(False, "--fast", help="Go fast.")) -> None:
        """Do alpha."""

    @app.command("beta")
    def beta() -> None:
        """Do beta."""

    markdown = hook.render_reference(app)
    assert "## `course alpha`" in markdown and "## `course beta`" in markdown
    assert "--fast" in markdown and "Go fast." in markdown


def test_cli_reference_documents_a_groups_commands():
    import typer

    hook = _hook("cli_reference")
    app = typer.Typer(name="course", add_completion=False, rich_markup_mode=None)
    group = typer.Typer(help="Books.")

    @app.command("alpha")
    def alpha() -> None:
        """Do alpha."""

    @group.command("merge")
    def merge(out: str = typer.Option(..., "--out", help="Where the merged book goes.")) -> None:
        """Merge books."""

    app.add_typer(group, name="book")
    assert hook.command_names(app) == ["alpha", "book", "book merge"]
    markdown = hook.render_reference(app)
    assert "## `course book merge`" in markdown and "Where the merged book goes." in markdown


@pytest.mark.slow
def test_site_builds_strict_and_lists_every_command(tmp_path: Path):
    root = repo_root()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            "mkdocs.yml",
            "-d",
            str(tmp_path / "site"),
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    from course.cli import app

    cli_page = (tmp_path / "site" / "reference" / "cli" / "index.html").read_text(encoding="utf-8")
    names = _hook("cli_reference").command_names(app)
    assert names, "the course app has no commands"
    assert [name for name in names if f"course {name}" not in cli_page] == []


def test_the_projects_navigation_comes_from_the_manifests():
    from course.projects import load_projects

    config = {"nav": [{"Home": "index.md"}, {"Projects": ["projects/index.md"]}]}
    _hook("projects").on_config(config)
    projects = config["nav"][1]["Projects"]
    assert projects[0] == "projects/index.md"
    assert projects[1:] == [{p.nav_title: p.docs_page.removeprefix("docs/")} for p in load_projects()]


def test_every_project_has_its_page_with_its_rubric():
    from course.projects import load_projects

    for project in load_projects():
        page = repo_root() / project.docs_page
        assert page.is_file(), f"{project.folder}: its manifest names {project.docs_page}, which is missing"
        assert f"<!-- rubric: {project.folder} -->" in page.read_text(), f"{page} shows no rubric"

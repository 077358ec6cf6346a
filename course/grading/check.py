"""``course check``: the tests of a few rubric items, without the notebooks, for feedback in seconds.

``course check p1 split`` (or ``p1.split``, a whole item id, several of them) grades only the tests of the
matching items, through the same judge and worker as ``course grade``, with the same messages. Items whose
tests read what the notebooks write cannot be checked without running them; they are listed with the
command that can (``course grade``). In a notebook, ``from course import check; check("p1.split")`` does
the same and prints the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated

import typer

from course.errors import CourseError
from course.grading.reports import GradeReport
from course.grading.rubric import Rubric, RubricItem


class CheckError(CourseError):
    """The selection names no rubric item of the project, or only items that need the notebooks."""


def matches(item_id: str, selector: str, project_id: str) -> bool:
    """Whether ``selector`` (an item id, an id prefix, or either without the project id) names ``item_id``."""
    wanted = selector if selector.startswith(project_id + ".") else f"{project_id}.{selector}"
    return item_id == wanted or item_id.startswith(wanted + ".")


def select_items(rubric: Rubric, selectors: Iterable[str], project_id: str) -> list[RubricItem]:
    """The items that any selector names, in rubric order; ``CheckError`` lists the ids when none does."""
    chosen = list(selectors)
    picked = [item for item in rubric.items if any(matches(item.id, s, project_id) for s in chosen)]
    if not picked:
        known = ", ".join(item.id for item in rubric.items)
        raise CheckError(f"no rubric item of {rubric.project} matches {chosen}; its items are: {known}.")
    return picked


def split_by_notebooks(rubric: Rubric, items: Sequence[RubricItem]) -> tuple[list[str], list[RubricItem]]:
    """(test files to run, items that need the notebooks): an item is checkable when it has tests and
    every file holding them runs beside the notebooks (reads nothing they write)."""
    beside = set(rubric.beside_notebooks)
    files: list[str] = []
    blocked: list[RubricItem] = []
    for item in items:
        own = {test.key.split("::", 1)[0] for test in item.tests}
        if item.notebooks or not own or not own <= beside:
            blocked.append(item)
            continue
        files += [name for name in rubric.beside_notebooks if name in own and name not in files]
    return files, blocked


def check_items(
    project: str,
    selectors: Sequence[str],
    target: str | Path | None = "projects",
    root: Path | None = None,
) -> tuple[GradeReport, list[RubricItem]]:
    """Grade the checkable items that ``selectors`` name; returns the report (those items only) and the
    items left out because they need the notebooks."""
    from course.grading.rubric import load_rubric
    from course.grading.runner import grade_submission
    from course.grading.status import record_if_own
    from course.paths import repo_root
    from course.projects import get_project

    root = root or repo_root()
    manifest = get_project(project, root)
    name, project_id = manifest.folder, manifest.id
    rubric = load_rubric(name, root)
    items = select_items(rubric, selectors or [project_id], project_id)
    files, blocked = split_by_notebooks(rubric, items)
    if not files:
        raise CheckError(
            f"{', '.join(i.id for i in blocked)}: these items read what the notebooks write; "
            f"run `course grade {project_id} --target projects` to grade them."
        )
    report = grade_submission(name, target, root=root, select=files)
    wanted = {item.id for item in items} - {item.id for item in blocked}
    report.items = [result for result in report.items if result.id in wanted]
    record_if_own(report, "check", root)
    return report, blocked


def check(*selectors: str, target: str | Path | None = "projects") -> GradeReport:
    """Check rubric items from a notebook: ``check("p1.split")`` prints the table and returns the report.

    Every selector starts with its project id (``p1.split``, ``p7``); the target defaults to ``projects``.
    """
    if not selectors:
        raise CheckError('name what to check, for example check("p1.split") or check("p1").')
    project = selectors[0].split(".", 1)[0]
    report, blocked = check_items(project, selectors, target)
    show(report, blocked, project, target)
    return report


def show(
    report: GradeReport, blocked: Sequence[RubricItem], project: str, target: object, verbose: bool = False
) -> None:
    """Print the checked items' table, then each item left out with the command that grades it."""
    from rich.console import Console

    from course.grading.reports import render_table

    console = Console()
    console.print(render_table(report, verbose))
    for item in blocked:
        console.print(
            f"{item.id}: needs the notebooks; `course grade {project} --target {target}` grades it."
        )


def check_command(
    project: Annotated[str, typer.Argument(help="The project: p1..p7 or its folder name (p1_baseline).")],
    items: Annotated[
        list[str] | None,
        typer.Argument(help="Rubric items to check: an id (p1.split.leak), a prefix (p1.split) or split."),
    ] = None,
    target: Annotated[
        str,
        typer.Option("--target", help="What to check: projects (your work), solutions, or a folder."),
    ] = "projects",
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show every test and its traceback.")
    ] = False,
) -> None:
    """Check a few rubric items in seconds: their tests only, without the notebooks.

    Items whose tests read what the notebooks write are listed with the command that grades them.
    """
    report, blocked = check_items(project, items or [], target)
    show(report, blocked, project, target, verbose)

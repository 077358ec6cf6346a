"""``course check-starter``: no graded test and no notebook item earns points on the untouched starter.

A test that passes on the starter in ``projects/`` checks nothing the learner writes (it is vacuous).
``make test`` runs this for every project; ``make test-graded`` checks the other half, that the same tests
pass on ``solutions/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from course.grading.runner import Limits


def passing_on_starter(
    project: str, root: Path | None = None, limits: Limits | None = None, learner: str | None = None
) -> list[str]:
    """The graded tests and notebooks of ``project`` that pass on its starter in ``projects/`` (graded in
    ``learner``'s world when given, else the default one)."""
    from course.grading.runner import Limits, grade_submission

    limits = limits or Limits(wall=1800.0)
    report = grade_submission(project, "projects", root=root, limits=limits, learner=learner)
    return [f"{item.id}: {test.name}" for item in report.items for test in item.tests if test.passed]


def check_starter_command(
    projects: Annotated[list[str], typer.Argument(help="Projects to check: p1..p7 or folder names.")],
    jobs: Annotated[int, typer.Option("--jobs", help="Projects graded at once.", min=1)] = 2,
    learner: Annotated[
        str | None, typer.Option("--learner", help="Grade the starters in this learner's world.")
    ] = None,
) -> None:
    """Check that every graded test and notebook item fails on the untouched starter (course authors).

    Exit status 0 when nothing passes on the starters, 1 when something does (it is named), 2 when grading
    could not run.
    """
    from concurrent.futures import ThreadPoolExecutor

    vacuous = False
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(lambda p: passing_on_starter(p, learner=learner), projects))  # in order
    for project, passing in zip(projects, results, strict=True):
        if passing:
            vacuous = True
            typer.echo(f"{project}: these pass on the untouched starter in projects/ (they check nothing):")
            for name in passing:
                typer.echo(f"  - {name}")
        else:
            typer.echo(f"{project}: every graded test and notebook item fails on the starter")
    if vacuous:
        raise typer.Exit(1)
